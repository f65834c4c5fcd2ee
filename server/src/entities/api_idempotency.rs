//! The first answer to each `POST` sent with an `Idempotency-Key`, per token and key.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_idempotency")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub token_id: i64,
    pub idempotency_key: String,
    /// SHA-256 of method, path and body of the first request.
    pub fingerprint: String,
    pub status: i32,
    pub content_type: String,
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
