//! Version and last change of each value changed in the portal; no row means version 0, as delivered by the source.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "field_versions")]
pub struct Model {
    pub tenant_id: String,
    pub record_kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub field: String,
    pub version: i64,
    pub changed_at: i64,
    pub changed_by: String,
    /// The account that made the change (a token's owner for a token); empty for imports and
    /// the system. The four-eyes rule compares this, never the name.
    pub changed_by_account_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
