//! Background jobs: exports and imports started from the portal run in a tokio task
//! each, record their progress in the `jobs` table as they go, and keep their result there, so
//! the jobs page can be left and reloaded, and any instance sharing the database can answer it.
//!
//! Life of a job: created `queued` (with its audit event, in one transaction), it waits for
//! one of [`RUNNERS`] permits, is claimed `running` with a conditional update, and ends `done`
//! (with the file, or an import's counts and rejection report), `failed` (with an error code,
//! never a database message) or `cancelled`. While it waits or runs, a heartbeat writes its
//! progress and `updated_at` every second; the heartbeat is also how a task learns that its job
//! was cancelled (the row is no longer in the state it expects), whichever instance cancelled
//! it, and it then drops the work: an import's batch in flight rolls back, committed batches
//! stay. A job whose heartbeat stopped for [`STALE_AFTER_MS`] (its server crashed or was
//! killed) is marked failed by the sweep, which also deletes finished jobs, results included,
//! after [`KEEP_MS`]. A server that stops normally marks its own jobs failed at once.

mod runner;
mod service;

use crate::clock::{Clock, DAY_MS};
use crate::entities::{directory_user, job};
use crate::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};
use crate::services::audit_log::AuditLogService;
use anyhow::Context;
use app::audit_log::AuditFilter;
use app::auth::Principal;
use app::error::AppError;
use app::i18n::{Key, Locale};
use app::jobs::{
    ExportRequest, JobError, JobKind, JobList, JobState, JobView, JobsPort, RejectionReason,
    RejectionView, REJECTIONS_KEPT,
};
use app::services::BoxFuture;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Jobs that run at once per instance; the others wait `queued`. Two keeps a 2-core machine
/// answering pages while exports run.
pub const RUNNERS: usize = 2;
/// A running or queued job whose heartbeat is older than this is taken for dead.
pub const STALE_AFTER_MS: i64 = 30_000;
/// Finished jobs, and their files, are deleted this long after they ended: an export is a copy
/// of personal data that a later correction or erasure does not reach, so it lives one day.
pub const KEEP_MS: i64 = DAY_MS;
/// How often a job writes its progress and heartbeat.
const HEARTBEAT: Duration = Duration::from_secs(1);
/// How often the sweep runs.
const SWEEP_EVERY: Duration = Duration::from_secs(15);
/// Good records per import transaction.
const IMPORT_BATCH: usize = 500;
/// Jobs listed on the page.
const LIST_LIMIT: u64 = 50;
/// Steps of a user export (read, render, store) and of an audit export (read and render,
/// store).
const USER_EXPORT_STEPS: u64 = 3;
const AUDIT_EXPORT_STEPS: u64 = 2;

/// What a job does, with what it needs to do it.
pub enum Work {
    /// Recorded as the starter's export (`user.exported`), as on every other export path.
    UserExport {
        tenant_id: String,
        user_id: String,
        csv: bool,
        language: Locale,
        starter: Actor,
    },
    /// Runs with the starter's authority (filters and audit event as theirs).
    AuditExport {
        principal: Box<Principal>,
        filter: AuditFilter,
    },
    /// Graph JSON Lines into the starter's tenant.
    Import {
        principal: Box<Principal>,
        bytes: Vec<u8>,
    },
}

/// Runs jobs in tokio tasks and remembers which ones are this instance's.
#[derive(Clone)]
pub struct Runner {
    db: DatabaseConnection,
    clock: Clock,
    permits: Arc<Semaphore>,
    mine: Arc<Mutex<HashSet<i64>>>,
}

/// The rejection report as stored: line, field, reason; never the value. The reason is stored
/// as its code, so the page puts it into the reader's language, not the starter's.
#[derive(Serialize, Deserialize)]
struct StoredRejection {
    line: u64,
    field: Option<String>,
    reason: RejectionReason,
}

/// How a job that ran to its end ended.
struct Outcome {
    error: Option<JobError>,
    file: Option<File>,
    import: Option<ImportCounts>,
}

struct File {
    body: String,
    name: String,
    content_type: &'static str,
}

struct ImportCounts {
    accepted: u64,
    rejected: u64,
    rejections: String,
}

fn failed(id: i64, error: JobError) -> Outcome {
    tracing::warn!(job_id = id, error = error.as_str(), "job failed");
    Outcome {
        error: Some(error),
        file: None,
        import: None,
    }
}

fn counts(report: &crate::services::import::ImportReport) -> ImportCounts {
    let accepted = report.users_inserted
        + report.users_updated
        + report.devices_inserted
        + report.devices_updated
        + report.unchanged;
    let kept: Vec<StoredRejection> = report
        .rejected
        .iter()
        .take(REJECTIONS_KEPT)
        .map(|r| StoredRejection {
            line: r.line,
            field: r.field.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    ImportCounts {
        accepted,
        rejected: u64::try_from(report.rejected.len()).unwrap_or(u64::MAX),
        rejections: serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into()),
    }
}

fn count_change(field: &str, n: u64) -> Change {
    Change {
        field: field.into(),
        before: None,
        after: Some(n.to_string()),
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn len_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn active_states() -> [&'static str; 2] {
    [JobState::Queued.as_str(), JobState::Running.as_str()]
}

/// Writes the job's heartbeat (and progress) every second while the row is in `state`;
/// returns when it no longer is (cancelled, or swept).
async fn heartbeat(
    db: &DatabaseConnection,
    clock: &Clock,
    id: i64,
    state: JobState,
    progress: Option<&AtomicU64>,
) {
    loop {
        tokio::time::sleep(HEARTBEAT).await;
        let mut update = job::Entity::update_many()
            .col_expr(job::Column::UpdatedAt, Expr::value(clock.now_ms()));
        if let Some(progress) = progress {
            let done = to_i64(progress.load(Ordering::Relaxed));
            update = update.col_expr(job::Column::ProgressDone, Expr::value(done));
        }
        match update
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::State.eq(state.as_str()))
            .exec(db)
            .await
        {
            Ok(result) if result.rows_affected == 0 => return,
            Ok(_) => {}
            // A missed beat is not fatal; the sweep allows for many.
            Err(e) => tracing::warn!(job_id = id, "job heartbeat failed: {e}"),
        }
    }
}

/// Marks the queued or running jobs that `which` selects failed with "the server stopped":
/// on a normal stop (this instance's jobs) and in the sweep (jobs whose heartbeat stopped).
async fn fail_stopped<C: ConnectionTrait>(
    db: &C,
    now: i64,
    which: sea_orm::sea_query::SimpleExpr,
) -> Result<sea_orm::UpdateResult, sea_orm::DbErr> {
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Failed.as_str()))
        .col_expr(
            job::Column::Error,
            Expr::value(JobError::ServerStopped.as_str()),
        )
        .col_expr(job::Column::FinishedAt, Expr::value(now))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::State.is_in(active_states()))
        .filter(which)
        .exec(db)
        .await
}

/// Marks jobs whose heartbeat stopped as failed and deletes finished jobs older than
/// [`KEEP_MS`]; returns how many of each.
///
/// # Errors
/// When the database fails.
pub async fn sweep<C: ConnectionTrait>(db: &C, now: i64) -> anyhow::Result<(u64, u64)> {
    let stale = fail_stopped(
        db,
        now,
        job::Column::UpdatedAt.lt(now.saturating_sub(STALE_AFTER_MS)),
    )
    .await
    .context("failing stale jobs")?;
    let purged = job::Entity::delete_many()
        .filter(job::Column::State.is_not_in(active_states()))
        .filter(job::Column::FinishedAt.lt(now.saturating_sub(KEEP_MS)))
        .exec(db)
        .await
        .context("deleting old jobs")?;
    Ok((stale.rows_affected, purged.rows_affected))
}

/// Sweeps once now (jobs left running by a server that crashed become failed) and then every
/// few seconds.
pub fn spawn_sweeper(db: DatabaseConnection, clock: Clock) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(SWEEP_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match sweep(&db, clock.now_ms()).await {
                Ok((0, 0)) => {}
                Ok((stale, purged)) => tracing::info!(stale, purged, "jobs swept"),
                Err(e) => tracing::warn!("sweeping jobs failed: {e:#}"),
            }
        }
    })
}

/// A finished job's file, for the download route.
pub struct Download {
    pub body: String,
    pub name: String,
    pub content_type: String,
}

/// The jobs port, and what the plain routes (import upload, download) need.
pub struct JobsService {
    pub db: DatabaseConnection,
    pub runner: Runner,
    pub clock: Clock,
}
