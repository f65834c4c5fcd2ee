//! Implementations of the ports that `app` declares, one module per feature.

pub mod access_log;
pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod audit_log;
pub mod csv_file;
pub mod dashboard;
pub mod directory;
pub mod disclosures;
pub mod error;
pub mod export;
pub mod follow_ups;
pub mod import;
pub mod jobs;
pub mod notifications;
pub mod personal_data;
pub mod records;
pub mod requests;
pub mod sharing;
pub mod status;

use crate::clock::Clock;
use app::services::Services;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// Builds every port over one database pool and one clock; background jobs run on `jobs`.
pub fn build(
    db: DatabaseConnection,
    config: &crate::config::Config,
    jobs: jobs::Runner,
    clock: Clock,
) -> Services {
    let sharing: Arc<dyn app::sharing::SharingPort> = Arc::new(sharing::SharingService {
        db: db.clone(),
        connector: disclosures::Connector::new(config.delivery_policy()),
        clock: clock.clone(),
    });
    Services {
        status: Arc::new(status::StatusService::new(db.clone())),
        accounts: Arc::new(accounts::AccountsService {
            db: db.clone(),
            clock: clock.clone(),
        }),
        directory: Arc::new(directory::DirectoryService {
            db: db.clone(),
            clock: clock.clone(),
        }),
        personal_data: Arc::new(personal_data::PersonalDataService {
            db: db.clone(),
            clock: clock.clone(),
        }),
        requests: Arc::new(requests::RequestsService {
            db: db.clone(),
            clock: clock.clone(),
        }),
        audit_log: Arc::new(audit_log::AuditLogService {
            db: db.clone(),
            clock: clock.clone(),
        }),
        api_tokens: Arc::new(api_tokens::ApiTokensService {
            db: db.clone(),
            clock: clock.clone(),
        }),
        dashboard: Arc::new(dashboard::DashboardService {
            db: db.clone(),
            sharing: sharing.clone(),
            clock: clock.clone(),
        }),
        sharing,
        jobs: Arc::new(jobs::JobsService {
            db: db.clone(),
            runner: jobs,
            clock,
        }),
        access_log: Arc::new(access_log::AccessLogService { db: db.clone() }),
        auth: Arc::new(crate::auth::demo::AuthService {
            db,
            demo_mode: config.demo_mode,
        }),
    }
}
