//! Delivery of disclosures and follow-ups to recipients (issue 6).
//!
//! The sharing worker writes each disclosure before it sends it (an outbox): the row carries a
//! deterministic `delivery_id` (unique, so two workers or a restarted one can never record the
//! same disclosure twice) and a delivery state that the worker moves forward after each attempt.
//! Follow-up tasks get the same delivery columns. `recipient_endpoints` holds, per tenant and
//! recipient, where the connector posts and the shared secret it signs with.
//!
//! SQLite adds one column per `ALTER TABLE`, so every column is its own statement; new NOT NULL
//! columns carry a default so existing rows stay valid.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let disclosure_columns = [
            string_len_null(Disclosures::DeliveryId, 64),
            // `recorded` (written before delivery existed, or by seeding), `recorded_only`
            // (no endpoint configured), `pending`, `delivered`, `failed`.
            string_len(Disclosures::DeliveryStatus, 16)
                .default("recorded")
                .take(),
            integer(Disclosures::Attempts).default(0).take(),
            big_integer_null(Disclosures::NextAttemptAt),
            big_integer_null(Disclosures::DeliveredAt),
            text_null(Disclosures::LastError),
        ];
        for column in disclosure_columns {
            m.alter_table(
                Table::alter()
                    .table(Disclosures::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("ux_disclosures_delivery_id")
                .table(Disclosures::Table)
                .col(Disclosures::DeliveryId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_disclosures_delivery_due")
                .table(Disclosures::Table)
                .col(Disclosures::DeliveryStatus)
                .col(Disclosures::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        // Reports: disclosures of a tenant over time.
        m.create_index(
            Index::create()
                .name("ix_disclosures_tenant_time")
                .table(Disclosures::Table)
                .col(Disclosures::TenantId)
                .col(Disclosures::DisclosedAt)
                .to_owned(),
        )
        .await?;

        let task_columns = [
            string_len_null(FollowUpTasks::DeliveryId, 64),
            integer(FollowUpTasks::Attempts).default(0).take(),
            big_integer_null(FollowUpTasks::NextAttemptAt),
            big_integer_null(FollowUpTasks::SentAt),
            text_null(FollowUpTasks::LastError),
        ];
        for column in task_columns {
            m.alter_table(
                Table::alter()
                    .table(FollowUpTasks::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(
            Index::create()
                .name("ix_tasks_delivery_due")
                .table(FollowUpTasks::Table)
                .col(FollowUpTasks::Status)
                .col(FollowUpTasks::NextAttemptAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecipientEndpoints::Table)
                .col(string_len(RecipientEndpoints::TenantId, 36))
                .col(string_len(RecipientEndpoints::RecipientId, 40))
                .col(string_len(RecipientEndpoints::Url, 2048))
                .col(string_len(RecipientEndpoints::Secret, 256))
                .col(big_integer(RecipientEndpoints::UpdatedAt))
                .col(string_len(RecipientEndpoints::UpdatedBy, 256))
                .primary_key(
                    Index::create()
                        .col(RecipientEndpoints::TenantId)
                        .col(RecipientEndpoints::RecipientId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RecipientEndpoints::Table, RecipientEndpoints::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(RecipientEndpoints::Table, RecipientEndpoints::RecipientId)
                        .to(Recipients::Table, Recipients::Id),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RecipientEndpoints::Table).to_owned())
            .await?;
        for name in ["ux_disclosures_delivery_id", "ix_disclosures_delivery_due"] {
            m.drop_index(
                Index::drop()
                    .name(name)
                    .table(Disclosures::Table)
                    .to_owned(),
            )
            .await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_disclosures_tenant_time")
                .table(Disclosures::Table)
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("ix_tasks_delivery_due")
                .table(FollowUpTasks::Table)
                .to_owned(),
        )
        .await?;
        for column in [
            Disclosures::DeliveryId,
            Disclosures::DeliveryStatus,
            Disclosures::Attempts,
            Disclosures::NextAttemptAt,
            Disclosures::DeliveredAt,
            Disclosures::LastError,
        ] {
            m.alter_table(
                Table::alter()
                    .table(Disclosures::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        for column in [
            FollowUpTasks::DeliveryId,
            FollowUpTasks::Attempts,
            FollowUpTasks::NextAttemptAt,
            FollowUpTasks::SentAt,
            FollowUpTasks::LastError,
        ] {
            m.alter_table(
                Table::alter()
                    .table(FollowUpTasks::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Recipients {
    Table,
    Id,
}

#[derive(DeriveIden, Clone, Copy)]
enum Disclosures {
    Table,
    TenantId,
    DisclosedAt,
    DeliveryId,
    DeliveryStatus,
    Attempts,
    NextAttemptAt,
    DeliveredAt,
    LastError,
}

#[derive(DeriveIden, Clone, Copy)]
enum FollowUpTasks {
    Table,
    Status,
    DeliveryId,
    Attempts,
    NextAttemptAt,
    SentAt,
    LastError,
}

#[derive(DeriveIden, Clone, Copy)]
enum RecipientEndpoints {
    Table,
    TenantId,
    RecipientId,
    Url,
    Secret,
    UpdatedAt,
    UpdatedBy,
}
