//! Why an import refused a line: a code with the numbers it needs (never the refused value,
//! which may be personal data), put into words only when shown, in the reader's language.

use crate::domain::error::ValueError;
use crate::i18n::{Key, Locale};
use serde::{Deserialize, Serialize};

/// A refused line of an import: where, which Graph field, and why. Never the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionView {
    pub line: u64,
    pub field: Option<String>,
    pub reason: RejectionReason,
}

/// Why an import refused a line: a code with the numbers it needs, stored as such and put
/// into words only when shown, so the jobs page speaks the reader's language whatever the
/// language of whoever started the import (and `server import` prints English).
///
/// No variant can hold the refused value: a reason ends up in the jobs table, on the page and
/// in the command's output, and the value may be personal data.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// A domain parser refused the value (the same refusal a form would show).
    Value(ValueError),
    /// The line's bytes are not UTF-8.
    NotUtf8,
    /// The JSON ends before the value is complete: a truncated last line, typically.
    JsonCutOff,
    /// A JSON syntax error, located by its column only (never the text around it).
    JsonInvalid { column: u64 },
    /// The JSON reader failed without a syntax error.
    JsonUnreadable,
    /// Valid JSON that is not an object (a list, a number…).
    NotAnObject,
    /// An object that is neither a Graph user nor a managed device.
    UnknownRecord,
    /// An `@odata.type` other than a user or a managed device.
    UnsupportedType,
    /// A property that must be text has another JSON type.
    ExpectedText { found: JsonType },
    /// A property that must be a list (`businessPhones`) is not one.
    ExpectedList { found: JsonType },
    /// An entry of such a list is not text.
    ExpectedTextInList { found: JsonType },
    /// A date and time that parsed but has no stored form (epoch milliseconds).
    DateOutOfRange,
    /// A record with the id of a record on an earlier line of the same file.
    DuplicateId { first_line: u64 },
    /// The id is stored for another tenant; records never move between tenants.
    OtherTenant,
    /// Another user of the tenant already signs in with this name.
    UpnTaken,
    /// A device's primary user is not a user of the tenant (stored, or earlier in the file).
    UnknownPrimaryUser,
}

/// The `@odata.type` of a Graph user, one of the two an import reads (named in
/// [`RejectionReason::UnsupportedType`]).
pub const GRAPH_USER_TYPE: &str = "#microsoft.graph.user";
/// The `@odata.type` of a Graph managed device, the other one.
pub const GRAPH_DEVICE_TYPE: &str = "#microsoft.graph.managedDevice";

impl RejectionReason {
    /// The reason in the reader's language, without the refused value.
    pub fn message(&self, locale: Locale) -> String {
        let text = |key: Key| key.text(locale).to_owned();
        match self {
            RejectionReason::Value(error) => error.message(locale),
            RejectionReason::NotUtf8 => text(Key::ImportNotUtf8),
            RejectionReason::JsonCutOff => text(Key::ImportJsonCutOff),
            RejectionReason::JsonInvalid { column } => {
                Key::ImportJsonInvalid.format(locale, &[("column", &column.to_string())])
            }
            RejectionReason::JsonUnreadable => text(Key::ImportJsonUnreadable),
            RejectionReason::NotAnObject => text(Key::ImportNotAnObject),
            RejectionReason::UnknownRecord => text(Key::ImportUnknownRecord),
            RejectionReason::UnsupportedType => Key::ImportUnsupportedType.format(
                locale,
                &[("user", GRAPH_USER_TYPE), ("device", GRAPH_DEVICE_TYPE)],
            ),
            RejectionReason::ExpectedText { found } => {
                Key::ImportExpectedText.format(locale, &[("found", found.name().text(locale))])
            }
            RejectionReason::ExpectedList { found } => {
                Key::ImportExpectedList.format(locale, &[("found", found.name().text(locale))])
            }
            RejectionReason::ExpectedTextInList { found } => Key::ImportExpectedTextInList
                .format(locale, &[("found", found.name().text(locale))]),
            RejectionReason::DateOutOfRange => text(Key::ImportDateOutOfRange),
            RejectionReason::DuplicateId { first_line } => {
                Key::ImportDuplicateId.format(locale, &[("line", &first_line.to_string())])
            }
            RejectionReason::OtherTenant => text(Key::ImportOtherTenant),
            RejectionReason::UpnTaken => text(Key::ImportUpnTaken),
            RejectionReason::UnknownPrimaryUser => text(Key::ImportUnknownPrimaryUser),
        }
    }
}

/// The type of a JSON value where another was expected, so a reason can say what was found
/// without showing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    Null,
    Boolean,
    Number,
    Text,
    List,
    Object,
}

impl JsonType {
    /// Every type, for completeness tests.
    pub const ALL: [JsonType; 6] = [
        JsonType::Null,
        JsonType::Boolean,
        JsonType::Number,
        JsonType::Text,
        JsonType::List,
        JsonType::Object,
    ];

    /// The type's name, as it reads after "found".
    pub fn name(self) -> Key {
        match self {
            JsonType::Null => Key::ImportJsonNull,
            JsonType::Boolean => Key::ImportJsonBoolean,
            JsonType::Number => Key::ImportJsonNumber,
            JsonType::Text => Key::ImportJsonText,
            JsonType::List => Key::ImportJsonList,
            JsonType::Object => Key::ImportJsonObject,
        }
    }
}
