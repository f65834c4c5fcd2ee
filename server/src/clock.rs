//! Time as the schema stores it: UTC milliseconds since the Unix epoch.

use std::time::{SystemTime, UNIX_EPOCH};

use app::time::civil_from_days;
/// Milliseconds in a day, for date arithmetic on stored times.
pub use app::time::DAY_MS;

/// The current time in epoch milliseconds (0 if the system clock is before 1970).
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

/// RFC 3339 UTC form of epoch milliseconds, e.g. `2026-11-28T21:05:00.000Z`.
pub fn to_rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let rest = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s, milli) = (
        rest / 3_600_000,
        rest / 60_000 % 60,
        rest / 1000 % 60,
        rest % 1000,
    );
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{milli:03}Z")
}

/// Year and month of epoch milliseconds (UTC).
pub fn year_month(ms: i64) -> (i32, u32) {
    let (year, month, _) = civil_from_days(ms.div_euclid(DAY_MS));
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u32::try_from(month).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_milliseconds_format_as_rfc_3339_utc() {
        assert_eq!(to_rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(to_rfc3339(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(to_rfc3339(1_796_159_100_000), "2026-12-01T21:05:00.000Z");
        assert_eq!(to_rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(year_month(1_796_159_100_000), (2026, 12));
    }
}
