//! Corrections asked for by end users, reviewed by support staff.

pub use app::domain::states::RequestStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "correction_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub requester_account_id: Option<i64>,
    pub subject_user_id: String,
    pub record_kind: String,
    pub record_id: String,
    pub field: String,
    pub proposed_value: String,
    pub base_version: i64,
    pub reason: String,
    pub restrict_sharing: bool,
    pub status: RequestStatus,
    pub received_at: i64,
    pub due_at: i64,
    pub extension_reason: Option<String>,
    pub paused_at: Option<i64>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    pub decision_reason: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// On a correction at the source written by an approval: the end user's request.
    pub origin_request_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
