//! The model of family support: what a family's case holds, what a contact log entry is,
//! how soon a family must first be contacted, and what makes a peer volunteer eligible to
//! be matched (background check passed and in date, every training in date).

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// A value from a fixed list, with the code stored and sent in the API and the words shown.
pub trait Coded: Sized + Copy + PartialEq + 'static {
    /// Every value with its code and its label, in the order forms list them.
    const TABLE: &'static [(Self, &'static str, &'static str)];

    fn code(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|(v, _, _)| *v == self)
            .map_or("", |(_, c, _)| c)
    }

    fn label(self) -> &'static str {
        Self::TABLE
            .iter()
            .find(|(v, _, _)| *v == self)
            .map_or("", |(_, _, l)| l)
    }

    /// The value of a code (case and surrounding spaces ignored).
    fn parse(code: &str) -> Option<Self> {
        let c = code.trim();
        Self::TABLE
            .iter()
            .find(|(_, k, _)| k.eq_ignore_ascii_case(c))
            .map(|(v, _, _)| *v)
    }

    fn all() -> Vec<Self> {
        Self::TABLE.iter().map(|(v, _, _)| *v).collect()
    }
}

/// What a family needs help with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    EmotionalSupport,
    Media,
    LawEnforcement,
    Reunification,
    Travel,
    Legal,
    Siblings,
}

impl Coded for Need {
    const TABLE: &'static [(Self, &'static str, &'static str)] = &[
        (
            Need::EmotionalSupport,
            "emotional_support",
            "Emotional support",
        ),
        (Need::Media, "media", "Dealing with the media"),
        (
            Need::LawEnforcement,
            "law_enforcement",
            "Navigating law enforcement",
        ),
        (Need::Reunification, "reunification", "Reunification"),
        (Need::Travel, "travel", "Travel"),
        (Need::Legal, "legal", "Legal help"),
        (
            Need::Siblings,
            "siblings",
            "Support for brothers and sisters",
        ),
    ];
}

/// How acute the family's crisis is; it sets how soon the first contact is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrisisLevel {
    Acute,
    High,
    Moderate,
    Low,
}

impl Coded for CrisisLevel {
    const TABLE: &'static [(Self, &'static str, &'static str)] = &[
        (CrisisLevel::Acute, "acute", "Acute: in crisis now"),
        (CrisisLevel::High, "high", "High"),
        (CrisisLevel::Moderate, "moderate", "Moderate"),
        (CrisisLevel::Low, "low", "Low: settled, wants support"),
    ];
}

impl CrisisLevel {
    /// The agreed longest wait for a first contact, in hours.
    pub fn first_contact_hours(self) -> i64 {
        match self {
            CrisisLevel::Acute => 4,
            CrisisLevel::High => 12,
            CrisisLevel::Moderate => 24,
            CrisisLevel::Low => 48,
        }
    }

    /// When the first contact is due for a case opened at `opened_at` (UTC microseconds).
    pub fn first_contact_due(self, opened_at: i64) -> i64 {
        opened_at.saturating_add(self.first_contact_hours() * 3_600_000_000)
    }
}

/// How a contact was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Call,
    Message,
    Meeting,
}

impl Coded for ContactKind {
    const TABLE: &'static [(Self, &'static str, &'static str)] = &[
        (ContactKind::Call, "call", "Call"),
        (ContactKind::Message, "message", "Message"),
        (ContactKind::Meeting, "meeting", "Meeting"),
    ];
}

/// The kind of case a family is living through, or a volunteer lived through: what peer
/// support is matched on first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Experience {
    Runaway,
    FamilyAbduction,
    NonFamilyAbduction,
    Trafficking,
    OnlineExploitation,
    LongTermMissing,
}

impl Coded for Experience {
    const TABLE: &'static [(Self, &'static str, &'static str)] = &[
        (
            Experience::Runaway,
            "runaway",
            "Child ran away or went missing from care",
        ),
        (
            Experience::FamilyAbduction,
            "family_abduction",
            "Family abduction",
        ),
        (
            Experience::NonFamilyAbduction,
            "non_family_abduction",
            "Non-family abduction",
        ),
        (
            Experience::Trafficking,
            "trafficking",
            "Child sex trafficking",
        ),
        (
            Experience::OnlineExploitation,
            "online_exploitation",
            "Online exploitation",
        ),
        (
            Experience::LongTermMissing,
            "long_term_missing",
            "Long-term missing child",
        ),
    ];
}

/// When someone can be reached or can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    WeekdayMornings,
    WeekdayAfternoons,
    WeekdayEvenings,
    Weekends,
}

impl Coded for Slot {
    const TABLE: &'static [(Self, &'static str, &'static str)] = &[
        (
            Slot::WeekdayMornings,
            "weekday_mornings",
            "Weekday mornings",
        ),
        (
            Slot::WeekdayAfternoons,
            "weekday_afternoons",
            "Weekday afternoons",
        ),
        (
            Slot::WeekdayEvenings,
            "weekday_evenings",
            "Weekday evenings",
        ),
        (Slot::Weekends, "weekends", "Weekends"),
    ];
}

/// Why a family's case was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    SupportComplete,
    ChildHome,
    FamilyDeclined,
    ReferredElsewhere,
    NoLongerReachable,
}

impl Coded for CloseReason {
    const TABLE: &'static [(Self, &'static str, &'static str)] = &[
        (
            CloseReason::SupportComplete,
            "support_complete",
            "Support complete",
        ),
        (
            CloseReason::ChildHome,
            "child_home",
            "Child home and family settled",
        ),
        (
            CloseReason::FamilyDeclined,
            "family_declined",
            "Family declined further support",
        ),
        (
            CloseReason::ReferredElsewhere,
            "referred_elsewhere",
            "Referred to another service",
        ),
        (
            CloseReason::NoLongerReachable,
            "no_longer_reachable",
            "Family no longer reachable",
        ),
    ];
}

/// The result of a volunteer's background check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckResult {
    Passed,
    Failed,
    Pending,
}

impl Coded for CheckResult {
    const TABLE: &'static [(Self, &'static str, &'static str)] = &[
        (CheckResult::Passed, "passed", "Passed"),
        (CheckResult::Failed, "failed", "Not passed"),
        (CheckResult::Pending, "pending", "Pending"),
    ];
}

/// A member of the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    /// To the missing child: mother, grandfather, brother, foster carer.
    pub relationship: String,
}

/// What a family's support case holds about the family (stored as one JSON document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyProfile {
    /// How the family is named in lists ("the Rivera family").
    pub family_name: String,
    pub members: Vec<Member>,
    pub contact_person: String,
    pub language: String,
    /// When the family prefers to be contacted.
    pub times: Vec<Slot>,
    /// The family's time zone (IANA name, e.g. America/Chicago).
    pub time_zone: String,
    /// How to contact them safely (which phone, when not to call, code words).
    pub safe_contact: String,
    /// What happened, in the family's words.
    pub their_words: String,
    pub needs: Vec<Need>,
    pub crisis: CrisisLevel,
    pub experience: Experience,
    /// The advocate's notes meant for the matched volunteer: the only free text a
    /// volunteer sees.
    pub volunteer_notes: String,
}

/// One call, message or meeting in a family's contact log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEntry {
    pub kind: ContactKind,
    /// When it happened (UTC microseconds).
    pub at: i64,
    /// Who was spoken with.
    pub with_whom: String,
    pub summary: String,
    pub next_step: String,
    /// When the next step is due (UTC microseconds), if there is one.
    pub next_due: Option<i64>,
}

/// A volunteer's background check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vetting {
    #[serde(with = "ymd")]
    pub checked_on: Date,
    pub result: CheckResult,
}

/// A background check older than this must be renewed before the volunteer is matched.
pub const VETTING_VALID_DAYS: i64 = 3 * 365;

/// A training a volunteer completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub name: String,
    #[serde(with = "ymd")]
    pub completed_on: Date,
    #[serde(with = "ymd")]
    pub renewal_due: Date,
}

/// A peer volunteer's profile: vetting and training records, when they can help, languages,
/// time zone and the lived experience they bring.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VolunteerProfile {
    pub vetting: Option<Vetting>,
    pub trainings: Vec<Training>,
    pub availability: Vec<Slot>,
    pub languages: Vec<String>,
    pub time_zone: String,
    pub experiences: Vec<Experience>,
}

impl VolunteerProfile {
    /// Why this volunteer may not be matched on `today`, in words; empty when they may.
    pub fn lapses(&self, today: Date) -> Vec<String> {
        let mut out = Vec::new();
        match self.vetting {
            None => out.push("no background check recorded".to_owned()),
            Some(v) if v.result != CheckResult::Passed => out.push(format!(
                "background check of {} is {}",
                format_date(v.checked_on),
                v.result.label().to_lowercase()
            )),
            Some(v) if today - v.checked_on > Duration::days(VETTING_VALID_DAYS) => {
                out.push(format!(
                    "background check of {} is more than three years old",
                    format_date(v.checked_on)
                ))
            }
            Some(_) => {}
        }
        if self.trainings.is_empty() {
            out.push("no training recorded".to_owned());
        }
        for t in &self.trainings {
            if t.renewal_due < today {
                out.push(format!(
                    "training \"{}\" was due for renewal on {}",
                    t.name,
                    format_date(t.renewal_due)
                ));
            }
        }
        out
    }

    /// Vetting passed and in date, and every training in date.
    pub fn eligible(&self, today: Date) -> bool {
        self.lapses(today).is_empty()
    }

    /// The soonest training renewal.
    pub fn next_renewal(&self) -> Option<Date> {
        self.trainings.iter().map(|t| t.renewal_due).min()
    }
}

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A `YYYY-MM-DD` date, or `None` for anything else.
pub fn parse_date(s: &str) -> Option<Date> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt).ok()
}

/// Dates as `YYYY-MM-DD` in the stored JSON.
mod ymd {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_date(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_date(&s).ok_or_else(|| serde::de::Error::custom(format!("not a date: {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn profile() -> VolunteerProfile {
        VolunteerProfile {
            vetting: Some(Vetting {
                checked_on: date!(2026 - 01 - 10),
                result: CheckResult::Passed,
            }),
            trainings: vec![Training {
                name: "Peer support basics".into(),
                completed_on: date!(2026 - 02 - 01),
                renewal_due: date!(2027 - 02 - 01),
            }],
            availability: vec![Slot::Weekends],
            languages: vec!["English".into()],
            time_zone: "America/Chicago".into(),
            experiences: vec![Experience::Runaway],
        }
    }

    #[test]
    fn vetting_and_training_in_date_make_a_volunteer_eligible() {
        assert!(profile().eligible(date!(2026 - 12 - 07)));
    }

    #[test]
    fn a_lapsed_training_or_check_is_named() {
        let p = profile();
        let lapses = p.lapses(date!(2027 - 03 - 01));
        assert_eq!(lapses.len(), 1, "{lapses:?}");
        assert!(lapses[0].contains("Peer support basics"), "{lapses:?}");
        let old = p.lapses(date!(2029 - 06 - 01));
        assert!(old.iter().any(|l| l.contains("three years")), "{old:?}");
        let mut failed = profile();
        failed.vetting = Some(Vetting {
            checked_on: date!(2026 - 01 - 10),
            result: CheckResult::Pending,
        });
        assert!(!failed.eligible(date!(2026 - 12 - 07)));
        assert!(!VolunteerProfile::default().eligible(date!(2026 - 12 - 07)));
    }

    #[test]
    fn first_contact_is_due_by_crisis_level() {
        assert_eq!(CrisisLevel::Acute.first_contact_due(0), 4 * 3_600_000_000);
        assert_eq!(CrisisLevel::Moderate.first_contact_hours(), 24);
    }

    #[test]
    fn codes_round_trip_and_the_profile_is_stored_as_json() {
        for n in Need::all() {
            assert_eq!(Need::parse(n.code()), Some(n));
        }
        let p = profile();
        let back: VolunteerProfile =
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}
