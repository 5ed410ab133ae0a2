//! Partner organisations (clubs, companies, schools) that run awareness events and take
//! the poster feeds: the checked model, the forms as posted, and their checks.

use crate::form::{text, FormErrors};
use casework::model::{iso, parse_iso_date};
use serde::{Deserialize, Serialize};
use time::Date;

/// USPS codes of the states, DC and the territories: the same list case forms check
/// against, so a partner covers exactly the states a poster can be from.
pub use casework::form::STATE_CODES;

/// What kind of organisation a partner is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartnerKind {
    Club,
    Company,
    School,
    Other,
}

impl PartnerKind {
    pub const ALL: [PartnerKind; 4] = [Self::Club, Self::Company, Self::School, Self::Other];

    /// As stored and posted.
    pub fn code(self) -> &'static str {
        match self {
            Self::Club => "club",
            Self::Company => "company",
            Self::School => "school",
            Self::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Club => "Club or community group",
            Self::Company => "Company",
            Self::School => "School or college",
            Self::Other => "Other organisation",
        }
    }

    pub fn parse(s: &str) -> Option<PartnerKind> {
        Self::ALL.into_iter().find(|k| k.code() == s.trim())
    }
}

/// Someone to talk to at a partner.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub name: String,
    /// Their role at the partner ("Events lead").
    pub role: String,
    pub email: String,
    pub phone: String,
}

/// A checked partner organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub name: String,
    pub kind: PartnerKind,
    /// At least one.
    pub contacts: Vec<Contact>,
    /// States where the partner works: sorted, no repeats.
    pub states: Vec<String>,
    /// States whose poster feed the partner republishes: sorted, no repeats; empty when it
    /// takes none.
    pub feed_states: Vec<String>,
    pub notes: String,
}

/// How many contact rows the form offers.
pub const CONTACT_ROWS: usize = 2;

/// The partner form as posted: every field a string, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PartnerForm {
    pub name: String,
    pub kind: String,
    /// `CONTACT_ROWS` rows; the first is required.
    pub contacts: Vec<Contact>,
    /// Two-letter codes separated by spaces or commas.
    pub states: String,
    pub feed_states: String,
    pub notes: String,
}

impl PartnerForm {
    /// The form filled in from a stored partner, for editing.
    pub fn from_partner(p: &Partner) -> PartnerForm {
        let mut contacts = p.contacts.clone();
        contacts.resize(contacts.len().max(CONTACT_ROWS), Contact::default());
        PartnerForm {
            name: p.name.clone(),
            kind: p.kind.code().to_owned(),
            contacts,
            states: p.states.join(" "),
            feed_states: p.feed_states.join(" "),
            notes: p.notes.clone(),
        }
    }

    /// Checks every field; all problems at once.
    pub fn check(&self) -> Result<Partner, FormErrors> {
        let mut errs = FormErrors::default();
        let name = text(
            &mut errs,
            "name",
            &self.name,
            200,
            "enter the organisation's name",
        );
        let kind = PartnerKind::parse(&self.kind);
        if kind.is_none() {
            errs.add(
                "kind",
                "choose what kind of organisation it is: club, company, school or other",
            );
        }
        let mut contacts = Vec::new();
        for (i, c) in self.contacts.iter().enumerate() {
            let f = |n: &str| format!("contact_{n}_{}", i + 1);
            let blank = [&c.name, &c.role, &c.email, &c.phone]
                .iter()
                .all(|s| s.trim().is_empty());
            if blank {
                continue;
            }
            let name = text(
                &mut errs,
                &f("name"),
                &c.name,
                120,
                "enter the contact's name, or clear this contact's other fields",
            );
            let role = text(&mut errs, &f("role"), &c.role, 120, "");
            let email = c.email.trim().to_owned();
            if !email.is_empty() && !looks_like_email(&email) {
                errs.add(
                    f("email"),
                    "enter an email address like name@example.org, or leave it empty",
                );
            }
            let phone = c.phone.trim().to_owned();
            if !phone.is_empty()
                && (phone.chars().filter(char::is_ascii_digit).count() < 7
                    || phone.chars().count() > 30)
            {
                errs.add(
                    f("phone"),
                    "enter a phone number with at least 7 digits, or leave it empty",
                );
            }
            if email.is_empty() && phone.is_empty() {
                errs.add(
                    f("email"),
                    "enter an email address or a phone number for this contact",
                );
            }
            contacts.push(Contact {
                name,
                role,
                email,
                phone,
            });
        }
        if contacts.is_empty() && errs.for_field("contact_name_1").is_none() {
            errs.add(
                "contact_name_1",
                "enter at least one contact: their name and an email address or phone number",
            );
        }
        let states = states(&mut errs, "states", &self.states, true);
        let feed_states = states_field(&mut errs, "feed_states", &self.feed_states);
        let notes = text(&mut errs, "notes", &self.notes, 2000, "");
        match kind {
            Some(kind) => errs.into_result(Partner {
                name,
                kind,
                contacts,
                states,
                feed_states,
                notes,
            }),
            None => Err(errs),
        }
    }
}

fn states_field(errs: &mut FormErrors, field: &str, value: &str) -> Vec<String> {
    states(errs, field, value, false)
}

/// Reads "TX, ok  LA" into `["LA", "OK", "TX"]`, naming every code that is not a state's.
pub fn states(errs: &mut FormErrors, field: &str, value: &str, required: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for code in value
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
    {
        let up = code.to_ascii_uppercase();
        if STATE_CODES.contains(&up.as_str()) {
            out.push(up);
        } else {
            bad.push(code.chars().take(20).collect());
        }
    }
    if !bad.is_empty() {
        errs.add(
            field,
            format!(
                "{} {} not a US state or territory code; use two-letter postal codes separated by spaces, e.g. TX OK",
                bad.join(", "),
                if bad.len() == 1 { "is" } else { "are" }
            ),
        );
    } else if out.is_empty() && required {
        errs.add(
            field,
            "enter at least one state the organisation works in, as its two-letter code, e.g. TX",
        );
    }
    out.sort();
    out.dedup();
    out
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
        && s.len() <= 254
}

/// An awareness event a partner ran or will run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwarenessEvent {
    pub held_on: Date,
    /// Where: a venue and town, or "online".
    pub place: String,
    /// Who it was for, in the partner's words ("Year 10 students, about 120").
    pub audience: String,
    /// What the hotline sent: posters, leaflets, a talk's slides.
    pub materials: String,
}

/// The event form as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventForm {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub place: String,
    pub audience: String,
    pub materials: String,
}

impl EventForm {
    pub fn check(&self) -> Result<AwarenessEvent, FormErrors> {
        let mut errs = FormErrors::default();
        let held_on = parse_iso_date(self.held_on.trim());
        if held_on.is_none() {
            errs.add(
                "held_on",
                "enter the date of the event as YYYY-MM-DD, for example 2026-03-14",
            );
        }
        let place = text(
            &mut errs,
            "place",
            &self.place,
            200,
            "enter where the event is held, or \"online\"",
        );
        let audience = text(
            &mut errs,
            "audience",
            &self.audience,
            200,
            "enter who the event is for, for example \"parents at the spring fair, about 60\"",
        );
        let materials = text(&mut errs, "materials", &self.materials, 1000, "");
        match held_on {
            Some(held_on) => errs.into_result(AwarenessEvent {
                held_on,
                place,
                audience,
                materials,
            }),
            None => Err(errs),
        }
    }

    pub fn from_event(e: &AwarenessEvent) -> EventForm {
        EventForm {
            held_on: iso(e.held_on),
            place: e.place.clone(),
            audience: e.audience.clone(),
            materials: e.materials.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PartnerForm {
        PartnerForm {
            name: " Riverside Rotary ".into(),
            kind: "club".into(),
            contacts: vec![
                Contact {
                    name: "Ana Ortiz".into(),
                    role: "Events lead".into(),
                    email: "ana@example.org".into(),
                    phone: String::new(),
                },
                Contact::default(),
            ],
            states: "tx, ok TX".into(),
            feed_states: "TX".into(),
            notes: String::new(),
        }
    }

    #[test]
    fn a_good_form_is_normalised() {
        let p = form().check().expect("valid");
        assert_eq!(p.name, "Riverside Rotary");
        assert_eq!(p.states, ["OK", "TX"]);
        assert_eq!(p.feed_states, ["TX"]);
        assert_eq!(p.contacts.len(), 1);
        assert_eq!(PartnerForm::from_partner(&p).check(), Ok(p));
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let mut f = form();
        f.name = String::new();
        f.kind = "gang".into();
        f.states = "TX ZZ".into();
        f.contacts[0].email = "nope".into();
        let e = f.check().expect_err("invalid");
        for field in ["name", "kind", "states", "contact_email_1"] {
            assert!(e.for_field(field).is_some(), "{field}: {e}");
        }
        assert!(e.for_field("states").is_some_and(|m| m.contains("ZZ")));
    }

    #[test]
    fn a_partner_needs_a_contact_and_a_state() {
        let mut f = form();
        f.contacts = vec![Contact::default(); 2];
        f.states = " ".into();
        let e = f.check().expect_err("invalid");
        assert!(e.for_field("contact_name_1").is_some());
        assert!(e.for_field("states").is_some());
    }

    #[test]
    fn events_need_a_real_date() {
        let e = EventForm {
            held_on: "2026-02-30".into(),
            place: "Town hall".into(),
            audience: "Parents".into(),
            materials: String::new(),
        };
        assert!(e
            .check()
            .expect_err("bad date")
            .for_field("held_on")
            .is_some());
        let ok = EventForm {
            held_on: "2026-02-28".into(),
            ..e
        };
        assert_eq!(EventForm::from_event(&ok.check().expect("valid")), ok);
    }
}
