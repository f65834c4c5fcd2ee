//! The background sharing worker: runs the sharing cycle (record what is due, deliver it, send
//! follow-ups) on a fixed interval for every tenant.
//!
//! A run that fails is logged and retried at the next tick; a run cut short by shutdown loses
//! nothing, because every step commits on its own and repeats are idempotent (see
//! [`crate::services::disclosures`]). Several instances may run it against one PostgreSQL
//! database: deliveries are claimed row by row and disclosures are unique by delivery id.

use crate::services::disclosures::{self, Connector};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Starts the worker, each cycle at the time `clock` shows; `None` when `interval` is zero
/// (turned off).
pub fn spawn(
    db: DatabaseConnection,
    connector: Connector,
    interval: Duration,
    clock: crate::clock::Clock,
) -> Option<JoinHandle<()>> {
    if interval.is_zero() {
        return None;
    }
    Some(tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The first tick completes at once; let start-up finish before the first run.
        ticks.tick().await;
        loop {
            ticks.tick().await;
            match disclosures::run_cycle(&db, &connector, clock.now_ms()).await {
                Ok(summary) if summary.recorded + summary.delivered + summary.failed > 0 => {
                    tracing::info!(
                        recorded = summary.recorded,
                        delivered = summary.delivered,
                        failed = summary.failed,
                        follow_ups_sent = summary.follow_ups_sent,
                        restricted_fields = summary.restricted_fields,
                        "sharing cycle"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!("sharing cycle failed: {e:#}"),
            }
        }
    }))
}
