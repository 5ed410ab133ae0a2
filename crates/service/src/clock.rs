//! Time, injectable: tests move it forward to watch sessions expire and lockouts lapse.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Microseconds added to the system time.
    offset: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Clock::default()
    }

    /// UTC microseconds since the Unix epoch.
    pub fn now_micros(&self) -> i64 {
        let sys = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        sys + self.offset.load(Ordering::Relaxed)
    }

    pub fn now_secs(&self) -> i64 {
        self.now_micros() / 1_000_000
    }

    /// Moves this clock (and every clone of it) forward. For tests.
    pub fn advance(&self, by: std::time::Duration) {
        self.offset
            .fetch_add(by.as_micros() as i64, Ordering::Relaxed);
    }
}

pub const MICROS_PER_MINUTE: i64 = 60_000_000;
