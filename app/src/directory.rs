//! The user directory: search, filter, sort and page through a tenant's data subjects.
//! (Skeleton: filled in by the directory work of issue 5.)

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// One row of the directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryRow {
    pub id: String,
    pub display_name: String,
    pub upn: String,
}

/// A page of the directory and the cursor of the next one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryPage {
    pub rows: Vec<DirectoryRow>,
    pub next: Option<String>,
}

/// What the directory asks of the server.
#[cfg(feature = "ssr")]
pub trait DirectoryPort: Send + Sync {
    /// A page of the principal's tenant's directory matching `query`.
    fn search<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        query: &'a str,
    ) -> crate::services::BoxFuture<'a, Result<DirectoryPage, AppError>>;
}
