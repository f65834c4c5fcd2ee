//! Implementations of the ports that `app` declares, one module per feature.

pub mod accounts;
pub mod audit;
pub mod export;
pub mod status;

use app::services::Services;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Builds every port over one database pool.
pub fn build(db: DatabaseConnection, config: &crate::config::Config) -> Services {
    Services {
        status: Arc::new(status::StatusService::new(db.clone())),
        accounts: Arc::new(accounts::AccountsService { db: db.clone() }),
        auth: Arc::new(crate::auth::demo::AuthService {
            db,
            demo_mode: config.demo_mode,
        }),
    }
}
