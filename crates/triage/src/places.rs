//! Where a report points: US state and country codes from structured report
//! fields and from the places `extract` finds in the texts.

use serde::{Deserialize, Serialize};

use extract::{Entity, EntityKind};

const US_STATES_TSV: &str = include_str!("../data/us_states.tsv");
const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");

/// A place from a report's structured fields, as the provider or caller
/// wrote it (codes or names; normalised when the jurisdiction is worked out).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct Location {
    pub country: Option<String>,
    pub state: Option<String>,
    pub city: Option<String>,
}

/// The jurisdictions a report points to, for routing it to the right
/// law-enforcement agencies.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Jurisdiction {
    /// USPS codes of US states, DC and territories; sorted, deduplicated.
    pub states: Vec<String>,
    /// ISO 3166-1 alpha-2 codes; sorted, deduplicated; `US` whenever a US
    /// state is named.
    pub countries: Vec<String>,
}

impl Jurisdiction {
    /// From structured locations and the entities extracted from the texts.
    /// Unrecognised names are left out rather than guessed.
    pub fn from_sources<'e>(
        locations: &[Location],
        entities: impl IntoIterator<Item = &'e Entity>,
    ) -> Jurisdiction {
        let mut states: Vec<&'static str> = Vec::new();
        let mut countries: Vec<&'static str> = Vec::new();
        for l in locations {
            if let Some(s) = l.state.as_deref().and_then(state_code) {
                states.push(s);
            }
            if let Some(c) = l.country.as_deref().and_then(country_code) {
                countries.push(c);
            }
        }
        for e in entities {
            let code = match e.kind {
                EntityKind::State => state_code(&e.value),
                // "Houston, TX": the state after the comma; a bare city name
                // may exist in several states, so it names none.
                EntityKind::City => e.value.rsplit_once(", ").and_then(|(_, st)| state_code(st)),
                _ => None,
            };
            states.extend(code);
        }
        if !states.is_empty() {
            countries.push("US");
        }
        states.sort_unstable();
        states.dedup();
        countries.sort_unstable();
        countries.dedup();
        Jurisdiction {
            states: states.into_iter().map(str::to_owned).collect(),
            countries: countries.into_iter().map(str::to_owned).collect(),
        }
    }
}

fn rows(tsv: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
}

/// The USPS code for a state written as a code or a name ("tx", "Texas").
pub fn state_code(s: &str) -> Option<&'static str> {
    let s = s.trim().trim_end_matches('.');
    rows(US_STATES_TSV)
        .find(|(code, name)| code.eq_ignore_ascii_case(s) || name.eq_ignore_ascii_case(s))
        .map(|(code, _)| code)
}

/// Common ways of writing a country that are neither its code nor the
/// schema's name for it.
const COUNTRY_ALIASES: &[(&str, &str)] = &[
    ("USA", "US"),
    ("U.S.", "US"),
    ("U.S.A.", "US"),
    ("U.S.A", "US"),
    ("United States of America", "US"),
    ("America", "US"),
    ("UK", "GB"),
    ("U.K.", "GB"),
    ("Great Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("Wales", "GB"),
    ("Northern Ireland", "GB"),
    ("CAN", "CA"),
    ("MEX", "MX"),
    ("GBR", "GB"),
    ("Russia", "RU"),
    ("South Korea", "KR"),
    ("North Korea", "KP"),
    ("Vietnam", "VN"),
    ("Iran", "IR"),
    ("Syria", "SY"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Moldova", "MD"),
    ("Laos", "LA"),
    ("Czech Republic", "CZ"),
    ("Czechia", "CZ"),
];

/// The ISO 3166-1 alpha-2 code for a country written as a code or a name.
pub fn country_code(s: &str) -> Option<&'static str> {
    let s = s.trim();
    if let Some((_, code)) = COUNTRY_ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(s))
    {
        return Some(code);
    }
    rows(COUNTRIES_TSV)
        .find(|(code, name)| code.eq_ignore_ascii_case(s) || name.eq_ignore_ascii_case(s))
        .map(|(code, _)| code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_by_code_or_name() {
        assert_eq!(state_code("tx"), Some("TX"));
        assert_eq!(state_code(" New York "), Some("NY"));
        assert_eq!(state_code("Puerto Rico"), Some("PR"));
        assert_eq!(state_code("Gotham"), None);
    }

    #[test]
    fn countries_by_code_name_or_alias() {
        assert_eq!(country_code("us"), Some("US"));
        assert_eq!(country_code("USA"), Some("US"));
        assert_eq!(country_code("United States"), Some("US"));
        assert_eq!(country_code("Mexico"), Some("MX"));
        assert_eq!(country_code("Atlantis"), None);
    }

    #[test]
    fn jurisdiction_from_fields_and_entities() {
        let locs = [
            Location {
                country: Some("Canada".into()),
                ..Location::default()
            },
            Location {
                state: Some("ohio".into()),
                ..Location::default()
            },
        ];
        let ents = [
            Entity {
                kind: EntityKind::City,
                value: "Houston, TX".into(),
                span: 0..11,
                unverified: false,
            },
            Entity {
                kind: EntityKind::City,
                value: "Springfield".into(),
                span: 12..23,
                unverified: false,
            },
            Entity {
                kind: EntityKind::State,
                value: "OH".into(),
                span: 24..28,
                unverified: false,
            },
        ];
        let j = Jurisdiction::from_sources(&locs, &ents);
        assert_eq!(j.states, ["OH", "TX"]);
        assert_eq!(j.countries, ["CA", "US"]);
    }
}
