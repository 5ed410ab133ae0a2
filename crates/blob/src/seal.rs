//! Small secrets sealed for a database column (issue 25, finding 7): a value such as a
//! second-factor secret is kept as `sealed:v1:<key id>:<base64 of nonce and ciphertext>`,
//! AES-256-GCM under a key derived from the master key, so the database file, its WAL and
//! a copy of either hold nothing an attacker can use without the key (which lives outside
//! the database).
//!
//! The key id (the master key's fingerprint) says which key a value needs, so a value
//! sealed before a change of key is recognised rather than misread, and opened with the
//! previous key it names while a rotation re-seals it under the current one
//! ([`Sealer::with_previous`], [`Sealer::is_current`]). The caller names each
//! value's place (`users.totp_secret:12`) as associated data: a sealed value copied into
//! another row or column does not open there.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine as _;
use hkdf::Hkdf;
use rand::rngs::OsRng;
use rand::RngCore as _;
use sha2::Sha256;
use thiserror::Error;
use zeroize::Zeroizing;

use crate::Key;

const PREFIX: &str = "sealed:v1:";
const NONCE_LEN: usize = 12;
const SALT: &[u8] = b"clearinghouse sealed fields v1";
const INFO: &[u8] = b"clearinghouse sealed fields v1 aes-256-gcm key";

/// Why a sealed value did not open.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// The value was sealed under a key this server is not configured with.
    #[error(
        "a value in the database was sealed with key {0}, which this server does not have; \
         start it with the `files.key` it was written with"
    )]
    UnknownKey(String),
    /// The value is not in the sealed format, or it was altered, or it belongs elsewhere.
    #[error("a sealed value in the database is damaged or was moved from another row; restore it from a backup or reset it")]
    Damaged,
}

/// Seals under the configured master key, and opens values sealed under it or under one
/// of the previous keys it was given.
#[derive(Clone)]
pub struct Sealer {
    id: String,
    cipher: Aes256Gcm,
    /// Previous keys, (id, cipher): they open values, never seal one.
    previous: Vec<(String, Aes256Gcm)>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").field("key_id", &self.id).finish()
    }
}

impl Sealer {
    /// A sealer for the master key (the `files.key` of configuration).
    pub fn new(master: &Key) -> Self {
        Sealer {
            id: master.fingerprint(),
            cipher: cipher(master),
            previous: Vec::new(),
        }
    }

    /// Also opens values sealed under `keys` (the master keys used before a rotation).
    pub fn with_previous(mut self, keys: &[Key]) -> Self {
        self.previous = keys
            .iter()
            .filter(|k| k.fingerprint() != self.id)
            .map(|k| (k.fingerprint(), cipher(k)))
            .collect();
        self
    }

    /// Whether `stored` is sealed under the current key (a rotation leaves it alone).
    pub fn is_current(&self, stored: &str) -> bool {
        stored
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .is_some_and(|(id, _)| id == self.id)
    }

    /// The id written into every value this sealer seals.
    pub fn key_id(&self) -> &str {
        &self.id
    }

    /// Whether `stored` is in the sealed format (and not a value written before sealing).
    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }

    /// Seals `plaintext` for the place named by `context`.
    pub fn seal(&self, context: &str, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: context.as_bytes(),
        };
        // AES-GCM fails only for messages over 64 GiB; column values are tiny.
        let ciphertext = self
            .cipher
            .encrypt(aes_gcm::Nonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        format!("{PREFIX}{}:{}", self.id, STANDARD_NO_PAD.encode(bytes))
    }

    /// Opens a value sealed for `context`.
    pub fn open(&self, context: &str, stored: &str) -> Result<String, SealError> {
        let rest = stored.strip_prefix(PREFIX).ok_or(SealError::Damaged)?;
        let (id, data) = rest.split_once(':').ok_or(SealError::Damaged)?;
        let cipher = if id == self.id {
            &self.cipher
        } else {
            self.previous
                .iter()
                .find(|(p, _)| p == id)
                .map(|(_, c)| c)
                .ok_or_else(|| SealError::UnknownKey(id.to_owned()))?
        };
        let bytes = STANDARD_NO_PAD
            .decode(data)
            .map_err(|_| SealError::Damaged)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Damaged);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let plain = cipher
            .decrypt(
                aes_gcm::Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Damaged)?;
        String::from_utf8(plain).map_err(|_| SealError::Damaged)
    }
}

/// The AES-256-GCM cipher for sealed fields under `master`.
fn cipher(master: &Key) -> Aes256Gcm {
    let hkdf = Hkdf::<Sha256>::new(Some(SALT), master.bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's limit of 8,160: this cannot fail.
    let _ = hkdf.expand(INFO, key.as_mut());
    Aes256Gcm::new(&aes_gcm::Key::<Aes256Gcm>::from(*key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sealer() -> Sealer {
        Sealer::new(&Key::from_bytes([7; 32]))
    }

    #[test]
    fn a_sealed_value_opens_only_in_its_place_and_under_its_key() {
        let s = sealer();
        let sealed = s.seal("users.totp_secret:12", "JBSWY3DPEHPK3PXP");
        assert!(Sealer::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert!(sealed.contains(s.key_id()));
        assert_eq!(
            s.open("users.totp_secret:12", &sealed).as_deref(),
            Ok("JBSWY3DPEHPK3PXP")
        );
        // Moved to another row.
        assert_eq!(
            s.open("users.totp_secret:13", &sealed),
            Err(SealError::Damaged)
        );
        // Another key.
        let other = Sealer::new(&Key::from_bytes([8; 32]));
        assert_eq!(
            other.open("users.totp_secret:12", &sealed),
            Err(SealError::UnknownKey(s.key_id().to_owned()))
        );
        // Plain text written before sealing is not mistaken for a sealed value.
        assert!(!Sealer::is_sealed("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            s.open("users.totp_secret:12", "JBSWY3DPEHPK3PXP"),
            Err(SealError::Damaged)
        );
    }

    #[test]
    fn after_a_rotation_old_values_open_with_the_previous_key_and_new_ones_seal_under_the_new() {
        let old = Sealer::new(&Key::from_bytes([7; 32]));
        let sealed = old.seal("users.totp_secret:3", "JBSWY3DPEHPK3PXP");
        let new = Sealer::new(&Key::from_bytes([9; 32])).with_previous(&[Key::from_bytes([7; 32])]);
        assert!(!new.is_current(&sealed));
        assert!(old.is_current(&sealed));
        assert!(!new.is_current("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            new.open("users.totp_secret:3", &sealed).as_deref(),
            Ok("JBSWY3DPEHPK3PXP")
        );
        let resealed = new.seal("users.totp_secret:3", "JBSWY3DPEHPK3PXP");
        assert!(new.is_current(&resealed));
        assert!(resealed.contains(new.key_id()));
        // The old key alone cannot open what the new one sealed.
        assert_eq!(
            old.open("users.totp_secret:3", &resealed),
            Err(SealError::UnknownKey(new.key_id().to_owned()))
        );
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let s = sealer();
        assert_ne!(s.seal("c", "same"), s.seal("c", "same"));
    }

    proptest! {
        #[test]
        fn any_text_round_trips(text in ".{0,200}", context in "[a-z_.:0-9]{1,40}") {
            let s = sealer();
            prop_assert_eq!(s.open(&context, &s.seal(&context, &text)), Ok(text));
        }

        #[test]
        fn an_altered_value_never_opens_and_never_panics(text in "[a-z]{1,40}", at in 0usize..200, by in 1u8..255) {
            let s = sealer();
            let sealed = s.seal("c", &text);
            let mut bytes = sealed.clone().into_bytes();
            let i = at % bytes.len();
            bytes[i] = bytes[i].wrapping_add(by);
            if let Ok(altered) = String::from_utf8(bytes) {
                if altered != sealed {
                    prop_assert!(s.open("c", &altered).is_err());
                }
            }
        }
    }
}
