//! Indexes the first benchmark run showed missing (issue 9): the follow-ups of a record are read
//! for every personal-data page and user JSON, and without `(tenant_id, record_id)` SQLite
//! walked every follow-up of the tenant.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_tasks_tenant_record")
                .table(FollowUpTasks::Table)
                .col(FollowUpTasks::TenantId)
                .col(FollowUpTasks::RecordId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_tasks_tenant_record")
                .table(FollowUpTasks::Table)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum FollowUpTasks {
    Table,
    TenantId,
    RecordId,
}
