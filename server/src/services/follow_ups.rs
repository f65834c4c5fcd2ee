//! Follow-up tasks as a use case of their own: the work owed to recipients (tell them of a
//! correction, have them delete what they hold), listed with filters and keyset pagination,
//! and marked done by hand. The sharing page shows the newest tasks through the sharing port;
//! this is the listing scripts page through, and the one place that decides who may read or
//! complete tasks outside that page.

use crate::entities::follow_up_task::{self, TaskKind};
use crate::entities::recipient;
use crate::services::disclosures::ledger::next_cursor;
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::{Principal, Role};
use app::sharing::SharingPort;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Which tasks to list: every filter is optional; `after` is the id the previous page ended
/// at, `limit` the page size (the door bounds it).
#[derive(Clone, Debug, Default)]
pub struct TaskQuery {
    /// Only tasks in this status (`open`, `sent`, `acknowledged`, `failed` or `done`).
    pub status: Option<String>,
    pub recipient_id: Option<String>,
    pub record_id: Option<String>,
    pub after: Option<i64>,
    pub limit: u64,
}

/// A follow-up task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub id: i64,
    pub kind: TaskKind,
    pub recipient_id: String,
    /// The recipient's name, or its id when the recipient is no longer in the catalogue.
    pub recipient_name: String,
    pub feature_id: Option<String>,
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
    pub field: Option<String>,
    pub status: String,
    /// Epoch milliseconds.
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
}

/// A page of tasks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskPage {
    pub tasks: Vec<Task>,
    /// The id to pass as `after` for the next page; absent on the last page.
    pub next: Option<i64>,
}

fn authorise(actor: &Principal) -> Result<(), ServiceError> {
    if actor.has(Role::TenantAdmin) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden)
    }
}

/// The follow-ups of the actor's tenant that match `query`, newest first. Tenant admins only.
///
/// # Errors
/// [`ServiceError::Forbidden`] for any other role; database failures.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Principal,
    query: &TaskQuery,
) -> Result<TaskPage, ServiceError> {
    authorise(actor)?;
    let mut select = follow_up_task::Entity::find()
        .filter(follow_up_task::Column::TenantId.eq(&actor.tenant_id));
    if let Some(status) = &query.status {
        select = select.filter(follow_up_task::Column::Status.eq(status));
    }
    if let Some(recipient) = &query.recipient_id {
        select = select.filter(follow_up_task::Column::RecipientId.eq(recipient));
    }
    if let Some(record) = &query.record_id {
        select = select.filter(follow_up_task::Column::RecordId.eq(record));
    }
    if let Some(after) = query.after {
        select = select.filter(follow_up_task::Column::Id.lt(after));
    }
    let mut rows = select
        .order_by_desc(follow_up_task::Column::Id)
        .limit(query.limit.saturating_add(1))
        .all(db)
        .await
        .context("reading follow-ups")?;
    let next = next_cursor(&mut rows, query.limit, |t| t.id);
    let names: HashMap<String, String> = recipient::Entity::find()
        .all(db)
        .await
        .context("reading recipients")?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let tasks = rows
        .into_iter()
        .map(|t| Task {
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
    Ok(TaskPage { tasks, next })
}

/// Marks a task of the actor's tenant done by hand (the recipient was told some other way),
/// with its audit event; a task already done stays as it is. Tenant admins only. The change
/// itself is the sharing port's (the same one the sharing page's button uses), so there is one
/// way a task becomes done.
///
/// # Errors
/// [`ServiceError::Forbidden`] for any other role; the port's not found (another tenant's
/// task, or none) and failures, passed on as they are.
pub async fn complete(
    sharing: &dyn SharingPort,
    actor: &Principal,
    task_id: i64,
) -> Result<(), ServiceError> {
    authorise(actor)?;
    sharing.complete_task(actor, task_id).await?;
    Ok(())
}
