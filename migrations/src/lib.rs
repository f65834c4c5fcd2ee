//! Schema migrations of Privacy Portal.
//!
//! One ordered list, run unchanged on SQLite (the embedded default) and PostgreSQL, at server
//! start-up and through the `migrate` subcommand. Migrations only ever move forward in
//! production; `down` exists for tests and local experiments.

pub use sea_orm_migration::prelude::*;

mod m20261128_000001_portal_settings;
mod m20261128_000002_personal_data;
mod m20261129_000003_directory_search;
mod m20261130_000004_sharing;
mod m20261130_000005_requests;
mod m20261130_000006_api;
mod m20261130_000007_read_path_indexes;
mod m20261201_000009_jobs;
mod m20261203_000010_routed_origin;
mod m20261203_000011_identity_binding;
mod m20261204_000013_rate_limit_counts;
mod m20261204_000014_access_log;

/// The ordered migration list applied by `Migrator::up`.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261128_000001_portal_settings::Migration),
            Box::new(m20261128_000002_personal_data::Migration),
            Box::new(m20261129_000003_directory_search::Migration),
            Box::new(m20261130_000004_sharing::Migration),
            Box::new(m20261130_000005_requests::Migration),
            Box::new(m20261130_000006_api::Migration),
            Box::new(m20261130_000007_read_path_indexes::Migration),
            Box::new(m20261201_000009_jobs::Migration),
            Box::new(m20261203_000010_routed_origin::Migration),
            Box::new(m20261203_000011_identity_binding::Migration),
            Box::new(m20261204_000013_rate_limit_counts::Migration),
            Box::new(m20261204_000014_access_log::Migration),
        ]
    }
}
