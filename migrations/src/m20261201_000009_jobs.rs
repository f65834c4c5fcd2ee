//! Background jobs (issue 11): exports and imports started from the portal run as jobs that a
//! tenant admin can leave and come back to.
//!
//! One row per job: its tenant, kind, who started it, state, progress, times, a safe error
//! code (never a database message or personal data), and its result: the file of an export
//! is kept as text in the row itself, which works the same on SQLite and PostgreSQL and goes
//! away with the row when finished jobs are purged (after 7 days). Imports keep their counts
//! and the rejection report (line, field, reason; never the rejected values) as JSON.
//! `updated_at` doubles as the heartbeat of a running job: a job whose heartbeat stopped (its
//! server was stopped or crashed) is marked failed by the next sweep.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(big_integer(Jobs::Id).auto_increment().primary_key())
                .col(string_len(Jobs::TenantId, 36))
                .col(string_len(Jobs::Kind, 32))
                .col(big_integer(Jobs::OwnerAccountId))
                .col(string_len(Jobs::OwnerName, 256))
                .col(string_len_null(Jobs::SubjectUserId, 36))
                .col(text(Jobs::Params))
                .col(string_len(Jobs::State, 16))
                .col(big_integer(Jobs::ProgressDone))
                .col(big_integer(Jobs::ProgressTotal))
                .col(big_integer_null(Jobs::Accepted))
                .col(big_integer_null(Jobs::Rejected))
                .col(text_null(Jobs::Rejections))
                .col(string_len_null(Jobs::Error, 64))
                .col(text_null(Jobs::Result))
                .col(string_len_null(Jobs::ResultName, 255))
                .col(string_len_null(Jobs::ResultType, 64))
                .col(big_integer_null(Jobs::ResultSize))
                .col(big_integer(Jobs::CreatedAt))
                .col(big_integer(Jobs::UpdatedAt))
                .col(big_integer_null(Jobs::StartedAt))
                .col(big_integer_null(Jobs::FinishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Jobs::Table, Jobs::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        // The page lists a tenant's jobs newest first.
        m.create_index(
            Index::create()
                .name("ix_jobs_tenant")
                .table(Jobs::Table)
                .col(Jobs::TenantId)
                .col(Jobs::Id)
                .to_owned(),
        )
        .await?;
        // The sweep looks for stale running jobs and old finished ones.
        m.create_index(
            Index::create()
                .name("ix_jobs_state")
                .table(Jobs::Table)
                .col(Jobs::State)
                .col(Jobs::UpdatedAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Jobs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    TenantId,
    Kind,
    OwnerAccountId,
    OwnerName,
    SubjectUserId,
    Params,
    State,
    ProgressDone,
    ProgressTotal,
    Accepted,
    Rejected,
    Rejections,
    Error,
    Result,
    ResultName,
    ResultType,
    ResultSize,
    CreatedAt,
    UpdatedAt,
    StartedAt,
    FinishedAt,
}
