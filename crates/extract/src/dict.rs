//! The dictionaries (trafficking-related terms and symbols, venues, platforms,
//! US states, the city gazetteer) and the single Aho-Corasick automaton that
//! finds all of them, plus the anchors other scanners need (spelled digits,
//! written-out "at"), in one pass over the text.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::email::AT_MARKERS;
use crate::phone::DIGIT_WORDS;
use crate::EntityKind;

/// One entry of the term catalogue: a canonical id (the entity's value), its
/// kind, and the surface forms that are matched (ASCII case-insensitive, on
/// word boundaries, after Unicode folding).
///
/// Every entry is an *indicator*: it never proves anything alone. A later
/// indicator catalogue maps these ids to risk factors and red flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermDef {
    /// Canonical id, used as the entity value (snake_case).
    pub id: &'static str,
    /// `Term`, `Symbol`, `Venue` or `Platform`.
    pub kind: EntityKind,
    /// Surface forms.
    pub forms: &'static [&'static str],
    /// Forms must match letter case exactly (for short acronyms like `MOB`).
    pub case_sensitive: bool,
}

const fn def(
    id: &'static str,
    kind: EntityKind,
    forms: &'static [&'static str],
    case_sensitive: bool,
) -> TermDef {
    TermDef {
        id,
        kind,
        forms,
        case_sensitive,
    }
}

use EntityKind::{Platform, Symbol, Term, Venue};

/// The term catalogue: language and symbols from the seed pages (trafficking-
/// related terms, tattoos that indicate money or ownership), the venues where
/// victims are often recovered, and online platforms named in reports.
pub static TERMS: &[TermDef] = &[
    // Language (seed: "Trick", "The Life", "The Game"; "stable", "quota").
    def("the_life", Term, &["the life", "in the life"], false),
    def("the_game", Term, &["the game", "in the game"], false),
    def("trick", Term, &["trick", "tricks"], false),
    def("daddy", Term, &["daddy"], false),
    def("quota", Term, &["quota", "quotas", "nightly quota"], false),
    def("stable", Term, &["stable"], false),
    def("bottom_girl", Term, &["bottom girl"], false),
    def(
        "track",
        Term,
        &["the track", "street track", "the blade"],
        false,
    ),
    def("boyfriend", Term, &["boyfriend"], false),
    // Symbols (seed: tattoo indicates money or ownership, "MOB, barcode or $").
    def("mob", Symbol, &["MOB"], true),
    def(
        "barcode_tattoo",
        Symbol,
        &[
            "barcode tattoo",
            "bar code tattoo",
            "barcode tattooed",
            "tattoo of a barcode",
            "tattooed barcode",
        ],
        false,
    ),
    def(
        "dollar_sign_tattoo",
        Symbol,
        &[
            "$ tattoo",
            "$ sign tattoo",
            "dollar sign tattoo",
            "dollar tattoo",
            "money tattoo",
            "tattoo of a dollar sign",
        ],
        false,
    ),
    def("crown_tattoo", Symbol, &["crown tattoo"], false),
    def("branding", Symbol, &["branded", "branding"], false),
    // Venues (seed: "hotel, street track, truck stop, or strip club").
    def("hotel", Venue, &["hotel", "hotels", "hotel room"], false),
    def("motel", Venue, &["motel", "motels", "motel room"], false),
    def(
        "truck_stop",
        Venue,
        &[
            "truck stop",
            "truck stops",
            "truckstop",
            "truck-stop",
            "travel plaza",
            "travel center",
        ],
        false,
    ),
    def(
        "strip_club",
        Venue,
        &[
            "strip club",
            "strip clubs",
            "gentlemen's club",
            "gentlemens club",
        ],
        false,
    ),
    def(
        "massage_business",
        Venue,
        &["massage parlor", "massage parlour", "massage business"],
        false,
    ),
    // Platforms, named neutrally.
    def("instagram", Platform, &["instagram", "insta"], false),
    def("instagram", Platform, &["IG"], true),
    def("snapchat", Platform, &["snapchat", "snap chat"], false),
    def("tiktok", Platform, &["tiktok", "tik tok"], false),
    def("telegram", Platform, &["telegram"], false),
    def("whatsapp", Platform, &["whatsapp", "whats app"], false),
    def("kik", Platform, &["kik"], false),
    def("discord", Platform, &["discord"], false),
    def("twitter", Platform, &["twitter"], false),
    def("facebook", Platform, &["facebook"], false),
    def("facebook", Platform, &["FB"], true),
    def("onlyfans", Platform, &["onlyfans", "only fans"], false),
    def("fansly", Platform, &["fansly"], false),
    def("cash_app", Platform, &["cash app", "cashapp"], false),
    def("skype", Platform, &["skype"], false),
];

/// US states, DC and Puerto Rico: (name, USPS code).
pub(crate) static STATES: &[(&str, &str)] = &[
    ("Alabama", "AL"),
    ("Alaska", "AK"),
    ("Arizona", "AZ"),
    ("Arkansas", "AR"),
    ("California", "CA"),
    ("Colorado", "CO"),
    ("Connecticut", "CT"),
    ("Delaware", "DE"),
    ("District of Columbia", "DC"),
    ("Florida", "FL"),
    ("Georgia", "GA"),
    ("Hawaii", "HI"),
    ("Idaho", "ID"),
    ("Illinois", "IL"),
    ("Indiana", "IN"),
    ("Iowa", "IA"),
    ("Kansas", "KS"),
    ("Kentucky", "KY"),
    ("Louisiana", "LA"),
    ("Maine", "ME"),
    ("Maryland", "MD"),
    ("Massachusetts", "MA"),
    ("Michigan", "MI"),
    ("Minnesota", "MN"),
    ("Mississippi", "MS"),
    ("Missouri", "MO"),
    ("Montana", "MT"),
    ("Nebraska", "NE"),
    ("Nevada", "NV"),
    ("New Hampshire", "NH"),
    ("New Jersey", "NJ"),
    ("New Mexico", "NM"),
    ("New York", "NY"),
    ("North Carolina", "NC"),
    ("North Dakota", "ND"),
    ("Ohio", "OH"),
    ("Oklahoma", "OK"),
    ("Oregon", "OR"),
    ("Pennsylvania", "PA"),
    ("Rhode Island", "RI"),
    ("South Carolina", "SC"),
    ("South Dakota", "SD"),
    ("Tennessee", "TN"),
    ("Texas", "TX"),
    ("Utah", "UT"),
    ("Vermont", "VT"),
    ("Virginia", "VA"),
    ("Washington", "WA"),
    ("West Virginia", "WV"),
    ("Wisconsin", "WI"),
    ("Wyoming", "WY"),
    ("Puerto Rico", "PR"),
];

/// Is this a USPS state code (upper case)?
pub(crate) fn is_state_code(s: &[u8]) -> bool {
    s.len() == 2 && STATES.iter().any(|(_, c)| c.as_bytes() == s)
}

/// Gazetteer city names that are also common words or first names: they are
/// only taken as places when a state follows ("Mobile, AL").
const NEEDS_STATE: &[&str] = &[
    "Mobile",
    "Independence",
    "Orange",
    "Surprise",
    "Lincoln",
    "Gary",
    "Reading",
    "Bend",
    "Kent",
    "Norman",
    "Warren",
    "Jackson",
    "Cary",
    "Elizabeth",
    "Monroe",
    "Lawrence",
    "Tyler",
    "Irving",
    "Gilbert",
    "Henderson",
    "Chandler",
    "Richardson",
    "Aurora",
    "Athens",
    "Odessa",
    "Erie",
    "Salem",
    "Canton",
    "Columbia",
    "Midland",
    "Ontario",
    "Vancouver",
    "Victoria",
    "Meridian",
    "Corona",
    "Hampton",
    "Lancaster",
    "Albany",
    "Bronx",
    "Queens",
    "Washington",
];

/// A city of the gazetteer: its name and the states it is found in.
pub(crate) struct City {
    pub(crate) name: String,
    pub(crate) states: Vec<&'static str>,
    pub(crate) needs_state: bool,
}

/// What a dictionary pattern stands for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Payload {
    Term(usize),
    State(usize),
    City(usize),
    DigitWord,
    AtMarker,
}

pub(crate) struct Dict {
    pub(crate) ac: AhoCorasick,
    /// Per pattern: what it stands for, and whether case must match exactly
    /// (`Some(form)`) or the first letter must be upper case (`Proper`).
    pub(crate) payloads: Vec<Vec<Payload>>,
    pub(crate) case: Vec<CaseRule>,
    pub(crate) cities: Vec<City>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CaseRule {
    Any,
    Exact,
    /// Proper names: the first letter must be upper case, so that "mobile",
    /// "orange" or "reading" in prose are not places.
    Proper,
}

const CITIES_TSV: &str = include_str!("../data/us_cities.tsv");

fn state_code(code: &str) -> Option<&'static str> {
    STATES.iter().find(|(_, c)| *c == code).map(|(_, c)| *c)
}

impl Dict {
    pub(crate) fn new() -> Result<Dict, aho_corasick::BuildError> {
        let mut cities: Vec<City> = Vec::new();
        for line in CITIES_TSV.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(name), Some(code)) = (cols.next(), cols.next()) else {
                continue;
            };
            let Some(code) = state_code(code.trim()) else {
                continue;
            };
            let name = name.trim();
            match cities.iter_mut().find(|c| c.name == name) {
                Some(c) => {
                    if !c.states.contains(&code) {
                        c.states.push(code);
                    }
                }
                None => cities.push(City {
                    name: name.to_string(),
                    states: vec![code],
                    needs_state: NEEDS_STATE.contains(&name),
                }),
            }
        }

        let mut patterns: Vec<String> = Vec::new();
        let mut payloads: Vec<Vec<Payload>> = Vec::new();
        let mut case: Vec<CaseRule> = Vec::new();
        let mut add = |form: &str, p: Payload, rule: CaseRule| {
            let key = form.to_ascii_lowercase();
            match patterns.iter().position(|x| *x == key) {
                Some(i) => {
                    payloads[i].push(p);
                    // The stricter rule wins when forms collide (`IG` vs none).
                    if rule == CaseRule::Exact || case[i] == CaseRule::Any {
                        case[i] = rule;
                    }
                }
                None => {
                    patterns.push(key);
                    payloads.push(vec![p]);
                    case.push(rule);
                }
            }
        };
        for (i, t) in TERMS.iter().enumerate() {
            let rule = if t.case_sensitive {
                CaseRule::Exact
            } else {
                CaseRule::Any
            };
            for f in t.forms {
                add(f, Payload::Term(i), rule);
            }
        }
        for (i, (name, _)) in STATES.iter().enumerate() {
            add(name, Payload::State(i), CaseRule::Proper);
        }
        for (i, c) in cities.iter().enumerate() {
            add(&c.name, Payload::City(i), CaseRule::Proper);
            if let Some(rest) = c.name.strip_prefix("St. ") {
                add(&format!("St {rest}"), Payload::City(i), CaseRule::Proper);
                add(&format!("Saint {rest}"), Payload::City(i), CaseRule::Proper);
            }
            if c.name == "New York" {
                add("New York City", Payload::City(i), CaseRule::Proper);
                add("NYC", Payload::City(i), CaseRule::Exact);
            }
            if c.name == "Las Vegas" {
                add("Vegas", Payload::City(i), CaseRule::Proper);
            }
        }
        for w in DIGIT_WORDS {
            add(w, Payload::DigitWord, CaseRule::Any);
        }
        for m in AT_MARKERS {
            add(m, Payload::AtMarker, CaseRule::Any);
        }
        // A DFA costs a few MB of memory, built once, and is the fastest
        // search for hundreds of case-insensitive patterns.
        let ac = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)?;
        Ok(Dict {
            ac,
            payloads,
            case,
            cities,
        })
    }

    /// Exact-case forms, checked against the matched text for `CaseRule::Exact`.
    pub(crate) fn exact_ok(&self, pattern: usize, matched: &str) -> bool {
        for p in &self.payloads[pattern] {
            let ok = match *p {
                Payload::Term(i) => TERMS[i].forms.contains(&matched),
                Payload::City(_) => matched == "NYC",
                _ => false,
            };
            if ok {
                return true;
            }
        }
        false
    }
}
