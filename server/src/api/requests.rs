//! Correction requests: end-user tokens file, list, read and withdraw their own; reviewer
//! tokens (support reviewers and tenant admins) list the queue, read, approve, reject and
//! extend. Every call goes through the requests port, the same as the request pages, so the
//! four-eyes rule, deadlines and notifications apply unchanged. Decisions carry the request's
//! version in `If-Match`.

use super::problem::{ApiError, Problem};
use super::{Auth, Body, Params};
use crate::state::AppState;
use app::auth::Role;
use app::domain::catalogue::FieldId;
use app::error::AppError;
use app::requests::{DecisionOutcome, NewRequest, QueueFilter, RequestView};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const REVIEWERS: &[Role] = &[Role::SupportReviewer, Role::TenantAdmin];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, create_request))
        .routes(routes!(get_request))
        .routes(routes!(withdraw))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(extend))
}

/// A correction request.
#[derive(Serialize, ToSchema)]
pub struct Request {
    pub id: i64,
    pub subject_user_id: String,
    pub subject_name: String,
    pub requester_name: String,
    /// `user` or `device`.
    pub record_kind: String,
    pub record_id: String,
    pub record_title: String,
    pub field: String,
    pub proposed_value: String,
    pub reason: String,
    /// Whether the field is held back from new disclosures while the request is open.
    pub restrict_sharing: bool,
    /// `pending`, `approved`, `rejected` or `withdrawn`.
    pub status: String,
    /// Epoch milliseconds.
    pub received_at: i64,
    pub due_at: i64,
    pub overdue: bool,
    pub paused: bool,
    pub extension_reason: Option<String>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// After an approval: the recipients being told (GDPR Art. 19).
    pub informed_recipients: Vec<String>,
    /// After the approval of a field owned elsewhere: the correction waiting at its source.
    pub at_source: Option<RequestAtSource>,
    /// Send this in `If-Match` with a decision.
    pub version: i64,
}

/// Where an approved correction of a field owned elsewhere stands at its source.
#[derive(Serialize, ToSchema)]
pub struct RequestAtSource {
    /// `directory` (Entra ID), `device` or `partner`.
    pub source: String,
    /// `routed` while waiting, `applied` once the source's data showed the new value,
    /// `superseded` when a newer correction of the field replaced it.
    pub status: String,
    /// Epoch milliseconds: when the source's data showed the new value.
    pub applied_at: Option<i64>,
}

impl From<RequestView> for Request {
    fn from(r: RequestView) -> Self {
        Request {
            id: r.id,
            subject_user_id: r.subject_user_id,
            subject_name: r.subject_name,
            requester_name: r.requester_name,
            record_kind: r.record_kind.as_str().to_owned(),
            record_id: r.record_id,
            record_title: r.record_title,
            field: r.field.as_str().to_owned(),
            proposed_value: r.proposed_value,
            reason: r.reason,
            restrict_sharing: r.restrict_sharing,
            status: r.status.as_str().to_owned(),
            received_at: r.received_at,
            due_at: r.due_at,
            overdue: r.overdue,
            paused: r.paused,
            extension_reason: r.extension_reason,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            decision_reason: r.decision_reason,
            informed_recipients: r.informed_recipients,
            at_source: r.at_source.map(|a| RequestAtSource {
                source: a.route.as_str().to_owned(),
                status: a.status.as_str().to_owned(),
                applied_at: a.applied_at,
            }),
            version: r.version,
        }
    }
}

/// Requests: an end user's own, or a reviewer's queue.
#[derive(Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<Request>,
    /// For reviewers: the `after` value of the next page of the queue, if there is one.
    pub next: Option<String>,
}

/// The outcome of a decision; a repeated decision answers the same.
#[derive(Serialize, ToSchema)]
pub struct Decision {
    /// `approved` or `rejected`.
    pub status: String,
    pub informed_recipients: Vec<String>,
    /// Set when the approved field is owned elsewhere and its source does not show the new
    /// value yet: `directory` (Entra ID), `device` or `partner`. Nobody is told until it does.
    pub waiting_for: Option<String>,
}

impl From<DecisionOutcome> for Decision {
    fn from(d: DecisionOutcome) -> Self {
        Decision {
            status: d.status.as_str().to_owned(),
            informed_recipients: d.informed_recipients,
            waiting_for: d.waiting_for.map(|r| r.as_str().to_owned()),
        }
    }
}

/// The queue's filters (reviewers; ignored for end users, who see their own requests).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct RequestQuery {
    /// A status name, `all`, or absent for pending.
    #[param(pattern = "^(pending|approved|rejected|withdrawn|all)$")]
    status: Option<String>,
    /// `overdue` or `week` (due within seven days).
    #[param(pattern = "^(overdue|week)$")]
    due: Option<String>,
    /// A field category.
    #[param(pattern = "^(identity|device|hardware|network|apps|secrets)$")]
    category: Option<String>,
    /// A directory user id.
    user: Option<String>,
    /// Minimum age in days, 0 to 3650.
    #[param(minimum = 0, maximum = 3650)]
    age: Option<u32>,
    /// The `next` value of the previous page (reviewers' queue, 50 per page).
    #[param(pattern = "^[0-9]+[.][0-9]+$")]
    after: Option<String>,
}

fn id_of(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::because("request_id", app::i18n::Key::ErrNotAnId))
}

fn stale_is_precondition(error: AppError) -> ApiError {
    match error {
        AppError::Conflict => ApiError::PreconditionFailed,
        other => other.into(),
    }
}

/// An end user's own requests, or (for reviewers) the review queue.
#[utoipa::path(get, path = "/requests", tag = "requests", params(RequestQuery),
    responses((status = 200, description = "Requests, newest first", body = RequestList)))]
pub async fn list_requests(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Result<Json<RequestList>, ApiError> {
    let principal = auth.require(&Role::ALL)?;
    let (items, next) = if principal.has_any(REVIEWERS) {
        let text = |name: &str| params.get(name).unwrap_or_default().to_owned();
        let filter = QueueFilter {
            status: text("status"),
            due: text("due"),
            category: text("category"),
            user: text("user"),
            age: text("age"),
            after: text("after"),
            without_users: true,
        };
        let page = state.services.requests.queue(principal, filter).await?;
        (page.items, page.next)
    } else if principal.has(Role::EndUser) {
        (state.services.requests.mine(principal).await?, None)
    } else {
        return Err(ApiError::Forbidden);
    };
    Ok(Json(RequestList {
        items: items.into_iter().map(Request::from).collect(),
        next,
    }))
}

/// A correction request as an end user files it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCorrectionRequest {
    /// The record: the user's own id, or one of their devices.
    pub record_id: String,
    /// The field name.
    pub field: String,
    /// The value asked for.
    pub value: String,
    /// Why.
    pub reason: String,
    /// Hold the field back from new disclosures while the request is open (GDPR Art. 18).
    #[serde(default)]
    pub restrict_sharing: bool,
}

/// Files a correction request for the end user's own data (end-user tokens).
#[utoipa::path(post, path = "/requests", tag = "requests",
    request_body = NewCorrectionRequest,
    responses(
        (status = 201, description = "Filed", body = Request),
        (status = 404, description = "Not the end user's record", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_request(
    State(state): State<AppState>,
    auth: Auth,
    Body(body): Body<NewCorrectionRequest>,
) -> Result<Response, ApiError> {
    let principal = auth.require(&[Role::EndUser])?;
    let field = FieldId::parse(&body.field).map_err(|e| ApiError::refused("field", &e.into()))?;
    let request = NewRequest {
        record_id: body.record_id,
        field,
        value: body.value,
        reason: body.reason,
        restrict_sharing: body.restrict_sharing,
    };
    let created = state.services.requests.create(principal, request).await?;
    Ok((StatusCode::CREATED, Json(Request::from(created))).into_response())
}

/// One request: an end user's own, or any of the tenant's for reviewers.
#[utoipa::path(get, path = "/requests/{request_id}", tag = "requests",
    params(("request_id" = i64, Path, minimum = 1, description = "The request id")),
    responses(
        (status = 200, description = "The request", body = Request),
        (status = 404, description = "No such request for this token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_request(
    State(state): State<AppState>,
    auth: Auth,
    Path(request_id): Path<String>,
) -> Result<Json<Request>, ApiError> {
    let principal = auth.require(&Role::ALL)?;
    let id = id_of(&request_id)?;
    let request = if principal.has_any(REVIEWERS) {
        state.services.requests.review(principal, id).await?.request
    } else if principal.has(Role::EndUser) {
        state
            .services
            .requests
            .mine(principal)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(ApiError::NotFound)?
    } else {
        return Err(ApiError::Forbidden);
    };
    Ok(Json(request.into()))
}

/// Withdraws one of the end user's own pending requests.
#[utoipa::path(post, path = "/requests/{request_id}/withdraw", tag = "requests",
    params(("request_id" = i64, Path, minimum = 1, description = "The request id")),
    responses(
        (status = 200, description = "Withdrawn", body = Request),
        (status = 404, description = "No such request of this end user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    auth: Auth,
    Path(request_id): Path<String>,
) -> Result<Json<Request>, ApiError> {
    let principal = auth.require(&[Role::EndUser])?;
    let id = id_of(&request_id)?;
    let request = state.services.requests.withdraw(principal, id).await?;
    Ok(Json(request.into()))
}

/// Approving a request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approve {
    /// The field's version the reviewer saw.
    pub field_version: i64,
}

/// Approves a request: the correction is applied with the request's new state.
#[utoipa::path(post, path = "/requests/{request_id}/approve", tag = "requests",
    params(
        ("request_id" = i64, Path, minimum = 1, description = "The request id"),
        ("If-Match" = String, Header, description = "The request's `version`"),
    ),
    request_body = Approve,
    responses(
        (status = 200, description = "Approved", body = Decision),
        (status = 404, description = "No such request in this tenant", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The request or field changed since those versions", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    auth: Auth,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<Approve>,
) -> Result<Json<Decision>, ApiError> {
    let principal = auth.require(REVIEWERS)?;
    let id = id_of(&request_id)?;
    let version = super::fields::base_version(&headers)?;
    let outcome = state
        .services
        .requests
        .approve(principal, id, version, body.field_version)
        .await
        .map_err(stale_is_precondition)?;
    Ok(Json(outcome.into()))
}

/// Rejecting a request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reject {
    /// Shown to the requester.
    pub reason: String,
}

/// Rejects a request with a reason shown to the requester.
#[utoipa::path(post, path = "/requests/{request_id}/reject", tag = "requests",
    params(
        ("request_id" = i64, Path, minimum = 1, description = "The request id"),
        ("If-Match" = String, Header, description = "The request's `version`"),
    ),
    request_body = Reject,
    responses(
        (status = 200, description = "Rejected", body = Decision),
        (status = 404, description = "No such request in this tenant", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The request changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    auth: Auth,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<Reject>,
) -> Result<Json<Decision>, ApiError> {
    let principal = auth.require(REVIEWERS)?;
    let id = id_of(&request_id)?;
    let version = super::fields::base_version(&headers)?;
    let outcome = state
        .services
        .requests
        .reject(principal, id, version, body.reason)
        .await
        .map_err(stale_is_precondition)?;
    Ok(Json(outcome.into()))
}

/// Extending a request's deadline.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Extend {
    /// One or two months.
    #[schema(minimum = 1, maximum = 2)]
    pub months: u32,
    /// Shown to the requester.
    pub reason: String,
}

/// Extends the deadline once, by one or two months.
#[utoipa::path(post, path = "/requests/{request_id}/extend", tag = "requests",
    params(
        ("request_id" = i64, Path, minimum = 1, description = "The request id"),
        ("If-Match" = String, Header, description = "The request's `version`"),
    ),
    request_body = Extend,
    responses(
        (status = 200, description = "Extended", body = Request),
        (status = 404, description = "No such request in this tenant", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The request changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn extend(
    State(state): State<AppState>,
    auth: Auth,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<Extend>,
) -> Result<Json<Request>, ApiError> {
    let principal = auth.require(REVIEWERS)?;
    let id = id_of(&request_id)?;
    let version = super::fields::base_version(&headers)?;
    let request = state
        .services
        .requests
        .extend(principal, id, version, body.months, body.reason)
        .await
        .map_err(stale_is_precondition)?;
    Ok(Json(request.into()))
}
