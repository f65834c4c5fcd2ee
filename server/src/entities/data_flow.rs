//! Which field goes to (or comes from) which recipient under which feature.

pub use app::domain::states::FlowDirection;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "data_flows")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub feature_id: String,
    pub recipient_id: String,
    pub direction: FlowDirection,
    pub field: String,
    pub since_terms_version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
