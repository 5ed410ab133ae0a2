//! Signing in and out, sessions, the second factor, and API-token authentication.
//!
//! The rules (CJIS): an account locks after `lockout_attempts` failed sign-ins or
//! second-factor codes within `lockout_window_minutes`; the lock ends its sessions and
//! revokes its API tokens, and lasts `lockout_minutes` unless an administrator lifts it
//! sooner. A refused sign-in reads the same whether the account is unknown, locked or
//! the password wrong, and costs the same password hash; a session ends after
//! `session_idle_minutes` without use and `session_max_hours` after sign-in, and every
//! session of a user ends when their password or role changes; roles that see case data
//! pass a TOTP second factor, each code accepted once.

use crate::audit::{audited, By, Subject};
use crate::clock::MICROS_PER_MINUTE;
use crate::crypto::{self, digest};
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::{Principal, UserId};
use store::{sessions, tokens, users, SessionRow, UserRow};
use totp_rs::{Algorithm, Secret, TOTP};

/// Where a fresh session stands with respect to the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondFactor {
    /// Not needed, or already passed.
    Done,
    /// The user has a second factor and must enter a code.
    Verify,
    /// The deployment requires one and the user has none yet: enrol before anything else.
    Enrol,
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub display_name: String,
    pub csrf_token: String,
    pub second_factor: SecondFactor,
    id_hash: String,
}

impl Session {
    pub fn is_complete(&self) -> bool {
        self.second_factor == SecondFactor::Done
    }
}

/// What a successful sign-in returns: the raw cookie token (never stored) and the session.
pub struct SignedIn {
    pub token: String,
    pub session: Session,
}

pub(crate) fn principal_of(u: &UserRow) -> Principal {
    Principal {
        user_id: u.id,
        username: u.username.clone(),
        org_id: u.org_id,
        org_kind: u.org_kind,
        role: u.role,
    }
}

/// Where a second-factor secret is sealed: its row and column, so a sealed secret copied
/// to another account does not open there.
fn totp_place(id: UserId) -> String {
    format!("users.totp_secret:{}", id.0)
}

impl Services {
    fn second_factor_state(&self, u: &UserRow, passed: bool) -> SecondFactor {
        if passed {
            SecondFactor::Done
        } else if u.totp_enabled {
            SecondFactor::Verify
        } else if self.settings.require_second_factor && u.role.sees_case_data() {
            SecondFactor::Enrol
        } else {
            SecondFactor::Done
        }
    }

    /// Signs in with a username and password.
    pub async fn login(&self, username: &str, password: &str, ip: Ip) -> Result<SignedIn> {
        self.sign_in(username, password, ip, false).await
    }

    /// [`login`](Self::login); with `provider_only`, an account that is not a provider's
    /// is refused like a wrong password, after the same hash and with the same count
    /// toward its lock, so that neither the answer nor its time tells which it was.
    async fn sign_in(
        &self,
        username: &str,
        password: &str,
        ip: Ip,
        provider_only: bool,
    ) -> Result<SignedIn> {
        let folded = username.trim().to_ascii_lowercase();
        let user = users::by_username(self.store.reader(), &folded).await?;
        let password_ok = crypto::verify_password(
            password.to_owned(),
            user.as_ref().map(|u| u.password_hash.clone()),
        )
        .await?;
        let wrong_door = provider_only
            && user
                .as_ref()
                .is_some_and(|u| principal_of(u).role != domain::Role::ProviderApi);
        let ok = password_ok && !wrong_door;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let Some(user) = user else {
            audited(
                &mut tx,
                &By::unknown(&folded, ip, now),
                "login.failed",
                Subject::Nothing,
                Some("unknown username".into()),
            )
            .await?;
            store::commit(tx).await?;
            return Err(ServiceError::InvalidCredentials);
        };
        // Re-read inside the transaction: a concurrent sign-in may have locked it.
        let user = users::by_id(&mut *tx, user.id)
            .await?
            .ok_or(ServiceError::InvalidCredentials)?;
        let by = By::account(user.username.as_str(), user.id, ip.clone(), now);
        let user = if user
            .locked_at
            .is_some_and(|at| now - at >= self.settings.lockout_minutes * MICROS_PER_MINUTE)
        {
            users::set_locked(&mut *tx, user.id, None).await?;
            users::clear_failures(&mut *tx, user.id).await?;
            audited(
                &mut tx,
                &by,
                "account.unlocked",
                Subject::User(user.id),
                Some(format!(
                    "the {}-minute lock ended",
                    self.settings.lockout_minutes
                )),
            )
            .await?;
            users::by_id(&mut *tx, user.id)
                .await?
                .ok_or(ServiceError::InvalidCredentials)?
        } else {
            user
        };
        if user.locked_at.is_some() || user.disabled_at.is_some() {
            audited(
                &mut tx,
                &by,
                "login.refused",
                Subject::User(user.id),
                Some("account locked or disabled".into()),
            )
            .await?;
            store::commit(tx).await?;
            return Err(ServiceError::Locked);
        }
        if !ok {
            users::record_failure(&mut *tx, user.id, now).await?;
            let since = now - self.settings.lockout_window_minutes * MICROS_PER_MINUTE;
            let failures = users::failures_since(&mut *tx, user.id, since).await?;
            audited(
                &mut tx,
                &by,
                "login.failed",
                Subject::User(user.id),
                Some(if wrong_door {
                    format!("failed attempt {failures}: HTTP Basic to an account that is not a provider's")
                } else {
                    format!("failed attempt {failures}")
                }),
            )
            .await?;
            if failures >= self.settings.lockout_attempts {
                lock(&mut tx, &by, user.id, format!("{failures} failed sign-ins")).await?;
                store::commit(tx).await?;
                tracing::warn!(user_id = user.id.0, "account locked after failed sign-ins");
                return Err(ServiceError::Locked);
            }
            store::commit(tx).await?;
            return Err(ServiceError::InvalidCredentials);
        }
        users::clear_failures(&mut *tx, user.id).await?;
        let token = crypto::random_token();
        let second_factor = self.second_factor_state(&user, false);
        let row = SessionRow {
            id_hash: digest(&token),
            user_id: user.id,
            csrf_token: crypto::random_token(),
            second_factor_done: second_factor == SecondFactor::Done,
            created_at: now,
            last_seen_at: now,
        };
        sessions::insert(&mut *tx, &row, ip.as_deref()).await?;
        audited(&mut tx, &by, "login", Subject::User(user.id), None).await?;
        store::commit(tx).await?;
        Ok(SignedIn {
            token,
            session: Session {
                principal: principal_of(&user),
                display_name: user.display_name.clone(),
                csrf_token: row.csrf_token,
                second_factor,
                id_hash: row.id_hash,
            },
        })
    }

    /// Resolves a session cookie. Expired sessions are deleted and yield None.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let id_hash = digest(token);
        let Some(row) = sessions::by_hash(self.store.reader(), &id_hash).await? else {
            return Ok(None);
        };
        let now = self.now();
        let idle = self.settings.session_idle_minutes * MICROS_PER_MINUTE;
        let max = self.settings.session_max_hours * 60 * MICROS_PER_MINUTE;
        let user = users::by_id(self.store.reader(), row.user_id).await?;
        let expired = now - row.last_seen_at > idle || now - row.created_at > max;
        let usable = user
            .as_ref()
            .is_some_and(|u| u.locked_at.is_none() && u.disabled_at.is_none());
        let Some(user) = user.filter(|_| usable && !expired) else {
            let mut tx = self.store.begin().await?;
            sessions::delete(&mut *tx, &id_hash).await?;
            store::commit(tx).await?;
            return Ok(None);
        };
        // Writing on every request would serialise all reads behind SQLite's writer; a
        // minute's precision is plenty for a 30-minute idle limit.
        if now - row.last_seen_at > MICROS_PER_MINUTE {
            let mut tx = self.store.begin().await?;
            sessions::touch(&mut *tx, &id_hash, now).await?;
            store::commit(tx).await?;
        }
        Ok(Some(Session {
            principal: principal_of(&user),
            display_name: user.display_name.clone(),
            csrf_token: row.csrf_token,
            second_factor: self.second_factor_state(&user, row.second_factor_done),
            id_hash,
        }))
    }

    pub async fn logout(&self, session: &Session, ip: Ip) -> Result<()> {
        let mut tx = self.store.begin().await?;
        sessions::delete(&mut *tx, &session.id_hash).await?;
        audited(
            &mut tx,
            &By::person(&session.principal, ip, self.now()),
            "logout",
            Subject::Nothing,
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(())
    }

    fn totp(&self, secret_b32: &str, account: &str) -> Result<TOTP> {
        let bytes = Secret::Encoded(secret_b32.to_owned())
            .to_bytes()
            .map_err(|e| ServiceError::Internal(format!("bad stored secret: {e:?}").into()))?;
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            30,
            bytes,
            Some("Clearinghouse".to_owned()),
            account.to_owned(),
        )
        .map_err(|e| ServiceError::Internal(format!("totp: {e}").into()))
    }

    /// The time step (30 s) whose code matches, within one step of clock drift.
    /// The account's second-factor secret, opened. A secret written before sealing
    /// (stored plain by an older version, until `seal_plaintext_secrets` ran) is read as is.
    fn totp_secret(&self, user: &UserRow) -> Result<Option<String>> {
        match &user.totp_secret {
            None => Ok(None),
            Some(s) if blob::Sealer::is_sealed(s) => self
                .sealer
                .open(&totp_place(user.id), s)
                .map(Some)
                .map_err(|e| ServiceError::Internal(Box::new(e))),
            Some(plain) => Ok(Some(plain.clone())),
        }
    }

    /// Seals the second-factor secrets an older version stored in plain text, and
    /// re-seals those sealed under a previous key (after a key rotation); run at start and
    /// by `rotate_keys`. Returns how many it (re)sealed.
    pub async fn seal_plaintext_secrets(&self) -> Result<usize> {
        let mut sealed = 0;
        let stale =
            users::totp_secrets_not_under(self.store.reader(), self.sealer.key_id()).await?;
        for (id, was) in stale {
            let plain = if blob::Sealer::is_sealed(&was) {
                match self.sealer.open(&totp_place(id), &was) {
                    Ok(plain) => plain,
                    // One account's unreadable secret must not keep the server from
                    // starting: that account's sign-in fails with the same message, and an
                    // administrator resets its second factor.
                    Err(e) => {
                        tracing::warn!(user = id.0, error = %e, "a second-factor secret could not be re-sealed");
                        continue;
                    }
                }
            } else {
                was.clone()
            };
            let value = self.sealer.seal(&totp_place(id), &plain);
            let mut tx = self.store.begin().await?;
            // Only if unchanged: an enrolment in between wrote a sealed value already.
            if users::reseal_totp_secret(&mut *tx, id, &was, &value).await? {
                sealed += 1;
            }
            store::commit(tx).await?;
        }
        Ok(sealed)
    }

    fn matching_step(&self, totp: &TOTP, code: &str) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let step = self.clock.now_secs() / 30;
        (step - 1..=step + 1).find(|s| crypto::same(&totp.generate((*s * 30) as u64), &code))
    }

    /// Starts enrolment: a new secret, stored but not yet active. Returns the base32 secret
    /// and the `otpauth://` URL for authenticator apps.
    pub async fn begin_enrolment(&self, session: &Session) -> Result<(String, String)> {
        let user = self.user(session.principal.user_id).await?;
        if user.totp_enabled {
            return Err(ServiceError::Invalid(
                "a second factor is already set up for this account".into(),
            ));
        }
        let secret = match self.totp_secret(&user)? {
            Some(s) => s,
            None => {
                let s = Secret::Raw(crypto::random_bytes::<20>().to_vec())
                    .to_encoded()
                    .to_string();
                let sealed = self.sealer.seal(&totp_place(user.id), &s);
                let mut tx = self.store.begin().await?;
                users::set_totp(&mut *tx, user.id, Some(&sealed), false, 0).await?;
                store::commit(tx).await?;
                s
            }
        };
        let url = self.totp(&secret, user.username.as_str())?.get_url();
        Ok((secret, url))
    }

    /// Confirms enrolment with a first code; returns the recovery codes, shown once.
    pub async fn confirm_enrolment(
        &self,
        session: &Session,
        code: &str,
        ip: Ip,
    ) -> Result<Vec<String>> {
        let user = self.user(session.principal.user_id).await?;
        let secret = self
            .totp_secret(&user)?
            .filter(|_| !user.totp_enabled)
            .ok_or_else(|| ServiceError::Invalid("start the set-up again".into()))?;
        let totp = self.totp(&secret, user.username.as_str())?;
        let step = self
            .matching_step(&totp, code)
            .ok_or(ServiceError::InvalidCode)?;
        let codes: Vec<String> = (0..10).map(|_| crypto::recovery_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| digest(c)).collect();
        let mut tx = self.store.begin().await?;
        let sealed = self.sealer.seal(&totp_place(user.id), &secret);
        users::set_totp(&mut *tx, user.id, Some(&sealed), true, step).await?;
        users::replace_recovery_codes(&mut tx, user.id, &hashes).await?;
        sessions::mark_second_factor_done(&mut *tx, &session.id_hash).await?;
        audited(
            &mut tx,
            &By::account(user.username.as_str(), user.id, ip, self.now()),
            "second_factor.enrolled",
            Subject::User(user.id),
            None,
        )
        .await?;
        store::commit(tx).await?;
        Ok(codes)
    }

    /// Completes sign-in with a TOTP code or a recovery code.
    pub async fn verify_second_factor(&self, session: &Session, code: &str, ip: Ip) -> Result<()> {
        let user = self.user(session.principal.user_id).await?;
        let secret = self
            .totp_secret(&user)?
            .filter(|_| user.totp_enabled)
            .ok_or(ServiceError::InvalidCode)?;
        let totp = self.totp(&secret, user.username.as_str())?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let accepted = match self.matching_step(&totp, code) {
            Some(step) => users::advance_totp_step(&mut *tx, user.id, step).await?,
            None => {
                let folded = code.trim().to_ascii_lowercase();
                users::use_recovery_code(&mut *tx, user.id, &digest(&folded), now).await?
            }
        };
        let action = if accepted {
            "second_factor.passed"
        } else {
            "second_factor.failed"
        };
        let by = By::account(user.username.as_str(), user.id, ip, now);
        audited(&mut tx, &by, action, Subject::User(user.id), None).await?;
        if accepted {
            sessions::mark_second_factor_done(&mut *tx, &session.id_hash).await?;
            users::clear_failures(&mut *tx, user.id).await?;
            store::commit(tx).await?;
            return Ok(());
        }
        // A wrong code counts like a wrong password: with a million codes and no limit,
        // a stolen password plus a few minutes of guessing would pass.
        users::record_failure(&mut *tx, user.id, now).await?;
        let since = now - self.settings.lockout_window_minutes * MICROS_PER_MINUTE;
        let failures = users::failures_since(&mut *tx, user.id, since).await?;
        if failures >= self.settings.lockout_attempts {
            lock(
                &mut tx,
                &by,
                user.id,
                format!("{failures} failed attempts, the last a second-factor code"),
            )
            .await?;
            store::commit(tx).await?;
            tracing::warn!(
                user_id = user.id.0,
                "account locked after failed second-factor codes"
            );
            return Err(ServiceError::Locked);
        }
        store::commit(tx).await?;
        Err(ServiceError::InvalidCode)
    }

    /// A current code for a secret; for tests and the demo's printed instructions.
    pub fn current_code(&self, secret_b32: &str) -> Result<String> {
        let totp = self.totp(secret_b32, "x")?;
        Ok(totp.generate(self.clock.now_secs() as u64))
    }

    pub(crate) async fn user(&self, id: UserId) -> Result<UserRow> {
        users::by_id(self.store.reader(), id)
            .await?
            .ok_or(ServiceError::NotFound("the user"))
    }

    /// Authenticates a personal API token (`Authorization: Bearer …`).
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<Principal>> {
        let now = self.now();
        let Some(t) = tokens::live_by_hash(self.store.reader(), &digest(token), now).await? else {
            return Ok(None);
        };
        let user = self.user(t.user_id).await?;
        if user.locked_at.is_some() || user.disabled_at.is_some() {
            return Ok(None);
        }
        if t.last_used_at.is_none_or(|at| now - at > MICROS_PER_MINUTE) {
            let mut tx = self.store.begin().await?;
            tokens::touch(&mut *tx, t.id, now).await?;
            store::commit(tx).await?;
        }
        Ok(Some(principal_of(&user)))
    }
}

/// Remembers recently verified Basic credentials, so a provider's client that sends its
/// password with every request costs one argon2 verification, not one per request. An
/// entry holds only a digest of the credentials and the password hash they matched; a
/// changed password (new hash), a lock or a new role take effect at the next request
/// because the user row is read every time.
#[derive(Default, Clone)]
pub struct BasicCache {
    inner: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, (String, i64)>>>,
}

const BASIC_CACHE_MAX: usize = 10_000;
const BASIC_CACHE_TTL: i64 = 15 * MICROS_PER_MINUTE;

impl Services {
    /// Authenticates HTTP Basic credentials (the provider API). Failed attempts count
    /// toward the same lockout as the sign-in form, and the first success is audited.
    pub async fn authenticate_basic(
        &self,
        username: &str,
        password: &str,
        ip: Ip,
    ) -> Result<Principal> {
        let folded = username.trim().to_ascii_lowercase();
        let key = digest(&format!("{folded}\u{0}{password}"));
        let now = self.now();
        let found = users::by_username(self.store.reader(), &folded).await?;
        // Only provider API accounts sign in with a bare password: every other role passes a
        // second factor. `sign_in` refuses the others like a wrong password.
        if let Some(user) = found.filter(|u| principal_of(u).role == domain::Role::ProviderApi) {
            let cached = self
                .basic_cache
                .inner
                .lock()
                .ok()
                .and_then(|m| m.get(&key).cloned());
            if let Some((hash, at)) = cached {
                if hash == user.password_hash
                    && now - at < BASIC_CACHE_TTL
                    && user.locked_at.is_none()
                    && user.disabled_at.is_none()
                {
                    return Ok(principal_of(&user));
                }
            }
        }
        let signed = self.sign_in(username, password, ip, true).await?;
        // The session row the sign-in created is not needed for Basic authentication.
        let mut tx = self.store.begin().await?;
        sessions::delete(&mut *tx, &signed.session.id_hash).await?;
        store::commit(tx).await?;
        let user = users::by_id(self.store.reader(), signed.session.principal.user_id).await?;
        if let (Ok(mut m), Some(user)) = (self.basic_cache.inner.lock(), user) {
            if m.len() >= BASIC_CACHE_MAX {
                m.clear();
            }
            m.insert(key, (user.password_hash, now));
        }
        Ok(signed.session.principal)
    }
}

/// Locks an account: its sessions end and its API tokens are revoked, so that whoever
/// was guessing holds nothing that still works when the lock ends.
async fn lock(tx: &mut store::Tx, by: &By, user: UserId, why: String) -> Result<()> {
    let now = by.at();
    users::set_locked(&mut **tx, user, Some(now)).await?;
    sessions::delete_for_user(&mut **tx, user).await?;
    tokens::revoke_all_for_user(&mut **tx, user, now).await?;
    audited(tx, by, "account.locked", Subject::User(user), Some(why)).await?;
    Ok(())
}
