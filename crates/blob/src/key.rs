//! The two kinds of key in this crate: the secret master [`Key`] that encrypts every
//! blob (read from configuration, never printed), and the public blob keys that name
//! stored files (random, so they leak nothing and cannot be guessed, and plain lowercase
//! hex, so they can never contain a path separator or `..`).

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rand::rngs::OsRng;
use rand::RngCore as _;
use zeroize::Zeroizing;

use crate::error::{BlobError, KeyError};

/// The master encryption key: 32 bytes. Each blob is encrypted under a key derived from
/// it and a random per-blob salt.
///
/// `Debug` prints `Key(<redacted>)`; there is no `Display`. The bytes are wiped from
/// memory when the key is dropped.
#[derive(Clone)]
pub struct Key(Zeroizing<[u8; Key::LEN]>);

impl Key {
    /// Length of a key in bytes.
    pub const LEN: usize = 32;

    /// A key from raw bytes.
    pub fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        Self(Zeroizing::new(bytes))
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; Self::LEN]);
        OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    /// Parses base64 (standard or URL-safe alphabet, with or without padding);
    /// surrounding whitespace is ignored.
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .map(Zeroizing::new)
            .ok_or(KeyError::Encoding)?;
        Self::from_slice(&decoded)
    }

    /// Parses hexadecimal (either case); surrounding whitespace is ignored.
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let decoded = Zeroizing::new(hex::decode(text).map_err(|_| KeyError::Hex)?);
        Self::from_slice(&decoded)
    }

    /// Parses what a configuration file holds: 64 hex characters, or else base64.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let trimmed = text.trim();
        if trimmed.len() == 2 * Self::LEN && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
            Self::from_hex(trimmed)
        } else {
            Self::from_base64(trimmed)
        }
    }

    /// The key as standard padded base64, for writing a freshly generated key into
    /// configuration. Handle the result as a secret.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_ref())
    }

    /// A short public name of the key (16 hex digits of a hash of it, domain-separated),
    /// so a backup can say which key its files need without holding the key: the hash of
    /// a 256-bit random key gives nothing away.
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"clearinghouse file key fingerprint v1\0");
        h.update(self.0.as_ref());
        hex::encode(&h.finalize()[..8])
    }

    pub(crate) fn bytes(&self) -> &[u8; Self::LEN] {
        &self.0
    }

    fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let array: [u8; Self::LEN] = bytes
            .try_into()
            .map_err(|_| KeyError::Length { got: bytes.len() })?;
        Ok(Self::from_bytes(array))
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl FromStr for Key {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// Replaces everything after the current key (`keys[0]`) with `previous`, leaving out the
/// current key if it is among them: the key list both file stores read with.
pub(crate) fn set_previous(keys: &mut Vec<Key>, previous: Vec<Key>) {
    keys.truncate(1);
    let current = keys.first().map(Key::fingerprint);
    keys.extend(
        previous
            .into_iter()
            .filter(|k| Some(k.fingerprint()) != current),
    );
}

/// Length of a blob key in characters (16 random bytes in hex).
pub const BLOB_KEY_LEN: usize = 32;

/// A new random blob key: 128 random bits as 32 lowercase hex characters.
pub fn new_blob_key() -> String {
    let mut bytes = [0u8; BLOB_KEY_LEN / 2];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Accepts exactly the keys [`new_blob_key`] makes, so a key from a request can be
/// joined to a path without any risk of traversal.
pub fn check_blob_key(key: &str) -> Result<(), BlobError> {
    let ok = key.len() == BLOB_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(())
    } else {
        Err(BlobError::InvalidKey {
            key: key.chars().take(80).collect(),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_base64_and_hex_of_the_same_key() {
        let key = Key::generate();
        let b64 = key.to_base64();
        let hexed = hex::encode(key.bytes());
        assert_eq!(Key::from_base64(&b64).unwrap().bytes(), key.bytes());
        assert_eq!(Key::from_hex(&hexed).unwrap().bytes(), key.bytes());
        assert_eq!(
            Key::parse(&format!(" {b64}\n")).unwrap().bytes(),
            key.bytes()
        );
        assert_eq!(
            Key::parse(&hexed.to_uppercase()).unwrap().bytes(),
            key.bytes()
        );
        let url = URL_SAFE_NO_PAD.encode(key.bytes());
        assert_eq!(Key::parse(&url).unwrap().bytes(), key.bytes());
        assert_eq!(b64.parse::<Key>().unwrap().bytes(), key.bytes());
    }

    #[test]
    fn rejects_bad_keys_with_clear_errors() {
        assert_eq!(
            Key::from_base64("not base64!").unwrap_err(),
            KeyError::Encoding
        );
        assert_eq!(
            Key::from_base64(&STANDARD.encode([1u8; 16])).unwrap_err(),
            KeyError::Length { got: 16 }
        );
        assert_eq!(Key::from_hex("zz").unwrap_err(), KeyError::Hex);
        assert_eq!(Key::from_hex("abc").unwrap_err(), KeyError::Hex);
        assert_eq!(
            Key::from_hex(&"ab".repeat(31)).unwrap_err(),
            KeyError::Length { got: 31 }
        );
        assert_eq!(Key::parse("").unwrap_err(), KeyError::Length { got: 0 });
        assert!(KeyError::Length { got: 3 }
            .to_string()
            .contains("exactly 32"));
    }

    #[test]
    fn debug_redacts_the_key() {
        let key = Key::from_bytes([0x41; 32]);
        let shown = format!("{key:?}");
        assert_eq!(shown, "Key(<redacted>)");
        assert!(!shown.contains(&key.to_base64()));
    }

    #[test]
    fn blob_keys_are_random_hex_without_path_characters() {
        let a = new_blob_key();
        let b = new_blob_key();
        assert_ne!(a, b);
        for key in [&a, &b] {
            assert_eq!(key.len(), BLOB_KEY_LEN);
            assert!(key
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
            assert!(!key.contains(['/', '\\', '.']));
            check_blob_key(key).unwrap();
        }
    }

    #[test]
    fn check_blob_key_rejects_traversal_and_junk() {
        for bad in [
            "",
            "../../etc/passwd",
            "0123456789abcdef0123456789abcde/",
            "0123456789ABCDEF0123456789ABCDEF",
            "0123456789abcdef0123456789abcdef0",
            "..23456789abcdef0123456789abcdef",
        ] {
            assert!(
                matches!(check_blob_key(bad), Err(BlobError::InvalidKey { .. })),
                "{bad}"
            );
        }
    }
}
