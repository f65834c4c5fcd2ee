//! Roles held by portal accounts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "role_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: String,
    pub tenant_id: String,
    pub granted_by: String,
    pub granted_at: i64,
    /// Granted by the identity provider's token: replaced by the token's roles at every
    /// sign-in, and not revocable in the portal (the provider would grant it again).
    pub from_provider: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
