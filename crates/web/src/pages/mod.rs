//! Server-rendered pages. Each handler takes a [`Ctx`](crate::ctx::Ctx), calls the
//! service layer and renders an askama template; askama escapes every value, so text from
//! reports and users is always shown as text.

pub mod account;
pub mod admin;
pub mod assets;
pub mod auth;
pub mod cases;
pub mod home;
pub mod jobs;
pub mod links;
pub mod queue;
pub mod reports;
pub mod tip;

use crate::error::AppError;
use askama::Template;
use axum::response::Html;

pub fn render<T: Template>(t: &T) -> Result<Html<String>, AppError> {
    Ok(Html(t.render()?))
}

/// Formats UTC microseconds for people.
pub fn when(micros: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| t.format(&fmt).ok())
        .unwrap_or_default()
}

/// Percent-encodes a value for a query string.
pub fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A `next` target after sign-in: only a path on this site, never another origin.
pub fn local_path(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(local_path("/admin/users?q=a"), "/admin/users?q=a");
        assert_eq!(local_path("//evil.example"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
    }

    #[test]
    fn formats_times_in_utc() {
        assert_eq!(when(0), "1970-01-01 00:00:00");
    }
}
