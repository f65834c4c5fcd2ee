//! Secrets held for a device: the Activation Lock bypass code (Apple) and BitLocker recovery
//! keys (Windows).
//!
//! They are parsed like any other value so a mistyped key is caught, but they never print in
//! `Debug` output, and [`crate::domain::visibility`] masks them until an audited reveal.
//! `Display` and `as_str` still give the value: revealing it is their purpose.

use super::error::{LengthUnit, ValueError};
use super::parse::{check_count, digit_string, digits, non_empty};

/// Apple's bypass-code alphabet: digits and capitals without B, I, O and S, which read like
/// 8, 1, 0 and 5.
const BYPASS_ALPHABET: &str = "0123456789ACDEFGHJKLMNPQRTUVWXYZ";
/// Characters in a bypass code, and the sizes of its dash-separated groups.
const BYPASS_GROUPS: [usize; 6] = [5, 5, 4, 4, 4, 4];
const BYPASS_LEN: usize = 26;

value_type! {
    redacted
    /// An Activation Lock bypass code such as `0M2F4-1QTKE-2U63-K8MR-4H5D-1CRD`: 26 characters
    /// of Apple's alphabet (no B, I, O, S), shown in groups of 5-5-4-4-4-4.
    ActivationLockBypassCode
}

impl ActivationLockBypassCode {
    /// Parses a bypass code in any case, with or without its dashes (spaces also accepted).
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`] for a character outside the
    /// alphabet, [`ValueError::WrongLength`] unless there are 26 characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = non_empty(raw)?;
        let mut chars = String::with_capacity(BYPASS_LEN);
        for c in text.chars() {
            let upper = c.to_ascii_uppercase();
            if BYPASS_ALPHABET.contains(upper) {
                chars.push(upper);
            } else if !matches!(c, '-' | ' ') {
                return Err(ValueError::InvalidCharacter { found: c });
            }
        }
        check_count(chars.len(), BYPASS_LEN, BYPASS_LEN, LengthUnit::Characters)?;
        let mut groups = Vec::with_capacity(BYPASS_GROUPS.len());
        let mut rest = chars.as_str();
        for size in BYPASS_GROUPS {
            // ASCII only, so the split falls on a character boundary.
            let (group, tail) = rest.split_at(size.min(rest.len()));
            groups.push(group);
            rest = tail;
        }
        Ok(ActivationLockBypassCode(groups.join("-")))
    }
}

value_type! {
    redacted
    /// A BitLocker recovery password: 48 digits in eight blocks of six, each block a multiple
    /// of 11 below 720896 (the way BitLocker catches typing errors block by block).
    BitLockerRecoveryKey
}

impl BitLockerRecoveryKey {
    /// Parses a recovery key with or without its dashes (spaces also accepted).
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::InvalidCharacter`], [`ValueError::WrongLength`]
    /// unless there are 48 digits, [`ValueError::BadCheckDigit`] when a block fails its check.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let found = digits(non_empty(raw)?, &['-', ' '])?;
        check_count(found.len(), 48, 48, LengthUnit::Digits)?;
        let blocks: Vec<String> = found.chunks(6).map(digit_string).collect();
        for block in &blocks {
            let value: u32 = block.parse().map_err(|_| ValueError::BadCheckDigit)?;
            if !value.is_multiple_of(11) || value / 11 > u32::from(u16::MAX) {
                return Err(ValueError::BadCheckDigit);
            }
        }
        Ok(BitLockerRecoveryKey(blocks.join("-")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::bad_char;
    use proptest::prelude::*;

    const KEY: &str = "135795-000011-720885-123453-654324-111111-000000-660000";

    #[test]
    fn a_bypass_code_is_grouped_and_uppercased() {
        for input in [
            "0M2F4-1QTKE-2U63-K8MR-4H5D-1CRD",
            "0m2f41qtke2u63k8mr4h5d1crd",
            " 0M2F4 1QTKE 2U63 K8MR 4H5D 1CRD ",
        ] {
            assert_eq!(
                ActivationLockBypassCode::parse(input).map(ActivationLockBypassCode::into_string),
                Ok("0M2F4-1QTKE-2U63-K8MR-4H5D-1CRD".to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn bad_bypass_codes_are_refused_with_their_reason() {
        let chars = |found| ValueError::WrongLength {
            min: 26,
            max: 26,
            found,
            unit: LengthUnit::Characters,
        };
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            (
                "0M2F4-1QTKE-2U63-K8MR-4H5D-1CR",
                chars(25),
                "one character short",
            ),
            (
                "0M2F4-1QTKE-2U63-K8MR-4H5D-1CRDX",
                chars(27),
                "one character too many",
            ),
            (
                "0M2F4-1QTKE-2U63-K8MR-4H5D-1CRB",
                bad_char('B'),
                "B is not in Apple's alphabet",
            ),
            (
                "0M2F4-1QTKE-2U63-K8MS-4H5D-1CRD",
                bad_char('S'),
                "S is not in Apple's alphabet",
            ),
            (
                "0M2F4_1QTKE_2U63_K8MR_4H5D_1CRD",
                bad_char('_'),
                "underscores are not separators",
            ),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(
                ActivationLockBypassCode::parse(input),
                Err(expected),
                "{reason}: {input:?}"
            );
        }
    }

    #[test]
    fn a_recovery_key_is_grouped_in_blocks_of_six() {
        let bare = KEY.replace('-', "");
        assert_eq!(
            BitLockerRecoveryKey::parse(&bare).map(BitLockerRecoveryKey::into_string),
            Ok(KEY.to_owned())
        );
        assert_eq!(
            BitLockerRecoveryKey::parse(&format!(" {KEY} ")).map(BitLockerRecoveryKey::into_string),
            Ok(KEY.to_owned())
        );
    }

    #[test]
    fn bad_recovery_keys_are_refused_with_their_reason() {
        let digits = |found| ValueError::WrongLength {
            min: 48,
            max: 48,
            found,
            unit: LengthUnit::Digits,
        };
        let short = &KEY[..KEY.len() - 1];
        let one_off = KEY.replacen("135795", "135796", 1);
        let too_big = KEY.replacen("720885", "720896", 1);
        let bad: Vec<(&str, ValueError, &str)> = vec![
            ("", ValueError::Empty, "empty"),
            (short, digits(47), "47 digits"),
            (
                &one_off,
                ValueError::BadCheckDigit,
                "first block not a multiple of 11",
            ),
            (
                &too_big,
                ValueError::BadCheckDigit,
                "block 720896 = 11 × 65536 is past the limit",
            ),
            (
                "135795-000011-720885-123453-654324-111111-000000-66000A",
                bad_char('A'),
                "letter",
            ),
        ];
        for (input, expected, reason) in bad {
            assert_eq!(
                BitLockerRecoveryKey::parse(input),
                Err(expected),
                "{reason}: {input:?}"
            );
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() -> Result<(), ValueError> {
        let key = BitLockerRecoveryKey::parse(KEY)?;
        let code = ActivationLockBypassCode::parse("0M2F4-1QTKE-2U63-K8MR-4H5D-1CRD")?;
        assert_eq!(format!("{key:?}"), "BitLockerRecoveryKey(<redacted>)");
        assert_eq!(format!("{code:?}"), "ActivationLockBypassCode(<redacted>)");
        assert!(!format!("{:?}", Some(&key)).contains("135795"));
        Ok(())
    }

    proptest! {
        #[test]
        fn any_eight_multiples_of_eleven_form_a_recovery_key(blocks in proptest::array::uniform8(0u32..=65535)) {
            let text: Vec<String> = blocks.iter().map(|b| format!("{:06}", b * 11)).collect();
            let text = text.join("-");
            let key = BitLockerRecoveryKey::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?} for {text}")))?;
            prop_assert_eq!(key.as_str(), text.as_str());
            prop_assert_eq!(BitLockerRecoveryKey::parse(&format!("{key}")), Ok(key));
        }

        #[test]
        fn any_code_of_the_alphabet_round_trips(code in "[0-9ACDEFGHJKLMNPQRTUVWXYZ]{26}") {
            let parsed = ActivationLockBypassCode::parse(&code.to_lowercase()).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert_eq!(parsed.as_str().replace('-', ""), code);
            prop_assert_eq!(ActivationLockBypassCode::parse(&format!("{parsed}")), Ok(parsed));
        }

        #[test]
        fn secret_parsers_never_panic(raw in "\\PC{0,70}") {
            if let Ok(v) = ActivationLockBypassCode::parse(&raw) { prop_assert_eq!(ActivationLockBypassCode::parse(v.as_str()), Ok(v)); }
            if let Ok(v) = BitLockerRecoveryKey::parse(&raw) { prop_assert_eq!(BitLockerRecoveryKey::parse(v.as_str()), Ok(v)); }
        }
    }
}
