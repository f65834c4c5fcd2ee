//! The REST API's own tables (issue 8): API tokens and stored answers of idempotent requests.
//!
//! A token is stored only as the SHA-256 of its secret (the secret is shown once, at creation),
//! with a short non-secret prefix so people can tell their tokens apart. A token never leaves
//! its tenant and holds exactly one role. Revocation keeps the row (the audit log refers to the
//! token by id and name). Idempotency records keep the first answer to a `POST` carrying an
//! `Idempotency-Key`, per token and key, with a fingerprint of the request, so a retry gets the
//! same answer and a different request under a reused key is refused.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ApiTokens::Table)
                .col(big_integer(ApiTokens::Id).auto_increment().primary_key())
                .col(string_len(ApiTokens::TenantId, 36))
                .col(string_len(ApiTokens::Name, 100))
                .col(string_len(ApiTokens::Role, 32))
                .col(string_len_null(ApiTokens::DirectoryUserId, 36))
                .col(string_len(ApiTokens::TokenHash, 64))
                .col(string_len(ApiTokens::TokenPrefix, 16))
                .col(big_integer(ApiTokens::CreatedBy))
                .col(string_len(ApiTokens::CreatedByName, 256))
                .col(big_integer(ApiTokens::CreatedAt))
                .col(big_integer(ApiTokens::UpdatedAt))
                .col(big_integer(ApiTokens::ExpiresAt))
                .col(big_integer_null(ApiTokens::RevokedAt))
                .col(big_integer_null(ApiTokens::LastUsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiTokens::Table, ApiTokens::TenantId)
                        .to(Tenants::Table, Tenants::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_api_tokens_hash")
                .table(ApiTokens::Table)
                .col(ApiTokens::TokenHash)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_api_tokens_tenant")
                .table(ApiTokens::Table)
                .col(ApiTokens::TenantId)
                .col(ApiTokens::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiIdempotency::Table)
                .col(
                    big_integer(ApiIdempotency::Id)
                        .auto_increment()
                        .primary_key(),
                )
                .col(string_len(ApiIdempotency::TenantId, 36))
                .col(big_integer(ApiIdempotency::TokenId))
                .col(string_len(ApiIdempotency::IdempotencyKey, 255))
                .col(string_len(ApiIdempotency::Fingerprint, 64))
                .col(integer(ApiIdempotency::Status))
                .col(string_len(ApiIdempotency::ContentType, 100))
                .col(text(ApiIdempotency::Body))
                .col(big_integer(ApiIdempotency::CreatedAt))
                .col(big_integer(ApiIdempotency::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiIdempotency::Table, ApiIdempotency::TokenId)
                        .to(ApiTokens::Table, ApiTokens::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_api_idempotency_token_key")
                .table(ApiIdempotency::Table)
                .col(ApiIdempotency::TokenId)
                .col(ApiIdempotency::IdempotencyKey)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ApiIdempotency::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ApiTokens::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum ApiTokens {
    Table,
    Id,
    TenantId,
    Name,
    Role,
    DirectoryUserId,
    TokenHash,
    TokenPrefix,
    CreatedBy,
    CreatedByName,
    CreatedAt,
    UpdatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum ApiIdempotency {
    Table,
    Id,
    TenantId,
    TokenId,
    IdempotencyKey,
    Fingerprint,
    Status,
    ContentType,
    Body,
    CreatedAt,
    UpdatedAt,
}
