//! Number-anchored entities other than phones: money amounts and rates
//! (`$200/hr`, `150 roses`), stated ages (`17 yo`, `age 16`, `16 years old`),
//! and USPS state codes seen before a zip code (`TX 75201`).
//!
//! One pass over the digit runs of the folded text; each run is judged by the
//! few bytes around it, so no allocation happens unless something is found.

use std::ops::Range;

use crate::dict::is_state_code;
use crate::EntityKind;

pub(crate) struct Hit {
    pub(crate) span: Range<usize>,
    pub(crate) value: String,
}

fn starts_with_ci(t: &[u8], i: usize, w: &[u8]) -> bool {
    t.len() >= i + w.len() && t[i..i + w.len()].eq_ignore_ascii_case(w)
}

fn ends_with_ci(t: &[u8], end: usize, w: &[u8]) -> bool {
    end >= w.len() && t[end - w.len()..end].eq_ignore_ascii_case(w)
}

/// True when the byte at `i` (if any) does not continue a word.
fn boundary(t: &[u8], i: usize) -> bool {
    t.get(i).is_none_or(|b| !b.is_ascii_alphanumeric())
}

/// Money units written after the amount.
const UNITS: &[(&str, &str)] = &[
    ("roses", "roses"),
    ("rose", "roses"),
    ("dollars", "usd"),
    ("dollar", "usd"),
    ("bucks", "usd"),
    ("usd", "usd"),
    ("donation", "usd"),
];

/// Rate suffixes: (written form, normalised period).
const RATES: &[(&str, &str)] = &[
    ("/hour", "hr"),
    ("/hr", "hr"),
    ("/hh", "hh"),
    ("/h", "hr"),
    ("/half hour", "hh"),
    ("/night", "night"),
    ("/nite", "night"),
    (" per hour", "hr"),
    (" an hour", "hr"),
    (" hourly", "hr"),
    (" hr", "hr"),
    (" hh", "hh"),
    (" per night", "night"),
    (" a night", "night"),
];

/// Age markers after the number.
const AGE_AFTER: &[&str] = &[
    " years old",
    " year old",
    "-years-old",
    "-year-old",
    " yrs old",
    " yr old",
    " y/o",
    "y/o",
    " y.o.",
    " y.o",
    "y.o.",
    " yo",
    "yo",
    " yrs",
];

/// Age markers before the number.
const AGE_BEFORE: &[&str] = &["age ", "aged ", "age: ", "age:", "ages "];

/// The runs of ASCII digits in `t`, in order. Phones and numbers are only
/// looked for around these, so prose without digits costs one quick pass.
///
/// Eight bytes at a time: a byte-wise loop dominated the profile, and ads
/// have a run every few bytes, so finding run starts and ends is done with
/// bit operations rather than a second scan.
pub(crate) fn digit_runs(t: &[u8], found: &mut Vec<Range<usize>>) {
    found.clear();
    let mut runs = Runs { found, open: None };
    let mut base = 0;
    // Words without a digit, most of them, cost a load and a few operations.
    while let Some(w) = t.get(base..base + 8) {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        let hi = digit_bits(u64::from_le_bytes(x));
        if hi != 0 {
            runs.word(t, base, hi);
        }
        base += 8;
    }
    let rest = &t[base..];
    if !rest.is_empty() {
        // Padded with bytes that are not digits.
        let mut x = [0u8; 8];
        x[..rest.len()].copy_from_slice(rest);
        let hi = digit_bits(u64::from_le_bytes(x));
        if hi != 0 {
            runs.word(t, base, hi);
        }
    }
}

/// The state of [`digit_runs`] between words.
struct Runs<'a> {
    found: &'a mut Vec<Range<usize>>,
    /// Start of a run that reached the end of the previous word.
    open: Option<usize>,
}

impl Runs<'_> {
    /// Takes the word at `base`, given the high bit of each of its digits
    /// (not zero).
    fn word(&mut self, t: &[u8], base: usize, hi: u64) {
        if self.found.is_empty() {
            // A run and its separator take two bytes at least; growing one
            // push at a time showed in the profile too.
            self.found.reserve(4 + (t.len() - base) / 16);
        }
        // Whether the bytes just before and just after the word are digits,
        // in the high bit of a byte before the first and after the last.
        let before = u64::from(base > 0 && t[base - 1].is_ascii_digit()) << 7;
        let after = u64::from(t.get(base + 8).is_some_and(u8::is_ascii_digit)) << 63;
        let mut starts = hi & !((hi << 8) | before);
        let mut ends = hi & !((hi >> 8) | after);
        loop {
            let s = match self.open {
                Some(s) => s,
                None if starts != 0 => {
                    let s = base + (starts.trailing_zeros() / 8) as usize;
                    starts &= starts - 1;
                    s
                }
                None => break,
            };
            if ends == 0 {
                self.open = Some(s);
                break;
            }
            let e = base + (ends.trailing_zeros() / 8) as usize + 1;
            ends &= ends - 1;
            self.found.push(s..e);
            self.open = None;
        }
    }
}

/// For eight bytes in a word, the high bit of each byte that is an ASCII
/// digit. Per byte, 0x2F < b < 0x3A is tested with two sums that stay within
/// their byte, so no lane disturbs another; `!x` clears bytes of 0x80 and up.
fn digit_bits(x: u64) -> u64 {
    const LO: u64 = u64::from_le_bytes([0x7f; 8]);
    const HI: u64 = u64::from_le_bytes([0x80; 8]);
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let low7 = x & LO;
    let below = (ONES * (127 + 0x3A)).wrapping_sub(low7);
    let above = low7 + ONES * (127 - 0x2F);
    below & !x & above & HI
}

/// Judges each digit run (`runs` from [`digit_runs`] on the same text).
pub(crate) fn find(t: &str, runs: &[Range<usize>], out: &mut dyn FnMut(EntityKind, Hit)) {
    let t = t.as_bytes();
    // Runs starting inside a money span already read (`$1,500`) are skipped;
    // a span never ends inside a run, as every form ends on a word boundary.
    let mut skip_to = 0;
    for r in runs {
        let (start, run_end) = (r.start, r.end);
        if start < skip_to {
            continue;
        }
        // Runs glued to letters or other numbers on the left are ids or parts
        // of something else.
        if start > 0 && (t[start - 1].is_ascii_alphanumeric() || t[start - 1] == b'.') {
            continue;
        }
        if let Some(h) = money_at(t, start, run_end) {
            skip_to = h.span.end;
            out(EntityKind::Money, h);
            continue;
        }
        if let Some(h) = age_at(t, start, run_end) {
            out(EntityKind::Age, h);
            continue;
        }
        // `TX 75201`: a state code before a five-digit zip (or zip+4).
        if run_end - start == 5
            && (boundary(t, run_end) || t[run_end] == b'-')
            && start >= 3
            && t[start - 1] == b' '
            && is_state_code(&t[start - 3..start - 1])
            && (start == 3 || !t[start - 4].is_ascii_alphanumeric())
        {
            let code = &t[start - 3..start - 1];
            out(
                EntityKind::State,
                Hit {
                    span: start - 3..start - 1,
                    value: code.iter().map(|&b| char::from(b)).collect(),
                },
            );
        }
    }
}

/// An amount as read, before it is known to be money (most numbers are
/// not, so nothing is allocated until then).
struct Amount {
    /// Digits and thousands commas.
    digits: Range<usize>,
    /// Start of two cents digits, unless absent or `.00`.
    cents: Option<usize>,
    thousands: bool,
    end: usize,
}

impl Amount {
    fn write(&self, t: &[u8], v: &mut String) {
        v.extend(
            t[self.digits.clone()]
                .iter()
                .filter(|b| b.is_ascii_digit())
                .map(|&b| char::from(b)),
        );
        if let Some(c) = self.cents {
            v.push('.');
            v.push(char::from(t[c]));
            v.push(char::from(t[c + 1]));
        }
        if self.thousands {
            v.push_str("000");
        }
    }
}

/// Reads an amount at `i`: digits with optional thousands commas, optional
/// cents, optional `k`.
fn amount(t: &[u8], i: usize) -> Option<Amount> {
    let mut j = i;
    let mut n = 0;
    while j < t.len() {
        let b = t[j];
        if b.is_ascii_digit() {
            n += 1;
            j += 1;
        } else if b == b','
            && t.get(j + 1..j + 4)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && t.get(j + 4).is_none_or(|b| !b.is_ascii_digit())
        {
            j += 1;
        } else {
            break;
        }
    }
    if n == 0 || n > 12 {
        return None;
    }
    let digits = i..j;
    let mut cents = None;
    if t.get(j) == Some(&b'.')
        && t.get(j + 1..j + 3)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && t.get(j + 3).is_none_or(|b| !b.is_ascii_digit())
    {
        if &t[j + 1..j + 3] != b"00" {
            cents = Some(j + 1);
        }
        j += 3;
    }
    let mut thousands = false;
    if matches!(t.get(j), Some(b'k' | b'K')) && boundary(t, j + 1) {
        thousands = true;
        j += 1;
    }
    if !boundary(t, j) {
        return None;
    }
    Some(Amount {
        digits,
        cents,
        thousands,
        end: j,
    })
}

fn rate_at(t: &[u8], j: usize) -> Option<(&'static str, usize)> {
    for (w, unit) in RATES {
        if starts_with_ci(t, j, w.as_bytes()) && boundary(t, j + w.len()) {
            return Some((unit, j + w.len()));
        }
    }
    None
}

/// Can a unit (`roses`, `dollars`, `bucks`, `usd`, `donation`) start at `i`?
fn unit_letter(t: &[u8], i: usize) -> bool {
    t.get(i)
        .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'r' | b'd' | b'b' | b'u'))
}

fn money_at(t: &[u8], start: usize, run_end: usize) -> Option<Hit> {
    // `$200`, `$ 200`, `USD 200`
    let mut span_start = None;
    if start >= 1 && t[start - 1] == b'$' {
        span_start = Some(start - 1);
    } else if start >= 2 && t[start - 1] == b' ' && t[start - 2] == b'$' {
        span_start = Some(start - 2);
    } else if ends_with_ci(t, start, b"usd ") && (start == 4 || boundary(t, start - 5)) {
        span_start = Some(start - 4);
    } else {
        // Without a prefix a unit must follow; most numbers are not money,
        // so look at what follows the digits before reading an amount.
        let maybe = match t.get(run_end) {
            Some(b',' | b'.' | b'k' | b'K') => true,
            Some(b' ') => unit_letter(t, run_end + 1),
            _ => unit_letter(t, run_end),
        };
        if !maybe {
            return None;
        }
    }
    let amt = amount(t, start)?;
    let mut end = amt.end;
    let mut unit = "usd";
    if span_start.is_none() {
        // `150 roses`, `200 dollars`
        let j = if t.get(end) == Some(&b' ') {
            end + 1
        } else {
            end
        };
        if !unit_letter(t, j) {
            return None;
        }
        let (w, u) = UNITS
            .iter()
            .find(|(w, _)| starts_with_ci(t, j, w.as_bytes()) && boundary(t, j + w.len()))?;
        unit = u;
        end = j + w.len();
    }
    let mut value = String::with_capacity(24);
    amt.write(t, &mut value);
    value.push(' ');
    value.push_str(unit);
    if let Some((period, e)) = rate_at(t, end) {
        value.push('/');
        value.push_str(period);
        end = e;
    }
    Some(Hit {
        span: span_start.unwrap_or(start)..end,
        value,
    })
}

fn age_at(t: &[u8], start: usize, end: usize) -> Option<Hit> {
    if end - start > 2 {
        return None;
    }
    let n = t[start..end]
        .iter()
        .fold(0u32, |n, &d| n * 10 + u32::from(d.wrapping_sub(b'0')));
    if !(1..=99).contains(&n) {
        return None;
    }
    // Every marker after the number has a `y` first, after at most a space
    // or hyphen; every marker before it ends in a space or colon.
    let k = match t.get(end) {
        Some(b' ' | b'-') => end + 1,
        _ => end,
    };
    if matches!(t.get(k), Some(b'y' | b'Y')) {
        for w in AGE_AFTER {
            if starts_with_ci(t, end, w.as_bytes()) && boundary(t, end + w.len()) {
                return Some(Hit {
                    span: start..end + w.len(),
                    value: n.to_string(),
                });
            }
        }
    }
    if start < 4 || !matches!(t[start - 1], b' ' | b':') {
        return None;
    }
    for w in AGE_BEFORE {
        let b = w.as_bytes();
        if ends_with_ci(t, start, b) && (start == b.len() || boundary(t, start - b.len() - 1)) {
            // `age 16` but not `age 16:30` or `age 16.5` style measurements.
            if !matches!(t.get(end), Some(b':' | b'.' | b',')) || boundary(t, end + 1) {
                return Some(Hit {
                    span: start - b.len()..end,
                    value: n.to_string(),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_ages() {
        let t = "$200/hr, 150 roses, $1,500.00, 17 yo, age 16, 16 years old, TX 75201";
        let (mut m, mut a, mut st) = (Vec::new(), Vec::new(), Vec::new());
        let mut runs = Vec::new();
        digit_runs(t.as_bytes(), &mut runs);
        find(t, &runs, &mut |k, h| match k {
            EntityKind::Money => m.push(h.value),
            EntityKind::Age => a.push(h.value),
            _ => st.push(h.value),
        });
        assert_eq!(m, ["200 usd/hr", "150 roses", "1500 usd"]);
        assert_eq!(a, ["17", "16", "16"]);
        assert_eq!(st, ["TX"]);
    }

    #[test]
    fn digit_runs_match_a_plain_scan() {
        fn runs(b: &[u8]) -> Vec<Range<usize>> {
            // Left over from an earlier text: cleared first.
            let mut v = vec![7..9, 1..2];
            digit_runs(b, &mut v);
            v
        }
        fn plain(b: &[u8]) -> Vec<Range<usize>> {
            let mut want = Vec::new();
            let mut i = 0;
            while i < b.len() {
                if b[i].is_ascii_digit() {
                    let s = i;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    want.push(s..i);
                } else {
                    i += 1;
                }
            }
            want
        }
        let t = "a1 22 x3333333333y 9\u{e9}9 12345678 no digits here at all 0";
        assert_eq!(runs(t.as_bytes()), plain(t.as_bytes()));
        // Every byte value in every lane, and runs across word boundaries.
        for b in 0..=255u8 {
            for pos in 0..17 {
                let mut s = vec![b' '; 17];
                s[pos] = b;
                assert_eq!(runs(&s), plain(&s), "{b} at {pos}");
                let mut s = vec![b'7'; 17];
                s[pos] = b;
                assert_eq!(runs(&s), plain(&s), "{b} at {pos} in digits");
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..200 {
            let s: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    [b'0', b'9', b'a', b' ', 0xC3, b'/', b':'][(x % 7) as usize]
                })
                .collect();
            assert_eq!(runs(&s), plain(&s), "{s:?}");
        }
    }
}
