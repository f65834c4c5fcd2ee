//! The state the plain HTTP routes and the session middleware share: the database pool, the
//! configuration, the sign-in provider, the job runner and the clock. Built once in
//! [`crate::startup`] and cloned into every handler.

use crate::config::Config;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// State shared by the plain HTTP routes.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// The OpenID Connect provider, when one is configured.
    pub oidc: Option<Arc<crate::auth::oidc::Oidc>>,
    /// Runs background jobs (exports and imports).
    pub jobs: crate::services::jobs::Runner,
    /// The one clock every door, service and background task reads.
    pub clock: crate::clock::Clock,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
