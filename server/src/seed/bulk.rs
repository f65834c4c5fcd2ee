//! Bulk loading into SQLite: the secondary indexes of the tables a generated tenant fills are
//! dropped before the load and built again after it, all in one transaction.
//!
//! Why: the generated rows carry random values (names, serial numbers, IMEIs, MAC and phone
//! numbers), so every row inserted into an indexed table lands on a random page of each of its
//! indexes; building an index afterwards sorts once instead. Why one transaction: SQLite's
//! schema changes are transactional, so other connections keep reading the old snapshot (with
//! its indexes) until the commit, and a load that fails or is interrupted leaves the database
//! as it was, indexes included. The cost is that other writers wait for the whole load.
//! PostgreSQL loads with its indexes in place.

use super::generator::{tenant_id_for, Plan, Report};
use crate::entities::tenant;
use anyhow::Context;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, Statement, TransactionTrait,
};
use std::time::Instant;

/// The tables a generated tenant fills, whose secondary indexes are rebuilt.
const TABLES: &[&str] = &[
    "directory_users",
    "devices",
    "device_apps",
    "disclosures",
    "correction_requests",
    "audit_events",
];

/// What a bulk load wrote, and how long building the indexes took.
pub struct Loaded {
    pub report: Report,
    /// Seconds spent building the dropped indexes again (0 on PostgreSQL).
    pub index_seconds: f64,
}

/// Generates the tenant of `plan` in one transaction; on SQLite, with the secondary indexes of
/// [`TABLES`] dropped first and created again (from their own stored definitions) before the
/// commit. Indexes that back a `UNIQUE` or primary-key constraint are SQLite's own and stay.
///
/// # Errors
/// When the load or an index statement fails; nothing is then changed.
pub async fn generate<F>(
    db: &DatabaseConnection,
    plan: &Plan,
    progress: F,
) -> anyhow::Result<Loaded>
where
    F: FnMut(&Report),
{
    // A tenant generated before is kept as it is: no reason to rebuild any index.
    if tenant::Entity::find_by_id(tenant_id_for(plan.seed))
        .one(db)
        .await?
        .is_some()
    {
        let report = super::generator::generate(db, plan, progress).await?;
        return Ok(Loaded {
            report,
            index_seconds: 0.0,
        });
    }
    let sqlite = db.get_database_backend() == DatabaseBackend::Sqlite;
    let mut definitions: Vec<(String, String)> = Vec::new();
    // The definitions are read before the transaction begins, so its first statement is a
    // write: a SQLite transaction that reads first and then writes cannot wait for another
    // writer (the job sweeper, the session purge) and fails at once with "database is locked".
    if sqlite {
        let tables = TABLES
            .iter()
            .map(|t| format!("'{t}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = db
            .query_all(Statement::from_string(
                DatabaseBackend::Sqlite,
                format!(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                     AND sql IS NOT NULL AND tbl_name IN ({tables}) ORDER BY name"
                ),
            ))
            .await
            .context("reading the index definitions")?;
        for row in rows {
            definitions.push((row.try_get("", "name")?, row.try_get("", "sql")?));
        }
    }
    let txn = db.begin().await.context("starting the bulk load")?;
    if sqlite {
        for (name, _) in &definitions {
            txn.execute_unprepared(&format!("DROP INDEX \"{name}\""))
                .await
                .with_context(|| format!("dropping index {name}"))?;
        }
    }
    let report = super::generator::generate(&txn, plan, progress).await?;
    let started = Instant::now();
    for (name, sql) in &definitions {
        txn.execute_unprepared(sql)
            .await
            .with_context(|| format!("building index {name}"))?;
    }
    let index_seconds = started.elapsed().as_secs_f64();
    txn.commit().await.context("committing the bulk load")?;
    Ok(Loaded {
        report,
        index_seconds,
    })
}
