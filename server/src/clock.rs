//! Time as the schema stores it: UTC milliseconds since the Unix epoch.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in a day, for date arithmetic on stored times.
pub const DAY_MS: i64 = 86_400_000;

/// The current time in epoch milliseconds (0 if the system clock is before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}
