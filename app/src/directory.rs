//! The user directory: tenant admins search, filter, sort and page through their tenant's data
//! subjects to reach one user's personal data.
//!
//! The page keeps its whole state in the query string ([`DirectoryParams`]: shareable, and the
//! search form works as a plain GET form without the browser bundle). The server parses those
//! raw strings into a [`DirectoryQuery`] (search text, filters, sort, [`PageCursor`]) before
//! any service sees them. Pages are keyset-paginated: the cursor carries the last row's sort
//! key and id, never an offset, so page 4,000 costs what page 1 costs.

use crate::domain::device::{Imei, SerialNumber};
use crate::domain::enums::{Ownership, Platform};
use crate::domain::error::ValueError;
use crate::domain::identity::E164Phone;
use crate::error::{AppError, Refusal};
use crate::i18n::Key;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Rows per page.
pub const PAGE_SIZE: u64 = 25;
/// Longest search text accepted (the longest field searched, a display name, has 256).
pub const SEARCH_MAX: usize = 256;

/// One row of the directory.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryRow {
    pub id: String,
    pub display_name: String,
    pub upn: String,
    pub email: Option<String>,
    pub department: Option<String>,
    /// Devices whose primary user this is.
    pub device_count: u64,
    /// Correction requests about this user still waiting for a decision.
    pub open_requests: u64,
}

impl fmt::Debug for DirectoryRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirectoryRow")
            .field("id", &self.id)
            .field("device_count", &self.device_count)
            .field("open_requests", &self.open_requests)
            .finish_non_exhaustive()
    }
}

/// A page of the directory and the cursor of the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryPage {
    pub rows: Vec<DirectoryRow>,
    /// The encoded [`PageCursor`] of the next page; `None` on the last page.
    pub next: Option<String>,
    /// True when so many UPNs or email addresses start with the search text that only the
    /// first of them were considered (every name match is listed): a longer text finds the
    /// rest. See `PREFIX_SCAN_LIMIT` in the server's directory service.
    #[serde(default)]
    pub partial: bool,
}

/// A party the tenant's data can be shared with, for the "data shared with" filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecipientOption {
    pub id: String,
    pub name: String,
}

/// The order of the directory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DirectorySort {
    /// By display name, case-insensitive.
    #[default]
    Name,
    /// By sign-in name (UPN), case-insensitive.
    Upn,
}

impl DirectorySort {
    pub const ALL: [DirectorySort; 2] = [DirectorySort::Name, DirectorySort::Upn];

    /// The name used in the query string and in cursors.
    pub fn as_str(self) -> &'static str {
        match self {
            DirectorySort::Name => "name",
            DirectorySort::Upn => "upn",
        }
    }

    /// Parses a name from the query string.
    ///
    /// # Errors
    /// [`ValueError::UnknownValue`] for anything but `name` and `upn`.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        DirectorySort::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or(ValueError::UnknownValue)
    }

    /// The human label.
    pub fn label(self) -> Key {
        match self {
            DirectorySort::Name => Key::DirectorySortName,
            DirectorySort::Upn => Key::DirectorySortUpn,
        }
    }
}

/// Where the previous page ended: its last row's sort key and id, for the given sort.
///
/// Opaque to the browser (the key is hex-encoded so that any name survives a URL unchanged),
/// and parsed back strictly: a cursor of another sort, or one that was tampered with, is
/// refused rather than guessed at.
#[derive(Clone, PartialEq, Eq)]
pub struct PageCursor {
    sort: DirectorySort,
    key: String,
    id: String,
}

impl fmt::Debug for PageCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key is a person's name or sign-in name.
        write!(f, "PageCursor({}, <personal data>)", self.sort.as_str())
    }
}

/// Longest id a cursor carries (directory ids are GUIDs, 36 characters).
const CURSOR_ID_MAX: usize = 64;

impl PageCursor {
    /// The cursor after the row with this sort key and id.
    pub fn new(sort: DirectorySort, key: String, id: String) -> Self {
        PageCursor { sort, key, id }
    }

    /// The sort this cursor belongs to.
    pub fn sort(&self) -> DirectorySort {
        self.sort
    }

    /// The last row's sort key (lower-cased name or UPN).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The last row's id, which breaks ties between equal keys.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The form sent in the query string: `<sort>.<hex of the key>.<id>`.
    pub fn encode(&self) -> String {
        let mut out = String::with_capacity(self.key.len() * 2 + self.id.len() + 8);
        out.push_str(self.sort.as_str());
        out.push('.');
        for byte in self.key.bytes() {
            out.push_str(&format!("{byte:02x}"));
        }
        out.push('.');
        out.push_str(&self.id);
        out
    }

    /// Parses an encoded cursor.
    ///
    /// # Errors
    /// [`ValueError::InvalidCharacter`] or [`ValueError::UnknownValue`] when it is not a
    /// cursor this portal wrote; [`ValueError::TooLong`] beyond the longest key and id.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let mut parts = raw.trim().splitn(3, '.');
        let (Some(sort), Some(hex), Some(id)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(ValueError::UnknownValue);
        };
        let sort = DirectorySort::parse(sort)?;
        if hex.len() > SEARCH_MAX * 8 {
            return Err(ValueError::TooLong { max: SEARCH_MAX });
        }
        let bytes = hex
            .as_bytes()
            .chunks(2)
            .map(|pair| {
                std::str::from_utf8(pair)
                    .ok()
                    .filter(|p| p.len() == 2)
                    .and_then(|p| u8::from_str_radix(p, 16).ok())
                    .ok_or(ValueError::UnknownValue)
            })
            .collect::<Result<Vec<u8>, _>>()?;
        let key = String::from_utf8(bytes).map_err(|_| ValueError::UnknownValue)?;
        if id.is_empty() {
            return Err(ValueError::Empty);
        }
        if id.len() > CURSOR_ID_MAX {
            return Err(ValueError::TooLong { max: CURSOR_ID_MAX });
        }
        if let Some(found) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(ValueError::InvalidCharacter { found });
        }
        Ok(PageCursor {
            sort,
            key,
            id: id.to_owned(),
        })
    }
}

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

/// The directory's state as the query string carries it: raw text, parsed only by the server.
/// Empty values (a select left at "any") count as absent.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryParams {
    pub q: Option<String>,
    pub platform: Option<String>,
    pub ownership: Option<String>,
    /// `1` for "only users with open correction requests".
    pub open: Option<String>,
    pub recipient: Option<String>,
    pub sort: Option<String>,
    /// An encoded [`PageCursor`].
    pub after: Option<String>,
}

impl fmt::Debug for DirectoryParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirectoryParams")
            .field("q", &self.q.as_ref().map(|_| "<personal data>"))
            .field("platform", &self.platform)
            .field("ownership", &self.ownership)
            .field("open", &self.open)
            .field("recipient", &self.recipient)
            .field("sort", &self.sort)
            .field("after", &self.after.as_ref().map(|_| "<personal data>"))
            .finish()
    }
}

impl DirectoryParams {
    /// Reads the parameters with `get` (e.g. from the router's query map).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Self {
        let value = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        DirectoryParams {
            q: value("q"),
            platform: value("platform"),
            ownership: value("ownership"),
            open: value("open"),
            recipient: value("recipient"),
            sort: value("sort"),
            after: value("after"),
        }
    }

    /// Whether a search or a filter narrows the directory.
    pub fn is_narrowed(&self) -> bool {
        self.q.is_some()
            || self.platform.is_some()
            || self.ownership.is_some()
            || self.open.is_some()
            || self.recipient.is_some()
    }

    /// Whether "only users with open correction requests" is on.
    pub fn open_only(&self) -> bool {
        self.open.as_deref() == Some("1")
    }

    /// The same search and filters from the first page.
    pub fn first_page(&self) -> Self {
        DirectoryParams {
            after: None,
            ..self.clone()
        }
    }

    /// The same search and filters from `cursor` on.
    pub fn page_after(&self, cursor: &str) -> Self {
        DirectoryParams {
            after: Some(cursor.to_owned()),
            ..self.clone()
        }
    }

    /// The `/users` address of this state, empty parameters left out.
    pub fn href(&self) -> String {
        let pairs = [
            ("q", &self.q),
            ("platform", &self.platform),
            ("ownership", &self.ownership),
            ("open", &self.open),
            ("recipient", &self.recipient),
            ("sort", &self.sort),
            ("after", &self.after),
        ];
        let mut out = String::from("/users");
        let mut separator = '?';
        for (name, value) in pairs {
            if let Some(value) = value {
                out.push(separator);
                out.push_str(name);
                out.push('=');
                out.push_str(&percent_encode(value));
                separator = '&';
            }
        }
        out
    }
}

/// The address of one user's personal-data page.
pub fn user_href(id: &str) -> String {
    format!("/users/{}", percent_encode(id))
}

/// Percent-encodes everything but RFC 3986's unreserved characters. Written here rather than
/// taken from the router, whose server and browser versions encode differently (which would
/// make server-rendered links differ from hydrated ones).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
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

/// What the directory asks of the server.
#[cfg(feature = "ssr")]
pub trait DirectoryPort: Send + Sync {
    /// Up to `page_size` users of the principal's tenant matching `query`, after its cursor,
    /// and the cursor of the next page.
    ///
    /// Fails with [`AppError::Internal`] when the database fails.
    fn search<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        query: &'a DirectoryQuery,
        page_size: u64,
    ) -> crate::services::BoxFuture<'a, Result<DirectoryPage, AppError>>;

    /// The parties the tenant's data can be shared with, by name.
    ///
    /// Fails with [`AppError::Internal`] when the database fails.
    fn recipients<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<Vec<RecipientOption>, AppError>>;
}

/// A page of the admin's tenant's directory. Every parameter is optional text, as the page's
/// query string carries it.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in; 422 naming the parameter that could not be read.
#[server(prefix = "/api", endpoint = "directory/search")]
pub async fn search_directory(
    q: Option<String>,
    platform: Option<String>,
    ownership: Option<String>,
    open: Option<String>,
    recipient: Option<String>,
    sort: Option<String>,
    after: Option<String>,
) -> Result<DirectoryPage, AppError> {
    use crate::error::respond_with;
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let params = DirectoryParams {
        q,
        platform,
        ownership,
        open,
        recipient,
        sort,
        after,
    };
    let query = DirectoryQuery::parse(&params).map_err(respond_with)?;
    let services = crate::services::use_services()?;
    services
        .directory
        .search(&principal, &query, PAGE_SIZE)
        .await
        .map_err(respond_with)
}

/// The recipients offered by the "data shared with" filter.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in.
#[server(prefix = "/api", endpoint = "directory/recipients")]
pub async fn directory_recipients() -> Result<Vec<RecipientOption>, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .directory
        .recipients(&principal)
        .await
        .map_err(crate::error::respond_with)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> DirectoryParams {
        DirectoryParams::read(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn a_cursor_survives_the_round_trip_through_a_url() {
        for key in ["adele vance", "", "zoë o'brien & co", "名前", "a.b@c.d"] {
            let cursor = PageCursor::new(DirectorySort::Name, key.into(), "a1b2-c3".into());
            let encoded = cursor.encode();
            assert!(
                encoded
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
                "{encoded} needs escaping"
            );
            assert_eq!(PageCursor::parse(&encoded), Ok(cursor));
        }
    }

    #[test]
    fn malformed_cursors_are_refused() {
        let cases = [
            ("", "nothing at all"),
            ("name", "no key or id"),
            ("name.6164", "no id"),
            ("title.6164.abc", "an unknown sort"),
            ("name.616.abc", "an odd number of hex digits"),
            ("name.zz.abc", "not hex"),
            ("name.ff.abc", "not UTF-8"),
            ("name.61.", "an empty id"),
            ("name.61.a b", "a space in the id"),
            ("name.61.a'--", "SQL-looking id"),
        ];
        for (raw, reason) in cases {
            assert!(
                PageCursor::parse(raw).is_err(),
                "{raw:?} ({reason}) was accepted"
            );
        }
    }

    #[test]
    fn the_debug_form_of_a_cursor_and_a_search_hides_personal_data() {
        let cursor = PageCursor::new(
            DirectorySort::Upn,
            "adele.vance@contoso.com".into(),
            "x".into(),
        );
        assert!(!format!("{cursor:?}").contains("adele"));
        let search = SearchText::parse("Adele").unwrap().unwrap();
        assert!(!format!("{search:?}").contains("dele"));
        let params = params(&[("q", "Adele")]);
        assert!(!format!("{params:?}").contains("dele"));
    }

    #[test]
    fn search_text_is_read_as_a_prefix_and_as_each_identifier_it_parses_as() {
        let imei = SearchText::parse(" 35-693803-564380-9 ").unwrap().unwrap();
        assert_eq!(imei.imei().map(Imei::as_str), Some("356938035643809"));
        let serial = SearchText::parse("f2lxk0abcd12").unwrap().unwrap();
        assert_eq!(
            serial.serial().map(SerialNumber::as_str),
            Some("F2LXK0ABCD12")
        );
        assert_eq!(serial.prefix(), "f2lxk0abcd12");
        let phone = SearchText::parse("+1 (425) 555-0101").unwrap().unwrap();
        assert_eq!(phone.phone().map(E164Phone::as_str), Some("+14255550101"));
        let name = SearchText::parse("Adè").unwrap().unwrap();
        assert_eq!(name.prefix(), "adè");
        assert!(name.imei().is_none() && name.serial().is_none() && name.phone().is_none());
        assert_eq!(SearchText::parse("   "), Ok(None));
        assert!(SearchText::parse(&"a".repeat(SEARCH_MAX + 1)).is_err());
    }

    #[test]
    fn the_query_string_is_parsed_into_a_query_and_refusals_name_the_parameter() {
        let query = DirectoryQuery::parse(&params(&[
            ("q", "ade"),
            ("platform", "iOS"),
            ("ownership", "personal"),
            ("open", "1"),
            ("recipient", "apple"),
            ("sort", "upn"),
        ]))
        .unwrap();
        assert_eq!(query.platform, Some(Platform::Ios));
        assert_eq!(query.ownership, Some(Ownership::Personal));
        assert!(query.open_requests);
        assert_eq!(
            query.recipient.as_ref().map(RecipientId::as_str),
            Some("apple")
        );
        assert_eq!(query.sort, DirectorySort::Upn);
        assert_eq!(
            DirectoryQuery::parse(&params(&[])),
            Ok(DirectoryQuery::default())
        );
        let bad = [
            ("platform", "symbian"),
            ("ownership", "borrowed"),
            ("sort", "age"),
            ("open", "yes"),
            ("recipient", "Apple Inc"),
            ("after", "garbage"),
        ];
        for (name, value) in bad {
            match DirectoryQuery::parse(&params(&[(name, value)])) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, name),
                other => panic!("{name}={value} gave {other:?}"),
            }
        }
        let name_cursor = PageCursor::new(DirectorySort::Name, "x".into(), "y".into()).encode();
        assert!(
            DirectoryQuery::parse(&params(&[("sort", "upn"), ("after", &name_cursor)]),).is_err(),
            "a cursor of another sort is refused"
        );
    }

    #[test]
    fn links_carry_the_whole_state_and_escape_it() {
        let state = params(&[("q", "zoë & co"), ("platform", ""), ("sort", "upn")]);
        assert_eq!(state.href(), "/users?q=zo%C3%AB%20%26%20co&sort=upn");
        assert_eq!(
            state.page_after("name.61.x").href(),
            "/users?q=zo%C3%AB%20%26%20co&sort=upn&after=name.61.x"
        );
        assert_eq!(DirectoryParams::default().href(), "/users");
        assert!(!DirectoryParams::default().is_narrowed());
        assert!(state.is_narrowed());
    }
}
