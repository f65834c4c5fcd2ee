//! A follow-up done by hand: an admin marks a recipient's follow-up done once it was handled
//! outside the portal, with an audit event; a repeat changes nothing.

use super::actor;
use super::SharingService;
use crate::entities::follow_up_task::{self, TaskStatus};
use crate::services::audit::{self, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

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
        let mut row: follow_up_task::ActiveModel = task.clone().into();
        row.status = Set(TaskStatus::Done);
        row.done_at = Set(Some(now));
        row.done_by = Set(Some(principal.actor_name()));
        row.next_attempt_at = Set(None);
        row.update(&txn).await.context("completing the follow-up")?;
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
