//! Liveness and readiness probes for load balancers and orchestrators.
//!
//! `/healthz` answers as long as the process serves HTTP; `/readyz` also needs the database,
//! so an instance that lost its database is taken out of rotation instead of failing requests.

use crate::error::HttpError;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

/// Liveness: the process is up.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers a ping.
///
/// # Errors
/// 503 when the database cannot be reached.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, HttpError> {
    state.db.ping().await.map_err(|e| {
        HttpError::Unavailable(anyhow::Error::new(e).context("pinging the database"))
    })?;
    Ok(Json(json!({ "status": "ready", "database": "ok" })))
}
