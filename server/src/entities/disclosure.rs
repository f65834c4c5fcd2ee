//! The disclosure ledger: which recipient received which fields of which record, when, under which feature and consent; a fingerprint of the values, never the values.

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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
