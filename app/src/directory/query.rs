//! The directory request as the service receives it: the search text read every way it can
//! match, the filters and the cursor, parsed from the query string with refusals that name
//! the parameter.

use super::{DirectoryParams, DirectorySort, PageCursor, SEARCH_MAX};
use crate::domain::device::{Imei, SerialNumber};
use crate::domain::enums::{Ownership, Platform};
use crate::domain::error::ValueError;
use crate::domain::identity::E164Phone;
use crate::error::{AppError, Refusal};
use crate::i18n::Key;
use std::fmt;

/// What was typed in the search box, read every way it can match.
///
/// Names, sign-in names and email addresses match by their beginning, without case. A text
/// that parses as an IMEI, a serial number or an international phone number also matches that
/// identifier exactly, in the canonical form the parsers store (`+1 (425) 555-0101` finds
/// `+14255550101`).
#[derive(Clone, PartialEq, Eq)]
pub struct SearchText {
    raw: String,
    prefix: String,
    imei: Option<Imei>,
    serial: Option<SerialNumber>,
    phone: Option<E164Phone>,
}

impl fmt::Debug for SearchText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SearchText(<personal data>)")
    }
}

impl SearchText {
    /// Parses search text; `Ok(None)` for blank text (no search).
    ///
    /// # Errors
    /// [`ValueError::TooLong`] beyond [`SEARCH_MAX`] characters, [`ValueError::InvalidCharacter`]
    /// for control characters.
    pub fn parse(raw: &str) -> Result<Option<Self>, ValueError> {
        let text = raw.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > SEARCH_MAX {
            return Err(ValueError::TooLong { max: SEARCH_MAX });
        }
        if let Some(found) = text.chars().find(|c| c.is_control()) {
            return Err(ValueError::InvalidCharacter { found });
        }
        Ok(Some(SearchText {
            raw: text.to_owned(),
            // The same lower-casing as the stored `search_name`, so both sides compare alike.
            prefix: text.to_lowercase(),
            imei: Imei::parse(text).ok(),
            serial: SerialNumber::parse(text).ok(),
            phone: E164Phone::parse(text).ok(),
        }))
    }

    /// The text as typed (trimmed).
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The lower-cased text names, UPNs and email addresses must begin with.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The text as an IMEI, if it is one.
    pub fn imei(&self) -> Option<&Imei> {
        self.imei.as_ref()
    }

    /// The text as a serial number, if it can be one.
    pub fn serial(&self) -> Option<&SerialNumber> {
        self.serial.as_ref()
    }

    /// The text as an international phone number, if it is one.
    pub fn phone(&self) -> Option<&E164Phone> {
        self.phone.as_ref()
    }
}

/// A recipient id from the query string: lower-case letters, digits and `_`, as in the partner
/// catalogue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecipientId(String);

impl RecipientId {
    /// Parses a recipient id. Unknown ids parse (and match nobody).
    ///
    /// # Errors
    /// [`ValueError::InvalidCharacter`] or [`ValueError::TooLong`] (40).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let text = raw.trim();
        if let Some(found) = text
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
        {
            return Err(ValueError::InvalidCharacter { found });
        }
        if text.len() > 40 {
            return Err(ValueError::TooLong { max: 40 });
        }
        if text.is_empty() {
            return Err(ValueError::Empty);
        }
        Ok(RecipientId(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A directory request, parsed: what the service is asked.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DirectoryQuery {
    pub search: Option<SearchText>,
    pub platform: Option<Platform>,
    pub ownership: Option<Ownership>,
    pub open_requests: bool,
    pub recipient: Option<RecipientId>,
    pub sort: DirectorySort,
    pub after: Option<PageCursor>,
}

impl DirectoryQuery {
    /// Parses the query-string state; refusals name the parameter.
    ///
    /// # Errors
    /// [`AppError::Invalid`] for search text that is too long, an unknown platform, ownership
    /// or sort, a malformed recipient, or a cursor that is malformed or of another sort.
    pub fn parse(params: &DirectoryParams) -> Result<Self, AppError> {
        Self::read(params).map_err(|(field, reason)| AppError::invalid(field, reason))
    }

    /// [`DirectoryQuery::parse`] for a door that words the refusal itself (the REST API, in
    /// its request's language): the parameter and why.
    ///
    /// # Errors
    /// As [`DirectoryQuery::parse`].
    pub fn read(params: &DirectoryParams) -> Result<Self, (&'static str, Refusal)> {
        fn field<T>(
            name: &'static str,
            raw: Option<&String>,
            parse: impl Fn(&str) -> Result<T, ValueError>,
        ) -> Result<Option<T>, (&'static str, Refusal)> {
            raw.map(|value| value.trim())
                .filter(|value| !value.is_empty())
                .map(|value| parse(value).map_err(|e| (name, e.into())))
                .transpose()
        }
        let sort = field("sort", params.sort.as_ref(), DirectorySort::parse)?.unwrap_or_default();
        let after = field("after", params.after.as_ref(), PageCursor::parse)?;
        if after.as_ref().is_some_and(|c| c.sort() != sort) {
            return Err(("after", Key::DirectoryStaleCursor.into()));
        }
        let open_requests = match params.open.as_deref().map(str::trim) {
            None | Some("") | Some("0") => false,
            Some("1") => true,
            Some(_) => return Err(("open", ValueError::UnknownValue.into())),
        };
        Ok(DirectoryQuery {
            search: field("q", params.q.as_ref(), SearchText::parse)?.flatten(),
            platform: field("platform", params.platform.as_ref(), Platform::parse)?,
            ownership: field("ownership", params.ownership.as_ref(), Ownership::parse)?,
            open_requests,
            recipient: field("recipient", params.recipient.as_ref(), RecipientId::parse)?,
            sort,
            after,
        })
    }
}
