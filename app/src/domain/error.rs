//! The one error type of every domain value parser.
//!
//! A refusal says *why* in terms a person can act on ("enter exactly 15 digits"), never repeats
//! the refused value (it may be personal data, and it ends up in logs and API answers), and is
//! serialisable so the server can send the same refusal the browser would have shown.

use crate::i18n::{Key, Locale};
use serde::{Deserialize, Serialize};

/// Why a proposed value was refused.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum ValueError {
    /// Nothing but whitespace was given.
    #[error("empty value")]
    Empty,
    /// Fewer characters than the type needs.
    #[error("too short: at least {min} characters")]
    TooShort { min: usize },
    /// More characters than the type allows.
    #[error("too long: at most {max} characters")]
    TooLong { max: usize },
    /// The part of an address before the `@` is longer than allowed.
    #[error("local part too long: at most {max} characters")]
    LocalPartTooLong { max: usize },
    /// A character the type never allows (a letter in an IMEI, a control character in a name).
    /// Only the character is kept, never the rest of the value.
    #[error("invalid character")]
    InvalidCharacter { found: char },
    /// The characters are allowed but their arrangement is not; `expected` names the format so
    /// the message can show an example.
    #[error("invalid format, expected {expected:?}")]
    InvalidFormat { expected: Format },
    /// A fixed-length code with the wrong number of digits or characters.
    #[error("wrong length: {found} {unit:?}, expected {min} to {max}")]
    WrongLength {
        min: usize,
        max: usize,
        found: usize,
        unit: LengthUnit,
    },
    /// The number's check digit (Luhn, or BitLocker's per-block check) does not match: most
    /// likely a typing error.
    #[error("check digit does not match")]
    BadCheckDigit,
    /// Not one of the values of a closed list.
    #[error("unknown value")]
    UnknownValue,
}

/// A value format, named in [`ValueError::InvalidFormat`] so the message can show an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Upn,
    Email,
    Phone,
    Guid,
    MacAddress,
    Udid,
    Timestamp,
    Flag,
    Location,
}

impl Format {
    /// The hint shown when a value does not have this format.
    pub fn hint(self) -> Key {
        match self {
            Format::Upn => Key::FormatUpn,
            Format::Email => Key::FormatEmail,
            Format::Phone => Key::FormatPhone,
            Format::Guid => Key::FormatGuid,
            Format::MacAddress => Key::FormatMacAddress,
            Format::Udid => Key::FormatUdid,
            Format::Timestamp => Key::FormatTimestamp,
            Format::Flag => Key::FormatFlag,
            Format::Location => Key::FormatLocation,
        }
    }
}

/// What the length in [`ValueError::WrongLength`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LengthUnit {
    /// Decimal digits; separators such as spaces and dashes are not counted.
    Digits,
    /// Letters and digits; separators are not counted.
    Characters,
}

impl ValueError {
    /// The refusal in the reader's language, without the refused value.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            ValueError::Empty => Key::ValueEmpty.text(locale).to_owned(),
            ValueError::TooShort { min } => {
                Key::ValueTooShort.format(locale, &[("min", &min.to_string())])
            }
            ValueError::TooLong { max } => {
                Key::ValueTooLong.format(locale, &[("max", &max.to_string())])
            }
            ValueError::LocalPartTooLong { max } => {
                Key::ValueLocalPartTooLong.format(locale, &[("max", &max.to_string())])
            }
            ValueError::InvalidCharacter { found } => Key::ValueInvalidCharacter
                .format(locale, &[("character", &visible_character(*found))]),
            ValueError::InvalidFormat { expected } => expected.hint().text(locale).to_owned(),
            ValueError::WrongLength {
                min,
                max,
                found,
                unit,
            } => {
                let found = found.to_string();
                if min == max {
                    let key = match unit {
                        LengthUnit::Digits => Key::ValueExactDigits,
                        LengthUnit::Characters => Key::ValueExactCharacters,
                    };
                    key.format(locale, &[("count", &min.to_string()), ("found", &found)])
                } else {
                    let key = match unit {
                        LengthUnit::Digits => Key::ValueDigitRange,
                        LengthUnit::Characters => Key::ValueCharacterRange,
                    };
                    key.format(
                        locale,
                        &[
                            ("min", &min.to_string()),
                            ("max", &max.to_string()),
                            ("found", &found),
                        ],
                    )
                }
            }
            ValueError::BadCheckDigit => Key::ValueBadCheckDigit.text(locale).to_owned(),
            ValueError::UnknownValue => Key::ValueUnknown.text(locale).to_owned(),
        }
    }
}

/// Shows invisible characters (controls, spaces, direction overrides) as their code point, so
/// the message names something the reader can find.
fn visible_character(c: char) -> String {
    if c.is_control() || c.is_whitespace() || super::parse::is_format_control(c) {
        format!("U+{:04X}", u32::from(c))
    } else {
        c.to_string()
    }
}

/// Shorthand for test tables.
#[cfg(test)]
pub(crate) fn bad_char(found: char) -> ValueError {
    ValueError::InvalidCharacter { found }
}

/// Shorthand for test tables.
#[cfg(test)]
pub(crate) fn bad_format(expected: Format) -> ValueError {
    ValueError::InvalidFormat { expected }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_message_in_every_language_without_placeholders_left() {
        let errors = [
            ValueError::Empty,
            ValueError::TooShort { min: 4 },
            ValueError::TooLong { max: 30 },
            ValueError::LocalPartTooLong { max: 64 },
            bad_char('x'),
            bad_format(Format::Upn),
            ValueError::WrongLength {
                min: 15,
                max: 15,
                found: 14,
                unit: LengthUnit::Digits,
            },
            ValueError::WrongLength {
                min: 19,
                max: 20,
                found: 3,
                unit: LengthUnit::Characters,
            },
            ValueError::BadCheckDigit,
            ValueError::UnknownValue,
        ];
        for error in errors {
            for locale in Locale::ALL {
                let message = error.message(locale);
                assert!(!message.trim().is_empty(), "{error:?} in {locale:?}");
                assert!(!message.contains('{'), "{error:?} in {locale:?}: {message}");
            }
        }
    }

    #[test]
    fn a_wrong_length_message_names_the_expected_and_the_found_count() {
        let error = ValueError::WrongLength {
            min: 15,
            max: 15,
            found: 14,
            unit: LengthUnit::Digits,
        };
        assert_eq!(
            error.message(Locale::En),
            "Enter exactly 15 digits; this has 14."
        );
        assert_eq!(
            error.message(Locale::Nl),
            "Vul precies 15 cijfers in; dit zijn er 14."
        );
    }

    #[test]
    fn an_invisible_refused_character_is_named_by_its_code_point() {
        let error = bad_char('\u{7}');
        assert!(error.message(Locale::En).contains("U+0007"));
        let error = bad_char('\u{202E}');
        assert!(error.message(Locale::Nl).contains("U+202E"));
        let error = bad_char('#');
        assert!(error.message(Locale::En).contains('#'));
    }

    #[test]
    fn every_format_has_a_hint() {
        let formats = [
            Format::Upn,
            Format::Email,
            Format::Phone,
            Format::Guid,
            Format::MacAddress,
            Format::Udid,
            Format::Timestamp,
            Format::Flag,
            Format::Location,
        ];
        for format in formats {
            let error = bad_format(format);
            assert_eq!(error.message(Locale::En), format.hint().text(Locale::En));
        }
    }

    #[test]
    fn a_refusal_survives_a_round_trip_through_json() -> Result<(), serde_json::Error> {
        let error = ValueError::WrongLength {
            min: 19,
            max: 20,
            found: 18,
            unit: LengthUnit::Digits,
        };
        let json = serde_json::to_string(&error)?;
        assert_eq!(serde_json::from_str::<ValueError>(&json)?, error);
        Ok(())
    }
}
