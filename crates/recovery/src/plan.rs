//! A recovery plan for a young person: their goals in their own words, strengths, needs by
//! domain, what they asked not to be shared, the consents recorded for each share of
//! information, the review schedule and the transition at 18, and the safety marker shown
//! wherever a contact detail appears. Pure rules only: who may read a plan is the policy's.

use crate::model::{optional_text, parse_date, required_text, ModelError, MAX_LONG, MAX_SHORT};
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

/// A review is "due soon" this many days before its date.
pub const REVIEW_DUE_SOON_DAYS: i64 = 14;
/// The transition section is due this many days before the 18th birthday.
pub const TRANSITION_WINDOW_DAYS: i64 = 180;

/// What was wrong with a plan's field, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Field(#[from] ModelError),
    #[error("'{0}' is not a need domain (one of: {list})", list = PlanDomain::codes())]
    UnknownDomain(String),
    #[error("'{0}' is not a safety marker: use none, do_not_contact or safe_contact_only")]
    UnknownMarker(String),
    #[error("{field} is empty: give a date written YYYY-MM-DD")]
    NoDate { field: &'static str },
    #[error("{field} {value} is in the future: give the date it happened")]
    FutureDate { field: &'static str, value: String },
    #[error("'{0}' is not a reason to close a plan (one of: {list})", list = ClosingReason::codes())]
    UnknownClosingReason(String),
    #[error("choose why the plan is closed")]
    NoClosingReason,
}

/// The domains a plan's needs are recorded by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanDomain {
    Safety,
    Housing,
    Health,
    MentalHealth,
    Education,
    Legal,
    Family,
    BasicNeeds,
}

impl PlanDomain {
    pub const ALL: [PlanDomain; 8] = [
        PlanDomain::Safety,
        PlanDomain::Housing,
        PlanDomain::Health,
        PlanDomain::MentalHealth,
        PlanDomain::Education,
        PlanDomain::Legal,
        PlanDomain::Family,
        PlanDomain::BasicNeeds,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PlanDomain::Safety => "safety",
            PlanDomain::Housing => "housing",
            PlanDomain::Health => "health",
            PlanDomain::MentalHealth => "mental_health",
            PlanDomain::Education => "education",
            PlanDomain::Legal => "legal",
            PlanDomain::Family => "family",
            PlanDomain::BasicNeeds => "basic_needs",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanDomain::Safety => "Safety",
            PlanDomain::Housing => "Housing",
            PlanDomain::Health => "Health",
            PlanDomain::MentalHealth => "Mental health",
            PlanDomain::Education => "Education",
            PlanDomain::Legal => "Legal",
            PlanDomain::Family => "Family",
            PlanDomain::BasicNeeds => "Basic needs",
        }
    }

    fn codes() -> String {
        PlanDomain::ALL
            .iter()
            .map(|d| d.code())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn parse(code: &str) -> Result<PlanDomain, PlanError> {
        let c = code.trim();
        PlanDomain::ALL
            .into_iter()
            .find(|d| d.code() == c)
            .ok_or_else(|| PlanError::UnknownDomain(c.to_owned()))
    }
}

/// How the young person may be contacted: shown beside every contact detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SafetyMarker {
    #[default]
    None,
    /// Nobody contacts the young person directly; go through the plan's team.
    DoNotContact,
    /// Only through the safe contact the team recorded.
    SafeContactOnly,
}

impl SafetyMarker {
    pub const ALL: [SafetyMarker; 3] = [
        SafetyMarker::None,
        SafetyMarker::DoNotContact,
        SafetyMarker::SafeContactOnly,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SafetyMarker::None => "none",
            SafetyMarker::DoNotContact => "do_not_contact",
            SafetyMarker::SafeContactOnly => "safe_contact_only",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SafetyMarker::None => "No marker",
            SafetyMarker::DoNotContact => "Do not contact",
            SafetyMarker::SafeContactOnly => "Safe contact only",
        }
    }

    pub fn parse(code: &str) -> Result<SafetyMarker, PlanError> {
        let c = code.trim();
        if c.is_empty() {
            return Ok(SafetyMarker::None);
        }
        SafetyMarker::ALL
            .into_iter()
            .find(|m| m.code() == c)
            .ok_or_else(|| PlanError::UnknownMarker(c.to_owned()))
    }

    /// Whether a warning goes beside contact details.
    pub fn warns(self) -> bool {
        self != SafetyMarker::None
    }
}

/// Why a recovery plan was closed. A plan never closes because of age (it follows the
/// young person past 18); it closes when the work with them ends, and the reason says how,
/// in words that do not blame the young person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingReason {
    /// The young person's goals were met.
    GoalsMet,
    /// The young person chose to end the plan.
    TheirChoice,
    /// Support passed to another service (adult services, another area's team).
    Transferred,
    /// The young person moved out of the area the team serves.
    MovedAway,
    /// The team lost contact for a long time despite trying.
    NoContact,
    /// Anything else; the note says what.
    Other,
}

impl ClosingReason {
    pub const ALL: [ClosingReason; 6] = [
        ClosingReason::GoalsMet,
        ClosingReason::TheirChoice,
        ClosingReason::Transferred,
        ClosingReason::MovedAway,
        ClosingReason::NoContact,
        ClosingReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClosingReason::GoalsMet => "goals_met",
            ClosingReason::TheirChoice => "their_choice",
            ClosingReason::Transferred => "transferred",
            ClosingReason::MovedAway => "moved_away",
            ClosingReason::NoContact => "no_contact",
            ClosingReason::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClosingReason::GoalsMet => "Their goals were met",
            ClosingReason::TheirChoice => "The young person chose to end the plan",
            ClosingReason::Transferred => "Support passed to another service",
            ClosingReason::MovedAway => "They moved out of the area",
            ClosingReason::NoContact => "No contact for a long time, despite trying",
            ClosingReason::Other => "Another reason",
        }
    }

    fn codes() -> String {
        ClosingReason::ALL
            .iter()
            .map(|r| r.code())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn parse(code: &str) -> Result<ClosingReason, PlanError> {
        let c = code.trim();
        if c.is_empty() {
            return Err(PlanError::NoClosingReason);
        }
        ClosingReason::ALL
            .into_iter()
            .find(|r| r.code() == c)
            .ok_or_else(|| PlanError::UnknownClosingReason(c.to_owned()))
    }
}

/// A goal, in the young person's own words (kept as they said it, never rewritten).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub words: String,
    /// YYYY-MM-DD.
    pub added_on: String,
}

impl Goal {
    pub fn check(words: &str, today: Date) -> Result<Goal, PlanError> {
        Ok(Goal {
            words: required_text("the goal", words, MAX_LONG)?,
            added_on: crate::model::format_date(today),
        })
    }
}

/// A need in one domain, with what the team knows of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainNeed {
    pub domain: PlanDomain,
    pub note: Option<String>,
}

/// The plan's narrative: visible to its team only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Narrative {
    #[serde(default)]
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub strengths: Option<String>,
    /// What the young person asked not to be shared, with anyone.
    #[serde(default)]
    pub not_shared: Option<String>,
    /// Notes of the transition to adult support.
    #[serde(default)]
    pub transition_notes: Option<String>,
    #[serde(default)]
    pub reviews: Vec<Review>,
}

/// A review of the plan with the team's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// YYYY-MM-DD.
    pub on: String,
    pub note: Option<String>,
}

/// The parts of a plan a person edits (the open and update forms), checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanFields {
    /// How the team refers to the young person (a first name or chosen name is enough).
    pub young_person: String,
    pub date_of_birth: Option<Date>,
    pub safety: SafetyMarker,
    pub next_review: Option<Date>,
    pub needs: Vec<DomainNeed>,
    pub strengths: Option<String>,
    pub not_shared: Option<String>,
    pub transition_notes: Option<String>,
}

/// The open/update form as typed; [`PlanForm::check`] gives the fields or errors by field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    pub young_person: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub safety: String,
    #[serde(default)]
    pub next_review: String,
    /// Domain codes of the needs.
    #[serde(default)]
    pub needs: Vec<String>,
    #[serde(default)]
    pub needs_note: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub not_shared: String,
    #[serde(default)]
    pub transition_notes: String,
}

impl PlanForm {
    /// The checked fields, or each wrong field's name with what to do.
    pub fn check(&self, today: Date) -> Result<PlanFields, Vec<(&'static str, String)>> {
        let mut errs: Vec<(&'static str, String)> = Vec::new();
        fn take<T>(
            errs: &mut Vec<(&'static str, String)>,
            field: &'static str,
            r: Result<T, PlanError>,
        ) -> Option<T> {
            r.map_err(|e| errs.push((field, e.to_string()))).ok()
        }
        let young_person = take(
            &mut errs,
            "young_person",
            required_text("the young person's name", &self.young_person, MAX_SHORT)
                .map_err(Into::into),
        );
        let dob = take(
            &mut errs,
            "date_of_birth",
            parse_date("the date of birth", &self.date_of_birth)
                .map_err(PlanError::from)
                .and_then(|d| match d {
                    Some(d) if d > today => Err(PlanError::FutureDate {
                        field: "the date of birth",
                        value: crate::model::format_date(d),
                    }),
                    d => Ok(d),
                }),
        );
        let safety = take(&mut errs, "safety", SafetyMarker::parse(&self.safety));
        let next_review = take(
            &mut errs,
            "next_review",
            parse_date("the next review", &self.next_review).map_err(Into::into),
        );
        let needs = take(
            &mut errs,
            "needs",
            self.needs
                .iter()
                .map(|c| PlanDomain::parse(c))
                .collect::<Result<Vec<_>, _>>(),
        );
        let note = take(
            &mut errs,
            "needs_note",
            optional_text("the note on needs", &self.needs_note, MAX_LONG).map_err(Into::into),
        );
        let strengths = take(
            &mut errs,
            "strengths",
            optional_text("strengths", &self.strengths, MAX_LONG).map_err(Into::into),
        );
        let not_shared = take(
            &mut errs,
            "not_shared",
            optional_text("what not to share", &self.not_shared, MAX_LONG).map_err(Into::into),
        );
        let transition_notes = take(
            &mut errs,
            "transition_notes",
            optional_text("the transition notes", &self.transition_notes, MAX_LONG)
                .map_err(Into::into),
        );
        match (
            young_person,
            dob,
            safety,
            next_review,
            needs,
            note,
            strengths,
            not_shared,
            transition_notes,
        ) {
            (
                Some(young_person),
                Some(date_of_birth),
                Some(safety),
                Some(next_review),
                Some(mut domains),
                Some(note),
                Some(strengths),
                Some(not_shared),
                Some(transition_notes),
            ) if errs.is_empty() => {
                domains.sort();
                domains.dedup();
                let needs = domains
                    .into_iter()
                    .enumerate()
                    .map(|(i, domain)| DomainNeed {
                        domain,
                        note: if i == 0 { note.clone() } else { None },
                    })
                    .collect();
                Ok(PlanFields {
                    young_person,
                    date_of_birth,
                    safety,
                    next_review,
                    needs,
                    strengths,
                    not_shared,
                    transition_notes,
                })
            }
            _ => Err(errs),
        }
    }
}

/// Where a plan's review stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReviewState {
    Overdue,
    DueSoon,
    Scheduled,
    NotScheduled,
}

impl ReviewState {
    pub fn label(self) -> &'static str {
        match self {
            ReviewState::Overdue => "Review overdue",
            ReviewState::DueSoon => "Review due soon",
            ReviewState::Scheduled => "Review scheduled",
            ReviewState::NotScheduled => "No review date",
        }
    }
}

/// The review state of a plan whose next review is `next`.
pub fn review_state(next: Option<Date>, today: Date) -> ReviewState {
    match next {
        None => ReviewState::NotScheduled,
        Some(d) if d < today => ReviewState::Overdue,
        Some(d) if d <= today + Duration::days(REVIEW_DUE_SOON_DAYS) => ReviewState::DueSoon,
        Some(_) => ReviewState::Scheduled,
    }
}

/// The 18th birthday (29 February's is 1 March in a common year).
pub fn eighteenth_birthday(dob: Date) -> Date {
    let year = dob.year() + 18;
    Date::from_calendar_date(year, dob.month(), dob.day())
        .or_else(|_| Date::from_calendar_date(year, Month::March, 1))
        .unwrap_or(dob)
}

/// Where the transition to adult support stands. Reaching 18 never closes a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// Age unknown, or more than [`TRANSITION_WINDOW_DAYS`] before the 18th birthday.
    NotYet,
    /// The transition section is due: open it before the birthday.
    Due { birthday: Date },
    /// Eighteen or over: support goes on.
    Adult { since: Date },
}

pub fn transition(dob: Option<Date>, today: Date) -> Transition {
    let Some(dob) = dob else {
        return Transition::NotYet;
    };
    let birthday = eighteenth_birthday(dob);
    if today >= birthday {
        Transition::Adult { since: birthday }
    } else if today + Duration::days(TRANSITION_WINDOW_DAYS) >= birthday {
        Transition::Due { birthday }
    } else {
        Transition::NotYet
    }
}

/// One share of information the young person consented to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// With whom, in words (an agency, a service, a person's role).
    pub with_whom: String,
    /// What may be shared.
    pub what: String,
    pub given_on: Date,
}

impl Consent {
    pub fn check(
        with_whom: &str,
        what: &str,
        given_on: &str,
        today: Date,
    ) -> Result<Consent, PlanError> {
        let with_whom = required_text("with whom", with_whom, MAX_SHORT)?;
        let what = required_text("what may be shared", what, MAX_LONG)?;
        let given_on =
            parse_date("the date of the consent", given_on)?.ok_or(PlanError::NoDate {
                field: "the date of the consent",
            })?;
        if given_on > today {
            return Err(PlanError::FutureDate {
                field: "the date of the consent",
                value: crate::model::format_date(given_on),
            });
        }
        Ok(Consent {
            with_whom,
            what,
            given_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn closing_reasons_round_trip_and_refuse_unknown_ones() {
        for r in ClosingReason::ALL {
            assert_eq!(ClosingReason::parse(r.code()).unwrap(), r);
            assert!(!r.label().is_empty());
        }
        assert_eq!(
            ClosingReason::parse(" ").unwrap_err(),
            PlanError::NoClosingReason
        );
        let e = ClosingReason::parse("aged_out").unwrap_err().to_string();
        assert!(e.contains("goals_met") && e.contains("aged_out"), "{e}");
    }

    #[test]
    fn reviews_are_overdue_after_their_date() {
        let today = date!(2026 - 06 - 10);
        assert_eq!(review_state(None, today), ReviewState::NotScheduled);
        assert_eq!(
            review_state(Some(date!(2026 - 06 - 09)), today),
            ReviewState::Overdue
        );
        assert_eq!(review_state(Some(today), today), ReviewState::DueSoon);
        assert_eq!(
            review_state(Some(date!(2026 - 07 - 30)), today),
            ReviewState::Scheduled
        );
    }

    #[test]
    fn a_leap_day_birthday_turns_eighteen_on_first_march() {
        assert_eq!(
            eighteenth_birthday(date!(2008 - 02 - 29)),
            date!(2026 - 03 - 01)
        );
        assert_eq!(
            eighteenth_birthday(date!(2008 - 05 - 02)),
            date!(2026 - 05 - 02)
        );
    }

    #[test]
    fn the_transition_opens_before_eighteen_and_support_goes_on_after() {
        let dob = date!(2008 - 09 - 01);
        assert_eq!(
            transition(Some(dob), date!(2026 - 01 - 01)),
            Transition::NotYet
        );
        assert!(matches!(
            transition(Some(dob), date!(2026 - 06 - 01)),
            Transition::Due { .. }
        ));
        assert!(matches!(
            transition(Some(dob), date!(2027 - 06 - 01)),
            Transition::Adult { .. }
        ));
        assert_eq!(transition(None, date!(2027 - 06 - 01)), Transition::NotYet);
    }

    #[test]
    fn the_form_names_each_wrong_field() {
        let today = date!(2026 - 06 - 10);
        let f = PlanForm {
            young_person: " ".into(),
            date_of_birth: "2030-01-01".into(),
            safety: "hide".into(),
            needs: vec!["housing".into(), "magic".into()],
            ..PlanForm::default()
        };
        let errs = f.check(today).unwrap_err();
        let names: Vec<_> = errs.iter().map(|e| e.0).collect();
        assert_eq!(names, ["young_person", "date_of_birth", "safety", "needs"]);
        let ok = PlanForm {
            young_person: "Sam".into(),
            needs: vec!["housing".into(), "safety".into(), "housing".into()],
            safety: "safe_contact_only".into(),
            ..PlanForm::default()
        }
        .check(today)
        .unwrap();
        assert_eq!(ok.needs.len(), 2);
        assert_eq!(ok.safety, SafetyMarker::SafeContactOnly);
    }

    #[test]
    fn a_consent_has_whom_what_and_a_past_date() {
        let today = date!(2026 - 06 - 10);
        assert!(Consent::check("Metro Police", "the plan's needs", "2026-06-01", today).is_ok());
        assert!(Consent::check("", "x", "2026-06-01", today).is_err());
        assert!(Consent::check("A", "x", "", today).is_err());
        assert!(Consent::check("A", "x", "2026-07-01", today).is_err());
    }

    proptest! {
        #[test]
        fn age_never_closes_a_plan(days in 0i64..20_000, after in 0i64..40_000) {
            let dob = date!(1990 - 01 - 01) + Duration::days(days);
            let today = dob + Duration::days(after);
            let t = transition(Some(dob), today);
            let eighteen = eighteenth_birthday(dob);
            match t {
                Transition::Adult { since } => prop_assert!(today >= since && since == eighteen),
                Transition::Due { birthday } => prop_assert!(today < birthday),
                Transition::NotYet => prop_assert!(today < eighteen),
            }
        }

        #[test]
        fn domains_and_markers_round_trip(i in 0usize..8, j in 0usize..3) {
            let d = PlanDomain::ALL[i];
            prop_assert_eq!(PlanDomain::parse(d.code()), Ok(d));
            let m = SafetyMarker::ALL[j];
            prop_assert_eq!(SafetyMarker::parse(m.code()), Ok(m));
        }

        #[test]
        fn review_state_is_ordered_by_date(a in 0i64..400, b in 0i64..400) {
            let today = date!(2026 - 01 - 01) + Duration::days(200);
            let base = date!(2026 - 01 - 01);
            let (x, y) = (base + Duration::days(a.min(b)), base + Duration::days(a.max(b)));
            prop_assert!(review_state(Some(x), today) <= review_state(Some(y), today));
        }
    }
}
