//! Small parsing helpers shared by the value types, so that trimming, length counting and
//! check digits work the same in every type.

use super::error::{LengthUnit, ValueError};

/// The trimmed input, or [`ValueError::Empty`] when nothing is left.
pub(crate) fn non_empty(raw: &str) -> Result<&str, ValueError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        Err(ValueError::Empty)
    } else {
        Ok(trimmed)
    }
}

/// Invisible characters that change how text around them is shown (bidirectional overrides,
/// isolates and marks, including the Arabic letter mark). They are refused in names because they can make a name display as something
/// else (the "Trojan Source" trick).
pub(crate) fn is_format_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The replacement character: what a lossy decoder puts where the input was not valid UTF-8
/// (a percent-encoded `%FF` in a form, say). Text holding it was damaged on the way, so it is
/// refused rather than stored with the damage.
pub(crate) const REPLACEMENT: char = '\u{FFFD}';

/// Trimmed free text of 1 to `max` characters without control or direction-override characters.
pub(crate) fn bounded_text(raw: &str, max: usize) -> Result<String, ValueError> {
    let text = non_empty(raw)?;
    if let Some(found) = text
        .chars()
        .find(|&c| c.is_control() || is_format_control(c) || c == REPLACEMENT)
    {
        return Err(ValueError::InvalidCharacter { found });
    }
    if text.chars().count() > max {
        return Err(ValueError::TooLong { max });
    }
    Ok(text.to_owned())
}

/// The decimal digits of `text` (as values 0–9), skipping the given separators.
///
/// Fails with [`ValueError::InvalidCharacter`] on anything else.
pub(crate) fn digits(text: &str, separators: &[char]) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        if let Some(d) = c.to_digit(10).and_then(|d| u8::try_from(d).ok()) {
            out.push(d);
        } else if !separators.contains(&c) {
            return Err(ValueError::InvalidCharacter { found: c });
        }
    }
    Ok(out)
}

/// Digit values back to their text.
pub(crate) fn digit_string(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

/// Checks a digit count against an inclusive range.
pub(crate) fn check_count(
    found: usize,
    min: usize,
    max: usize,
    unit: LengthUnit,
) -> Result<(), ValueError> {
    if (min..=max).contains(&found) {
        Ok(())
    } else {
        Err(ValueError::WrongLength {
            min,
            max,
            found,
            unit,
        })
    }
}

/// The Luhn (mod 10) sum; `check_included` says whether the last digit is the check digit.
fn luhn_sum(digits: &[u8], check_included: bool) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            // From the right, every second digit is doubled, starting with the one left of the
            // check digit (or with the last digit when the check digit is not there yet).
            if (i % 2 == 1) == check_included {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum()
}

/// Whether the last digit is the Luhn check digit of the others.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    !digits.is_empty() && luhn_sum(digits, true).is_multiple_of(10)
}

/// The Luhn check digit to append to `payload`.
#[cfg(test)]
pub(crate) fn luhn_check_digit(payload: &[u8]) -> u8 {
    let rest = luhn_sum(payload, false) % 10;
    u8::try_from((10 - rest) % 10).unwrap_or(0)
}

/// Normalises an enum name for comparison: lowercase, without spaces, dashes and underscores.
pub(crate) fn enum_key(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::bad_char;

    #[test]
    fn the_luhn_check_digit_of_the_contoso_imei_is_nine() {
        let payload = [3, 5, 6, 9, 3, 8, 0, 3, 5, 6, 4, 3, 8, 0];
        assert_eq!(luhn_check_digit(&payload), 9);
        let mut full = payload.to_vec();
        full.push(9);
        assert!(luhn_valid(&full));
    }

    #[test]
    fn no_digits_is_not_luhn_valid() {
        assert!(!luhn_valid(&[]));
    }

    #[test]
    fn bounded_text_refuses_controls_and_direction_overrides() {
        let bad = [
            ("", ValueError::Empty, "empty"),
            ("   ", ValueError::Empty, "only spaces"),
            ("a\u{0}b", bad_char('\u{0}'), "NUL byte"),
            (
                "abc\u{202E}gpj.exe",
                bad_char('\u{202E}'),
                "right-to-left override",
            ),
            ("abcd", ValueError::TooLong { max: 3 }, "four characters"),
            ("a\u{FFFD}", bad_char('\u{FFFD}'), "damaged UTF-8"),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(bounded_text(input, 3), Err(expected), "{reason}");
        }
        assert_eq!(bounded_text("  é ü ", 3), Ok("é ü".to_owned()));
    }
}
