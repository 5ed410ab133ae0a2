//! Requests for analytical support (issue 24): law enforcement asks the hotline's analysts
//! for help (what they need, the identifiers they hold, how urgent), and the analysts
//! work the requests in a queue and answer with text and, often, a shared link chart.
//! This module holds the request's urgency and its workflow: the statuses and the moves
//! between them.

use std::fmt;
use std::str::FromStr;

/// How soon the requester needs an answer. The queue reads the most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Urgency {
    /// A child is at risk now.
    Immediate,
    Urgent,
    Routine,
}

impl Urgency {
    /// Most urgent first.
    pub const ALL: [Urgency; 3] = [Urgency::Immediate, Urgency::Urgent, Urgency::Routine];

    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            Urgency::Immediate => "immediate",
            Urgency::Urgent => "urgent",
            Urgency::Routine => "routine",
        }
    }

    /// 0 for the most urgent: what the queue orders by.
    pub const fn rank(self) -> i64 {
        match self {
            Urgency::Immediate => 0,
            Urgency::Urgent => 1,
            Urgency::Routine => 2,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Urgency::Immediate => "Immediate: a child is at risk now",
            Urgency::Urgent => "Urgent: within a day",
            Urgency::Routine => "Routine",
        }
    }

    /// The word a list shows.
    pub const fn short(self) -> &'static str {
        match self {
            Urgency::Immediate => "Immediate",
            Urgency::Urgent => "Urgent",
            Urgency::Routine => "Routine",
        }
    }
}

impl fmt::Display for Urgency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored or sent value that is none of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

impl FromStr for Urgency {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Urgency::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| UnknownValue(s.chars().take(32).collect()))
    }
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SupportStatus {
    /// Sent; nobody has taken it yet.
    Open,
    /// An analyst took it.
    InProgress,
    /// The analysts answered; the requester reads the answer.
    Answered,
    Closed,
}

impl SupportStatus {
    pub const ALL: [SupportStatus; 4] = [
        SupportStatus::Open,
        SupportStatus::InProgress,
        SupportStatus::Answered,
        SupportStatus::Closed,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            SupportStatus::Open => "open",
            SupportStatus::InProgress => "in_progress",
            SupportStatus::Answered => "answered",
            SupportStatus::Closed => "closed",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            SupportStatus::Open => "Open",
            SupportStatus::InProgress => "In progress",
            SupportStatus::Answered => "Answered",
            SupportStatus::Closed => "Closed",
        }
    }

    /// An analyst may take it (assign it to themselves, or take it over).
    pub const fn may_assign(self) -> bool {
        matches!(self, SupportStatus::Open | SupportStatus::InProgress)
    }

    /// It may be answered (again: a second answer replaces the first).
    pub const fn may_answer(self) -> bool {
        !matches!(self, SupportStatus::Closed)
    }

    pub const fn may_close(self) -> bool {
        !matches!(self, SupportStatus::Closed)
    }
}

impl fmt::Display for SupportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SupportStatus {
    type Err = UnknownValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SupportStatus::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| UnknownValue(s.chars().take(32).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_the_most_urgent_ranks_first() {
        for u in Urgency::ALL {
            assert_eq!(u.as_str().parse::<Urgency>(), Ok(u));
        }
        for s in SupportStatus::ALL {
            assert_eq!(s.as_str().parse::<SupportStatus>(), Ok(s));
        }
        assert!("soon".parse::<Urgency>().is_err());
        assert!(Urgency::Immediate.rank() < Urgency::Urgent.rank());
        assert!(Urgency::Urgent.rank() < Urgency::Routine.rank());
    }

    #[test]
    fn a_closed_request_takes_no_more_work() {
        assert!(!SupportStatus::Closed.may_answer());
        assert!(!SupportStatus::Closed.may_assign());
        assert!(!SupportStatus::Answered.may_assign());
        assert!(SupportStatus::Answered.may_answer());
    }
}
