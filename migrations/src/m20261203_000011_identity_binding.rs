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
//!   Existing duplicates (links made by name or e-mail) keep only the last signed-in link.
//! - Roles granted by the provider before are marked as the provider's; bootstraps waiting for
//!   an e-mail are withdrawn (they are made by object id now).

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
        let db = m.get_connection();
        // Roles the provider's token granted before the column existed are the provider's:
        // they follow it from now on.
        db.execute_unprepared(
            "UPDATE role_assignments SET from_provider = TRUE WHERE granted_by = 'identity provider'",
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(FieldVersions::Table)
                .add_column(big_integer_null(FieldVersions::ChangedByAccountId))
                .to_owned(),
        )
        .await?;
        // Accounts linked by a name or e-mail (as sign-in linked them before) may share a
        // directory user within one provider. Only the one signed in last (the newest on a tie)
        // keeps the link; the others are relinked by object id at their next sign-in.
        db.execute_unprepared(
            "UPDATE accounts SET directory_user_id = NULL \
             WHERE directory_user_id IS NOT NULL AND EXISTS (\
               SELECT 1 FROM accounts b \
               WHERE b.issuer = accounts.issuer \
                 AND b.directory_user_id = accounts.directory_user_id \
                 AND (COALESCE(b.last_sign_in_at, 0) > COALESCE(accounts.last_sign_in_at, 0) \
                   OR (COALESCE(b.last_sign_in_at, 0) = COALESCE(accounts.last_sign_in_at, 0) \
                       AND b.id > accounts.id)))",
        )
        .await?;
        // A first admin waiting for an e-mail (`pending:<email>`) would be taken over by a
        // token whose object id is that text: such bootstraps are withdrawn, to be made again
        // by object id (`server bootstrap-admin --object-id`).
        db.execute_unprepared(
            "DELETE FROM role_assignments WHERE account_id IN \
             (SELECT id FROM accounts WHERE issuer = 'pending' AND subject LIKE '%@%')",
        )
        .await?;
        db.execute_unprepared(
            "DELETE FROM accounts WHERE issuer = 'pending' AND subject LIKE '%@%'",
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
