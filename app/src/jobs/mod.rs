//! Background jobs: exports and imports that take a while run on the server as
//! jobs, so a tenant admin sees their progress, can leave the page and come back, download the
//! result when it is done, and cancel one that is still queued or running.
//!
//! This module holds what the page and the server share: the view types (never the stored
//! job itself, whose result is personal data), the port the server implements, and the server
//! functions. Starting an import is a plain multipart form posted to `/jobs/import`, and a
//! result is downloaded from `/jobs/{id}/download`: both are server routes, since a file does
//! not travel well through a server function and both must work without the browser bundle.
//!
//! The shared types live in one module each: `lifecycle` (what a job does, where it is in its
//! life, why it failed), `rejections` (why an import refused a line) and `view` (a job as the
//! page shows it, and an export to start); here are the port and the server functions.

mod lifecycle;
mod rejections;
mod view;

pub use lifecycle::{JobError, JobKind, JobState};
pub use rejections::{
    JsonType, RejectionReason, RejectionView, GRAPH_DEVICE_TYPE, GRAPH_USER_TYPE,
};
pub use view::{ExportRequest, JobList, JobView, REJECTIONS_KEPT};

use crate::error::AppError;
use leptos::prelude::*;

/// How often the page asks for fresh progress while a job is queued or running.
pub const POLL_MILLIS: u64 = 1000;

/// Jobs a tenant may have queued or running at once.
pub const MAX_ACTIVE_JOBS: u64 = 5;

/// The largest import file the portal accepts, in bytes.
pub const IMPORT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// What the jobs page asks of the server.
#[cfg(feature = "ssr")]
pub trait JobsPort: Send + Sync {
    /// The tenant's jobs, newest first.
    fn list<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<JobList, AppError>>;

    /// Starts an export (an audit event: it is an access to personal data) and returns the
    /// job's id. `language` is the language the file is written in (its headers and labels).
    fn start_export<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        request: ExportRequest,
        language: crate::i18n::Locale,
    ) -> crate::services::BoxFuture<'a, Result<i64, AppError>>;

    /// Cancels a queued or running job of the tenant.
    fn cancel<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        job_id: i64,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;
}

/// The tenant's jobs.
///
/// # Errors
/// 401/403 unless a tenant admin.
#[server(prefix = "/api", endpoint = "jobs/list")]
pub async fn list_jobs() -> Result<JobList, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .jobs
        .list(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Starts an export in the background and sends the browser to the jobs page.
///
/// `kind` is `export_user_json`, `export_user_csv` (both need `user_id`) or
/// `export_audit_csv` (which takes the audit-log filters `actor`, `action`, `user`, `from`,
/// `to`). CSV headers are in the language of the page.
///
/// # Errors
/// 401/403 unless a tenant admin; 422 for an unknown kind, a missing user or a malformed date;
/// 404 for a user outside the tenant; 422 when too many jobs are already running.
#[server(prefix = "/api", endpoint = "jobs/export")]
pub async fn start_export(
    kind: String,
    #[server(default)] user_id: String,
    #[server(default)] actor: String,
    #[server(default)] action: String,
    #[server(default)] user: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<i64, AppError> {
    use crate::audit_log::AuditFilter;
    use crate::error::respond_with;
    use crate::i18n::Key;
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    let invalid = |field: &str, key: Key| respond_with(AppError::invalid(field, key));
    let request = match JobKind::parse(&kind) {
        Some(JobKind::ExportUserJson | JobKind::ExportUserCsv) if user_id.trim().is_empty() => {
            return Err(invalid("user_id", Key::JobsUserMissing));
        }
        Some(k @ (JobKind::ExportUserJson | JobKind::ExportUserCsv)) => ExportRequest::User {
            user_id: user_id.trim().to_owned(),
            csv: k == JobKind::ExportUserCsv,
        },
        Some(JobKind::ExportAuditCsv) => ExportRequest::Audit {
            filter: AuditFilter {
                actor,
                action,
                user,
                from,
                to,
                before: None,
            },
        },
        Some(JobKind::ImportDirectory) | None => return Err(invalid("kind", Key::JobsKindInvalid)),
    };
    let id = services
        .jobs
        .start_export(&principal, request, crate::locale::request_locale())
        .await
        .map_err(respond_with)?;
    leptos_axum::redirect("/jobs");
    Ok(id)
}

/// Cancels a queued or running job. A plain form (no browser bundle) is sent back to the jobs
/// page.
///
/// # Errors
/// 401/403 unless a tenant admin; 404 for a job outside the tenant; 409 when it already ended.
#[server(prefix = "/api", endpoint = "jobs/cancel")]
pub async fn cancel_job(id: i64) -> Result<(), AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .jobs
        .cancel(&principal, id)
        .await
        .map_err(crate::error::respond_with)?;
    if plain_form() {
        leptos_axum::redirect("/jobs");
    }
    Ok(())
}

/// Whether the request is a plain HTML form (the browser bundle is not running): the answer
/// must then send the browser to a page. The portal sends no `Referer`, so Leptos cannot send
/// it back on its own.
#[cfg(feature = "ssr")]
fn plain_form() -> bool {
    crate::error::is_plain_form_post()
}

#[cfg(test)]
mod tests;
