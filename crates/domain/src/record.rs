//! What link analysis and the audit log point at: a record of one kind, by its id.
//!
//! Kinds are stored as short strings (`report`, `case`, `ad`); they are decoded here once,
//! so an unknown value read back from storage is an error the reader sees, never a silent
//! default.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of record that links join and alerts come from. Declared in the order of
/// their stored names, so records sort here as the database sorts them and a list keeps
/// its order whichever side sorted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// An online ad.
    Ad,
    /// A missing-child case.
    Case,
    /// A provider's CyberTipline report or a public tip (tips are stored as reports).
    Report,
}

impl RecordKind {
    pub const ALL: [RecordKind; 3] = [RecordKind::Report, RecordKind::Case, RecordKind::Ad];

    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Report => "report",
            RecordKind::Case => "case",
            RecordKind::Ad => "ad",
        }
    }

    /// The word a person reads.
    pub const fn label(self) -> &'static str {
        match self {
            RecordKind::Report => "Report",
            RecordKind::Case => "Case",
            RecordKind::Ad => "Ad",
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored kind that is none of ours: data written by a newer version, or damage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown record kind {0:?}: expected report, case or ad")]
pub struct UnknownRecordKind(pub String);

impl FromStr for RecordKind {
    type Err = UnknownRecordKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownRecordKind(s.chars().take(32).collect()))
    }
}

/// One record: its kind and its id within that kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecordRef {
    pub kind: RecordKind,
    pub id: i64,
}

impl RecordRef {
    pub const fn new(kind: RecordKind, id: i64) -> RecordRef {
        RecordRef { kind, id }
    }

    pub const fn report(id: i64) -> RecordRef {
        RecordRef::new(RecordKind::Report, id)
    }

    pub const fn case(id: i64) -> RecordRef {
        RecordRef::new(RecordKind::Case, id)
    }

    pub const fn ad(id: i64) -> RecordRef {
        RecordRef::new(RecordKind::Ad, id)
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_and_unknown_is_an_error() {
        for k in RecordKind::ALL {
            assert_eq!(k.as_str().parse::<RecordKind>(), Ok(k));
        }
        assert!("tip".parse::<RecordKind>().is_err());
        assert!("".parse::<RecordKind>().is_err());
        assert!("Report".parse::<RecordKind>().is_err());
    }

    #[test]
    fn kinds_sort_as_their_stored_names() {
        for a in RecordKind::ALL {
            for b in RecordKind::ALL {
                assert_eq!(a.cmp(&b), a.as_str().cmp(b.as_str()), "{a} {b}");
            }
        }
    }
}
