//! The directory's state as the query string carries it (raw text, parsed only by the
//! server, so the search form works as a plain GET form), and the links built from it.

use serde::{Deserialize, Serialize};
use std::fmt;

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
