//! Certificate verification codes: 12 characters from an alphabet without look-alikes
//! (no 0/O, 1/I), shown in three groups of four (`7KQM-2HXA-P9TD`). The last character is
//! a Luhn mod 32 check, so a mistyped code is told apart from an unknown one before any
//! lookup. The 11 random characters (55 bits) come from the caller.

use std::fmt;
use thiserror::Error;

pub const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateCode(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    #[error("a certificate code has 12 letters and digits, like 7KQM-2HXA-P9TD")]
    Length,
    #[error("a certificate code uses the digits 2 to 9 and the letters A to Z without I and O")]
    Character,
    #[error("this code has a typing mistake: check it against the certificate")]
    Check,
}

fn value(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|&a| a == c)
}

/// Luhn mod N over the values, for a sequence that does not yet carry its check.
fn check_value(values: &[usize]) -> usize {
    let n = ALPHABET.len();
    let mut factor = 2;
    let mut sum = 0;
    for &v in values.iter().rev() {
        let addend = factor * v;
        sum += addend / n + addend % n;
        factor = if factor == 2 { 1 } else { 2 };
    }
    (n - sum % n) % n
}

impl CertificateCode {
    /// A new code from 11 random bytes (each taken mod 32: 256 is a multiple of 32, so the
    /// characters stay uniform).
    pub fn from_random(bytes: [u8; LEN - 1]) -> CertificateCode {
        let values: Vec<usize> = bytes.iter().map(|b| usize::from(*b) % 32).collect();
        let check = check_value(&values);
        let s = values
            .iter()
            .chain(std::iter::once(&check))
            .map(|&v| char::from(ALPHABET[v]))
            .collect();
        CertificateCode(s)
    }

    /// Reads a code as a person types it: any case, with or without hyphens and spaces.
    pub fn parse(input: &str) -> Result<CertificateCode, CodeError> {
        let s: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.chars().count() != LEN {
            return Err(CodeError::Length);
        }
        let values: Vec<usize> = s
            .bytes()
            .map(value)
            .collect::<Option<_>>()
            .ok_or(CodeError::Character)?;
        if check_value(&values[..LEN - 1]) != values[LEN - 1] {
            return Err(CodeError::Check);
        }
        Ok(CertificateCode(s))
    }

    /// The 12 characters without hyphens, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CertificateCode {
    /// In groups of four, as printed and typed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{}-{}-{}", &s[0..4], &s[4..8], &s[8..12])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shown_in_groups_and_read_back() {
        let c = CertificateCode::from_random([7; 11]);
        let shown = c.to_string();
        assert_eq!(shown.len(), 14);
        assert_eq!(CertificateCode::parse(&shown).unwrap(), c);
        assert_eq!(
            CertificateCode::parse(&shown.to_lowercase().replace('-', " ")).unwrap(),
            c
        );
        assert_eq!(CertificateCode::parse("ABC"), Err(CodeError::Length));
        assert_eq!(
            CertificateCode::parse("0000-0000-0000"),
            Err(CodeError::Character)
        );
    }

    proptest! {
        #[test]
        fn every_single_typo_is_caught(bytes in proptest::array::uniform11(any::<u8>()), at in 0usize..12, by in 1usize..32) {
            let code = CertificateCode::from_random(bytes);
            let mut chars: Vec<u8> = code.as_str().bytes().collect();
            let v = value(chars[at]).unwrap();
            chars[at] = ALPHABET[(v + by) % 32];
            let typo = String::from_utf8(chars).unwrap();
            prop_assert_eq!(CertificateCode::parse(&typo), Err(CodeError::Check));
        }

        #[test]
        fn parse_never_panics(s in ".{0,40}") {
            let _ = CertificateCode::parse(&s);
        }
    }
}
