//! `GET /audit-log/export?actor=&action=&user=&from=&to=`: the audit log's CSV download, with
//! the page's filters. Tenant admins and auditors only; the download is itself an audit event.

use crate::auth::SessionPrincipal;
use crate::services::audit_log::AuditLogService;
use crate::state::AppState;
use app::audit_log::AuditFilter;
use app::auth::Role;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
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
    Query(query): Query<ExportQuery>,
    session: SessionPrincipal,
) -> Response {
    let principal = match session.require(&[Role::TenantAdmin, Role::Auditor]) {
        Ok(principal) => principal,
        Err(refusal) => return refusal.into_response(),
    };
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
