//! Per-token rate limit: a token bucket per API token, in memory.
//!
//! Each token may burst up to `api_rate_per_minute` requests and is refilled at that rate.
//! In memory is enough for one process: the limit protects this instance from a runaway
//! script, it is not a quota; several instances behind a balancer each apply it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// The buckets of every token seen since start-up.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute per token (at least 1).
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `token_id`'s bucket; `Err(seconds)` says when to retry.
    ///
    /// # Errors
    /// The whole seconds until a request will be allowed again (at least 1).
    pub fn check(&self, token_id: i64) -> Result<(), u64> {
        self.check_at(token_id, Instant::now())
    }

    fn check_at(&self, token_id: i64, now: Instant) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        // A poisoned lock only means another request panicked mid-update; the map is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry(token_id).or_insert(Bucket {
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
    use std::time::Duration;

    #[test]
    fn a_token_may_burst_its_limit_then_waits_for_the_refill() {
        let limiter = RateLimiter::new(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(1, start), Ok(()));
        }
        assert_eq!(
            limiter.check_at(1, start),
            Err(20),
            "one request per 20 s at 3/min"
        );
        assert_eq!(
            limiter.check_at(2, start),
            Ok(()),
            "tokens have their own buckets"
        );
        assert_eq!(limiter.check_at(1, start + Duration::from_secs(21)), Ok(()));
    }
}
