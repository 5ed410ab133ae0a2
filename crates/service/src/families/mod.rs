//! Family advocacy and peer support (issue 21). Advocates (staff: supervisors, caseworkers,
//! recovery specialists) keep their organisation's family support cases (`cases.rs`):
//! open one (linked to a missing-child case or a report only if they may see it), log
//! contacts, refer to a service of the recovery directory, confirm a peer volunteer the
//! matcher proposes, close with a reason and the family's survey. Supervisors keep
//! volunteers' vetting and training records (`volunteers.rs`). A volunteer sees only the
//! families they are matched with, and of them only what peer support needs
//! (`VolunteerFamilyView`); every such view is audited. `statistics` counts, never lists.

mod cases;
mod volunteers;

pub use cases::{FamilyStats, NewFamilyCase};
pub use volunteers::{MyVolunteering, VolunteerView};

use crate::error::{Result, ServiceError};
use ::families::model::{CloseReason, ContactKind, CrisisLevel, Experience, FamilyProfile, Slot};
use domain::policy::{may_see_record, permits, RecordSharing};
use domain::{Action, Principal, Role};
use store::families::{ContactRow, FamilyRow};

/// The pure model, for callers (web) that fill in its forms.
pub use ::families as model;

/// A family in the caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyItem {
    pub id: i64,
    pub family_name: String,
    pub crisis: CrisisLevel,
    pub experience: Experience,
    pub advocate_name: String,
    pub volunteer_name: Option<String>,
    pub opened_at: i64,
    pub first_contact_due: i64,
    pub first_contact_at: Option<i64>,
    pub next_due: Option<i64>,
    pub closed_at: Option<i64>,
    /// No first contact yet and the agreed time has passed.
    pub first_contact_overdue: bool,
    /// A next step whose time has come.
    pub follow_up_due: bool,
}

/// One entry of the contact log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactView {
    pub id: i64,
    pub by_name: String,
    /// Logged by the family's peer volunteer.
    pub by_volunteer: bool,
    pub kind: ContactKind,
    pub at: i64,
    pub with_whom: String,
    pub summary: String,
    pub next_step: String,
    pub next_due: Option<i64>,
}

/// A referral to a service of the recovery directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralView {
    pub resource_id: i64,
    pub resource_name: String,
    pub note: String,
    pub by_name: String,
    pub at: i64,
}

/// A family's case as an advocate sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyView {
    pub item: FamilyItem,
    pub profile: FamilyProfile,
    /// The missing-child case, only when the reader may see it (its id and number).
    pub case: Option<(i64, String)>,
    /// The report, only when the reader may see it.
    pub report_id: Option<i64>,
    pub volunteer_id: Option<i64>,
    pub matched_at: Option<i64>,
    pub close_reason: Option<CloseReason>,
    pub contacts: Vec<ContactView>,
    pub referrals: Vec<ReferralView>,
}

/// A matched family as its volunteer sees it: who to speak with, in which language, when,
/// the kind of case, and the advocate's notes for them. Nothing else of the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerFamilyView {
    pub id: i64,
    pub contact_person: String,
    pub language: String,
    pub times: Vec<Slot>,
    pub time_zone: String,
    pub experience: Experience,
    pub notes: String,
    pub advocate_name: String,
    /// The volunteer's own contact log entries.
    pub contacts: Vec<ContactView>,
    /// The next step due of the volunteer's own latest entry naming one.
    pub next_due: Option<i64>,
}

/// A volunteer proposed for a family, with the reasons in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchProposal {
    pub volunteer_id: i64,
    pub name: String,
    pub reasons: Vec<String>,
}

pub(crate) fn allow(who: &Principal, action: Action) -> Result<()> {
    if permits(Some(who), action) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

fn corrupt(what: String) -> ServiceError {
    ServiceError::Internal(Box::new(store::StoreError::Corrupt(what)))
}

pub(crate) fn profile_of(row: &FamilyRow) -> Result<FamilyProfile> {
    serde_json::from_str(&row.profile_json)
        .map_err(|e| corrupt(format!("family case {}: profile_json: {e}", row.id)))
}

/// Whether an advocate's scope holds this family: supervisors every organisation's,
/// caseworkers and recovery specialists their own organisation's.
pub(crate) fn advocate_may_see(who: &Principal, row: &FamilyRow) -> bool {
    who.role != Role::Volunteer
        && permits(Some(who), Action::AdvocateFamilies)
        && may_see_record(
            who,
            &RecordSharing {
                owner_org: Some(row.org_id),
                made_available_to: Vec::new(),
            },
        )
}

pub(crate) fn item(row: &FamilyRow, now: i64) -> FamilyItem {
    FamilyItem {
        id: row.id,
        family_name: row.family_name.clone(),
        crisis: row.crisis,
        experience: row.experience,
        advocate_name: row.advocate_name.clone(),
        volunteer_name: row.volunteer_name.clone(),
        opened_at: row.opened_at,
        first_contact_due: row.first_contact_due,
        first_contact_at: row.first_contact_at,
        next_due: row.next_due,
        closed_at: row.closed_at,
        first_contact_overdue: row.closed_at.is_none()
            && row.first_contact_at.is_none()
            && row.first_contact_due < now,
        follow_up_due: row.closed_at.is_none() && row.next_due.is_some_and(|d| d <= now),
    }
}

pub(crate) fn contact(row: &ContactRow, volunteer: Option<domain::UserId>) -> ContactView {
    ContactView {
        id: row.id,
        by_name: row.by_name.clone(),
        by_volunteer: volunteer == Some(row.by_user),
        kind: row.kind,
        at: row.at,
        with_whom: row.with_whom.clone(),
        summary: row.summary.clone(),
        next_step: row.next_step.clone(),
        next_due: row.next_due,
    }
}
