//! The device parsers checked against real identifiers and their usual mistakes, and, for
//! generated input, that check digits catch a changed digit and every parser accepts its own
//! output.

use super::*;
use crate::domain::error::{bad_char, bad_format};
use crate::domain::error::{Format, LengthUnit, ValueError};
use crate::domain::parse::digit_string;
use crate::domain::parse::luhn_check_digit;
use proptest::prelude::*;

fn wrong_digits(min: usize, max: usize, found: usize) -> ValueError {
    ValueError::WrongLength {
        min,
        max,
        found,
        unit: LengthUnit::Digits,
    }
}

#[test]
fn the_contoso_imei_is_valid_with_or_without_separators() {
    for input in [
        "356938035643809",
        " 35-693803-564380-9 ",
        "35 693803 564380 9",
    ] {
        assert_eq!(
            Imei::parse(input).map(Imei::into_string),
            Ok("356938035643809".to_owned()),
            "{input:?}"
        );
    }
}

#[test]
fn an_imei_knows_its_type_allocation_code() -> Result<(), ValueError> {
    assert_eq!(
        Imei::parse("356938035643809")?.type_allocation_code(),
        "35693803"
    );
    Ok(())
}

#[test]
fn an_imei_with_a_wrong_check_digit_is_refused() {
    assert_eq!(
        Imei::parse("356938035643808"),
        Err(ValueError::BadCheckDigit)
    );
}

#[test]
fn bad_imeis_are_refused_with_their_reason() {
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        (
            "35693803564380",
            wrong_digits(15, 15, 14),
            "14 digits: one short",
        ),
        (
            "3569380356438090",
            wrong_digits(15, 15, 16),
            "16 digits: one too many",
        ),
        (
            "356938035643806",
            ValueError::BadCheckDigit,
            "last digit changed",
        ),
        (
            "356938053643809",
            ValueError::BadCheckDigit,
            "two digits swapped",
        ),
        ("35693803564380X", bad_char('X'), "letter as check digit"),
        (
            "356938/035643809",
            bad_char('/'),
            "slash is not a separator",
        ),
        (
            "３５６９３８０３５６４３８０９",
            bad_char('３'),
            "full-width digits",
        ),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(Imei::parse(input), Err(expected), "{reason}: {input:?}");
    }
}

#[test]
fn iccids_of_19_and_20_digits_are_valid_when_their_check_digit_is() {
    let good = [
        ("8931041010654378932", "8931041010654378932"),
        ("8931 0410 1065 4378 9305", "89310410106543789305"),
    ];
    for (input, expected) in good {
        assert_eq!(
            Iccid::parse(input).map(Iccid::into_string),
            Ok(expected.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn bad_iccids_are_refused_with_their_reason() {
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        ("893104101065437893", wrong_digits(19, 20, 18), "18 digits"),
        (
            "893104101065437893051",
            wrong_digits(19, 20, 21),
            "21 digits",
        ),
        (
            "8931041010654378933",
            ValueError::BadCheckDigit,
            "19 digits, wrong check digit",
        ),
        (
            "89310410106543789300",
            ValueError::BadCheckDigit,
            "20 digits, wrong check digit",
        ),
        ("8931041010654378932F", bad_char('F'), "hex digit"),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(Iccid::parse(input), Err(expected), "{reason}: {input:?}");
    }
}

#[test]
fn meids_are_fourteen_hex_characters_uppercased() {
    let good = [
        ("35693803564380", "35693803564380"),
        ("a0 0000 1234 abcd", "A000001234ABCD"),
    ];
    for (input, expected) in good {
        assert_eq!(
            Meid::parse(input).map(Meid::into_string),
            Ok(expected.to_owned()),
            "{input}"
        );
    }
    let chars = |found| ValueError::WrongLength {
        min: 14,
        max: 14,
        found,
        unit: LengthUnit::Characters,
    };
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        ("3569380356438", chars(13), "13 characters"),
        (
            "356938035643809",
            chars(15),
            "15 characters: an IMEI, not a MEID",
        ),
        (
            "270113177609606965",
            chars(18),
            "18-digit decimal form is not accepted",
        ),
        ("3569380356438G", bad_char('G'), "G is not hex"),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(Meid::parse(input), Err(expected), "{reason}: {input:?}");
    }
}

#[test]
fn serial_numbers_are_uppercased() {
    let good = [
        ("F2LXK0ABCD12", "F2LXK0ABCD12"),
        ("  c02zk1abmd6t ", "C02ZK1ABMD6T"),
        ("124411614K0593", "124411614K0593"),
        ("ABCD", "ABCD"),
        ("PF-3X9A2B", "PF-3X9A2B"),
    ];
    for (input, expected) in good {
        assert_eq!(
            SerialNumber::parse(input).map(SerialNumber::into_string),
            Ok(expected.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn bad_serial_numbers_are_refused_with_their_reason() {
    let long = "A".repeat(31);
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        ("ABC", ValueError::TooShort { min: 4 }, "three characters"),
        (&long, ValueError::TooLong { max: 30 }, "31 characters"),
        ("F2LX K0AB", bad_char(' '), "space inside"),
        ("F2LX_K0AB", bad_char('_'), "underscore"),
        ("ÉF2LXK0AB", bad_char('É'), "accented letter"),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(
            SerialNumber::parse(input),
            Err(expected),
            "{reason}: {input:?}"
        );
    }
}

#[test]
fn mac_addresses_in_every_common_notation_normalise_to_colons() {
    for input in [
        "02:1A:2B:3C:4D:01",
        "02:1a:2b:3c:4d:01",
        "02-1a-2b-3c-4d-01",
        "021a.2b3c.4d01",
        "021A2B3C4D01",
        "  021a2b3c4d01  ",
    ] {
        assert_eq!(
            MacAddress::parse(input).map(MacAddress::into_string),
            Ok("02:1A:2B:3C:4D:01".to_owned()),
            "{input:?}"
        );
    }
}

#[test]
fn bad_mac_addresses_are_refused_with_their_reason() {
    let mac = bad_format(Format::MacAddress);
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        ("02:1A:2B:3C:4D", mac.clone(), "five groups"),
        ("02:1A:2B:3C:4D:01:02", mac.clone(), "seven groups"),
        ("02:1A:2B:3C:4D:1", mac.clone(), "one-digit group"),
        ("02:1A-2B:3C-4D:01", mac.clone(), "mixed separators"),
        ("021A:2B3C:4D01", mac.clone(), "groups of four need dots"),
        ("02.1A.2B.3C.4D.01", mac.clone(), "dots need groups of four"),
        ("021A2B3C4D0", mac.clone(), "eleven digits"),
        ("02:1A:2B:3C:4D:0G", bad_char('G'), "G is not hex"),
        ("02 1A 2B 3C 4D 01", bad_char(' '), "spaces as separators"),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(
            MacAddress::parse(input),
            Err(expected),
            "{reason}: {input:?}"
        );
    }
}

#[test]
fn udids_of_the_three_kinds_are_uppercased() {
    let good = [
        ("00008110-001A2B3C4D5E801E", "00008110-001A2B3C4D5E801E"),
        ("00008110-001a2b3c4d5e801e", "00008110-001A2B3C4D5E801E"),
        (
            "2b6f0cc904d137be2e1730235f5664094b831186",
            "2B6F0CC904D137BE2E1730235F5664094B831186",
        ),
        (
            "d1000000-0000-4000-8000-0000000000d1",
            "D1000000-0000-4000-8000-0000000000D1",
        ),
    ];
    for (input, expected) in good {
        assert_eq!(
            Udid::parse(input).map(Udid::into_string),
            Ok(expected.to_owned()),
            "{input}"
        );
    }
}

#[test]
fn bad_udids_are_refused_with_their_reason() {
    let udid = bad_format(Format::Udid);
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        (
            "00008110001A2B3C4D5E801E",
            udid.clone(),
            "modern form without its dash",
        ),
        (
            "0008110-001A2B3C4D5E801E",
            udid.clone(),
            "seven characters before the dash",
        ),
        (
            "00008110-001A2B3C4D5E801",
            udid.clone(),
            "fifteen characters after the dash",
        ),
        (
            "2b6f0cc904d137be2e1730235f5664094b83118",
            udid.clone(),
            "39 hex characters",
        ),
        (
            "00008110-001A-2B3C4D5E801E",
            udid.clone(),
            "two dashes, not a GUID",
        ),
        ("00008110-001A2B3C4D5E801Z", bad_char('Z'), "Z is not hex"),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(Udid::parse(input), Err(expected), "{reason}: {input:?}");
    }
}

#[test]
fn device_and_management_names_are_trimmed_bounded_text() {
    assert_eq!(
        DeviceName::parse(" Adele's iPhone ").map(DeviceName::into_string),
        Ok("Adele's iPhone".to_owned())
    );
    assert_eq!(
        ManagementName::parse("AdeleVance_iPhone_1/5/2025").map(ManagementName::into_string),
        Ok("AdeleVance_iPhone_1/5/2025".to_owned())
    );
    let long = "x".repeat(256);
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        ("Chens\tMBP", bad_char('\t'), "tab"),
        (&long, ValueError::TooLong { max: 255 }, "256 characters"),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(DeviceName::parse(input), Err(expected.clone()), "{reason}");
        assert_eq!(ManagementName::parse(input), Err(expected), "{reason}");
    }
}

#[test]
fn locations_are_two_decimal_degrees_within_range() {
    let good = [
        ("47.6423,-122.1391", "47.6423,-122.1391"),
        (" 52.37 , 4.90 ", "52.37,4.9"),
        ("-90,180", "-90,180"),
    ];
    for (input, expected) in good {
        assert_eq!(
            GeoPoint::parse(input).map(GeoPoint::into_string),
            Ok(expected.to_owned()),
            "{input}"
        );
    }
    let location = bad_format(Format::Location);
    let bad: Vec<(&str, ValueError, &str)> = vec![
        ("", ValueError::Empty, "empty"),
        ("47.6423", location.clone(), "latitude only"),
        ("90.5,0", location.clone(), "latitude beyond the pole"),
        ("0,-180.01", location.clone(), "longitude out of range"),
        ("NaN,0", location.clone(), "not a number"),
        ("inf,0", location.clone(), "infinity"),
        ("1e1,0", location.clone(), "exponent notation"),
        ("1,2,3", location.clone(), "three numbers"),
        (",4.9", location.clone(), "missing latitude"),
    ];
    for (input, expected, reason) in bad {
        assert_eq!(GeoPoint::parse(input), Err(expected), "{reason}: {input:?}");
    }
}

#[test]
fn device_values_serialise_as_their_normal_form() -> Result<(), serde_json::Error> {
    let mac: MacAddress = serde_json::from_str("\"021a.2b3c.4d01\"")?;
    assert_eq!(serde_json::to_string(&mac)?, "\"02:1A:2B:3C:4D:01\"");
    let imei: Imei = serde_json::from_str("\"35 693803 564380 9\"")?;
    assert_eq!(serde_json::to_string(&imei)?, "\"356938035643809\"");
    assert!(serde_json::from_str::<Imei>("\"356938035643808\"").is_err());
    Ok(())
}

fn digit_vec(len: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0u8..=9, len)
}

proptest! {
    #[test]
    fn any_fourteen_digits_with_their_luhn_digit_parse_as_an_imei(payload in digit_vec(14)) {
        let mut full = payload.clone();
        full.push(luhn_check_digit(&payload));
        let text = digit_string(&full);
        let imei = Imei::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?} for {text}")))?;
        prop_assert_eq!(imei.as_str(), text.as_str());
    }

    #[test]
    fn changing_any_one_digit_of_a_valid_imei_breaks_its_check(
        payload in digit_vec(14),
        position in 0usize..15,
        delta in 1u8..=9,
    ) {
        let mut full = payload.clone();
        full.push(luhn_check_digit(&payload));
        if let Some(d) = full.get_mut(position) {
            *d = (*d + delta) % 10;
        }
        prop_assert_eq!(Imei::parse(&digit_string(&full)), Err(ValueError::BadCheckDigit));
    }

    #[test]
    fn any_valid_iccid_parses_and_a_changed_digit_is_caught(
        payload in proptest::collection::vec(0u8..=9, 18..=19),
        position in 0usize..19,
        delta in 1u8..=9,
    ) {
        let mut full = payload.clone();
        full.push(luhn_check_digit(&payload));
        prop_assert!(Iccid::parse(&digit_string(&full)).is_ok());
        if let Some(d) = full.get_mut(position) {
            *d = (*d + delta) % 10;
        }
        prop_assert_eq!(Iccid::parse(&digit_string(&full)), Err(ValueError::BadCheckDigit));
    }

    #[test]
    fn mac_normalisation_is_idempotent_across_notations(bytes in proptest::array::uniform6(any::<u8>()), style in 0usize..5) {
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let joined = hex.concat();
        let input = match style {
            0 => hex.join(":"),
            1 => hex.join("-").to_uppercase(),
            2 => format!("{}.{}.{}", &joined[0..4], &joined[4..8], &joined[8..12]),
            3 => joined.clone(),
            _ => format!("  {}  ", hex.join(":").to_uppercase()),
        };
        let expected = hex.join(":").to_uppercase();
        let mac = MacAddress::parse(&input).map_err(|e| TestCaseError::fail(format!("{e:?} for {input}")))?;
        prop_assert_eq!(mac.as_str(), expected.as_str());
        prop_assert_eq!(MacAddress::parse(mac.as_str()), Ok(mac.clone()));
    }

    #[test]
    fn generated_hardware_ids_round_trip_through_display(
        serial in "[a-zA-Z0-9-]{4,30}",
        meid in "[0-9a-fA-F]{14}",
        modern_udid in "[0-9a-fA-F]{8}-[0-9a-fA-F]{16}",
        legacy_udid in "[0-9a-fA-F]{40}",
    ) {
        let serial = SerialNumber::parse(&serial).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(SerialNumber::parse(&format!("{serial}")), Ok(serial));
        let meid = Meid::parse(&meid).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(Meid::parse(&format!("{meid}")), Ok(meid));
        for raw in [modern_udid, legacy_udid] {
            let udid = Udid::parse(&raw).map_err(|e| TestCaseError::fail(format!("{e:?} for {raw}")))?;
            prop_assert_eq!(udid.as_str(), raw.to_ascii_uppercase());
            prop_assert_eq!(Udid::parse(&format!("{udid}")), Ok(udid));
        }
    }

    #[test]
    fn device_parsers_never_panic_and_accept_their_own_output(raw in "\\PC{0,60}") {
        if let Ok(v) = Imei::parse(&raw) { prop_assert_eq!(Imei::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = Iccid::parse(&raw) { prop_assert_eq!(Iccid::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = Meid::parse(&raw) { prop_assert_eq!(Meid::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = SerialNumber::parse(&raw) { prop_assert_eq!(SerialNumber::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = MacAddress::parse(&raw) { prop_assert_eq!(MacAddress::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = Udid::parse(&raw) { prop_assert_eq!(Udid::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = DeviceName::parse(&raw) { prop_assert_eq!(DeviceName::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = ManagementName::parse(&raw) { prop_assert_eq!(ManagementName::parse(v.as_str()), Ok(v)); }
        if let Ok(v) = GeoPoint::parse(&raw) { prop_assert_eq!(GeoPoint::parse(v.as_str()), Ok(v)); }
    }

    #[test]
    fn any_in_range_location_round_trips(lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
        let point = GeoPoint::parse(&format!("{lat}, {lon}")).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(GeoPoint::parse(point.as_str()), Ok(point));
    }
}
