//! Entity extraction for Clearinghouse: from any text (report narratives, ad
//! bodies) find phone numbers, email addresses, URLs and domains, social
//! handles and platforms, money amounts and rates, stated ages, US places,
//! venues, and trafficking-related terms and symbols.
//!
//! # Contract
//! - **Spans are byte offsets into the original input** (`&text[span]` is
//!   always valid, on `char` boundaries), even though matching runs on a
//!   Unicode-folded copy of the text (NFKC, look-alike letters mapped to
//!   Latin, zero-width characters removed).
//! - Values are normalised: phones in E.164, emails and handles lower-case.
//! - Pure: no IO, no global state. Never panics, whatever the text.
//! - Every entity is an *indicator* to be weighed by people and by the
//!   indicator catalogue; none proves anything alone.
//!
//! # Phone numbers
//! North American numbers only in free text (10 digits, or 11 with the
//! leading 1), validated against libphonenumber's metadata (`phonenumber`
//! crate). Tests and examples use fictional numbers in the 555-01XX range with
//! real area codes (e.g. 212-555-0147): libphonenumber accepts them as valid,
//! and they are reserved for fiction, so no real person is named.
//!
//! ```
//! use extract::{Extractor, EntityKind};
//! let x = Extractor::new();
//! let text = "new in town, call 212-555-0147 or jane [at] example [dot] com";
//! let found = x.extract(text);
//! assert!(found.iter().any(|e| e.kind == EntityKind::Phone && e.value == "+12125550147"));
//! let email = found.iter().find(|e| e.kind == EntityKind::Email).unwrap();
//! assert_eq!(email.value, "jane@example.com");
//! assert_eq!(&text[email.span.clone()], "jane [at] example [dot] com");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dict;
mod email;
mod fold;
mod numeric;
mod phone;

use std::ops::Range;

use serde::Serialize;

pub use dict::{TermDef, TERMS};

use dict::{CaseRule, Dict, Payload, STATES};
use fold::Folded;

/// What an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A phone number; value in E.164 (`+12125550147`).
    Phone,
    /// An email address, de-obfuscated; value lower-case.
    Email,
    /// A URL; value as written, scheme and host lower-cased.
    Url,
    /// A bare domain (`example.com`); value lower-case.
    Domain,
    /// A social handle (`@name`); value lower-case with the `@`.
    Handle,
    /// An online platform; value its id in [`TERMS`] (`snapchat`).
    Platform,
    /// A money amount or rate; value like `200 usd`, `200 usd/hr`, `150 roses`.
    Money,
    /// A stated age; value the number (`17`).
    Age,
    /// A US state (name, or USPS code in a place context); value the code.
    State,
    /// A city from the gazetteer; value `City, ST` when the state is known.
    City,
    /// A venue (hotel, motel, truck stop, strip club…); value its id in [`TERMS`].
    Venue,
    /// Trafficking-related language ("the life", "quota"…); value its id in [`TERMS`].
    Term,
    /// A symbol such as a tattoo indicating money or ownership; value its id in [`TERMS`].
    Symbol,
}

/// One entity found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Entity {
    /// What it is.
    pub kind: EntityKind,
    /// Normalised value (see [`EntityKind`] for each kind's form).
    pub value: String,
    /// Byte range in the **original** input text (not the folded text).
    pub span: Range<usize>,
}

/// Finds entities in text. Build once (it compiles the dictionaries and
/// precomputes phone validity per area code, a few milliseconds) and share:
/// `extract` takes `&self` and the extractor is `Send + Sync`.
pub struct Extractor {
    dict: Option<Dict>,
    phones: phone::PhoneValidator,
    links: linkify::LinkFinder,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extractor").finish_non_exhaustive()
    }
}

impl Extractor {
    /// Builds the automata and tables.
    pub fn new() -> Extractor {
        let mut links = linkify::LinkFinder::new();
        links.kinds(&[linkify::LinkKind::Url]);
        links.url_must_have_scheme(false);
        Extractor {
            // The patterns are fixed and small, so building cannot exceed the
            // automaton's limits; if it somehow did, dictionary kinds are
            // skipped rather than panicking.
            dict: Dict::new().ok(),
            phones: phone::PhoneValidator::new(),
            links,
        }
    }

    /// Extracts entities, sorted by span start (then kind).
    pub fn extract(&self, text: &str) -> Vec<Entity> {
        let folded = Folded::new(text);
        let t = folded.as_str();
        let mut out: Vec<Entity> = Vec::new();
        let mut push = |kind: EntityKind, span: Range<usize>, value: String| {
            out.push(Entity {
                kind,
                value,
                span: folded.original_span(span),
            });
        };

        // One pass of the dictionary automaton: terms, places, and anchors.
        let mut digit_words: Vec<usize> = Vec::new();
        let mut at_markers: Vec<Range<usize>> = Vec::new();
        if let Some(dict) = &self.dict {
            self.dictionary(dict, t, &mut digit_words, &mut at_markers, &mut push);
        }

        let mut phones = Vec::new();
        phone::find_phones(t, &digit_words, &self.phones, &mut phones);
        for p in phones {
            push(EntityKind::Phone, p.span, p.e164);
        }

        let mut emails = Vec::new();
        let mut handles = Vec::new();
        if memchr::memchr(b'@', t.as_bytes()).is_some() {
            email::find_at_sign(t, &mut emails, &mut handles);
        }
        email::find_written_at(t, &at_markers, &mut emails);
        let email_spans: Vec<Range<usize>> = emails.iter().map(|e| e.span.clone()).collect();
        for e in emails {
            push(EntityKind::Email, e.span, e.value);
        }
        for h in handles {
            push(EntityKind::Handle, h.span, h.value);
        }

        if may_have_link(t.as_bytes()) {
            for l in self.links.links(t) {
                let span = l.start()..l.end();
                if email_spans
                    .iter()
                    .any(|e| e.start < span.end && span.start < e.end)
                {
                    continue;
                }
                if let Some((kind, value)) = link_value(l.as_str()) {
                    push(kind, span, value);
                }
            }
        }

        let n = numeric::find(t);
        for h in n.money {
            push(EntityKind::Money, h.span, h.value);
        }
        for h in n.ages {
            push(EntityKind::Age, h.span, h.value);
        }
        for h in n.states {
            push(EntityKind::State, h.span, h.value);
        }

        out.sort_by(|a, b| {
            (a.span.start, a.kind, a.span.end, &a.value).cmp(&(
                b.span.start,
                b.kind,
                b.span.end,
                &b.value,
            ))
        });
        out.dedup();
        out
    }

    fn dictionary(
        &self,
        dict: &Dict,
        t: &str,
        digit_words: &mut Vec<usize>,
        at_markers: &mut Vec<Range<usize>>,
        push: &mut impl FnMut(EntityKind, Range<usize>, String),
    ) {
        let b = t.as_bytes();
        for m in dict.ac.find_iter(t) {
            let (s, e) = (m.start(), m.end());
            let pid = m.pattern().as_usize();
            let payloads = &dict.payloads[pid];
            if matches!(payloads.first(), Some(Payload::AtMarker)) {
                at_markers.push(s..e);
                continue;
            }
            if !word_boundary(t, s, e) {
                continue;
            }
            let matched = &t[s..e];
            match dict.case[pid] {
                CaseRule::Exact if !dict.exact_ok(pid, matched) => continue,
                CaseRule::Proper if !b[s].is_ascii_uppercase() => continue,
                _ => {}
            }
            let following = state_after(b, e);
            for p in payloads {
                match *p {
                    Payload::DigitWord => digit_words.push(s),
                    Payload::AtMarker => {}
                    Payload::Term(i) => {
                        let def = &TERMS[i];
                        push(def.kind, s..e, def.id.to_string());
                    }
                    Payload::City(i) => {
                        let city = &dict.cities[i];
                        let state = match following {
                            Some((code, _)) => Some(code),
                            None if city.needs_state => continue,
                            None if city.states.len() == 1 => city.states.first().copied(),
                            None => None,
                        };
                        let value = match state {
                            Some(code) => format!("{}, {code}", city.name),
                            None => city.name.clone(),
                        };
                        push(EntityKind::City, s..e, value);
                        if let Some((code, span)) = following.clone() {
                            push(EntityKind::State, span, code.to_string());
                        }
                    }
                    Payload::State(i) => {
                        // "Washington, DC" and "New York, NY" are the cities.
                        if payloads.iter().any(|p| matches!(p, Payload::City(_)))
                            && following.is_some()
                        {
                            continue;
                        }
                        push(EntityKind::State, s..e, STATES[i].1.to_string());
                    }
                }
            }
        }
    }
}

/// Cheap gate before `linkify`: a link needs a dot between a letter or digit
/// and a letter (`example.com`), which most sentences' full stops are not.
fn may_have_link(t: &[u8]) -> bool {
    memchr::memchr_iter(b'.', t).any(|i| {
        i > 0
            && t[i - 1].is_ascii_alphanumeric()
            && t.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
    })
}

/// Is `[s, e)` a whole word (or phrase) of the text?
fn word_boundary(t: &str, s: usize, e: usize) -> bool {
    let before = t[..s].chars().next_back();
    let after = t[e..].chars().next();
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    !before.is_some_and(is_word) && !after.is_some_and(is_word)
}

/// A state written after a city: `, TX`, ` TX`, `, Texas`. Returns the code
/// and the span of what was written.
fn state_after(t: &[u8], e: usize) -> Option<(&'static str, Range<usize>)> {
    let mut i = e;
    if t.get(i) == Some(&b',') {
        i += 1;
    }
    if t.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    if let Some(code) = t.get(i..i + 2) {
        if t.get(i + 2).is_none_or(|b| !b.is_ascii_alphanumeric()) {
            if let Some((_, c)) = STATES.iter().find(|(_, c)| c.as_bytes() == code) {
                return Some((c, i..i + 2));
            }
        }
    }
    for (name, code) in STATES {
        let n = name.as_bytes();
        if t.get(i..i + n.len()) == Some(n)
            && t.get(i + n.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric())
        {
            return Some((code, i..i + n.len()));
        }
    }
    None
}

/// Classifies a link found by `linkify`: URL (scheme or path) or bare domain.
fn link_value(s: &str) -> Option<(EntityKind, String)> {
    let (scheme, rest) = match s.find("://") {
        Some(i) => (Some(&s[..i]), &s[i + 3..]),
        None => (None, s),
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    let host_only = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let tld = host_only.rsplit('.').next()?;
    // Bare `a.b` without a scheme must look like a real domain (`e.g`, `St.Louis` are not).
    if scheme.is_none() && !(tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic())) {
        return None;
    }
    if scheme.is_none() && tail.trim_matches('/').is_empty() {
        return Some((EntityKind::Domain, host.to_ascii_lowercase()));
    }
    let mut v = String::with_capacity(s.len());
    if let Some(sc) = scheme {
        v.push_str(&sc.to_ascii_lowercase());
        v.push_str("://");
    }
    v.push_str(&host.to_ascii_lowercase());
    v.push_str(tail);
    Some((EntityKind::Url, v))
}

/// Normalises a phone number given on its own (a structured field) to E.164.
///
/// Accepts the same obfuscations as free text (spelled digits, look-alike
/// letters, full-width digits, separators); US is the default region, and
/// numbers written with `+` and another country code are accepted when
/// valid. Returns `None` for anything that is not a valid number.
pub fn normalize_phone(s: &str) -> Option<String> {
    let folded = Folded::new(s);
    phone::normalize(folded.as_str())
}

/// Normalises an email address given on its own (a structured field),
/// undoing the usual obfuscations (`[at]`, ` dot `), to lower case.
/// Returns `None` unless the whole input is one address.
pub fn normalize_email(s: &str) -> Option<String> {
    let folded = Folded::new(s);
    let t = folded.as_str().trim();
    let mut emails = Vec::new();
    let mut handles = Vec::new();
    email::find_at_sign(t, &mut emails, &mut handles);
    if emails.is_empty() {
        let lower = t.to_ascii_lowercase();
        let markers: Vec<Range<usize>> = email::AT_MARKERS
            .iter()
            .flat_map(|m| lower.match_indices(m).map(|(i, x)| i..i + x.len()))
            .collect();
        email::find_written_at(t, &markers, &mut emails);
    }
    match emails.as_slice() {
        [one] if one.span == (0..t.len()) => Some(one.value.clone()),
        _ => None,
    }
}
