//! The forms of family support as people and scripts fill them in (plain strings), checked
//! field by field into the model. Every error names its field and says what to do; a form
//! with any error yields nothing. Used by the pages and the API alike.

use crate::model::{
    parse_date, CheckResult, CloseReason, Coded, ContactEntry, ContactKind, CrisisLevel,
    Experience, FamilyProfile, Member, Need, Slot, Training, Vetting, VolunteerProfile,
};
use time::{Date, Duration, PrimitiveDateTime};

/// One field that was wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// Every field that was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

struct Check(Vec<FieldError>);

impl Check {
    fn err(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push(FieldError {
            field,
            message: message.into(),
        });
    }

    /// A trimmed text of at most `max` characters; empty is refused when `required`.
    fn text(
        &mut self,
        field: &'static str,
        label: &str,
        v: &str,
        max: usize,
        required: bool,
    ) -> String {
        let v = v.trim();
        if required && v.is_empty() {
            self.err(field, format!("Enter {label}"));
        } else if v.chars().count() > max {
            self.err(
                field,
                format!("{} must be {max} characters or fewer", capital(label)),
            );
        }
        v.to_owned()
    }

    fn one<T: Coded>(&mut self, field: &'static str, label: &str, v: &str) -> Option<T> {
        let r = T::parse(v);
        if r.is_none() {
            self.err(field, format!("Select {label}"));
        }
        r
    }

    fn many<T: Coded + Ord>(&mut self, field: &'static str, label: &str, vs: &[String]) -> Vec<T> {
        let mut out = Vec::new();
        for v in vs.iter().filter(|v| !v.trim().is_empty()) {
            match T::parse(v) {
                Some(x) => out.push(x),
                None => self.err(
                    field,
                    format!(
                        "{} has no choice \"{}\": pick from the list",
                        capital(label),
                        short(v)
                    ),
                ),
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn date(&mut self, field: &'static str, label: &str, v: &str, required: bool) -> Option<Date> {
        if v.trim().is_empty() {
            if required {
                self.err(field, format!("Enter {label} as YYYY-MM-DD"));
            }
            return None;
        }
        let d = parse_date(v);
        if d.is_none() {
            self.err(
                field,
                format!("{} must be a real date written YYYY-MM-DD", capital(label)),
            );
        }
        d
    }

    fn done<T>(self, v: impl FnOnce() -> T) -> Result<T, FormErrors> {
        if self.0.is_empty() {
            Ok(v())
        } else {
            Err(FormErrors(self.0))
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn short(s: &str) -> String {
    s.trim().chars().take(40).collect()
}

/// `2026-12-07T14:30` (a browser's `datetime-local`) or `2026-12-07` as UTC microseconds.
pub fn parse_when(s: &str) -> Option<i64> {
    let s = s.trim();
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let t = match PrimitiveDateTime::parse(s.get(..16).unwrap_or(s), &fmt) {
        Ok(t) => t,
        Err(_) => parse_date(s)?.midnight(),
    };
    let nanos = t.assume_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1000).ok()
}

/// The family's case as filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct FamilyForm {
    pub family_name: String,
    /// One member a line: `Name, relationship`.
    pub members: String,
    pub contact_person: String,
    pub language: String,
    pub times: Vec<String>,
    pub time_zone: String,
    pub safe_contact: String,
    pub their_words: String,
    pub needs: Vec<String>,
    pub crisis: String,
    pub experience: String,
    pub volunteer_notes: String,
}

impl FamilyForm {
    pub fn check(&self) -> Result<FamilyProfile, FormErrors> {
        let mut c = Check(Vec::new());
        let family_name = c.text(
            "family_name",
            "the family's name",
            &self.family_name,
            120,
            true,
        );
        let mut members = Vec::new();
        for line in self
            .members
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let (name, rel) = line.split_once(',').unwrap_or((line, ""));
            if name.trim().chars().count() > 120 || rel.trim().chars().count() > 60 {
                c.err("members", "Each member's line must be a name of 120 characters or fewer, a comma, and a relationship");
            }
            members.push(Member {
                name: name.trim().to_owned(),
                relationship: rel.trim().to_owned(),
            });
        }
        if members.len() > 30 {
            c.err("members", "List at most 30 members");
        }
        let contact_person = c.text(
            "contact_person",
            "the contact person",
            &self.contact_person,
            120,
            true,
        );
        let language = c.text(
            "language",
            "the family's preferred language",
            &self.language,
            60,
            true,
        );
        let times = c.many::<Slot>("times", "times", &self.times);
        let time_zone = c.text("time_zone", "the time zone", &self.time_zone, 60, false);
        let safe_contact = c.text(
            "safe_contact",
            "how to contact the family safely",
            &self.safe_contact,
            2000,
            true,
        );
        let their_words = c.text(
            "their_words",
            "what happened",
            &self.their_words,
            8000,
            false,
        );
        let needs = c.many::<Need>("needs", "needs", &self.needs);
        let crisis = c.one::<CrisisLevel>("crisis", "the crisis level", &self.crisis);
        let experience = c.one::<Experience>("experience", "the kind of case", &self.experience);
        let volunteer_notes = c.text(
            "volunteer_notes",
            "notes for the volunteer",
            &self.volunteer_notes,
            2000,
            false,
        );
        c.done(|| FamilyProfile {
            family_name,
            members,
            contact_person,
            language,
            times,
            time_zone,
            safe_contact,
            their_words,
            needs,
            crisis: crisis.unwrap_or(CrisisLevel::Moderate),
            experience: experience.unwrap_or(Experience::Runaway),
            volunteer_notes,
        })
    }

    /// The form showing a stored profile, for editing.
    pub fn from_profile(p: &FamilyProfile) -> FamilyForm {
        FamilyForm {
            family_name: p.family_name.clone(),
            members: p
                .members
                .iter()
                .map(|m| {
                    if m.relationship.is_empty() {
                        m.name.clone()
                    } else {
                        format!("{}, {}", m.name, m.relationship)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            contact_person: p.contact_person.clone(),
            language: p.language.clone(),
            times: p.times.iter().map(|t| t.code().to_owned()).collect(),
            time_zone: p.time_zone.clone(),
            safe_contact: p.safe_contact.clone(),
            their_words: p.their_words.clone(),
            needs: p.needs.iter().map(|n| n.code().to_owned()).collect(),
            crisis: p.crisis.code().to_owned(),
            experience: p.experience.code().to_owned(),
            volunteer_notes: p.volunteer_notes.clone(),
        }
    }
}

/// A contact log entry as filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub kind: String,
    /// `YYYY-MM-DDTHH:MM` (UTC) or empty for now.
    pub at: String,
    pub with_whom: String,
    pub summary: String,
    pub next_step: String,
    /// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`; empty when there is no next step.
    pub next_due: String,
}

impl ContactForm {
    /// Checked against `now` (UTC microseconds): a contact cannot be in the future.
    pub fn check(&self, now: i64) -> Result<ContactEntry, FormErrors> {
        let mut c = Check(Vec::new());
        let kind = c.one::<ContactKind>("kind", "call, message or meeting", &self.kind);
        let at = if self.at.trim().is_empty() {
            now
        } else {
            match parse_when(&self.at) {
                Some(t) if t <= now => t,
                Some(_) => {
                    c.err("at", "When it happened cannot be in the future");
                    now
                }
                None => {
                    c.err(
                        "at",
                        "When it happened must be a date and time written YYYY-MM-DDTHH:MM",
                    );
                    now
                }
            }
        };
        let with_whom = c.text(
            "with_whom",
            "who you spoke with",
            &self.with_whom,
            120,
            true,
        );
        let summary = c.text("summary", "a summary", &self.summary, 4000, true);
        let next_step = c.text("next_step", "the next step", &self.next_step, 1000, false);
        let next_due = if self.next_due.trim().is_empty() {
            if !next_step.is_empty() {
                c.err("next_due", "Enter when the next step is due, as YYYY-MM-DD");
            }
            None
        } else {
            let d = parse_when(&self.next_due);
            if d.is_none() {
                c.err(
                    "next_due",
                    "When the next step is due must be a real date written YYYY-MM-DD",
                );
            }
            d
        };
        c.done(|| ContactEntry {
            kind: kind.unwrap_or(ContactKind::Call),
            at,
            with_whom,
            summary,
            next_step,
            next_due,
        })
    }
}

/// A volunteer's profile as filled in (training records are added one at a time).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct VolunteerForm {
    /// Comma-separated.
    pub languages: String,
    pub time_zone: String,
    pub availability: Vec<String>,
    pub experiences: Vec<String>,
    /// `YYYY-MM-DD`, empty when no check is recorded yet.
    pub check_date: String,
    pub check_result: String,
}

impl VolunteerForm {
    /// The profile, keeping `trainings` as they were.
    pub fn check(&self, trainings: Vec<Training>) -> Result<VolunteerProfile, FormErrors> {
        let mut c = Check(Vec::new());
        let languages: Vec<String> = self
            .languages
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        if languages.is_empty() {
            c.err(
                "languages",
                "Enter the languages the volunteer speaks, separated by commas",
            );
        } else if languages.len() > 10 || languages.iter().any(|l| l.chars().count() > 60) {
            c.err(
                "languages",
                "Enter at most 10 languages of 60 characters or fewer",
            );
        }
        let time_zone = c.text("time_zone", "the time zone", &self.time_zone, 60, true);
        let availability = c.many::<Slot>("availability", "availability", &self.availability);
        let experiences =
            c.many::<Experience>("experiences", "lived experience", &self.experiences);
        let date = c.date(
            "check_date",
            "the background check's date",
            &self.check_date,
            false,
        );
        let vetting = match (date, self.check_result.trim()) {
            (None, "") => None,
            (Some(d), r) => c
                .one::<CheckResult>("check_result", "the background check's result", r)
                .map(|result| Vetting {
                    checked_on: d,
                    result,
                }),
            (None, _) => {
                if !self.check_date.trim().is_empty() {
                    None
                } else {
                    c.err(
                        "check_date",
                        "Enter the background check's date as YYYY-MM-DD",
                    );
                    None
                }
            }
        };
        c.done(|| VolunteerProfile {
            vetting,
            trainings,
            availability,
            languages,
            time_zone,
            experiences,
        })
    }
}

/// A training record as filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct TrainingForm {
    pub name: String,
    pub completed_on: String,
    /// Empty: a year after completion.
    pub renewal_due: String,
}

impl TrainingForm {
    pub fn check(&self) -> Result<Training, FormErrors> {
        let mut c = Check(Vec::new());
        let name = c.text("name", "the training's name", &self.name, 120, true);
        let done = c.date(
            "completed_on",
            "the date the training was completed",
            &self.completed_on,
            true,
        );
        let due = c.date("renewal_due", "the renewal date", &self.renewal_due, false);
        if let (Some(d), Some(r)) = (done, due) {
            if r <= d {
                c.err(
                    "renewal_due",
                    "The renewal date must be after the date the training was completed",
                );
            }
        }
        c.done(|| {
            let completed_on = done.unwrap_or(Date::MIN);
            Training {
                name,
                completed_on,
                renewal_due: due.unwrap_or(completed_on + Duration::days(365)),
            }
        })
    }
}

/// Closing a case: the reason and, if the family answered it, the survey.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct CloseForm {
    pub reason: String,
    /// 1 (not helpful) to 5 (very helpful); empty when the family did not answer.
    pub helpfulness: String,
}

impl CloseForm {
    pub fn check(&self) -> Result<(CloseReason, Option<u8>), FormErrors> {
        let mut c = Check(Vec::new());
        let reason = c.one::<CloseReason>("reason", "why the case is closed", &self.reason);
        let h = self.helpfulness.trim();
        let survey = if h.is_empty() {
            None
        } else {
            match h.parse::<u8>() {
                Ok(n @ 1..=5) => Some(n),
                _ => {
                    c.err(
                        "helpfulness",
                        "How helpful the support was must be a number from 1 to 5, or left empty",
                    );
                    None
                }
            }
        };
        c.done(|| (reason.unwrap_or(CloseReason::SupportComplete), survey))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn family() -> FamilyForm {
        FamilyForm {
            family_name: "The Rivera family".into(),
            members: "Ana Rivera, mother\nLuis Rivera, brother".into(),
            contact_person: "Ana Rivera".into(),
            language: "Spanish".into(),
            times: vec!["weekday_evenings".into()],
            time_zone: "America/Chicago".into(),
            safe_contact: "Mobile only, after 6 pm".into(),
            their_words: "Our daughter did not come home from school.".into(),
            needs: vec!["media".into(), "emotional_support".into()],
            crisis: "high".into(),
            experience: "runaway".into(),
            volunteer_notes: String::new(),
        }
    }

    #[test]
    fn a_filled_family_form_checks_and_round_trips() {
        let p = family().check().unwrap();
        assert_eq!(p.members.len(), 2);
        assert_eq!(p.members[1].relationship, "brother");
        assert_eq!(p.needs, vec![Need::EmotionalSupport, Need::Media]);
        assert_eq!(FamilyForm::from_profile(&p).check().unwrap(), p);
    }

    #[test]
    fn a_member_without_relationship_is_shown_for_editing_without_a_stray_comma() {
        let f = FamilyForm {
            members: "Ana Rivera, mother\nLuis Rivera".into(),
            ..family()
        };
        let p = f.check().unwrap();
        let again = FamilyForm::from_profile(&p);
        assert_eq!(again.members, "Ana Rivera, mother\nLuis Rivera");
        assert_eq!(again.check().unwrap(), p);
    }

    #[test]
    fn every_wrong_field_is_named() {
        let e = FamilyForm::default().check().unwrap_err();
        for f in [
            "family_name",
            "contact_person",
            "language",
            "safe_contact",
            "crisis",
            "experience",
        ] {
            assert!(e.message_for(f).is_some(), "{f}: {e:?}");
        }
        let c = ContactForm {
            kind: "fax".into(),
            next_step: "Call back".into(),
            ..ContactForm::default()
        }
        .check(0)
        .unwrap_err();
        for f in ["kind", "with_whom", "summary", "next_due"] {
            assert!(c.message_for(f).is_some(), "{f}: {c:?}");
        }
        let s = CloseForm {
            reason: "support_complete".into(),
            helpfulness: "6".into(),
        }
        .check()
        .unwrap_err();
        assert!(s.message_for("helpfulness").is_some());
    }

    #[test]
    fn a_training_is_due_a_year_after_by_default() {
        let t = TrainingForm {
            name: "Basics".into(),
            completed_on: "2026-03-01".into(),
            renewal_due: String::new(),
        }
        .check()
        .unwrap();
        assert_eq!(crate::model::format_date(t.renewal_due), "2027-03-01");
    }

    proptest! {
        #[test]
        fn forms_never_panic(a in ".*", b in ".*", c in ".*", d in ".*") {
            let _ = FamilyForm { family_name: a.clone(), members: b.clone(), crisis: c.clone(), times: vec![d.clone()], ..family() }.check();
            let _ = ContactForm { kind: a.clone(), at: b.clone(), next_due: c.clone(), summary: d.clone(), with_whom: a.clone(), ..ContactForm::default() }.check(1_800_000_000_000_000);
            let _ = VolunteerForm { languages: a.clone(), check_date: b.clone(), check_result: c.clone(), availability: vec![d.clone()], ..VolunteerForm::default() }.check(Vec::new());
            let _ = TrainingForm { name: a.clone(), completed_on: b.clone(), renewal_due: c.clone() }.check();
            let _ = CloseForm { reason: a, helpfulness: b }.check();
            let _ = parse_when(&d);
        }

        #[test]
        fn dates_round_trip(y in 1900i32..2200, o in 1u16..366) {
            let d = Date::from_ordinal_date(y, o).unwrap();
            prop_assert_eq!(parse_date(&crate::model::format_date(d)), Some(d));
        }
    }
}
