//! A correction at the field's source remembers the end user's request it came from, so the
//! subject's request page can say where it stands ("approved, waiting for Entra ID") and the
//! request's outcome can name the recipients told once the source shows the new value.
//!
//! `origin_request_id` is set on `routed` rows written by an approval, empty on those an admin
//! recorded directly. The `applied` state needs no column: `decided_at` of a routed row is the
//! moment its source's data showed the new value.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(CorrectionRequests::Table)
                .add_column(big_integer_null(CorrectionRequests::OriginRequestId))
                .to_owned(),
        )
        .await?;
        // An import looks up the open corrections of the records it changes.
        m.create_index(
            Index::create()
                .name("ix_correction_requests_record")
                .table(CorrectionRequests::Table)
                .col(CorrectionRequests::TenantId)
                .col(CorrectionRequests::RecordId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_correction_requests_record")
                .table(CorrectionRequests::Table)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(CorrectionRequests::Table)
                .drop_column(CorrectionRequests::OriginRequestId)
                .to_owned(),
        )
        .await
    }
}

#[derive(DeriveIden)]
enum CorrectionRequests {
    Table,
    TenantId,
    RecordId,
    OriginRequestId,
}
