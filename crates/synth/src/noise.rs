//! The noise that makes linkage hard but stays decodable: typos, nicknames and swapped names,
//! and the ways ads hide phone numbers from filters.

use rand::Rng;

use crate::data::{nicknames, EMOJI};
use crate::util::{chance, pick, R};

/// One keyboard-style typo: a swapped, dropped or doubled letter (ASCII words only).
pub fn typo(r: &mut R, word: &str) -> String {
    let b = word.as_bytes();
    if b.len() < 4 || !word.is_ascii() {
        return word.to_string();
    }
    let i = r.gen_range(1..b.len() - 1);
    let mut out = b.to_vec();
    match r.gen_range(0..3) {
        0 => out.swap(i, i + 1),
        1 => {
            out.remove(i);
        }
        _ => out.insert(i, b[i]),
    }
    String::from_utf8(out).unwrap_or_else(|_| word.to_string())
}

/// How a record writes a person's name: possibly a nickname, a typo, swapped first and last
/// name, or no last name at all. Returns (first, last) as written.
pub fn name_as_written(r: &mut R, first: &str, last: &str) -> (Option<String>, Option<String>) {
    let mut f = first.to_string();
    let mut l = Some(last.to_string());
    let nicks = nicknames(first);
    if !nicks.is_empty() && chance(r, 0.25) {
        f = pick(r, nicks).to_string();
    }
    if chance(r, 0.05) {
        f = typo(r, &f);
    }
    if chance(r, 0.05) {
        l = Some(typo(r, last));
    }
    if chance(r, 0.10) {
        l = None;
    }
    if chance(r, 0.04) {
        if let Some(last) = l.take() {
            l = Some(f);
            f = last;
        }
    }
    (Some(f), l)
}

/// The ways a phone number is written in an ad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhoneStyle {
    Dashes,
    Dots,
    Parens,
    /// `212 555.01 47`: odd grouping inside the line number.
    Regrouped,
    /// Every digit separated by a space.
    Spaced,
    /// All ten digits as words.
    Spelled,
    /// Some groups as digits, some as words.
    HalfSpelled,
    /// An emoji between groups or between digits.
    EmojiBetween,
    /// Keycap emoji digits (`2️⃣`).
    Keycap,
    /// The letter O for zero.
    LetterO,
    /// Full-width digits (`２１２`).
    FullWidth,
    /// With the country code: `+1 212 555 0147` or `1-212-555-0147`.
    CountryCode,
}

impl PhoneStyle {
    pub const ALL: &'static [PhoneStyle] = &[
        PhoneStyle::Dashes,
        PhoneStyle::Dots,
        PhoneStyle::Parens,
        PhoneStyle::Regrouped,
        PhoneStyle::Spaced,
        PhoneStyle::Spelled,
        PhoneStyle::HalfSpelled,
        PhoneStyle::EmojiBetween,
        PhoneStyle::Keycap,
        PhoneStyle::LetterO,
        PhoneStyle::FullWidth,
        PhoneStyle::CountryCode,
    ];
}

const WORDS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

fn digits(n: u64) -> [u8; 10] {
    let mut d = [0u8; 10];
    let mut x = n;
    for slot in d.iter_mut().rev() {
        *slot = (x % 10) as u8;
        x /= 10;
    }
    d
}

fn group(d: &[u8]) -> String {
    d.iter().map(|x| char::from(b'0' + x)).collect()
}

fn spelled(r: &mut R, d: &[u8]) -> String {
    let upper = chance(r, 0.3);
    d.iter()
        .map(|x| {
            let w = WORDS[usize::from(*x)];
            if upper {
                w.to_ascii_uppercase()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes a ten-digit national number in the given style.
pub fn obfuscate(r: &mut R, n: u64, style: PhoneStyle) -> String {
    let d = digits(n);
    let (a, e, l) = (&d[..3], &d[3..6], &d[6..]);
    match style {
        PhoneStyle::Dashes => format!("{}-{}-{}", group(a), group(e), group(l)),
        PhoneStyle::Dots => format!("{}.{}.{}", group(a), group(e), group(l)),
        PhoneStyle::Parens => format!("({}) {}-{}", group(a), group(e), group(l)),
        PhoneStyle::Regrouped => format!(
            "{} {}.{} {}",
            group(a),
            group(e),
            group(&l[..2]),
            group(&l[2..])
        ),
        PhoneStyle::Spaced => d
            .iter()
            .map(|x| char::from(b'0' + x).to_string())
            .collect::<Vec<_>>()
            .join(" "),
        PhoneStyle::Spelled => spelled(r, &d),
        PhoneStyle::HalfSpelled => {
            let which = r.gen_range(0..3);
            let parts: Vec<String> = [a, e, l]
                .iter()
                .enumerate()
                .map(|(i, g)| if i == which { spelled(r, g) } else { group(g) })
                .collect();
            parts.join(" ")
        }
        PhoneStyle::EmojiBetween => {
            let em = pick(r, EMOJI);
            if chance(r, 0.5) {
                format!("{}{em}{}{em}{}", group(a), group(e), group(l))
            } else {
                d.iter()
                    .map(|x| char::from(b'0' + x).to_string())
                    .collect::<Vec<_>>()
                    .join(em)
            }
        }
        PhoneStyle::Keycap => d
            .iter()
            .map(|x| format!("{}\u{fe0f}\u{20e3}", char::from(b'0' + x)))
            .collect(),
        PhoneStyle::LetterO => {
            let s = format!("{}-{}-{}", group(a), group(e), group(l));
            s.replace('0', if chance(r, 0.7) { "O" } else { "o" })
        }
        PhoneStyle::FullWidth => d
            .iter()
            .map(|x| char::from_u32(0xFF10 + u32::from(*x)).unwrap_or('0'))
            .collect(),
        PhoneStyle::CountryCode => {
            if chance(r, 0.5) {
                format!("+1 {} {} {}", group(a), group(e), group(l))
            } else {
                format!("1-{}-{}-{}", group(a), group(e), group(l))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::{stream, Stream};

    #[test]
    fn styles_look_as_documented() {
        let mut r = stream(1, Stream::Ads, 0);
        assert_eq!(
            obfuscate(&mut r, 2125550147, PhoneStyle::Regrouped),
            "212 555.01 47"
        );
        assert_eq!(
            obfuscate(&mut r, 2125550147, PhoneStyle::FullWidth),
            "２１２５５５０１４７"
        );
        let o = obfuscate(&mut r, 2125550147, PhoneStyle::LetterO);
        assert!(o.eq_ignore_ascii_case("212-555-o147"), "{o}");
    }
}
