//! The workflows: where a report or a missing-child case stands in the hotline's work,
//! which moves are allowed, and whose work a list shows. One table each, so the lists, the
//! buttons on a record and the service agree.

use crate::{DomainError, UserId};
use serde::Serialize;

/// The longest reason for closing a report or a case.
pub const MAX_REASON: usize = 1000;

/// Closing a report or a case needs a reason, kept with the change in the audit log;
/// another move needs none (and keeps none). The reason, trimmed, when closing.
pub fn closing_reason(closing: bool, reason: &str) -> Result<Option<&str>, DomainError> {
    let r = reason.trim();
    match closing {
        false => Ok(None),
        true if r.is_empty() || r.chars().count() > MAX_REASON => Err(DomainError::ClosingReason),
        true => Ok(Some(r)),
    }
}

/// What the audit log keeps of a status change: the move, and the reason for closing.
pub fn status_detail(from: &str, to: &str, reason: Option<&str>) -> String {
    match reason {
        Some(r) => format!("{from} → {to}: {r}"),
        None => format!("{from} → {to}"),
    }
}

/// Where a report stands. The order is the usual path; `Closed` can be reached from any
/// step (a duplicate, or nothing to act on) and a closed report can be reopened for review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    New,
    Triaged,
    InReview,
    /// Shared with one or more law-enforcement agencies of the report's jurisdiction.
    MadeAvailable,
    Closed,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::New,
        ReportStatus::Triaged,
        ReportStatus::InReview,
        ReportStatus::MadeAvailable,
        ReportStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::New => "new",
            ReportStatus::Triaged => "triaged",
            ReportStatus::InReview => "in_review",
            ReportStatus::MadeAvailable => "made_available",
            ReportStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::New => "New",
            ReportStatus::Triaged => "Triaged",
            ReportStatus::InReview => "In review",
            ReportStatus::MadeAvailable => "Made available to law enforcement",
            ReportStatus::Closed => "Closed",
        }
    }

    /// The plain moves a button may make. `MadeAvailable` is not among them: it is reached
    /// only by sharing the report with agencies, which says with whom.
    pub fn next_steps(self) -> &'static [ReportStatus] {
        use ReportStatus::*;
        match self {
            New => &[Triaged, InReview, Closed],
            Triaged => &[InReview, Closed],
            InReview => &[Triaged, Closed],
            MadeAvailable => &[Closed],
            Closed => &[InReview],
        }
    }

    /// May a report move from `self` to `to` by a plain status change?
    pub fn may_move_to(self, to: ReportStatus) -> bool {
        self.next_steps().contains(&to)
    }

    /// May a report in this status be shared with law enforcement?
    pub fn may_make_available(self) -> bool {
        !matches!(self, ReportStatus::Closed)
    }
}

impl std::fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Where a missing-child case stands in the hotline's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Reported by a caseworker (or a new episode reported); the hotline has not looked yet.
    NeedsReview,
    Open,
    Closed,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 3] = [
        CaseStatus::NeedsReview,
        CaseStatus::Open,
        CaseStatus::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::NeedsReview => "needs_review",
            CaseStatus::Open => "open",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::NeedsReview => "Needs review",
            CaseStatus::Open => "Open",
            CaseStatus::Closed => "Closed",
        }
    }

    /// The moves a reviewer may make.
    pub fn next_steps(self) -> &'static [CaseStatus] {
        match self {
            CaseStatus::NeedsReview => &[CaseStatus::Open, CaseStatus::Closed],
            CaseStatus::Open => &[CaseStatus::Closed],
            CaseStatus::Closed => &[CaseStatus::Open],
        }
    }

    /// May a reviewer move a case from `self` to `to`?
    pub fn may_move_to(self, to: CaseStatus) -> bool {
        self.next_steps().contains(&to)
    }

    /// The button's words for moving to this status.
    pub fn action_label(self) -> &'static str {
        match self {
            CaseStatus::NeedsReview => "Send back for review",
            CaseStatus::Open => "Mark reviewed (open)",
            CaseStatus::Closed => "Close the case",
        }
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Whose work a list shows: the queue of reports and the list of cases filter alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Unassigned,
    User(UserId),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips() {
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(ReportStatus::parse("made available"), None);
    }

    #[test]
    fn sharing_is_the_only_way_to_made_available() {
        for s in ReportStatus::ALL {
            assert!(!s.may_move_to(ReportStatus::MadeAvailable), "{s}");
        }
    }

    #[test]
    fn anything_open_can_be_closed_and_closed_can_be_reopened() {
        for s in ReportStatus::ALL
            .into_iter()
            .filter(|s| *s != ReportStatus::Closed)
        {
            assert!(s.may_move_to(ReportStatus::Closed), "{s}");
        }
        assert!(ReportStatus::Closed.may_move_to(ReportStatus::InReview));
        assert!(!ReportStatus::Closed.may_make_available());
    }

    #[test]
    fn case_statuses_round_trip_and_review_moves() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(CaseStatus::parse("Open"), None);
        assert_eq!(CaseStatus::parse(""), None);
        assert!(CaseStatus::NeedsReview.may_move_to(CaseStatus::Open));
        assert!(CaseStatus::NeedsReview.may_move_to(CaseStatus::Closed));
        assert!(!CaseStatus::Open.may_move_to(CaseStatus::NeedsReview));
        assert!(CaseStatus::Closed.may_move_to(CaseStatus::Open));
        for s in CaseStatus::ALL {
            assert!(!s.may_move_to(s), "{s} to itself");
        }
    }
}

#[cfg(test)]
mod closing_tests {
    use super::*;

    #[test]
    fn closing_needs_a_reason_and_keeps_it() {
        assert_eq!(closing_reason(false, ""), Ok(None));
        assert_eq!(closing_reason(false, "ignored"), Ok(None));
        assert_eq!(closing_reason(true, "  "), Err(DomainError::ClosingReason));
        assert_eq!(
            closing_reason(true, " duplicate of 12 "),
            Ok(Some("duplicate of 12"))
        );
        assert!(closing_reason(true, &"x".repeat(MAX_REASON + 1)).is_err());
        assert_eq!(
            status_detail("open", "closed", Some("child recovered")),
            "open → closed: child recovered"
        );
        assert_eq!(status_detail("new", "triaged", None), "new → triaged");
    }
}

/// What an agency did with a lead made available to it. The hotline sees it on the report;
/// the statistics count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadOutcome {
    InvestigationOpened,
    ChildLocated,
    /// Passed to another agency or service.
    Referred,
    /// Looked at; nothing to act on.
    NoAction,
    /// Not taken: outside the agency's jurisdiction or remit.
    Declined,
}

impl LeadOutcome {
    pub const ALL: [LeadOutcome; 5] = [
        LeadOutcome::InvestigationOpened,
        LeadOutcome::ChildLocated,
        LeadOutcome::Referred,
        LeadOutcome::NoAction,
        LeadOutcome::Declined,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadOutcome::InvestigationOpened => "investigation_opened",
            LeadOutcome::ChildLocated => "child_located",
            LeadOutcome::Referred => "referred",
            LeadOutcome::NoAction => "no_action",
            LeadOutcome::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<LeadOutcome> {
        LeadOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            LeadOutcome::InvestigationOpened => "Investigation opened",
            LeadOutcome::ChildLocated => "Child located",
            LeadOutcome::Referred => "Referred to another agency or service",
            LeadOutcome::NoAction => "No action: nothing to act on",
            LeadOutcome::Declined => "Declined",
        }
    }

    /// Declining a lead, or taking no action on it, says why: the hotline reads it to
    /// decide what to do next (another agency, more analysis).
    pub fn needs_reason(self) -> bool {
        matches!(self, LeadOutcome::NoAction | LeadOutcome::Declined)
    }
}

#[cfg(test)]
mod lead_outcome_tests {
    use super::LeadOutcome;

    #[test]
    fn every_outcome_reads_back_and_only_the_negative_ones_need_a_reason() {
        for o in LeadOutcome::ALL {
            assert_eq!(LeadOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(LeadOutcome::parse("closed"), None);
        assert!(LeadOutcome::Declined.needs_reason());
        assert!(!LeadOutcome::ChildLocated.needs_reason());
    }
}
