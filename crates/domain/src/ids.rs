//! Typed identifiers, so that a user id can never be passed where an organisation id is
//! meant, nor an alert's id where a case's is.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An account of a person or of a provider's API client.
    UserId
);
id_type!(
    /// An organisation: the hotline itself, an agency, a provider or a partner.
    OrgId
);
id_type!(
    /// A provider's CyberTipline report or a public tip.
    ReportId
);
id_type!(
    /// A missing-child case.
    CaseId
);
impl CaseId {
    /// The case number people read, write and say: `CH-` and the id, six digits at least
    /// (`CH-000151`). Every page, title, poster and export shows a case by this number,
    /// whatever id an import gave it.
    pub fn number(self) -> String {
        format!("CH-{:06}", self.0)
    }

    /// Reads a case number as people type it: `CH-000151`, `ch-151` or `CH 151`. An
    /// import's own ids (`case-0000045`) are not numbers of ours; searching finds them.
    pub fn parse_number(s: &str) -> Option<CaseId> {
        let s = s.trim();
        let prefix = s.get(..2)?;
        if !prefix.eq_ignore_ascii_case("ch") {
            return None;
        }
        let digits = s[2..].trim_start_matches(['-', ' ']);
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok().filter(|n| *n > 0).map(CaseId)
    }
}

id_type!(
    /// An alert on a case: a record that carries something of the case's.
    AlertId
);
id_type!(
    /// One missing episode of a case.
    EpisodeId
);
id_type!(
    /// A background job.
    JobId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_read_back() {
        assert_eq!(CaseId(151).number(), "CH-000151");
        assert_eq!(CaseId(1_234_567).number(), "CH-1234567");
        for s in ["CH-000151", "ch-151", "CH 151", " CH-151 "] {
            assert_eq!(CaseId::parse_number(s), Some(CaseId(151)), "{s}");
        }
        for s in ["case-0000045", "CH-", "CH-0", "151", "CH-15a", "CH--x"] {
            assert_eq!(CaseId::parse_number(s), None, "{s}");
        }
        assert_eq!(CaseId::parse_number(&CaseId(9).number()), Some(CaseId(9)));
    }
}
