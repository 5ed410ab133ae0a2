//! The public tip record: one line of `tips.jsonl`, the import format of tips from another
//! system (and what `synth` generates). This is the format's only definition: the generator
//! writes it and the importer reads it.
//!
//! It lives in `domain` because a tip belongs to no richer pure crate: once imported it is
//! a report in the CyberTipline model (the service turns it into the same report a tip
//! filed through the form becomes), so neither `cybertip` (the providers' wire format) nor
//! `casework` owns it. The record keeps the reporter's own text (`when` may be words, an
//! age is a guess); the importer checks it. Unknown fields are ignored; optional fields are
//! left out when empty.

use serde::{Deserialize, Serialize};

/// A public tip (`tips.jsonl`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipRecord {
    pub id: String,
    /// RFC 3339; when the tip was received.
    pub submitted_at: String,
    /// The CyberTipline schema's incident type string, e.g. `Child Sex Trafficking`.
    pub incident_type: String,
    /// When it happened, as the reporter put it: a date (`YYYY-MM-DD`, "around …") or
    /// words like "last weekend".
    #[serde(default)]
    pub when: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// A US state code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// An ISO country code; empty means the United States.
    #[serde(default)]
    pub country: String,
    pub narrative: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<TipPerson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Who filed it; anonymous tips leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporter: Option<TipReporter>,
}

/// A person named in a tip: the reporter fills in what they know.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipPerson {
    /// `child`, `adult` or `unknown`.
    #[serde(default)]
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A guess, usually.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screen_names: Vec<String>,
}

impl TipPerson {
    /// Whether the reporter named this person as the child.
    pub fn is_child(&self) -> bool {
        self.role == "child"
    }
}

/// How to reach the person who filed a tip.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipReporter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparse_line_reads_and_writes_back_without_what_it_left_out() {
        let line = r#"{"id":"tip-1","submitted_at":"2020-04-30T15:12:45Z","incident_type":"Child Sex Trafficking","when":"last weekend","country":"US","narrative":"Seen at a motel.","people":[{"role":"child","name":"Jo","age":15},{"role":"unknown","screen_names":["x_1"]}],"reporter":{"email":"a@example.org"}}"#;
        let tip: TipRecord = serde_json::from_str(line).expect("parses");
        assert!(tip.people[0].is_child() && !tip.people[1].is_child());
        assert_eq!(tip.reporter.as_ref().and_then(|r| r.name.as_ref()), None);
        assert_eq!(serde_json::to_string(&tip).expect("writes"), line);
    }

    #[test]
    fn what_older_feeds_leave_out_reads_as_empty() {
        let tip: TipRecord = serde_json::from_str(
            r#"{"id":"t","submitted_at":"2020-04-30T15:12:45Z","incident_type":"Other","narrative":"x","people":[{"phone":"555-0100"}],"extra":1}"#,
        )
        .expect("parses");
        assert_eq!((tip.when.as_str(), tip.country.as_str()), ("", ""));
        assert_eq!(tip.people[0].role, "");
    }
}

/// How the reporter of a tip said when it happened. The CyberTipline schema requires a
/// date and a time, so a tip without them carries one the product filled in; this fact,
/// kept beside the report rather than as words in it, lets the page say which part is the
/// reporter's. A provider's report has none: the provider gave its own time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WhenGiven {
    /// A date and a time, both the reporter's.
    DateAndTime,
    /// A date without a time: the time shown is midnight.
    DateOnly,
    /// Words rather than a date ("last weekend"), kept as the incident's description; the
    /// date and time shown are when the tip was received.
    InWords,
    /// Nothing: the date and time shown are when the tip was received.
    NotGiven,
}

impl WhenGiven {
    pub const ALL: [WhenGiven; 4] = [
        WhenGiven::DateAndTime,
        WhenGiven::DateOnly,
        WhenGiven::InWords,
        WhenGiven::NotGiven,
    ];

    /// The stored value (`reports.when_given`).
    pub fn as_str(self) -> &'static str {
        match self {
            WhenGiven::DateAndTime => "date_and_time",
            WhenGiven::DateOnly => "date_only",
            WhenGiven::InWords => "in_words",
            WhenGiven::NotGiven => "not_given",
        }
    }

    pub fn parse(s: &str) -> Option<WhenGiven> {
        WhenGiven::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// What a reader of the report needs to know about its date and time.
    pub fn explanation(self) -> &'static str {
        match self {
            WhenGiven::DateAndTime => "The reporter gave the date and the time.",
            WhenGiven::DateOnly => {
                "The reporter gave a date but no time: the time shown (midnight) is not theirs."
            }
            WhenGiven::InWords => {
                "The reporter said when in their own words (the description of the date and time); \
                 the date and time shown are when the tip was received."
            }
            WhenGiven::NotGiven => {
                "The reporter did not say when: the date and time shown are when the tip was received."
            }
        }
    }
}

#[cfg(test)]
mod when_tests {
    use super::WhenGiven;

    #[test]
    fn every_stored_value_reads_back() {
        for w in WhenGiven::ALL {
            assert_eq!(WhenGiven::parse(w.as_str()), Some(w));
        }
        assert_eq!(WhenGiven::parse("unknown"), None);
    }
}
