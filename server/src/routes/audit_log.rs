//! `GET /audit-log/export?actor=&action=&user=&from=&to=`: the audit log's CSV download, with
//! the page's filters. Tenant admins and auditors only; the download is itself an audit event.

use crate::error::problem;
use crate::services::audit_log::AuditLogService;
use crate::state::AppState;
use app::audit_log::AuditFilter;
use app::auth::{Principal, Role};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// Answers the filtered audit log as a CSV file.
pub async fn download(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Query(query): Query<ExportQuery>,
) -> Response {
    let reference = crate::request_id::current();
    let Some(Extension(principal)) = principal else {
        return problem(StatusCode::UNAUTHORIZED, "Sign in first", &reference);
    };
    if !principal.has_any(&[Role::TenantAdmin, Role::Auditor]) {
        return problem(StatusCode::FORBIDDEN, "Forbidden", &reference);
    }
    let filter = AuditFilter {
        actor: query.actor,
        action: query.action,
        user: query.user,
        from: query.from,
        to: query.to,
        before: None,
    };
    let service = AuditLogService {
        db: state.db.clone(),
        clock: state.clock.clone(),
    };
    match service.csv(&principal, filter).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"audit-log.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(error) => crate::error::service_problem(error),
    }
}
