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

impl ActiveModel {
    /// A new open follow-up of `kind` owed to `recipient_id` under `feature_id`, about one
    /// field of one record (`about`: record kind, record id, field) or about everything the
    /// recipient holds through the feature (`None`), owed by the audit event `event_id`.
    pub fn open(
        tenant_id: &str,
        kind: TaskKind,
        recipient_id: String,
        feature_id: String,
        about: Option<(&str, &str, &str)>,
        event_id: i64,
        now: i64,
    ) -> ActiveModel {
        use sea_orm::{NotSet, Set};
        ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant_id.to_owned()),
            kind: Set(kind),
            recipient_id: Set(recipient_id),
            feature_id: Set(Some(feature_id)),
            record_kind: Set(about.map(|(kind, _, _)| kind.to_owned())),
            record_id: Set(about.map(|(_, id, _)| id.to_owned())),
            field: Set(about.map(|(_, _, field)| field.to_owned())),
            audit_event_id: Set(Some(event_id)),
            status: Set(TaskStatus::Open),
            created_at: Set(now),
            done_at: Set(None),
            done_by: Set(None),
            ..Default::default()
        }
    }
}
