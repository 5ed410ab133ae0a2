//! What link analysis and the audit log point at: a record of one kind, by its id.
//!
//! Kinds are stored as short strings (`report`, `case`, `ad`); they are decoded here once,
//! so an unknown value read back from storage is an error the reader sees, never a silent
//! default.

use crate::ids::{CaseId, ReportId};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of record that links join and alerts come from.
///
/// The variants are in the order of their stored strings, so `Ord` agrees with the
/// database: a link is stored with its smaller end first, and links written before the
/// kinds were typed must still be found under the same pair.
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
    pub const ALL: [RecordKind; 3] = [RecordKind::Ad, RecordKind::Case, RecordKind::Report];

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

    /// How people name the record: "Report #12", "Ad #7", or a case's number "CH-000003".
    pub fn label(&self) -> String {
        match self.kind {
            RecordKind::Report => format!("Report #{}", self.id),
            RecordKind::Ad => format!("Ad #{}", self.id),
            RecordKind::Case => CaseId(self.id).number(),
        }
    }
}

impl From<ReportId> for RecordRef {
    fn from(id: ReportId) -> RecordRef {
        RecordRef::report(id.0)
    }
}

impl From<CaseId> for RecordRef {
    fn from(id: CaseId) -> RecordRef {
        RecordRef::case(id.0)
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
    fn records_are_named_as_people_read_them() {
        assert_eq!(RecordRef::report(12).label(), "Report #12");
        assert_eq!(RecordRef::ad(7).label(), "Ad #7");
        assert_eq!(RecordRef::case(3).label(), "CH-000003");
    }

    #[test]
    fn order_is_the_stored_strings_order() {
        let mut kinds = RecordKind::ALL;
        kinds.sort_by_key(|k| k.as_str());
        assert_eq!(kinds, RecordKind::ALL);
        assert!(RecordKind::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn serde_uses_the_stored_strings() {
        for k in RecordKind::ALL {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.as_str())
            );
        }
    }
}
