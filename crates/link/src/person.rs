//! Person records, their normalised form, and the field-by-field comparison
//! that turns a pair of records into a comparison vector (one agreement level
//! per field), the input of the Fellegi–Sunter model in [`crate::model`].

use serde::{Deserialize, Serialize};

use crate::normalize;
use crate::strsim::{formal_name, jaro_winkler_at_least, nysiis, soundex, within_one_edit};

/// A calendar date (no time zone: dates of birth and record dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    /// Year, e.g. 2009.
    pub year: u16,
    /// Month 1–12.
    pub month: u8,
    /// Day 1–31.
    pub day: u8,
}

impl Date {
    /// A date from its parts; no calendar validation, because records carry
    /// typos (a 31 February must still be comparable to 13 February).
    pub const fn new(year: u16, month: u8, day: u8) -> Date {
        Date { year, month, day }
    }

    /// `YYYY-MM-DD`, the form [`parse_date`](crate::parse_date) reads first.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Whole years from `self` to `at` (an age when `self` is a birth date).
    pub fn years_until(self, at: Date) -> i32 {
        let mut y = i32::from(at.year) - i32::from(self.year);
        if (at.month, at.day) < (self.month, self.day) {
            y -= 1;
        }
        y
    }

    fn digits(self) -> [u8; 8] {
        let mut out = [b'0'; 8];
        let v = u32::from(self.year) * 10_000 + u32::from(self.month) * 100 + u32::from(self.day);
        let mut x = v;
        for slot in out.iter_mut().rev() {
            *slot = b'0' + (x % 10) as u8;
            x /= 10;
        }
        out
    }
}

/// Recorded sex, when known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

/// One record about a person, as it comes from a report, a case or an ad.
/// Every field is optional: a missing value is never evidence either way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// The caller's id for the record (opaque to the engine).
    pub id: String,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Other given names the person is known by: nicknames, street names, an
    /// alias a caseworker recorded. Compared with the given name of the other
    /// record as alternatives; the best agreement counts.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Date of birth.
    pub dob: Option<Date>,
    /// Stated or estimated age at `recorded` (or at the configured reference date).
    pub age: Option<u8>,
    /// When the record was made; anchors `age`.
    pub recorded: Option<Date>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Phone numbers in any format (normalised to E.164).
    pub phones: Vec<String>,
    /// Email addresses (de-obfuscated, lower-cased).
    pub emails: Vec<String>,
    /// Social handles (lower-cased, without `@`).
    pub handles: Vec<String>,
    /// A document or case number from one issuing system (ID card, social
    /// security number, agency case number); compared exactly or with one typo.
    pub document_id: Option<String>,
    /// Street address line ("7 wallaby place").
    pub address: Option<String>,
    /// City, suburb or town.
    pub city: Option<String>,
    /// State or region.
    pub state: Option<String>,
    /// Postal code.
    pub postcode: Option<String>,
}

/// The fields of the comparison vector, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Given name (also compared against the family name, for swaps).
    FirstName,
    /// Family name.
    LastName,
    /// Date of birth, or age against date of birth.
    Dob,
    /// Sex.
    Sex,
    /// Street address.
    Address,
    /// City.
    City,
    /// State.
    State,
    /// Postal code.
    Postcode,
    /// Document or case number.
    Document,
    /// Any shared phone number.
    Phone,
    /// Any shared email address.
    Email,
    /// Any shared social handle.
    Handle,
}

/// Number of fields in a comparison vector.
pub const NFIELDS: usize = 12;

/// All fields in comparison-vector order.
pub const FIELDS: [Field; NFIELDS] = [
    Field::FirstName,
    Field::LastName,
    Field::Dob,
    Field::Sex,
    Field::Address,
    Field::City,
    Field::State,
    Field::Postcode,
    Field::Document,
    Field::Phone,
    Field::Email,
    Field::Handle,
];

/// A comparison vector: per field, 0 when either side is missing, otherwise
/// the 1-based agreement level (1 = exact; see [`Field::levels`]).
pub type Gamma = [u8; NFIELDS];

const NAME_LEVELS: &[&str] = &[
    "exact",
    "close (one edit, nickname, or Jaro-Winkler >= 0.92)",
    "similar (same NYSIIS/Soundex code, or Jaro-Winkler >= 0.80)",
    "different",
];

impl Field {
    /// Human-readable labels of the agreement levels, level 1 first.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::FirstName | Field::LastName => NAME_LEVELS,
            Field::Dob => &[
                "exact",
                "one typo, or day and month swapped",
                "two typos",
                "different",
                "age consistent with date of birth or age (within a year)",
                "age inconsistent",
            ],
            Field::Sex | Field::State => &["same", "different"],
            Field::Address => &[
                "exact",
                "very similar (Jaro-Winkler >= 0.92)",
                "similar (Jaro-Winkler >= 0.80)",
                "different",
            ],
            Field::City => &["exact", "similar (Jaro-Winkler >= 0.88)", "different"],
            Field::Postcode | Field::Document => &["exact", "one typo", "different"],
            Field::Phone | Field::Email | Field::Handle => &["shared", "none shared"],
        }
    }

    /// Snake-case name, as in serialised output.
    pub fn name(self) -> &'static str {
        match self {
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::Dob => "dob",
            Field::Sex => "sex",
            Field::Address => "address",
            Field::City => "city",
            Field::State => "state",
            Field::Postcode => "postcode",
            Field::Document => "document",
            Field::Phone => "phone",
            Field::Email => "email",
            Field::Handle => "handle",
        }
    }
}

/// Where each normalised string sits in [`Prepared`]'s text buffer.
#[derive(Debug, Clone, Copy)]
enum Slot {
    First,
    Last,
    Address,
    AddressSorted,
    City,
    State,
    Postcode,
    Document,
}

const SLOTS: usize = 8;

/// Bytes of text kept inside the struct; typical records need 60–90.
const INLINE: usize = 88;

/// A record normalised once, so that each of the millions of pair
/// comparisons only compares bytes and integers.
///
/// The strings live back to back inside the struct (spilling to the heap
/// only when long): comparing random pairs of a million records is bound by
/// cache misses, and one contiguous record costs a couple of misses where a
/// separate allocation per string cost one each.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    inline: [u8; INLINE],
    spill: Option<Box<[u8]>>,
    ends: [u16; SLOTS],
    pub first_formal: u64,
    pub first_nysiis: u64,
    pub last_nysiis: u64,
    pub first_soundex: u64,
    pub last_soundex: u64,
    pub dob: Option<Date>,
    pub recorded: Option<Date>,
    pub age: Option<u8>,
    pub sex: Option<Sex>,
    /// Other given names; few records have any, so none costs one pointer.
    pub aliases: Option<Box<[GivenName]>>,
    /// Hashed identifiers: phones, then emails, then handles, each sorted.
    ids: Box<[u64]>,
    /// Ends of the phones and of the emails in `ids`.
    id_ends: [u32; 2],
}

/// A given name prepared for comparison, as [`Prepared`] keeps its own.
#[derive(Debug, Clone)]
pub(crate) struct GivenName {
    pub text: Box<[u8]>,
    pub formal: u64,
    pub nysiis: u64,
    pub soundex: u64,
}

impl GivenName {
    fn new(name: &str) -> GivenName {
        GivenName {
            text: name.as_bytes().into(),
            formal: hash_str(formal_name(name)),
            nysiis: nysiis(name.as_bytes()),
            soundex: soundex(name.as_bytes()),
        }
    }
}

pub(crate) fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

pub(crate) fn hash_bytes(s: &[u8]) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(s);
    // Fx is weak on its own; a final mix spreads it for bucketing.
    mix(h.finish())
}

/// SplitMix64 finaliser: a cheap, well-spread 64-bit mix.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Normalised identifiers of one kind, hashed, sorted and distinct.
fn ids(values: &[String], norm: fn(&str) -> Option<String>) -> Vec<u64> {
    let mut v: Vec<u64> = values
        .iter()
        .filter_map(|s| norm(s))
        .map(|s| hash_str(&s))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn opt_name(s: &Option<String>) -> String {
    s.as_deref().map(normalize::name).unwrap_or_default()
}

fn opt_words(s: &Option<String>) -> String {
    s.as_deref().map(normalize::words).unwrap_or_default()
}

impl Prepared {
    pub fn new(r: &PersonRecord) -> Prepared {
        let first = opt_name(&r.first_name);
        let last = opt_name(&r.last_name);
        let address = opt_words(&r.address);
        let mut tokens: Vec<&str> = address.split(' ').collect();
        tokens.sort_unstable();
        let address_sorted = tokens.join(" ");
        let city = opt_words(&r.city);
        let state = opt_name(&r.state);
        let postcode = opt_name(&r.postcode);
        let document = opt_name(&r.document_id);
        // Fields are cut to what a u16 offset can hold; nothing real comes
        // near 64 KiB in one record.
        let parts: [&str; SLOTS] = [
            &first,
            &last,
            &address,
            &address_sorted,
            &city,
            &state,
            &postcode,
            &document,
        ];
        let mut text: Vec<u8> = Vec::with_capacity(INLINE);
        let mut ends = [0u16; SLOTS];
        for (end, part) in ends.iter_mut().zip(parts) {
            let room = usize::from(u16::MAX) - text.len();
            text.extend_from_slice(&part.as_bytes()[..part.len().min(room)]);
            *end = text.len() as u16;
        }
        let mut inline = [0u8; INLINE];
        let spill = if text.len() <= INLINE {
            inline[..text.len()].copy_from_slice(&text);
            None
        } else {
            Some(text.into_boxed_slice())
        };
        let phones = ids(&r.phones, normalize::phone);
        let emails = ids(&r.emails, normalize::email);
        let handles = ids(&r.handles, normalize::handle);
        let id_ends = [phones.len() as u32, (phones.len() + emails.len()) as u32];
        let all: Vec<u64> = phones.into_iter().chain(emails).chain(handles).collect();
        let mut aliases: Vec<GivenName> = Vec::new();
        for a in &r.aliases {
            let a = normalize::name(a);
            if !a.is_empty() && a != first && !aliases.iter().any(|g| *g.text == *a.as_bytes()) {
                aliases.push(GivenName::new(&a));
            }
        }
        Prepared {
            aliases: (!aliases.is_empty()).then(|| aliases.into_boxed_slice()),
            inline,
            spill,
            ends,
            first_formal: hash_str(formal_name(&first)),
            first_nysiis: nysiis(first.as_bytes()),
            last_nysiis: nysiis(last.as_bytes()),
            first_soundex: soundex(first.as_bytes()),
            last_soundex: soundex(last.as_bytes()),
            dob: r.dob,
            recorded: r.recorded,
            age: r.age,
            sex: r.sex,
            ids: all.into_boxed_slice(),
            id_ends,
        }
    }

    fn text(&self, slot: Slot) -> &[u8] {
        let buf: &[u8] = match &self.spill {
            Some(b) => b,
            None => &self.inline,
        };
        let i = slot as usize;
        let start = if i == 0 {
            0
        } else {
            usize::from(self.ends[i - 1])
        };
        &buf[start..usize::from(self.ends[i])]
    }

    pub fn first(&self) -> &[u8] {
        self.text(Slot::First)
    }
    pub fn last(&self) -> &[u8] {
        self.text(Slot::Last)
    }
    pub fn address(&self) -> &[u8] {
        self.text(Slot::Address)
    }
    pub fn address_sorted(&self) -> &[u8] {
        self.text(Slot::AddressSorted)
    }
    pub fn city(&self) -> &[u8] {
        self.text(Slot::City)
    }
    pub fn state(&self) -> &[u8] {
        self.text(Slot::State)
    }
    pub fn postcode(&self) -> &[u8] {
        self.text(Slot::Postcode)
    }
    pub fn document(&self) -> &[u8] {
        self.text(Slot::Document)
    }
    pub fn phones(&self) -> &[u64] {
        &self.ids[..self.id_ends[0] as usize]
    }
    pub fn emails(&self) -> &[u64] {
        &self.ids[self.id_ends[0] as usize..self.id_ends[1] as usize]
    }
    pub fn handles(&self) -> &[u64] {
        &self.ids[self.id_ends[1] as usize..]
    }

    /// Every identifier with its kind (0 phone, 1 email, 2 handle).
    pub fn identifiers(&self) -> impl Iterator<Item = (u8, u64)> + '_ {
        let [p, e] = self.id_ends;
        self.ids.iter().enumerate().map(move |(i, &h)| {
            let kind = u8::from(i as u32 >= p) + u8::from(i as u32 >= e);
            (kind, h)
        })
    }

    /// Drops the identifiers for which `common` says yes: an identifier
    /// carried by hundreds of unrelated records is no evidence at all.
    pub fn drop_identifiers(&mut self, mut common: impl FnMut(u8, u64) -> bool) {
        let keep: Vec<(u8, u64)> = self.identifiers().filter(|&(k, h)| !common(k, h)).collect();
        if keep.len() == self.ids.len() {
            return;
        }
        let count = |kind: u8| keep.iter().filter(|&&(k, _)| k <= kind).count() as u32;
        self.id_ends = [count(0), count(1)];
        self.ids = keep.into_iter().map(|(_, h)| h).collect();
    }
}

fn name_level(a: &[u8], b: &[u8], fa: u64, fb: u64, na: (u64, u64), nb: (u64, u64)) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    if a == b {
        return 1;
    }
    if fa == fb || within_one_edit(a, b) {
        return 2;
    }
    let jw = jaro_winkler_at_least(a, b, 0.80);
    if jw >= 0.92 {
        return 2;
    }
    if jw >= 0.80 || (na.0 != 0 && na.0 == nb.0) || (na.1 != 0 && na.1 == nb.1) {
        return 3;
    }
    4
}

/// The best given-name agreement once either record's other names count as
/// alternatives to its given name (`first` is the level of the given names).
fn alias_level(a: &Prepared, b: &Prepared, first: u8) -> u8 {
    let mut best = first;
    for (xt, xf, xp) in given_names(a) {
        for (yt, yf, yp) in given_names(b) {
            let l = name_level(xt, yt, xf, yf, xp, yp);
            if l != 0 && (best == 0 || l < best) {
                best = l;
            }
        }
    }
    best
}

/// A record's given name and aliases with their codes, without allocating:
/// this runs for every comparison with a record that has aliases.
fn given_names(p: &Prepared) -> impl Iterator<Item = (&[u8], u64, (u64, u64))> {
    let own = (p.first(), p.first_formal, (p.first_nysiis, p.first_soundex));
    std::iter::once(own).chain(
        p.aliases
            .iter()
            .flat_map(|x| x.iter())
            .map(|g| (&*g.text, g.formal, (g.nysiis, g.soundex))),
    )
}

fn exact_typo_level(a: &[u8], b: &[u8]) -> u8 {
    if a.is_empty() || b.is_empty() {
        0
    } else if a == b {
        1
    } else if within_one_edit(a, b) {
        2
    } else {
        3
    }
}

fn set_level(a: &[u64], b: &[u64]) -> u8 {
    if a.is_empty() || b.is_empty() {
        return 0;
    }
    // Both sides are sorted: a merge walk finds any common value.
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => return 1,
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    2
}

/// Typos between two digit strings of one length: substituted digits plus
/// swapped neighbours, each counting one. Dates have a fixed layout, so
/// insertions and deletions (which an edit distance would also allow) only
/// produce false agreements; and this is linear where an edit distance is not.
fn digit_typos(a: &[u8; 8], b: &[u8; 8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    while i < 8 {
        if a[i] != b[i] {
            n += 1;
            // Taking a swap whenever one fits is never worse than two
            // substitutions, so the greedy scan is exact.
            if i + 1 < 8 && a[i] == b[i + 1] && a[i + 1] == b[i] {
                i += 1;
            }
        }
        i += 1;
    }
    n
}

fn dob_level(a: &Prepared, b: &Prepared, reference: Option<Date>) -> u8 {
    if let (Some(x), Some(y)) = (a.dob, b.dob) {
        if x == y {
            return 1;
        }
        let swapped = x.year == y.year && x.month == y.day && x.day == y.month;
        let typos = digit_typos(&x.digits(), &y.digits());
        return if swapped || typos <= 1 {
            2
        } else if typos == 2 {
            3
        } else {
            4
        };
    }
    // Ages: compare what each record implies about the age at one moment.
    let at = |p: &Prepared| p.recorded.or(reference);
    let implied = |p: &Prepared, when: Date| -> Option<i32> {
        match (p.dob, p.age, p.recorded.or(reference)) {
            (Some(d), _, _) => Some(d.years_until(when)),
            (None, Some(age), Some(rec)) => {
                Some(i32::from(age) + i32::from(when.year) - i32::from(rec.year))
            }
            (None, Some(age), None) => Some(i32::from(age)),
            _ => None,
        }
    };
    let when = match (at(a), at(b)) {
        (Some(x), Some(y)) => x.max(y),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) if a.dob.is_none() && b.dob.is_none() => Date::new(0, 1, 1),
        (None, None) => return 0,
    };
    let (ia, ib) = if when.year == 0 {
        (a.age.map(i32::from), b.age.map(i32::from))
    } else {
        (implied(a, when), implied(b, when))
    };
    match (ia, ib) {
        (Some(x), Some(y)) if (x - y).abs() <= 1 => 5,
        (Some(_), Some(_)) => 6,
        _ => 0,
    }
}

/// Compares two prepared records field by field.
pub(crate) fn compare(a: &Prepared, b: &Prepared, reference: Option<Date>) -> Gamma {
    let mut g = [0u8; NFIELDS];
    let (af, bf, al, bl) = (a.first(), b.first(), a.last(), b.last());
    let mut first = name_level(
        af,
        bf,
        a.first_formal,
        b.first_formal,
        (a.first_nysiis, a.first_soundex),
        (b.first_nysiis, b.first_soundex),
    );
    if first != 1 && (a.aliases.is_some() || b.aliases.is_some()) {
        first = alias_level(a, b, first);
    }
    let mut last = name_level(
        al,
        bl,
        0,
        1,
        (a.last_nysiis, a.last_soundex),
        (b.last_nysiis, b.last_soundex),
    );
    // Given and family names swapped between records (a common data-entry
    // error): each counts as "close" rather than "different".
    if first >= 3 && last >= 3 && !af.is_empty() && af == bl && al == bf {
        first = 2;
        last = 2;
    }
    g[Field::FirstName as usize] = first;
    g[Field::LastName as usize] = last;
    g[Field::Dob as usize] = dob_level(a, b, reference);
    g[Field::Sex as usize] = match (a.sex, b.sex) {
        (Some(x), Some(y)) => 1 + u8::from(x != y),
        _ => 0,
    };
    let (aa, ba) = (a.address(), b.address());
    g[Field::Address as usize] = if aa.is_empty() || ba.is_empty() {
        0
    } else if aa == ba {
        1
    } else {
        let mut s = jaro_winkler_at_least(aa, ba, 0.80);
        // Words in another order ("wallaby place 7"): only worth a second
        // comparison when the first one did not already settle it.
        let (sa, sb) = (a.address_sorted(), b.address_sorted());
        if s < 0.92 && (sa != aa || sb != ba) {
            s = s.max(jaro_winkler_at_least(sa, sb, 0.80));
        }
        if s >= 0.92 {
            2
        } else if s >= 0.80 {
            3
        } else {
            4
        }
    };
    let (ac, bc) = (a.city(), b.city());
    g[Field::City as usize] = if ac.is_empty() || bc.is_empty() {
        0
    } else if ac == bc {
        1
    } else if jaro_winkler_at_least(ac, bc, 0.88) >= 0.88 {
        2
    } else {
        3
    };
    let (ast, bst) = (a.state(), b.state());
    // The same city already says the same state: counting both would count
    // one agreement twice. The state speaks when the cities differ or one is
    // missing.
    let same_city = matches!(g[Field::City as usize], 1 | 2);
    g[Field::State as usize] = if ast.is_empty() || bst.is_empty() || same_city {
        0
    } else {
        1 + u8::from(ast != bst)
    };
    g[Field::Postcode as usize] = exact_typo_level(a.postcode(), b.postcode());
    g[Field::Document as usize] = exact_typo_level(a.document(), b.document());
    g[Field::Phone as usize] = set_level(a.phones(), b.phones());
    g[Field::Email as usize] = set_level(a.emails(), b.emails());
    g[Field::Handle as usize] = set_level(a.handles(), b.handles());
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(first: &str, last: &str, dob: Option<Date>) -> PersonRecord {
        PersonRecord {
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            dob,
            ..PersonRecord::default()
        }
    }

    #[test]
    fn dob_levels() {
        let a = Prepared::new(&rec("ann", "lee", Some(Date::new(2008, 4, 9))));
        let swap = Prepared::new(&rec("ann", "lee", Some(Date::new(2008, 9, 4))));
        let typo = Prepared::new(&rec("ann", "lee", Some(Date::new(2008, 4, 8))));
        let far = Prepared::new(&rec("ann", "lee", Some(Date::new(1971, 12, 30))));
        assert_eq!(compare(&a, &a, None)[Field::Dob as usize], 1);
        assert_eq!(compare(&a, &swap, None)[Field::Dob as usize], 2);
        assert_eq!(compare(&a, &typo, None)[Field::Dob as usize], 2);
        assert_eq!(compare(&a, &far, None)[Field::Dob as usize], 4);
    }

    #[test]
    fn age_against_dob() {
        let a = Prepared::new(&rec("ann", "lee", Some(Date::new(2008, 4, 9))));
        let mut r = rec("ann", "lee", None);
        r.age = Some(16);
        r.recorded = Some(Date::new(2024, 6, 1));
        let b = Prepared::new(&r);
        assert_eq!(compare(&a, &b, None)[Field::Dob as usize], 5);
        r.age = Some(25);
        let c = Prepared::new(&r);
        assert_eq!(compare(&a, &c, None)[Field::Dob as usize], 6);
    }

    #[test]
    fn names_swaps_and_nicknames() {
        let a = Prepared::new(&rec("Bob", "Green", None));
        let b = Prepared::new(&rec("Robert", "Green", None));
        let s = Prepared::new(&rec("Green", "Bob", None));
        let g = compare(&a, &b, None);
        assert_eq!((g[0], g[1]), (2, 1));
        let g = compare(&a, &s, None);
        assert_eq!((g[0], g[1]), (2, 2));
    }

    #[test]
    fn an_alias_counts_as_the_given_name() {
        // A case lists the street name a report knows the child by.
        let mut case = rec("Victoria", "Bennett", None);
        case.aliases = vec!["Gabriela".into(), "Tori".into()];
        let mut report = rec("Gabriela", "", None);
        report.last_name = None;
        let (a, b) = (Prepared::new(&case), Prepared::new(&report));
        assert_eq!(compare(&a, &b, None)[Field::FirstName as usize], 1);
        assert_eq!(compare(&b, &a, None)[Field::FirstName as usize], 1);
        // A nickname of an alias is close, as it is of a given name.
        let nick = Prepared::new(&rec("Vicky", "Bennett", None));
        assert_eq!(compare(&a, &nick, None)[Field::FirstName as usize], 2);
        // Without aliases nothing changes.
        let plain = Prepared::new(&rec("Victoria", "Bennett", None));
        assert_eq!(compare(&plain, &b, None)[Field::FirstName as usize], 4);
        // An alias also blocks: the two records share a key.
        let mut report = rec("Gabriela", "Bennett", None);
        report.dob = None;
        let (mut ka, mut kb) = (Vec::new(), Vec::new());
        crate::block::keys(&a, &mut ka);
        crate::block::keys(&Prepared::new(&report), &mut kb);
        assert!(ka.iter().any(|k| kb.contains(k)));
    }

    #[test]
    fn the_same_city_is_not_counted_again_as_the_same_state() {
        let mut a = rec("ann", "lee", None);
        a.city = Some("Reno".into());
        a.state = Some("NV".into());
        let mut b = a.clone();
        let g = compare(&Prepared::new(&a), &Prepared::new(&b), None);
        assert_eq!((g[Field::City as usize], g[Field::State as usize]), (1, 0));
        b.city = Some("Las Vegas".into());
        let g = compare(&Prepared::new(&a), &Prepared::new(&b), None);
        assert_eq!((g[Field::City as usize], g[Field::State as usize]), (3, 1));
        b.city = None;
        let g = compare(&Prepared::new(&a), &Prepared::new(&b), None);
        assert_eq!((g[Field::City as usize], g[Field::State as usize]), (0, 1));
    }

    #[test]
    fn shared_identifiers() {
        let mut r = rec("a", "b", None);
        r.phones = vec!["(212) 555-0147".into()];
        let mut q = rec("c", "d", None);
        q.phones = vec!["+1 212 555 0147".into(), "212-555-0100".into()];
        let g = compare(&Prepared::new(&r), &Prepared::new(&q), None);
        assert_eq!(g[Field::Phone as usize], 1);
        assert_eq!(g[Field::Email as usize], 0);
    }
}
