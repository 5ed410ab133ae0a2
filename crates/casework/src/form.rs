//! The caseworker's forms: raw strings as a browser sends them, checked into a [`Child`] or an
//! [`Episode`], with every problem named by its field and told in words that say what to do.
//!
//! Validation collects all errors at once, so a form is re-shown with every message in one go.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::model::{
    iso, parse_iso_date, whole_years, Agency, Child, Circumstance, Contact, Custody, Episode,
    Guardian, Place, Recovery, Sex, StatedAge,
};

/// The longest name, city or contact field we accept.
pub const MAX_SHORT: usize = 200;
/// The longest description we accept (it has to fit on a poster).
pub const MAX_DESCRIPTION: usize = 2_000;
/// Ages above this are not a child's case.
pub const MAX_AGE: u32 = 20;

/// USPS codes of the states, DC and the territories.
pub const STATE_CODES: [&str; 56] = [
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "GU", "VI", "AS", "MP",
];

/// One problem with one field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The form field's name, e.g. `recovered_on` or `guardians[1].phone`.
    pub field: String,
    /// What is wrong and what to do, in plain words.
    pub message: String,
}

/// Every problem found in a form, in field order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    /// The message for a field, if it has one (the first, if several).
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for FormErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

/// The child form, as posted. Empty strings mean "not filled in".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChildForm {
    pub name: String,
    /// One per line, or separated by commas.
    pub aliases: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// Whole years, when the date of birth is unknown.
    pub age: String,
    /// The day the age was given (`YYYY-MM-DD`); today when left empty.
    pub age_as_of: String,
    pub sex: String,
    pub description: String,
    /// `family`, `foster_care`, `group_home` or `other_agency`.
    pub custody: String,
    /// Rows left wholly empty are ignored.
    pub guardians: Vec<GuardianForm>,
    pub agency_name: String,
    pub caseworker_name: String,
    pub caseworker_phone: String,
    pub caseworker_email: String,
}

/// One guardian row of the child form.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardianForm {
    pub name: String,
    pub relation: String,
    pub phone: String,
    pub email: String,
}

/// The episode form, as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EpisodeForm {
    pub reported_on: String,
    /// Optional; must not be after `reported_on`.
    pub last_seen_on: String,
    pub last_seen_city: String,
    pub last_seen_state: String,
    pub circumstance: String,
    pub reported_by: String,
    /// Leave all four recovery fields empty while the child is missing.
    pub recovered_on: String,
    pub recovery_city: String,
    pub recovery_state: String,
    pub recovery_how: String,
}

impl ChildForm {
    /// Checks the form as of `today` (no date may be later).
    pub fn validate(&self, today: Date) -> Result<Child, FormErrors> {
        let mut errs = FormErrors::default();
        let name = required(
            &mut errs,
            "name",
            &self.name,
            "enter the child's name (the name they are known by)",
        );
        let aliases = aliases(&mut errs, &self.aliases, &name);
        let date_of_birth = optional_date(&mut errs, "date_of_birth", &self.date_of_birth, today);
        let stated_age = self.stated_age(&mut errs, today);
        if let (Some(dob), Some(s)) = (date_of_birth, stated_age) {
            let from_dob = whole_years(dob, s.on);
            if i64::from(from_dob) != i64::from(s.years) {
                errs.add(
                    "age",
                    format!(
                        "a child born {} was {from_dob} on {}, not {}; correct one of them or \
                         leave the age empty",
                        iso(dob),
                        iso(s.on),
                        s.years
                    ),
                );
            }
        }
        if let Some(dob) = date_of_birth {
            if whole_years(dob, today) > 120 {
                errs.add(
                    "date_of_birth",
                    format!("{} is too long ago; check the year", iso(dob)),
                );
            }
        }
        let sex = match self.sex.trim() {
            "" => None,
            s => Sex::parse(s)
                .map_err(|_| errs.add("sex", "choose female or male, or leave it empty"))
                .ok(),
        };
        let description = self.description.trim().to_owned();
        if description.chars().count() > MAX_DESCRIPTION {
            errs.add(
                "description",
                format!("shorten the description to {MAX_DESCRIPTION} characters or fewer"),
            );
        }
        let custody = match self.custody.trim() {
            "" => {
                errs.add(
                    "custody",
                    "choose who has custody: family, foster care, group home or other agency",
                );
                None
            }
            s => Custody::parse(s)
                .map_err(|e| errs.add("custody", e.to_string()))
                .ok(),
        };
        let guardians = self.guardians(&mut errs);
        let agency = self.agency(&mut errs, custody);
        if custody == Some(Custody::Family) && guardians.is_empty() {
            errs.add(
                "guardians[0].name",
                "enter at least one parent or guardian for a child in family custody",
            );
        }
        match (errs.is_empty(), custody) {
            (true, Some(custody)) => Ok(Child {
                name,
                aliases,
                date_of_birth,
                stated_age,
                sex,
                description,
                photos: Vec::new(),
                custody,
                guardians,
                agency,
            }),
            _ => Err(errs),
        }
    }

    fn stated_age(&self, errs: &mut FormErrors, today: Date) -> Option<StatedAge> {
        let age = self.age.trim();
        if age.is_empty() {
            if !self.age_as_of.trim().is_empty() {
                errs.add("age", "enter the age that was given on that day");
            }
            return None;
        }
        let years = match age.parse::<u32>() {
            Ok(y) if y <= MAX_AGE => Some(y),
            Ok(_) => {
                errs.add(
                    "age",
                    format!("a child's age is 0 to {MAX_AGE}; check the number"),
                );
                None
            }
            Err(_) => {
                errs.add("age", "enter the age as a whole number of years, e.g. 15");
                None
            }
        };
        let on = match self.age_as_of.trim() {
            "" => Some(today),
            s => date(errs, "age_as_of", s, today),
        };
        Some(StatedAge {
            years: years?,
            on: on?,
        })
    }

    fn guardians(&self, errs: &mut FormErrors) -> Vec<Guardian> {
        let mut out = Vec::new();
        for (i, g) in self.guardians.iter().enumerate() {
            if [&g.name, &g.relation, &g.phone, &g.email]
                .iter()
                .all(|s| s.trim().is_empty())
            {
                continue;
            }
            let f = |name: &str| format!("guardians[{i}].{name}");
            let name = required(errs, &f("name"), &g.name, "enter the guardian's name");
            let relation = short(errs, &f("relation"), &g.relation);
            let phone = phone(errs, &f("phone"), &g.phone);
            let email = email(errs, &f("email"), &g.email);
            out.push(Guardian {
                name,
                relation,
                phone,
                email,
            });
        }
        out
    }

    fn agency(&self, errs: &mut FormErrors, custody: Option<Custody>) -> Option<Agency> {
        let filled = [
            &self.agency_name,
            &self.caseworker_name,
            &self.caseworker_phone,
            &self.caseworker_email,
        ]
        .iter()
        .any(|s| !s.trim().is_empty());
        let in_care = custody.is_some_and(Custody::is_care);
        if !in_care && !filled {
            return None;
        }
        let what = custody.map_or("care", Custody::label);
        let name = if in_care {
            required(
                errs,
                "agency_name",
                &self.agency_name,
                &format!("enter the agency that has custody (the child is in {what})"),
            )
        } else {
            short(errs, "agency_name", &self.agency_name)
        };
        let caseworker = Contact {
            name: if in_care {
                required(
                    errs,
                    "caseworker_name",
                    &self.caseworker_name,
                    "enter the child's caseworker at the agency",
                )
            } else {
                short(errs, "caseworker_name", &self.caseworker_name)
            },
            phone: phone(errs, "caseworker_phone", &self.caseworker_phone),
            email: email(errs, "caseworker_email", &self.caseworker_email),
        };
        Some(Agency { name, caseworker })
    }
}

impl EpisodeForm {
    /// Checks the form as of `today` (no date may be later).
    pub fn validate(&self, today: Date) -> Result<Episode, FormErrors> {
        let mut errs = FormErrors::default();
        let reported_on = match self.reported_on.trim() {
            "" => {
                errs.add(
                    "reported_on",
                    "enter the date the child was reported missing, as YYYY-MM-DD",
                );
                None
            }
            s => date(&mut errs, "reported_on", s, today),
        };
        let last_seen_on = optional_date(&mut errs, "last_seen_on", &self.last_seen_on, today);
        if let (Some(r), Some(l)) = (reported_on, last_seen_on) {
            if l > r {
                errs.add(
                    "last_seen_on",
                    format!(
                        "the last-seen date {} is after the report date {}; the child is last \
                         seen before being reported missing, so check both dates",
                        iso(l),
                        iso(r)
                    ),
                );
            }
        }
        let last_seen_place = place(
            &mut errs,
            ("last_seen_city", "last_seen_state"),
            (&self.last_seen_city, &self.last_seen_state),
            "where the child was last seen",
        );
        let circumstance = match self.circumstance.trim() {
            "" => {
                errs.add(
                    "circumstance",
                    "choose the circumstance: endangered runaway, family abduction, non-family \
                     abduction, lost/injured/otherwise missing, or missing from care",
                );
                None
            }
            s => Circumstance::parse(s)
                .map_err(|e| errs.add("circumstance", e.to_string()))
                .ok(),
        };
        let reported_by = required(
            &mut errs,
            "reported_by",
            &self.reported_by,
            "enter who reported the child missing (a name or a role, e.g. \"foster parent\")",
        );
        let recovered = self.recovery(&mut errs, reported_on, last_seen_on, today);
        match (
            errs.is_empty(),
            reported_on,
            last_seen_place,
            circumstance,
            recovered,
        ) {
            (true, Some(reported_on), Some(last_seen_place), Some(circumstance), Ok(recovered)) => {
                Ok(Episode {
                    reported_on,
                    last_seen_on,
                    last_seen_place,
                    circumstance,
                    reported_by,
                    recovered,
                })
            }
            _ => Err(errs),
        }
    }

    /// `Ok(None)` while the child is missing; `Err(())` when a recovery field is wrong (its
    /// error is in `errs`).
    fn recovery(
        &self,
        errs: &mut FormErrors,
        reported_on: Option<Date>,
        last_seen_on: Option<Date>,
        today: Date,
    ) -> Result<Option<Recovery>, ()> {
        let fields = [
            &self.recovered_on,
            &self.recovery_city,
            &self.recovery_state,
            &self.recovery_how,
        ];
        if fields.iter().all(|s| s.trim().is_empty()) {
            return Ok(None);
        }
        let before = errs.0.len();
        let on = match self.recovered_on.trim() {
            "" => {
                errs.add(
                    "recovered_on",
                    "enter the date the child was recovered, or clear the other recovery fields \
                     while the child is missing",
                );
                None
            }
            s => date(errs, "recovered_on", s, today),
        };
        if let (Some(on), Some(r)) = (on, reported_on) {
            if on < r {
                errs.add(
                    "recovered_on",
                    format!(
                        "the recovery date {} is before the report date {}; check both dates",
                        iso(on),
                        iso(r)
                    ),
                );
            }
        }
        if let (Some(on), Some(l)) = (on, last_seen_on) {
            if on < l && reported_on.is_none_or(|r| on >= r) {
                errs.add(
                    "recovered_on",
                    format!(
                        "the recovery date {} is before the last-seen date {}; check both dates",
                        iso(on),
                        iso(l)
                    ),
                );
            }
        }
        let place = place(
            errs,
            ("recovery_city", "recovery_state"),
            (&self.recovery_city, &self.recovery_state),
            "where the child was recovered",
        );
        let how = required(
            errs,
            "recovery_how",
            &self.recovery_how,
            "say how the child was recovered (e.g. \"returned on their own\", \"located by \
             police\")",
        );
        match (errs.0.len() == before, on, place) {
            (true, Some(on), Some(place)) => Ok(Some(Recovery {
                on,
                place: Some(place),
                how,
            })),
            _ => Err(()),
        }
    }
}

/// The trimmed value, or an error with `missing` when it is empty or too long.
fn required(errs: &mut FormErrors, field: &str, value: &str, missing: &str) -> String {
    let v = value.trim();
    if v.is_empty() {
        errs.add(field, missing);
    }
    checked_short(errs, field, v)
}

fn short(errs: &mut FormErrors, field: &str, value: &str) -> String {
    checked_short(errs, field, value.trim())
}

fn checked_short(errs: &mut FormErrors, field: &str, v: &str) -> String {
    if v.chars().count() > MAX_SHORT {
        errs.add(
            field,
            format!("shorten this to {MAX_SHORT} characters or fewer"),
        );
    } else if v.chars().any(char::is_control) {
        errs.add(field, "remove the line breaks or tabs from this field");
    }
    v.to_owned()
}

fn aliases(errs: &mut FormErrors, input: &str, name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in input.split(['\n', ',', ';']).map(str::trim) {
        if a.is_empty() || a.eq_ignore_ascii_case(name) || out.iter().any(|o| o == a) {
            continue;
        }
        if a.chars().count() > MAX_SHORT || a.chars().any(char::is_control) {
            errs.add(
                "aliases",
                format!("keep each alias under {MAX_SHORT} characters, one per line"),
            );
            break;
        }
        out.push(a.to_owned());
    }
    out
}

fn date(errs: &mut FormErrors, field: &str, value: &str, today: Date) -> Option<Date> {
    let v = value.trim();
    let Some(d) = parse_iso_date(v) else {
        let shown: String = v.chars().take(20).collect();
        errs.add(
            field,
            format!(
                "{shown:?} is not a date; use YYYY-MM-DD, e.g. {}",
                iso(today)
            ),
        );
        return None;
    };
    if d > today {
        errs.add(
            field,
            format!(
                "{} is in the future; enter a date on or before today ({})",
                iso(d),
                iso(today)
            ),
        );
        return None;
    }
    Some(d)
}

fn optional_date(errs: &mut FormErrors, field: &str, value: &str, today: Date) -> Option<Date> {
    if value.trim().is_empty() {
        None
    } else {
        date(errs, field, value, today)
    }
}

fn place(
    errs: &mut FormErrors,
    (city_field, state_field): (&str, &str),
    (city, state): (&str, &str),
    what: &str,
) -> Option<Place> {
    let before = errs.0.len();
    let city = required(errs, city_field, city, &format!("enter the city {what}"));
    let state = state.trim().to_ascii_uppercase();
    if state.is_empty() {
        errs.add(
            state_field,
            format!("enter the state {what}, as its two-letter code, e.g. TX"),
        );
    } else if !STATE_CODES.contains(&state.as_str()) {
        let shown: String = state.chars().take(20).collect();
        errs.add(
            state_field,
            format!(
                "{shown:?} is not a US state or territory code; use the two-letter postal code, \
                 e.g. TX"
            ),
        );
    }
    (errs.0.len() == before).then_some(Place { city, state })
}

fn phone(errs: &mut FormErrors, field: &str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .all(|c| c.is_ascii_digit() || " +-.()/x".contains(c));
    if !(7..=15).contains(&digits) || !allowed {
        errs.add(
            field,
            "enter a phone number of 7 to 15 digits, e.g. (555) 010-0123",
        );
        return None;
    }
    Some(v.to_owned())
}

fn email(errs: &mut FormErrors, field: &str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let ok = v.len() <= MAX_SHORT
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
        && v.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !ok {
        errs.add(
            field,
            "enter an email address like name@example.org, or leave it empty",
        );
        return None;
    }
    Some(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 09 - 20);

    fn episode_form() -> EpisodeForm {
        EpisodeForm {
            reported_on: "2026-09-12".into(),
            last_seen_on: "2026-09-11".into(),
            last_seen_city: "Tulsa".into(),
            last_seen_state: "ok".into(),
            circumstance: "endangered runaway".into(),
            reported_by: "foster parent".into(),
            ..EpisodeForm::default()
        }
    }

    fn child_form() -> ChildForm {
        ChildForm {
            name: " Ana Example ".into(),
            aliases: "Annie\nA.E., Annie".into(),
            date_of_birth: "2011-04-02".into(),
            sex: "F".into(),
            description: "5 ft 2 in, brown hair".into(),
            custody: "foster_care".into(),
            agency_name: "County Children's Services".into(),
            caseworker_name: "Cas Worker".into(),
            caseworker_phone: "555-010-0199".into(),
            ..ChildForm::default()
        }
    }

    #[test]
    fn a_good_episode_is_accepted() {
        let e = episode_form().validate(TODAY).expect("valid");
        assert_eq!(e.reported_on, date!(2026 - 09 - 12));
        assert_eq!(e.last_seen_place.to_string(), "Tulsa, OK");
        assert_eq!(e.circumstance, Circumstance::EndangeredRunaway);
        assert_eq!(e.recovered, None);
    }

    #[test]
    fn episode_errors_name_the_field_and_what_to_do() {
        let mut f = episode_form();
        f.recovered_on = "2026-09-01".into();
        f.recovery_city = "Tulsa".into();
        f.recovery_state = "OK".into();
        f.recovery_how = "returned home".into();
        let e = f.validate(TODAY).unwrap_err();
        assert_eq!(
            e.for_field("recovered_on"),
            Some("the recovery date 2026-09-01 is before the report date 2026-09-12; check both dates")
        );

        let mut f = episode_form();
        f.reported_on = "2026-10-01".into();
        let e = f.validate(TODAY).unwrap_err();
        assert_eq!(
            e.for_field("reported_on"),
            Some("2026-10-01 is in the future; enter a date on or before today (2026-09-20)")
        );

        let mut f = episode_form();
        f.last_seen_state = "Oklahoma".into();
        f.reported_by = " ".into();
        f.recovery_how = "found".into();
        let e = f.validate(TODAY).unwrap_err();
        assert!(e
            .for_field("last_seen_state")
            .is_some_and(|m| m.contains("two-letter")));
        assert!(e.for_field("reported_by").is_some());
        assert!(e
            .for_field("recovered_on")
            .is_some_and(|m| m.starts_with("enter the date the child was recovered")));
        assert!(e.for_field("recovery_city").is_some());
    }

    #[test]
    fn a_good_child_is_accepted_and_trimmed() {
        let c = child_form().validate(TODAY).expect("valid");
        assert_eq!(c.name, "Ana Example");
        assert_eq!(c.aliases, vec!["Annie", "A.E."]);
        assert_eq!(c.custody, Custody::FosterCare);
        assert_eq!(c.sex, Some(Sex::Female));
        assert_eq!(
            c.agency.as_ref().map(|a| a.caseworker.name.as_str()),
            Some("Cas Worker")
        );
    }

    #[test]
    fn child_errors_name_the_field() {
        let mut f = child_form();
        f.name = "".into();
        f.agency_name = "".into();
        f.age = "9".into();
        f.age_as_of = "2026-01-01".into();
        f.caseworker_email = "nobody".into();
        let e = f.validate(TODAY).unwrap_err();
        assert_eq!(
            e.for_field("name"),
            Some("enter the child's name (the name they are known by)")
        );
        assert_eq!(
            e.for_field("agency_name"),
            Some("enter the agency that has custody (the child is in foster care)")
        );
        assert!(e
            .for_field("age")
            .is_some_and(|m| m.contains("was 14 on 2026-01-01, not 9")));
        assert!(e.for_field("caseworker_email").is_some());

        let mut f = child_form();
        f.custody = "family".into();
        let e = f.validate(TODAY).unwrap_err();
        assert!(e.for_field("guardians[0].name").is_some());
        f.guardians = vec![
            GuardianForm::default(),
            GuardianForm {
                name: "Pat Example".into(),
                relation: "mother".into(),
                phone: "12".into(),
                ..GuardianForm::default()
            },
        ];
        let e = f.validate(TODAY).unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        assert!(e.for_field("guardians[1].phone").is_some());
    }

    proptest! {
        #[test]
        fn form_validation_never_panics(
            fields in proptest::collection::vec(
                prop_oneof![
                    ".*",
                    "[0-9]{4}-[0-9]{2}-[0-9]{2}",
                    Just(String::new()),
                    "[A-Za-z_ ]{0,12}",
                    "[0-9 ()+.-]{0,20}",
                ],
                14,
            ),
            rows in 0usize..3,
        ) {
            let f = |i: usize| fields[i % fields.len()].clone();
            let child = ChildForm {
                name: f(0), aliases: f(1), date_of_birth: f(2), age: f(3), age_as_of: f(4),
                sex: f(5), description: f(6), custody: f(7),
                guardians: (0..rows).map(|r| GuardianForm {
                    name: f(8 + r), relation: f(9), phone: f(10 + r), email: f(11),
                }).collect(),
                agency_name: f(12), caseworker_name: f(13), caseworker_phone: f(3),
                caseworker_email: f(1),
            };
            if let Ok(c) = child.validate(TODAY) {
                prop_assert!(!c.name.is_empty());
            }
            let episode = EpisodeForm {
                reported_on: f(0), last_seen_on: f(2), last_seen_city: f(5),
                last_seen_state: f(6), circumstance: f(7), reported_by: f(8),
                recovered_on: f(9), recovery_city: f(10), recovery_state: f(11),
                recovery_how: f(12),
            };
            match episode.validate(TODAY) {
                Ok(e) => {
                    prop_assert!(e.reported_on <= TODAY);
                    if let Some(r) = &e.recovered {
                        prop_assert!(r.on >= e.reported_on);
                    }
                }
                Err(errs) => prop_assert!(!errs.0.is_empty()),
            }
        }
    }
}
