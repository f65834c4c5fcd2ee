//! Implementations of the ports that `app` declares, one module per feature.

pub mod audit;
pub mod export;
pub mod status;

use app::services::Services;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Builds every port over one database pool.
pub fn build(db: DatabaseConnection) -> Services {
    Services {
        status: Arc::new(status::StatusService::new(db)),
    }
}
