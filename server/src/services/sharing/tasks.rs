//! A follow-up done by hand: an admin marks a recipient's follow-up done once it was handled
//! outside the portal, with an audit event; a repeat changes nothing.

use super::actor;
use super::SharingService;
use crate::entities::follow_up_task::{self, TaskStatus};
use crate::services::audit::{self, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

impl SharingService {
    pub(super) async fn finish_task(
        &self,
        principal: &Principal,
        task_id: i64,
    ) -> Result<(), ServiceError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        let task = follow_up_task::Entity::find_by_id(task_id)
            .filter(follow_up_task::Column::TenantId.eq(principal.tenant_id.clone()))
            .one(&txn)
            .await
            .context("reading the follow-up")?
            .ok_or(ServiceError::NotFound)?;
        if task.status == TaskStatus::Done {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let before = task.status;
        // Conditional on the state read: of two hands marking it done at once, or a delivery
        // landing in between, one wins and only that one is audited.
        let done = follow_up_task::Entity::update_many()
            .col_expr(
                follow_up_task::Column::Status,
                Expr::value(TaskStatus::Done.as_str()),
            )
            .col_expr(follow_up_task::Column::DoneAt, Expr::value(now))
            .col_expr(
                follow_up_task::Column::DoneBy,
                Expr::value(principal.actor_name()),
            )
            .col_expr(
                follow_up_task::Column::NextAttemptAt,
                Expr::value(Option::<i64>::None),
            )
            .filter(follow_up_task::Column::Id.eq(task.id))
            .filter(follow_up_task::Column::Status.eq(before))
            .exec(&txn)
            .await
            .context("completing the follow-up")?;
        if done.rows_affected != 1 {
            // Someone else got there first: done is done (a repeat changes nothing); any other
            // state means the task moved on under this request, which is a conflict to reload.
            let now_done = follow_up_task::Entity::find_by_id(task_id)
                .one(&txn)
                .await
                .context("reading the follow-up")?
                .is_some_and(|t| t.status == TaskStatus::Done);
            return if now_done {
                Ok(())
            } else {
                Err(ServiceError::Conflict)
            };
        }
        audit::append(
            &txn,
            &principal.tenant_id,
            NewEvent {
                actor: actor(principal),
                action: AuditAction::FollowUpDone,
                target_kind: TargetKind::FollowUp,
                target_id: task.id.to_string(),
                subject_user_id: None,
                changes: vec![Change {
                    field: "status".into(),
                    before: Some(before.as_str().into()),
                    after: Some(TaskStatus::Done.as_str().into()),
                }],
                reason: None,
                occurred_at: now,
            },
        )
        .await?;
        txn.commit().await.context("committing the follow-up")?;
        Ok(())
    }
}
