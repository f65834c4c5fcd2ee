//! Sessions in the portal's own database (tower-sessions over the sea-orm pool), so they survive
//! a restart and work across several instances sharing one PostgreSQL database.
//!
//! The store type differs per backend; [`Store`] hides which one is in use so the layer has one
//! type. Expired sessions are purged by a background task.

use crate::config::Config;
use anyhow::Context;
use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use tower_sessions::cookie::time::Duration;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// Name of the session cookie over plain HTTP (development, tests). Host-only (no `Domain`),
/// so no subdomain can read it.
pub const COOKIE_NAME: &str = "portal_session";
/// Name of the session cookie when it is `Secure`: the `__Host-` prefix makes browsers refuse
/// a cookie of that name unless it is Secure, host-only and for path `/`, so neither a
/// subdomain nor a plain-HTTP answer can plant one (session fixation through a sibling site).
pub const SECURE_COOKIE_NAME: &str = "__Host-portal_session";

/// The session cookie's name for this configuration.
pub fn cookie_name(config: &Config) -> &'static str {
    if config.cookie_secure {
        SECURE_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The session store of whichever backend the portal runs on.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    /// The store over the application's own pool; creates its table if needed.
    ///
    /// # Errors
    /// When the session table cannot be created.
    pub async fn new(db: &DatabaseConnection) -> anyhow::Result<Store> {
        let store = match db.get_database_backend() {
            DatabaseBackend::Postgres => Store::Postgres(PostgresStore::new(
                db.get_postgres_connection_pool().clone(),
            )),
            _ => Store::Sqlite(SqliteStore::new(db.get_sqlite_connection_pool().clone())),
        };
        match &store {
            Store::Sqlite(s) => s.migrate().await,
            Store::Postgres(s) => s.migrate().await,
        }
        .context("creating the session table")?;
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.create(record).await,
            Store::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        // Saves only a session that is still stored: the stores' own save is an upsert, so a
        // request still in flight when its session was signed out (or expired) would otherwise
        // store it again. New sessions go through `create`.
        if self.load(&record.id).await?.is_none() {
            return Ok(());
        }
        match self {
            Store::Sqlite(s) => s.save(record).await,
            Store::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Sqlite(s) => s.load(id).await,
            Store::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete(id).await,
            Store::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s) => s.delete_expired().await,
            Store::Postgres(s) => s.delete_expired().await,
        }
    }
}

/// The session layer: HttpOnly, SameSite=Lax, Secure (and `__Host-`) when configured, idle
/// expiry.
pub fn layer(store: Store, config: &Config) -> SessionManagerLayer<Store> {
    SessionManagerLayer::new(store)
        .with_name(cookie_name(config))
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.cookie_secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(Duration::minutes(
            i64::try_from(config.session_idle_minutes).unwrap_or(60),
        )))
}

/// Purges expired sessions every `every` until the process ends.
pub fn spawn_purge(store: Store, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!("purging expired sessions failed: {e}");
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secure_session_cookie_carries_the_host_prefix_and_a_plain_one_does_not() {
        let secure = Config {
            cookie_secure: true,
            ..Config::default()
        };
        assert_eq!(cookie_name(&secure), "__Host-portal_session");
        assert_eq!(cookie_name(&Config::default()), "portal_session");
    }
}
