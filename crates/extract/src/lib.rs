//! Entity extraction for Clearinghouse: from any text (report narratives, ad
//! bodies) find phone numbers, email addresses, URLs and domains, social
//! handles and platforms, money amounts and rates, stated ages, US places,
//! venues, and trafficking-related terms and symbols.
//!
//! # Contract
//! - **Spans are byte offsets into the original input** (`&text[span]` is
//!   always valid, on `char` boundaries), even though matching runs on a
//!   Unicode-folded copy of the text (NFKC, look-alike letters mapped to
//!   Latin, zero-width characters removed): [`fold`], public so other
//!   matchers fold text exactly the same way.
//! - Values are normalised: phones in E.164, emails and handles lower-case.
//! - Pure: no IO, no global state (each thread keeps scratch buffers between
//!   calls, which carry nothing from one text to the next). Never panics,
//!   whatever the text.
//! - Every entity is an *indicator* to be weighed by people and by the
//!   indicator catalogue; none proves anything alone.
//!
//! # Phone numbers
//! North American numbers only in free text (10 digits, or 11 with the
//! leading 1), validated against libphonenumber's metadata (`phonenumber`
//! crate); a number of valid shape (`NXX-NXX-XXXX`, no service code `N11`)
//! that the metadata does not list is still found, marked
//! [`Entity::unverified`], since new area codes reach a library late. Tests and examples use fictional numbers in the 555-01XX range with
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
//!
//! # Throughput
//! About 130 MB/s per core on a mixed corpus of report narratives and online
//! ads (half the bytes each; 45-50 MB/s before this was tuned), 150 MB/s on
//! the narratives alone, 110-120 MB/s on the ads alone and 65 MB/s on the
//! dense labelled texts of the quality test (the worst case: an entity
//! every 17 bytes). Measured on a generated 100 MB corpus, single-threaded,
//! by CPU time on a shared two-core machine, with
//!
//! ```text
//! cargo run --release -p extract --example throughput
//! ```
//!
//! What makes it fast: one automaton pass finds every dictionary term and
//! the anchors of the other scanners, in a compact table and over two halves
//! of the text at once (see `dict.rs`); ASCII text is not copied to be
//! folded; digits are found eight bytes at a time and only their
//! surroundings are read for phones, money and ages; `linkify` only sees the
//! words that could hold a link; buffers are reused between calls.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dict;
mod email;
pub mod fold;
mod numeric;
mod phone;

use std::cell::RefCell;
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
    /// A phone of valid North American shape (`NXX-NXX-XXXX`) whose area
    /// code (or, in the few area codes checked per exchange, exchange) the
    /// phone library's table does not list. Area codes are added every year
    /// and the table lags, so such a number is still found, linked and shown,
    /// but marked: it may also be a reference number that happens to have a
    /// phone's shape. False for every other entity.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unverified: bool,
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
            dict: Dict::new(),
            phones: phone::PhoneValidator::new(),
            links,
        }
    }

    /// Extracts entities, sorted by span start (then kind).
    pub fn extract(&self, text: &str) -> Vec<Entity> {
        // The thread's scratch is taken only here and extraction never calls
        // back into itself, so it is free; should it not be (or should the
        // thread be shutting down), fresh buffers give the same result.
        SCRATCH
            .try_with(|cell| match cell.try_borrow_mut() {
                Ok(mut scratch) => {
                    let found = self.extract_in(text, &mut scratch);
                    scratch.trim();
                    found
                }
                Err(_) => self.extract_in(text, &mut Scratch::default()),
            })
            .unwrap_or_else(|_| self.extract_in(text, &mut Scratch::default()))
    }

    fn extract_in(&self, text: &str, scratch: &mut Scratch) -> Vec<Entity> {
        let Scratch {
            fold,
            digit_words,
            at_markers,
            runs,
            phones,
            emails,
            handles,
            labels,
            links,
        } = scratch;
        let folded = Folded::new(text, fold);
        let t = folded.as_str();
        // Dense ads carry an entity every 20-odd bytes; sizing once saves
        // the reallocations of growing from empty.
        let mut out: Vec<Entity> = Vec::with_capacity(4 + text.len() / 24);
        // Set only while an unverified phone is pushed, so every other
        // finder keeps the one `push` it is written against.
        let unverified = std::cell::Cell::new(false);
        let mut push = |kind: EntityKind, span: Range<usize>, value: String| {
            out.push(Entity {
                kind,
                value,
                span: folded.original_span(span),
                unverified: unverified.get(),
            });
        };

        // One pass of the dictionary automaton: terms, places, and anchors.
        digit_words.clear();
        at_markers.clear();
        if let Some(dict) = &self.dict {
            self.dictionary(dict, t, digit_words, at_markers, &mut push);
        }

        numeric::digit_runs(t.as_bytes(), runs);
        if !runs.is_empty() || !digit_words.is_empty() {
            phone::find_phones(t, runs, digit_words, &self.phones, phones, &mut |p| {
                unverified.set(p.unverified);
                push(EntityKind::Phone, p.span, p.e164);
                unverified.set(false);
            });
        }

        emails.clear();
        handles.clear();
        if memchr::memchr(b'@', t.as_bytes()).is_some() {
            email::find_at_sign(t, emails, handles, labels);
        }
        email::find_written_at(t, at_markers, emails, labels);
        // The values move into the entities; the spans stay for the links. An address
        // whose folded form starts inside a character's expansion ("¼@example.com"
        // folds to "1⁄4@…", an address "4@…") was not written: the original has no "4".
        for e in emails.iter_mut() {
            if !folded.starts_char(e.span.start) {
                continue;
            }
            push(
                EntityKind::Email,
                e.span.clone(),
                std::mem::take(&mut e.value),
            );
        }
        for h in handles.iter_mut() {
            push(
                EntityKind::Handle,
                h.span.clone(),
                std::mem::take(&mut h.value),
            );
        }

        if may_have_link(t.as_bytes()) {
            link_tokens(t.as_bytes(), links);
            for tok in links.iter() {
                for l in self.links.links(&t[tok.clone()]) {
                    let span = tok.start + l.start()..tok.start + l.end();
                    if emails
                        .iter()
                        .any(|e| e.span.start < span.end && span.start < e.span.end)
                    {
                        continue;
                    }
                    if let Some((kind, value)) = link_value(l.as_str()) {
                        push(kind, span, value);
                    }
                }
            }
        }

        if !runs.is_empty() {
            numeric::find(t, runs, &mut |kind, h| push(kind, h.span, h.value));
        }

        // Entities equal in all fields sort next to each other, so an
        // unstable sort is enough for `dedup`.
        out.sort_unstable_by(|a, b| {
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
        dict.for_each_match(b, |pid, s, e| {
            let payloads = &dict.payloads[pid];
            if matches!(payloads.first(), Some(Payload::AtMarker)) {
                at_markers.push(s..e);
                return;
            }
            if !word_boundary(t, s, e) {
                return;
            }
            let matched = &t[s..e];
            match dict.case[pid] {
                CaseRule::Exact if !dict.exact_ok(pid, matched) => return,
                CaseRule::Proper if !b[s].is_ascii_uppercase() => return,
                _ => {}
            }
            // Only places look at what follows; most matches are terms.
            let place = payloads
                .iter()
                .any(|p| matches!(p, Payload::City(_) | Payload::State(_)));
            let following = if place { state_after(b, e) } else { None };
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
                        let mut value = String::with_capacity(city.name.len() + 4);
                        value.push_str(&city.name);
                        if let Some(code) = state {
                            value.push_str(", ");
                            value.push_str(code);
                        }
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
        });
        // The automaton scans two stretches of the text side by side; the
        // scanners after it want their anchors in order.
        if !digit_words.is_sorted() {
            digit_words.sort_unstable();
        }
        if !at_markers.is_sorted_by_key(|m| m.start) {
            at_markers.sort_unstable_by_key(|m| m.start);
        }
    }
}

/// Buffers one extraction needs. Each thread keeps one set between calls,
/// so a text costs no allocation beyond its entities (and its folded copy
/// the first time): short ads spent a tenth of their time allocating and
/// freeing these. Nothing in them carries over from one text to the next.
#[derive(Default)]
struct Scratch {
    fold: fold::FoldBuf,
    digit_words: Vec<usize>,
    at_markers: Vec<Range<usize>>,
    runs: Vec<Range<usize>>,
    phones: phone::Scratch,
    emails: Vec<email::EmailHit>,
    handles: Vec<email::HandleHit>,
    labels: Vec<Range<usize>>,
    links: Vec<Range<usize>>,
}

/// Past this many bytes a buffer is dropped after use rather than kept, so
/// one huge text does not pin its memory to the thread.
const SCRATCH_LIMIT: usize = 64 * 1024;

/// Drops `v` if it holds more than [`SCRATCH_LIMIT`] bytes.
pub(crate) fn let_go<T>(v: &mut Vec<T>) {
    if v.capacity().saturating_mul(std::mem::size_of::<T>()) > SCRATCH_LIMIT {
        *v = Vec::new();
    }
}

impl Scratch {
    fn trim(&mut self) {
        self.fold.trim();
        self.phones.trim();
        let_go(&mut self.digit_words);
        let_go(&mut self.at_markers);
        let_go(&mut self.runs);
        let_go(&mut self.emails);
        let_go(&mut self.handles);
        let_go(&mut self.labels);
        let_go(&mut self.links);
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
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

/// The stretches of text between ASCII whitespace that `linkify` could find
/// a link in: those with `://`, or a dot followed by a label character (its
/// domain scanner needs one). A link never contains ASCII whitespace and
/// `linkify` never looks past it, so scanning only these stretches finds
/// exactly the links a scan of the whole text finds, without walking every
/// full stop of the prose.
fn link_tokens(t: &[u8], toks: &mut Vec<Range<usize>>) {
    toks.clear();
    for i in memchr::memchr2_iter(b'.', b':', t) {
        if toks.last().is_some_and(|r| i < r.end) {
            continue;
        }
        let next = t.get(i + 1).copied();
        let candidate = if t[i] == b'.' {
            next.is_some_and(|b| b.is_ascii_alphanumeric() || b >= 0x80)
        } else {
            t.get(i + 1..i + 3) == Some(b"//")
        };
        if !candidate {
            continue;
        }
        let is_space = |b: &u8| *b <= b' ';
        let start = t[..i].iter().rposition(is_space).map_or(0, |p| p + 1);
        let end = t[i..].iter().position(is_space).map_or(t.len(), |p| i + p);
        toks.push(start..end);
    }
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
            if let Some(k) = dict::state_index(code) {
                return Some((STATES[k].1, i..i + 2));
            }
        }
    }
    let first = *t.get(i)?;
    for (name, code) in STATES {
        let n = name.as_bytes();
        if n.first() == Some(&first)
            && t.get(i..i + n.len()) == Some(n)
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
    let mut room = fold::FoldBuf::default();
    let folded = Folded::new(s, &mut room);
    phone::normalize(folded.as_str())
}

/// Normalises an email address given on its own (a structured field),
/// undoing the usual obfuscations (`[at]`, ` dot `), to lower case.
/// Returns `None` unless the whole input is one address.
pub fn normalize_email(s: &str) -> Option<String> {
    let mut room = fold::FoldBuf::default();
    let folded = Folded::new(s, &mut room);
    let t = folded.as_str().trim();
    let mut emails = Vec::new();
    let mut handles = Vec::new();
    let mut labels = Vec::new();
    email::find_at_sign(t, &mut emails, &mut handles, &mut labels);
    if emails.is_empty() {
        let lower = t.to_ascii_lowercase();
        let markers: Vec<Range<usize>> = email::AT_MARKERS
            .iter()
            .flat_map(|m| lower.match_indices(m).map(|(i, x)| i..i + x.len()))
            .collect();
        email::find_written_at(t, &markers, &mut emails, &mut labels);
    }
    match emails.as_slice() {
        [one] if one.span == (0..t.len()) => Some(one.value.clone()),
        _ => None,
    }
}
