//! Missing-child cases: a caseworker reports a child missing (from care, usually), the
//! hotline reviews it; episodes and recoveries keep the case file current; flags and the
//! priority are computed with their reasons (casework's flags, and the same triage engine
//! and catalogue as reports); the hotline assigns cases and makes them available to
//! law-enforcement agencies; link analysis raises alerts for the assigned analyst; a case
//! consented to publication has a poster (PDF and HTML) that carries the published fields
//! and nothing else.
//!
//! Who sees what: hotline staff every case, a caseworker their own agency's children
//! (`owner_org`), an investigator only cases made available to their agency. A case the
//! caller may not see is answered exactly as a case that does not exist. Every view is
//! audited, and every change with its audit entry in one transaction.

use std::collections::BTreeMap;

use crate::accounts::Page;
use crate::error::{Result, ServiceError};
use crate::queue::Share;
use crate::{Ip, Services};
use casework::model::{currently_missing, iso, latest_episode, parse_iso_date};
use casework::{
    AgeBand, CaseRecord, Child, ChildForm, ChildIds, Circumstance, Consent, Episode, EpisodeForm,
    FieldError, FormErrors, PosterData, SanitisedPhoto, TimelineItem, TimelineKind,
};
use domain::audit::NewAuditEntry;
use domain::policy::{may_see_record, permits, RecordSharing};
use domain::{
    Action, AlertId, AssigneeFilter, CaseId, CaseStatus, EpisodeId, OrgId, OrgKind, Principal,
    RecordKind, RecordRef, Role, UserId,
};
use serde::{Deserialize, Serialize};
use store::audit;
use store::cases::{
    self as queries, AlertRow, CaseFilter, CaseRow, CaseSummary, NewEpisode, Scope,
};
use store::links::NewLink;
use time::Date;
use triage::{Assessment, Category, Facts, Location, Subject, TextField};

/// The number a poster tells people to call, until the deployment sets its own
/// (`Services::hotline`).
pub const DEFAULT_HOTLINE: &str = "1-800-555-0100";
/// The longest account of an episode's circumstances.
pub const NARRATIVE_MAX_CHARS: usize = 5_000;
/// The longest reason for dismissing an alert.
pub const DISMISS_REASON_MAX_CHARS: usize = 1_000;
/// The largest photo of a child accepted.
pub const PHOTO_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The link reasons that raise an alert on a case.
pub const ALERT_REASONS: [&str; 4] = ["phone", "email", "handle", "person"];

/// The child's own identifiers, which link analysis compares with reports and ads. Never
/// on a poster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildIdentifiers {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Screen names and social-media handles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub handles: Vec<String>,
}

/// What `cases.child_json` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFile {
    pub child: Child,
    #[serde(default)]
    pub identifiers: ChildIdentifiers,
}

/// One stored episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEpisode {
    pub id: i64,
    pub episode: Episode,
    /// The caseworker's account of the circumstances (may be empty).
    pub narrative: String,
    pub created_at: i64,
}

/// The identifier fields of the case form: one per line, or separated by commas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct IdentifiersForm {
    pub child_phones: String,
    pub child_emails: String,
    pub child_handles: String,
}

/// A child reported missing: who they are, and the episode being reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseForm {
    pub child: ChildForm,
    pub identifiers: IdentifiersForm,
    pub episode: EpisodeForm,
    /// What is known about the circumstances, in the reporter's words.
    pub narrative: String,
}

/// The recovery fields of an episode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct RecoveryForm {
    pub recovered_on: String,
    pub recovery_city: String,
    pub recovery_state: String,
    pub recovery_how: String,
}

/// A case use case's failure: a form to show again with its messages, or anything else.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{0}")]
    Form(FormErrors),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<store::StoreError> for CaseError {
    fn from(e: store::StoreError) -> Self {
        CaseError::Service(e.into())
    }
}

fn form_error(field: &str, message: impl Into<String>) -> CaseError {
    CaseError::Form(FormErrors(vec![FieldError {
        field: field.to_owned(),
        message: message.into(),
    }]))
}

/// A flag with its reason: casework's (currently missing, chronically missing, missing
/// from care, repeat runaway, age band) and one per indicator of the catalogue found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseFlag {
    /// `chronically_missing`, … or `risk_factor:<indicator>` / `victim_indicator:<indicator>`.
    pub id: String,
    pub label: String,
    pub reason: String,
}

/// An alert as a person reads it.
#[derive(Debug, Clone)]
pub struct AlertView {
    pub id: i64,
    pub case_id: i64,
    /// The record whose link raised it.
    pub source: RecordRef,
    /// The link's reason: `phone`, `email`, `handle` or `person`.
    pub reason: String,
    /// The identifier or the names the link is about.
    pub value: String,
    pub created_at: i64,
    /// The username of who dismissed it.
    pub dismissed_by: Option<String>,
    pub dismissed_at: Option<i64>,
    pub dismiss_reason: Option<String>,
    /// "Online ad #12 (site: title)", "Report #40".
    pub source_label: String,
    pub reason_label: &'static str,
    /// The link's evidence, one line each.
    pub evidence: Vec<String>,
}

/// A case as lists show it, and its place in the hotline's work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseItem {
    pub id: i64,
    /// The external id: the imported case's id, or `CH-000123` for cases made here.
    pub case_number: String,
    pub child_name: String,
    pub missing_from_care: bool,
    /// The latest episode's circumstance (casework's id).
    pub circumstance: String,
    pub episodes: i64,
    /// The child-welfare agency whose child it is.
    pub owner_org: Option<OrgId>,
    /// `import`, `caseworker` or `hotline`.
    pub source: String,
    pub reported_by: Option<UserId>,
    pub status: CaseStatus,
    pub assignee: Option<UserId>,
    /// 0 immediate … 3 low; 9 not yet assessed.
    pub priority_rank: i64,
    pub score_milli: i64,
    pub currently_missing: bool,
    /// `YYYY-MM-DD`, while the child is missing.
    pub missing_since: Option<String>,
    /// Where the child was last seen (USPS code).
    pub last_seen_state: Option<String>,
    pub published: bool,
    pub consent_given_by: Option<String>,
    pub consent_recorded_on: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Alerts not dismissed.
    pub open_alerts: i64,
}

impl From<CaseRow> for CaseItem {
    fn from(r: CaseRow) -> Self {
        CaseItem {
            id: r.id,
            case_number: r.case_number,
            child_name: r.child_name,
            missing_from_care: r.missing_from_care,
            circumstance: r.circumstance,
            episodes: r.episodes,
            owner_org: r.owner_org,
            source: r.source,
            reported_by: r.reported_by,
            status: r.status,
            assignee: r.assignee,
            priority_rank: r.priority_rank,
            score_milli: r.score_milli,
            currently_missing: r.currently_missing,
            missing_since: r.missing_since,
            last_seen_state: r.last_seen_state,
            published: r.published,
            consent_given_by: r.consent_given_by,
            consent_recorded_on: r.consent_recorded_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
            open_alerts: r.open_alerts,
        }
    }
}

/// What the case list shows: every field narrows it. The caller fills it in from what the
/// reader chose; which cases the reader may see at all is decided by [`Services::cases`]
/// from their role, never here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    /// Without a status, closed cases are left out.
    pub status: Option<CaseStatus>,
    /// Casework's circumstance id.
    pub circumstance: Option<String>,
    /// A USPS code: where the child was last seen.
    pub state: Option<String>,
    pub missing_from_care: bool,
    pub currently_missing: bool,
    pub assignee: AssigneeFilter,
    /// Only cases with alerts not yet dismissed.
    pub with_open_alerts: bool,
    /// 0 immediate … 3 low.
    pub priority_rank: Option<i64>,
    /// All of these words, in the child's name, aliases or the case number.
    pub words: Vec<String>,
}

impl CaseQuery {
    fn filter(&self, scope: Scope) -> CaseFilter {
        CaseFilter {
            scope,
            status: self.status,
            include_closed: false,
            circumstance: self.circumstance.clone(),
            state: self.state.clone(),
            missing_from_care: self.missing_from_care,
            currently_missing: self.currently_missing,
            assignee: self.assignee,
            with_open_alerts: self.with_open_alerts,
            priority_rank: self.priority_rank,
            words: self.words.clone(),
        }
    }
}

/// What the viewer may do on a case page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CasePermissions {
    pub report_episode: bool,
    pub update: bool,
    pub review: bool,
    pub alerts: bool,
    pub publish: bool,
}

/// An agency a case could be made available to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseAgency {
    pub id: OrgId,
    pub name: String,
    pub covers: Vec<String>,
    pub in_jurisdiction: bool,
}

/// The hotline's working controls on a case.
#[derive(Debug, Clone)]
pub struct CaseWork {
    pub assignable: Vec<(UserId, String, String)>,
    pub agencies: Vec<CaseAgency>,
}

/// One case, everything its page and the API's detail show.
#[derive(Debug, Clone)]
pub struct CaseDetail {
    pub case: CaseItem,
    pub file: CaseFile,
    pub episodes: Vec<StoredEpisode>,
    pub flags: Vec<CaseFlag>,
    /// The assessment with the catalogue in force (the stored priority may predate it).
    pub assessment: Assessment,
    pub timeline: Vec<TimelineItem>,
    /// `None` when the viewer may not see alerts (they name other records).
    pub alerts: Option<Vec<AlertView>>,
    pub shares: Vec<Share>,
    pub owner_name: Option<String>,
    pub assignee_name: Option<String>,
    pub today: Date,
    pub may: CasePermissions,
    /// For reviewers only.
    pub work: Option<CaseWork>,
}

/// Counts of episodes, small cells suppressed.
#[derive(Debug, Clone, Serialize)]
pub struct CaseStats {
    pub by_year: casework::Tally<String>,
    pub by_circumstance: casework::Tally<String>,
    pub by_age_band: casework::Tally<String>,
    pub by_state: casework::Tally<String>,
}

/// UTC calendar day of a time in microseconds.
pub fn day_of(micros: i64) -> Date {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
}

/// Splits a list typed one per line or separated by commas or semicolons.
fn items(s: &str) -> impl Iterator<Item = &str> {
    s.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl IdentifiersForm {
    /// Checks the identifiers; problems go into `errs`.
    pub fn validate(&self, errs: &mut FormErrors) -> ChildIdentifiers {
        let mut out = ChildIdentifiers::default();
        for p in items(&self.child_phones) {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            let allowed = p
                .chars()
                .all(|c| c.is_ascii_digit() || " +-.()/".contains(c));
            if !(7..=15).contains(&digits) || !allowed {
                errs.0.push(FieldError {
                    field: "child_phones".into(),
                    message: "enter each phone number with 7 to 15 digits, one per line, e.g. (555) 010-0123".into(),
                });
                break;
            }
            if !out.phones.iter().any(|x| x == p) {
                out.phones.push(p.to_owned());
            }
        }
        for e in items(&self.child_emails) {
            let ok = e.len() <= 200
                && !e.chars().any(char::is_whitespace)
                && e.split_once('@').is_some_and(|(u, d)| {
                    !u.is_empty() && d.contains('.') && !d.contains('@') && !d.ends_with('.')
                });
            if !ok {
                errs.0.push(FieldError {
                    field: "child_emails".into(),
                    message: "enter email addresses like name@example.org, one per line".into(),
                });
                break;
            }
            if !out.emails.iter().any(|x| x.eq_ignore_ascii_case(e)) {
                out.emails.push(e.to_owned());
            }
        }
        for h in items(&self.child_handles) {
            if h.chars().count() > 100 || h.chars().any(|c| c.is_whitespace() || c.is_control()) {
                errs.0.push(FieldError {
                    field: "child_handles".into(),
                    message: "enter each screen name or handle without spaces, one per line (e.g. @example_name)".into(),
                });
                break;
            }
            if !out.handles.iter().any(|x| x == h) {
                out.handles.push(h.to_owned());
            }
        }
        out
    }

    /// The form filled in from stored identifiers.
    pub fn from_identifiers(i: &ChildIdentifiers) -> IdentifiersForm {
        IdentifiersForm {
            child_phones: i.phones.join("\n"),
            child_emails: i.emails.join("\n"),
            child_handles: i.handles.join("\n"),
        }
    }
}

fn narrative(errs: &mut FormErrors, text: &str) -> String {
    let t = text.trim();
    if t.chars().count() > NARRATIVE_MAX_CHARS {
        errs.0.push(FieldError {
            field: "narrative".into(),
            message: format!(
                "shorten the account of the circumstances to {NARRATIVE_MAX_CHARS} characters or fewer"
            ),
        });
    }
    t.to_owned()
}

/// The case as its record (`cases.jsonl`, stored as `case_json`), so link analysis reads
/// cases made here exactly as it reads imported ones.
pub fn import_format(case_number: &str, file: &CaseFile, episodes: &[Episode]) -> CaseRecord {
    let ids = &file.identifiers;
    let ids = ChildIds {
        phone: ids.phones.first().map(String::as_str),
        email: ids.emails.first().map(String::as_str),
        screen_names: &ids.handles,
    };
    CaseRecord::from_case(case_number, &file.child, ids, episodes)
}

/// Reads an imported case (a line of `cases.jsonl`) into the case file and its episodes.
pub fn from_import(case_json: &str) -> std::result::Result<(CaseFile, Vec<Episode>), String> {
    read_import(case_json).map(|(_, file, episodes)| (file, episodes))
}

/// The case number, the case file and the episodes of an imported case.
fn read_import(case_json: &str) -> std::result::Result<(String, CaseFile, Vec<Episode>), String> {
    let imported = CaseRecord::from_json(case_json).map_err(|e| e.to_string())?;
    let case = imported.to_case().map_err(|e| e.to_string())?;
    let ch = &imported.child;
    let identifiers = ChildIdentifiers {
        phones: ch.phone.iter().cloned().collect(),
        emails: ch.email.iter().cloned().collect(),
        handles: ch.screen_names.clone(),
    };
    Ok((
        case.case_number,
        CaseFile {
            child: case.child,
            identifiers,
        },
        case.episodes,
    ))
}

/// True when the child was in care or an episode was recorded as missing from care.
fn from_care(child: &Child, episodes: &[Episode]) -> bool {
    child.custody.is_care()
        || episodes
            .iter()
            .any(|e| e.circumstance == Circumstance::MissingFromCare)
}

/// The triage engine's subject for a case: the description and each episode's account as
/// texts; in care, runaway, the number of episodes, the child's age, the places and the
/// child's phones as facts.
fn assess_case(
    engine: &crate::queue::assess::Engine,
    file: &CaseFile,
    episodes: &[StoredEpisode],
    today: Date,
) -> Assessment {
    let mut texts: Vec<(String, String)> = Vec::new();
    if !file.child.description.trim().is_empty() {
        texts.push(("Description".into(), file.child.description.clone()));
    }
    let mut sorted: Vec<&StoredEpisode> = episodes.iter().collect();
    sorted.sort_by_key(|e| e.episode.reported_on);
    for (i, e) in sorted.iter().enumerate() {
        if !e.narrative.trim().is_empty() {
            texts.push((
                format!(
                    "Episode {} ({}): circumstances",
                    i + 1,
                    iso(e.episode.reported_on)
                ),
                e.narrative.clone(),
            ));
        }
        if let Some(r) = &e.episode.recovered {
            if r.how != casework::record::NOT_RECORDED && !r.how.trim().is_empty() {
                texts.push((format!("Episode {}: recovery", i + 1), r.how.clone()));
            }
        }
    }
    let eps: Vec<Episode> = episodes.iter().map(|e| e.episode.clone()).collect();
    let mut locations = Vec::new();
    for e in &eps {
        locations.push(Location {
            country: Some("US".into()),
            state: Some(e.last_seen_place.state.clone()),
            city: Some(e.last_seen_place.city.clone()),
        });
    }
    let facts = Facts {
        missing_from_care: from_care(&file.child, &eps),
        // A child who left a placement ran from care, unless it is recorded otherwise.
        runaway: eps.iter().any(|e| {
            matches!(
                e.circumstance,
                Circumstance::EndangeredRunaway | Circumstance::MissingFromCare
            )
        }),
        episodes: u32::try_from(eps.len()).ok().filter(|n| *n > 0),
        victim_ages: file
            .child
            .age_on(today)
            .map(|a| vec![a.years])
            .unwrap_or_default(),
        locations,
        phones: file.identifiers.phones.clone(),
        ..Facts::default()
    };
    let subject = Subject {
        texts: texts
            .iter()
            .map(|(field, text)| TextField {
                field: field.as_str(),
                text: text.as_str(),
            })
            .collect(),
        facts,
    };
    engine.current().assess(&subject)
}

/// Casework's flags and one flag per indicator found, each with its reason.
pub fn case_flags(
    file: &CaseFile,
    episodes: &[Episode],
    a: &Assessment,
    today: Date,
) -> Vec<CaseFlag> {
    let mut out: Vec<CaseFlag> = casework::flags(&file.child, episodes, today)
        .into_iter()
        .map(|f| CaseFlag {
            id: f.id.to_owned(),
            label: f.label,
            reason: f.reason,
        })
        .collect();
    for m in &a.matches {
        let risk = matches!(
            m.category,
            Category::SocietalRisk | Category::RelationshipRisk | Category::IndividualRisk
        );
        let evidence: Vec<String> = m
            .evidence
            .iter()
            .map(|e| match e {
                triage::Evidence::Span { field, excerpt, .. } => format!("{field}: “{excerpt}”"),
                triage::Evidence::Fact { field, value } => format!("{field}: {value}"),
            })
            .collect();
        out.push(CaseFlag {
            id: format!(
                "{}:{}",
                if risk {
                    "risk_factor"
                } else {
                    "victim_indicator"
                },
                m.indicator_id
            ),
            label: format!(
                "{}: {}",
                if risk {
                    "Risk factor"
                } else {
                    "Possible trafficking victim"
                },
                m.text
            ),
            reason: format!("{} ({})", evidence.join("; "), m.category.label()),
        });
    }
    out
}

/// The derived columns and the assessment of a case file.
fn summarize(
    engine: &crate::queue::assess::Engine,
    case_number: &str,
    file: &CaseFile,
    episodes: &[StoredEpisode],
    keep_case_json: Option<&str>,
    today: Date,
) -> Result<(CaseSummary, Assessment)> {
    let eps: Vec<Episode> = episodes.iter().map(|e| e.episode.clone()).collect();
    let a = assess_case(engine, file, episodes, today);
    let stored = crate::queue::assess::storable(&a);
    let latest = latest_episode(&eps);
    let open = currently_missing(&eps);
    let mut search = vec![file.child.name.to_lowercase(), case_number.to_lowercase()];
    search.extend(file.child.aliases.iter().map(|a| a.to_lowercase()));
    let case_json = match keep_case_json {
        Some(j) => j.to_owned(),
        None => import_format(case_number, file, &eps).to_json(),
    };
    Ok((
        CaseSummary {
            child_name: file.child.name.clone(),
            missing_from_care: from_care(&file.child, &eps),
            circumstance: latest
                .map(|e| e.circumstance.id().to_owned())
                .unwrap_or_default(),
            episodes: i64::try_from(eps.len()).unwrap_or(i64::MAX),
            child_json: serde_json::to_string(file).map_err(internal)?,
            case_json,
            search_text: search.join(" "),
            currently_missing: open,
            missing_since: latest.filter(|_| open).map(|e| iso(e.missing_since())),
            last_seen_state: latest.map(|e| e.last_seen_place.state.clone()),
            priority_rank: stored.priority_rank,
            score_milli: stored.score_milli,
            triage_json: stored.triage_json,
            catalogue_version: stored.catalogue_version,
        },
        a,
    ))
}

/// The columns statistics group by, for one episode of `child`.
fn episode_columns<'a>(
    child: &Child,
    e: &'a Episode,
    json: &'a str,
    narrative: &'a str,
    created_by: Option<UserId>,
    reported_on: &'a str,
) -> NewEpisode<'a> {
    NewEpisode {
        episode_json: json,
        narrative,
        reported_on,
        year: i64::from(e.reported_on.year()),
        circumstance: e.circumstance.id(),
        age_band: child
            .age_on(e.reported_on)
            .map(|a| AgeBand::of(a.years).id()),
        state: &e.last_seen_place.state,
        recovered: e.recovered.is_some(),
        created_by,
    }
}

async fn insert_episode(
    tx: &mut store::Tx,
    case_id: i64,
    child: &Child,
    e: &Episode,
    narrative: &str,
    by: Option<UserId>,
    now: i64,
) -> Result<i64> {
    let json = serde_json::to_string(e).map_err(internal)?;
    let reported_on = iso(e.reported_on);
    let cols = episode_columns(child, e, &json, narrative, by, &reported_on);
    Ok(queries::insert_episode(&mut **tx, case_id, &cols, now).await?)
}

fn reason_label(reason: &str) -> &'static str {
    match reason {
        "phone" => "Same phone number",
        "email" => "Same email address",
        "handle" => "Same screen name or handle",
        "person" => "Probable person match (name, age, place)",
        _ => "Linked",
    }
}

/// The evidence JSON of a link as lines a person reads.
fn evidence_lines(json: &str) -> Vec<String> {
    fn scalar(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(if *b { "yes" } else { "no" }.into()),
            _ => None,
        }
    }
    fn walk(prefix: &str, v: &serde_json::Value, out: &mut Vec<String>) {
        if out.len() >= 20 {
            return;
        }
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    let key = k.replace('_', " ");
                    let p = if prefix.is_empty() {
                        key
                    } else {
                        format!("{prefix} {key}")
                    };
                    walk(&p, x, out);
                }
            }
            serde_json::Value::Array(a) => {
                if a.iter().all(|x| scalar(x).is_some()) {
                    let joined: Vec<String> = a.iter().filter_map(scalar).collect();
                    if !joined.is_empty() {
                        out.push(format!("{prefix}: {}", joined.join(", ")));
                    }
                } else {
                    for x in a {
                        walk(prefix, x, out);
                    }
                }
            }
            serde_json::Value::Null => {}
            other => {
                if let Some(s) = scalar(other) {
                    if prefix.is_empty() {
                        out.push(s);
                    } else {
                        out.push(format!("{prefix}: {s}"));
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(v) => walk("", &v, &mut out),
        Err(_) if !json.trim().is_empty() => out.push(json.chars().take(300).collect()),
        Err(_) => {}
    }
    out
}

impl Services {
    fn allow(&self, who: &Principal, action: Action) -> Result<()> {
        if permits(Some(who), action) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// Today's date (UTC) by the service's clock.
    pub fn today(&self) -> Date {
        day_of(self.now())
    }

    /// The case `who` may see, or "not found" (also when they may not see it).
    async fn visible_case(&self, who: &Principal, id: i64) -> Result<CaseRow> {
        self.allow(who, Action::ViewCases)?;
        let row = queries::by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the case"))?;
        let sharing = RecordSharing {
            owner_org: row.owner_org,
            made_available_to: if who.role == Role::Investigator {
                queries::shared_with(self.store.reader(), id).await?
            } else {
                Vec::new()
            },
        };
        if !may_see_record(who, &sharing) {
            return Err(ServiceError::NotFound("the case"));
        }
        if row.child_json.is_none() {
            self.fill_imported_case(id).await?;
            return queries::by_id(self.store.reader(), id)
                .await?
                .ok_or(ServiceError::NotFound("the case"));
        }
        Ok(row)
    }

    /// The case file and episodes of a stored case.
    async fn case_file(&self, row: &CaseRow) -> Result<(CaseFile, Vec<StoredEpisode>)> {
        let file: CaseFile = serde_json::from_str(row.child_json.as_deref().unwrap_or_default())
            .map_err(|e| {
                ServiceError::Internal(Box::new(store::StoreError::Corrupt(format!(
                    "case {}: child_json: {e}",
                    row.id
                ))))
            })?;
        let episodes = queries::episodes(self.store.reader(), row.id)
            .await?
            .into_iter()
            .map(|r| {
                let episode: Episode = serde_json::from_str(&r.episode_json).map_err(|e| {
                    ServiceError::Internal(Box::new(store::StoreError::Corrupt(format!(
                        "episode {}: {e}",
                        r.id
                    ))))
                })?;
                Ok(StoredEpisode {
                    id: r.id,
                    episode,
                    narrative: r.narrative,
                    created_at: r.created_at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((file, episodes))
    }

    /// Fills the case workflow's columns and episodes of an imported case from its
    /// `case_json`, once (inside the caller's transaction). Whether it did.
    pub async fn fill_imported_in(
        &self,
        tx: &mut store::Tx,
        CaseId(id): CaseId,
        case_json: &str,
    ) -> Result<bool> {
        let (number, file, episodes) = read_import(case_json).map_err(ServiceError::Invalid)?;
        // The agency with custody owns the case, when it has an account here.
        let owner_org = match &file.child.agency {
            Some(a) if !a.name.trim().is_empty() => store::orgs::by_name(&mut **tx, a.name.trim())
                .await?
                .filter(|o| o.kind == OrgKind::ChildWelfare)
                .map(|o| o.id),
            _ => None,
        };
        let stored: Vec<StoredEpisode> = episodes
            .iter()
            .map(|e| StoredEpisode {
                id: 0,
                episode: e.clone(),
                narrative: String::new(),
                created_at: 0,
            })
            .collect();
        let (summary, _) = summarize(
            &self.engine,
            &number,
            &file,
            &stored,
            Some(case_json),
            self.today(),
        )?;
        if !queries::fill_imported(&mut **tx, id, &summary, owner_org).await? {
            return Ok(false);
        }
        let now = self.now();
        for e in &episodes {
            insert_episode(tx, id, &file.child, e, "", None, now).await?;
        }
        Ok(true)
    }

    async fn fill_imported_case(&self, id: i64) -> Result<()> {
        let Some(row) = queries::by_id(self.store.reader(), id).await? else {
            return Ok(());
        };
        let mut tx = self.store.begin().await?;
        let filled = self
            .fill_imported_in(&mut tx, CaseId(id), &row.case_json)
            .await
            .map_err(|e| match e {
                ServiceError::Invalid(why) => ServiceError::Invalid(format!(
                    "this imported case cannot be opened: {why}. Correct the record at its source \
                     and import it again."
                )),
                other => other,
            })?;
        if filled {
            audit::append(
                &mut tx,
                NewAuditEntry::new("clearinghouse", "case.backfill")
                    .about(domain::RecordRef::case(id)),
                self.now(),
            )
            .await?;
        }
        store::commit(tx).await?;
        Ok(())
    }

    /// Reassesses every case with the catalogue in force and today's ages (after the
    /// catalogue changed, with `clearinghouse triage recompute`), in batches; `progress`
    /// gets the number done after each batch. Returns how many were reassessed.
    pub async fn recompute_case_priorities(&self, mut progress: impl FnMut(u64)) -> Result<u64> {
        let mut after = 0;
        let mut done = 0;
        loop {
            let ids = queries::filled_after(self.store.reader(), after, 200).await?;
            let Some(last) = ids.last() else { break };
            after = *last;
            let now = self.now();
            let mut tx = self.store.begin().await?;
            for id in &ids {
                let Some(row) = queries::by_id(&mut *tx, *id).await? else {
                    continue;
                };
                let (file, episodes) = self.case_file(&row).await?;
                self.resummarize(&mut tx, &row, &file, &episodes, now)
                    .await?;
                done += 1;
            }
            store::commit(tx).await?;
            progress(done);
        }
        Ok(done)
    }

    /// Brings every case imported before the case workflow existed into it (their child,
    /// episodes and priority); returns how many. Safe to run again.
    pub async fn backfill_imported_cases(&self) -> Result<u64> {
        let mut after = 0;
        let mut done = 0;
        loop {
            let batch = queries::unfilled_after(self.store.reader(), after, 200).await?;
            let Some(last) = batch.last() else { break };
            after = last.0;
            let mut tx = self.store.begin().await?;
            let mut entries = Vec::new();
            for (id, json) in &batch {
                match self.fill_imported_in(&mut tx, CaseId(*id), json).await {
                    Ok(true) => {
                        done += 1;
                        entries.push(
                            NewAuditEntry::new("clearinghouse", "case.backfill")
                                .about(domain::RecordRef::case(*id)),
                        );
                    }
                    Ok(false) => {}
                    Err(ServiceError::Invalid(m)) => {
                        tracing::warn!(case = id, problem = %m, "imported case cannot be read");
                    }
                    Err(e) => return Err(e),
                }
            }
            audit::append_many(&mut tx, entries, self.now()).await?;
            store::commit(tx).await?;
        }
        Ok(done)
    }

    /// Cases `who` may see, by the filter (its scope is set here from the role): awaiting
    /// review first, then most urgent, then longest waiting.
    pub async fn cases(
        &self,
        who: &Principal,
        query: &CaseQuery,
        page: i64,
        per_page: i64,
    ) -> Result<Page<CaseItem>> {
        self.allow(who, Action::ViewCases)?;
        let f = query.filter(match who.role {
            Role::Supervisor | Role::Analyst => Scope::All,
            Role::Caseworker => Scope::OwnedBy(who.org_id),
            Role::Investigator => Scope::SharedWith(who.org_id),
            _ => return Err(ServiceError::Forbidden),
        });
        let page = page.max(1);
        let per_page = per_page.clamp(1, 200);
        let items = queries::page(self.store.reader(), &f, per_page, (page - 1) * per_page)
            .await?
            .into_iter()
            .map(CaseItem::from)
            .collect();
        let total = queries::count(self.store.reader(), &f).await?;
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Open alerts on the cases assigned to `who`: (case id, child's name, how many).
    pub async fn my_case_alerts(&self, who: &Principal) -> Result<Vec<(i64, String, i64)>> {
        self.allow(who, Action::ManageCaseAlerts)?;
        Ok(queries::alerts_for(self.store.reader(), who.user_id).await?)
    }

    /// An organisation's name (the caseworker's agency, to fill in the form).
    pub async fn org_name(&self, org: OrgId) -> Result<Option<String>> {
        Ok(store::orgs::by_id(self.store.reader(), org)
            .await?
            .map(|o| o.name))
    }

    /// Analysts and supervisors, who can be given cases: (id, username, name).
    pub async fn case_assignees(&self, who: &Principal) -> Result<Vec<(UserId, String, String)>> {
        self.allow(who, Action::ViewCases)?;
        Ok(store::triage::assignable_users(self.store.reader()).await?)
    }

    /// One case with its flags, priority, timeline, alerts and sharing. Audited as a view.
    pub async fn case_detail(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<CaseDetail> {
        let row = self.visible_case(who, id).await?;
        let (file, episodes) = self.case_file(&row).await?;
        let today = self.today();
        let eps: Vec<Episode> = episodes.iter().map(|e| e.episode.clone()).collect();
        let assessment = assess_case(&self.engine, &file, &episodes, today);
        let flags = case_flags(&file, &eps, &assessment, today);
        let may = CasePermissions {
            report_episode: permits(Some(who), Action::ReportMissingChild),
            update: permits(Some(who), Action::UpdateCases),
            review: permits(Some(who), Action::ReviewCases),
            alerts: permits(Some(who), Action::ManageCaseAlerts),
            publish: permits(Some(who), Action::PublishPoster),
        };
        let alerts = if may.alerts {
            let mut out = Vec::new();
            for a in queries::alerts(self.store.reader(), id).await? {
                out.push(self.alert_view(a).await?);
            }
            Some(out)
        } else {
            None
        };
        let mut extra: Vec<TimelineItem> = alerts
            .iter()
            .flatten()
            .map(|a| TimelineItem {
                on: day_of(a.created_at),
                kind: TimelineKind::Alert(a.id.to_string()),
                text: format!(
                    "Alert: {} with {}",
                    a.reason_label.to_lowercase(),
                    a.source_label
                ),
            })
            .collect();
        if may.alerts {
            extra.extend(self.linked_reports(id).await?);
        }
        let timeline = casework::timeline(&eps, extra);
        let shares = queries::shares(self.store.reader(), id)
            .await?
            .into_iter()
            .map(Share::from)
            .collect();
        let owner_name = match row.owner_org {
            Some(o) => store::orgs::by_id(self.store.reader(), o)
                .await?
                .map(|o| o.name),
            None => None,
        };
        let assignable = store::triage::assignable_users(self.store.reader()).await?;
        let assignee_name = row
            .assignee
            .and_then(|a| assignable.iter().find(|u| u.0 == a))
            .map(|u| u.1.clone());
        let work = if may.review {
            let states: Vec<&str> = eps
                .iter()
                .map(|e| e.last_seen_place.state.as_str())
                .collect();
            let agencies = store::triage::agencies_covering(self.store.reader(), &[])
                .await?
                .into_iter()
                .map(|(id, name, j)| {
                    let covers: Vec<String> = j.split_whitespace().map(str::to_owned).collect();
                    let in_jurisdiction = covers.iter().any(|c| states.contains(&c.as_str()));
                    CaseAgency {
                        id,
                        name,
                        covers,
                        in_jurisdiction,
                    }
                })
                .collect();
            Some(CaseWork {
                assignable,
                agencies,
            })
        } else {
            None
        };
        self.record_view(who, RecordKind::Case.as_str(), &id.to_string(), ip)
            .await?;
        Ok(CaseDetail {
            case: row.into(),
            file,
            episodes,
            flags,
            assessment,
            timeline,
            alerts,
            shares,
            owner_name,
            assignee_name,
            today,
            may,
            work,
        })
    }

    /// A case's episodes, oldest first. Audited as a view.
    pub async fn case_episodes(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<(CaseItem, Vec<StoredEpisode>)> {
        let row = self.visible_case(who, id).await?;
        let (_, episodes) = self.case_file(&row).await?;
        self.record_view(who, "case_episodes", &id.to_string(), ip)
            .await?;
        Ok((row.into(), episodes))
    }

    /// The reports link analysis tied to a case, on the day each was received.
    async fn linked_reports(&self, id: i64) -> Result<Vec<TimelineItem>> {
        let me = domain::RecordRef::case(id);
        let mut by_report: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for l in store::links::links_of(self.store.reader(), &me).await? {
            let other = if l.a == me { &l.b } else { &l.a };
            if other.kind == RecordKind::Report {
                by_report.entry(other.id).or_default().push(format!(
                    "{} {}",
                    reason_label(&l.reason).to_lowercase(),
                    l.value
                ));
            }
        }
        let mut out = Vec::new();
        for (report, why) in by_report {
            let Some(r) = store::reports::by_id(self.store.reader(), report).await? else {
                continue;
            };
            out.push(TimelineItem {
                on: day_of(r.received_at),
                kind: TimelineKind::Report(report.to_string()),
                text: format!(
                    "Report #{report} received, linked to this case: {}",
                    why.join("; ")
                ),
            });
        }
        Ok(out)
    }

    async fn alert_view(&self, row: AlertRow) -> Result<AlertView> {
        let kind = row.source_kind;
        let source_label = match kind {
            RecordKind::Report => format!("report #{}", row.source_id),
            RecordKind::Ad => match queries::ad_title(self.store.reader(), row.source_id).await? {
                Some((site, title)) => format!("online ad #{} ({site}: {title})", row.source_id),
                None => format!("online ad #{}", row.source_id),
            },
            RecordKind::Case => format!("case #{}", row.source_id),
        };
        let mut evidence = vec![format!("{}: {}", reason_label(&row.reason), row.value)];
        evidence.extend(evidence_lines(&row.evidence_json));
        Ok(AlertView {
            id: row.id,
            case_id: row.case_id,
            source: RecordRef::new(kind, row.source_id),
            reason_label: reason_label(&row.reason),
            reason: row.reason,
            value: row.value,
            created_at: row.created_at,
            dismissed_by: row.dismissed_by,
            dismissed_at: row.dismissed_at,
            dismiss_reason: row.dismiss_reason,
            source_label,
            evidence,
        })
    }

    /// Reports a child missing: a new case with its first (current) episode. A
    /// caseworker's case belongs to their agency and waits for the hotline's review.
    pub async fn report_missing_child(
        &self,
        who: &Principal,
        form: &CaseForm,
        ip: Ip,
    ) -> std::result::Result<(CaseId, String), CaseError> {
        self.allow(who, Action::ReportMissingChild)?;
        let today = self.today();
        let mut errs = FormErrors::default();
        let child = form
            .child
            .validate(today)
            .map_err(|e| errs.0.extend(e.0))
            .ok();
        let identifiers = form.identifiers.validate(&mut errs);
        let episode = form
            .episode
            .validate(today)
            .map_err(|e| errs.0.extend(e.0))
            .ok();
        let narrative = narrative(&mut errs, &form.narrative);
        let (Some(child), Some(episode)) = (child, episode) else {
            return Err(CaseError::Form(errs));
        };
        if !errs.0.is_empty() {
            return Err(CaseError::Form(errs));
        }
        let file = CaseFile { child, identifiers };
        let caseworker = who.role == Role::Caseworker;
        let now = self.now();
        let stored = [StoredEpisode {
            id: 0,
            episode: episode.clone(),
            narrative: narrative.clone(),
            created_at: now,
        }];
        // The number is known once the row exists: summarise again with it.
        let (provisional, _) = summarize(&self.engine, "", &file, &stored, None, today)?;
        let mut tx = self.store.begin().await?;
        let (id, number) = queries::insert(
            &mut tx,
            &queries::NewCase {
                owner_org: caseworker.then_some(who.org_id),
                source: if caseworker { "caseworker" } else { "hotline" },
                reported_by: who.user_id,
                status: if caseworker {
                    CaseStatus::NeedsReview
                } else {
                    CaseStatus::Open
                },
                summary: &provisional,
            },
            now,
        )
        .await?;
        let (summary, _) = summarize(&self.engine, &number, &file, &stored, None, today)?;
        queries::set_summary(&mut *tx, id, &summary, now).await?;
        insert_episode(
            &mut tx,
            id,
            &file.child,
            &episode,
            &narrative,
            Some(who.user_id),
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.report")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .detail(format!(
                    "{} ({}), {}",
                    number,
                    episode.circumstance.id(),
                    if caseworker { "for review" } else { "open" }
                ))
                .ip(ip),
            now,
        )
        .await?;
        // Linked right after the commit, not by the worker: an alert about this child
        // should not wait. The job makes it durable should the process die first.
        let job = self
            .enqueue_linking_claimed(&mut tx, &[domain::RecordRef::case(id)])
            .await?;
        store::commit(tx).await?;
        if let Some(job) = job {
            self.run_claimed(job).await;
        }
        Ok((CaseId(id), number))
    }

    /// Re-derives a case's columns after its file or episodes changed (in `tx`).
    async fn resummarize(
        &self,
        tx: &mut store::Tx,
        row: &CaseRow,
        file: &CaseFile,
        episodes: &[StoredEpisode],
        now: i64,
    ) -> Result<()> {
        let keep = (row.source == "import").then_some(row.case_json.as_str());
        let (summary, _) = summarize(
            &self.engine,
            &row.case_number,
            file,
            episodes,
            keep,
            self.today(),
        )?;
        queries::set_summary(&mut **tx, row.id, &summary, now).await?;
        Ok(())
    }

    /// Reports the child missing again (or records a past episode, with its recovery).
    /// While an episode is open, a new open one is refused: record the recovery first.
    pub async fn add_episode(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        form: &EpisodeForm,
        narrative_text: &str,
        ip: Ip,
    ) -> std::result::Result<i64, CaseError> {
        self.allow(who, Action::ReportMissingChild)?;
        let row = self.visible_case(who, id).await?;
        let (file, mut episodes) = self.case_file(&row).await?;
        let today = self.today();
        let mut errs = FormErrors::default();
        let episode = form.validate(today).map_err(|e| errs.0.extend(e.0)).ok();
        let narrative = narrative(&mut errs, narrative_text);
        let Some(episode) = episode.filter(|_| errs.0.is_empty()) else {
            return Err(CaseError::Form(errs));
        };
        if episode.recovered.is_none() {
            if let Some(open) = episodes.iter().find(|e| e.episode.recovered.is_none()) {
                return Err(form_error(
                    "reported_on",
                    format!(
                        "the episode reported on {} has no recovery yet; record the child's recovery \
                         first, then report the new episode",
                        iso(open.episode.reported_on)
                    ),
                ));
            }
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let eid = insert_episode(
            &mut tx,
            id,
            &file.child,
            &episode,
            &narrative,
            Some(who.user_id),
            now,
        )
        .await?;
        let current = episode.recovered.is_none();
        episodes.push(StoredEpisode {
            id: eid,
            episode: episode.clone(),
            narrative,
            created_at: now,
        });
        self.resummarize(&mut tx, &row, &file, &episodes, now)
            .await?;
        // A new current episode needs the hotline's eyes again.
        let status = row.status;
        let to = match (current, who.role == Role::Caseworker, status) {
            (true, true, s) if s != CaseStatus::NeedsReview => Some(CaseStatus::NeedsReview),
            (true, false, CaseStatus::Closed) => Some(CaseStatus::Open),
            _ => None,
        };
        if let Some(to) = to {
            queries::set_status(&mut *tx, id, status, to, now).await?;
        }
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.episode")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .detail(format!(
                    "episode {eid} reported {} ({}){}",
                    iso(episode.reported_on),
                    episode.circumstance.id(),
                    if current { "" } else { ", recovered" }
                ))
                .ip(ip),
            now,
        )
        .await?;
        let job = self
            .enqueue_linking_claimed(&mut tx, &[domain::RecordRef::case(id)])
            .await?;
        store::commit(tx).await?;
        if let Some(job) = job {
            self.run_claimed(job).await;
        }
        Ok(eid)
    }

    /// Records how an episode ended.
    pub async fn record_recovery(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        EpisodeId(episode_id): EpisodeId,
        form: &RecoveryForm,
        ip: Ip,
    ) -> std::result::Result<(), CaseError> {
        self.allow(who, Action::UpdateCases)?;
        let row = self.visible_case(who, id).await?;
        let (file, mut episodes) = self.case_file(&row).await?;
        let Some(i) = episodes.iter().position(|e| e.id == episode_id) else {
            return Err(ServiceError::NotFound("the episode").into());
        };
        let e = &episodes[i].episode;
        if e.recovered.is_some() {
            return Err(ServiceError::Conflict(
                "this episode's recovery is already recorded; reload the page to see it".into(),
            )
            .into());
        }
        let full = EpisodeForm {
            reported_on: iso(e.reported_on),
            last_seen_on: e.last_seen_on.map(iso).unwrap_or_default(),
            last_seen_city: e.last_seen_place.city.clone(),
            last_seen_state: e.last_seen_place.state.clone(),
            circumstance: e.circumstance.id().to_owned(),
            reported_by: e.reported_by.clone(),
            recovered_on: form.recovered_on.clone(),
            recovery_city: form.recovery_city.clone(),
            recovery_state: form.recovery_state.clone(),
            recovery_how: form.recovery_how.clone(),
        };
        let blank = [
            &form.recovered_on,
            &form.recovery_city,
            &form.recovery_state,
            &form.recovery_how,
        ]
        .iter()
        .all(|s| s.trim().is_empty());
        if blank {
            return Err(form_error(
                "recovered_on",
                "enter the date the child was recovered, where, and how",
            ));
        }
        let updated = full.validate(self.today()).map_err(CaseError::Form)?;
        let before = serde_json::to_string(e).map_err(internal)?;
        // The stored text may have been written by an older version: compare with it.
        let stored_json = queries::episodes(self.store.reader(), id)
            .await?
            .into_iter()
            .find(|r| r.id == episode_id)
            .map(|r| r.episode_json)
            .unwrap_or(before);
        let json = serde_json::to_string(&updated).map_err(internal)?;
        let reported_on = iso(updated.reported_on);
        let cols = episode_columns(
            &file.child,
            &updated,
            &json,
            "",
            Some(who.user_id),
            &reported_on,
        );
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::update_episode(&mut *tx, episode_id, &stored_json, &cols, now).await? {
            return Err(ServiceError::Conflict(
                "someone changed this episode a moment ago; reload the page and try again".into(),
            )
            .into());
        }
        episodes[i].episode = updated.clone();
        self.resummarize(&mut tx, &row, &file, &episodes, now)
            .await?;
        let r = updated.recovered.as_ref();
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.recovery")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .detail(format!(
                    "episode {episode_id} recovered {}",
                    r.map(|r| iso(r.on)).unwrap_or_default()
                ))
                .ip(ip),
            now,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Moves a case to another status by the review's rules.
    pub async fn set_case_status(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        to: CaseStatus,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::ReviewCases)?;
        let row = self.visible_case(who, id).await?;
        let from = row.status;
        if !from.may_move_to(to) {
            return Err(ServiceError::Invalid(format!(
                "a case that is “{}” cannot be moved to “{}”",
                from.label(),
                to.label()
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::set_status(&mut *tx, id, from, to, now).await? {
            return Err(ServiceError::Conflict(
                "someone changed this case's status a moment ago; reload the page to see it".into(),
            ));
        }
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.status")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .detail(format!("{} → {}", from.as_str(), to.as_str()))
                .ip(ip),
            now,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Assigns a case to an analyst or supervisor (`None`: nobody).
    pub async fn assign_case(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        to: Option<&str>,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::ReviewCases)?;
        self.visible_case(who, id).await?;
        let assignee = match to {
            None => None,
            Some(name) => Some(
                store::triage::assignable_users(self.store.reader())
                    .await?
                    .into_iter()
                    .find(|(_, u, _)| u == name)
                    .ok_or_else(|| {
                        ServiceError::Invalid(format!(
                            "“{name}” is not an analyst or supervisor; choose someone from the list"
                        ))
                    })?,
            ),
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::assign(&mut *tx, id, assignee.as_ref().map(|a| a.0), now).await?;
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.assign")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .detail(
                    assignee
                        .as_ref()
                        .map_or("unassigned".into(), |a| a.1.clone()),
                )
                .ip(ip),
            now,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Makes a case available to law-enforcement agencies (each audited).
    pub async fn share_case(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        agencies: &[OrgId],
        ip: Ip,
    ) -> Result<usize> {
        self.allow(who, Action::ReviewCases)?;
        self.visible_case(who, id).await?;
        if agencies.is_empty() {
            return Err(ServiceError::Invalid(
                "choose at least one law-enforcement agency".into(),
            ));
        }
        let mut orgs = Vec::new();
        for org in agencies {
            let o = store::orgs::by_id(self.store.reader(), *org)
                .await?
                .filter(|o| o.kind == OrgKind::LawEnforcement)
                .ok_or_else(|| {
                    ServiceError::Invalid(
                        "cases can be made available only to law-enforcement agencies".into(),
                    )
                })?;
            orgs.push(o);
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut entries = Vec::new();
        for o in &orgs {
            if queries::share(&mut *tx, id, o.id, who.user_id, now).await? {
                entries.push(
                    NewAuditEntry::new(who.username.as_str(), "case.make_available")
                        .by(who.user_id.0)
                        .about(domain::RecordRef::case(id))
                        .detail(format!("to {} (organisation {})", o.name, o.id.0))
                        .ip(ip.clone()),
                );
            }
        }
        let added = entries.len();
        audit::append_many(&mut tx, entries, now).await?;
        store::commit(tx).await?;
        Ok(added)
    }

    /// Raises alerts for the links touching a case that link analysis stores: a shared
    /// phone, email or handle, or a probable person match. Call it in the transaction that
    /// stores the links; links of other reasons, and to cases that do not exist, are
    /// skipped, and an alert already raised for the same source and reason (dismissed or
    /// not) is not raised again. Each new alert is audited. Returns how many were new.
    pub async fn raise_case_alerts(
        &self,
        tx: &mut store::Tx,
        links: &[NewLink],
        now: i64,
    ) -> Result<u64> {
        let mut entries = Vec::new();
        let mut known: BTreeMap<i64, bool> = BTreeMap::new();
        for l in links {
            if !ALERT_REASONS.contains(&l.reason.as_str()) {
                continue;
            }
            for (case, other) in [(&l.x, &l.y), (&l.y, &l.x)] {
                if case.kind != RecordKind::Case || case == other {
                    continue;
                }
                let exists = match known.get(&case.id) {
                    Some(e) => *e,
                    None => {
                        let e = queries::exists(&mut **tx, case.id).await?;
                        known.insert(case.id, e);
                        e
                    }
                };
                if !exists {
                    continue;
                }
                let new = queries::insert_alert(
                    &mut **tx,
                    &queries::NewAlert {
                        case_id: case.id,
                        source_kind: other.kind,
                        source_id: other.id,
                        reason: &l.reason,
                        value: &l.value,
                        evidence_json: &l.evidence_json,
                        weight_milli: l.weight_milli,
                    },
                    now,
                )
                .await?;
                if let Some(alert) = new {
                    entries.push(
                        NewAuditEntry::new("link analysis", "case.alert")
                            .about(domain::RecordRef::case(case.id))
                            .detail(format!(
                                "alert {alert}: {} link to {} {}",
                                l.reason, other.kind, other.id
                            )),
                    );
                }
            }
        }
        let n = entries.len() as u64;
        audit::append_many(tx, entries, now).await?;
        Ok(n)
    }

    /// Dismisses an alert with the reason (audited).
    pub async fn dismiss_case_alert(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        AlertId(alert_id): AlertId,
        reason: &str,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::ManageCaseAlerts)?;
        self.visible_case(who, id).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(ServiceError::Invalid(
                "say why the alert is dismissed (e.g. “the number is a shelter's hotline”); the reason is kept"
                    .into(),
            ));
        }
        if reason.chars().count() > DISMISS_REASON_MAX_CHARS {
            return Err(ServiceError::Invalid(format!(
                "shorten the reason to {DISMISS_REASON_MAX_CHARS} characters or fewer"
            )));
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !queries::dismiss_alert(&mut *tx, id, alert_id, who.user_id, reason, now).await? {
            return Err(ServiceError::NotFound("an open alert with that number"));
        }
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.alert.dismiss")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .detail(format!("alert {alert_id}: {reason}"))
                .ip(ip),
            now,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Marks a case for publication with the consent of the guardian or the agency. The
    /// poster must be possible now (the child currently missing, the consent on or after
    /// the current episode's report), or nothing is stored.
    pub async fn publish_case(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        given_by: &str,
        recorded_on: &str,
        ip: Ip,
    ) -> std::result::Result<(), CaseError> {
        self.allow(who, Action::PublishPoster)?;
        let row = self.visible_case(who, id).await?;
        let (file, episodes) = self.case_file(&row).await?;
        let given_by = given_by.trim();
        if given_by.is_empty() {
            return Err(form_error(
                "consent_given_by",
                "enter who gave consent to publish: the guardian, or the agency and who spoke for it",
            ));
        }
        if given_by.chars().count() > 200 {
            return Err(form_error(
                "consent_given_by",
                "shorten this to 200 characters or fewer",
            ));
        }
        let Some(on) = parse_iso_date(recorded_on.trim()) else {
            return Err(form_error(
                "consent_recorded_on",
                "enter the date consent was given, as YYYY-MM-DD",
            ));
        };
        let consent = Consent {
            given_by: given_by.to_owned(),
            recorded_on: on,
        };
        let eps: Vec<Episode> = episodes.into_iter().map(|e| e.episode).collect();
        PosterData::from_case(
            &row.case_number,
            &file.child,
            &eps,
            &consent,
            &self.hotline,
            self.today(),
        )
        .map_err(|e| form_error("consent_recorded_on", e.to_string()))?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_publication(&mut *tx, id, Some((given_by, &iso(on))), who.user_id, now)
            .await?;
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.publish")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .detail(format!("consent recorded on {}", iso(on)))
                .ip(ip),
            now,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// Withdraws a case from publication.
    pub async fn withdraw_publication(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<()> {
        self.allow(who, Action::PublishPoster)?;
        self.visible_case(who, id).await?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        queries::set_publication(&mut *tx, id, None, who.user_id, now).await?;
        audit::append(
            &mut tx,
            NewAuditEntry::new(who.username.as_str(), "case.unpublish")
                .by(who.user_id.0)
                .about(domain::RecordRef::case(id))
                .ip(ip),
            now,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    /// The poster of a published case: only the published fields (and the photo). Audited
    /// as a view.
    pub async fn case_poster(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        ip: Ip,
    ) -> Result<PosterData> {
        let row = self.visible_case(who, id).await?;
        let (Some(given_by), Some(on)) = (
            row.consent_given_by.clone().filter(|_| row.published),
            row.consent_recorded_on.as_deref().and_then(parse_iso_date),
        ) else {
            return Err(ServiceError::NotFound(
                "a poster for this case (it is not marked for publication)",
            ));
        };
        let (file, episodes) = self.case_file(&row).await?;
        let eps: Vec<Episode> = episodes.into_iter().map(|e| e.episode).collect();
        let mut poster = PosterData::from_case(
            &row.case_number,
            &file.child,
            &eps,
            &Consent {
                given_by,
                recorded_on: on,
            },
            &self.hotline,
            self.today(),
        )
        .map_err(|e| ServiceError::Invalid(format!("no poster can be made: {e}")))?;
        if let Some(photo) = self.latest_photo(&file.child).await {
            poster = poster.with_photo(photo);
        }
        self.record_view(who, "case_poster", &id.to_string(), ip)
            .await?;
        Ok(poster)
    }

    async fn latest_photo(&self, child: &Child) -> Option<SanitisedPhoto> {
        let p = child
            .photos
            .iter()
            .enumerate()
            .max_by_key(|(i, p)| (p.taken_on, *i))
            .map(|(_, p)| p)?;
        let bytes = match self.files.store.open(&p.id).await {
            Ok(r) => r.read_all().await,
            Err(e) => Err(e),
        };
        match bytes.map(|b| SanitisedPhoto::sanitise(&b)) {
            Ok(Ok(photo)) => Some(photo),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "a case photo cannot be used");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "a case photo cannot be read");
                None
            }
        }
    }

    /// Adds a photo of the child (JPEG or PNG), taken on `taken_on` if known. The file is
    /// checked and stripped of its metadata (`casework::photo`), stored encrypted, then named
    /// in the case file.
    pub async fn add_case_photo(
        &self,
        who: &Principal,
        CaseId(id): CaseId,
        bytes: Vec<u8>,
        taken_on: &str,
        ip: Ip,
    ) -> std::result::Result<(), CaseError> {
        self.allow(who, Action::UpdateCases)?;
        let row = self.visible_case(who, id).await?;
        let (mut file, episodes) = self.case_file(&row).await?;
        if bytes.len() > PHOTO_MAX_BYTES {
            return Err(form_error(
                "photo",
                format!(
                    "the photo is larger than {} MB; upload a smaller copy",
                    PHOTO_MAX_BYTES / (1024 * 1024)
                ),
            ));
        }
        // Only the sanitised copy is kept: the upload's metadata never reaches the store.
        let bytes = SanitisedPhoto::sanitise(&bytes)
            .map_err(|e| form_error("photo", e.to_string()))?
            .into_bytes();
        let taken_on = match taken_on.trim() {
            "" => None,
            s => match parse_iso_date(s).filter(|d| *d <= self.today()) {
                Some(d) => Some(d),
                None => {
                    return Err(form_error(
                        "taken_on",
                        "enter the date the photo was taken as YYYY-MM-DD (not in the future), or leave it empty",
                    ))
                }
            },
        };
        let stream: blob::UploadStream<'static> =
            Box::pin(futures_util::stream::once(async move {
                Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))
            }));
        let stored = self
            .files
            .store
            .put(stream, PHOTO_MAX_BYTES as u64)
            .await
            .map_err(internal)?;
        file.child.photos.push(casework::PhotoRef {
            id: stored.key.clone(),
            taken_on,
        });
        let now = self.now();
        let result = async {
            let mut tx = self.store.begin().await?;
            self.resummarize(&mut tx, &row, &file, &episodes, now)
                .await?;
            audit::append(
                &mut tx,
                NewAuditEntry::new(who.username.as_str(), "case.photo")
                    .by(who.user_id.0)
                    .about(domain::RecordRef::case(id))
                    .detail(format!("photo {}", stored.key))
                    .ip(ip),
                now,
            )
            .await?;
            store::commit(tx).await?;
            Ok::<_, ServiceError>(())
        }
        .await;
        if let Err(e) = result {
            // No row names the file: remove it.
            if let Err(d) = self.files.store.delete(&stored.key).await {
                tracing::warn!(error = %d, "removing the file of a failed photo upload");
            }
            return Err(e.into());
        }
        Ok(())
    }

    /// Counts of episodes by year, circumstance, age band and state, small cells
    /// suppressed (fewer than 5 is never shown).
    pub async fn case_statistics(&self, who: &Principal) -> Result<CaseStats> {
        self.allow(who, Action::ViewStatistics)?;
        use store::cases::StatsKey;
        let get = |k| queries::episode_counts(self.store.reader(), k);
        let counts = |rows: Vec<(String, i64)>| {
            casework::suppress(rows.into_iter().map(|(k, n)| {
                (
                    if k.is_empty() { "unknown".into() } else { k },
                    n.max(0) as u64,
                )
            }))
        };
        Ok(CaseStats {
            by_year: counts(get(StatsKey::Year).await?),
            by_circumstance: counts(get(StatsKey::Circumstance).await?),
            by_age_band: counts(get(StatsKey::AgeBand).await?),
            by_state: counts(get(StatsKey::State).await?),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_case_made_here_reads_back_through_the_import_format() {
        let line = r#"{"case_id":"case-0000007","child":{"first_name":"Ana Maria","last_name":"Example","nickname":"Annie","sex":"F","age":14,"phone":"555-010-0199","screen_names":["annie_e"]},"circumstance":"nonfamily_abduction","missing_from_care":true,"custody":{"kind":"agency","agency":"County Children's Services","placement":"group home","caseworker":{"name":"Cas Worker","phone":"555-010-0100"}},"episodes":[{"reported":"2022-03-04","last_seen":"2022-03-03","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"nonfamily_abduction","recovered":"2022-04-01"}]}"#;
        let (file, eps) = from_import(line).unwrap();
        assert_eq!(file.identifiers.phones, vec!["555-010-0199"]);
        assert_eq!(file.identifiers.handles, vec!["annie_e"]);
        let again = import_format("case-0000007", &file, &eps).to_json();
        let (file2, eps2) = from_import(&again).unwrap();
        assert_eq!(file2.child.name, "Ana Maria Example");
        assert_eq!(file2.child.custody, casework::Custody::GroupHome);
        assert_eq!(file2.identifiers, file.identifiers);
        assert_eq!(eps2.len(), 1);
        assert_eq!(eps2[0].last_seen_on, eps[0].last_seen_on);
        assert_eq!(eps2[0].circumstance, Circumstance::NonFamilyAbduction);
    }

    #[test]
    fn identifiers_are_checked_by_field() {
        let mut errs = FormErrors::default();
        let ids = IdentifiersForm {
            child_phones: "(555) 010-0123\n(555) 010-0123".into(),
            child_emails: "someone@example.org".into(),
            child_handles: "@ana_e, ana.e".into(),
        }
        .validate(&mut errs);
        assert!(errs.0.is_empty(), "{errs}");
        assert_eq!(ids.phones.len(), 1);
        assert_eq!(ids.handles, vec!["@ana_e", "ana.e"]);
        let mut errs = FormErrors::default();
        IdentifiersForm {
            child_phones: "12".into(),
            child_emails: "nobody".into(),
            child_handles: String::new(),
        }
        .validate(&mut errs);
        assert!(errs.for_field("child_phones").is_some());
        assert!(errs.for_field("child_emails").is_some());
    }

    #[test]
    fn evidence_reads_as_lines() {
        let lines = evidence_lines(
            r#"{"shared":"+15550100199","records":2,"fields":[{"field":"name","level":"exact"}]}"#,
        );
        assert!(
            lines.contains(&"shared: +15550100199".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"fields field: name".to_string()),
            "{lines:?}"
        );
    }
}
