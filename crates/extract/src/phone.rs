//! Phone numbers: a fast hand-written scanner for North American numbers,
//! including the obfuscations seen in online ads, with `phonenumber`
//! (libphonenumber's metadata) as the authority on validity.
//!
//! The scanner works on folded text (see `fold`), so full-width digits, emoji
//! keycaps and look-alike letters already read as ASCII. From each anchor (a
//! digit, or a spelled digit word) it collects a *chain* of digit groups
//! separated by short runs of separators (spaces, `.-()/_*~|[]+`, emoji and
//! other symbols). Inside the chain it looks for windows of whole groups that
//! spell 10 digits (or 11 starting with the country code 1) whose grouping
//! looks like a phone number (no group straddles the area code / exchange /
//! line boundaries, unless it is a single digit) and that validate.
//!
//! What keeps false positives out: a group right after `$` (money) or `#`
//! (order and reference numbers) breaks the chain; a digit run glued to other
//! letters (`17yo`, `5pm`, `A123`) breaks it; `:` (times) and `,` are not
//! separators; dates and zip codes fail the grouping rule or the length.

use std::ops::Range;

use phonenumber::country::Id;

/// A found number: the span in folded text, its E.164 form, and whether the
/// phone library knows its area code.
pub(crate) struct PhoneHit {
    pub(crate) span: Range<usize>,
    pub(crate) e164: String,
    pub(crate) unverified: bool,
}

/// What is known of a ten-digit North American number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    /// Not a number of the plan's shape (or a service code such as 911).
    Invalid,
    /// Valid by the phone library's table.
    Valid,
    /// Of valid shape (area code and exchange start 2-9, neither is a
    /// service code `N11`), but the library's table does not list it:
    /// area codes are added every year and a table lags.
    Unverified,
}

/// Validity of North American numbers, precomputed per area code.
pub(crate) struct PhoneValidator {
    /// Per area code (index 0..1000): 0 invalid, 1 valid for any exchange
    /// starting 2-9, 2 depends on the exchange (ask `phonenumber`), 3 of
    /// valid shape but unknown to `phonenumber` (unverified).
    area: Vec<u8>,
}

/// Area codes where `phonenumber` 0.3.10 (metadata 9.0.33) accepts some
/// exchanges and not others (mostly Caribbean and Pacific members of the
/// plan). Numbers there are checked by `phonenumber` itself; a property test
/// checks the whole table against `phonenumber` on random numbers.
const EXCHANGE_DEPENDENT: &[u16] = &[
    242, 246, 264, 268, 274, 284, 305, 340, 345, 441, 472, 473, 505, 523, 524, 649, 664, 670, 671,
    684, 721, 758, 767, 784, 868, 869, 876, 983,
];

/// `N11`: service codes (211 to 911), never an area code or an exchange.
fn service_code(d: &[u8]) -> bool {
    d[1] == b'1' && d[2] == b'1'
}

impl PhoneValidator {
    pub(crate) fn new() -> Self {
        let mut area = vec![0u8; 1000];
        for (code, slot) in area.iter_mut().enumerate().skip(200) {
            let mut probe = [0u8; 10];
            probe[..3].copy_from_slice(format!("{code:03}").as_bytes());
            probe[3..].copy_from_slice(b"5550147");
            *slot = if EXCHANGE_DEPENDENT.contains(&(code as u16)) {
                2
            } else if libphonenumber_valid(&probe) {
                // One probe per area code: validity of the rest is uniform (the
                // property test `fast_validity_matches_phonenumber` keeps this honest).
                1
            } else if service_code(&probe[..3]) {
                0
            } else {
                3
            };
        }
        PhoneValidator { area }
    }

    /// What is known of this 10-digit national number (ASCII digits).
    pub(crate) fn check(&self, d: &[u8; 10]) -> Validity {
        if !(b'2'..=b'9').contains(&d[0]) || !(b'2'..=b'9').contains(&d[3]) {
            return Validity::Invalid;
        }
        let code = usize::from(d[0] - b'0') * 100
            + usize::from(d[1] - b'0') * 10
            + usize::from(d[2] - b'0');
        let unverified = || {
            if service_code(&d[3..6]) {
                Validity::Invalid
            } else {
                Validity::Unverified
            }
        };
        match self.area.get(code) {
            Some(1) => Validity::Valid,
            Some(2) if libphonenumber_valid(d) => Validity::Valid,
            Some(2 | 3) => unverified(),
            _ => Validity::Invalid,
        }
    }
}

fn libphonenumber_valid(d: &[u8; 10]) -> bool {
    let Ok(s) = std::str::from_utf8(d) else {
        return false;
    };
    phonenumber::parse(Some(Id::US), s)
        .map(|p| phonenumber::is_valid(&p))
        .unwrap_or(false)
}

/// One group of digits in a chain.
#[derive(Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
    /// Range of this group's digits in the chain's digit buffer.
    d0: usize,
    d1: usize,
}

impl Group {
    fn len(&self) -> usize {
        self.d1 - self.d0
    }
}

/// Spelled digits, as used in ads to slip past filters.
pub(crate) const DIGIT_WORDS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

fn digit_word(w: &[u8]) -> Option<u8> {
    if w.len() < 3 || w.len() > 5 {
        return None;
    }
    DIGIT_WORDS
        .iter()
        .position(|d| d.as_bytes().eq_ignore_ascii_case(w))
        .map(|i| b'0' + i as u8)
}

fn pseudo_digit(b: u8) -> Option<u8> {
    match b {
        b'O' | b'o' => Some(b'0'),
        b'I' | b'l' => Some(b'1'),
        _ => None,
    }
}

/// What starts at a position of the folded text, seen by the chain builder.
enum Unit {
    /// Digits (pushed to the buffer) read from `start..end`. `last` is set
    /// when a word is glued after them (`0147text`), which ends the chain.
    Digits {
        start: usize,
        end: usize,
        last: bool,
    },
    /// Something that ends the chain (a word, a glued id, money).
    Break,
    /// A number with a word glued before it (`text2125550147`): it ends the
    /// current chain but may start the next one.
    Restart,
}

/// Reads digits, spelled digit words (`2one2`) and look-alike letters
/// (`O147`) from `run`; all of it or nothing.
fn tokenize(run: &[u8], digits: &mut Vec<u8>) -> bool {
    if run.iter().all(u8::is_ascii_digit) {
        digits.extend_from_slice(run);
        return true;
    }
    let mark = digits.len();
    let mut k = 0;
    'outer: while k < run.len() {
        let b = run[k];
        if b.is_ascii_digit() {
            digits.push(b);
            k += 1;
            continue;
        }
        for (d, w) in DIGIT_WORDS.iter().enumerate() {
            let w = w.as_bytes();
            if run.len() >= k + w.len() && run[k..k + w.len()].eq_ignore_ascii_case(w) {
                digits.push(b'0' + d as u8);
                k += w.len();
                continue 'outer;
            }
        }
        match pseudo_digit(b) {
            Some(d) => {
                digits.push(d);
                k += 1;
            }
            None => {
                digits.truncate(mark);
                return false;
            }
        }
    }
    true
}

/// Shortest word glued to a number that is still taken as a word (`call`,
/// `text`) rather than a unit or marker (`yo`, `pm`, `k`, `lbs`).
const MIN_GLUED_WORD: usize = 4;

/// Reads the unit that starts at `i` (which must be the start of an ASCII
/// alphanumeric run). `first` tells whether it would start a chain.
fn read_unit(t: &[u8], i: usize, first: bool, digits: &mut Vec<u8>) -> Unit {
    // `$12` is money and `#12` a reference number, whatever follows.
    if i > 0 && matches!(t[i - 1], b'$' | b'#') {
        return Unit::Break;
    }
    let mut j = i;
    while j < t.len() && t[j].is_ascii_digit() {
        j += 1;
    }
    // Plain digits are the usual group: no word or look-alike to read.
    let plain = j > i && t.get(j).is_none_or(|b| !b.is_ascii_alphanumeric());
    while j < t.len() && t[j].is_ascii_alphanumeric() {
        j += 1;
    }
    // A run glued to a non-ASCII letter (`é5`) is part of a word.
    if glued_to_letter(t, i, j) {
        return Unit::Break;
    }
    let run = &t[i..j];
    if plain {
        digits.extend_from_slice(run);
        return Unit::Digits {
            start: i,
            end: j,
            last: false,
        };
    }
    let first_digit = run.iter().position(u8::is_ascii_digit);
    let Some(k0) = first_digit else {
        // Without a real digit only a lone spelled digit counts (not `lone`).
        return match digit_word(run) {
            Some(d) => {
                digits.push(d);
                Unit::Digits {
                    start: i,
                    end: j,
                    last: false,
                }
            }
            None => Unit::Break,
        };
    };
    if tokenize(run, digits) {
        return Unit::Digits {
            start: i,
            end: j,
            last: false,
        };
    }
    // A word glued before or after the digits: `call2125550147`, `0147text`.
    let k1 = run
        .iter()
        .rposition(u8::is_ascii_digit)
        .map_or(k0, |k| k + 1);
    let (prefix, core, suffix) = (&run[..k0], &run[k0..k1], &run[k1..]);
    let word_ok = |w: &[u8]| {
        w.is_empty() || (w.len() >= MIN_GLUED_WORD && w.iter().all(u8::is_ascii_alphabetic))
    };
    if !first && !prefix.is_empty() && word_ok(prefix) {
        return Unit::Restart;
    }
    if word_ok(prefix) && word_ok(suffix) && tokenize(core, digits) {
        return Unit::Digits {
            start: i + k0,
            end: i + k1,
            last: !suffix.is_empty(),
        };
    }
    Unit::Break
}

#[inline]
fn glued_to_letter(t: &[u8], i: usize, j: usize) -> bool {
    let before = i > 0 && t[i - 1] >= 0x80 && prev_char(t, i).is_some_and(char::is_alphanumeric);
    let after = j < t.len() && t[j] >= 0x80 && next_char(t, j).is_some_and(char::is_alphanumeric);
    before || after
}

fn prev_char(t: &[u8], i: usize) -> Option<char> {
    let mut s = i.checked_sub(1)?;
    while s > 0 && (t[s] & 0xC0) == 0x80 {
        s -= 1;
    }
    std::str::from_utf8(&t[s..i]).ok()?.chars().next()
}

fn next_char(t: &[u8], i: usize) -> Option<char> {
    let mut e = i + 1;
    while e < t.len() && (t[e] & 0xC0) == 0x80 {
        e += 1;
    }
    std::str::from_utf8(&t[i..e.min(t.len())])
        .ok()?
        .chars()
        .next()
}

/// Most separator characters allowed between two groups (`555 . 0`, emoji).
const MAX_GAP_CHARS: usize = 4;

/// Skips separators from `i`; returns where the next unit would start, or
/// `None` when the gap is too long or contains a non-separator.
fn skip_separators(t: &[u8], mut i: usize) -> Option<usize> {
    let mut n = 0;
    while i < t.len() {
        let b = t[i];
        if b.is_ascii_alphanumeric() {
            return Some(i);
        }
        if n == MAX_GAP_CHARS {
            return None;
        }
        if b < 0x80 {
            if !matches!(
                b,
                b' ' | b'\t'
                    | b'.'
                    | b'-'
                    | b'('
                    | b')'
                    | b'/'
                    | b'_'
                    | b'*'
                    | b'~'
                    | b'|'
                    | b'['
                    | b']'
                    | b'+'
            ) {
                return None;
            }
            i += 1;
        } else {
            let c = next_char(t, i)?;
            if c.is_alphanumeric() || c.is_whitespace() && c != '\u{00A0}' && c != '\u{3000}' {
                return None;
            }
            i += c.len_utf8();
        }
        n += 1;
    }
    None
}

/// Finds phone numbers in folded text.
///
/// `digit_runs` are the runs of ASCII digits (`numeric::digit_runs`) and
/// `word_anchors` the sorted start offsets of spelled digit words (found by
/// the dictionary automaton), so that anchors are reached without a per-byte
/// check.
pub(crate) fn find_phones(
    t: &str,
    digit_runs: &[Range<usize>],
    word_anchors: &[usize],
    validator: &PhoneValidator,
    scratch: &mut Scratch,
    out: &mut dyn FnMut(PhoneHit),
) {
    let t = t.as_bytes();
    let Scratch {
        groups,
        digits,
        windows: scratch,
    } = scratch;
    let mut i = 0;
    let mut w = 0;
    let mut r = 0;
    while i < t.len() {
        // Next anchor: the next digit or the next spelled digit word.
        while r < digit_runs.len() && digit_runs[r].end <= i {
            r += 1;
        }
        let next_digit = digit_runs.get(r).map(|run| run.start.max(i));
        while w < word_anchors.len() && word_anchors[w] < i {
            w += 1;
        }
        let next_word = word_anchors.get(w).copied();
        let anchor = match (next_digit, next_word) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => break,
        };
        // Back up to the start of the alphanumeric run (`O555`, `l212`).
        let mut start = anchor;
        while start > 0 && t[start - 1].is_ascii_alphanumeric() {
            start -= 1;
        }
        groups.clear();
        digits.clear();
        let mut pos = start;
        let resume;
        loop {
            let d0 = digits.len();
            match read_unit(t, pos, groups.is_empty(), digits) {
                Unit::Digits {
                    start: gs,
                    end,
                    last,
                } => {
                    groups.push(Group {
                        start: gs,
                        end,
                        d0,
                        d1: digits.len(),
                    });
                    if last {
                        resume = end;
                        break;
                    }
                    match skip_separators(t, end) {
                        Some(next) => pos = next,
                        None => {
                            resume = end;
                            break;
                        }
                    }
                }
                Unit::Restart => {
                    resume = pos;
                    break;
                }
                Unit::Break => {
                    let mut j = pos;
                    while j < t.len() && t[j].is_ascii_alphanumeric() {
                        j += 1;
                    }
                    resume = j.max(pos + 1);
                    break;
                }
            }
        }
        // A number needs ten digits; most chains (dates, prices, times) have
        // fewer and need no further look.
        if digits.len() < 10 {
            i = resume.max(anchor + 1);
            continue;
        }
        let skip_first = usize::from(after_id_word(t, start));
        find_windows(
            t,
            groups.get(skip_first..).unwrap_or(&[]),
            digits,
            validator,
            scratch,
            out,
        );
        i = resume.max(anchor + 1);
    }
}

/// Words that introduce an identifier rather than a phone number (`w` is
/// lower case).
fn is_id_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"id"
            | b"order"
            | b"ref"
            | b"reference"
            | b"case"
            | b"account"
            | b"acct"
            | b"invoice"
            | b"tracking"
            | b"serial"
            | b"confirmation"
            | b"conf"
            | b"no"
            | b"receipt"
            | b"ticket"
            | b"item"
            | b"sku"
            | b"isbn"
            | b"po"
            | b"box"
    )
}

/// The longest id word (`confirmation`).
const MAX_ID_WORD: usize = 12;

/// Is the text before `i` (across at most a few separators) an id word like
/// `order` or `ref`?
fn after_id_word(t: &[u8], i: usize) -> bool {
    let mut e = i;
    let mut n = 0;
    while e > 0 && n < 3 && matches!(t[e - 1], b' ' | b'.' | b':' | b'-' | b'#') {
        e -= 1;
        n += 1;
    }
    let mut s = e;
    while s > 0 && t[s - 1].is_ascii_alphabetic() {
        s -= 1;
        if e - s > MAX_ID_WORD {
            return false;
        }
    }
    let mut lower = [0u8; MAX_ID_WORD];
    for (l, b) in lower.iter_mut().zip(&t[s..e]) {
        *l = b.to_ascii_lowercase();
    }
    is_id_word(&lower[..e - s])
}

/// Buffers for `find_phones`, kept by the caller between texts.
#[derive(Default)]
pub(crate) struct Scratch {
    groups: Vec<Group>,
    digits: Vec<u8>,
    windows: Windows,
}

impl Scratch {
    /// Lets go of buffers a very long chain grew.
    pub(crate) fn trim(&mut self) {
        crate::let_go(&mut self.groups);
        crate::let_go(&mut self.digits);
        crate::let_go(&mut self.windows.found);
        crate::let_go(&mut self.windows.best);
    }
}

/// Buffers for `find_windows`.
#[derive(Default)]
struct Windows {
    /// (first group, last group, national number, layout cost, unverified).
    found: Vec<(usize, usize, [u8; 10], u32, bool)>,
    /// Per start group: (windows taken, total cost, window taken here).
    best: Vec<(usize, u32, Option<usize>)>,
}

fn find_windows(
    t: &[u8],
    groups: &[Group],
    digits: &[u8],
    validator: &PhoneValidator,
    scratch: &mut Windows,
    out: &mut dyn FnMut(PhoneHit),
) {
    // Every start group has at most one valid window (digit counts only grow).
    let windows = &mut scratch.found;
    windows.clear();
    for s in 0..groups.len() {
        let first = digits[groups[s].d0];
        let mut count = 0;
        for e in s..groups.len() {
            count += groups[e].len();
            if count > 11 {
                break;
            }
            if count == 10 || (count == 11 && first == b'1') {
                let d = &digits[groups[s].d0..groups[e].d1];
                let mut nat = [0u8; 10];
                nat.copy_from_slice(&d[d.len() - 10..]);
                // The table lookup first: most windows of other numbers fail it.
                let validity = validator.check(&nat);
                if validity != Validity::Invalid && shape_ok(&groups[s..=e], count == 11) {
                    windows.push((s, e, nat, 0, validity == Validity::Unverified));
                    break;
                }
            }
        }
    }
    if windows.is_empty() {
        return;
    }
    let n = groups.len();
    let best = &mut scratch.best;
    best.clear();
    best.resize(n + 1, (0, 0, None));
    if windows.windows(2).all(|w| w[0].1 < w[1].0) {
        // Apart from each other (the usual case), every window is taken.
        for (k, w) in windows.iter().enumerate() {
            best[w.0].2 = Some(k);
        }
    } else {
        // Overlapping windows (`9 ~ eight-three-two-...`): keep the most
        // windows, then the most consistently written ones. Chains are short,
        // so a small dynamic programme over start groups is cheap.
        for w in windows.iter_mut() {
            w.3 = layout_cost(t, groups, w.0, w.1);
        }
        for g in (0..n).rev() {
            best[g] = (best[g + 1].0, best[g + 1].1, None);
            if let Some(w) = windows.iter().position(|w| w.0 == g) {
                let (_, e, _, cost, _) = windows[w];
                let (cnt, c, _) = best[e + 1];
                let take = (cnt + 1, c + cost);
                if take.0 > best[g].0 || (take.0 == best[g].0 && take.1 <= best[g].1) {
                    best[g] = (take.0, take.1, Some(w));
                }
            }
        }
    }
    let mut g = 0;
    while g < n {
        let Some(w) = best[g].2 else {
            g += 1;
            continue;
        };
        let (s, e, nat, _, unverified) = windows[w];
        let mut start = groups[s].start;
        if start > 0 && matches!(t[start - 1], b'+' | b'(') {
            start -= 1;
        }
        let mut e164 = String::with_capacity(12);
        e164.push_str("+1");
        e164.extend(nat.iter().map(|&b| char::from(b)));
        out(PhoneHit {
            span: start..groups[e].end,
            e164,
            unverified,
        });
        g = e + 1;
    }
}

/// How inconsistently a window is written: distinct separators inside it,
/// plus one for each neighbouring group joined by a separator also used
/// inside (which suggests the number really starts or ends elsewhere).
fn layout_cost(t: &[u8], groups: &[Group], s: usize, e: usize) -> u32 {
    let gap = |k: usize| trim_spaces(&t[groups[k].end..groups[k + 1].start]);
    // A window spells at most 11 digits, so it has at most 10 gaps.
    let mut inside: [&[u8]; 11] = [&[]; 11];
    let mut n = 0;
    for k in s..e {
        let g = gap(k);
        if !inside[..n].contains(&g) && n < inside.len() {
            inside[n] = g;
            n += 1;
        }
    }
    let inside = &inside[..n];
    let mut cost = n as u32;
    if s > 0 && inside.contains(&gap(s - 1)) {
        cost += 1;
    }
    if e + 1 < groups.len() && inside.contains(&gap(e)) {
        cost += 1;
    }
    cost
}

fn trim_spaces(g: &[u8]) -> &[u8] {
    let s = g.iter().position(|&b| b != b' ').unwrap_or(g.len());
    let e = g.iter().rposition(|&b| b != b' ').map_or(s, |e| e + 1);
    &g[s..e.max(s)]
}

/// The grouping rule: each group of two or more digits lies inside one part
/// of the number (area code, exchange, line) or spans whole parts; and a part
/// written with single digits (`5 5 5`, `five five five`) is written so
/// throughout, which rules out runs of unrelated small numbers.
fn shape_ok(groups: &[Group], with_country: bool) -> bool {
    const BOUNDS: [isize; 4] = [0, 3, 6, 10];
    let seg = |x: isize| match x {
        x if x < 0 => 0,
        x if x < 3 => 1,
        x if x < 6 => 2,
        _ => 3,
    };
    // Per part (country code, area, exchange, line): has single / multi groups.
    let mut single = [false; 4];
    let mut multi = [false; 4];
    let mut p: isize = if with_country { -1 } else { 0 };
    for g in groups {
        let len = g.len() as isize;
        let (a, b) = (p, p + len);
        let inside = seg(a) == seg(b - 1);
        let aligned = (a == -1 || BOUNDS.contains(&a)) && BOUNDS.contains(&b);
        if len > 1 && !inside && !aligned {
            return false;
        }
        for part in seg(a)..=seg(b - 1) {
            if len == 1 {
                single[part] = true;
            } else {
                multi[part] = true;
            }
        }
        p = b;
    }
    (1..4).all(|k| !(single[k] && multi[k]))
}

/// [`PhoneValidator::check`] without the table, for one number on its own.
fn normalized_validity(d: &[u8; 10]) -> Validity {
    if !(b'2'..=b'9').contains(&d[0]) || !(b'2'..=b'9').contains(&d[3]) {
        Validity::Invalid
    } else if libphonenumber_valid(d) {
        Validity::Valid
    } else if service_code(&d[..3]) || service_code(&d[3..6]) {
        Validity::Invalid
    } else {
        Validity::Unverified
    }
}

/// Normalises one phone number given on its own (a structured field).
///
/// North American numbers (10 digits, or 11 with the leading 1) of valid
/// shape are accepted, whether or not `phonenumber` knows their area code
/// (as in free text, where such numbers are marked unverified); numbers
/// written with a leading `+` and another country code are accepted if
/// `phonenumber` finds them valid.
pub(crate) fn normalize(folded: &str) -> Option<String> {
    let s = folded.trim();
    let mut d: Vec<u8> = Vec::with_capacity(16);
    let t = s.as_bytes();
    let mut i = 0;
    while i < t.len() {
        if t[i].is_ascii_alphanumeric() {
            let mut j = i;
            while j < t.len() && t[j].is_ascii_alphanumeric() {
                j += 1;
            }
            let run = &t[i..j];
            if run.iter().any(u8::is_ascii_digit) {
                if !tokenize(run, &mut d) {
                    return None;
                }
            } else if let Some(x) = digit_word(run) {
                d.push(x);
            } else if !d.is_empty() && run.eq_ignore_ascii_case(b"ext") {
                break;
            } else {
                return None;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    if s.starts_with('+') && d.first() != Some(&b'1') {
        let digits = std::str::from_utf8(&d).ok()?;
        let p = phonenumber::parse(None, format!("+{digits}")).ok()?;
        return phonenumber::is_valid(&p)
            .then(|| p.format().mode(phonenumber::Mode::E164).to_string());
    }
    let national = match d.len() {
        10 => &d[..],
        11 if d[0] == b'1' => &d[1..],
        _ => return None,
    };
    let mut nat = [0u8; 10];
    nat.copy_from_slice(national);
    if normalized_validity(&nat) == Validity::Invalid {
        return None;
    }
    let digits = std::str::from_utf8(&nat).ok()?;
    Some(format!("+1{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(s: &str) -> Vec<String> {
        let v = PhoneValidator::new();
        let mut anchors = Vec::new();
        let lower = s.to_ascii_lowercase();
        for w in DIGIT_WORDS {
            anchors.extend(lower.match_indices(w).map(|(i, _)| i));
        }
        anchors.sort_unstable();
        let mut out = Vec::new();
        let mut runs = Vec::new();
        crate::numeric::digit_runs(s.as_bytes(), &mut runs);
        find_phones(s, &runs, &anchors, &v, &mut Scratch::default(), &mut |h| {
            out.push(h.e164)
        });
        out
    }

    #[test]
    fn formats() {
        for s in [
            "call 212-555-0147 now",
            "(212) 555-0147",
            "(212)5550147",
            "212.555.0147",
            "2125550147",
            "+1 212 555 0147",
            "1-212-555-0147",
            "212 555 . 0 1 4 7",
            "212-555-O147",
            "2l2 555 0147",
            "two one two five five five zero one four seven",
            "2 one 2 555 0 1 4 7",
            "2one2 5five5 O147",
            "call2125550147",
            "212-555-0147text me",
            "text text2125550147",
            "42 text2125550147",
            "9 ~ two-one-two-five-five-five-zero-one-four-seven",
            "v2.2.0 2 1 2 5 5 5 0 1 4 7",
        ] {
            assert_eq!(phones(s), vec!["+12125550147".to_string()], "{s}");
        }
    }

    #[test]
    fn distractors() {
        for s in [
            "$500 2024-01-05 17 yo",
            "order #2125550147",
            "zip 75201, born 2024-01-05 10:30",
            "id 123456789012345",
            "2024-01-05 10 am",
            "1, 2, 3, 4, 5, 6, 7, 8, 9, 10",
            "123-456-7890",
            "a lone 212 555 0147yo",
            "555-0147",
            "978-0-306-40615-7",
            "order 2125550147",
            "Ref: 2125550147",
            "v3.5.48. 978-1-715-59086-5",
            "2 16 314 09/08/2019",
        ] {
            assert!(phones(s).is_empty(), "{s}: {:?}", phones(s));
        }
    }

    fn hits(s: &str) -> Vec<(String, bool)> {
        let v = PhoneValidator::new();
        let mut out = Vec::new();
        let mut runs = Vec::new();
        crate::numeric::digit_runs(s.as_bytes(), &mut runs);
        find_phones(s, &runs, &[], &v, &mut Scratch::default(), &mut |h| {
            out.push((h.e164, h.unverified))
        });
        out
    }

    #[test]
    fn unassigned_area_codes_of_valid_shape_are_found_unverified() {
        for s in [
            "call 652-882-4378 now",
            "(652) 882-4378",
            "652.882.4378",
            "+1 652 882 4378",
            "6528824378",
        ] {
            assert_eq!(hits(s), [("+16528824378".to_string(), true)], "{s}");
        }
        assert_eq!(hits("212-555-0147"), [("+12125550147".to_string(), false)]);
        // Service codes and numbers not of the plan's shape stay out.
        for s in [
            "911-555-0147",
            "652-911-4378",
            "652-182-4378",
            "152-882-4378",
            "order #6528824378",
        ] {
            assert!(hits(s).is_empty(), "{s}: {:?}", hits(s));
        }
        assert_eq!(normalize("652-882-4378").as_deref(), Some("+16528824378"));
        assert_eq!(normalize("652-911-4378"), None);
    }

    #[test]
    fn normalize_forms() {
        assert_eq!(normalize("(212) 555-0147").as_deref(), Some("+12125550147"));
        assert_eq!(normalize("1 212 555 0147").as_deref(), Some("+12125550147"));
        assert_eq!(normalize("555-0147"), None);
        assert_eq!(normalize("hello"), None);
        assert_eq!(
            normalize("+44 20 7946 0958").as_deref(),
            Some("+442079460958")
        );
    }
}
