//! The password rules: long enough and not on the shipped list of common and breached
//! passwords (NIST SP 800-63B). Hashing lives in the service layer; this is only the rule.

use crate::DomainError;
use std::collections::HashSet;
use std::sync::OnceLock;

pub const MIN_LEN: usize = 12;
/// Argon2 hashes anything, but an unbounded input is a cheap denial of service.
pub const MAX_LEN: usize = 256;

static LIST: &str = include_str!("../data/common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        LIST.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect()
    })
}

/// Checks a new password against the rules. `username` is refused as a password too.
pub fn check_new_password(password: &str, username: &str) -> Result<(), DomainError> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(DomainError::WeakPassword(
            "use at least 12 characters; a few unrelated words make a strong password",
        ));
    }
    if chars > MAX_LEN {
        return Err(DomainError::WeakPassword("use at most 256 characters"));
    }
    let folded = password.to_lowercase();
    if common().contains(folded.as_str()) {
        return Err(DomainError::WeakPassword(
            "this password is on a list of common or breached passwords; choose another",
        ));
    }
    if folded.contains(&username.to_lowercase()) && !username.is_empty() {
        return Err(DomainError::WeakPassword("do not include your username"));
    }
    if password.chars().collect::<HashSet<_>>().len() < 4 {
        return Err(DomainError::WeakPassword(
            "use more than three different characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(check_new_password("short", "u1").is_err());
        // On the shipped list (any case).
        assert!(check_new_password("123456789012", "u1").is_err());
        assert!(check_new_password("QWERTYUIOPASDFGHJKL", "u1").is_err());
        assert!(check_new_password("aaaaaaaaaaaaaaaa", "u1").is_err());
        assert!(check_new_password("analyst-one-secret", "analyst-one").is_err());
        assert!(check_new_password("copper kettle window 42", "u1").is_ok());
    }

    #[test]
    fn list_is_loaded() {
        assert!(common().len() > 40_000);
    }
}
