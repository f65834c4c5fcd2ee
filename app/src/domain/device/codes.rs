//! Digit codes with a fixed length that devices and SIMs report: IMEI and ICCID (Luhn-checked)
//! and MEID, accepted with spaces or dashes between the characters.

use crate::domain::error::{LengthUnit, ValueError};
use crate::domain::parse::{check_count, digit_string, digits, luhn_valid, non_empty};

/// Separators accepted inside digit codes (IMEI, ICCID, MEID).
const CODE_SEPARATORS: [char; 2] = [' ', '-'];

value_type! {
    /// An IMEI: 15 digits, the last the Luhn check digit of the other 14.
    Imei
}

impl Imei {
    /// Parses an IMEI, accepting spaces and dashes between digits.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`] for anything but digits and
    /// separators, [`ValueError::WrongLength`] unless there are 15 digits,
    /// [`ValueError::BadCheckDigit`] when the Luhn check fails.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        luhn_code(raw, 15, 15).map(Imei)
    }

    /// The type allocation code (first 8 digits): the make and model, not the unit.
    pub fn type_allocation_code(&self) -> &str {
        self.0.get(..8).unwrap_or(&self.0)
    }
}

value_type! {
    /// An ICCID (SIM card number): 19 or 20 digits, Luhn-checked.
    Iccid
}

impl Iccid {
    /// Parses an ICCID, accepting spaces and dashes between digits.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`], [`ValueError::WrongLength`]
    /// unless there are 19 or 20 digits, [`ValueError::BadCheckDigit`].
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        luhn_code(raw, 19, 20).map(Iccid)
    }
}

/// A run of `min..=max` digits with a valid Luhn check digit, separators dropped.
fn luhn_code(raw: &str, min: usize, max: usize) -> Result<String, ValueError> {
    let found = digits(non_empty(raw)?, &CODE_SEPARATORS)?;
    check_count(found.len(), min, max, LengthUnit::Digits)?;
    if !luhn_valid(&found) {
        return Err(ValueError::BadCheckDigit);
    }
    Ok(digit_string(&found))
}

value_type! {
    /// A MEID (CDMA equipment id): 14 hexadecimal characters, uppercased. The 18-digit
    /// decimal form is not accepted: devices report the hex form.
    Meid
}

impl Meid {
    /// Parses a MEID, accepting spaces and dashes between characters.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`] for non-hex characters,
    /// [`ValueError::WrongLength`] unless there are 14.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?;
        let mut hex = String::with_capacity(14);
        for c in text.chars() {
            if c.is_ascii_hexdigit() {
                hex.push(c.to_ascii_uppercase());
            } else if !CODE_SEPARATORS.contains(&c) {
                return Err(ValueError::InvalidCharacter { found: c });
            }
        }
        check_count(hex.len(), 14, 14, LengthUnit::Characters)?;
        Ok(Meid(hex))
    }
}
