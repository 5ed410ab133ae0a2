//! Per-address limits on attempts to prove who one is (a password, a second-factor code,
//! HTTP Basic credentials, an API token), taken before any hash is computed: one client can
//! neither guess faster than `security.attempts_per_minute` nor spend the server's CPU on
//! argon2 at will.
//!
//! A token bucket per client address: `burst` failures at once, refilled at `per_minute`.
//! An attempt is admitted while its address has a token left and fewer than
//! [`IN_FLIGHT_MAX`] of its attempts are being checked; it is charged a token only when
//! its credentials did not hold (or it never said). So a hotline's staff behind one
//! address can all sign in at nine, and a provider's client with 16 workers is never
//! slowed, while a client that fails is held to the rate: a concurrent wave of guesses is
//! cut at `IN_FLIGHT_MAX`, and its failures are a debt the refill must pay before the next
//! attempt. (`governor`'s GCRA has no way to charge after the fact, hence this.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Above this many remembered addresses, idle buckets that have filled up are forgotten.
const PRUNE_ABOVE: usize = 10_000;
/// Attempts of one address being checked at once.
pub const IN_FLIGHT_MAX: u32 = 64;

#[derive(Debug)]
pub struct AttemptLimiter {
    /// Tokens per second.
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    /// May fall below zero: failures of attempts admitted together are all charged.
    tokens: f64,
    at: Instant,
    in_flight: u32,
}

/// An admitted attempt. Say [`Attempt::held`] when the credentials held (or the check
/// could not be made); dropped otherwise, it is charged as a failure, so a client that
/// hangs up mid-check pays as one that was refused.
#[must_use]
pub struct Attempt {
    limiter: Arc<AttemptLimiter>,
    key: IpAddr,
    charge: bool,
}

impl Attempt {
    pub fn held(mut self) {
        self.charge = false;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        self.limiter
            .finish_at(self.key, self.charge, Instant::now());
    }
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

    /// Admits one attempt for `key`, or says how long to wait.
    pub fn acquire(self: &Arc<Self>, key: IpAddr) -> Result<Attempt, Duration> {
        self.admit_at(key, Instant::now())?;
        Ok(Attempt {
            limiter: Arc::clone(self),
            key,
            charge: true,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Bucket>> {
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn admit_at(&self, key: IpAddr, now: Instant) -> Result<(), Duration> {
        let (rate, burst) = (self.rate, self.burst);
        let mut buckets = self.lock();
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, b| b.in_flight > 0 || refilled(b, now, rate, burst) < burst);
        }
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
            in_flight: 0,
        });
        b.tokens = refilled(b, now, rate, burst);
        b.at = now;
        if b.tokens < 1.0 {
            return Err(Duration::from_secs_f64((1.0 - b.tokens) / rate));
        }
        if b.in_flight >= IN_FLIGHT_MAX {
            return Err(Duration::from_secs(1));
        }
        b.in_flight += 1;
        Ok(())
    }

    fn finish_at(&self, key: IpAddr, failed: bool, now: Instant) {
        let (rate, burst) = (self.rate, self.burst);
        let mut buckets = self.lock();
        if let Some(b) = buckets.get_mut(&key) {
            b.in_flight = b.in_flight.saturating_sub(1);
            if failed {
                b.tokens = refilled(b, now, rate, burst) - 1.0;
                b.at = now;
            }
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

    fn fail(l: &AttemptLimiter, a: IpAddr, t: Instant) -> Result<(), Duration> {
        l.admit_at(a, t)?;
        l.finish_at(a, true, t);
        Ok(())
    }

    #[test]
    fn a_burst_of_failures_then_one_per_refill() {
        let l = AttemptLimiter::new(10, 3);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            assert!(fail(&l, a, t0).is_ok());
        }
        let wait = fail(&l, a, t0).unwrap_err();
        assert!(wait > Duration::from_secs(5) && wait <= Duration::from_secs(6));
        // Another address is not affected.
        assert!(fail(&l, ip("192.0.2.2"), t0).is_ok());
        // Ten a minute: one more after six seconds, not two.
        let t6 = t0 + Duration::from_secs(6);
        assert!(fail(&l, a, t6).is_ok());
        assert!(fail(&l, a, t6).is_err());
    }

    #[test]
    fn credentials_that_held_cost_nothing_however_many_at_once() {
        let l = Arc::new(AttemptLimiter::new(10, 2));
        let a = ip("192.0.2.1");
        for _ in 0..3 {
            let many: Vec<Attempt> = (0..IN_FLIGHT_MAX).map(|_| l.acquire(a).unwrap()).collect();
            assert!(l.acquire(a).is_err(), "no more than IN_FLIGHT_MAX at once");
            many.into_iter().for_each(Attempt::held);
        }
        // Nothing was charged: a failure is still admitted.
        drop(l.acquire(a).unwrap());
        assert!(l.acquire(a).is_ok());
    }

    #[test]
    fn a_wave_of_concurrent_failures_is_a_debt_paid_before_the_next_attempt() {
        let l = AttemptLimiter::new(10, 2);
        let t0 = Instant::now();
        let a = ip("192.0.2.1");
        for _ in 0..20 {
            l.admit_at(a, t0).unwrap();
        }
        for _ in 0..20 {
            l.finish_at(a, true, t0);
        }
        // 2 - 20 = -18 tokens: 19 to refill, at ten a minute.
        let wait = l.admit_at(a, t0).unwrap_err();
        assert!(
            wait > Duration::from_secs(113) && wait <= Duration::from_secs(114),
            "{wait:?}"
        );
    }

    #[test]
    fn an_attempt_dropped_without_a_verdict_is_charged() {
        let l = Arc::new(AttemptLimiter::new(10, 1));
        let a = ip("192.0.2.1");
        drop(l.acquire(a).unwrap());
        assert!(l.acquire(a).is_err());
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(ip("2001:db8:1:2:aaaa::1"), ip("2001:db8:1:2:bbbb::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
        assert_eq!(ip("::ffff:192.0.2.7"), ip("192.0.2.7"));
        assert_eq!(AttemptLimiter::key(None), AttemptLimiter::key(Some("junk")));
    }

    #[test]
    fn full_idle_buckets_are_forgotten_when_many_addresses_were_seen() {
        let l = AttemptLimiter::new(60, 1);
        let t0 = Instant::now();
        for i in 0..=PRUNE_ABOVE as u32 {
            let a = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = fail(&l, a, t0);
        }
        let later = t0 + Duration::from_secs(2);
        let _ = fail(&l, ip("192.0.2.1"), later);
        assert!(l.lock().len() <= 2);
    }

    #[test]
    fn retry_after_is_whole_seconds_and_never_zero() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::from_millis(5_100)), 6);
        assert_eq!(retry_after_secs(Duration::from_secs(6)), 6);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
    }
}
