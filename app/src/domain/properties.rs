//! Property tests across every field of the catalogue: whatever a form, an import
//! or an API body sends, a field's parser never panics, refuses with a message in both
//! languages, and accepts only values that are stable (parsing the stored form gives it back)
//! and free of the characters that could disguise text on a page or in an export.

use super::catalogue::FieldId;
use super::parse::is_format_control;
use crate::i18n::Locale;
use proptest::prelude::*;

/// Strings biased towards what attackers and broken clients send: markup, SQL, formulas,
/// controls, direction overrides, replacement characters, long runs and ordinary text.
fn hostile_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("<script>alert(1)</script>".to_owned()),
        Just("' OR 1=1 --".to_owned()),
        Just("=HYPERLINK(\"x\")".to_owned()),
        Just("\u{202E}".to_owned()),
        Just("\u{2066}".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("\r\n".to_owned()),
        Just("\u{FFFD}".to_owned()),
        Just("x".repeat(300)),
        "[0-9]{1,20}",
        "[a-zA-Z0-9 .@+:-]{1,30}",
        "\\PC{1,10}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(pieces, 0..6).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn no_field_parser_panics_and_accepted_values_are_stable_and_clean(
        field in proptest::sample::select(FieldId::ALL),
        raw in hostile_text(),
    ) {
        match field.parse_value(&raw) {
            Ok(value) => {
                prop_assert_eq!(field.parse_value(&value), Ok(value.clone()), "{} is stable", field.as_str());
                prop_assert!(
                    !value.chars().any(|c| c.is_control() || is_format_control(c) || c == '\u{FFFD}'),
                    "{} stored a control, direction or replacement character", field.as_str()
                );
            }
            Err(error) => {
                for locale in [Locale::En, Locale::Nl] {
                    prop_assert!(!error.message(locale).trim().is_empty(), "{} has a message", field.as_str());
                }
            }
        }
    }

    #[test]
    fn reasons_never_panic_and_keep_no_disguising_characters(raw in hostile_text()) {
        if let Ok(reason) = super::text::Reason::parse(&raw) {
            prop_assert!(!reason.as_str().chars().any(|c| (c.is_control() && c != '\n' && c != '\t') || is_format_control(c)));
            prop_assert!(reason.as_str().chars().count() <= super::text::REASON_MAX);
        }
    }
}
