//! The case file of a missing child: the child, who has custody, and each missing episode.
//!
//! A record holds only what the work needs. Everything here serializes with snake_case names
//! and dates as `YYYY-MM-DD`, so stored JSON stays readable and stable.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// The child's sex as recorded on the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

impl Sex {
    pub const ALL: [Sex; 2] = [Sex::Female, Sex::Male];

    /// Plain words for a page.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }

    /// Reads form or import input: `female`/`f`, `male`/`m`, any case.
    pub fn parse(input: &str) -> Result<Sex, ParseError> {
        match fold(input).as_str() {
            "f" | "female" | "girl" => Ok(Sex::Female),
            "m" | "male" | "boy" => Ok(Sex::Male),
            _ => Err(ParseError::new("sex", input, &["female", "male"])),
        }
    }
}

/// Who the child lives with: family, or a child-welfare placement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Custody {
    Family,
    FosterCare,
    GroupHome,
    /// In the custody of an agency, placed neither in a foster home nor a group home
    /// (a shelter, a residential centre, a relative under agency supervision...).
    OtherAgency,
}

impl Custody {
    pub const ALL: [Custody; 4] = [
        Custody::Family,
        Custody::FosterCare,
        Custody::GroupHome,
        Custody::OtherAgency,
    ];

    /// The stable id used in JSON and form values.
    pub fn id(self) -> &'static str {
        match self {
            Custody::Family => "family",
            Custody::FosterCare => "foster_care",
            Custody::GroupHome => "group_home",
            Custody::OtherAgency => "other_agency",
        }
    }

    /// Plain words for a page.
    pub fn label(self) -> &'static str {
        match self {
            Custody::Family => "family",
            Custody::FosterCare => "foster care",
            Custody::GroupHome => "group home",
            Custody::OtherAgency => "other agency care",
        }
    }

    /// True for every placement by a child-welfare agency: a child who leaves it is
    /// missing from care.
    pub fn is_care(self) -> bool {
        !matches!(self, Custody::Family)
    }

    /// Reads form input: the id or the label, any case, spaces or underscores.
    pub fn parse(input: &str) -> Result<Custody, ParseError> {
        match fold(input).as_str() {
            "family" | "parents" | "guardians" => Ok(Custody::Family),
            "fostercare" | "foster" | "fosterhome" => Ok(Custody::FosterCare),
            "grouphome" => Ok(Custody::GroupHome),
            "otheragency" | "otheragencycare" | "agency" => Ok(Custody::OtherAgency),
            _ => Err(ParseError::new(
                "custodial situation",
                input,
                &Custody::ALL.map(Custody::id),
            )),
        }
    }
}

/// Why the child is missing.
///
/// The first four are NCMEC's case types; `MissingFromCare` is kept for caseworkers who
/// record it as the circumstance. Whether a child was in care is also known from
/// [`Child::custody`], and the `missing_from_care` flag looks at both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Circumstance {
    EndangeredRunaway,
    FamilyAbduction,
    /// Serialized `non_family_abduction`; the import format's `nonfamily_abduction` is read too.
    #[serde(alias = "nonfamily_abduction")]
    NonFamilyAbduction,
    LostInjuredOtherwiseMissing,
    MissingFromCare,
}

impl Circumstance {
    pub const ALL: [Circumstance; 5] = [
        Circumstance::EndangeredRunaway,
        Circumstance::FamilyAbduction,
        Circumstance::NonFamilyAbduction,
        Circumstance::LostInjuredOtherwiseMissing,
        Circumstance::MissingFromCare,
    ];

    /// The stable id used in JSON, form values and statistics.
    pub fn id(self) -> &'static str {
        match self {
            Circumstance::EndangeredRunaway => "endangered_runaway",
            Circumstance::FamilyAbduction => "family_abduction",
            Circumstance::NonFamilyAbduction => "non_family_abduction",
            Circumstance::LostInjuredOtherwiseMissing => "lost_injured_otherwise_missing",
            Circumstance::MissingFromCare => "missing_from_care",
        }
    }

    /// Plain words for a page.
    pub fn label(self) -> &'static str {
        match self {
            Circumstance::EndangeredRunaway => "endangered runaway",
            Circumstance::FamilyAbduction => "family abduction",
            Circumstance::NonFamilyAbduction => "non-family abduction",
            Circumstance::LostInjuredOtherwiseMissing => "lost, injured or otherwise missing",
            Circumstance::MissingFromCare => "missing from care",
        }
    }

    /// Reads form or import input: the id or the label, any case and punctuation.
    pub fn parse(input: &str) -> Result<Circumstance, ParseError> {
        let f = fold(input);
        let found = match f.as_str() {
            "runaway" => Some(Circumstance::EndangeredRunaway),
            "nonfamilyabduction" => Some(Circumstance::NonFamilyAbduction),
            "lostinjuredorotherwisemissing" => Some(Circumstance::LostInjuredOtherwiseMissing),
            _ => Circumstance::ALL
                .into_iter()
                .find(|c| fold(c.id()) == f || fold(c.label()) == f),
        };
        found.ok_or_else(|| {
            ParseError::new(
                "circumstance",
                input,
                &Circumstance::ALL.map(Circumstance::id),
            )
        })
    }
}

impl fmt::Display for Circumstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Lower-case letters and digits only, so `Foster care`, `foster_care` and `FOSTER-CARE` agree.
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// An input that names none of the choices.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {what} we know; use one of: {choices}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
    pub choices: String,
}

impl ParseError {
    fn new(what: &'static str, value: &str, choices: &[&str]) -> ParseError {
        ParseError {
            what,
            // Echoing a whole pasted paragraph back helps nobody.
            value: value.chars().take(40).collect(),
            choices: choices.join(", "),
        }
    }
}

/// A US city and its two-letter postal code (`TX`, `DC`, `PR`...).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Place {
    pub city: String,
    pub state: String,
}

impl fmt::Display for Place {
    /// `City, ST`, as on a poster.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.city.is_empty(), self.state.is_empty()) {
            (false, false) => write!(f, "{}, {}", self.city, self.state),
            (true, _) => f.write_str(&self.state),
            (false, true) => f.write_str(&self.city),
        }
    }
}

/// An age as someone gave it on a given day, when the date of birth is not known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedAge {
    pub years: u32,
    #[serde(with = "iso_date")]
    pub on: Date,
}

/// A guardian of a child in family custody.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guardian {
    pub name: String,
    /// `mother`, `grandfather`, `legal guardian`...
    pub relation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// A person to reach: the caseworker of a child in care.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The child-welfare agency that has custody, and the child's caseworker there.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    pub name: String,
    pub caseworker: Contact,
}

/// A photo of the child, kept elsewhere (the blob store) and named here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRef {
    /// The blob store's id of the file.
    pub id: String,
    /// When the photo was taken, if known: posters use the most recent.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub taken_on: Option<Date>,
}

/// A missing child, as the case file holds them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Child {
    /// The name the child is known by in the case: given name(s) then family name.
    pub name: String,
    /// Other names and nicknames; never published on a poster.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub date_of_birth: Option<Date>,
    /// Used when the date of birth is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stated_age: Option<StatedAge>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// The physical description (height, hair, eyes, marks, clothing). It is printed on
    /// posters, so it must hold nothing that may not be published.
    #[serde(default)]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<PhotoRef>,
    pub custody: Custody,
    /// The guardians of a child in family custody (a child in care may have some too).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardians: Vec<Guardian>,
    /// The agency with custody of a child in care.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<Agency>,
}

/// How old a child is on a day, and what that rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Age {
    pub years: u32,
    pub basis: AgeBasis,
}

/// What an [`Age`] was computed from, so a reason can say how sure it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgeBasis {
    DateOfBirth(Date),
    /// Only an age stated on a day: the result can be a year off.
    Stated(StatedAge),
}

impl Age {
    /// `15 (born 2011-04-02)` or `about 15 (stated as 13 on 2024-03-01)`.
    pub fn explain(&self) -> String {
        match self.basis {
            AgeBasis::DateOfBirth(dob) => format!("{} (born {})", self.years, iso(dob)),
            AgeBasis::Stated(s) => format!(
                "about {} (stated as {} on {})",
                self.years,
                s.years,
                iso(s.on)
            ),
        }
    }
}

impl Child {
    /// The child's age on `on`, from the date of birth when known, else from the stated age
    /// plus the whole years since it was stated. `None` when neither is recorded, or `on` is
    /// before the date of birth.
    pub fn age_on(&self, on: Date) -> Option<Age> {
        if let Some(dob) = self.date_of_birth {
            let years = whole_years(dob, on);
            return (years >= 0).then(|| Age {
                years: years.unsigned_abs(),
                basis: AgeBasis::DateOfBirth(dob),
            });
        }
        let s = self.stated_age?;
        let years = i64::from(s.years) + i64::from(whole_years(s.on, on));
        Some(Age {
            years: u32::try_from(years.max(0)).unwrap_or(u32::MAX),
            basis: AgeBasis::Stated(s),
        })
    }
}

/// Whole years from `from` to `to`, negative when `to` is earlier. An anniversary on
/// 29 February falls on 1 March in other years.
pub fn whole_years(from: Date, to: Date) -> i32 {
    if to < from {
        return -whole_years(to, from);
    }
    let mut years = to.year() - from.year();
    if (to.month() as u8, to.day()) < (from.month() as u8, from.day()) {
        years -= 1;
    }
    years
}

/// Where a child's age puts them, for flags and statistics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    #[serde(rename = "under_6")]
    Under6,
    #[serde(rename = "6_to_11")]
    From6To11,
    #[serde(rename = "12_to_14")]
    From12To14,
    #[serde(rename = "15_to_17")]
    From15To17,
    /// Some children are still missing after they turn 18; they stay on the books.
    #[serde(rename = "18_or_older")]
    From18,
}

impl AgeBand {
    pub const ALL: [AgeBand; 5] = [
        AgeBand::Under6,
        AgeBand::From6To11,
        AgeBand::From12To14,
        AgeBand::From15To17,
        AgeBand::From18,
    ];

    pub fn of(years: u32) -> AgeBand {
        match years {
            0..=5 => AgeBand::Under6,
            6..=11 => AgeBand::From6To11,
            12..=14 => AgeBand::From12To14,
            15..=17 => AgeBand::From15To17,
            _ => AgeBand::From18,
        }
    }

    /// The stable id used in JSON and statistics.
    pub fn id(self) -> &'static str {
        match self {
            AgeBand::Under6 => "under_6",
            AgeBand::From6To11 => "6_to_11",
            AgeBand::From12To14 => "12_to_14",
            AgeBand::From15To17 => "15_to_17",
            AgeBand::From18 => "18_or_older",
        }
    }

    /// Plain words for a page.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under6 => "under 6",
            AgeBand::From6To11 => "6–11",
            AgeBand::From12To14 => "12–14",
            AgeBand::From15To17 => "15–17",
            AgeBand::From18 => "18 or older",
        }
    }
}

/// How a missing episode ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    #[serde(with = "iso_date")]
    pub on: Date,
    /// Imported case files sometimes leave it out; the form requires it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<Place>,
    /// `returned home`, `located by police`... in the caseworker's words.
    pub how: String,
}

/// One time the child went missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    /// The day the child was reported missing.
    #[serde(with = "iso_date")]
    pub reported_on: Date,
    /// The day the child was last seen, when it differs from the report date or is known.
    #[serde(
        default,
        with = "iso_date::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_seen_on: Option<Date>,
    pub last_seen_place: Place,
    pub circumstance: Circumstance,
    /// A name or a role (`foster parent`, `school`).
    pub reported_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovered: Option<Recovery>,
}

impl Episode {
    /// The day the child has been missing since: last seen if known, else reported.
    pub fn missing_since(&self) -> Date {
        self.last_seen_on.unwrap_or(self.reported_on)
    }
}

/// The latest episode by report date (the later one in the slice on a tie).
pub fn latest_episode(episodes: &[Episode]) -> Option<&Episode> {
    episodes.iter().max_by_key(|e| e.reported_on)
}

/// True when the latest episode has no recovery.
pub fn currently_missing(episodes: &[Episode]) -> bool {
    latest_episode(episodes).is_some_and(|e| e.recovered.is_none())
}

/// A whole case: its number, the child, and the episodes (any order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub case_number: String,
    pub child: Child,
    pub episodes: Vec<Episode>,
}

/// `YYYY-MM-DD`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Reads exactly `YYYY-MM-DD` (what an HTML date input sends); `None` for anything else,
/// including dates that do not exist.
pub fn parse_iso_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = Month::try_from(u8::try_from(digits(5..7)?).ok()?).ok()?;
    let day = u8::try_from(digits(8..10)?).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// `September 12, 2026`, as US posters write dates.
pub fn long_date(d: Date) -> String {
    format!("{} {}, {}", d.month(), d.day(), d.year())
}

/// Serde for dates as `YYYY-MM-DD`.
pub mod iso_date {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::iso(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        super::parse_iso_date(&s)
            .ok_or_else(|| D::Error::custom(format!("{s:?} is not a date as YYYY-MM-DD")))
    }

    /// The same for `Option<Date>` (`null` or absent is `None`).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(with = "super")] Date);
            Ok(Option::<Wrap>::deserialize(d)?.map(|Wrap(d)| d))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn parses_choices_from_ids_and_labels() {
        for c in Circumstance::ALL {
            assert_eq!(Circumstance::parse(c.id()), Ok(c));
            assert_eq!(Circumstance::parse(c.label()), Ok(c));
            assert_eq!(Circumstance::parse(&c.label().to_uppercase()), Ok(c));
        }
        assert_eq!(
            Circumstance::parse("nonfamily_abduction"),
            Ok(Circumstance::NonFamilyAbduction)
        );
        for c in Custody::ALL {
            assert_eq!(Custody::parse(c.id()), Ok(c));
            assert_eq!(Custody::parse(c.label()), Ok(c));
        }
        assert_eq!(Sex::parse(" F "), Ok(Sex::Female));
        let e = Circumstance::parse("kidnapped").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"kidnapped\" is not a circumstance we know; use one of: endangered_runaway, \
             family_abduction, non_family_abduction, lost_injured_otherwise_missing, \
             missing_from_care"
        );
    }

    #[test]
    fn ages_from_birth_or_stated_age() {
        let mut c = child();
        c.date_of_birth = Some(date!(2011 - 04 - 02));
        assert_eq!(c.age_on(date!(2026 - 04 - 01)).map(|a| a.years), Some(14));
        assert_eq!(c.age_on(date!(2026 - 04 - 02)).map(|a| a.years), Some(15));
        assert_eq!(c.age_on(date!(2010 - 01 - 01)), None);
        c.date_of_birth = None;
        c.stated_age = Some(StatedAge {
            years: 13,
            on: date!(2024 - 03 - 01),
        });
        let a = c.age_on(date!(2026 - 03 - 01)).expect("age");
        assert_eq!(a.years, 15);
        assert_eq!(a.explain(), "about 15 (stated as 13 on 2024-03-01)");
        assert_eq!(c.age_on(date!(2020 - 03 - 01)).map(|a| a.years), Some(9));
        assert_eq!(
            whole_years(date!(2012 - 02 - 29), date!(2013 - 02 - 28)),
            0,
            "a leap-day birthday comes on 1 March"
        );
        assert_eq!(whole_years(date!(2012 - 02 - 29), date!(2013 - 03 - 01)), 1);
    }

    #[test]
    fn dates_parse_strictly_and_round_trip_through_json() {
        assert_eq!(parse_iso_date("2026-02-29"), None);
        assert_eq!(parse_iso_date("2026-2-9"), None);
        assert_eq!(parse_iso_date("+026-02-09"), None);
        assert_eq!(parse_iso_date("2024-02-29"), Some(date!(2024 - 02 - 29)));
        let e = Episode {
            reported_on: date!(2026 - 01 - 03),
            last_seen_on: None,
            last_seen_place: Place {
                city: "Tulsa".into(),
                state: "OK".into(),
            },
            circumstance: Circumstance::NonFamilyAbduction,
            reported_by: "mother".into(),
            recovered: None,
        };
        let json = serde_json::to_string(&e).expect("json");
        assert!(json.contains("\"reported_on\":\"2026-01-03\""), "{json}");
        assert!(json.contains("\"non_family_abduction\""), "{json}");
        assert_eq!(serde_json::from_str::<Episode>(&json).expect("back"), e);
        assert_eq!(long_date(date!(2026 - 09 - 12)), "September 12, 2026");
    }

    fn child() -> Child {
        Child {
            name: "Ana Example".into(),
            aliases: vec![],
            date_of_birth: None,
            stated_age: None,
            sex: None,
            description: String::new(),
            photos: vec![],
            custody: Custody::Family,
            guardians: vec![],
            agency: None,
        }
    }
}
