//! Field corrections: correct a field held in this portal, or record a routed correction for
//! the field's source, through the same port (and so the same rules, transaction, audit event
//! and follow-ups) as the personal-data page. The version the caller read travels in
//! `If-Match`; a stale version is answered 412, a missing one 428.

use super::problem::{ApiError, Problem};
use super::{Auth, Body};
use crate::state::AppState;
use app::auth::Role;
use app::domain::catalogue::FieldId;
use app::personal_data::CorrectionInput;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(correct))
        .routes(routes!(route))
}

/// A correction of one field.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// The record: the user's id for identity fields, the device id for device fields.
    pub record_id: String,
    /// The field name, e.g. `device_name`, `ownership`, `phone`.
    pub field: String,
    /// The new value, checked with the field's own type.
    pub value: String,
    /// Why; required, recorded in the audit log.
    pub reason: String,
}

/// The outcome of a correction.
#[derive(Serialize, ToSchema)]
pub struct CorrectionResult {
    /// The field's new version (also in `ETag`).
    pub version: i64,
    /// Recipients that received the field and must be told of the correction (GDPR Art. 19).
    pub follow_up_recipients: Vec<String>,
}

/// Reads `If-Match`: one version number, quoted (`"3"`) or not.
pub fn base_version(headers: &HeaderMap) -> Result<i64, ApiError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match must be a version number".into()))?;
    let raw = raw.trim();
    let raw = raw.strip_prefix("W/").unwrap_or(raw);
    raw.trim_matches('"')
        .parse::<i64>()
        .ok()
        .filter(|v| *v >= 0)
        .ok_or_else(|| ApiError::BadRequest("If-Match must be a version number".into()))
}

async fn submit(
    state: &AppState,
    auth: &Auth,
    user_id: String,
    headers: &HeaderMap,
    body: Correction,
    routed: bool,
) -> Result<Response, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let base_version = base_version(headers)?;
    let field = FieldId::parse(&body.field).map_err(|e| ApiError::refused("field", &e.into()))?;
    let input = CorrectionInput {
        user_id,
        record_id: body.record_id,
        field,
        value: body.value,
        base_version,
        reason: body.reason,
    };
    let outcome = state
        .services
        .personal_data
        .correct(principal, input, routed)
        .await
        .map_err(|e| match e {
            // The version came from If-Match, so a stale one is a failed precondition.
            app::error::AppError::Conflict => ApiError::PreconditionFailed,
            other => other.into(),
        })?;
    let mut response = Json(CorrectionResult {
        version: outcome.version,
        follow_up_recipients: outcome.follow_up_recipients,
    })
    .into_response();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", outcome.version)) {
        response.headers_mut().insert(header::ETAG, etag);
    }
    Ok(response)
}

/// Corrects a field held in this portal.
#[utoipa::path(post, path = "/users/{user_id}/corrections", tag = "fields",
    params(
        ("user_id" = String, Path, description = "The directory user id"),
        ("If-Match" = String, Header, description = "The field's version as read, e.g. `\"0\"`"),
    ),
    request_body = Correction,
    responses(
        (status = 200, description = "Corrected", body = CorrectionResult),
        (status = 404, description = "No such user or record in this tenant", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The field changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn correct(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<Correction>,
) -> Result<Response, ApiError> {
    submit(&state, &auth, user_id, &headers, body, false).await
}

/// Records a correction that the field's source (directory, device, partner) must make. Nothing
/// changes until the source's data shows the new value: the field keeps its value and version,
/// and `follow_up_recipients` is empty; the recipients are told when an import applies it.
#[utoipa::path(post, path = "/users/{user_id}/routed-corrections", tag = "fields",
    params(
        ("user_id" = String, Path, description = "The directory user id"),
        ("If-Match" = String, Header, description = "The field's version as read, e.g. `\"0\"`"),
    ),
    request_body = Correction,
    responses(
        (status = 200, description = "Recorded", body = CorrectionResult),
        (status = 404, description = "No such user or record in this tenant", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The field changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn route(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<Correction>,
) -> Result<Response, ApiError> {
    submit(&state, &auth, user_id, &headers, body, true).await
}
