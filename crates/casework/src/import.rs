//! Reading an imported case file (`cases.jsonl`, one JSON object a line, stored as
//! `case_json`) into a [`Case`].
//!
//! The structs mirror the `synth` crate's `CaseRecord` field for field (see the import
//! contract in `crates/synth/src/lib.rs` and `docs/import.md`), so this crate needs no
//! dependency on the generator. Unknown fields are ignored, so a feed that adds some still
//! reads.

use serde::Deserialize;

use crate::model::{
    parse_iso_date, Agency, Case, Child, Circumstance, Contact, Custody, Episode, Guardian, Place,
    Recovery, Sex, StatedAge,
};

/// What an imported case leaves unsaid (who reported, how a child was recovered).
pub const NOT_RECORDED: &str = "not recorded";

/// One line of `cases.jsonl`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImportedCase {
    pub case_id: String,
    pub child: ImportedChild,
    /// The case's circumstance; each episode carries its own too.
    pub circumstance: Circumstance,
    /// The child was in the custody of a child-welfare agency.
    pub missing_from_care: bool,
    pub custody: ImportedCustody,
    /// A contact number for the child (sometimes a shelter's hotline). Not carried into
    /// [`Child`]: it stays in the stored `case_json` for link analysis.
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Oldest first.
    pub episodes: Vec<ImportedEpisode>,
}

/// The child as the imported file writes them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImportedChild {
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub nickname: Option<String>,
    /// Other names the child is known by, beside the nickname.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `F` or `M`.
    pub sex: String,
    /// `YYYY-MM-DD`; some files give `age` instead.
    #[serde(default)]
    pub date_of_birth: Option<String>,
    /// The age at the first episode's report date.
    #[serde(default)]
    pub age: Option<u32>,
    // The child's own identifiers are read so the mirror is complete; they are evidence for
    // link analysis, not part of the case record, and stay in the stored `case_json`.
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub screen_names: Vec<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// Who has custody, as the imported file writes it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ImportedCustody {
    Guardians {
        guardians: Vec<ImportedGuardian>,
    },
    Agency {
        agency: String,
        /// `foster home` or `group home`.
        placement: String,
        caseworker: ImportedContact,
    },
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImportedGuardian {
    pub name: String,
    pub relation: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImportedContact {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// One episode as the imported file writes it; dates are `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct ImportedEpisode {
    pub reported: String,
    pub last_seen: String,
    pub last_seen_city: String,
    pub last_seen_state: String,
    pub circumstance: Circumstance,
    #[serde(default)]
    pub recovered: Option<String>,
    #[serde(default)]
    pub recovery_city: Option<String>,
    #[serde(default)]
    pub recovery_state: Option<String>,
}

/// An imported case that cannot become a [`Case`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the case is not valid JSON of the import format: {0}")]
    Json(String),
    #[error("case {case_id}: `{field}` {problem}")]
    Field {
        case_id: String,
        field: String,
        problem: String,
    },
}

impl ImportedCase {
    /// Parses one line of `cases.jsonl` (or a stored `case_json`).
    pub fn from_json(case_json: &str) -> Result<ImportedCase, ImportError> {
        serde_json::from_str(case_json).map_err(|e| ImportError::Json(e.to_string()))
    }

    /// The case in this crate's model. Guardian and caseworker contacts come across; what
    /// the file does not say (who reported, how a child was recovered) is [`NOT_RECORDED`].
    pub fn to_case(&self) -> Result<Case, ImportError> {
        let bad = |field: &str, problem: String| ImportError::Field {
            case_id: self.case_id.clone(),
            field: field.to_owned(),
            problem,
        };
        let case_number = self.case_id.trim().to_owned();
        if case_number.is_empty() {
            return Err(bad("case_id", "is empty".into()));
        }
        let date = |field: String, s: &str| {
            parse_iso_date(s.trim()).ok_or_else(|| bad(&field, format!("{s:?} is not YYYY-MM-DD")))
        };
        let mut episodes = Vec::with_capacity(self.episodes.len());
        for (i, e) in self.episodes.iter().enumerate() {
            let f = |name: &str| format!("episodes[{i}].{name}");
            let reported_on = date(f("reported"), &e.reported)?;
            let last_seen_on = date(f("last_seen"), &e.last_seen)?;
            let recovered = match &e.recovered {
                None => None,
                Some(r) => Some(Recovery {
                    on: date(f("recovered"), r)?,
                    place: match (&e.recovery_city, &e.recovery_state) {
                        (Some(city), Some(state)) => Some(place(city, state)),
                        _ => None,
                    },
                    how: NOT_RECORDED.to_owned(),
                }),
            };
            episodes.push(Episode {
                reported_on,
                last_seen_on: Some(last_seen_on),
                last_seen_place: place(&e.last_seen_city, &e.last_seen_state),
                circumstance: e.circumstance,
                reported_by: NOT_RECORDED.to_owned(),
                recovered,
            });
        }

        let c = &self.child;
        let first = c.first_name.trim();
        let name = match c.last_name.as_deref().map(str::trim) {
            Some(last) if !last.is_empty() => format!("{first} {last}"),
            _ => first.to_owned(),
        };
        if name.is_empty() {
            return Err(bad("child.first_name", "is empty".into()));
        }
        let mut aliases: Vec<String> = Vec::new();
        for n in c.nickname.iter().chain(&c.aliases).map(|n| n.trim()) {
            if !n.is_empty()
                && !n.eq_ignore_ascii_case(first)
                && !aliases.iter().any(|a| a.eq_ignore_ascii_case(n))
            {
                aliases.push(n.to_owned());
            }
        }
        let date_of_birth = match &c.date_of_birth {
            Some(d) => Some(date("child.date_of_birth".into(), d)?),
            None => None,
        };
        // The file gives the age at the first episode.
        let first_reported = episodes.iter().map(|e| e.reported_on).min();
        let stated_age = match (c.age, first_reported) {
            (Some(years), Some(on)) if date_of_birth.is_none() => Some(StatedAge { years, on }),
            _ => None,
        };
        let sex = match c.sex.trim() {
            "" => None,
            s => Some(Sex::parse(s).map_err(|e| bad("child.sex", e.to_string()))?),
        };

        let (custody, guardians, agency) = match &self.custody {
            ImportedCustody::Guardians { guardians } => (
                Custody::Family,
                guardians
                    .iter()
                    .map(|g| Guardian {
                        name: g.name.trim().to_owned(),
                        relation: g.relation.trim().to_owned(),
                        phone: g.phone.clone(),
                        email: g.email.clone(),
                    })
                    .collect(),
                None,
            ),
            ImportedCustody::Agency {
                agency,
                placement,
                caseworker,
            } => (
                match Custody::parse(placement) {
                    Ok(Custody::Family) | Err(_) => Custody::OtherAgency,
                    Ok(c) => c,
                },
                Vec::new(),
                Some(Agency {
                    name: agency.trim().to_owned(),
                    caseworker: Contact {
                        name: caseworker.name.trim().to_owned(),
                        phone: caseworker.phone.clone(),
                        email: caseworker.email.clone(),
                    },
                }),
            ),
        };

        Ok(Case {
            case_number,
            child: Child {
                name,
                aliases,
                date_of_birth,
                stated_age,
                sex,
                description: String::new(),
                photos: Vec::new(),
                custody,
                guardians,
                agency,
            },
            episodes,
        })
    }
}

fn place(city: &str, state: &str) -> Place {
    Place {
        city: city.trim().to_owned(),
        state: state.trim().to_ascii_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_nickname_and_aliases_are_the_child_s_other_names_once_each() {
        let line = r#"{"case_id":"c1","child":{"first_name":"Ana","nickname":"Annie","aliases":["annie","Bee"," ","Ana"],"sex":"F","age":14},"circumstance":"endangered_runaway","missing_from_care":false,"custody":{"kind":"guardians","guardians":[]},"episodes":[{"reported":"2022-03-04","last_seen":"2022-03-03","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"endangered_runaway"}]}"#;
        let case = ImportedCase::from_json(line)
            .expect("parses")
            .to_case()
            .expect("converts");
        assert_eq!(case.child.aliases, vec!["Annie", "Bee"]);
    }

    #[test]
    fn reads_a_hand_written_line() {
        let line = r#"{"case_id":"case-0000007","child":{"first_name":"Ana","last_name":"Example","nickname":"Annie","sex":"F","age":14},"circumstance":"nonfamily_abduction","missing_from_care":true,"custody":{"kind":"agency","agency":"County Children's Services","placement":"group home","caseworker":{"name":"Cas Worker","phone":"555-010-0199"}},"episodes":[{"reported":"2022-03-04","last_seen":"2022-03-03","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"nonfamily_abduction","recovered":"2022-04-01"},{"reported":"2023-01-09","last_seen":"2023-01-09","last_seen_city":"Dallas","last_seen_state":"TX","circumstance":"nonfamily_abduction"}],"future_field":1}"#;
        let case = ImportedCase::from_json(line)
            .expect("parses")
            .to_case()
            .expect("converts");
        assert_eq!(case.case_number, "case-0000007");
        assert_eq!(case.child.name, "Ana Example");
        assert_eq!(case.child.aliases, vec!["Annie"]);
        assert_eq!(
            case.child.stated_age,
            Some(StatedAge {
                years: 14,
                on: date!(2022 - 03 - 04)
            })
        );
        assert_eq!(case.child.custody, Custody::GroupHome);
        assert_eq!(
            case.episodes[0].circumstance,
            Circumstance::NonFamilyAbduction
        );
        let r = case.episodes[0].recovered.as_ref().expect("recovered");
        assert_eq!((r.on, r.place.as_ref()), (date!(2022 - 04 - 01), None));
        assert!(case.episodes[1].recovered.is_none());
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        assert!(matches!(
            ImportedCase::from_json("{}"),
            Err(ImportError::Json(_))
        ));
        let line = r#"{"case_id":"case-1","child":{"first_name":"Ana","sex":"F","date_of_birth":"2011-13-01"},"circumstance":"endangered_runaway","missing_from_care":false,"custody":{"kind":"guardians","guardians":[]},"episodes":[]}"#;
        let e = ImportedCase::from_json(line)
            .expect("parses")
            .to_case()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "case case-1: `child.date_of_birth` \"2011-13-01\" is not YYYY-MM-DD"
        );
    }
}
