//! Server-rendered pages. Each handler takes a [`Ctx`](crate::ctx::Ctx), calls the
//! service layer and renders an askama template; askama escapes every value, so text from
//! reports and users is always shown as text.

pub mod account;
pub mod admin;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod cases;
pub mod csv;
pub mod families;
pub mod forms;
pub mod home;
pub mod hope_bags;
pub mod i2;
pub mod jobs;
pub mod leads;
pub mod links;
pub mod plans;
pub mod queue;
pub mod reports;
pub mod resources;
// Retention and legal holds (issue 25)
pub mod retention;
pub mod sort;
pub mod submissions;
// Requests for analytical support (issue 24)
pub mod support;
pub mod tip;
// Awareness and partners (issue 22)
pub mod awareness;
pub mod partners;
// Training (issue 22)
pub mod training;
// Public statistics
pub mod statistics;
// Watchlists (issue 24)
pub mod watchlists;

use crate::ctx::Ctx;
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

/// A duration in microseconds as people say it, in its largest whole unit: "7 years",
/// "3 months", "12 days", "5 hours", "1 minute". Every age or wait a page shows goes
/// through here, so "2690 d" never reaches a person. A month is 30 days and a year 365:
/// a rounded age needs no calendar.
pub fn age(micros: i64) -> String {
    const MINUTE: i64 = 60_000_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let d = micros.max(0);
    let (n, unit) = match d {
        d if d >= 365 * DAY => (d / (365 * DAY), "year"),
        d if d >= 30 * DAY => (d / (30 * DAY), "month"),
        d if d >= DAY => (d / DAY, "day"),
        d if d >= HOUR => (d / HOUR, "hour"),
        d if d >= MINUTE => (d / MINUTE, "minute"),
        _ => return "less than a minute".into(),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
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

/// Records in the audit log that the signed-in person listed or searched `list` (its
/// address) with the request's query and was shown `ids` (issue 25, finding 5).
pub async fn audit_list(
    ctx: &Ctx,
    list: &str,
    ids: impl IntoIterator<Item = i64>,
) -> Result<(), AppError> {
    let p = ctx.principal()?;
    let query: Vec<(String, String)> = form_urlencoded::parse(ctx.query.as_bytes())
        .into_owned()
        .collect();
    let ids: Vec<i64> = ids.into_iter().collect();
    ctx.state
        .services
        .record_query(p, list, &query, &ids, ctx.ip.clone())
        .await?;
    Ok(())
}

/// A `next` target after sign-in: only a path on this site, never another origin.
pub fn local_path(next: &str) -> &str {
    // Browsers drop tabs and newlines from a URL before reading it, so `/\t/evil.example`
    // would be read as `//evil.example`; and a control character in a `Location` header
    // (like any byte a header may not carry) is refused after the session is set. Only a
    // plain, percent-encoded path passes.
    let plain = next.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    if !(plain && next.starts_with('/') && !next.starts_with("//")) {
        return "/";
    }
    // And as a URL parser reads it against this site: it stays on this site, as a path.
    let Ok(base) = url::Url::parse("http://this-site.invalid/") else {
        return "/";
    };
    match base.join(next) {
        Ok(u)
            if u.origin() == base.origin() && u.username().is_empty() && u.password().is_none() =>
        {
            next
        }
        _ => "/",
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
        assert_eq!(local_path("/\t/evil.example"), "/");
        assert_eq!(local_path("/\n/evil.example"), "/");
        assert_eq!(local_path("/ /evil.example"), "/");
        assert_eq!(local_path("/caf\u{e9}"), "/");
        assert_eq!(local_path("/cases?q=a%20b"), "/cases?q=a%20b");
        assert_eq!(local_path("/%09/evil.example"), "/%09/evil.example");
        assert_eq!(local_path("/\u{0}x"), "/");
        assert_eq!(local_path("javascript:alert(1)"), "/");
        assert_eq!(local_path(""), "/");
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
    fn ages_read_as_people_say_them() {
        let minute = 60_000_000;
        let hour = 60 * minute;
        let day = 24 * hour;
        assert_eq!(age(2690 * day), "7 years");
        assert_eq!(age(365 * day), "1 year");
        assert_eq!(age(364 * day), "12 months");
        assert_eq!(age(95 * day), "3 months");
        assert_eq!(age(30 * day), "1 month");
        assert_eq!(age(12 * day + 5 * hour), "12 days");
        assert_eq!(age(day), "1 day");
        assert_eq!(age(5 * hour + 59 * minute), "5 hours");
        assert_eq!(age(hour), "1 hour");
        assert_eq!(age(minute), "1 minute");
        assert_eq!(age(59 * minute), "59 minutes");
        assert_eq!(age(59_000_000), "less than a minute");
        // A clock that went back is not a negative age.
        assert_eq!(age(-day), "less than a minute");
    }

    #[test]
    fn an_age_is_always_one_whole_unit() {
        // From a second to centuries, in steps that cross every unit's boundary.
        let mut micros = 1_000_000i64;
        while micros < i64::MAX / 3 {
            let a = age(micros);
            let words: Vec<&str> = a.split(' ').collect();
            assert!(
                a == "less than a minute"
                    || (words.len() == 2 && words[0].parse::<i64>().is_ok_and(|n| n >= 1)),
                "{micros}: {a}"
            );
            micros = micros * 3 / 2 + 1;
        }
    }

    #[test]
    fn formats_times_in_utc() {
        assert_eq!(when(0), "1970-01-01 00:00:00");
    }
}
