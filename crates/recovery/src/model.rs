//! A service of the resource directory and its parts. Values parse rather than validate:
//! a [`Service`] built through [`Service::check`] holds only what the directory accepts.

use serde::{Deserialize, Serialize};
use std::fmt;
use time::Date;

/// A service not verified for this many days is stale: shown with a marker so nobody
/// refers a child to a service that may have closed.
pub const STALE_AFTER_DAYS: i64 = 365;

/// Longest name, organisation name, language or place accepted.
pub const MAX_SHORT: usize = 300;
/// Longest description, hours or eligibility text accepted.
pub const MAX_LONG: usize = 10_000;

/// What was wrong with a value, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("{field} is empty: give it a value")]
    Empty { field: &'static str },
    #[error("{field} is longer than {max} characters: shorten it")]
    TooLong { field: &'static str, max: usize },
    #[error("{field} contains control characters: remove them")]
    Control { field: &'static str },
    #[error("{field} '{value}' is not a whole number of years from 0 to 120")]
    Age { field: &'static str, value: String },
    #[error("the minimum age {min} is above the maximum age {max}: swap or correct them")]
    AgeRange { min: u8, max: u8 },
    #[error("'{0}' is not a need of the directory's taxonomy (one of: {list})", list = Need::codes())]
    UnknownNeed(String),
    #[error("'{0}' is not an eligible sex: use female, male or leave it empty for anyone")]
    Sex(String),
    #[error("{field} '{value}' is not a date written YYYY-MM-DD")]
    Date { field: &'static str, value: String },
    #[error("capacity '{0}' is not a whole number of places")]
    Capacity(String),
    #[error("{field} '{value}' is not an email address (name@domain)")]
    Email { field: &'static str, value: String },
    #[error("{field} '{value}' is not a web address starting http:// or https://")]
    Url { field: &'static str, value: String },
    #[error("the service offers nothing: choose at least one need it meets")]
    NoNeeds,
}

fn text(field: &'static str, value: &str, max: usize) -> Result<String, ModelError> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(ModelError::TooLong { field, max });
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(ModelError::Control { field });
    }
    Ok(v.to_string())
}

/// Checked optional text: trimmed, bounded, no control characters; empty is `None`.
pub fn optional_text(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<Option<String>, ModelError> {
    let v = text(field, value, max)?;
    Ok((!v.is_empty()).then_some(v))
}

/// Checked required text.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, ModelError> {
    optional_text(field, value, max)?.ok_or(ModelError::Empty { field })
}

/// An identifier from an HSDS package (usually a UUID), kept as given so re-importing
/// the same package updates the same services.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct HsdsId(String);

impl HsdsId {
    pub fn parse(field: &'static str, value: &str) -> Result<HsdsId, ModelError> {
        let v = required_text(field, value, 200)?;
        if v.chars().any(char::is_whitespace) {
            return Err(ModelError::Control { field });
        }
        Ok(HsdsId(v))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for HsdsId {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, ModelError> {
        HsdsId::parse("id", &s)
    }
}

impl From<HsdsId> for String {
    fn from(id: HsdsId) -> String {
        id.0
    }
}

impl fmt::Display for HsdsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a service offers: the directory's fixed taxonomy. Its codes are the HSDS
/// taxonomy terms written to `taxonomy_terms.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    ShelterHousing,
    Medical,
    MentalHealth,
    SubstanceUse,
    Legal,
    Education,
    Employment,
    FamilyReunification,
    BasicNeeds,
    SurvivorMentoring,
    Interpretation,
}

impl Need {
    pub const ALL: [Need; 11] = [
        Need::ShelterHousing,
        Need::Medical,
        Need::MentalHealth,
        Need::SubstanceUse,
        Need::Legal,
        Need::Education,
        Need::Employment,
        Need::FamilyReunification,
        Need::BasicNeeds,
        Need::SurvivorMentoring,
        Need::Interpretation,
    ];

    /// The stable code (stored, in URLs and in the HSDS taxonomy).
    pub fn code(self) -> &'static str {
        match self {
            Need::ShelterHousing => "shelter_housing",
            Need::Medical => "medical",
            Need::MentalHealth => "mental_health",
            Need::SubstanceUse => "substance_use",
            Need::Legal => "legal",
            Need::Education => "education",
            Need::Employment => "employment",
            Need::FamilyReunification => "family_reunification",
            Need::BasicNeeds => "basic_needs",
            Need::SurvivorMentoring => "survivor_mentoring",
            Need::Interpretation => "interpretation",
        }
    }

    /// How a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            Need::ShelterHousing => "Shelter and housing",
            Need::Medical => "Medical care",
            Need::MentalHealth => "Mental health",
            Need::SubstanceUse => "Substance use",
            Need::Legal => "Legal help",
            Need::Education => "Education",
            Need::Employment => "Employment",
            Need::FamilyReunification => "Family reunification",
            Need::BasicNeeds => "Basic needs (food, clothing, phone)",
            Need::SurvivorMentoring => "Survivor mentoring",
            Need::Interpretation => "Interpretation",
        }
    }

    pub fn parse(code: &str) -> Result<Need, ModelError> {
        let c = code.trim();
        Need::ALL
            .into_iter()
            .find(|n| n.code() == c)
            .ok_or_else(|| ModelError::UnknownNeed(c.to_string()))
    }

    fn codes() -> String {
        Need::ALL.map(Need::code).join(", ")
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A service for one sex only (a shelter for girls, say); `None` in [`Eligibility`] is
/// anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SexEligibility {
    Female,
    Male,
}

impl SexEligibility {
    pub fn code(self) -> &'static str {
        match self {
            SexEligibility::Female => "female",
            SexEligibility::Male => "male",
        }
    }
    pub fn parse(value: &str) -> Result<Option<SexEligibility>, ModelError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "any" => Ok(None),
            "female" | "f" => Ok(Some(SexEligibility::Female)),
            "male" | "m" => Ok(Some(SexEligibility::Male)),
            other => Err(ModelError::Sex(other.to_string())),
        }
    }
}

/// Who the service is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub min_age: Option<u8>,
    pub max_age: Option<u8>,
    pub sex: Option<SexEligibility>,
    /// Only for survivors of trafficking or exploitation.
    pub survivors_only: bool,
}

impl Eligibility {
    /// Parses an age as HSDS writes it (a number; "16.0" is accepted as 16).
    pub fn parse_age(field: &'static str, value: &str) -> Result<Option<u8>, ModelError> {
        let v = value.trim();
        if v.is_empty() {
            return Ok(None);
        }
        let bad = || ModelError::Age {
            field,
            value: v.chars().take(40).collect(),
        };
        let whole = v.strip_suffix(".0").unwrap_or(v);
        let n: u8 = whole.parse().map_err(|_| bad())?;
        if n > 120 {
            return Err(bad());
        }
        Ok(Some(n))
    }

    pub fn check(self) -> Result<Eligibility, ModelError> {
        if let (Some(min), Some(max)) = (self.min_age, self.max_age) {
            if min > max {
                return Err(ModelError::AgeRange { min, max });
            }
        }
        for age in [self.min_age, self.max_age].into_iter().flatten() {
            if age > 120 {
                return Err(ModelError::Age {
                    field: "age",
                    value: age.to_string(),
                });
            }
        }
        Ok(self)
    }

    /// Is a person of `age` within the ages served?
    pub fn admits_age(&self, age: u8) -> bool {
        self.min_age.is_none_or(|m| age >= m) && self.max_age.is_none_or(|m| age <= m)
    }

    /// Plain words, as written to HSDS's `eligibility_description`.
    pub fn describe(&self) -> String {
        let ages = match (self.min_age, self.max_age) {
            (Some(a), Some(b)) => format!("Ages {a} to {b}"),
            (Some(a), None) => format!("Ages {a} and over"),
            (None, Some(b)) => format!("Ages up to {b}"),
            (None, None) => "All ages".to_string(),
        };
        let sex = match self.sex {
            Some(SexEligibility::Female) => "; girls and women only",
            Some(SexEligibility::Male) => "; boys and men only",
            None => "",
        };
        let surv = if self.survivors_only {
            "; survivors of trafficking or exploitation only"
        } else {
            ""
        };
        format!("{ages}{sex}{surv}.")
    }
}

/// The organisation that runs a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: HsdsId,
    pub name: String,
}

/// Where a service is given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub id: HsdsId,
    pub name: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    /// A US state's two-letter code, upper case (or another region's name as given).
    pub state: Option<String>,
    pub county: Option<String>,
    pub postal_code: Option<String>,
}

impl Location {
    /// Normalises a state as stored and searched: two letters are upper-cased.
    pub fn normalise_state(value: &str) -> String {
        let v = value.trim();
        if v.len() == 2 && v.chars().all(|c| c.is_ascii_alphabetic()) {
            v.to_ascii_uppercase()
        } else {
            v.to_string()
        }
    }

    /// One line: "12 Elm Street, Springfield, Harris County, TX 77001".
    pub fn one_line(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for p in [&self.address, &self.city, &self.county]
            .into_iter()
            .flatten()
        {
            parts.push(p.clone());
        }
        match (&self.state, &self.postal_code) {
            (Some(s), Some(z)) => parts.push(format!("{s} {z}")),
            (Some(s), None) => parts.push(s.clone()),
            (None, Some(z)) => parts.push(z.clone()),
            (None, None) => {}
        }
        parts.join(", ")
    }
}

/// How to refer someone: by phone, email or a web form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HowToRefer {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub url: Option<String>,
}

impl HowToRefer {
    pub fn check_email(value: &str) -> Result<Option<String>, ModelError> {
        let Some(v) = optional_text("email", value, MAX_SHORT)? else {
            return Ok(None);
        };
        match v.split_once('@') {
            Some((a, b)) if !a.is_empty() && b.contains('.') && !v.contains(' ') => Ok(Some(v)),
            _ => Err(ModelError::Email {
                field: "email",
                value: v.chars().take(60).collect(),
            }),
        }
    }
    pub fn check_url(value: &str) -> Result<Option<String>, ModelError> {
        let Some(v) = optional_text("url", value, 2_000)? else {
            return Ok(None);
        };
        let lower = v.to_ascii_lowercase();
        if (lower.starts_with("http://") || lower.starts_with("https://")) && !v.contains(' ') {
            Ok(Some(v))
        } else {
            Err(ModelError::Url {
                field: "url",
                value: v.chars().take(60).collect(),
            })
        }
    }
    pub fn check_phone(value: &str) -> Result<Option<String>, ModelError> {
        optional_text("phone", value, 60)
    }
}

/// A service of the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    /// The HSDS id: re-importing a package updates the service with the same id.
    pub id: HsdsId,
    pub organisation: Organisation,
    pub name: String,
    pub description: Option<String>,
    /// What it offers; sorted, without repeats, at least one.
    pub needs: Vec<Need>,
    pub eligibility: Eligibility,
    /// Languages spoken, by name ("English", "Spanish"), in the order given, no repeats.
    pub languages: Vec<String>,
    pub locations: Vec<Location>,
    /// The areas it serves beyond its locations ("All of Harris County").
    pub service_areas: Vec<String>,
    /// Opening hours in words.
    pub hours: Option<String>,
    pub how_to_refer: HowToRefer,
    /// Places free, when the service says.
    pub capacity: Option<u32>,
    /// When someone last checked the entry with the service.
    pub last_verified: Option<Date>,
}

impl Service {
    /// Normalises and checks a service built by hand (a form, the API, a generator):
    /// texts trimmed, needs sorted, repeated languages dropped, ages in order.
    pub fn check(mut self) -> Result<Service, ModelError> {
        self.name = required_text("name", &self.name, MAX_SHORT)?;
        self.organisation.name =
            required_text("organisation name", &self.organisation.name, MAX_SHORT)?;
        self.description = match &self.description {
            Some(d) => optional_text("description", d, MAX_LONG)?,
            None => None,
        };
        self.hours = match &self.hours {
            Some(h) => optional_text("hours", h, MAX_LONG)?,
            None => None,
        };
        self.needs.sort();
        self.needs.dedup();
        if self.needs.is_empty() {
            return Err(ModelError::NoNeeds);
        }
        self.eligibility = self.eligibility.check()?;
        let mut langs: Vec<String> = Vec::new();
        for l in &self.languages {
            if let Some(l) = optional_text("language", l, MAX_SHORT)? {
                if !langs.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
                    langs.push(l);
                }
            }
        }
        self.languages = langs;
        let mut areas = Vec::new();
        for a in &self.service_areas {
            if let Some(a) = optional_text("service area", a, MAX_SHORT)? {
                areas.push(a);
            }
        }
        self.service_areas = areas;
        for loc in &mut self.locations {
            let t = |f: &'static str, v: &Option<String>| match v {
                Some(v) => optional_text(f, v, MAX_SHORT),
                None => Ok(None),
            };
            loc.name = t("location name", &loc.name)?;
            loc.address = t("address", &loc.address)?;
            loc.city = t("city", &loc.city)?;
            loc.state = t("state", &loc.state)?.map(|s| Location::normalise_state(&s));
            loc.county = t("county", &loc.county)?;
            loc.postal_code = t("postal code", &loc.postal_code)?;
        }
        let h = &self.how_to_refer;
        self.how_to_refer = HowToRefer {
            phone: HowToRefer::check_phone(h.phone.as_deref().unwrap_or(""))?,
            email: HowToRefer::check_email(h.email.as_deref().unwrap_or(""))?,
            url: HowToRefer::check_url(h.url.as_deref().unwrap_or(""))?,
        };
        Ok(self)
    }

    /// Not verified for over a year (or never): shown with a marker.
    pub fn is_stale(&self, today: Date) -> bool {
        match self.last_verified {
            Some(d) => (today - d).whole_days() > STALE_AFTER_DAYS,
            None => true,
        }
    }

    /// The states of its locations, normalised, without repeats.
    pub fn states(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .locations
            .iter()
            .filter_map(|l| l.state.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The counties of its locations, without repeats.
    pub fn counties(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .locations
            .iter()
            .filter_map(|l| l.county.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Parses a date written YYYY-MM-DD (HSDS's `assured_date`); a time after it is ignored.
pub fn parse_date(field: &'static str, value: &str) -> Result<Option<Date>, ModelError> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let day = v.get(..10).unwrap_or(v);
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(day, &fmt)
        .map(Some)
        .map_err(|_| ModelError::Date {
            field,
            value: v.chars().take(40).collect(),
        })
}

/// Writes a date as YYYY-MM-DD.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn service() -> Service {
        Service {
            id: HsdsId::parse("id", "svc-1").unwrap(),
            organisation: Organisation {
                id: HsdsId::parse("id", "org-1").unwrap(),
                name: " Example Shelter ".into(),
            },
            name: "Night shelter".into(),
            description: Some("   ".into()),
            needs: vec![Need::Medical, Need::ShelterHousing, Need::Medical],
            eligibility: Eligibility {
                min_age: Some(12),
                max_age: Some(17),
                sex: None,
                survivors_only: true,
            },
            languages: vec!["English".into(), "english".into(), "Spanish".into()],
            locations: vec![],
            service_areas: vec![],
            hours: None,
            how_to_refer: HowToRefer::default(),
            capacity: None,
            last_verified: Some(date!(2025 - 01 - 10)),
        }
    }

    #[test]
    fn check_normalises() {
        let s = service().check().unwrap();
        assert_eq!(s.organisation.name, "Example Shelter");
        assert_eq!(s.description, None);
        assert_eq!(s.needs, vec![Need::ShelterHousing, Need::Medical]);
        assert_eq!(s.languages, vec!["English", "Spanish"]);
    }

    #[test]
    fn stale_after_a_year() {
        let s = service();
        assert!(!s.is_stale(date!(2026 - 01 - 10)));
        assert!(s.is_stale(date!(2026 - 01 - 11)));
        let never = Service {
            last_verified: None,
            ..service()
        };
        assert!(never.is_stale(date!(2025 - 01 - 10)));
    }

    #[test]
    fn ages_in_order_and_in_range() {
        let mut s = service();
        s.eligibility.min_age = Some(18);
        assert_eq!(
            s.check().unwrap_err(),
            ModelError::AgeRange { min: 18, max: 17 }
        );
        assert!(Eligibility::parse_age("minimum_age", "twelve").is_err());
        assert_eq!(Eligibility::parse_age("minimum_age", "16.0"), Ok(Some(16)));
        assert!(service().eligibility.admits_age(12));
        assert!(!service().eligibility.admits_age(18));
    }

    #[test]
    fn needs_parse_by_code_and_errors_list_them() {
        for n in Need::ALL {
            assert_eq!(Need::parse(n.code()), Ok(n));
        }
        let e = Need::parse("housing").unwrap_err().to_string();
        assert!(e.contains("shelter_housing"), "{e}");
    }
}
