//! Bulk import of records made elsewhere (the synthetic world, another system's export):
//! CyberTipline XML reports, public tips, online ads and missing-child cases.
//!
//! The caller reads files and hands over rows; each row is checked on its own, so a bad
//! row is rejected with its reason while the rest of the batch goes in. Every insert is
//! "if new" on a stable external id (the row's `id`, or the SHA-256 of an XML document),
//! so importing the same data twice adds nothing. Formats: `docs/import.md`.

use crate::audit::{audited, By, Subject};
use crate::error::ServiceError;
use crate::intake::tips::{add_named_person, tip_to_report, NamedPerson, TipForm};
use crate::Services;
use casework::CaseRecord;
use domain::tip::{TipPerson, TipRecord, WhenGiven};
use domain::RecordKind;
use sha2::Digest;
use store::imports::{self, NewAd, NewCase};
use store::reports::{NewReport, ReportState};

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: u64,
    /// Already imported before (same external id).
    pub existing: u64,
}

impl Counts {
    fn tally(&mut self, added: bool) {
        if added {
            self.added += 1;
        } else {
            self.existing += 1;
        }
    }
}

/// Stores a report as finished under `external` unless it is there already; whether it was
/// added. The JSON of the typed model is what the analysts' pages and search read.
// Each argument is a distinct column of the row; a struct for one private call adds nothing.
#[allow(clippy::too_many_arguments)]
async fn insert_finished(
    tx: &mut store::Tx,
    source: &str,
    report: &cybertip::Report,
    summary: &str,
    original_xml: Option<&str>,
    external: &str,
    received_at: i64,
    assessed: &store::reports::Assessed,
    when_given: Option<domain::tip::WhenGiven>,
) -> Result<bool, ServiceError> {
    let json = serde_json::to_string(report).map_err(|e| ServiceError::Internal(Box::new(e)))?;
    let added = imports::insert_report(
        &mut **tx,
        &NewReport {
            source,
            submitted_by: None,
            submitter_org: None,
            state: ReportState::Finished,
            incident_type: report.incident_summary.incident_type.as_xsd_str(),
            incident_at: Some(report.incident_summary.incident_date_time.as_str()),
            summary,
            search_text: &json.to_lowercase(),
            report_json: &json,
            original_xml,
            assessed,
            when_given,
        },
        external,
        received_at,
    )
    .await?;
    Ok(added.is_some())
}

/// Why a row was refused, for the import's report.
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<store::StoreError> for RowError {
    fn from(e: store::StoreError) -> Self {
        RowError::Service(e.into())
    }
}

/// An online ad (`ads.jsonl`, or a CSV row with the same columns): the link engine's
/// record. Import needs `site`, `url`, and a `title` or a `body`.
pub use link::ads::AdRecord;

fn invalid(s: impl Into<String>) -> RowError {
    RowError::Invalid(s.into())
}

fn parse_time(s: &str) -> Result<i64, RowError> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            invalid(format!(
                "`{s}` is not an RFC 3339 time (2024-05-01T13:45:00Z)"
            ))
        })?;
    i64::try_from(t.unix_timestamp_nanos() / 1000).map_err(|_| invalid("time out of range"))
}

/// The date in "2024-05-12" or "around 2024-05-12", if that is what it is.
fn date_in(when: &str) -> Option<&str> {
    let w = when.trim();
    let w = w.strip_prefix("around ").unwrap_or(w);
    let b = w.as_bytes();
    (b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()))
    .then_some(w)
}

/// The people a tip names beyond its first child and first other person, with their
/// place in `people` (from 0).
fn extra_people(t: &TipRecord) -> impl Iterator<Item = (usize, &TipPerson)> {
    let child = t.people.iter().position(TipPerson::is_child);
    let other = t.people.iter().position(|p| !p.is_child());
    t.people
        .iter()
        .enumerate()
        .filter(move |(i, _)| Some(*i) != child && Some(*i) != other)
}

fn named(p: &TipPerson) -> NamedPerson {
    NamedPerson {
        child: p.is_child(),
        name: p.name.clone().unwrap_or_default(),
        age: p.age.map(|a| a.to_string()).unwrap_or_default(),
        phone: p.phone.clone().unwrap_or_default(),
        email: p.email.clone().unwrap_or_default(),
        screen_names: p.screen_names.join(", "),
    }
}

/// A tip record as the form would have sent it, with its first child and other person;
/// `extra_people` are added to the report after.
fn tip_form(t: &TipRecord) -> TipForm {
    let child = t.people.iter().find(|p| p.is_child());
    let other = t.people.iter().find(|p| !p.is_child());
    let what = t.narrative.clone();
    let fill = |p: Option<&TipPerson>| {
        let p = p.cloned().unwrap_or_default();
        (
            p.name.unwrap_or_default(),
            p.age.map(|a| a.to_string()).unwrap_or_default(),
            p.phone.unwrap_or_default(),
            p.email.unwrap_or_default(),
            p.screen_names.join(", "),
        )
    };
    let (cn, ca, cp, ce, cs) = fill(child);
    let (on, oa, op, oe, os) = fill(other);
    let reporter = t.reporter.clone().unwrap_or_default();
    TipForm {
        incident_type: t.incident_type.clone(),
        incident_date: date_in(&t.when).unwrap_or_default().to_owned(),
        city: t.city.clone().unwrap_or_default(),
        state: t.state.clone().unwrap_or_default(),
        country: t.country.clone(),
        what_happened: what,
        child_name: cn,
        child_age: ca,
        child_phone: cp,
        child_email: ce,
        child_screen_names: cs,
        other_name: on,
        other_age: oa,
        other_phone: op,
        other_email: oe,
        other_screen_names: os,
        urls: t.urls.join("\n"),
        anonymous: if t.reporter.is_some() { "" } else { "on" }.into(),
        reporter_name: reporter.name.unwrap_or_default(),
        reporter_email: reporter.email.unwrap_or_default(),
        reporter_phone: reporter.phone.unwrap_or_default(),
        ..TipForm::default()
    }
}

impl Services {
    /// Imports CyberTipline XML documents (label, bytes) as finished reports. Returns the
    /// counts and, per refused document, its label and reason.
    pub async fn import_reports(
        &self,
        operator: &str,
        docs: &[(String, Vec<u8>)],
    ) -> Result<(Counts, Vec<(String, RowError)>), ServiceError> {
        let now = self.now();
        let mut counts = Counts::default();
        let mut errors = Vec::new();
        let mut tx = self.store.begin().await?;
        for (label, bytes) in docs {
            let report = match cybertip::parse_report(bytes, &cybertip::Limits::default()) {
                Ok(r) => r,
                Err(e) => {
                    let msg = match e.path() {
                        Some(p) => format!("{} at {p}", e.message()),
                        None => e.message(),
                    };
                    errors.push((label.clone(), invalid(msg)));
                    continue;
                }
            };
            let Ok(original) = std::str::from_utf8(bytes) else {
                errors.push((label.clone(), invalid("not UTF-8")));
                continue;
            };
            let external = format!("xml:{}", hex::encode(sha2::Sha256::digest(bytes)));
            let summary = crate::intake::summary(&report);
            let added = insert_finished(
                &mut tx,
                "import",
                &report,
                &summary,
                Some(original),
                &external,
                now,
                &self.engine.assess(&report).1,
                None,
            )
            .await?;
            counts.tally(added);
        }
        self.audit_import(&mut tx, operator, "reports", counts, now)
            .await?;
        let added = docs
            .iter()
            .map(|(_, b)| format!("xml:{}", hex::encode(sha2::Sha256::digest(b))));
        let job = self
            .enqueue_imported(&mut tx, RecordKind::Report, added, Some(now))
            .await?;
        self.commit_and_link(tx, job).await?;
        Ok((counts, errors))
    }

    /// Imports public tips (line label, row) as finished reports from the tip form.
    pub async fn import_tips(
        &self,
        operator: &str,
        rows: &[(String, TipRecord)],
    ) -> Result<(Counts, Vec<(String, RowError)>), ServiceError> {
        let now = self.now();
        let mut counts = Counts::default();
        let mut errors = Vec::new();
        let mut tx = self.store.begin().await?;
        for (label, t) in rows {
            let prepared = (|| {
                if t.id.trim().is_empty() {
                    return Err(invalid("`id` is empty"));
                }
                let at = parse_time(&t.submitted_at)?;
                let (mut report, mut when_given) =
                    tip_to_report(&tip_form(t), at).map_err(|e| invalid(e.to_string()))?;
                for (i, extra) in extra_people(t) {
                    add_named_person(&mut report, &named(extra))
                        .map_err(|e| invalid(format!("person {} of `people`: {e}", i + 1)))?;
                }
                // Words rather than a date: the words are the reporter's, so they are kept
                // as they put them; `when_given` says the time shown is ours.
                if date_in(&t.when).is_none() && !t.when.trim().is_empty() {
                    report.incident_summary.incident_date_time_description =
                        Some(t.when.trim().to_owned());
                    when_given = WhenGiven::InWords;
                }
                Ok((report, when_given, at))
            })();
            let (report, when_given, at) = match prepared {
                Ok(p) => p,
                Err(e) => {
                    errors.push((label.clone(), e));
                    continue;
                }
            };
            let summary: String = t.narrative.chars().take(120).collect();
            let external = format!("tip:{}", t.id.trim());
            let assessed = self.engine.assess(&report).1;
            let added = insert_finished(
                &mut tx,
                "public",
                &report,
                &summary,
                None,
                &external,
                at,
                &assessed,
                Some(when_given),
            )
            .await?;
            counts.tally(added);
        }
        self.audit_import(&mut tx, operator, "tips", counts, now)
            .await?;
        let job = self
            .enqueue_imported(
                &mut tx,
                RecordKind::Report,
                rows.iter().map(|(_, t)| format!("tip:{}", t.id.trim())),
                None,
            )
            .await?;
        self.commit_and_link(tx, job).await?;
        Ok((counts, errors))
    }

    /// Imports online ads.
    pub async fn import_ads(
        &self,
        operator: &str,
        rows: &[(String, AdRecord)],
    ) -> Result<(Counts, Vec<(String, RowError)>), ServiceError> {
        let now = self.now();
        let mut counts = Counts::default();
        let mut errors = Vec::new();
        let mut tx = self.store.begin().await?;
        for (label, a) in rows {
            let check = || -> Result<(&str, &str, String), RowError> {
                if a.id.trim().is_empty() {
                    return Err(invalid("`id` is empty"));
                }
                let (Some(site), Some(url)) = (&a.site, &a.url) else {
                    let field = if a.site.is_none() { "site" } else { "url" };
                    return Err(invalid(format!(
                        "missing field `{field}`: an ad needs the site and the address it was \
                         posted at"
                    )));
                };
                if a.title.trim().is_empty() && a.body.trim().is_empty() {
                    return Err(invalid("the ad has neither `title` nor `body`"));
                }
                if let Some(p) = &a.posted_at {
                    parse_time(p)?;
                }
                if let Some(s) = a.state.as_deref().filter(|s| !s.is_empty()) {
                    if cybertip::UsState::parse(s).is_none() {
                        return Err(invalid(format!("`state` {s:?} is not a US state code")));
                    }
                }
                let hashes = serde_json::to_string(&a.image_hashes)
                    .map_err(|e| RowError::Service(ServiceError::Internal(Box::new(e))))?;
                Ok((site, url, hashes))
            };
            let (site, url, hashes) = match check() {
                Ok(h) => h,
                Err(e) => {
                    errors.push((label.clone(), e));
                    continue;
                }
            };
            let added = imports::insert_ad(
                &mut *tx,
                &NewAd {
                    external_id: a.id.trim(),
                    site,
                    url,
                    posted_at: a.posted_at.as_deref(),
                    city: a.city.as_deref(),
                    state: a.state.as_deref(),
                    title: &a.title,
                    body: &a.body,
                    image_hashes: &hashes,
                },
                now,
            )
            .await?;
            counts.tally(added);
        }
        self.audit_import(&mut tx, operator, "ads", counts, now)
            .await?;
        let job = self
            .enqueue_imported(
                &mut tx,
                RecordKind::Ad,
                rows.iter().map(|(_, a)| a.id.trim().to_owned()),
                Some(now),
            )
            .await?;
        self.commit_and_link(tx, job).await?;
        Ok((counts, errors))
    }

    /// Imports missing-child cases given as JSON objects (line label, line text).
    pub async fn import_cases(
        &self,
        operator: &str,
        rows: &[(String, String)],
    ) -> Result<(Counts, Vec<(String, RowError)>), ServiceError> {
        let now = self.now();
        let mut counts = Counts::default();
        let mut errors = Vec::new();
        let mut tx = self.store.begin().await?;
        let mut linked = Vec::with_capacity(rows.len());
        for (label, line) in rows {
            let case = match CaseRecord::from_json(line).and_then(|c| c.check().map(|()| c)) {
                Ok(c) => c,
                Err(e) => {
                    errors.push((label.clone(), invalid(e.to_string())));
                    continue;
                }
            };
            let case_id = case.case_id.trim();
            let name = match &case.child.last_name {
                Some(l) => format!("{} {l}", case.child.first_name),
                None => case.child.first_name.clone(),
            };
            let added = imports::insert_case(
                &mut *tx,
                &NewCase {
                    external_id: case_id,
                    child_name: &name,
                    missing_from_care: case.missing_from_care,
                    circumstance: casework::record::circumstance_id(case.circumstance),
                    episodes: i64::try_from(case.episodes.len()).unwrap_or(i64::MAX),
                    case_json: line,
                },
                now,
            )
            .await?;
            // The case workflow's columns and episodes (also for a case imported before it
            // existed); a record it cannot read stays as imported, and says why when opened.
            if let Some(id) = store::cases::id_by_number(&mut *tx, case_id).await? {
                match self
                    .fill_imported_in(&mut tx, domain::CaseId(id), line)
                    .await
                {
                    Ok(_) | Err(ServiceError::Invalid(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            counts.tally(added);
            linked.push(case_id.to_owned());
        }
        self.audit_import(&mut tx, operator, "cases", counts, now)
            .await?;
        let job = self
            .enqueue_imported(&mut tx, RecordKind::Case, linked, Some(now))
            .await?;
        self.commit_and_link(tx, job).await?;
        Ok((counts, errors))
    }

    /// Commits an import batch with its linking job, then links it: an import's links
    /// are there when the command (or the test) goes on.
    async fn commit_and_link(
        &self,
        tx: store::Tx,
        job: Option<store::jobs::Claimed>,
    ) -> Result<(), ServiceError> {
        store::commit(tx).await?;
        if let Some(job) = job {
            self.run_claimed(job).await;
        }
        Ok(())
    }

    async fn audit_import(
        &self,
        tx: &mut store::Tx,
        operator: &str,
        what: &str,
        counts: Counts,
        now: i64,
    ) -> Result<(), ServiceError> {
        if counts.added == 0 {
            return Ok(());
        }
        audited(
            tx,
            &By::system(operator, now),
            "import",
            Subject::Nothing,
            Some(format!("{} {what} added", counts.added)),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_are_found_in_what_people_write() {
        assert_eq!(date_in("around 2020-04-28"), Some("2020-04-28"));
        assert_eq!(date_in("2020-04-28"), Some("2020-04-28"));
        assert_eq!(date_in("last weekend"), None);
    }

    #[test]
    fn a_tip_row_becomes_the_form_it_came_from() {
        let t: TipRecord = serde_json::from_str(
            r#"{"id":"tip-1","submitted_at":"2020-04-30T15:12:45Z","incident_type":"Child Sex Trafficking","when":"last weekend","country":"US","narrative":"Seen at a motel.","people":[{"role":"child","name":"Jo","age":15},{"role":"adult","phone":"555-0100"},{"role":"unknown","screen_names":["x_1"]}]}"#,
        )
        .unwrap();
        let f = tip_form(&t);
        assert_eq!(f.child_age, "15");
        assert_eq!(f.other_phone, "555-0100");
        assert_eq!(
            f.what_happened, "Seen at a motel.",
            "only the reporter's words"
        );
        assert_eq!(f.anonymous, "on");
        let (mut report, _) = tip_to_report(&f, parse_time(&t.submitted_at).unwrap()).unwrap();
        for (i, p) in extra_people(&t) {
            assert_eq!(i, 2);
            add_named_person(&mut report, &named(p)).unwrap();
        }
        assert_eq!(report.victims.len(), 1);
        let reported: Vec<_> = report
            .persons_or_users_reported
            .iter()
            .map(|p| p.screen_name.clone())
            .collect();
        assert_eq!(reported, [None, Some("x_1".to_owned())]);
    }
}
