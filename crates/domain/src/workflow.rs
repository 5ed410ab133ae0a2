//! The report workflow: where a report stands in the hotline's work, and which moves are
//! allowed. One table, so the queue, the buttons on a report and the service agree.

use serde::Serialize;

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
}
