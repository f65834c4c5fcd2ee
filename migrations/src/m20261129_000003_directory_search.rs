//! Indexes of the user directory's search, filters and sort (issue 5).
//!
//! The directory answers every page with index range scans of at most a page and one row each
//! (see `server/src/services/directory.rs`); these are the indexes those scans need beyond the
//! ones of the personal-data schema:
//!
//! - UPNs and email addresses keep the case the directory delivered (`Adele.Vance@…`) but are
//!   searched and sorted without case: expression indexes on `lower(…)`. Both are ASCII (the
//!   domain types refuse anything else), so SQLite's ASCII-only `lower` and PostgreSQL's agree.
//! - Rare filter values (a platform or ownership few devices have, a recipient few users'
//!   data went to) are read from the devices or disclosures side, so those need the filter
//!   column right after the tenant; with the user id after it, the same index answers the
//!   per-user check ("has this user an iOS device?") with one lookup, instead of reading every
//!   disclosure of the user, whose number grows with time.
//!
//! Plain `CREATE INDEX` statements: the same text runs on both backends, and sea-query's index
//! builder has no expression columns.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 5] = [
    // The UPN sort and UPN prefix search; `search_name` rides along so that a UPN prefix
    // under the name sort is answered from the index alone.
    (
        "ix_users_tenant_upn_lower",
        "directory_users (tenant_id, lower(upn), id, search_name)",
    ),
    // Email prefix search, answered from the index alone under either sort.
    (
        "ix_users_tenant_email_lower",
        "directory_users (tenant_id, lower(email), id, search_name, lower(upn))",
    ),
    // Users with a device of a platform: the rare-platform side and the per-user check.
    (
        "ix_devices_tenant_platform",
        "devices (tenant_id, platform, primary_user_id)",
    ),
    // The same for ownership.
    (
        "ix_devices_tenant_ownership",
        "devices (tenant_id, ownership, primary_user_id)",
    ),
    // Users whose data went to a recipient: the rare-recipient side and the per-user check.
    (
        "ix_disclosures_recipient_subject",
        "disclosures (tenant_id, recipient_id, subject_user_id)",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, on) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX {name} ON {on}"))
                .await?;
        }
        // PostgreSQL plans by statistics, and has none for an expression index until the next
        // ANALYZE, which autovacuum only runs after enough rows change. (SQLite plans by fixed
        // rules unless ANALYZE has run; the directory's queries are written for those rules.)
        if db.get_database_backend() == sea_orm_migration::sea_orm::DatabaseBackend::Postgres {
            db.execute_unprepared("ANALYZE directory_users, devices, disclosures")
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX {name}")).await?;
        }
        Ok(())
    }
}
