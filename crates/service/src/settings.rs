//! Security settings of a deployment. Defaults follow the FBI CJIS Security Policy that
//! law-enforcement users must meet; a deployment may be stricter, never looser.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    /// Require a second factor (TOTP) from every role that can see case data.
    pub require_second_factor: bool,
    /// A session ends after this many minutes without a request (at most 30).
    pub session_idle_minutes: i64,
    /// A session ends this many hours after sign-in, whatever happens (at most 12).
    pub session_max_hours: i64,
    /// Failed sign-ins within the window that lock an account (at most 5).
    pub lockout_attempts: i64,
    pub lockout_window_minutes: i64,
    /// A locked account unlocks by itself after this many minutes (CJIS: at least 10);
    /// an administrator may unlock it sooner. Without it, anyone could keep any account,
    /// the administrator's too, locked out with five bad tries.
    pub lockout_minutes: i64,
    /// A personal API token stops working this many days after it was created.
    pub token_days: i64,
    /// Failed attempts to prove who one is (a password, a second-factor code, HTTP Basic
    /// credentials, an API token) one client address may make per minute, checked before
    /// any hash is computed; credentials that hold do not count.
    pub attempts_per_minute: i64,
    /// How many such attempts an address may make at once before the per-minute rate
    /// applies.
    pub attempts_burst: i64,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            require_second_factor: true,
            session_idle_minutes: 30,
            session_max_hours: 12,
            lockout_attempts: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 30,
            token_days: 90,
            attempts_per_minute: 10,
            attempts_burst: 10,
        }
    }
}

impl SecuritySettings {
    /// Checks that every value is within policy; the error names the setting.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=30).contains(&self.session_idle_minutes) {
            return Err(format!(
                "security.session_idle_minutes = {}: must be between 1 and 30 (CJIS session lock)",
                self.session_idle_minutes
            ));
        }
        if !(1..=12).contains(&self.session_max_hours) {
            return Err(format!(
                "security.session_max_hours = {}: must be between 1 and 12",
                self.session_max_hours
            ));
        }
        if !(1..=5).contains(&self.lockout_attempts) {
            return Err(format!(
                "security.lockout_attempts = {}: must be between 1 and 5 (CJIS unsuccessful logon attempts)",
                self.lockout_attempts
            ));
        }
        if !(15..=1440).contains(&self.lockout_window_minutes) {
            return Err(format!(
                "security.lockout_window_minutes = {}: must be between 15 and 1440",
                self.lockout_window_minutes
            ));
        }
        if !(10..=1440).contains(&self.lockout_minutes) {
            return Err(format!(
                "security.lockout_minutes = {}: must be between 10 and 1440 (CJIS: a locked account stays locked 10 minutes or more)",
                self.lockout_minutes
            ));
        }
        if !(1..=365).contains(&self.token_days) {
            return Err(format!(
                "security.token_days = {}: must be between 1 and 365",
                self.token_days
            ));
        }
        if !(1..=100_000).contains(&self.attempts_per_minute) {
            return Err(format!(
                "security.attempts_per_minute = {}: must be between 1 and 100000",
                self.attempts_per_minute
            ));
        }
        if !(1..=100_000).contains(&self.attempts_burst) {
            return Err(format!(
                "security.attempts_burst = {}: must be between 1 and 100000",
                self.attempts_burst
            ));
        }
        Ok(())
    }
}
