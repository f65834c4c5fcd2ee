//! Time as the server reads it: one [`Clock`] for the whole process, and time as the schema
//! stores it (UTC milliseconds since the Unix epoch).
//!
//! Why one clock: deadlines, "overdue", retention windows, session lifetimes and relative dates
//! all depend on "now". If each read the wall clock, a test would pass or fail with the day it
//! runs (a month after 2 December is 31 days, after 2 November 30). So every service, the
//! sharing worker, the job runner, the sweepers and the pages read the clock held in the
//! application state, and tests choose the instant. Production always runs on the system
//! clock: a chosen start (`clock_start`) is refused unless demo mode is on
//! ([`crate::config::Config::validate`]).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds in a day, for date arithmetic on stored times.
pub use app::time::DAY_MS;

/// Where "now" comes from. Cheap to clone: clones share one source, so a test that moves its
/// clock moves the server's.
#[derive(Clone)]
pub struct Clock(Arc<Source>);

enum Source {
    /// The operating system's clock (production).
    System,
    /// The system clock shifted by a fixed amount: time runs at the normal rate from a chosen
    /// start (demo runs and the browser suite).
    Shifted(AtomicI64),
    /// Time stands still until [`Clock::advance`] or [`Clock::set`] moves it (Rust tests that
    /// assert exact wording or exact deadlines).
    Frozen(AtomicI64),
}

impl Clock {
    /// The operating system's clock.
    pub fn system() -> Clock {
        Clock(Arc::new(Source::System))
    }

    /// A clock that reads `start_ms` now and runs at the normal rate from there.
    pub fn starting_at(start_ms: i64) -> Clock {
        Clock(Arc::new(Source::Shifted(AtomicI64::new(
            start_ms.saturating_sub(system_ms()),
        ))))
    }

    /// A clock that reads `at_ms` until a test moves it.
    pub fn frozen(at_ms: i64) -> Clock {
        Clock(Arc::new(Source::Frozen(AtomicI64::new(at_ms))))
    }

    /// The current time in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        match &*self.0 {
            Source::System => system_ms(),
            Source::Shifted(offset) => system_ms().saturating_add(offset.load(Ordering::Relaxed)),
            Source::Frozen(at) => at.load(Ordering::Relaxed),
        }
    }

    /// Moves a chosen clock forward by `by` (a week of pause, a day past a retention window).
    /// The system clock cannot be moved: there it does nothing, and says so in the log.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        match &*self.0 {
            Source::System => tracing::warn!("the system clock cannot be advanced"),
            Source::Shifted(value) | Source::Frozen(value) => {
                value.fetch_add(by, Ordering::Relaxed);
            }
        }
    }

    /// Sets a chosen clock to `at_ms` (a frozen one stays there, a running one runs on from
    /// there). Does nothing on the system clock.
    pub fn set(&self, at_ms: i64) {
        match &*self.0 {
            Source::System => tracing::warn!("the system clock cannot be set"),
            Source::Shifted(offset) => {
                offset.store(at_ms.saturating_sub(system_ms()), Ordering::Relaxed)
            }
            Source::Frozen(at) => at.store(at_ms, Ordering::Relaxed),
        }
    }

    /// Whether this is the operating system's clock (what production must run on).
    pub fn is_system(&self) -> bool {
        matches!(&*self.0, Source::System)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &*self.0 {
            Source::System => "system",
            Source::Shifted(_) => "shifted",
            Source::Frozen(_) => "frozen",
        };
        write!(f, "Clock({kind}, {})", to_rfc3339(self.now_ms()))
    }
}

/// The operating system's time in epoch milliseconds (0 if it is before 1970). Only
/// [`Clock`] reads it.
fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

/// Parses an RFC 3339 instant (`2028-02-29T12:00:00Z`, any offset) into epoch milliseconds.
///
/// # Errors
/// A message saying what was expected, when `text` is not such an instant.
pub fn parse_rfc3339(text: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.timestamp_millis())
        .map_err(|e| format!("{e}: expected an RFC 3339 instant such as 2028-02-29T12:00:00Z"))
}

/// RFC 3339 UTC form of epoch milliseconds, e.g. `2026-11-28T21:05:00.000Z`.
pub fn to_rfc3339(ms: i64) -> String {
    utc(ms).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Year and month of epoch milliseconds (UTC).
pub fn year_month(ms: i64) -> (i32, u32) {
    use chrono::Datelike;
    let at = utc(ms);
    (at.year(), at.month())
}

/// An instant far outside chrono's range (±262,000 years) is clamped to the epoch rather than
/// failing an export.
fn utc(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
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

    #[test]
    fn rfc_3339_instants_parse_with_any_offset_and_anything_else_is_refused() {
        assert_eq!(parse_rfc3339("2026-12-01T21:05:00Z"), Ok(1_796_159_100_000));
        assert_eq!(
            parse_rfc3339("2026-12-01T22:05:00+01:00"),
            Ok(1_796_159_100_000)
        );
        assert_eq!(
            parse_rfc3339("2028-02-29T00:00:00.000Z").map(to_rfc3339),
            Ok("2028-02-29T00:00:00.000Z".into())
        );
        for bad in [
            "",
            "tomorrow",
            "2027-02-29T00:00:00Z",
            "2026-12-01",
            "2026-12-01 21:05",
        ] {
            assert!(parse_rfc3339(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn a_frozen_clock_stands_still_until_it_is_moved() {
        let clock = Clock::frozen(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        let shared = clock.clone();
        shared.advance(Duration::from_secs(2));
        assert_eq!(clock.now_ms(), 3_000, "clones share one source");
        clock.set(-5);
        assert_eq!(shared.now_ms(), -5);
    }

    #[test]
    fn a_clock_started_at_an_instant_runs_from_there() {
        let start = 951_782_400_000; // 2000-02-29
        let clock = Clock::starting_at(start);
        let read = clock.now_ms();
        assert!((start..start + 60_000).contains(&read), "{read}");
        clock.advance(Duration::from_secs(86_400));
        assert!(clock.now_ms() >= start + DAY_MS);
        assert!(!clock.is_system() && Clock::system().is_system());
    }
}
