//! The directory's sort order and its keyset cursor: where the previous page ended, encoded
//! for a URL and parsed back strictly, so page 4,000 costs what page 1 costs.

use super::SEARCH_MAX;
use crate::domain::error::ValueError;
use crate::i18n::Key;
use serde::{Deserialize, Serialize};
use std::fmt;

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
