//! Background jobs (issue 11): exports and imports started from the portal run in a tokio task
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

use crate::clock::{Clock, DAY_MS};
use crate::entities::{directory_user, job};
use crate::services::audit::{self, Actor, Change, NewEvent};
use crate::services::audit_log::AuditLogService;
use anyhow::Context;
use app::audit_log::{AuditFilter, AuditLogPort};
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

impl Runner {
    /// A runner over `db`, reading time from `clock`.
    pub fn new(db: DatabaseConnection, clock: Clock) -> Runner {
        Runner {
            db,
            clock,
            permits: Arc::new(Semaphore::new(RUNNERS)),
            mine: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    /// Whether the task of job `id` is still alive on this instance (queued, running, or
    /// winding down after a cancellation).
    pub fn is_active(&self, id: i64) -> bool {
        self.mine
            .lock()
            .map(|mine| mine.contains(&id))
            .unwrap_or(false)
    }

    /// Starts the task of job `id`, which must be stored `queued`.
    pub fn start(&self, id: i64, work: Work) {
        let runner = self.clone();
        // Remembered before the task starts, so `is_active` never reports a job not yet begun.
        runner.remember(id, true);
        tokio::spawn(async move {
            if let Err(e) = runner.run(id, work).await {
                tracing::error!(job_id = id, "job bookkeeping failed: {e:#}");
            }
            runner.remember(id, false);
        });
    }

    fn remember(&self, id: i64, running: bool) {
        if let Ok(mut mine) = self.mine.lock() {
            if running {
                mine.insert(id);
            } else {
                mine.remove(&id);
            }
        }
    }

    /// Marks this instance's unfinished jobs failed: called when the server stops, so nobody
    /// waits for a heartbeat that will not come.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn stop(&self) -> anyhow::Result<()> {
        let ids: Vec<i64> = self
            .mine
            .lock()
            .map(|mine| mine.iter().copied().collect())
            .unwrap_or_default();
        if ids.is_empty() {
            return Ok(());
        }
        fail_stopped(&self.db, self.clock.now_ms(), job::Column::Id.is_in(ids))
            .await
            .context("marking this instance's jobs failed")?;
        Ok(())
    }

    async fn run(&self, id: i64, work: Work) -> anyhow::Result<()> {
        let permit = tokio::select! {
            permit = self.permits.clone().acquire_owned() => permit.context("the job runners are closed")?,
            () = heartbeat(&self.db, &self.clock, id, JobState::Queued, None) => return Ok(()),
        };
        let now = self.clock.now_ms();
        let claimed = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(JobState::Running.as_str()))
            .col_expr(job::Column::StartedAt, Expr::value(now))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::State.eq(JobState::Queued.as_str()))
            .exec(&self.db)
            .await
            .context("claiming a job")?;
        if claimed.rows_affected == 0 {
            // Cancelled (or swept) while it waited.
            return Ok(());
        }
        let progress = Arc::new(AtomicU64::new(0));
        let owner = match &work {
            Work::AuditExport { principal, .. } | Work::Import { principal, .. } => {
                Some(Actor::of(principal))
            }
            Work::UserExport { .. } => None,
        };
        let tenant_id = match &work {
            Work::UserExport { tenant_id, .. } => tenant_id.clone(),
            Work::AuditExport { principal, .. } | Work::Import { principal, .. } => {
                principal.tenant_id.clone()
            }
        };
        let outcome = tokio::select! {
            outcome = self.work(id, work, progress.clone()) => outcome,
            () = heartbeat(&self.db, &self.clock, id, JobState::Running, Some(&progress)) => return Ok(()),
        };
        drop(permit);
        self.finish(id, &tenant_id, owner, outcome).await
    }

    async fn work(&self, id: i64, work: Work, progress: Arc<AtomicU64>) -> Outcome {
        match work {
            Work::UserExport {
                tenant_id,
                user_id,
                csv,
                language,
                starter,
            } => self
                .user_export(&tenant_id, &user_id, csv, language, starter, &progress)
                .await
                .unwrap_or_else(|e| failed(id, e)),
            Work::AuditExport { principal, filter } => {
                let service = AuditLogService {
                    db: self.db.clone(),
                    clock: self.clock.clone(),
                };
                match service.csv(&principal, filter).await {
                    Ok(body) => {
                        progress.store(1, Ordering::Relaxed);
                        Outcome {
                            error: None,
                            file: Some(File {
                                body,
                                name: "audit-log.csv".into(),
                                content_type: "text/csv; charset=utf-8",
                            }),
                            import: None,
                        }
                    }
                    // Already logged with its cause by the audit-log service.
                    Err(_) => failed(id, JobError::Internal),
                }
            }
            Work::Import { principal, bytes } => {
                let read = progress.clone();
                let result = crate::import::import_reader(
                    &self.db,
                    &principal.tenant_id,
                    std::io::Cursor::new(bytes),
                    IMPORT_BATCH,
                    &self.clock,
                    move |bytes| read.store(bytes, Ordering::Relaxed),
                )
                .await;
                match result {
                    Ok(report) => Outcome {
                        error: None,
                        file: None,
                        import: Some(counts(&report)),
                    },
                    Err(e) => match e.downcast_ref::<crate::import::BatchFailed>() {
                        Some(batch) => {
                            // Its message names lines only; the database's cause may quote values.
                            tracing::error!(job_id = id, "import job stopped: {batch}");
                            Outcome {
                                error: Some(JobError::ImportBatchFailed),
                                file: None,
                                import: Some(counts(&batch.saved)),
                            }
                        }
                        None => {
                            tracing::error!(job_id = id, "import job failed: {e:#}");
                            failed(id, JobError::Internal)
                        }
                    },
                }
            }
        }
    }

    async fn user_export(
        &self,
        tenant_id: &str,
        user_id: &str,
        csv: bool,
        language: Locale,
        starter: Actor,
        progress: &AtomicU64,
    ) -> Result<Outcome, JobError> {
        use crate::services::export::{export_recorded, to_csv, ExportFormat};
        let format = if csv {
            ExportFormat::Csv
        } else {
            ExportFormat::Json
        };
        let now = self.clock.now_ms();
        let export =
            match export_recorded(&self.db, tenant_id, starter, user_id, format, language, now)
                .await
            {
                Ok(export) => export,
                Err(crate::services::error::ServiceError::NotFound) => {
                    return Err(JobError::UserNotFound)
                }
                Err(e) => {
                    tracing::error!("user export job failed: {e:#}");
                    return Err(JobError::Internal);
                }
            };
        progress.store(1, Ordering::Relaxed);
        let (body, content_type, extension) = if csv {
            (to_csv(&export, language), "text/csv; charset=utf-8", "csv")
        } else {
            let json = serde_json::to_string_pretty(&export).map_err(|e| {
                tracing::error!("user export job could not write JSON: {e}");
                JobError::Internal
            })?;
            (json, "application/json", "json")
        };
        progress.store(2, Ordering::Relaxed);
        Ok(Outcome {
            error: None,
            file: Some(File {
                body,
                name: format!("personal-data-{user_id}.{extension}"),
                content_type,
            }),
            import: None,
        })
    }

    /// Stores how the job ended, unless it was cancelled meanwhile; an import's end is an
    /// audit event of its starter, in the same transaction.
    async fn finish(
        &self,
        id: i64,
        tenant_id: &str,
        owner: Option<Actor>,
        outcome: Outcome,
    ) -> anyhow::Result<()> {
        let now = self.clock.now_ms();
        let state = if outcome.error.is_some() {
            JobState::Failed
        } else {
            JobState::Done
        };
        let txn = self.db.begin().await.context("starting a job's end")?;
        let mut update = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(state.as_str()))
            .col_expr(
                job::Column::Error,
                Expr::value(outcome.error.map(|e| e.as_str().to_owned())),
            )
            .col_expr(job::Column::FinishedAt, Expr::value(now))
            .col_expr(job::Column::UpdatedAt, Expr::value(now));
        if state == JobState::Done {
            update = update.col_expr(
                job::Column::ProgressDone,
                Expr::col(job::Column::ProgressTotal).into(),
            );
        }
        if let Some(file) = &outcome.file {
            update = update
                .col_expr(
                    job::Column::ResultSize,
                    Expr::value(len_i64(file.body.len())),
                )
                .col_expr(job::Column::ResultName, Expr::value(file.name.clone()))
                .col_expr(job::Column::ResultType, Expr::value(file.content_type))
                .col_expr(job::Column::Result, Expr::value(file.body.clone()));
        }
        if let Some(import) = &outcome.import {
            update = update
                .col_expr(job::Column::Accepted, Expr::value(to_i64(import.accepted)))
                .col_expr(job::Column::Rejected, Expr::value(to_i64(import.rejected)))
                .col_expr(
                    job::Column::Rejections,
                    Expr::value(import.rejections.clone()),
                );
        }
        let stored = update
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .exec(&txn)
            .await
            .context("storing a job's end")?;
        if stored.rows_affected == 0 {
            // Cancelled while it ran: the cancellation stays.
            return Ok(());
        }
        if let (Some(import), Some(actor)) = (&outcome.import, owner) {
            audit::append(
                &txn,
                tenant_id,
                NewEvent {
                    actor,
                    action: "job.import_finished".into(),
                    target_kind: "job".into(),
                    target_id: id.to_string(),
                    subject_user_id: None,
                    changes: vec![
                        count_change("accepted", import.accepted),
                        count_change("rejected", import.rejected),
                    ],
                    reason: outcome.error.map(|e| e.as_str().to_owned()),
                    occurred_at: now,
                },
            )
            .await?;
        }
        txn.commit().await.context("committing a job's end")?;
        Ok(())
    }
}

fn failed(id: i64, error: JobError) -> Outcome {
    tracing::warn!(job_id = id, error = error.as_str(), "job failed");
    Outcome {
        error: Some(error),
        file: None,
        import: None,
    }
}

fn counts(report: &crate::import::ImportReport) -> ImportCounts {
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

impl JobsPort for JobsService {
    fn list<'a>(&'a self, principal: &'a Principal) -> BoxFuture<'a, Result<JobList, AppError>> {
        Box::pin(async move {
            self.list_jobs(principal)
                .await
                .map_err(|e| crate::error::internal(&e))
        })
    }

    fn start_export<'a>(
        &'a self,
        principal: &'a Principal,
        request: ExportRequest,
        language: Locale,
    ) -> BoxFuture<'a, Result<i64, AppError>> {
        Box::pin(async move { self.export(principal, request, language).await })
    }

    fn cancel<'a>(
        &'a self,
        principal: &'a Principal,
        job_id: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { self.cancel_job(principal, job_id).await })
    }
}

impl JobsService {
    async fn list_jobs(&self, principal: &Principal) -> anyhow::Result<JobList> {
        // Everything but the file itself, which can be large.
        let rows = job::Entity::find()
            .select_only()
            .columns([
                job::Column::Id,
                job::Column::Kind,
                job::Column::State,
                job::Column::OwnerName,
                job::Column::SubjectUserId,
                job::Column::ProgressDone,
                job::Column::ProgressTotal,
                job::Column::Accepted,
                job::Column::Rejected,
                job::Column::Rejections,
                job::Column::Error,
                job::Column::ResultSize,
                job::Column::CreatedAt,
                job::Column::StartedAt,
                job::Column::FinishedAt,
            ])
            .filter(job::Column::TenantId.eq(principal.tenant_id.clone()))
            .order_by_desc(job::Column::Id)
            .limit(LIST_LIMIT)
            .into_model::<ListedJob>()
            .all(&self.db)
            .await
            .context("listing jobs")?;
        let subjects: HashSet<String> = rows
            .iter()
            .filter_map(|j| j.subject_user_id.clone())
            .collect();
        let names: HashMap<String, String> = if subjects.is_empty() {
            HashMap::new()
        } else {
            directory_user::Entity::find()
                .filter(directory_user::Column::TenantId.eq(principal.tenant_id.clone()))
                .filter(directory_user::Column::Id.is_in(subjects))
                .all(&self.db)
                .await
                .context("reading the names of exported users")?
                .into_iter()
                .map(|u| (u.id, u.display_name))
                .collect()
        };
        let jobs = rows
            .into_iter()
            .filter_map(|j| {
                let kind = JobKind::parse(&j.kind)?;
                let state = JobState::parse(&j.state)?;
                let rejections: Vec<StoredRejection> = j
                    .rejections
                    .as_deref()
                    .and_then(|r| serde_json::from_str(r).ok())
                    .unwrap_or_default();
                Some(JobView {
                    id: j.id,
                    kind,
                    state,
                    owner_name: j.owner_name,
                    subject_name: j
                        .subject_user_id
                        .as_ref()
                        .and_then(|s| names.get(s).cloned()),
                    subject_user_id: j.subject_user_id,
                    progress_done: to_u64(j.progress_done),
                    progress_total: to_u64(j.progress_total),
                    accepted: j.accepted.map(to_u64),
                    rejected: j.rejected.map(to_u64),
                    rejections: rejections
                        .into_iter()
                        .map(|r| RejectionView {
                            line: r.line,
                            field: r.field,
                            reason: r.reason,
                        })
                        .collect(),
                    error: j.error.as_deref().map(JobError::parse),
                    created_at: j.created_at,
                    started_at: j.started_at,
                    finished_at: j.finished_at,
                    result_size: j.result_size.map(to_u64),
                })
            })
            .collect();
        Ok(JobList { jobs })
    }

    async fn export(
        &self,
        principal: &Principal,
        request: ExportRequest,
        language: Locale,
    ) -> Result<i64, AppError> {
        let internal = |e: anyhow::Error| crate::error::internal(&e);
        let (kind, subject, params, total, work) = match request {
            ExportRequest::User { user_id, csv } => {
                let exists = directory_user::Entity::find_by_id(user_id.clone())
                    .filter(directory_user::Column::TenantId.eq(principal.tenant_id.clone()))
                    .count(&self.db)
                    .await
                    .context("looking up the user to export")
                    .map_err(internal)?;
                if exists == 0 {
                    return Err(AppError::NotFound);
                }
                let kind = if csv {
                    JobKind::ExportUserCsv
                } else {
                    JobKind::ExportUserJson
                };
                let params = serde_json::json!({ "lang": language.code() }).to_string();
                let work = Work::UserExport {
                    tenant_id: principal.tenant_id.clone(),
                    user_id: user_id.clone(),
                    csv,
                    language,
                    starter: Actor::of(principal),
                };
                (kind, Some(user_id), params, USER_EXPORT_STEPS, work)
            }
            ExportRequest::Audit { filter } => {
                // Refuses a malformed date now rather than failing the job later.
                let audit_log = AuditLogService {
                    db: self.db.clone(),
                    clock: self.clock.clone(),
                };
                audit_log.events(principal, filter.clone()).await?;
                let params = serde_json::json!({ "filter": filter.query() }).to_string();
                let work = Work::AuditExport {
                    principal: Box::new(principal.clone()),
                    filter,
                };
                (
                    JobKind::ExportAuditCsv,
                    None,
                    params,
                    AUDIT_EXPORT_STEPS,
                    work,
                )
            }
        };
        let id = self
            .create(principal, kind, subject, params, total, None)
            .await?;
        self.runner.start(id, work);
        Ok(id)
    }

    /// Starts an import of Graph JSON Lines into the principal's tenant (an audit event) and
    /// returns the job's id.
    ///
    /// # Errors
    /// [`AppError::Invalid`] when too many jobs are running; [`AppError::Internal`] when the
    /// database fails.
    pub async fn start_import(
        &self,
        principal: &Principal,
        bytes: Vec<u8>,
    ) -> Result<i64, AppError> {
        let total = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let id = self
            .create(
                principal,
                JobKind::ImportDirectory,
                None,
                "{}".into(),
                total,
                Some(format!("{total} bytes")),
            )
            .await?;
        self.runner.start(
            id,
            Work::Import {
                principal: Box::new(principal.clone()),
                bytes,
            },
        );
        Ok(id)
    }

    /// Stores a queued job and its audit event in one transaction.
    #[allow(clippy::too_many_arguments)] // each is a column of the job
    async fn create(
        &self,
        principal: &Principal,
        kind: JobKind,
        subject_user_id: Option<String>,
        params: String,
        total: u64,
        reason: Option<String>,
    ) -> Result<i64, AppError> {
        let internal = |e: anyhow::Error| crate::error::internal(&e);
        let active = job::Entity::find()
            .filter(job::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(job::Column::State.is_in(active_states()))
            .count(&self.db)
            .await
            .context("counting running jobs")
            .map_err(internal)?;
        if active >= app::jobs::MAX_ACTIVE_JOBS {
            return Err(AppError::invalid(
                "kind",
                app::error::Refusal::with(Key::JobsTooMany, [("count", active.to_string().into())]),
            ));
        }
        let now = self.clock.now_ms();
        let result: anyhow::Result<i64> = async {
            let txn = self.db.begin().await.context("starting a job")?;
            let row = job::ActiveModel {
                tenant_id: Set(principal.tenant_id.clone()),
                kind: Set(kind.as_str().into()),
                owner_account_id: Set(principal.account_id),
                owner_name: Set(principal.actor_name()),
                subject_user_id: Set(subject_user_id.clone()),
                params: Set(params),
                state: Set(JobState::Queued.as_str().into()),
                progress_done: Set(0),
                progress_total: Set(to_i64(total)),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .context("storing a job")?;
            let action = if kind.is_export() {
                "job.export_started"
            } else {
                "job.import_started"
            };
            audit::append(
                &txn,
                &principal.tenant_id,
                NewEvent {
                    actor: Actor::of(principal),
                    action: action.into(),
                    target_kind: "job".into(),
                    target_id: row.id.to_string(),
                    subject_user_id,
                    changes: vec![],
                    reason: reason.or_else(|| Some(kind.as_str().into())),
                    occurred_at: now,
                },
            )
            .await?;
            txn.commit().await.context("committing a job")?;
            Ok(row.id)
        }
        .await;
        result.map_err(internal)
    }

    async fn cancel_job(&self, principal: &Principal, id: i64) -> Result<(), AppError> {
        let result: anyhow::Result<Result<(), AppError>> = async {
            // Write first: on SQLite a transaction that reads before it writes cannot wait for
            // the lock an import batch holds, and fails at once.
            let txn = self.db.begin().await.context("starting a cancellation")?;
            let now = self.clock.now_ms();
            let cancelled = job::Entity::update_many()
                .col_expr(
                    job::Column::State,
                    Expr::value(JobState::Cancelled.as_str()),
                )
                .col_expr(job::Column::FinishedAt, Expr::value(now))
                .col_expr(job::Column::UpdatedAt, Expr::value(now))
                .filter(job::Column::Id.eq(id))
                .filter(job::Column::TenantId.eq(principal.tenant_id.clone()))
                .filter(job::Column::State.is_in(active_states()))
                .exec(&txn)
                .await
                .context("cancelling a job")?;
            let row = job::Entity::find_by_id(id)
                .select_only()
                .columns([job::Column::Id, job::Column::SubjectUserId])
                .filter(job::Column::TenantId.eq(principal.tenant_id.clone()))
                .into_tuple::<(i64, Option<String>)>()
                .one(&txn)
                .await
                .context("reading the cancelled job")?;
            let Some(row) = row else {
                return Ok(Err(AppError::NotFound));
            };
            if cancelled.rows_affected == 0 {
                return Ok(Err(AppError::Conflict));
            }
            audit::append(
                &txn,
                &principal.tenant_id,
                NewEvent {
                    actor: Actor::of(principal),
                    action: "job.cancelled".into(),
                    target_kind: "job".into(),
                    target_id: row.0.to_string(),
                    subject_user_id: row.1,
                    changes: vec![Change {
                        field: "state".into(),
                        before: None,
                        after: Some(JobState::Cancelled.as_str().into()),
                    }],
                    reason: None,
                    occurred_at: now,
                },
            )
            .await?;
            txn.commit().await.context("committing a cancellation")?;
            Ok(Ok(()))
        }
        .await;
        result.map_err(|e| crate::error::internal(&e))?
    }

    /// The file of a finished job of the principal's tenant; the download is an audit event
    /// (it hands out personal data).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for a job of another tenant, a missing one, or one without a file
    /// (not finished, failed, an import, or purged); [`AppError::Internal`] when the database
    /// fails.
    pub async fn download(&self, principal: &Principal, id: i64) -> Result<Download, AppError> {
        let result: anyhow::Result<Option<Download>> = async {
            let Some(row) = job::Entity::find_by_id(id)
                .filter(job::Column::TenantId.eq(principal.tenant_id.clone()))
                .filter(job::Column::State.eq(JobState::Done.as_str()))
                .one(&self.db)
                .await
                .context("reading a job's file")?
            else {
                return Ok(None);
            };
            let (Some(body), Some(name), Some(content_type)) =
                (row.result, row.result_name, row.result_type)
            else {
                return Ok(None);
            };
            audit::append(
                &self.db,
                &principal.tenant_id,
                NewEvent {
                    actor: Actor::of(principal),
                    action: "job.downloaded".into(),
                    target_kind: "job".into(),
                    target_id: id.to_string(),
                    subject_user_id: row.subject_user_id,
                    changes: vec![],
                    reason: Some(row.kind),
                    occurred_at: self.clock.now_ms(),
                },
            )
            .await?;
            Ok(Some(Download {
                body,
                name,
                content_type,
            }))
        }
        .await;
        result
            .map_err(|e| crate::error::internal(&e))?
            .ok_or(AppError::NotFound)
    }
}

/// A job without its file, as the list reads it.
#[derive(sea_orm::FromQueryResult)]
struct ListedJob {
    id: i64,
    kind: String,
    state: String,
    owner_name: String,
    subject_user_id: Option<String>,
    progress_done: i64,
    progress_total: i64,
    accepted: Option<i64>,
    rejected: Option<i64>,
    rejections: Option<String>,
    error: Option<String>,
    result_size: Option<i64>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
}
