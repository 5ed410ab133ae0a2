//! The case record: one line of `cases.jsonl`, the import format, and what `case_json`
//! stores for every case (imported, or made in the product and written here by
//! [`CaseRecord::from_case`]). This is the format's only definition: the generator
//! (`synth`) writes it, the importer and link analysis read it.
//!
//! The record keeps the file's own text (dates as `YYYY-MM-DD` strings, `sex` and custody
//! `placement` as written) so any stored row reads back and writes out unchanged;
//! [`CaseRecord::to_case`] checks it into this crate's model, naming the field that is
//! wrong. What the importer requires is less ([`CaseRecord::check`]): a record too thin for
//! the case workflow (no custody, an episode without dates) is still kept, and says why
//! when opened, so `custody` and the episodes' fields read as empty when left out. Unknown
//! fields are ignored, so a feed that adds some still reads. Optional fields
//! are left out when empty, except `sex`, which is always written (empty when not recorded).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{
    iso, latest_episode, parse_iso_date, Agency, Case, Child, Circumstance, Contact, Custody,
    Episode, Guardian, Place, Recovery, Sex, StatedAge,
};

/// What an imported case leaves unsaid (who reported, how a child was recovered).
pub const NOT_RECORDED: &str = "not recorded";

/// One line of `cases.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub case_id: String,
    pub child: ChildRecord,
    /// The case's circumstance (the latest episode's); each episode carries its own too.
    #[serde(with = "circumstance_format")]
    pub circumstance: Circumstance,
    /// The child was in the custody of a child-welfare agency (foster home or group home).
    pub missing_from_care: bool,
    /// Required by [`CaseRecord::to_case`]; a record without it is kept as imported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custody: Option<CustodyRecord>,
    /// A contact number given for the child; sometimes a shelter's hotline shared by many.
    /// Not carried into [`Child`]: it is evidence for link analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    /// Oldest first.
    pub episodes: Vec<EpisodeRecord>,
}

/// The child as the record writes them (names may carry typos or be swapped).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChildRecord {
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// Other names the child is known by, beside the nickname.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `F` or `M` (`female`, `male` and other spellings [`Sex::parse`] knows are read too);
    /// empty, or absent in older files, when not recorded.
    #[serde(default)]
    pub sex: String,
    /// `YYYY-MM-DD`; some records give `age` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// The age at the first episode's report date, when the date of birth is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    // The child's own identifiers are evidence for link analysis, not part of the case
    // model, and stay in the stored record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screen_names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Who has custody of the child.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CustodyRecord {
    Guardians {
        guardians: Vec<Guardian>,
    },
    /// Each field is required by [`CaseRecord::to_case`], and read as empty when left out,
    /// so a thin record still imports and says what it lacks when the case is opened.
    Agency {
        #[serde(default)]
        agency: String,
        /// `foster home`, `group home` or `other agency`.
        #[serde(default)]
        placement: String,
        #[serde(default)]
        caseworker: Contact,
    },
}

/// One time the child went missing; dates are `YYYY-MM-DD`. Every field is required by
/// [`CaseRecord::to_case`], and read as empty when left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EpisodeRecord {
    /// The date the child was reported missing.
    #[serde(default)]
    pub reported: String,
    #[serde(default)]
    pub last_seen: String,
    #[serde(default)]
    pub last_seen_city: String,
    #[serde(default)]
    pub last_seen_state: String,
    #[serde(
        default,
        with = "circumstance_format::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub circumstance: Option<Circumstance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_state: Option<String>,
}

/// The child's own identifiers, which the record carries beside the case model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChildIds<'a> {
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub screen_names: &'a [String],
}

/// A record that cannot be read or cannot become a [`Case`].
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

/// The circumstance as the format spells it: casework's ids, except that the NCMEC
/// category the model calls `non_family_abduction` is `nonfamily_abduction` (both read).
pub fn circumstance_id(c: Circumstance) -> &'static str {
    match c {
        Circumstance::NonFamilyAbduction => "nonfamily_abduction",
        other => other.id(),
    }
}

/// The spellings the format accepts, as an error lists them.
const CIRCUMSTANCES: &str = "endangered_runaway, family_abduction, nonfamily_abduction, \
                             lost_injured_otherwise_missing, missing_from_care";

mod circumstance_format {
    use super::*;

    pub mod optional {
        use super::*;

        pub fn serialize<S: Serializer>(c: &Option<Circumstance>, s: S) -> Result<S::Ok, S::Error> {
            match c {
                Some(c) => super::serialize(c, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Circumstance>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(with = "super")] Circumstance);
            Ok(Option::<Wrap>::deserialize(d)?.map(|Wrap(c)| c))
        }
    }

    pub fn serialize<S: Serializer>(c: &Circumstance, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(circumstance_id(*c))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Circumstance, D::Error> {
        let s = std::borrow::Cow::<str>::deserialize(d)?;
        Circumstance::ALL
            .into_iter()
            .find(|c| circumstance_id(*c) == s || c.id() == s)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`circumstance` {s:?} is not one of {CIRCUMSTANCES}"
                ))
            })
    }
}

impl CaseRecord {
    /// Parses one line of `cases.jsonl` (or a stored `case_json`).
    pub fn from_json(case_json: &str) -> Result<CaseRecord, ImportError> {
        serde_json::from_str(case_json).map_err(|e| ImportError::Json(e.to_string()))
    }

    /// The record as one line of `cases.jsonl`.
    pub fn to_json(&self) -> String {
        // Strings, numbers, booleans and lists only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What the importer requires beyond the JSON's shape: an id and an episode.
    pub fn check(&self) -> Result<(), ImportError> {
        let bad = |field: &str, problem: &str| ImportError::Field {
            case_id: self.case_id.clone(),
            field: field.to_owned(),
            problem: problem.to_owned(),
        };
        if self.case_id.trim().is_empty() {
            return Err(bad("case_id", "is empty; give every case its own id"));
        }
        if self.episodes.is_empty() {
            return Err(bad(
                "episodes",
                "is empty; a case needs at least one missing episode",
            ));
        }
        Ok(())
    }

    /// The child's sex, when recorded.
    pub fn sex(&self) -> Result<Option<Sex>, ImportError> {
        match self.child.sex.trim() {
            "" => Ok(None),
            s => Sex::parse(s).map(Some).map_err(|e| ImportError::Field {
                case_id: self.case_id.clone(),
                field: "child.sex".into(),
                problem: e.to_string(),
            }),
        }
    }

    /// The US states its episodes name (last seen, recovered), in order of appearance.
    pub fn states(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in &self.episodes {
            for s in [Some(&e.last_seen_state), e.recovery_state.as_ref()]
                .into_iter()
                .flatten()
            {
                let s = s.trim().to_ascii_uppercase();
                if s.len() == 2 && !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    /// The record of a case made in the product, so link analysis and exports read it
    /// exactly as an imported one. The child's name is split at its last word; the first
    /// alias is the nickname; the age is given at the first episode when there is no date
    /// of birth.
    pub fn from_case(
        case_number: &str,
        child: &Child,
        ids: ChildIds<'_>,
        episodes: &[Episode],
    ) -> CaseRecord {
        let mut words: Vec<&str> = child.name.split_whitespace().collect();
        let last = (words.len() > 1).then(|| words.pop()).flatten();
        let mut sorted: Vec<&Episode> = episodes.iter().collect();
        sorted.sort_by_key(|e| e.reported_on);
        let age = match (child.date_of_birth, sorted.first()) {
            (None, Some(e)) => child.age_on(e.reported_on).map(|a| a.years),
            _ => None,
        };
        let custody = match (&child.agency, child.custody) {
            (Some(a), custody) if custody.is_care() => CustodyRecord::Agency {
                agency: a.name.clone(),
                placement: match custody {
                    Custody::FosterCare => "foster home",
                    Custody::GroupHome => "group home",
                    _ => "other agency",
                }
                .to_owned(),
                caseworker: a.caseworker.clone(),
            },
            _ => CustodyRecord::Guardians {
                guardians: child.guardians.clone(),
            },
        };
        CaseRecord {
            case_id: case_number.to_owned(),
            child: ChildRecord {
                first_name: words.join(" "),
                last_name: last.map(str::to_owned),
                nickname: child.aliases.first().cloned(),
                aliases: child.aliases.get(1..).unwrap_or_default().to_vec(),
                sex: match child.sex {
                    Some(Sex::Female) => "F",
                    Some(Sex::Male) => "M",
                    None => "",
                }
                .to_owned(),
                date_of_birth: child.date_of_birth.map(iso),
                age,
                phone: ids.phone.map(str::to_owned),
                screen_names: ids.screen_names.to_vec(),
                email: ids.email.map(str::to_owned),
            },
            // The product makes every case with its first episode; a record needs a
            // circumstance all the same.
            circumstance: latest_episode(episodes)
                .map_or(Circumstance::EndangeredRunaway, |e| e.circumstance),
            missing_from_care: child.custody.is_care(),
            custody: Some(custody),
            contact_phone: None,
            episodes: sorted
                .iter()
                .map(|e| {
                    let place = e.recovered.as_ref().and_then(|r| r.place.as_ref());
                    EpisodeRecord {
                        reported: iso(e.reported_on),
                        last_seen: iso(e.missing_since()),
                        last_seen_city: e.last_seen_place.city.clone(),
                        last_seen_state: e.last_seen_place.state.clone(),
                        circumstance: Some(e.circumstance),
                        recovered: e.recovered.as_ref().map(|r| iso(r.on)),
                        recovery_city: place.map(|p| p.city.clone()),
                        recovery_state: place.map(|p| p.state.clone()),
                    }
                })
                .collect(),
        }
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
        let date = |field: String, s: &str| match s.trim() {
            "" => Err(bad(
                &field,
                "is missing; give the date as YYYY-MM-DD".into(),
            )),
            t => parse_iso_date(t).ok_or_else(|| bad(&field, format!("{s:?} is not YYYY-MM-DD"))),
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
                circumstance: e.circumstance.ok_or_else(|| {
                    bad(
                        &f("circumstance"),
                        format!("is missing; give one of {CIRCUMSTANCES}"),
                    )
                })?,
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
        let sex = self.sex()?;

        let Some(custody) = &self.custody else {
            return Err(bad(
                "custody",
                "is missing; give {\"kind\":\"guardians\",\"guardians\":[…]} or \
                 {\"kind\":\"agency\",\"agency\":…,\"placement\":…,\"caseworker\":{…}}"
                    .into(),
            ));
        };
        let (custody, guardians, agency) = match custody {
            CustodyRecord::Guardians { guardians } => (
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
            CustodyRecord::Agency {
                agency, caseworker, ..
            } if agency.trim().is_empty() || caseworker.name.trim().is_empty() => {
                let field = if agency.trim().is_empty() {
                    "custody.agency"
                } else {
                    "custody.caseworker.name"
                };
                return Err(bad(
                    field,
                    "is missing; a child in an agency's custody needs the agency and the \
                     caseworker's name"
                        .into(),
                ));
            }
            CustodyRecord::Agency {
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
        let case = CaseRecord::from_json(line)
            .expect("parses")
            .to_case()
            .expect("converts");
        assert_eq!(case.child.aliases, vec!["Annie", "Bee"]);
    }

    #[test]
    fn reads_a_hand_written_line() {
        let line = r#"{"case_id":"case-0000007","child":{"first_name":"Ana","last_name":"Example","nickname":"Annie","sex":"F","age":14},"circumstance":"nonfamily_abduction","missing_from_care":true,"custody":{"kind":"agency","agency":"County Children's Services","placement":"group home","caseworker":{"name":"Cas Worker","phone":"555-010-0199"}},"episodes":[{"reported":"2022-03-04","last_seen":"2022-03-03","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"nonfamily_abduction","recovered":"2022-04-01"},{"reported":"2023-01-09","last_seen":"2023-01-09","last_seen_city":"Dallas","last_seen_state":"TX","circumstance":"nonfamily_abduction"}],"future_field":1}"#;
        let case = CaseRecord::from_json(line)
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
            CaseRecord::from_json("{}"),
            Err(ImportError::Json(_))
        ));
        let line = r#"{"case_id":"case-1","child":{"first_name":"Ana","sex":"F","date_of_birth":"2011-13-01"},"circumstance":"endangered_runaway","missing_from_care":false,"custody":{"kind":"guardians","guardians":[]},"episodes":[]}"#;
        let e = CaseRecord::from_json(line)
            .expect("parses")
            .to_case()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "case case-1: `child.date_of_birth` \"2011-13-01\" is not YYYY-MM-DD"
        );
    }

    /// What the product wrote into `case_json` before this type (an untyped `json!`: nulls
    /// for what is unknown, an empty `sex`, `missing_from_care` as a circumstance). Stored
    /// rows like it must keep reading.
    #[test]
    fn a_row_the_product_wrote_before_still_reads() {
        let line = r#"{"case_id":"CASE-2026-0001","child":{"first_name":"Ana Maria","last_name":"Example","nickname":null,"aliases":[],"sex":"","date_of_birth":null,"age":14,"phone":null,"screen_names":["ana_e"],"email":null},"circumstance":"missing_from_care","missing_from_care":true,"custody":{"kind":"agency","agency":"County Children's Services","placement":"other agency","caseworker":{"name":"Cas Worker","phone":null,"email":null}},"episodes":[{"reported":"2026-01-02","last_seen":"2026-01-01","last_seen_city":"Tulsa","last_seen_state":"ok","circumstance":"non_family_abduction","recovered":null,"recovery_city":null,"recovery_state":null}]}"#;
        let rec = CaseRecord::from_json(line).expect("parses");
        assert_eq!(rec.sex(), Ok(None));
        assert_eq!(rec.circumstance, Circumstance::MissingFromCare);
        assert_eq!(rec.states(), vec!["OK"]);
        let case = rec.to_case().expect("converts");
        assert_eq!(case.child.custody, Custody::OtherAgency);
        assert_eq!(case.child.sex, None);
        assert_eq!(
            case.episodes[0].circumstance,
            Circumstance::NonFamilyAbduction
        );
        // Written again, it drops the nulls and spells the circumstance the format's way.
        let again = rec.to_json();
        assert!(!again.contains("null"), "{again}");
        assert!(
            again.contains(r#""circumstance":"nonfamily_abduction""#),
            "{again}"
        );
        assert_eq!(CaseRecord::from_json(&again), Ok(rec));
    }

    #[test]
    fn a_case_made_in_the_product_reads_back_through_the_record() {
        let line = r#"{"case_id":"case-0000007","child":{"first_name":"Ana Maria","last_name":"Example","nickname":"Annie","aliases":["Bee"],"sex":"F","age":14,"phone":"555-010-0199","screen_names":["annie_e"]},"circumstance":"nonfamily_abduction","missing_from_care":true,"custody":{"kind":"agency","agency":"County Children's Services","placement":"group home","caseworker":{"name":"Cas Worker","phone":"555-010-0100"}},"episodes":[{"reported":"2022-03-04","last_seen":"2022-03-03","last_seen_city":"Tulsa","last_seen_state":"OK","circumstance":"nonfamily_abduction","recovered":"2022-04-01","recovery_city":"Dallas","recovery_state":"TX"}]}"#;
        let rec = CaseRecord::from_json(line).expect("parses");
        let case = rec.to_case().expect("converts");
        let ids = ChildIds {
            phone: rec.child.phone.as_deref(),
            email: rec.child.email.as_deref(),
            screen_names: &rec.child.screen_names,
        };
        let written = CaseRecord::from_case(&case.case_number, &case.child, ids, &case.episodes);
        assert_eq!(written.to_json(), line);
    }

    #[test]
    fn an_unknown_circumstance_names_the_choices() {
        let line = r#"{"case_id":"c1","child":{"first_name":"Ana","sex":"F"},"circumstance":"kidnap","missing_from_care":false,"custody":{"kind":"guardians","guardians":[]},"episodes":[]}"#;
        let e = CaseRecord::from_json(line).unwrap_err().to_string();
        assert!(
            e.contains(r#"`circumstance` "kidnap" is not one of endangered_runaway"#),
            "{e}"
        );
    }

    #[test]
    fn the_importer_wants_an_id_and_an_episode() {
        let line = r#"{"case_id":" ","child":{"first_name":"Ana"},"circumstance":"family_abduction","missing_from_care":false,"custody":{"kind":"guardians","guardians":[]},"episodes":[]}"#;
        let rec = CaseRecord::from_json(line).expect("parses");
        assert!(rec
            .check()
            .unwrap_err()
            .to_string()
            .contains("`case_id` is empty"));
        let rec = CaseRecord {
            case_id: "c1".into(),
            ..rec
        };
        assert!(rec
            .check()
            .unwrap_err()
            .to_string()
            .contains("at least one"));
    }

    /// The importer keeps a record too thin for the workflow; opening it says what is missing.
    #[test]
    fn a_thin_record_reads_and_says_what_it_lacks() {
        let line = r#"{"case_id":"x","child":{"first_name":"A"},"circumstance":"endangered_runaway","missing_from_care":false,"episodes":[{}]}"#;
        let rec = CaseRecord::from_json(line).expect("parses");
        assert_eq!(rec.check(), Ok(()));
        assert_eq!(
            rec.to_case().unwrap_err().to_string(),
            "case x: `episodes[0].reported` is missing; give the date as YYYY-MM-DD"
        );
        let mut rec = rec;
        rec.episodes[0] = EpisodeRecord {
            reported: "2024-01-02".into(),
            last_seen: "2024-01-01".into(),
            ..EpisodeRecord::default()
        };
        assert!(rec
            .to_case()
            .unwrap_err()
            .to_string()
            .contains("`episodes[0].circumstance` is missing; give one of endangered_runaway"));
        rec.episodes[0].circumstance = Some(Circumstance::EndangeredRunaway);
        assert!(rec
            .to_case()
            .unwrap_err()
            .to_string()
            .contains("`custody` is missing"));
        rec.custody = Some(
            serde_json::from_str(r#"{"kind":"agency"}"#).expect("a thin agency custody reads"),
        );
        assert!(rec
            .to_case()
            .unwrap_err()
            .to_string()
            .contains("`custody.agency` is missing"));
    }
}
