//! The database connection pool and schema migrations.
//!
//! SQLite is the embedded default (a file, created on first start); PostgreSQL is used when the
//! URL says so. Both run the same migrations from the `migration` crate.

use crate::config::{Backend, Config};
use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::Duration;

/// Opens the pool described by the configuration, creating the SQLite file's folder if needed.
///
/// # Errors
/// When the folder cannot be created or the database cannot be reached.
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    if config.backend() == Some(Backend::Sqlite) {
        ensure_sqlite_folder(&config.database_url)?;
    }
    let mut options = ConnectOptions::new(config.database_url.clone());
    options
        .max_connections(config.database_max_connections)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // sqlx statement logging would print bound values, which can be personal data.
        .sqlx_logging(false)
        // Per-connection SQLite settings (ignored for PostgreSQL). WAL lets readers proceed
        // while a correction is written; synchronous=NORMAL is durable across a crash of the
        // process (not of the machine's power) and spares an fsync per commit; a 2 MiB page
        // cache per connection holds the upper levels of the indexes a request walks, while
        // the leaves come from the operating system's file cache (64 MiB per
        // connection took the server to 576 MB resident at 200,000 users, 8 MiB to 200 MB at a
        // million, most of it these caches); a writer waits up to 5 s for another instead of
        // failing at once.
        .map_sqlx_sqlite_opts(|opts| {
            opts.pragma("journal_mode", "WAL")
                .pragma("synchronous", "NORMAL")
                .pragma("cache_size", "-2048")
                .pragma("temp_store", "MEMORY")
                .busy_timeout(Duration::from_secs(5))
        });
    let db = Database::connect(options)
        .await
        .context("connecting to the database")?;
    Ok(db)
}

/// Applies every pending migration.
///
/// # Errors
/// When a migration fails; the database is then left at the last successful migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let pending = Migrator::get_pending_migrations(db)
        .await
        .context("reading the migration state")?
        .len();
    Migrator::up(db, None)
        .await
        .context("applying database migrations")?;
    Ok(pending)
}

/// Number of migrations applied to this database.
///
/// # Errors
/// When the database cannot be queried.
pub async fn applied_migrations(db: &DatabaseConnection) -> anyhow::Result<usize> {
    Ok(Migrator::get_applied_migrations(db)
        .await
        .context("reading applied migrations")?
        .len())
}

fn ensure_sqlite_folder(url: &str) -> anyhow::Result<()> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the database folder {}", parent.display()))?;
        }
    }
    Ok(())
}

/// Inserts rows in statements small enough for both backends' bind-parameter limits (SQLite
/// 32,766; PostgreSQL 65,535).
///
/// # Errors
/// When the database refuses a row; the caller's transaction then rolls back.
pub async fn insert_all<A, C>(conn: &C, rows: Vec<A>) -> anyhow::Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
    <A::Entity as sea_orm::EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    C: sea_orm::ConnectionTrait,
{
    use sea_orm::{EntityTrait, Iterable};
    let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
    let per_statement = (30_000 / columns).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(conn)
            .await
            .map_err(anyhow::Error::new)?;
    }
    Ok(())
}
