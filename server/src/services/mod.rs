//! Implementations of the ports that `app` declares, one module per feature.

pub mod accounts;
pub mod audit;
pub mod directory;
pub mod export;
pub mod personal_data;
pub mod status;

use app::services::Services;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Builds every port over one database pool.
pub fn build(db: DatabaseConnection, config: &crate::config::Config) -> Services {
    Services {
        status: Arc::new(status::StatusService::new(db.clone())),
        accounts: Arc::new(accounts::AccountsService { db: db.clone() }),
        directory: Arc::new(directory::DirectoryService { db: db.clone() }),
        personal_data: Arc::new(personal_data::PersonalDataService { db: db.clone() }),
        auth: Arc::new(crate::auth::demo::AuthService {
            db,
            demo_mode: config.demo_mode,
        }),
    }
}
