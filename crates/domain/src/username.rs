//! Usernames: parsed once, so that every stored username is already lower-case and safe to
//! show in logs of the audit trail and in URLs.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    /// Accepts 3 to 64 characters of ASCII letters, digits, `.`, `_` and `-`, starting with a
    /// letter or digit; folds to lower case so `Alice` and `alice` are one account.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let s = raw.trim().to_ascii_lowercase();
        if s.len() < 3 || s.len() > 64 {
            return Err(DomainError::InvalidUsername("use 3 to 64 characters"));
        }
        if !s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        }) {
            return Err(DomainError::InvalidUsername(
                "use only letters, digits, dots, hyphens and underscores",
            ));
        }
        if !s.as_bytes()[0].is_ascii_alphanumeric() {
            return Err(DomainError::InvalidUsername(
                "start with a letter or a digit",
            ));
        }
        Ok(Username(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folds_case_and_rejects_odd_characters() {
        assert_eq!(Username::parse(" Alice.B ").unwrap().as_str(), "alice.b");
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("-abc").is_err());
        assert!(Username::parse("a b c").is_err());
        assert!(Username::parse("<script>").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_is_idempotent(s in ".{0,80}") {
            if let Ok(u) = Username::parse(&s) {
                prop_assert_eq!(Username::parse(u.as_str()).unwrap(), u);
            }
        }
    }
}
