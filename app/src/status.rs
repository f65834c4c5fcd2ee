//! The system-status check on the overview page: a server function that proves the browser,
//! the server and the database are connected end to end.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the status check reports. No personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    /// `SQLite` or `PostgreSQL`.
    pub backend: String,
    /// Number of schema migrations applied.
    pub migrations_applied: u32,
    /// How long the database round trip took.
    pub elapsed_ms: u64,
}

/// Checks that the server can reach its database.
///
/// # Errors
/// [`AppError::Internal`] when the database cannot be reached.
#[server(prefix = "/api", endpoint = "status")]
pub async fn portal_status() -> Result<StatusReport, AppError> {
    let services = crate::services::use_services()?;
    services
        .status
        .status()
        .await
        .map_err(crate::error::respond_with)
}
