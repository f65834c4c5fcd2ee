//! Work owed to recipients: tell them of a correction or a restriction (GDPR Art. 19), delete
//! data held there.

pub use app::domain::states::{TaskKind, TaskStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub kind: TaskKind,
    pub recipient_id: String,
    pub feature_id: Option<String>,
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
    pub field: Option<String>,
    pub audit_event_id: Option<i64>,
    pub status: TaskStatus,
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
    /// Deterministic id of the delivery to the recipient's endpoint, reused by every retry.
    pub delivery_id: Option<String>,
    pub attempts: i32,
    pub next_attempt_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
