//! Implementations of the ports that `app` declares, one module per feature.

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod audit_log;
pub mod dashboard;
pub mod directory;
pub mod disclosures;
pub mod export;
pub mod jobs;
pub mod notifications;
pub mod personal_data;
pub mod requests;
pub mod sharing;
pub mod status;

use app::services::Services;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Builds every port over one database pool; background jobs run on `jobs`.
pub fn build(
    db: DatabaseConnection,
    config: &crate::config::Config,
    jobs: jobs::Runner,
) -> Services {
    let sharing: Arc<dyn app::sharing::SharingPort> = Arc::new(sharing::SharingService {
        db: db.clone(),
        connector: disclosures::Connector::new(config.delivery_policy()),
    });
    Services {
        status: Arc::new(status::StatusService::new(db.clone())),
        accounts: Arc::new(accounts::AccountsService { db: db.clone() }),
        directory: Arc::new(directory::DirectoryService { db: db.clone() }),
        personal_data: Arc::new(personal_data::PersonalDataService { db: db.clone() }),
        requests: Arc::new(requests::RequestsService { db: db.clone() }),
        audit_log: Arc::new(audit_log::AuditLogService { db: db.clone() }),
        api_tokens: Arc::new(api_tokens::ApiTokensService { db: db.clone() }),
        dashboard: Arc::new(dashboard::DashboardService {
            db: db.clone(),
            sharing: sharing.clone(),
        }),
        sharing,
        jobs: Arc::new(jobs::JobsService {
            db: db.clone(),
            runner: jobs,
        }),
        auth: Arc::new(crate::auth::demo::AuthService {
            db,
            demo_mode: config.demo_mode,
        }),
    }
}
