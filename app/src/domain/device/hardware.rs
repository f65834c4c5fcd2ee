//! Hardware identifiers with a shape of their own: the manufacturer serial number, MAC
//! addresses in their common notations, and the UDID in its three forms.

use crate::domain::error::{Format, ValueError};
use crate::domain::parse::non_empty;

value_type! {
    /// A manufacturer serial number: 4 to 30 characters of A–Z, 0–9 and `-`, uppercased.
    SerialNumber
}

impl SerialNumber {
    /// Parses a serial number (trimmed, uppercased).
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`] (spaces, punctuation, accented
    /// letters), [`ValueError::TooShort`] below 4, [`ValueError::TooLong`] above 30 characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?.to_ascii_uppercase();
        if let Some(found) = text
            .chars()
            .find(|&c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'))
        {
            return Err(ValueError::InvalidCharacter { found });
        }
        // ASCII only from here on, so bytes are characters.
        if text.len() < 4 {
            return Err(ValueError::TooShort { min: 4 });
        }
        if text.len() > 30 {
            return Err(ValueError::TooLong { max: 30 });
        }
        Ok(SerialNumber(text))
    }
}

value_type! {
    /// A MAC address in the form `AA:BB:CC:DD:EE:FF`.
    MacAddress
}

impl MacAddress {
    /// Parses a MAC address written `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff`, `aabb.ccdd.eeff`
    /// or `aabbccddeeff`, in any case. Separators may not be mixed.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`] for anything but hex digits
    /// and `:-.`, [`ValueError::InvalidFormat`] (`MacAddress`) for a wrong grouping.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?;
        if let Some(found) = text
            .chars()
            .find(|&c| !(c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.')))
        {
            return Err(ValueError::InvalidCharacter { found });
        }
        let groups: Vec<&str> = if text.contains(':') {
            text.split(':').collect()
        } else if text.contains('-') {
            text.split('-').collect()
        } else if text.contains('.') {
            text.split('.').collect()
        } else {
            vec![text]
        };
        let group_len = match groups.len() {
            6 => 2,
            3 => 4,
            1 => 12,
            _ => 0,
        };
        let dotted = text.contains('.');
        let well_formed = group_len > 0
            && groups.iter().all(|g| g.len() == group_len && g.chars().all(|c| c.is_ascii_hexdigit()))
            // Cisco's dotted form is the only one with groups of four.
            && (group_len == 4) == dotted;
        if !well_formed {
            return Err(ValueError::InvalidFormat {
                expected: Format::MacAddress,
            });
        }
        let hex: Vec<char> = groups
            .concat()
            .chars()
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let pairs: Vec<String> = hex.chunks(2).map(|pair| pair.iter().collect()).collect();
        Ok(MacAddress(pairs.join(":")))
    }
}

value_type! {
    /// A device UDID, uppercased: 40 hex characters (older Apple devices), 8 and 16 hex
    /// characters joined by a dash (newer Apple devices, e.g. `00008110-001A2B3C4D5E801E`), or
    /// a GUID (Windows).
    Udid
}

impl Udid {
    /// Parses a UDID in one of its three forms, in any case.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`] for anything but hex digits
    /// and dashes, [`ValueError::InvalidFormat`] (`Udid`) for any other shape.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?;
        if let Some(found) = text.chars().find(|&c| !c.is_ascii_hexdigit() && c != '-') {
            return Err(ValueError::InvalidCharacter { found });
        }
        let all_hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
        let legacy = text.len() == 40 && all_hex(text);
        let modern = text
            .split_once('-')
            .is_some_and(|(a, b)| a.len() == 8 && b.len() == 16 && all_hex(a) && all_hex(b));
        if legacy || modern || crate::domain::identity::is_guid(text) {
            Ok(Udid(text.to_ascii_uppercase()))
        } else {
            Err(ValueError::InvalidFormat {
                expected: Format::Udid,
            })
        }
    }
}
