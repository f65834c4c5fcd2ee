//! The disclosure ledger: which recipient received which fields of which record, when, under which feature and consent; a fingerprint of the values, never the values.

pub use app::domain::states::DeliveryStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "disclosures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub record_kind: String,
    pub record_id: String,
    pub subject_user_id: Option<String>,
    pub recipient_id: String,
    pub feature_id: String,
    pub fields: String,
    pub disclosed_at: i64,
    pub consent_id: Option<i64>,
    pub purpose: String,
    pub fingerprint: String,
    /// Deterministic id of the delivery (unique): a retried or concurrent cycle reuses it.
    pub delivery_id: Option<String>,
    /// `recorded`, `recorded_only`, `pending`, `delivered` or `failed`.
    pub delivery_status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
