//! `GET /users/{id}/export?format=json|csv`: the download behind the personal-data page's
//! export buttons. Tenant admins only; the export is an audit event.

use crate::auth::SessionPrincipal;
use crate::services::audit::Actor;
use crate::services::export::{export_recorded, to_csv, ExportFormat};
use crate::state::AppState;
use app::auth::Role;
use app::i18n::Locale;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// Streams everything held about one user as a file.
pub async fn download(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    Query(query): Query<ExportQuery>,
    session: SessionPrincipal,
) -> Response {
    let principal = match session.require(&[Role::TenantAdmin]) {
        Ok(principal) => principal,
        Err(refusal) => return refusal.into_response(),
    };
    let locale = query
        .lang
        .as_deref()
        .and_then(Locale::from_tag)
        .unwrap_or_default();
    let csv = query.format.as_deref() == Some("csv");
    let format = if csv {
        ExportFormat::Csv
    } else {
        ExportFormat::Json
    };
    let export = match export_recorded(
        &state.db,
        &principal.tenant_id,
        Actor::of(&principal),
        &user_id,
        format,
        locale,
        state.clock.now_ms(),
    )
    .await
    {
        Ok(export) => export,
        Err(error) => return crate::error::service_problem(error),
    };
    let (body, content_type, extension) = if csv {
        (to_csv(&export, locale), "text/csv; charset=utf-8", "csv")
    } else {
        match serde_json::to_string_pretty(&export) {
            Ok(json) => (json, "application/json", "json"),
            Err(e) => return crate::error::HttpError::Internal(e.into()).into_response(),
        }
    };
    let disposition = format!("attachment; filename=\"personal-data-{user_id}.{extension}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
