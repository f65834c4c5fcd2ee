//! The access log: one row per read of a data subject's personal data by someone else (who,
//! whose data, which view, when). Append-only and not hash-chained: a read is far more frequent
//! than a change, and a plain insert keeps the page as fast as it was; the audit log's chain
//! stays for changes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AccessLog::Table)
                .if_not_exists()
                .col(big_integer(AccessLog::Id).auto_increment().primary_key())
                .col(string_len(AccessLog::TenantId, 64))
                .col(string_len(AccessLog::SubjectUserId, 64))
                .col(big_integer(AccessLog::At))
                .col(string_len(AccessLog::ReaderKind, 16))
                .col(string_len(AccessLog::ReaderId, 64))
                .col(string_len(AccessLog::ReaderName, 200))
                .col(string_len(AccessLog::View, 16))
                .col(string_len(AccessLog::RequestId, 64))
                .to_owned(),
        )
        .await?;
        // Every read of the log is one person's entries, newest first.
        m.create_index(
            Index::create()
                .name("ix_access_log_subject")
                .table(AccessLog::Table)
                .col(AccessLog::TenantId)
                .col(AccessLog::SubjectUserId)
                .col(AccessLog::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AccessLog::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AccessLog {
    Table,
    Id,
    TenantId,
    SubjectUserId,
    At,
    ReaderKind,
    ReaderId,
    ReaderName,
    View,
    RequestId,
}
