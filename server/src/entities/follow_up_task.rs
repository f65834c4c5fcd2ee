//! Work owed to recipients: tell them of a correction (GDPR Art. 19), delete data held there.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "follow_up_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub kind: String,
    pub recipient_id: String,
    pub feature_id: Option<String>,
    pub record_kind: Option<String>,
    pub record_id: Option<String>,
    pub field: Option<String>,
    pub audit_event_id: Option<i64>,
    pub status: String,
    pub created_at: i64,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
