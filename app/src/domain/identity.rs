//! Identity values of a data subject, mastered in Entra ID: sign-in name, email address,
//! display name, phone number, and the GUIDs that name tenants, users and devices.

use super::error::{Format, LengthUnit, ValueError};
use super::parse::{bounded_text, check_count, non_empty};

/// Longest UPN Entra ID accepts: 64 characters before the `@`, 48 after.
const UPN_MAX: usize = 113;
/// Longest email address (RFC 5321 path limit less the angle brackets).
const EMAIL_MAX: usize = 254;
/// Longest part before the `@` (RFC 5321).
const LOCAL_PART_MAX: usize = 64;
/// Longest display name Entra ID stores.
const DISPLAY_NAME_MAX: usize = 256;

value_type! {
    /// A user principal name (sign-in name) such as `adele.vance@contoso.com`. The domain is
    /// lowercased; the part before the `@` keeps its case, as Entra ID shows it.
    Upn
}

impl Upn {
    /// Parses a UPN: one `@`, at most 64 characters before it (letters, digits and
    /// `' . - _ ! # ^ ~`, as Entra ID allows), a domain with a dot, 113 characters in all.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`], [`ValueError::LocalPartTooLong`],
    /// [`ValueError::InvalidCharacter`] or [`ValueError::InvalidFormat`] (`Upn`).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_address(raw, UPN_MAX, Format::Upn, |c| {
            c.is_ascii_alphanumeric() || "'.-_!#^~".contains(c)
        })
        .map(Upn)
    }

    /// The lowercased domain after the `@`, e.g. `contoso.com`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

value_type! {
    /// An email address such as `adele.vance@contoso.com`, with its domain lowercased.
    Email
}

impl Email {
    /// Parses an address: one `@`, at most 64 characters before it (RFC 5322 "atext" and
    /// dots, no quoted forms), a domain with a dot, 254 characters in all.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`], [`ValueError::LocalPartTooLong`],
    /// [`ValueError::InvalidCharacter`] or [`ValueError::InvalidFormat`] (`Email`).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        parse_address(raw, EMAIL_MAX, Format::Email, |c| {
            c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c)
        })
        .map(Email)
    }

    /// The lowercased domain after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// The shared shape of UPNs and email addresses; `local_char` says which characters may
/// appear before the `@` besides dots.
fn parse_address(
    raw: &str,
    max: usize,
    format: Format,
    local_char: impl Fn(char) -> bool,
) -> Result<String, ValueError> {
    let text = non_empty(raw)?;
    if let Some(found) = text.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(ValueError::InvalidCharacter { found });
    }
    if text.chars().count() > max {
        return Err(ValueError::TooLong { max });
    }
    let invalid = ValueError::InvalidFormat { expected: format };
    let Some((local, domain)) = text.split_once('@') else {
        return Err(invalid);
    };
    if domain.contains('@') || local.is_empty() {
        return Err(invalid);
    }
    if local.chars().count() > LOCAL_PART_MAX {
        return Err(ValueError::LocalPartTooLong {
            max: LOCAL_PART_MAX,
        });
    }
    if let Some(found) = local.chars().find(|&c| c != '.' && !local_char(c)) {
        return Err(ValueError::InvalidCharacter { found });
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(invalid);
    }
    let domain = domain.to_ascii_lowercase();
    if !is_domain_name(&domain) {
        return Err(invalid);
    }
    Ok(format!("{local}@{domain}"))
}

/// A DNS name with at least two labels of letters, digits and inner dashes, the last with a
/// letter in it (so `10.0.0.1` is not a domain).
fn is_domain_name(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let well_formed = labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    well_formed
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().any(|c| c.is_ascii_alphabetic()))
}

value_type! {
    /// A person's display name, e.g. "Adele Vance": 1 to 256 characters, any script, no
    /// control or direction-override characters.
    DisplayName
}

impl DisplayName {
    /// Parses a display name (trimmed).
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] or [`ValueError::InvalidCharacter`].
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        bounded_text(raw, DISPLAY_NAME_MAX).map(DisplayName)
    }
}

value_type! {
    /// A phone number in E.164 form, e.g. `+14255550101`: `+`, then 8 to 15 digits, the first
    /// not 0.
    E164Phone
}

impl E164Phone {
    /// Parses an international number, accepting spaces, dashes, dots and parentheses between
    /// the digits: `+1 (425) 555-0101` becomes `+14255550101`.
    ///
    /// # Errors
    /// [`ValueError::Empty`]; [`ValueError::InvalidFormat`] (`Phone`) without the leading `+`
    /// or with a country code starting with 0; [`ValueError::InvalidCharacter`] for letters
    /// and other symbols; [`ValueError::WrongLength`] for fewer than 8 or more than 15 digits.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?;
        let rest = text.strip_prefix('+').ok_or(ValueError::InvalidFormat {
            expected: Format::Phone,
        })?;
        let digits = super::parse::digits(rest, &[' ', '-', '.', '(', ')'])?;
        check_count(digits.len(), 8, 15, LengthUnit::Digits)?;
        if digits.first() == Some(&0) {
            return Err(ValueError::InvalidFormat {
                expected: Format::Phone,
            });
        }
        Ok(E164Phone(format!(
            "+{}",
            super::parse::digit_string(&digits)
        )))
    }

    /// The last `n` digits (all of them when the number is shorter), for masked display.
    pub fn last_digits(&self, n: usize) -> &str {
        // ASCII by construction, so byte positions are character positions.
        let digits = self.0.trim_start_matches('+');
        digits
            .get(digits.len().saturating_sub(n)..)
            .unwrap_or(digits)
    }
}

value_type! {
    /// A GUID in the 8-4-4-4-12 form, lowercased: tenant ids, Entra object ids, Intune and
    /// Entra device ids.
    Guid
}

impl Guid {
    /// Parses a GUID, with or without surrounding braces, in any case.
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`] for anything but hex digits
    /// and dashes, [`ValueError::InvalidFormat`] (`Guid`) for a wrong grouping.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?;
        let text = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or(text);
        if let Some(found) = text.chars().find(|&c| !c.is_ascii_hexdigit() && c != '-') {
            return Err(ValueError::InvalidCharacter { found });
        }
        if is_guid(text) {
            Ok(Guid(text.to_ascii_lowercase()))
        } else {
            Err(ValueError::InvalidFormat {
                expected: Format::Guid,
            })
        }
    }
}

/// Whether `text` is hex digits grouped 8-4-4-4-12.
pub(crate) fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::{bad_char, bad_format};
    use proptest::prelude::*;

    #[test]
    fn the_contoso_identities_parse_to_their_normal_form() {
        let upns = [
            ("adele.vance@contoso.com", "adele.vance@contoso.com"),
            ("  Adele.Vance@CONTOSO.com ", "Adele.Vance@contoso.com"),
            (
                "o'brien_2~x@sub.contoso.co.uk",
                "o'brien_2~x@sub.contoso.co.uk",
            ),
        ];
        for (input, expected) in upns {
            assert_eq!(
                Upn::parse(input).map(Upn::into_string),
                Ok(expected.to_owned()),
                "{input}"
            );
        }
        let emails = [
            ("it-ops@contoso.com", "it-ops@contoso.com"),
            (
                "adele.vance@AppleID.Contoso.com",
                "adele.vance@appleid.contoso.com",
            ),
            (
                "first+tag@xn--bcher-kva.example",
                "first+tag@xn--bcher-kva.example",
            ),
        ];
        for (input, expected) in emails {
            assert_eq!(
                Email::parse(input).map(Email::into_string),
                Ok(expected.to_owned()),
                "{input}"
            );
        }
        assert_eq!(
            DisplayName::parse("  Adele Vance ").map(DisplayName::into_string),
            Ok("Adele Vance".to_owned())
        );
        assert_eq!(
            Guid::parse("{A1B2C3D4-0001-4000-8000-000000000001}").map(Guid::into_string),
            Ok("a1b2c3d4-0001-4000-8000-000000000001".to_owned())
        );
    }

    #[test]
    fn a_upn_knows_its_domain() -> Result<(), ValueError> {
        assert_eq!(Upn::parse("chen.li@Contoso.COM")?.domain(), "contoso.com");
        assert_eq!(Email::parse("x@a.example")?.domain(), "a.example");
        Ok(())
    }

    #[test]
    fn bad_upns_are_refused_with_their_reason() {
        let local_65 = format!("{}@contoso.com", "a".repeat(65));
        let total_114 = format!("{}@{}.com", "a".repeat(60), "b".repeat(49));
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            ("   ", ValueError::Empty, "only spaces"),
            ("adele vance@contoso.com", bad_char(' '), "space inside"),
            ("adele.vance", bad_format(Format::Upn), "no @"),
            ("a@b@contoso.com", bad_format(Format::Upn), "two @"),
            ("@contoso.com", bad_format(Format::Upn), "nothing before @"),
            ("adele@", bad_format(Format::Upn), "nothing after @"),
            (
                "adele@contoso",
                bad_format(Format::Upn),
                "domain without a dot",
            ),
            (
                "adele@contoso.",
                bad_format(Format::Upn),
                "empty last label",
            ),
            (
                "adele@-contoso.com",
                bad_format(Format::Upn),
                "label starts with a dash",
            ),
            (
                "adele@10.0.0.1",
                bad_format(Format::Upn),
                "IP address, not a domain",
            ),
            (".adele@contoso.com", bad_format(Format::Upn), "leading dot"),
            (
                "adele..vance@contoso.com",
                bad_format(Format::Upn),
                "two dots in a row",
            ),
            (
                "adele+x@contoso.com",
                bad_char('+'),
                "plus is not allowed in a UPN",
            ),
            ("adèle@contoso.com", bad_char('è'), "non-ASCII letter"),
            (
                &local_65,
                ValueError::LocalPartTooLong { max: 64 },
                "65 characters before @",
            ),
            (
                &total_114,
                ValueError::TooLong { max: 113 },
                "114 characters in all",
            ),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(Upn::parse(input), Err(expected), "{reason}: {input:?}");
        }
    }

    #[test]
    fn bad_email_addresses_are_refused_with_their_reason() {
        let long = format!("a@{}.com", "b.".repeat(126));
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            ("adele.vance.contoso.com", bad_format(Format::Email), "no @"),
            ("\"adele\"@contoso.com", bad_char('"'), "quoted local part"),
            (
                "adele@contoso..com",
                bad_format(Format::Email),
                "empty label",
            ),
            (
                "adele@con_toso.com",
                bad_format(Format::Email),
                "underscore in domain",
            ),
            (
                "adele@contoso.c",
                bad_format(Format::Email),
                "one-letter top-level domain",
            ),
            (
                "adele@contoso.com\u{0}",
                bad_char('\u{0}'),
                "NUL at the end",
            ),
            (&long, ValueError::TooLong { max: 254 }, "longer than 254"),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(Email::parse(input), Err(expected), "{reason}: {input:?}");
        }
    }

    #[test]
    fn bad_display_names_are_refused_with_their_reason() {
        let long = "a".repeat(257);
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            (" \t ", ValueError::Empty, "whitespace only"),
            ("Adele\nVance", bad_char('\n'), "line break"),
            (
                "Adele\u{202E}ecnaV",
                bad_char('\u{202E}'),
                "direction override",
            ),
            (&long, ValueError::TooLong { max: 256 }, "257 characters"),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(DisplayName::parse(input), Err(expected), "{reason}");
        }
        assert!(
            DisplayName::parse(&"é".repeat(256)).is_ok(),
            "256 characters of two bytes each"
        );
        assert!(DisplayName::parse("陈丽").is_ok(), "any script");
    }

    #[test]
    fn phone_numbers_are_normalised_to_e164() {
        let good = [
            ("+1 425 555 0101", "+14255550101"),
            ("+1 (425) 555-0101", "+14255550101"),
            ("  +1.425.555.0111 ", "+14255550111"),
            ("+31 20-1234567", "+31201234567"),
            ("+12345678", "+12345678"),
            ("+123456789012345", "+123456789012345"),
        ];
        for (input, expected) in good {
            assert_eq!(
                E164Phone::parse(input).map(E164Phone::into_string),
                Ok(expected.to_owned()),
                "{input}"
            );
        }
    }

    #[test]
    fn bad_phone_numbers_are_refused_with_their_reason() {
        let phone = Format::Phone;
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            ("425 555 0101", bad_format(phone), "no + and country code"),
            ("0031 20 123 4567", bad_format(phone), "00 instead of +"),
            (
                "+0 425 555 0101",
                bad_format(phone),
                "country code starts with 0",
            ),
            ("+1 425 CALL NOW", bad_char('C'), "letters"),
            ("++14255550101", bad_char('+'), "second plus"),
            ("+1 425 555 0101 ext 2", bad_char('e'), "extension"),
            (
                "+1234567",
                ValueError::WrongLength {
                    min: 8,
                    max: 15,
                    found: 7,
                    unit: LengthUnit::Digits,
                },
                "7 digits",
            ),
            (
                "+1234567890123456",
                ValueError::WrongLength {
                    min: 8,
                    max: 15,
                    found: 16,
                    unit: LengthUnit::Digits,
                },
                "16 digits",
            ),
            (
                "+",
                ValueError::WrongLength {
                    min: 8,
                    max: 15,
                    found: 0,
                    unit: LengthUnit::Digits,
                },
                "plus alone",
            ),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(
                E164Phone::parse(input),
                Err(expected),
                "{reason}: {input:?}"
            );
        }
    }

    #[test]
    fn a_phone_number_gives_its_last_digits() -> Result<(), ValueError> {
        let phone = E164Phone::parse("+1 425 555 0122")?;
        assert_eq!(phone.last_digits(4), "0122");
        assert_eq!(phone.last_digits(0), "");
        assert_eq!(phone.last_digits(40), "14255550122");
        Ok(())
    }

    #[test]
    fn bad_guids_are_refused_with_their_reason() {
        let guid = Format::Guid;
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            (
                "a1b2c3d4000140008000000000000001",
                bad_format(guid),
                "no dashes",
            ),
            (
                "a1b2c3d4-0001-4000-8000-00000000001",
                bad_format(guid),
                "last group one short",
            ),
            (
                "a1b2c3d4-0001-4000-8000-0000000000001",
                bad_format(guid),
                "last group one long",
            ),
            (
                "a1b2c3d-40001-4000-8000-000000000001",
                bad_format(guid),
                "dash in the wrong place",
            ),
            (
                "g1b2c3d4-0001-4000-8000-000000000001",
                bad_char('g'),
                "g is not hex",
            ),
            (
                "{a1b2c3d4-0001-4000-8000-000000000001",
                bad_char('{'),
                "unbalanced brace",
            ),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(Guid::parse(input), Err(expected), "{reason}: {input:?}");
        }
    }

    #[test]
    fn identity_values_serialise_as_their_normal_form() -> Result<(), serde_json::Error> {
        let upn: Upn = serde_json::from_str("\" Adele.Vance@CONTOSO.COM \"")?;
        assert_eq!(serde_json::to_string(&upn)?, "\"Adele.Vance@contoso.com\"");
        assert!(serde_json::from_str::<Upn>("\"not a upn\"").is_err());
        assert!(serde_json::from_str::<E164Phone>("\"+0 1\"").is_err());
        Ok(())
    }

    proptest! {
        #[test]
        fn any_e164_digits_with_any_separators_normalise_to_plus_and_digits(
            first in 1u8..=9,
            rest in proptest::collection::vec(0u8..=9, 7..=14),
            separators in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("."), Just(" (")], 15),
        ) {
            let mut digits = vec![first];
            digits.extend(rest);
            let mut input = String::from("+");
            for (d, sep) in digits.iter().zip(separators.iter().cycle()) {
                input.push_str(sep);
                input.push(char::from(b'0' + d));
            }
            let expected = format!("+{}", crate::domain::parse::digit_string(&digits));
            let phone = E164Phone::parse(&input).map_err(|e| TestCaseError::fail(format!("{e:?} for {input}")))?;
            prop_assert_eq!(phone.as_str(), expected.as_str());
        }

        #[test]
        fn a_guid_in_any_case_and_braces_normalises_to_lowercase(hex in "[0-9a-fA-F]{32}", braces in any::<bool>()) {
            let dashed = format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]);
            let input = if braces { format!("{{{dashed}}}") } else { dashed.clone() };
            let guid = Guid::parse(&input).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(guid.as_str(), dashed.to_ascii_lowercase());
        }

        #[test]
        fn identity_parsers_never_panic_and_accept_their_own_output(raw in "\\PC{0,130}") {
            if let Ok(v) = Upn::parse(&raw) { prop_assert_eq!(Upn::parse(v.as_str()), Ok(v.clone())); prop_assert_eq!(Upn::parse(&format!("{v}")), Ok(v)); }
            if let Ok(v) = Email::parse(&raw) { prop_assert_eq!(Email::parse(v.as_str()), Ok(v)); }
            if let Ok(v) = DisplayName::parse(&raw) { prop_assert_eq!(DisplayName::parse(v.as_str()), Ok(v)); }
            if let Ok(v) = E164Phone::parse(&raw) { prop_assert_eq!(E164Phone::parse(v.as_str()), Ok(v)); }
            if let Ok(v) = Guid::parse(&raw) { prop_assert_eq!(Guid::parse(v.as_str()), Ok(v)); }
        }

        #[test]
        fn generated_addresses_round_trip_through_display(
            local in "[a-z0-9]{1,10}(\\.[a-z0-9_-]{1,10}){0,2}",
            domain in "[a-zA-Z0-9]{1,10}\\.[a-zA-Z]{2,6}",
        ) {
            let input = format!("{local}@{domain}");
            let upn = Upn::parse(&input).map_err(|e| TestCaseError::fail(format!("{e:?} for {input}")))?;
            prop_assert_eq!(Upn::parse(&format!("{upn}")), Ok(upn.clone()));
            prop_assert_eq!(upn.domain(), domain.to_ascii_lowercase());
            let email = Email::parse(&input).map_err(|e| TestCaseError::fail(format!("{e:?} for {input}")))?;
            prop_assert_eq!(Email::parse(&format!("{email}")), Ok(email));
        }
    }
}
