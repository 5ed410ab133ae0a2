//! Per-address limits on attempts to prove who one is (a password, a second-factor code,
//! HTTP Basic credentials, an API token), taken before any hash is computed: one client can
//! neither guess faster than `security.attempts_per_minute` nor spend the server's CPU on
//! argon2 at will.
//!
//! A token bucket per client address: `burst` attempts at once, refilled at
//! `per_minute`. An attempt takes a token before the credentials are checked and gives it
//! back when they held, so only failures use up the budget: a hotline's staff behind one
//! address can all sign in at nine, and a script with a good token is never slowed, while
//! a flood of concurrent guesses is cut at `burst` because each one holds its token while
//! its hash runs. (`governor`'s GCRA has no way to give a cell back, hence this.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Above this many remembered addresses, buckets that have filled up again are forgotten.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug)]
pub struct AttemptLimiter {
    /// Tokens per second.
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl AttemptLimiter {
    pub fn new(per_minute: u32, burst: u32) -> Self {
        AttemptLimiter {
            rate: f64::from(per_minute.max(1)) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The key an address is counted under: an IPv6 client usually holds a whole /64, so
    /// it is counted as one; an IPv4 address mapped into IPv6 is the IPv4 address. An
    /// unknown address shares one bucket.
    pub fn key(ip: Option<&str>) -> IpAddr {
        match ip.and_then(|s| s.parse::<IpAddr>().ok()) {
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    IpAddr::V6(bits.into())
                }
            },
            Some(v4) => v4,
            None => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        }
    }

    /// Takes one attempt for `key`, or says how long to wait for the next.
    pub fn acquire(&self, key: IpAddr) -> Result<(), Duration> {
        self.acquire_at(key, Instant::now())
    }

    /// Gives back the attempt taken for credentials that held.
    pub fn refund(&self, key: IpAddr) {
        self.refund_at(key, Instant::now());
    }

    fn acquire_at(&self, key: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() > PRUNE_ABOVE {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, b| refilled(b, now, rate, burst) < burst);
        }
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        b.tokens = refilled(b, now, self.rate, self.burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - b.tokens) / self.rate))
        }
    }

    fn refund_at(&self, key: IpAddr, now: Instant) {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(b) = buckets.get_mut(&key) {
            b.tokens = (refilled(b, now, self.rate, self.burst) + 1.0).min(self.burst);
            b.at = now;
        }
    }
}

fn refilled(b: &Bucket, now: Instant, rate: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
    (b.tokens + elapsed * rate).min(burst)
}

/// Whole seconds to wait, for `Retry-After`: never 0, which would invite a retry at once.
pub fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        AttemptLimiter::key(Some(s))
    }

    #[test]
    fn a_burst_then_one_attempt_per_refill() {
        let l = AttemptLimiter::new(10, 3);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert!(l.acquire_at(a, t0).is_ok());
        }
        let wait = l.acquire_at(a, t0).unwrap_err();
        assert!(wait > Duration::from_secs(5) && wait <= Duration::from_secs(6));
        // Another address is not affected.
        assert!(l.acquire_at(ip("192.0.2.2"), t0).is_ok());
        // Ten a minute: one more after six seconds, not two.
        let t6 = t0 + Duration::from_secs(6);
        assert!(l.acquire_at(a, t6).is_ok());
        assert!(l.acquire_at(a, t6).is_err());
    }

    #[test]
    fn credentials_that_held_give_their_attempt_back() {
        let l = AttemptLimiter::new(10, 2);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..100 {
            assert!(l.acquire_at(a, t0).is_ok());
            l.refund_at(a, t0);
        }
        // A refund never raises the bucket above its burst.
        assert!(l.acquire_at(a, t0).is_ok());
        assert!(l.acquire_at(a, t0).is_ok());
        assert!(l.acquire_at(a, t0).is_err());
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(ip("2001:db8:1:2:aaaa::1"), ip("2001:db8:1:2:bbbb::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("::ffff:192.0.2.7"), ip("192.0.2.7"));
        assert_eq!(AttemptLimiter::key(None), AttemptLimiter::key(Some("junk")));
    }

    #[test]
    fn full_buckets_are_forgotten_when_many_addresses_were_seen() {
        let l = AttemptLimiter::new(60, 1);
        let t0 = Instant::now();
        for i in 0..=PRUNE_ABOVE as u32 {
            let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = l.acquire_at(a, t0);
        }
        let later = t0 + Duration::from_secs(2);
        let _ = l.acquire_at(ip("192.0.2.1"), later);
        assert!(l.buckets.lock().unwrap().len() <= 2);
    }

    #[test]
    fn retry_after_is_whole_seconds_and_never_zero() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(5_100)), 6);
        assert_eq!(retry_after_secs(Duration::from_secs(6)), 6);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
