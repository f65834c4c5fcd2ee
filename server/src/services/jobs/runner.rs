//! The job runner: runs queued work (exports, imports) on a few tasks, reports progress with
//! a heartbeat, and records each job's end with its file or its rejections.

use super::*;

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

    pub(super) fn remember(&self, id: i64, running: bool) {
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

    pub(super) async fn run(&self, id: i64, work: Work) -> anyhow::Result<()> {
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

    pub(super) async fn work(&self, id: i64, work: Work, progress: Arc<AtomicU64>) -> Outcome {
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
                    Err(e) => {
                        // Logged here: a job has no request to answer with a reference.
                        tracing::error!(job = id, "audit-log export job failed: {e:#}");
                        failed(id, JobError::Internal)
                    }
                }
            }
            Work::Import { principal, bytes } => {
                let read = progress.clone();
                let result = crate::services::import::import_reader(
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
                    Err(e) => match e.downcast_ref::<crate::services::import::BatchFailed>() {
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

    pub(super) async fn user_export(
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
    pub(super) async fn finish(
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
                    action: AuditAction::JobImportFinished,
                    target_kind: TargetKind::Job,
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
