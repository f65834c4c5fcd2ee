//! Calendar arithmetic for stored times (UTC epoch milliseconds), shared by the pages (which
//! show dates) and the server (which writes RFC 3339 in exports), on `chrono`'s proleptic
//! Gregorian calendar rather than hand-written civil-day maths. No time-zone database: the
//! portal shows UTC, labelled as such. Only `chrono`'s calendar types are used (no clock), so
//! the browser bundle never reads the system time through this module.

use chrono::{DateTime, Datelike, Months, NaiveDate, Timelike, Utc};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The first day `chrono` cannot represent is far beyond any stored time; a value out of its
/// range is clamped to the Unix epoch rather than failing a page.
fn utc(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let date = utc(days.saturating_mul(DAY_MS)).date_naive();
    (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of [`civil_from_days`]);
/// a day its month does not have counts on from the month's end, as the calendar maths did.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let first = i32::try_from(year)
        .ok()
        .zip(u32::try_from(month).ok())
        .and_then(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1))
        .unwrap_or_default();
    first.signed_duration_since(NaiveDate::default()).num_days() + day - 1
}

/// `ms` plus `months` calendar months, the day clamped to the end of a shorter month
/// (31 January + 1 month = 28 or 29 February), the time of day kept: the deadline rule of
/// GDPR Art. 12(3).
pub fn add_months(ms: i64, months: i64) -> i64 {
    let at = utc(ms);
    let shifted = match u32::try_from(months.unsigned_abs()).map(Months::new) {
        Ok(by) if months >= 0 => at.checked_add_months(by),
        Ok(by) => at.checked_sub_months(by),
        Err(_) => None,
    };
    shifted.map_or(ms, |t| t.timestamp_millis())
}

/// Parses a `YYYY-MM-DD` day (years 1970 to 9999, a day that exists in its month) into the
/// UTC epoch milliseconds of its start; `None` for anything else. The one date parser of
/// filters and reports.
pub fn parse_day(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    // chrono accepts signs and more than four year digits; the filters take exactly YYYY-MM-DD.
    let shape = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape {
        return None;
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    (1970..=9999).contains(&date.year()).then(|| {
        date.and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis()
    })
}

/// `2026-11-28 21:05 UTC`: unambiguous in both languages.
pub fn format_datetime(ms: i64) -> String {
    let at = utc(ms);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// `2026-11-28T21:05:00Z`: RFC 3339 in UTC to the second, for machine-readable attributes.
pub fn iso_datetime(ms: i64) -> String {
    let at = utc(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// `2026-11-28`.
pub fn format_date(ms: i64) -> String {
    let at = utc(ms);
    format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_formatted_in_utc_without_ambiguity() {
        assert_eq!(format_datetime(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_datetime(1_796_159_100_000), "2026-12-01 21:05 UTC");
        assert_eq!(format_date(951_782_400_000), "2000-02-29");
        assert_eq!(format_date(-1), "1969-12-31");
    }

    fn at(year: i64, month: i64, day: i64) -> i64 {
        days_from_civil(year, month, day) * DAY_MS
    }

    #[test]
    fn a_month_later_is_the_same_day_or_the_end_of_a_shorter_month() {
        let cases = [
            ((2026, 11, 28), 1, (2026, 12, 28), "same day next month"),
            ((2026, 1, 31), 1, (2026, 2, 28), "clamped to February"),
            ((2028, 1, 31), 1, (2028, 2, 29), "leap year"),
            ((2026, 12, 15), 2, (2027, 2, 15), "across the year end"),
            ((2026, 10, 31), 2, (2026, 12, 31), "two months"),
        ];
        for ((y, m, d), months, (ey, em, ed), why) in cases {
            assert_eq!(
                add_months(at(y, m, d) + 3_600_000, months),
                at(ey, em, ed) + 3_600_000,
                "{why}"
            );
        }
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        for days in [-1, 0, 59, 10_957, 20_000, 20_420] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn days_parse_to_the_start_of_the_utc_day_and_nonsense_is_refused() {
        assert_eq!(parse_day("1970-01-01"), Some(0));
        assert_eq!(parse_day("2026-11-28"), Some(1_795_824_000_000));
        assert_eq!(parse_day("2024-02-29").map(|ms| ms % DAY_MS), Some(0));
        assert_eq!(parse_day("2025-02-29"), None);
        assert_eq!(
            parse_day("2026-02-31"),
            None,
            "a day its month does not have"
        );
        assert_eq!(parse_day("2026-04-31"), None);
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("yesterday"), None);
        assert_eq!(parse_day("2026-11-28-1"), None);
    }
}
