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

mod alerts;
mod imported;
mod publish;
mod read;
mod report;
mod review;
mod summary;

use crate::error::{Result, ServiceError};
use crate::queue::Share;
use crate::Services;
use casework::{Child, ChildForm, Episode, EpisodeForm, FieldError, FormErrors, TimelineItem};
use domain::policy::{may_see_record, permits, RecordSharing};
use domain::{Action, AssigneeFilter, CaseStatus, OrgId, Principal, RecordRef, Role, UserId};
use serde::{Deserialize, Serialize};
use store::cases::{self as queries, CaseFilter, CaseRow, Scope};
use time::Date;
use triage::Assessment;

pub use alerts::{group_alerts, AlertGroup};
pub use summary::{case_flags, from_import, import_format};

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
    /// The number people read: `CH-000123` (`domain::CaseId::number`), for imported
    /// cases too.
    pub case_number: String,
    /// An imported case's own id in the file it came from (`case-0000045`), when it is
    /// not the case number.
    pub imported_id: Option<String>,
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
        let number = domain::CaseId(r.id).number();
        CaseItem {
            id: r.id,
            imported_id: (r.case_number != number).then_some(r.case_number),
            case_number: number,
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
    /// All of these words, in the child's name, aliases or the case number. A word that
    /// is a case number (`CH-000151`, [`domain::CaseId::parse_number`]) finds that case,
    /// imported or not.
    pub words: Vec<String>,
    /// The column the list is ordered by; ties keep the default order.
    pub sort: CaseSort,
    /// The chosen column from its largest value down.
    pub descending: bool,
}

/// A column the case list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaseSort {
    /// Children missing now first, then most urgent, then the most recent.
    #[default]
    Default,
    Priority,
    Number,
    Child,
    Status,
    Missing,
    State,
    Episodes,
    Alerts,
}

impl CaseSort {
    pub const ALL: [CaseSort; 9] = [
        CaseSort::Default,
        CaseSort::Priority,
        CaseSort::Number,
        CaseSort::Child,
        CaseSort::Status,
        CaseSort::Missing,
        CaseSort::State,
        CaseSort::Episodes,
        CaseSort::Alerts,
    ];

    /// The name in a URL's `sort=`; empty for the default order.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseSort::Default => "",
            CaseSort::Priority => "priority",
            CaseSort::Number => "case",
            CaseSort::Child => "child",
            CaseSort::Status => "status",
            CaseSort::Missing => "missing",
            CaseSort::State => "state",
            CaseSort::Episodes => "episodes",
            CaseSort::Alerts => "alerts",
        }
    }

    /// An unknown name is the default order.
    pub fn parse(s: &str) -> CaseSort {
        CaseSort::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .unwrap_or_default()
    }

    fn order(self) -> queries::CaseOrder {
        use queries::CaseOrder as O;
        match self {
            CaseSort::Default => O::Default,
            CaseSort::Priority => O::Priority,
            CaseSort::Number => O::Number,
            CaseSort::Child => O::Child,
            CaseSort::Status => O::Status,
            CaseSort::Missing => O::Missing,
            CaseSort::State => O::State,
            CaseSort::Episodes => O::Episodes,
            CaseSort::Alerts => O::Alerts,
        }
    }
}

impl CaseQuery {
    fn filter(&self, scope: Scope) -> CaseFilter {
        // A case number finds its case by id: an imported case's stored text holds only
        // the import's own id.
        let number = self
            .words
            .iter()
            .find_map(|w| domain::CaseId::parse_number(w));
        let words = self
            .words
            .iter()
            .filter(|w| domain::CaseId::parse_number(w).is_none())
            .cloned()
            .collect();
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
            words,
            id: number.map(|n| n.0),
            order: self.sort.order(),
            descending: self.descending,
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

/// UTC calendar day of a time in microseconds.
pub fn day_of(micros: i64) -> Date {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
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
    pub(crate) async fn visible_case(&self, who: &Principal, id: i64) -> Result<CaseRow> {
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
    pub(crate) async fn case_file(&self, row: &CaseRow) -> Result<(CaseFile, Vec<StoredEpisode>)> {
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
}
