//! The access log: who read a data subject's personal data, through which view, and when.
//!
//! Every read of a person's data by staff or a script (the person page, a request's review page, the
//! REST API, an export) leaves one entry. Tenant admins and auditors read a person's entries with
//! the reader's name; the person reads their own on `/me` with the kind of reader instead of a
//! name (staff act for the organisation, and their names are not the subject's to have, GDPR
//! Art. 15(4)). Pages go back in time by keyset: the id of the last entry shown, never an offset.

use crate::domain::states::{AccessView, ReaderKind};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Entries per page.
pub const PAGE_SIZE: u64 = 50;

/// One read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    pub id: i64,
    pub at: i64,
    /// The reader's name as it was at the time (an account's or an API token's); `None` in the
    /// subject's own view.
    pub reader: Option<String>,
    /// A person, a script (API token) or the portal itself.
    pub reader_kind: ReaderKind,
    pub view: AccessView,
}

/// A page of entries, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPage {
    pub entries: Vec<AccessEntry>,
    /// Pass back as `before` for the next (older) page; `None` on the last page.
    pub next: Option<i64>,
}

/// What the access log asks of the server.
#[cfg(feature = "ssr")]
pub trait AccessLogPort: Send + Sync {
    /// The reads of `user_id` (a directory user id or UPN) in the principal's tenant.
    fn of_user<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        user_id: &'a str,
        before: Option<i64>,
    ) -> crate::services::BoxFuture<'a, Result<AccessPage, AppError>>;

    /// The reads of the signed-in end user's own data, without readers' names.
    fn mine<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        before: Option<i64>,
    ) -> crate::services::BoxFuture<'a, Result<AccessPage, AppError>>;
}

/// Who read one person's data.
///
/// # Errors
/// 401/403 unless a tenant admin or auditor is signed in; 404 for a user of another tenant.
#[server(prefix = "/api", endpoint = "access-log/user")]
pub async fn get_access_log(user_id: String, before: Option<i64>) -> Result<AccessPage, AppError> {
    use crate::auth::Role;
    let principal = crate::auth::require(&[Role::TenantAdmin, Role::Auditor])?;
    let services = crate::services::use_services()?;
    services
        .access_log
        .of_user(&principal, &user_id, before)
        .await
        .map_err(crate::error::respond_with)
}

/// Who read the signed-in end user's data.
///
/// # Errors
/// 401 without a session; 403 unless an end user linked to a directory user.
#[server(prefix = "/api", endpoint = "me/access-log")]
pub async fn get_my_access_log(before: Option<i64>) -> Result<AccessPage, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::EndUser])?;
    let services = crate::services::use_services()?;
    services
        .access_log
        .mine(&principal, before)
        .await
        .map_err(crate::error::respond_with)
}
