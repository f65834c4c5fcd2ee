//! One token-bucket rate limiter, keyed by whatever is limited: the client address for
//! sign-in attempts, the API token for the REST API.
//!
//! Each key may burst up to `per_minute` attempts and is refilled at that rate. In memory is
//! enough for one process: the limit protects this instance from a flood or a runaway script,
//! it is not a quota; several instances behind a balancer each apply it. It measures elapsed
//! time on the monotonic clock, not the portal's calendar clock: a bucket refills with time
//! that passed, whatever the date says.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

/// Above this many keys, full buckets (which behave like absent ones) are dropped.
const MAX_TRACKED: usize = 10_000;

/// The buckets of every key seen since start-up.
#[derive(Debug)]
pub struct KeyedLimiter<K> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl<K: Hash + Eq> KeyedLimiter<K> {
    /// A limiter allowing `per_minute` attempts a minute per key (at least 1).
    pub fn new(per_minute: u32) -> Self {
        KeyedLimiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one attempt from `key`'s bucket now.
    ///
    /// # Errors
    /// The whole seconds until an attempt will be allowed again (at least 1).
    pub fn check(&self, key: K) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    /// [`KeyedLimiter::check`] at the instant `now`.
    ///
    /// # Errors
    /// The whole seconds until an attempt will be allowed again (at least 1).
    pub fn check_at(&self, key: K, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED {
            buckets.retain(|_, bucket| {
                let elapsed = now.saturating_duration_since(bucket.refilled_at);
                bucket.tokens + elapsed.as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            refilled_at: now,
        });
        let elapsed = now
            .saturating_duration_since(bucket.refilled_at)
            .as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.refilled_at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - bucket.tokens) / per_second).ceil();
            // Bounded by 60 s / per_minute ≤ 60, so the conversion cannot overflow.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let seconds = wait.max(1.0) as u64;
            Err(seconds)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};
    use std::time::Duration;

    #[test]
    fn a_key_may_burst_its_limit_then_waits_for_the_refill() {
        let limiter = KeyedLimiter::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(1_i64, start), Ok(()));
        }
        assert_eq!(
            limiter.check_at(1, start),
            Err(20),
            "one attempt per 20 s at 3/min"
        );
        assert_eq!(
            limiter.check_at(2, start),
            Ok(()),
            "keys have their own buckets"
        );
        assert_eq!(limiter.check_at(1, start + Duration::from_secs(21)), Ok(()));
    }

    #[test]
    fn an_address_may_burst_its_limit_then_waits_for_the_refill() {
        let limiter = KeyedLimiter::new(2);
        let start = Instant::now();
        let a = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
        let b = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));
        assert_eq!(limiter.check_at(a, start), Ok(()));
        assert_eq!(limiter.check_at(a, start), Ok(()));
        assert_eq!(
            limiter.check_at(a, start),
            Err(30),
            "one attempt per 30 s at 2/min"
        );
        assert_eq!(
            limiter.check_at(b, start),
            Ok(()),
            "addresses have their own buckets"
        );
        assert_eq!(limiter.check_at(a, start + Duration::from_secs(31)), Ok(()));
    }

    #[test]
    fn a_flood_of_new_keys_keeps_the_map_bounded() {
        let limiter = KeyedLimiter::new(60);
        let start = Instant::now();
        for key in 0..(MAX_TRACKED as u64 + 10) {
            let _ = limiter.check_at(key, start);
        }
        let later = start + Duration::from_secs(61);
        assert_eq!(limiter.check_at(u64::MAX, later), Ok(()));
        let tracked = limiter
            .buckets
            .lock()
            .map(|b| b.len())
            .unwrap_or(usize::MAX);
        assert!(tracked <= 2, "refilled buckets are dropped, {tracked} left");
    }
}
