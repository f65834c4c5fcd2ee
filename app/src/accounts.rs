//! Accounts and roles of a tenant, administered by its tenant admins.

use crate::auth::Role;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// An account as the admin page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: i64,
    pub display_name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    /// The roles of `roles` the identity provider granted: they follow the provider (replaced
    /// at every sign-in) and are changed there, not here.
    pub provider_roles: Vec<Role>,
    /// Epoch milliseconds.
    pub last_sign_in_at: Option<i64>,
    /// The signed-in admin's own account.
    pub is_self: bool,
}

/// The accounts of the admin's tenant.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in.
#[server(prefix = "/api", endpoint = "accounts/list")]
pub async fn list_accounts() -> Result<Vec<AccountView>, AppError> {
    let principal = crate::auth::require(&[Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .accounts
        .list(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Grants `role` to an account of the admin's tenant (idempotent).
///
/// # Errors
/// 401/403 unless a tenant admin is signed in; 404 for an account of another tenant.
#[server(prefix = "/api", endpoint = "accounts/grant")]
pub async fn grant_role(account_id: i64, role: Role) -> Result<(), AppError> {
    let principal = crate::auth::require(&[Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .accounts
        .set_role(&principal, account_id, role, true)
        .await
        .map_err(crate::error::respond_with)
}

/// Revokes `role` from an account of the admin's tenant (idempotent). Admins cannot revoke
/// their own admin role, so a tenant cannot lock itself out by a slip.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in (403 also for one's own admin role); 404 for an
/// account of another tenant.
#[server(prefix = "/api", endpoint = "accounts/revoke")]
pub async fn revoke_role(account_id: i64, role: Role) -> Result<(), AppError> {
    let principal = crate::auth::require(&[Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .accounts
        .set_role(&principal, account_id, role, false)
        .await
        .map_err(crate::error::respond_with)
}
