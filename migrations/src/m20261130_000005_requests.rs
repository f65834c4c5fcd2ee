//! Correction requests of end users and their review (issue 7): in-portal notifications, and
//! what an approved request's requester is told (the recipients informed of the correction).
//!
//! The request row itself (`correction_requests`, from the personal-data schema) already holds
//! the lifecycle: `status` (`pending`, `approved`, `rejected`, `withdrawn`; `routed` for an
//! admin's routed correction), `due_at`, `extension_reason` (set once: a request is extended at
//! most once), `paused_at` (the clock is stopped while set; resuming moves `due_at` by the
//! paused time) and `version` (bumped by every step, so a stale form is refused). The outcome
//! of an approval is kept apart, in `request_outcomes`, so that a repeated approval answers
//! with exactly what the first one answered.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Notifications::Table)
                .col(
                    big_integer(Notifications::Id)
                        .auto_increment()
                        .primary_key()
                        .take(),
                )
                .col(string_len(Notifications::TenantId, 36))
                .col(big_integer(Notifications::AccountId))
                .col(string_len(Notifications::Kind, 32))
                .col(big_integer(Notifications::RequestId))
                .col(big_integer(Notifications::CreatedAt))
                .col(big_integer_null(Notifications::ReadAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_notifications_account")
                .table(Notifications::Table)
                .col(Notifications::TenantId)
                .col(Notifications::AccountId)
                .col(Notifications::Id)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(RequestOutcomes::Table)
                .col(big_integer(RequestOutcomes::RequestId).primary_key().take())
                .col(string_len(RequestOutcomes::TenantId, 36))
                .col(big_integer(RequestOutcomes::FieldVersion))
                .col(text(RequestOutcomes::InformedRecipients))
                .col(big_integer(RequestOutcomes::CreatedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RequestOutcomes::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Notifications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    TenantId,
    AccountId,
    Kind,
    RequestId,
    CreatedAt,
    ReadAt,
}

#[derive(DeriveIden)]
enum RequestOutcomes {
    Table,
    RequestId,
    TenantId,
    FieldVersion,
    InformedRecipients,
    CreatedAt,
}
