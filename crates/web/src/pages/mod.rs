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
use domain::{RecordKind, RecordRef};

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

/// A record's own page: a report in the hotline's queue, a case; an ad has none (link
/// analysis shows it). Every link to a record's page is built here.
pub fn record_href(r: RecordRef) -> Option<String> {
    match r.kind {
        RecordKind::Report => Some(format!("/reports/{}", r.id)),
        RecordKind::Case => Some(format!("/cases/{}", r.id)),
        RecordKind::Ad => None,
    }
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
    fn records_open_on_their_own_pages() {
        assert_eq!(
            record_href(RecordRef::report(12)).as_deref(),
            Some("/reports/12")
        );
        assert_eq!(record_href(RecordRef::case(3)).as_deref(), Some("/cases/3"));
        assert_eq!(record_href(RecordRef::ad(7)), None);
    }

    #[test]
    fn formats_times_in_utc() {
        assert_eq!(when(0), "1970-01-01 00:00:00");
    }
}
