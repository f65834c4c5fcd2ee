//! The one state every door of the server shares: the plain HTTP routes, the session
//! middleware, the Leptos pages and the REST API. It holds the database pool, the
//! configuration, the ports, the sign-in provider, the job runner, the REST API's rate limiter
//! and body cap, and the clock. Built once in [`crate::startup`] and cloned into every handler;
//! what needs only a part of it takes that part through [`FromRef`].

use crate::config::Config;
use app::services::Services;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// State shared by every route.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Every port, over the same pool and clock (the REST API calls them as the pages do).
    pub services: Services,
    /// The OpenID Connect provider, when one is configured.
    /// The OpenID Connect providers (none configured: empty).
    pub oidc: Arc<crate::auth::oidc::Providers>,
    /// Runs background jobs (exports and imports).
    pub jobs: crate::services::jobs::Runner,
    /// The REST API's per-token rate limit.
    pub limiter: Arc<crate::rate_limit::Limiter>,
    /// The largest REST API request body, in bytes.
    pub body_limit: usize,
    /// The one clock every door, service and background task reads.
    pub clock: crate::clock::Clock,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
