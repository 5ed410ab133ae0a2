//! The indicator catalogue: risk factors and red flags from the seed pages,
//! each with plain-language text, a weight and the rules that detect it, kept
//! as a versioned data file (`data/indicators.toml`) that is validated on load.

use std::collections::HashSet;

use extract::{EntityKind, TERMS};
use serde::{Deserialize, Serialize};
use thiserror::Error;

const SHIPPED: &str = include_str!("../data/indicators.toml");

/// Phrases longer than this are sentences, not indicators; the cap also keeps
/// the compiled automaton small whatever file is loaded.
pub const MAX_PHRASE_CHARS: usize = 120;
/// Upper bound of an indicator's weight.
pub const MAX_WEIGHT: f32 = 10.0;

/// The versioned list of indicators and of the strong combinations.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Catalogue {
    /// Raised whenever an indicator, weight or rule changes, so an assessment
    /// can say which catalogue produced it.
    pub version: u32,
    #[serde(rename = "indicator", default)]
    pub indicators: Vec<Indicator>,
    /// Pairs (or more) of indicators that together make a report High even
    /// below the score threshold.
    #[serde(rename = "combination", default, skip_serializing_if = "Vec::is_empty")]
    pub combinations: Vec<Combination>,
}

/// One risk factor or red flag. Never proof alone.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable id (`[a-z0-9_]+`).
    pub id: String,
    /// Plain language, shown to analysts.
    pub text: String,
    pub category: Category,
    /// Which seed page or publication it comes from.
    pub source: String,
    /// 0.0 to 10.0; how much it adds to a report's score.
    pub weight: f32,
    /// Any one rule matching is enough.
    pub detect: Vec<Detect>,
}

/// Groups of indicators that together make a report High. Each group is "any
/// of these ids"; every group must have a match. Groups share no id, so a
/// combination always takes at least two different indicators.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    pub id: String,
    /// Plain language, completing "High: …".
    pub text: String,
    pub all_of: Vec<Vec<String>>,
}

/// The seed pages' groups of risk factors and red flags, plus imminent danger
/// and online exploitation.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    SocietalRisk,
    RelationshipRisk,
    IndividualRisk,
    BehaviouralRedFlag,
    PhysicalRedFlag,
    ImminentDanger,
    OnlineExploitation,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::SocietalRisk,
        Category::RelationshipRisk,
        Category::IndividualRisk,
        Category::BehaviouralRedFlag,
        Category::PhysicalRedFlag,
        Category::ImminentDanger,
        Category::OnlineExploitation,
    ];

    /// Name for people.
    pub fn label(&self) -> &'static str {
        match self {
            Category::SocietalRisk => "Societal or environmental risk factor",
            Category::RelationshipRisk => "Relationship or family risk factor",
            Category::IndividualRisk => "Individual risk factor",
            Category::BehaviouralRedFlag => "Behavioural red flag",
            Category::PhysicalRedFlag => "Physical red flag",
            Category::ImminentDanger => "Imminent danger",
            Category::OnlineExploitation => "Online exploitation",
        }
    }

    /// The serialised name (`societal_risk`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Category::SocietalRisk => "societal_risk",
            Category::RelationshipRisk => "relationship_risk",
            Category::IndividualRisk => "individual_risk",
            Category::BehaviouralRedFlag => "behavioural_red_flag",
            Category::PhysicalRedFlag => "physical_red_flag",
            Category::ImminentDanger => "imminent_danger",
            Category::OnlineExploitation => "online_exploitation",
        }
    }
}

/// How an indicator is detected. Written in TOML as inline tables tagged by
/// `kind`, e.g. `{ kind = "phrase", any = ["the life", "the game"] }`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Detect {
    /// Any of these wordings, whole words, ignoring case, after the same
    /// Unicode folding as `extract` (so look-alike letters and curly
    /// apostrophes match). Literal text: no patterns.
    Phrase { any: Vec<String> },
    /// An extracted entity of this kind, optionally with one of these
    /// normalised values (term ids from `extract::TERMS`, `+1…` phones…).
    Entity {
        #[serde(with = "entity_kind")]
        entity: EntityKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        values: Option<Vec<String>>,
    },
    /// A structured field of the report.
    Fact { fact: FactRule },
    /// An age under `age` stated in a text ("15 years old", "age 16").
    StatedAgeUnder { age: u32 },
    /// At least this many different values of an entity kind across the
    /// texts (and, for phones, the report's structured phone numbers).
    EntityCount {
        #[serde(with = "entity_kind")]
        entity: EntityKind,
        at_least: u32,
    },
    /// The report points to at least this many US states (structured
    /// locations and places in the texts): travel between states.
    StatesAtLeast { count: u32 },
}

/// Rules on the report's structured fields ([`crate::Facts`]).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum FactRule {
    /// The provider set `escalateToHighPriority`.
    EscalateToHighPriority,
    /// The child is missing from the care of child welfare.
    MissingFromCare,
    /// The missing child ran away (rather than being abducted or lost).
    Runaway,
    /// Ran away while in foster or other child-welfare care.
    RanFromFosterCare,
    /// A victim's age is under `age`.
    VictimUnder { age: u32 },
    /// Missing at least `count` times (this episode included).
    EpisodesAtLeast { count: u32 },
    /// The report's incident type is one of these (ignoring case).
    IncidentType { any: Vec<String> },
}

/// Why a catalogue was refused: which indicator, and what to fix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CatalogueError {
    #[error("the indicator catalogue is not valid TOML: {0}")]
    Syntax(String),
    #[error("the indicator catalogue: {0}")]
    Catalogue(String),
    #[error("indicator `{id}`: {problem}")]
    Indicator { id: String, problem: String },
    #[error("combination `{id}`: {problem}")]
    Combination { id: String, problem: String },
}

impl Catalogue {
    /// The catalogue shipped with the crate. It is checked by a unit test, so
    /// failing here would be a build that never passed its tests.
    pub fn shipped() -> Catalogue {
        match Catalogue::parse(SHIPPED) {
            Ok(c) => c,
            // An empty catalogue rates everything Low but escalation and
            // stated minors, which beats taking the service down.
            Err(_) => Catalogue {
                version: 0,
                indicators: Vec::new(),
                combinations: Vec::new(),
            },
        }
    }

    /// Parses and validates a catalogue.
    pub fn parse(toml_text: &str) -> Result<Catalogue, CatalogueError> {
        let table: toml::Table = toml_text
            .parse()
            .map_err(|e: toml::de::Error| CatalogueError::Syntax(e.to_string()))?;
        for key in table.keys() {
            if !matches!(key.as_str(), "version" | "indicator" | "combination") {
                return Err(CatalogueError::Catalogue(format!(
                    "unknown key `{key}`; expected `version`, `[[indicator]]` or `[[combination]]`"
                )));
            }
        }
        let version = match table.get("version") {
            Some(toml::Value::Integer(v)) => u32::try_from(*v).ok().filter(|v| *v >= 1),
            _ => None,
        }
        .ok_or_else(|| {
            CatalogueError::Catalogue("set `version = N` (a whole number, 1 or more)".into())
        })?;

        // Each entry is read on its own so that an error names its id.
        let mut indicators = Vec::new();
        for (n, item) in array(&table, "indicator")?.iter().enumerate() {
            let id = name_of(item, n);
            let ind: Indicator = item.clone().try_into().map_err(|e: toml::de::Error| {
                CatalogueError::Indicator {
                    id: id.clone(),
                    problem: e.message().trim().to_string(),
                }
            })?;
            indicators.push(ind);
        }
        let mut combinations = Vec::new();
        for (n, item) in array(&table, "combination")?.iter().enumerate() {
            let id = name_of(item, n);
            let c: Combination = item.clone().try_into().map_err(|e: toml::de::Error| {
                CatalogueError::Combination {
                    id: id.clone(),
                    problem: e.message().trim().to_string(),
                }
            })?;
            combinations.push(c);
        }
        let c = Catalogue {
            version,
            indicators,
            combinations,
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks every rule a hand-edited file can break.
    pub fn validate(&self) -> Result<(), CatalogueError> {
        let mut ids = HashSet::new();
        for ind in &self.indicators {
            let bad = |problem: String| CatalogueError::Indicator {
                id: ind.id.clone(),
                problem,
            };
            check_id(&ind.id).map_err(bad)?;
            if !ids.insert(ind.id.as_str()) {
                return Err(bad(
                    "the id is used twice; give each indicator its own id".into()
                ));
            }
            if ind.text.trim().is_empty() {
                return Err(bad("`text` is empty; say in plain words what it is".into()));
            }
            if ind.source.trim().is_empty() {
                return Err(bad(
                    "`source` is empty; name the seed page or publication".into()
                ));
            }
            if !(ind.weight.is_finite() && (0.0..=MAX_WEIGHT).contains(&ind.weight)) {
                return Err(bad(format!(
                    "weight {} is out of range; use 0.0 to {MAX_WEIGHT}",
                    ind.weight
                )));
            }
            if ind.detect.is_empty() {
                return Err(bad(
                    "no detection rule; add at least one `detect` entry".into()
                ));
            }
            for d in &ind.detect {
                check_detect(d).map_err(bad)?;
            }
        }
        let mut combo_ids = HashSet::new();
        for c in &self.combinations {
            let bad = |problem: String| CatalogueError::Combination {
                id: c.id.clone(),
                problem,
            };
            check_id(&c.id).map_err(bad)?;
            if !combo_ids.insert(c.id.as_str()) {
                return Err(bad("the id is used twice".into()));
            }
            if c.text.trim().is_empty() {
                return Err(bad("`text` is empty".into()));
            }
            if c.all_of.len() < 2 {
                return Err(bad(
                    "`all_of` needs at least two groups: no single indicator makes a report High"
                        .into(),
                ));
            }
            let mut seen = HashSet::new();
            for group in &c.all_of {
                if group.is_empty() {
                    return Err(bad("a group of `all_of` is empty".into()));
                }
                for id in group {
                    if !ids.contains(id.as_str()) {
                        return Err(bad(format!("names `{id}`, which is not an indicator")));
                    }
                    if !seen.insert(id.as_str()) {
                        return Err(bad(format!(
                            "`{id}` is in two groups; groups must not share indicators"
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// The catalogue as TOML that [`Catalogue::parse`] reads back unchanged.
    pub fn to_toml(&self) -> String {
        match toml::to_string(self) {
            Ok(s) => s,
            // Only non-string map keys or values after tables fail; these
            // types have neither (a unit test round-trips the catalogue).
            Err(e) => format!("# the catalogue could not be written: {e}\n"),
        }
    }

    /// The indicator with this id.
    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

fn array<'t>(table: &'t toml::Table, key: &str) -> Result<&'t [toml::Value], CatalogueError> {
    match table.get(key) {
        None => Ok(&[]),
        Some(toml::Value::Array(a)) => Ok(a),
        Some(_) => Err(CatalogueError::Catalogue(format!(
            "`{key}` must be a list of tables, written `[[{key}]]`"
        ))),
    }
}

/// The entry's id if it has one, else its position, to name it in errors.
fn name_of(item: &toml::Value, n: usize) -> String {
    match item.get("id").and_then(toml::Value::as_str) {
        Some(id) if !id.trim().is_empty() => id.to_string(),
        _ => format!("#{} (no id)", n + 1),
    }
}

fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("the id must be lower-case letters, digits and `_` only".into());
    }
    Ok(())
}

/// Characters that only make sense in a regular expression. Phrases are
/// literal, so an author who writes `hotel.*room` expects something that
/// would never match; refusing it says so.
const REGEX_SIGNS: &[char] = &['\\', '^', '*', '?', '(', ')', '[', ']', '{', '}', '|'];

fn check_detect(d: &Detect) -> Result<(), String> {
    match d {
        Detect::Phrase { any } => {
            if any.is_empty() {
                return Err("a phrase rule has no phrases; list them in `any`".into());
            }
            for p in any {
                if !p.chars().any(char::is_alphanumeric) {
                    return Err(format!(
                        "phrase {p:?} has no letters or digits; write the words to look for"
                    ));
                }
                if p.chars().count() > MAX_PHRASE_CHARS {
                    return Err(format!(
                        "phrase {p:?} is longer than {MAX_PHRASE_CHARS} characters; use the few words that matter"
                    ));
                }
                if p.contains(REGEX_SIGNS) || p.contains(".*") {
                    return Err(format!(
                        "phrase {p:?} looks like a regular expression; phrases are matched literally, so write each wording out"
                    ));
                }
            }
        }
        Detect::Entity {
            entity,
            values: Some(values),
        } => {
            if values.is_empty() {
                return Err("`values` is empty; leave it out to accept any value".into());
            }
            let dictionary = matches!(
                entity,
                EntityKind::Term | EntityKind::Symbol | EntityKind::Venue | EntityKind::Platform
            );
            for v in values {
                if v.trim().is_empty() {
                    return Err("an entity value is empty".into());
                }
                if dictionary && !TERMS.iter().any(|t| t.kind == *entity && t.id == v) {
                    let known: Vec<&str> = TERMS
                        .iter()
                        .filter(|t| t.kind == *entity)
                        .map(|t| t.id)
                        .collect();
                    return Err(format!(
                        "`{v}` is not a {} id of extract::TERMS; known: {}",
                        kind_name(*entity),
                        known.join(", ")
                    ));
                }
            }
        }
        Detect::Fact { fact } => match fact {
            FactRule::VictimUnder { age } if !(1..=30).contains(age) => {
                return Err(format!("victim_under age {age}: use 1 to 30"));
            }
            FactRule::EpisodesAtLeast { count: 0 } => {
                return Err("episodes_at_least count must be 1 or more".into());
            }
            FactRule::IncidentType { any } if any.iter().all(|s| s.trim().is_empty()) => {
                return Err("incident_type lists no incident type".into());
            }
            _ => {}
        },
        Detect::StatedAgeUnder { age } if !(1..=30).contains(age) => {
            return Err(format!("stated_age_under age {age}: use 1 to 30"));
        }
        Detect::EntityCount { at_least, .. } if *at_least < 2 => {
            return Err(
                "entity_count at_least must be 2 or more (for one, use an `entity` rule)".into(),
            );
        }
        Detect::StatesAtLeast { count } if *count < 2 => {
            return Err("states_at_least count must be 2 or more".into());
        }
        _ => {}
    }
    Ok(())
}

/// Every entity kind with its serialised name (as `extract` writes it).
pub const ENTITY_KINDS: [(EntityKind, &str); 13] = [
    (EntityKind::Phone, "phone"),
    (EntityKind::Email, "email"),
    (EntityKind::Url, "url"),
    (EntityKind::Domain, "domain"),
    (EntityKind::Handle, "handle"),
    (EntityKind::Platform, "platform"),
    (EntityKind::Money, "money"),
    (EntityKind::Age, "age"),
    (EntityKind::State, "state"),
    (EntityKind::City, "city"),
    (EntityKind::Venue, "venue"),
    (EntityKind::Term, "term"),
    (EntityKind::Symbol, "symbol"),
];

/// The serialised name of an entity kind (`phone`), also the highlight mark.
pub fn kind_name(k: EntityKind) -> &'static str {
    ENTITY_KINDS
        .iter()
        .find(|(x, _)| *x == k)
        .map_or("entity", |(_, n)| n)
}

/// `extract::EntityKind` serialises but does not deserialise; the catalogue
/// reads it by name.
mod entity_kind {
    use super::ENTITY_KINDS;
    use extract::EntityKind;
    use serde::{de::Error, Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(k: &EntityKind, s: S) -> Result<S::Ok, S::Error> {
        k.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EntityKind, D::Error> {
        let s = String::deserialize(d)?;
        ENTITY_KINDS
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(k, _)| *k)
            .ok_or_else(|| {
                let names: Vec<&str> = ENTITY_KINDS.iter().map(|(_, n)| *n).collect();
                D::Error::custom(format!(
                    "unknown entity kind `{s}`; expected one of: {}",
                    names.join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_catalogue_parses() {
        let c = Catalogue::parse(SHIPPED).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.version, 1);
        assert!(
            (30..=60).contains(&c.indicators.len()),
            "{} indicators",
            c.indicators.len()
        );
        assert_eq!(Catalogue::shipped(), c);
    }

    #[test]
    fn shipped_catalogue_round_trips() {
        let c = Catalogue::shipped();
        let text = c.to_toml();
        let back = Catalogue::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, c);
    }

    #[test]
    fn every_category_is_used() {
        let c = Catalogue::shipped();
        for cat in Category::ALL {
            assert!(
                c.indicators.iter().any(|i| i.category == cat),
                "no indicator in {cat:?}"
            );
        }
    }

    #[test]
    fn kind_names_match_extract_serialisation() {
        for (k, n) in ENTITY_KINDS {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::from(n));
        }
    }

    #[test]
    fn category_names_match_serialisation() {
        for c in Category::ALL {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::from(c.as_str())
            );
            assert!(!c.label().is_empty());
        }
    }
}
