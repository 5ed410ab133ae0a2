//! Priority for reports: the indicator catalogue in force, how a CyberTipline report is
//! read into the triage engine's subject (its texts and structured facts), the catalogue's
//! editing by administrators (versioned and audited) and the recomputation of every
//! report's priority after a change.

use std::sync::{Arc, RwLock};

use crate::audit::{self, audited, By};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use cybertip::Report;
use domain::{Action, Principal};
use store::reports::{delimited, Assessed};
use store::triage::{self as queries, CatalogueRow};
use triage::{Assessment, Catalogue, Facts, Location, Subject, TextField, Triage};

/// The engine built from the catalogue in force; swapped whole when an administrator saves
/// a new version, so an assessment never mixes two versions.
#[derive(Clone)]
pub struct Engine(Arc<RwLock<Arc<Triage>>>);

impl Default for Engine {
    fn default() -> Self {
        Engine(Arc::new(RwLock::new(Arc::new(Triage::new(
            Catalogue::shipped(),
        )))))
    }
}

impl Engine {
    pub fn current(&self) -> Arc<Triage> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn replace(&self, t: Triage) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(t);
    }

    /// Assesses a report with the catalogue in force.
    pub fn assessment(&self, report: &Report) -> Assessment {
        self.assess(report).0
    }

    /// Assesses a report with what its tipster added later (each follow-up's text, in the
    /// order they came), with the catalogue in force.
    pub fn assessment_with(&self, report: &Report, followups: &[String]) -> Assessment {
        self.assess_with(report, followups).0
    }

    /// Assesses a report and puts the result in storable form.
    pub(crate) fn assess(&self, report: &Report) -> (Assessment, Assessed) {
        self.assess_with(report, &[])
    }

    /// [`assess`](Self::assess), the tipster's follow-ups read as more texts of the report.
    pub(crate) fn assess_with(
        &self,
        report: &Report,
        followups: &[String],
    ) -> (Assessment, Assessed) {
        let engine = self.current();
        let texts = report_texts_with(report, followups);
        let subject = Subject {
            texts: texts
                .iter()
                .map(|(field, text)| TextField {
                    field: field.as_str(),
                    text: text.as_str(),
                })
                .collect(),
            facts: report_facts(report),
        };
        let a = engine.assess(&subject);
        let stored = storable(&a);
        (a, stored)
    }
}

/// The assessment as the queue's columns hold it.
pub(crate) fn storable(a: &Assessment) -> Assessed {
    let mut ids: Vec<&str> = a.matches.iter().map(|m| m.indicator_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    Assessed {
        priority_rank: i64::from(a.priority.rank()),
        score_milli: (f64::from(a.score) * 1000.0).round() as i64,
        triage_json: serde_json::to_string(a).unwrap_or_default(),
        catalogue_version: i64::from(a.catalogue_version),
        states: delimited(&a.jurisdiction.states),
        countries: delimited(&a.jurisdiction.countries),
        indicator_ids: delimited(&ids),
    }
}

/// Every free text of a report with a label an analyst recognises; the labels are the
/// evidence's `field` and the report page shows each text under its label.
pub fn report_texts(r: &Report) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |label: String, t: &Option<String>| {
        if let Some(t) = t.as_deref().filter(|t| !t.trim().is_empty()) {
            out.push((label, t.to_owned()));
        }
    };
    push(
        "Incident time description".into(),
        &r.incident_summary.incident_date_time_description,
    );
    push("Additional information".into(), &r.additional_info);
    for (i, d) in r.internet_details.iter().enumerate() {
        use cybertip::InternetDetails as D;
        let n = i + 1;
        match d {
            D::WebPage(w) => push(format!("Web page {n}: information"), &w.additional_info),
            D::Email(e) => {
                push(format!("Email {n}: content"), &e.content);
                push(format!("Email {n}: information"), &e.additional_info);
            }
            D::Newsgroup(e) => {
                push(format!("Newsgroup {n}: content"), &e.content);
                push(format!("Newsgroup {n}: information"), &e.additional_info);
            }
            D::ChatIm(c) => {
                push(format!("Chat {n}: content"), &c.content);
                push(format!("Chat {n}: information"), &c.additional_info);
            }
            D::OnlineGaming(g) => {
                push(format!("Online game {n}: content"), &g.content);
                push(format!("Online game {n}: information"), &g.additional_info);
            }
            D::CellPhone(c) => push(format!("Cell phone {n}: information"), &c.additional_info),
            D::NonInternet(x) => {
                push(format!("Place {n}: name"), &x.location_name);
                push(format!("Place {n}: information"), &x.additional_info);
            }
            D::PeerToPeer(p) => push(format!("Peer-to-peer {n}: information"), &p.additional_info),
        }
    }
    for (i, p) in r.persons_or_users_reported.iter().enumerate() {
        let n = i + 1;
        push(format!("Reported person {n}: profile"), &p.profile_bio);
        push(
            format!("Reported person {n}: information"),
            &p.additional_info,
        );
    }
    for (i, v) in r.victims.iter().enumerate() {
        let n = i + 1;
        push(format!("Child victim {n}: profile"), &v.profile_bio);
        push(format!("Child victim {n}: information"), &v.additional_info);
    }
    out
}

/// The label of a tipster's `n`th follow-up (from 1) among a report's texts: the evidence's
/// `field`, under which the report page shows it.
pub fn followup_label(n: usize) -> String {
    format!("Follow-up {n} from the tipster")
}

/// [`report_texts`] and then each follow-up a tipster added (issue 24), so that triage and
/// linking read what came later as they read the tip itself.
pub fn report_texts_with(r: &Report, followups: &[String]) -> Vec<(String, String)> {
    let mut out = report_texts(r);
    for (i, t) in followups.iter().enumerate() {
        if !t.trim().is_empty() {
            out.push((followup_label(i + 1), t.clone()));
        }
    }
    out
}

/// The structured facts the catalogue's field rules read.
pub fn report_facts(r: &Report) -> Facts {
    let s = &r.incident_summary;
    let incident_year: Option<i32> = s
        .incident_date_time
        .as_str()
        .get(..4)
        .and_then(|y| y.parse().ok());
    let mut victim_ages = Vec::new();
    for v in &r.victims {
        if let Some(a) = v.person.age.and_then(|a| u32::try_from(a).ok()) {
            victim_ages.push(a);
        } else if let (Some(dob), Some(y)) = (&v.person.date_of_birth, incident_year) {
            // A year's precision is enough to tell a child; the day would need the calendar.
            if let Some(b) = dob.as_str().get(..4).and_then(|b| b.parse::<i32>().ok()) {
                if let Ok(age) = u32::try_from(y - b) {
                    victim_ages.push(age);
                }
            }
        }
    }
    let mut locations = Vec::new();
    let mut add = |a: &cybertip::Address| {
        locations.push(Location {
            country: a.country.as_ref().map(|c| c.as_str().to_owned()),
            state: a.state.as_ref().map(|s| s.as_str().to_owned()),
            city: a.city.clone(),
        })
    };
    for d in &r.internet_details {
        if let cybertip::InternetDetails::NonInternet(x) = d {
            x.incident_addresses.iter().for_each(&mut add);
        }
    }
    for v in &r.victims {
        v.person.addresses.iter().for_each(&mut add);
    }
    for p in &r.persons_or_users_reported {
        if let Some(person) = &p.person {
            person.addresses.iter().for_each(&mut add);
        }
    }
    let estimated = r
        .victims
        .iter()
        .filter_map(|v| v.estimated_location.as_ref())
        .chain(
            r.persons_or_users_reported
                .iter()
                .filter_map(|p| p.estimated_location.as_ref()),
        );
    for e in estimated {
        locations.push(Location {
            country: e.country_code.as_ref().map(|c| c.as_str().to_owned()),
            state: e.region.clone().filter(|r| r.len() == 2),
            city: e.city.clone(),
        });
    }
    Facts {
        escalate_to_high_priority: s
            .escalate_to_high_priority
            .as_deref()
            .is_some_and(|e| !e.trim().is_empty()),
        incident_type: Some(s.incident_type.as_xsd_str().to_owned()),
        victim_ages,
        locations,
        ..Facts::default()
    }
}

/// The catalogue in force and where it came from.
#[derive(Debug, Clone)]
pub struct CatalogueView {
    pub current: CatalogueVersion,
    pub catalogue: Catalogue,
    pub history: Vec<CatalogueVersion>,
}

/// One saved version of the indicator catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueVersion {
    pub version: i64,
    /// The catalogue's TOML as saved.
    pub body: String,
    /// The administrator's username; `None` for the catalogue shipped with Clearinghouse.
    pub edited_by: Option<String>,
    pub edited_at: i64,
    pub comment: String,
}

impl From<CatalogueRow> for CatalogueVersion {
    fn from(c: CatalogueRow) -> Self {
        CatalogueVersion {
            version: c.version,
            body: c.body,
            edited_by: c.edited_by,
            edited_at: c.edited_at,
            comment: c.comment,
        }
    }
}

impl Services {
    /// Loads the catalogue in force, storing the shipped one as version 1 on a fresh
    /// database. Called once at start-up.
    pub async fn load_catalogue(&self) -> Result<()> {
        let row = match queries::current_catalogue(self.store.reader()).await? {
            Some(row) => row,
            None => {
                let shipped = Catalogue::shipped();
                let mut tx = self.store.begin().await?;
                // A concurrent first start may have stored it already; that is fine.
                let _ = queries::insert_catalogue(
                    &mut *tx,
                    i64::from(shipped.version),
                    &shipped.to_toml(),
                    None,
                    self.now(),
                    "the catalogue shipped with Clearinghouse",
                )
                .await;
                store::commit(tx).await?;
                queries::current_catalogue(self.store.reader())
                    .await?
                    .ok_or(ServiceError::NotFound("the indicator catalogue"))?
            }
        };
        let catalogue = Catalogue::parse(&row.body).map_err(|e| {
            ServiceError::Invalid(format!(
                "the stored indicator catalogue (version {}) does not parse: {e}",
                row.version
            ))
        })?;
        self.engine.replace(Triage::new(catalogue));
        Ok(())
    }

    pub async fn catalogue(&self, who: &Principal) -> Result<CatalogueView> {
        if !domain::policy::permits(Some(who), Action::ViewIndicators) {
            return Err(ServiceError::Forbidden);
        }
        let current = queries::current_catalogue(self.store.reader())
            .await?
            .ok_or(ServiceError::NotFound("the indicator catalogue"))?;
        let history = queries::catalogue_history(self.store.reader())
            .await?
            .into_iter()
            .map(CatalogueVersion::from)
            .collect();
        Ok(CatalogueView {
            catalogue: self.engine.current().catalogue().clone(),
            current: current.into(),
            history,
        })
    }

    /// Saves an edited catalogue as the next version (audited, with the comment) and puts
    /// it in force. Priorities are recomputed by `clearinghouse triage recompute`, which
    /// the page says.
    pub async fn save_catalogue(
        &self,
        who: &Principal,
        body: &str,
        comment: &str,
        ip: Ip,
    ) -> Result<i64> {
        if !domain::policy::permits(Some(who), Action::ManageIndicators) {
            return Err(ServiceError::Forbidden);
        }
        let comment = comment.trim();
        if comment.is_empty() {
            return Err(ServiceError::Invalid(
                "say in a few words what changed and why (the comment is kept with the version)"
                    .into(),
            ));
        }
        let mut catalogue = Catalogue::parse(body).map_err(|e| {
            ServiceError::Invalid(format!(
                "the catalogue was not saved: {e}. Correct it and save again."
            ))
        })?;
        let current = queries::current_catalogue(self.store.reader())
            .await?
            .map_or(0, |r| r.version);
        let version = current + 1;
        catalogue.version = u32::try_from(version)
            .map_err(|_| ServiceError::Invalid("too many catalogue versions".into()))?;
        let text = catalogue.to_toml();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::insert_catalogue(&mut *tx, version, &text, Some(who.user_id), now, comment)
            .await
            .map_err(|e| match e {
                store::StoreError::Conflict(_) => ServiceError::Conflict(
                    "someone saved the catalogue at the same time; reload the page and apply your change again"
                        .into(),
                ),
                other => other.into(),
            })?;
        audited(
            &mut tx,
            &By::person(who, ip, now),
            "indicators.edit",
            audit::Subject::Other("indicator_catalogue".into(), version.to_string()),
            Some(comment.chars().take(500).collect()),
        )
        .await?;
        store::commit(tx).await?;
        self.engine.replace(Triage::new(catalogue));
        Ok(version)
    }

    /// Reassesses every report with the catalogue in force, in batches; `progress` gets
    /// (done, total) after each batch. Returns how many were reassessed.
    pub async fn recompute_priorities(&self, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
        let total = u64::try_from(store::reports::count_all(self.store.reader()).await?)
            .unwrap_or_default();
        let mut after = 0;
        let mut done = 0u64;
        loop {
            let rows = queries::report_json_after(self.store.reader(), after, 500).await?;
            let Some(last) = rows.last() else { break };
            after = last.0;
            let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
            let mut followups = std::collections::HashMap::<i64, Vec<String>>::new();
            for chunk in ids.chunks(500) {
                for f in store::reports::followups_of(self.store.reader(), chunk).await? {
                    followups.entry(f.report_id).or_default().push(f.body);
                }
            }
            let engine = self.engine.clone();
            // Assessment is CPU work; keep it off the async workers.
            let assessed = tokio::task::spawn_blocking(move || {
                rows.into_iter()
                    .filter_map(|(id, json)| {
                        let report: Report = serde_json::from_str(&json).ok()?;
                        let extra = followups.get(&id).map(Vec::as_slice).unwrap_or_default();
                        Some((id, engine.assess_with(&report, extra).1))
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(|e| ServiceError::Internal(Box::new(e)))?;
            let mut tx = self.store.begin().await?;
            for (id, a) in &assessed {
                queries::set_assessment(&mut *tx, *id, a).await?;
            }
            store::commit(tx).await?;
            done += assessed.len() as u64;
            progress(done, total);
        }
        Ok(done)
    }
}

/// Reports larger than this are assessed on the blocking pool, so a large submission does
/// not hold up other requests on an async worker.
const INLINE_ASSESS_BYTES: usize = 256 * 1024;

impl Services {
    /// Assesses a report about to be stored; hands the report back with the result.
    pub(crate) async fn assess_owned(
        &self,
        report: Report,
        size: usize,
    ) -> Result<(Report, Assessed)> {
        if size <= INLINE_ASSESS_BYTES {
            let a = self.engine.assess(&report).1;
            return Ok((report, a));
        }
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || {
            let a = engine.assess(&report).1;
            (report, a)
        })
        .await
        .map_err(|e| ServiceError::Internal(Box::new(e)))
    }
}
