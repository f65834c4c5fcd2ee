//! The system-status check behind the overview page's "Check connection" button.

use app::error::AppError;
use app::services::{BoxFuture, StatusPort};
use app::status::StatusReport;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use std::time::Instant;

/// Reports whether the database answers and how far its schema is migrated.
pub struct StatusService {
    db: DatabaseConnection,
}

impl StatusService {
    pub fn new(db: DatabaseConnection) -> Self {
        StatusService { db }
    }
}

impl StatusPort for StatusService {
    fn status(&self) -> BoxFuture<'_, Result<StatusReport, AppError>> {
        Box::pin(async move {
            let started = Instant::now();
            let applied = crate::db::applied_migrations(&self.db)
                .await
                .map_err(|e| crate::error::internal(&e))?;
            let backend = match self.db.get_database_backend() {
                DatabaseBackend::Sqlite => "SQLite",
                DatabaseBackend::Postgres => "PostgreSQL",
                DatabaseBackend::MySql => "MySQL",
            };
            Ok(StatusReport {
                backend: backend.to_owned(),
                migrations_applied: u32::try_from(applied).unwrap_or(u32::MAX),
                elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            })
        })
    }
}
