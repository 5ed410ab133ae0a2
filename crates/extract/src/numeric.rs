//! Number-anchored entities other than phones: money amounts and rates
//! (`$200/hr`, `150 roses`), stated ages (`17 yo`, `age 16`, `16 years old`),
//! and USPS state codes seen before a zip code (`TX 75201`).
//!
//! One pass over the digit runs of the folded text; each run is judged by the
//! few bytes around it, so no allocation happens unless something is found.

use std::ops::Range;

use crate::dict::is_state_code;

pub(crate) struct Hit {
    pub(crate) span: Range<usize>,
    pub(crate) value: String,
}

pub(crate) struct NumericHits {
    pub(crate) money: Vec<Hit>,
    pub(crate) ages: Vec<Hit>,
    pub(crate) states: Vec<Hit>,
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

pub(crate) fn find(t: &str) -> NumericHits {
    let t = t.as_bytes();
    let mut hits = NumericHits {
        money: Vec::new(),
        ages: Vec::new(),
        states: Vec::new(),
    };
    let mut i = 0;
    while i < t.len() {
        if !t[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < t.len() && t[i].is_ascii_digit() {
            i += 1;
        }
        let run_end = i;
        // Runs glued to letters or other numbers on the left are ids or parts
        // of something else.
        if start > 0 && (t[start - 1].is_ascii_alphanumeric() || t[start - 1] == b'.') {
            continue;
        }
        if let Some(h) = money_at(t, start) {
            i = i.max(h.span.end);
            hits.money.push(h);
            continue;
        }
        if let Some(h) = age_at(t, start, run_end) {
            hits.ages.push(h);
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
            hits.states.push(Hit {
                span: start - 3..start - 1,
                value: code.iter().map(|&b| char::from(b)).collect(),
            });
        }
    }
    hits
}

/// Reads an amount at `i`: digits with optional thousands commas, optional
/// cents, optional `k`. Returns (normalised amount, end).
fn amount(t: &[u8], i: usize) -> Option<(String, usize)> {
    let mut j = i;
    let mut v = String::new();
    while j < t.len() {
        let b = t[j];
        if b.is_ascii_digit() {
            v.push(char::from(b));
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
    if v.is_empty() || v.len() > 12 {
        return None;
    }
    if t.get(j) == Some(&b'.')
        && t.get(j + 1..j + 3)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && t.get(j + 3).is_none_or(|b| !b.is_ascii_digit())
    {
        if &t[j + 1..j + 3] != b"00" {
            v.push('.');
            v.push(char::from(t[j + 1]));
            v.push(char::from(t[j + 2]));
        }
        j += 3;
    }
    if matches!(t.get(j), Some(b'k' | b'K')) && boundary(t, j + 1) {
        v.push_str("000");
        j += 1;
    }
    if !boundary(t, j) {
        return None;
    }
    Some((v, j))
}

fn rate_at(t: &[u8], j: usize) -> Option<(&'static str, usize)> {
    for (w, unit) in RATES {
        if starts_with_ci(t, j, w.as_bytes()) && boundary(t, j + w.len()) {
            return Some((unit, j + w.len()));
        }
    }
    None
}

fn money_at(t: &[u8], start: usize) -> Option<Hit> {
    // `$200`, `$ 200`, `USD 200`
    let mut span_start = None;
    if start >= 1 && t[start - 1] == b'$' {
        span_start = Some(start - 1);
    } else if start >= 2 && t[start - 1] == b' ' && t[start - 2] == b'$' {
        span_start = Some(start - 2);
    } else if ends_with_ci(t, start, b"usd ") && (start == 4 || boundary(t, start - 5)) {
        span_start = Some(start - 4);
    }
    let (amt, mut end) = amount(t, start)?;
    let mut unit = "usd";
    if span_start.is_none() {
        // `150 roses`, `200 dollars`
        let j = if t.get(end) == Some(&b' ') {
            end + 1
        } else {
            end
        };
        let (w, u) = UNITS
            .iter()
            .find(|(w, _)| starts_with_ci(t, j, w.as_bytes()) && boundary(t, j + w.len()))?;
        unit = u;
        end = j + w.len();
    }
    let mut value = format!("{amt} {unit}");
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
    let n: u32 = std::str::from_utf8(&t[start..end]).ok()?.parse().ok()?;
    if !(1..=99).contains(&n) {
        return None;
    }
    for w in AGE_AFTER {
        if starts_with_ci(t, end, w.as_bytes()) && boundary(t, end + w.len()) {
            return Some(Hit {
                span: start..end + w.len(),
                value: n.to_string(),
            });
        }
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
        let h = find("$200/hr, 150 roses, $1,500.00, 17 yo, age 16, 16 years old, TX 75201");
        let m: Vec<_> = h.money.iter().map(|x| x.value.as_str()).collect();
        assert_eq!(m, ["200 usd/hr", "150 roses", "1500 usd"]);
        let a: Vec<_> = h.ages.iter().map(|x| x.value.as_str()).collect();
        assert_eq!(a, ["17", "16", "16"]);
        assert_eq!(h.states.len(), 1);
    }
}
