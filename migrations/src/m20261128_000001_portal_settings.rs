//! Instance-wide settings kept in the database rather than the configuration file, because
//! they describe the data (for example which version of the demo data was loaded), not the
//! process. Times throughout the schema are UTC milliseconds since the Unix epoch (BIGINT): the
//! same type and ordering on SQLite and PostgreSQL, and cheap to compare in keyset pagination.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PortalSettings::Table)
                    .if_not_exists()
                    .col(string_len(PortalSettings::Key, 100).primary_key())
                    .col(text(PortalSettings::Value))
                    .col(big_integer(PortalSettings::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PortalSettings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PortalSettings {
    Table,
    Key,
    Value,
    UpdatedAt,
}
