//! Public statistics: releases of protected tables, computed by a job on a monthly
//! schedule (the first day of each month, 00:00 UTC) unless an administrator holds them,
//! and read by the public pages from memory.
//!
//! The public pages never query case or report tables: they read the latest published
//! release, cached here by its id (re-checked against the database at most every
//! [`CACHE_RECHECK`], and replaced at once when this process publishes), so the cost of a
//! reader does not grow with the data or with the number of readers. Between two
//! scheduled releases the published numbers do not change, so day-to-day differences say
//! nothing about the days between.

pub mod compute;
mod releases;

pub use compute::{StatTable, TRAFFICKING_INCIDENT};
pub use releases::{ReleaseView, ReleasesOverview};

use serde::{Deserialize, Serialize};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use time::{Date, Month, OffsetDateTime};

/// How often a cached release is compared with the database's latest (another process
/// may have published).
pub const CACHE_RECHECK: Duration = Duration::from_secs(10);
/// The job that publishes a scheduled release.
pub const RELEASE_JOB: &str = "statistics_release";
/// The default whole budget of a differentially private release (split evenly between
/// its tables).
pub const DEFAULT_EPSILON: f64 = 7.0;

/// A published release as the public pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedRelease {
    pub id: i64,
    /// YYYY-MM: the month whose data it holds (to when it was computed).
    pub period: String,
    /// UTC microseconds.
    pub computed_at: i64,
    /// `suppressed` or `dp`.
    pub mode: String,
    /// In words, for the page.
    pub mode_label: String,
    /// The whole privacy budget (dp only), spent in equal parts on each table.
    pub epsilon: Option<f64>,
    pub tables: Vec<StatTable>,
}

impl PublishedRelease {
    pub fn table(&self, id: &str) -> Option<&StatTable> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// Every year any table has, the latest last.
    pub fn years(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .tables
            .iter()
            .flat_map(|t| t.table.cols.iter().cloned())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// A release in memory, with when it was last compared with the database.
type Cached = Option<(Instant, Arc<PublishedRelease>)>;

/// What the statistics pages keep in memory.
#[derive(Clone, Default)]
pub struct StatsCache {
    inner: Arc<RwLock<Cached>>,
}

impl StatsCache {
    fn fresh(&self) -> Option<Arc<PublishedRelease>> {
        let g = self.inner.read().ok()?;
        g.as_ref()
            .filter(|(at, _)| at.elapsed() < CACHE_RECHECK)
            .map(|(_, r)| r.clone())
    }

    fn current(&self) -> Option<Arc<PublishedRelease>> {
        self.inner.read().ok()?.as_ref().map(|(_, r)| r.clone())
    }

    fn put(&self, r: Arc<PublishedRelease>) {
        if let Ok(mut g) = self.inner.write() {
            *g = Some((Instant::now(), r));
        }
    }
}

/// The month a release scheduled at the first of the month after `now` holds, and when
/// that is (UTC microseconds).
pub fn next_release_after(now_micros: i64) -> (String, i64) {
    let now = OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_micros) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let (y, m) = (now.year(), now.month());
    let (ny, nm) = if m == Month::December {
        (y + 1, Month::January)
    } else {
        (y, m.next())
    };
    let first = Date::from_calendar_date(ny, nm, 1)
        .unwrap_or(Date::MIN)
        .midnight()
        .assume_utc();
    let at = i64::try_from(first.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX);
    (format!("{y:04}-{:02}", u8::from(m)), at)
}

/// YYYY-MM of `micros`.
pub fn month_of(micros: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn micros(t: OffsetDateTime) -> i64 {
        (t.unix_timestamp_nanos() / 1000) as i64
    }

    #[test]
    fn the_next_release_is_the_first_of_the_next_month_at_midnight_utc() {
        let (p, at) = next_release_after(micros(datetime!(2026-12-07 11:50 UTC)));
        assert_eq!(p, "2026-12");
        assert_eq!(at, micros(datetime!(2027-01-01 0:00 UTC)));
        let (p, at) = next_release_after(micros(datetime!(2026-03-31 23:59:59 UTC)));
        assert_eq!(p, "2026-03");
        assert_eq!(at, micros(datetime!(2026-04-01 0:00 UTC)));
        // At midnight exactly, the release of that instant is due: the next is a month on.
        let (p, _) = next_release_after(micros(datetime!(2026-04-01 0:00 UTC)));
        assert_eq!(p, "2026-04");
        assert_eq!(month_of(micros(datetime!(2026-04-01 0:00 UTC))), "2026-04");
    }
}
