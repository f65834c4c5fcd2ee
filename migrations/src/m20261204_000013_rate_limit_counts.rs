//! Rate-limit counts shared by every instance on one database (`rate_limit_store =
//! "database"`): one row per door, key and minute, counted by an upsert. The key is a hash
//! (never a client address in clear); rows of past minutes are purged hourly.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RateLimitCounts::Table)
                .if_not_exists()
                .col(string_len(RateLimitCounts::Scope, 16))
                .col(string_len(RateLimitCounts::BucketKey, 64))
                .col(big_integer(RateLimitCounts::Minute))
                .col(big_integer(RateLimitCounts::Count))
                .primary_key(
                    Index::create()
                        .col(RateLimitCounts::Scope)
                        .col(RateLimitCounts::BucketKey)
                        .col(RateLimitCounts::Minute),
                )
                .to_owned(),
        )
        .await?;
        // The hourly purge deletes by minute.
        m.create_index(
            Index::create()
                .name("ix_rate_limit_counts_minute")
                .table(RateLimitCounts::Table)
                .col(RateLimitCounts::Minute)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateLimitCounts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RateLimitCounts {
    Table,
    Scope,
    BucketKey,
    Minute,
    Count,
}
