//! The dictionaries (trafficking-related terms and symbols, venues, platforms,
//! US states, the city gazetteer) and the single Aho-Corasick automaton that
//! finds all of them, plus the anchors other scanners need (spelled digits,
//! written-out "at"), in one pass over the text.

use std::collections::HashMap;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

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
pub(crate) const STATES: &[(&str, &str)] = &[
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

/// Index in [`STATES`] of each two-letter code `AA`..`ZZ` (`u8::MAX` when
/// it is not a state's), so a code is looked up without a search.
const STATE_BY_CODE: [u8; 676] = {
    let mut table = [u8::MAX; 676];
    let mut i = 0;
    while i < STATES.len() {
        let c = STATES[i].1.as_bytes();
        table[(c[0] - b'A') as usize * 26 + (c[1] - b'A') as usize] = i as u8;
        i += 1;
    }
    table
};

/// The index in [`STATES`] of a USPS code (upper case), if it is one.
pub(crate) fn state_index(s: &[u8]) -> Option<usize> {
    match *s {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => {
            let i = STATE_BY_CODE[usize::from(a - b'A') * 26 + usize::from(b - b'A')];
            (i != u8::MAX).then_some(usize::from(i))
        }
        _ => None,
    }
}

/// Is this a USPS state code (upper case)?
pub(crate) fn is_state_code(s: &[u8]) -> bool {
    state_index(s).is_some()
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
    scan: Scanner,
    /// The patterns, lower case, for checking the scanner in tests.
    #[cfg(test)]
    patterns: Vec<String>,
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

/// The dictionary automaton re-encoded for speed: the scan reads every byte
/// of every text and was the largest cost of extraction. Aho-Corasick's own
/// DFA keeps rows of 128 four-byte entries (its byte classes tell `a` from
/// `A`), 1.5 MB for our patterns, more than a core's second-level cache.
/// Here letters of either case share a class (the automaton treats them
/// alike), so rows have 40 entries and the table is a third of the size;
/// an entry is the next state's row offset, so a byte costs one addition
/// and one load; and the search loop is ours (see `for_each_match`).
struct Scanner {
    /// Byte → class: bytes in one class have the same transitions everywhere.
    class: [u8; 256],
    /// `trans[state + class]` is the next state. A state is the offset of
    /// its row; states are numbered dead first, then match states, then the
    /// others.
    trans: Vec<u32>,
    /// States below this one are the dead state or match states.
    special: u32,
    /// Row length (the number of classes).
    stride: usize,
    /// For each match state (by row number): (pattern, pattern length).
    matches: Vec<(usize, usize)>,
    start: u32,
    /// Bytes after which the automaton is always in its start state or
    /// dead (no pattern contains them): digits, most punctuation, newlines,
    /// the bytes of non-ASCII characters.
    reset: [bool; 256],
}

/// The dead state: the longest match so far is final.
const DEAD: u32 = 0;

impl Scanner {
    /// Every state reachable from the unanchored start, renumbered. `None`
    /// if the table would not fit 32-bit offsets (it is far smaller).
    fn new(dfa: &DFA) -> Option<Scanner> {
        let start = dfa.start_state(Anchored::No).ok()?;
        let next = |s: StateID, b: u8| dfa.next_state(Anchored::No, s, b);
        // Reachable states in breadth-first order. Aho-Corasick's state ids
        // are offsets into its own table, so a vector indexed by them finds
        // a state's number without hashing (building stays quick in debug
        // builds, where tests make many extractors).
        const NONE: usize = usize::MAX;
        let mut number: Vec<usize> = Vec::new();
        let mut numbered = |s: StateID, count: usize| -> Option<usize> {
            let k = s.as_usize();
            if k >= number.len() {
                number.resize(k + 1, NONE);
            }
            if number[k] == NONE {
                number[k] = count;
                return None;
            }
            Some(number[k])
        };
        numbered(start, 0);
        let mut states = vec![start];
        let mut k = 0;
        while let Some(&s) = states.get(k) {
            let mut last = None;
            for b in 0..=255u8 {
                let n = next(s, b);
                // Runs of bytes mostly lead to one state; skip the lookup.
                if last == Some(n) {
                    continue;
                }
                last = Some(n);
                if numbered(n, states.len()).is_none() {
                    states.push(n);
                }
            }
            k += 1;
        }
        // Dead first, then match states, then the rest (stable within each).
        let rank = |s: StateID| {
            if dfa.is_dead(s) {
                0
            } else if dfa.is_match(s) {
                1
            } else {
                2
            }
        };
        let mut order = states;
        order.sort_by_key(|&s| rank(s));
        if order.first().is_none_or(|&s| !dfa.is_dead(s)) {
            return None;
        }
        let mut row = vec![NONE; number.len()];
        for (i, &s) in order.iter().enumerate() {
            row[s.as_usize()] = i;
        }
        // Bytes with the same column of next states form one class.
        let mut columns: HashMap<Vec<usize>, u8> = HashMap::new();
        let mut class = [0u8; 256];
        let mut example = Vec::new();
        for b in 0..=255u8 {
            let column: Vec<usize> = order.iter().map(|&s| row[next(s, b).as_usize()]).collect();
            let n = u8::try_from(columns.len()).ok()?;
            let c = *columns.entry(column).or_insert(n);
            if usize::from(c) == example.len() {
                example.push(b);
            }
            class[usize::from(b)] = c;
        }
        let stride = example.len();
        let offset = |s: StateID| u32::try_from(row[s.as_usize()] * stride).ok();
        let mut trans = vec![DEAD; order.len() * stride];
        for (c, &b) in example.iter().enumerate() {
            for (i, &s) in order.iter().enumerate() {
                trans[i * stride + c] = offset(next(s, b))?;
            }
        }
        let specials = order.iter().take_while(|&&s| rank(s) < 2).count();
        let matches = order[..specials]
            .iter()
            .map(|&s| {
                if dfa.is_match(s) {
                    let pid = dfa.match_pattern(s, 0);
                    (pid.as_usize(), dfa.pattern_len(pid))
                } else {
                    (0, 0)
                }
            })
            .collect();
        let mut reset = [false; 256];
        for (r, &c) in reset.iter_mut().zip(class.iter()) {
            let b = example[usize::from(c)];
            *r = order.iter().all(|&s| {
                let n = next(s, b);
                n == start || dfa.is_dead(n)
            });
        }
        Some(Scanner {
            class,
            trans,
            special: u32::try_from(specials * stride).ok()?,
            stride,
            matches,
            start: offset(start)?,
            reset,
        })
    }

    /// Calls `f(pattern, start, end)` for each leftmost-longest,
    /// non-overlapping match, as `aho_corasick`'s search loop finds them:
    /// run until the dead state, report the last match seen, restart after
    /// it. Each stretch's matches come in order; see `split` for the two.
    fn for_each_match(&self, hay: &[u8], mut f: impl FnMut(usize, usize, usize)) {
        let mid = self.split(hay);
        let mut a = Lane::new(self.start, 0, mid);
        let mut b = Lane::new(self.start, mid, hay.len());
        let (mut live_a, mut live_b) = (a.i < a.end, b.i < b.end);
        let (class, trans, special) = (&self.class, &self.trans[..], self.special);
        let step = |s: u32, b: u8| trans[s as usize + usize::from(class[usize::from(b)])];
        while live_a && live_b {
            // Two independent chains of loads: each step waits on the load
            // of the one before, so two stretches go nearly twice as fast.
            loop {
                a.s = step(a.s, hay[a.i]);
                b.s = step(b.s, hay[b.i]);
                a.i += 1;
                b.i += 1;
                if a.s < special || b.s < special || a.i >= a.end || b.i >= b.end {
                    break;
                }
            }
            live_a = a.settle(self, &mut f);
            live_b = b.settle(self, &mut f);
        }
        for (mut lane, mut live) in [(a, live_a), (b, live_b)] {
            while live {
                // Most bytes lead to ordinary states: step until one is not.
                loop {
                    lane.s = step(lane.s, hay[lane.i]);
                    lane.i += 1;
                    if lane.s < special || lane.i >= lane.end {
                        break;
                    }
                }
                live = lane.settle(self, &mut f);
            }
        }
    }

    /// Where to cut `hay` into two stretches scanned side by side: just
    /// after a byte that no pattern contains, near the middle (the length
    /// when there is none near it, or the text is short). Such a byte ends
    /// any match and leaves the automaton in its start state, so each
    /// stretch scanned alone finds exactly what a scan of the whole finds.
    fn split(&self, hay: &[u8]) -> usize {
        const NEAR: usize = 512;
        if hay.len() < 64 {
            return hay.len();
        }
        let mid = hay.len() / 2;
        let after = hay[mid..(mid + NEAR).min(hay.len())]
            .iter()
            .position(|&b| self.reset[usize::from(b)])
            .map(|k| mid + k + 1);
        let before = || {
            hay[mid.saturating_sub(NEAR)..mid]
                .iter()
                .rposition(|&b| self.reset[usize::from(b)])
                .map(|k| mid.saturating_sub(NEAR) + k + 1)
        };
        after.or_else(before).unwrap_or(hay.len())
    }
}

/// A stretch of text being scanned: the state, the position, where the
/// stretch ends and the longest match seen since the last restart.
struct Lane {
    s: u32,
    i: usize,
    end: usize,
    found: Option<(u32, usize)>,
}

impl Lane {
    fn new(start: u32, from: usize, end: usize) -> Lane {
        Lane {
            s: start,
            i: from,
            end,
            found: None,
        }
    }

    /// Deals with the state just entered (a match or the dead state) and
    /// with the end of the stretch. Returns whether bytes remain to scan.
    fn settle(&mut self, sc: &Scanner, f: &mut impl FnMut(usize, usize, usize)) -> bool {
        if self.s < sc.special {
            if self.s == DEAD {
                return self.report(sc, f);
            }
            // Leftmost-longest: keep going while a longer pattern may still
            // match; the dead state says when.
            self.found = Some((self.s, self.i));
        }
        if self.i >= self.end {
            return self.report(sc, f);
        }
        true
    }

    /// Reports the match seen and restarts just after it.
    fn report(&mut self, sc: &Scanner, f: &mut impl FnMut(usize, usize, usize)) -> bool {
        let Some((s, end)) = self.found.take() else {
            self.i = self.end;
            return false;
        };
        let (pid, len) = sc.matches[s as usize / sc.stride];
        f(pid, end - len, end);
        self.s = sc.start;
        self.i = end;
        self.i < self.end
    }
}

const CITIES_TSV: &str = include_str!("../data/us_cities.tsv");

fn state_code(code: &str) -> Option<&'static str> {
    STATES.iter().find(|(_, c)| *c == code).map(|(_, c)| *c)
}

impl Dict {
    /// `None` only if the automaton cannot be built (it is small and fixed,
    /// so in practice never).
    pub(crate) fn new() -> Option<Dict> {
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
        // Aho-Corasick builds the automaton (leftmost-longest, ASCII case
        // folded); `Scanner` re-encodes it compactly for the scan.
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Unanchored)
            .prefilter(false)
            .build(&patterns)
            .ok()?;
        Some(Dict {
            scan: Scanner::new(&dfa)?,
            #[cfg(test)]
            patterns,
            payloads,
            case,
            cities,
        })
    }

    /// Calls `f(pattern, start, end)` for each leftmost-longest,
    /// non-overlapping match (what `AhoCorasick::find_iter` gives). The text
    /// is scanned in two stretches side by side, so the matches of the
    /// second may come before the last ones of the first.
    pub(crate) fn for_each_match(&self, hay: &[u8], f: impl FnMut(usize, usize, usize)) {
        self.scan.for_each_match(hay, f);
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

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// The automaton `AhoCorasick` itself builds with the options the
    /// dictionary uses: the reference for the re-encoded scanner.
    fn reference(patterns: &[String]) -> AhoCorasick {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(patterns)
            .expect("small pattern set")
    }

    fn scanned(dict: &Dict, hay: &[u8]) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        dict.for_each_match(hay, |p, s, e| found.push((p, s, e)));
        found.sort_by_key(|m| m.1);
        found
    }

    #[test]
    fn scanner_matches_aho_corasick() {
        let dict = Dict::new().expect("dictionary builds");
        let ac = reference(&dict.patterns);
        // Pieces that make matches, near-matches, overlaps and split points
        // (digits, commas, newlines and non-ASCII bytes end every match).
        let pieces: &[&str] = &[
            "the life",
            "in the ",
            "LIFE",
            "hotel",
            "motel room",
            "Dallas",
            "St. Louis",
            "St Louis",
            "New York City",
            "new york",
            "NYC",
            " at ",
            "(at)",
            "[ at ]",
            "five",
            "nine",
            "someone",
            "truck stop",
            "truck-stop",
            "$ tattoo",
            "cash app",
            "IG",
            "ig",
            "Mobile",
            "a",
            "st",
            " ",
            " ",
            ".",
            ",",
            "\n",
            "7",
            "é",
            "📞",
            "-",
            "'",
            "(",
        ];
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..1000 {
            let n = (next() % 200) as usize;
            let text: String = (0..n)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let hay = text.as_bytes();
            let want: Vec<_> = ac
                .find_iter(hay)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect();
            assert_eq!(scanned(&dict, hay), want, "round {round}: {text:?}");
        }
    }

    #[test]
    fn split_points_end_every_match() {
        let dict = Dict::new().expect("dictionary builds");
        for b in 0..=255u8 {
            if dict.scan.reset[usize::from(b)] {
                assert!(
                    dict.patterns.iter().all(|p| !p.as_bytes().contains(&b)),
                    "{b}"
                );
            }
        }
        // Letters, spaces and dots occur in patterns; digits and newlines not.
        assert!(!dict.scan.reset[usize::from(b'a')] && !dict.scan.reset[usize::from(b' ')]);
        assert!(dict.scan.reset[usize::from(b'7')] && dict.scan.reset[usize::from(b'\n')]);
    }

    #[test]
    fn state_codes_are_found_by_table() {
        for (i, (_, code)) in STATES.iter().enumerate() {
            assert_eq!(state_index(code.as_bytes()), Some(i));
        }
        for bad in ["", "T", "tx", "XX", "TXX", "Z9", "\u{e9}"] {
            assert_eq!(state_index(bad.as_bytes()), None, "{bad}");
        }
    }
}
