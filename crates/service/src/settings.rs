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

/// Watchlists and their notifications (issue 24).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchlistSettings {
    /// A watch notifies for this many days unless renewed.
    pub watch_days: i64,
    /// Where notification e-mail is sent from; none: notifications in the product only.
    pub smtp: Option<SmtpSettings>,
}

impl Default for WatchlistSettings {
    fn default() -> Self {
        WatchlistSettings {
            watch_days: 90,
            smtp: None,
        }
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or a test sink.
    None,
    /// STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The deployment's SMTP server, for notification e-mail. A message says only that a
/// notification is waiting and links to it: never what matched or about whom.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    /// Better `CLEARINGHOUSE_WATCHLISTS__SMTP__PASSWORD` from a secret store.
    #[serde(default)]
    pub password: Option<String>,
    /// The sender, `Clearinghouse <alerts@hotline.example>` or a bare address.
    pub from: String,
    /// The product's public address, for the link in each message
    /// (`https://clearinghouse.example`).
    pub base_url: String,
}

fn default_smtp_port() -> u16 {
    587
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .field("from", &self.from)
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl WatchlistSettings {
    /// Checks every value; the error names the setting.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=365).contains(&self.watch_days) {
            return Err(format!(
                "watchlists.watch_days = {}: must be between 1 and 365",
                self.watch_days
            ));
        }
        if let Some(s) = &self.smtp {
            if s.host.trim().is_empty() {
                return Err("watchlists.smtp.host: must not be empty".into());
            }
            if s.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(format!(
                    "watchlists.smtp.from = {:?}: not an e-mail address",
                    s.from
                ));
            }
            if !(s.base_url.starts_with("https://") || s.base_url.starts_with("http://")) {
                return Err(format!(
                    "watchlists.smtp.base_url = {:?}: must start with https:// (the product's public address)",
                    s.base_url
                ));
            }
            if s.username.is_some() != s.password.is_some() {
                return Err("watchlists.smtp: username and password go together".into());
            }
        }
        Ok(())
    }
}
