//! The admin dashboard: what needs attention in the tenant today (open correction requests and
//! their deadlines, follow-ups owed to recipients), the state of the sharing features, and
//! disclosures per recipient over the last 30 days.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An open correction request, by deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueRequest {
    pub id: i64,
    pub subject_user_id: String,
    pub subject_name: String,
    pub field: String,
    pub due_at: i64,
    pub overdue: bool,
    /// The clock is paused while waiting for the requester.
    pub paused: bool,
}

/// A feature and whether it is on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureState {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub consent_outdated: bool,
}

/// Everything the dashboard shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    pub open_requests: u64,
    pub overdue_requests: u64,
    /// Corrections approved or recorded for a field owned elsewhere whose source has not shown
    /// the new value yet, and those of them past their deadline.
    pub waiting_for_source: u64,
    pub overdue_at_source: u64,
    /// The open requests due first (at most five).
    pub next_due: Vec<DueRequest>,
    pub open_follow_ups: u64,
    /// Open follow-ups older than 30 days, and those whose delivery failed.
    pub overdue_follow_ups: u64,
    pub failed_follow_ups: u64,
    pub features: Vec<FeatureState>,
    pub disclosures: crate::sharing::Report,
}

/// What the dashboard asks of the server.
#[cfg(feature = "ssr")]
pub trait DashboardPort: Send + Sync {
    /// The dashboard of the principal's tenant.
    fn dashboard<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<DashboardView, AppError>>;
}

/// The admin dashboard.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in.
#[server(prefix = "/api", endpoint = "dashboard")]
pub async fn get_dashboard() -> Result<DashboardView, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .dashboard
        .dashboard(&principal)
        .await
        .map_err(crate::error::respond_with)
}
