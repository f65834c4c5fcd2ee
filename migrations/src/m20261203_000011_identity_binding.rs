//! Sign-in bound to identities the person cannot choose, and four-eyes by account.
//!
//! - `role_assignments.from_provider`: a role the identity provider's token granted. At every
//!   sign-in the token's roles replace these (a role removed at the provider goes), while roles
//!   granted in the portal are kept and shown apart.
//! - `field_versions.changed_by_account_id`: the account (a token's owner for a token) that
//!   made the last change in the portal. The four-eyes rule compares it, not the display name,
//!   which anyone can share with someone else.
//! - A directory user has at most one account per provider (`ux_accounts_directory_user`):
//!   NULLs are distinct on both databases, so accounts without a directory user are unaffected.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(RoleAssignments::Table)
                .add_column(boolean(RoleAssignments::FromProvider).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(FieldVersions::Table)
                .add_column(big_integer_null(FieldVersions::ChangedByAccountId))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_accounts_directory_user")
                .table(Accounts::Table)
                .col(Accounts::Issuer)
                .col(Accounts::DirectoryUserId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ux_accounts_directory_user")
                .table(Accounts::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(FieldVersions::Table)
                .drop_column(FieldVersions::ChangedByAccountId)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(RoleAssignments::Table)
                .drop_column(RoleAssignments::FromProvider)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum RoleAssignments {
    Table,
    FromProvider,
}

#[derive(DeriveIden)]
enum FieldVersions {
    Table,
    ChangedByAccountId,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Issuer,
    DirectoryUserId,
}
