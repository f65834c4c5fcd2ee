//! Calendar arithmetic for stored times (UTC epoch milliseconds), shared by the pages (which
//! show dates) and the server (which writes RFC 3339 in exports). No time-zone database: the
//! portal shows UTC, labelled as such.

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after Howard Hinnant's
/// `civil_from_days`.
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a proleptic Gregorian date, after Howard Hinnant's
/// `days_from_civil` (the inverse of [`civil_from_days`]).
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days in `month` of `year` (proleptic Gregorian).
fn days_in_month(year: i64, month: i64) -> i64 {
    let next_first = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    next_first - days_from_civil(year, month, 1)
}

/// `ms` plus `months` calendar months, the day clamped to the end of a shorter month
/// (31 January + 1 month = 28 or 29 February), the time of day kept: the deadline rule of
/// GDPR Art. 12(3).
pub fn add_months(ms: i64, months: i64) -> i64 {
    let days = ms.div_euclid(DAY_MS);
    let rest = ms.rem_euclid(DAY_MS);
    let (year, month, day) = civil_from_days(days);
    let index = year * 12 + (month - 1) + months;
    let (new_year, new_month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let day = day.min(days_in_month(new_year, new_month));
    days_from_civil(new_year, new_month, day) * DAY_MS + rest
}

/// Parses a `YYYY-MM-DD` day (years 1970 to 9999, a day that exists in its month) into the
/// UTC epoch milliseconds of its start; `None` for anything else. The one date parser of
/// filters and reports.
pub fn parse_day(raw: &str) -> Option<i64> {
    let mut parts = raw.trim().split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
        return None;
    }
    if !(1..=days_in_month(year, month)).contains(&day) {
        return None;
    }
    Some(days_from_civil(year, month, day) * DAY_MS)
}

/// `2026-11-28 21:05 UTC`: unambiguous in both languages.
pub fn format_datetime(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
    let rest = ms.rem_euclid(DAY_MS);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3_600_000,
        rest / 60_000 % 60
    )
}

/// `2026-11-28`.
pub fn format_date(ms: i64) -> String {
    let (year, month, day) = civil_from_days(ms.div_euclid(DAY_MS));
    format!("{year:04}-{month:02}-{day:02}")
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
