//! Values without a specific shape: bounded free text (department, model, app name…), yes/no
//! flags and timestamps.
//!
//! Free text still has limits: a length, and no control or direction-override characters,
//! because every value ends up on a page, in an export and in the audit log.

use super::error::{Format, ValueError};
use super::parse::{bounded_text, is_format_control, non_empty, REPLACEMENT};

/// Longest free-text value.
pub const FREE_TEXT_MAX: usize = 256;

value_type! {
    /// Free text of 1 to 256 characters, trimmed, without control or direction-override
    /// characters.
    FreeText
}

impl FreeText {
    /// Parses free text.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] or [`ValueError::InvalidCharacter`].
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        bounded_text(raw, FREE_TEXT_MAX).map(FreeText)
    }
}

/// Longest reason (for a correction, a request, a decision), in characters.
pub const REASON_MAX: usize = 2000;

value_type! {
    /// Why something was changed or decided, as a person wrote it: 1 to 2000 characters,
    /// trimmed, line breaks allowed (written in a text area; `\r\n` becomes `\n`), other control
    /// characters and direction overrides refused, because a reason is shown to other people in
    /// pages, exports and the audit log, where an override could make it read as something else.
    Reason
}

impl Reason {
    /// Parses a reason.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] or [`ValueError::InvalidCharacter`].
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?.replace("\r\n", "\n");
        if let Some(found) = text.chars().find(|&c| {
            (c.is_control() && !matches!(c, '\n' | '\t'))
                || is_format_control(c)
                || c == REPLACEMENT
        }) {
            return Err(ValueError::InvalidCharacter { found });
        }
        if text.chars().count() > REASON_MAX {
            return Err(ValueError::TooLong { max: REASON_MAX });
        }
        Ok(Reason(text))
    }
}

/// Parses a yes/no flag: `true`/`false`, `yes`/`no` or `1`/`0`, in any case.
///
/// # Errors
/// [`ValueError::Empty`], or [`ValueError::InvalidFormat`] (`Flag`) for anything else.
pub fn parse_flag(raw: &str) -> Result<bool, ValueError> {
    match non_empty(raw)?.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(ValueError::InvalidFormat {
            expected: Format::Flag,
        }),
    }
}

value_type! {
    /// A moment as an RFC 3339 timestamp, e.g. `2025-01-05T09:30:00Z` or
    /// `2025-01-05T10:30:00.123+01:00`. The offset is kept as given; `T` and `Z` are
    /// uppercased.
    Timestamp
}

impl Timestamp {
    /// Parses an RFC 3339 timestamp (a space is accepted instead of the `T`). The calendar is
    /// checked (no 30 February); the offset is required.
    ///
    /// # Errors
    /// [`ValueError::Empty`], or [`ValueError::InvalidFormat`] (`Timestamp`).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?;
        parse_rfc3339(text)
            .map(Timestamp)
            .ok_or(ValueError::InvalidFormat {
                expected: Format::Timestamp,
            })
    }

    /// The calendar year and month as written (in the timestamp's own offset).
    pub fn year_month(&self) -> (i32, u32) {
        let year = self.0.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let month = self.0.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
        (year, month)
    }
}

/// The normalised form of an RFC 3339 timestamp, or `None`.
fn parse_rfc3339(text: &str) -> Option<String> {
    if !text.is_ascii() {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let byte = |i: usize| text.as_bytes().get(i).copied();
    let year = number(0..4)?;
    let month = number(5..7)?;
    let day = number(8..10)?;
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let separators = byte(4) == Some(b'-')
        && byte(7) == Some(b'-')
        && matches!(byte(10), Some(b'T' | b't' | b' '))
        && byte(13) == Some(b':')
        && byte(16) == Some(b':');
    // The calendar is chrono's, as everywhere else (2026-02-31 is no date).
    let in_range = i32::try_from(year)
        .ok()
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, month, day))
        .is_some()
        && hour < 24
        && minute < 60
        // 60 is a leap second, which RFC 3339 allows.
        && second <= 60;
    if !separators || !in_range {
        return None;
    }
    let mut rest = text.get(19..)?;
    let mut fraction = "";
    if let Some(after_dot) = rest.strip_prefix('.') {
        let digits = after_dot.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        fraction = text.get(19..20 + digits)?;
        rest = after_dot.get(digits..)?;
    }
    let offset = match rest {
        "Z" | "z" => "Z".to_owned(),
        _ => {
            let sign = rest.get(0..1)?;
            let (hours, minutes) = rest.get(1..)?.split_once(':')?;
            let valid = matches!(sign, "+" | "-")
                && hours.len() == 2
                && minutes.len() == 2
                && hours.parse::<u32>().ok()? < 24
                && minutes.parse::<u32>().ok()? < 60
                && hours
                    .bytes()
                    .chain(minutes.bytes())
                    .all(|b| b.is_ascii_digit());
            if !valid {
                return None;
            }
            rest.to_owned()
        }
    };
    Some(format!(
        "{}T{}{fraction}{offset}",
        text.get(0..10)?,
        text.get(11..19)?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::{bad_char, bad_format};
    use proptest::prelude::*;

    #[test]
    fn flags_accept_the_usual_spellings() {
        let good = [
            ("true", true),
            (" TRUE ", true),
            ("yes", true),
            ("1", true),
            ("false", false),
            ("No", false),
            ("0", false),
        ];
        for (input, expected) in good {
            assert_eq!(parse_flag(input), Ok(expected), "{input:?}");
        }
        let flag = bad_format(Format::Flag);
        let bad = [
            ("", ValueError::Empty, "empty"),
            ("ja", flag.clone(), "Dutch yes is not a stored spelling"),
            ("2", flag.clone(), "not 0 or 1"),
            ("truee", flag, "typo"),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(parse_flag(input), Err(expected), "{reason}");
        }
    }

    #[test]
    fn reasons_keep_line_breaks_but_refuse_controls_and_direction_overrides() {
        assert_eq!(
            Reason::parse("  Name changed.\r\nSee HR ticket 42.\t(urgent) ")
                .map(Reason::into_string),
            Ok("Name changed.\nSee HR ticket 42.\t(urgent)".to_owned())
        );
        assert_eq!(
            Reason::parse("<script>alert(1)</script>").map(Reason::into_string),
            Ok("<script>alert(1)</script>".to_owned()),
            "markup is text: pages escape it"
        );
        let long = "r".repeat(REASON_MAX + 1);
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            (" \n\t ", ValueError::Empty, "only whitespace"),
            (
                &long,
                ValueError::TooLong { max: REASON_MAX },
                "2001 characters",
            ),
            (
                "why\u{202E}txt.exe",
                bad_char('\u{202E}'),
                "right-to-left override",
            ),
            (
                "a\u{2067}b\u{2069}",
                bad_char('\u{2067}'),
                "right-to-left isolate",
            ),
            ("a\u{061C}b", bad_char('\u{061C}'), "Arabic letter mark"),
            ("bell\u{7}", bad_char('\u{7}'), "control character"),
            ("red\u{1b}[31m", bad_char('\u{1b}'), "terminal escape"),
            ("nul\u{0}", bad_char('\u{0}'), "NUL"),
            ("a\rb", bad_char('\r'), "a lone carriage return"),
            ("bad \u{FFFD} bytes", bad_char('\u{FFFD}'), "damaged UTF-8"),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(Reason::parse(input), Err(expected), "{reason}");
        }
        assert_eq!(
            Reason::parse(&"é".repeat(REASON_MAX)).map(|r| r.as_str().chars().count()),
            Ok(REASON_MAX),
            "characters, not bytes"
        );
    }

    #[test]
    fn free_text_is_trimmed_and_bounded() {
        assert_eq!(
            FreeText::parse("  Sales  ").map(FreeText::into_string),
            Ok("Sales".to_owned())
        );
        let long = "x".repeat(257);
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            (&long, ValueError::TooLong { max: 256 }, "257 characters"),
            ("Sales\u{1b}[31m", bad_char('\u{1b}'), "terminal escape"),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(FreeText::parse(input), Err(expected), "{reason}");
        }
    }

    #[test]
    fn timestamps_are_normalised_and_know_their_month() -> Result<(), ValueError> {
        let good = [
            ("2025-01-05T09:30:00Z", "2025-01-05T09:30:00Z"),
            ("2025-01-05t09:30:00z", "2025-01-05T09:30:00Z"),
            ("2025-01-05 09:30:00Z", "2025-01-05T09:30:00Z"),
            (
                "2024-02-29T23:59:60.123456789+01:00",
                "2024-02-29T23:59:60.123456789+01:00",
            ),
            ("2021-10-01T00:00:00-07:00", "2021-10-01T00:00:00-07:00"),
        ];
        for (input, expected) in good {
            assert_eq!(
                Timestamp::parse(input).map(Timestamp::into_string),
                Ok(expected.to_owned()),
                "{input}"
            );
        }
        assert_eq!(
            Timestamp::parse("2021-10-01T00:00:00Z")?.year_month(),
            (2021, 10)
        );
        Ok(())
    }

    #[test]
    fn bad_timestamps_are_refused_with_their_reason() {
        let bad = [
            ("2025-01-05", "date only"),
            ("2025-01-05T09:30:00", "no offset"),
            ("2025-13-05T09:30:00Z", "month 13"),
            ("2023-02-29T09:30:00Z", "29 February in a common year"),
            ("1900-02-29T09:30:00Z", "1900 was not a leap year"),
            ("2025-04-31T09:30:00Z", "31 April"),
            ("2025-01-05T24:00:00Z", "hour 24"),
            ("2025-01-05T09:60:00Z", "minute 60"),
            ("2025-01-05T09:30:00.Z", "dot without fraction"),
            ("2025-01-05T09:30:00+1:00", "one-digit offset hour"),
            ("2025-01-05T09:30:00+01:60", "offset minute 60"),
            ("2025/01/05T09:30:00Z", "slashes"),
            ("2025-01-05T09:30:00Z trailing", "trailing text"),
            ("２０２５-01-05T09:30:00Z", "full-width digits"),
            ("+025-01-05T09:30:00Z", "sign in the year"),
        ];
        for (input, reason) in bad {
            assert_eq!(
                Timestamp::parse(input),
                Err(bad_format(Format::Timestamp)),
                "{reason}: {input:?}"
            );
        }
        assert_eq!(Timestamp::parse(" "), Err(ValueError::Empty));
    }

    proptest! {
        #[test]
        fn generated_timestamps_round_trip(
            year in 1970u32..=2100, month in 1u32..=12, day in 1u32..=28,
            hour in 0u32..24, minute in 0u32..60, second in 0u32..60,
            offset in prop_oneof![Just("Z".to_owned()), "[+-](0[0-9]|1[0-3]):[0-5][0-9]"],
        ) {
            let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{offset}");
            let ts = Timestamp::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?} for {text}")))?;
            prop_assert_eq!(ts.as_str(), text.as_str());
            prop_assert_eq!(ts.year_month(), (i32::try_from(year).unwrap_or(0), month));
            prop_assert_eq!(Timestamp::parse(&format!("{ts}")), Ok(ts));
        }

        #[test]
        fn text_parsers_never_panic_and_accept_their_own_output(raw in "\\PC{0,40}") {
            if let Ok(v) = FreeText::parse(&raw) { prop_assert_eq!(FreeText::parse(v.as_str()), Ok(v)); }
            if let Ok(v) = Reason::parse(&raw) { prop_assert_eq!(Reason::parse(v.as_str()), Ok(v)); }
            if let Ok(v) = Timestamp::parse(&raw) { prop_assert_eq!(Timestamp::parse(v.as_str()), Ok(v)); }
            let _ = parse_flag(&raw);
        }
    }
}
