//! The access log, append-only: this module offers no update or delete, only the model for
//! inserts and reads.

pub use app::domain::states::AccessView;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub subject_user_id: String,
    pub at: i64,
    pub reader_kind: String,
    pub reader_id: String,
    pub reader_name: String,
    pub view: AccessView,
    pub request_id: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
