//! Portal accounts: people who sign in, linked to a tenant and, for end users, a directory user.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    pub issuer: String,
    pub subject: String,
    pub display_name: String,
    pub email: Option<String>,
    pub directory_user_id: Option<String>,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
}

/// The issuer of an account that `server bootstrap-admin` made and nobody has signed in with
/// yet. No OpenID Connect provider has it (an issuer is an `https` URL), so no sign-in finds
/// such an account by issuer and subject; the first sign-in in its tenant whose object id (or,
/// without one, subject) matches its [`pending_subject`] takes it over and stores the
/// provider's issuer and subject instead.
pub const PENDING_ISSUER: &str = "pending";

/// The subject of a bootstrapped account waiting for the first sign-in of the person with
/// `object_id` at the provider (lower case): unique per id, and never a provider's subject.
pub fn pending_subject(object_id: &str) -> String {
    format!("pending:{}", object_id.to_lowercase())
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
