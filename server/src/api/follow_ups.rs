//! Follow-up tasks: the work owed to recipients (tell them of a correction, have them delete
//! what they hold). Listed from the ledger with filters and cursor pagination; marking one done
//! goes through the sharing port, the same as on the sharing page. Tenant admins only.

use super::disclosures::next_cursor;
use super::problem::{ApiError, Problem};
use super::{probe, ApiState, Auth, Params};
use crate::entities::{follow_up_task, recipient};
use app::auth::Role;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_follow_ups))
        .routes(routes!(mark_done))
}

/// A follow-up task.
#[derive(Serialize, ToSchema)]
pub struct FollowUp {
    pub id: i64,
    /// `notify_correction` or `delete_at_recipient`.
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
    State(state): State<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<Json<FollowUpPage>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let limit = params.limit()?;
    let after = params.after_id()?;
    let mut query = follow_up_task::Entity::find()
        .filter(follow_up_task::Column::TenantId.eq(&principal.tenant_id));
    if let Some(status) = params.get("status") {
        query = query.filter(follow_up_task::Column::Status.eq(status));
    }
    if let Some(recipient) = params.get("recipient_id") {
        query = query.filter(follow_up_task::Column::RecipientId.eq(recipient));
    }
    if let Some(record) = params.get("record_id") {
        query = query.filter(follow_up_task::Column::RecordId.eq(record));
    }
    if let Some(after) = after {
        query = query.filter(follow_up_task::Column::Id.lt(after));
    }
    let mut rows = query
        .order_by_desc(follow_up_task::Column::Id)
        .limit(probe(limit))
        .all(&state.db)
        .await?;
    let next = next_cursor(&mut rows, limit, |t| t.id);
    let names: HashMap<String, String> = recipient::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let items = rows
        .into_iter()
        .map(|t| FollowUp {
            id: t.id,
            kind: t.kind,
            recipient_name: names
                .get(&t.recipient_id)
                .cloned()
                .unwrap_or_else(|| t.recipient_id.clone()),
            recipient_id: t.recipient_id,
            feature_id: t.feature_id,
            record_kind: t.record_kind,
            record_id: t.record_id,
            field: t.field,
            status: t.status.as_str().to_owned(),
            created_at: t.created_at,
            done_at: t.done_at,
            done_by: t.done_by,
        })
        .collect();
    Ok(Json(FollowUpPage { items, next }))
}

/// Marks a follow-up done by hand (the recipient was told some other way); an audit event.
#[utoipa::path(post, path = "/follow-ups/{task_id}/done", tag = "follow-ups",
    params(("task_id" = i64, Path, minimum = 1, description = "The task id")),
    responses(
        (status = 204, description = "Done (also when it already was)"),
        (status = 404, description = "No such task in this tenant", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn mark_done(
    State(state): State<ApiState>,
    auth: Auth,
    Path(task_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let task_id = task_id
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid("task_id", "a task id"))?;
    state
        .services
        .sharing
        .complete_task(principal, task_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
