//! The rows of a directory page as they travel to the page, and the recipients offered by
//! its "data shared with" filter. The `Debug` form of a row leaves out its personal data.

use serde::{Deserialize, Serialize};
use std::fmt;

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
