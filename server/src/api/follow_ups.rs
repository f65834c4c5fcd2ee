//! Follow-up tasks: the work owed to recipients (tell them of a correction, have them delete
//! what they hold). Listed with filters and cursor pagination, and marked done, by the
//! follow-up use cases ([`crate::services::follow_ups`]); this adapts the query string, the
//! path and the JSON. Tenant admins only.

use super::problem::{ApiError, Problem};
use super::{Auth, Params};
use crate::services::follow_ups::{self, TaskQuery};
use crate::state::AppState;
use app::auth::Role;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_follow_ups))
        .routes(routes!(mark_done))
}

/// A follow-up task.
#[derive(Serialize, ToSchema)]
pub struct FollowUp {
    pub id: i64,
    /// `delete_at_recipient`, `notify_correction`, `notify_restriction` or
    /// `notify_restriction_lifted`.
    pub kind: String,
    pub recipient_id: String,
    pub recipient_name: String,
    pub feature_id: Option<String>,
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
    pub field: Option<String>,
    /// `open`, `sent`, `acknowledged`, `failed` or `done`.
    pub status: String,
    /// Epoch milliseconds.
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
}

/// A page of follow-up tasks.
#[derive(Serialize, ToSchema)]
pub struct FollowUpPage {
    pub items: Vec<FollowUp>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Filters of the task list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct FollowUpQuery {
    /// Only tasks in this status.
    status: Option<String>,
    /// Only tasks owed to this recipient.
    recipient_id: Option<String>,
    /// Only tasks about this record.
    record_id: Option<String>,
    /// The `next` cursor of the previous page.
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    after: Option<String>,
    /// Page size, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Lists the tenant's follow-up tasks, newest first.
#[utoipa::path(get, path = "/follow-ups", tag = "follow-ups", params(FollowUpQuery),
    responses((status = 200, description = "A page of tasks", body = FollowUpPage)))]
pub async fn list_follow_ups(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Result<Json<FollowUpPage>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let text = |name: &str| params.get(name).map(str::to_owned);
    let query = TaskQuery {
        limit: params.limit()?,
        after: params.after_id()?,
        status: text("status"),
        recipient_id: text("recipient_id"),
        record_id: text("record_id"),
    };
    let page = follow_ups::list(&state.db, principal, &query).await?;
    Ok(Json(FollowUpPage {
        items: page
            .tasks
            .into_iter()
            .map(|t| FollowUp {
                id: t.id,
                kind: t.kind.as_str().to_owned(),
                recipient_id: t.recipient_id,
                recipient_name: t.recipient_name,
                feature_id: t.feature_id,
                record_kind: t.record_kind,
                record_id: t.record_id,
                field: t.field,
                status: t.status,
                created_at: t.created_at,
                done_at: t.done_at,
                done_by: t.done_by,
            })
            .collect(),
        next: page.next.map(|id| id.to_string()),
    }))
}

/// Marks a follow-up done by hand (the recipient was told some other way); an audit event.
#[utoipa::path(post, path = "/follow-ups/{task_id}/done", tag = "follow-ups",
    params(("task_id" = i64, Path, minimum = 1, description = "The task id")),
    responses(
        (status = 204, description = "Done (also when it already was)"),
        (status = 404, description = "No such task in this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mark_done(
    State(state): State<AppState>,
    auth: Auth,
    Path(task_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let task_id = task_id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::because("task_id", app::i18n::Key::ErrNotAnId))?;
    follow_ups::complete(state.services.sharing.as_ref(), principal, task_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
