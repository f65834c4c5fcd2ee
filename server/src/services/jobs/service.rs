//! The jobs page's use cases: list the tenant's jobs, start an export or an import (each an
//! audit event), cancel one, and hand out a finished file.

use super::*;
use crate::services::error::{finish, ServiceError, ServiceResult};

impl JobsPort for JobsService {
    fn list<'a>(&'a self, principal: &'a Principal) -> BoxFuture<'a, Result<JobList, AppError>> {
        Box::pin(async move { finish(self.list_jobs(principal).await) })
    }

    fn start_export<'a>(
        &'a self,
        principal: &'a Principal,
        request: ExportRequest,
        language: Locale,
    ) -> BoxFuture<'a, Result<i64, AppError>> {
        Box::pin(async move { finish(self.export(principal, request, language).await) })
    }

    fn cancel<'a>(
        &'a self,
        principal: &'a Principal,
        job_id: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.cancel_job(principal, job_id).await) })
    }
}

impl JobsService {
    pub(super) async fn list_jobs(&self, principal: &Principal) -> ServiceResult<JobList> {
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

    pub(super) async fn export(
        &self,
        principal: &Principal,
        request: ExportRequest,
        language: Locale,
    ) -> ServiceResult<i64> {
        let (kind, subject, params, total, work) = match request {
            ExportRequest::User { user_id, csv } => {
                let exists = directory_user::Entity::find_by_id(user_id.clone())
                    .filter(directory_user::Column::TenantId.eq(principal.tenant_id.clone()))
                    .count(&self.db)
                    .await
                    .context("looking up the user to export")?;
                if exists == 0 {
                    return Err(ServiceError::NotFound);
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
                audit_log.filtered(principal, &filter).await?;
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
    /// [`ServiceError::Invalid`] when too many jobs are running; [`ServiceError::Internal`] when
    /// the database fails.
    pub async fn start_import(&self, principal: &Principal, bytes: Vec<u8>) -> ServiceResult<i64> {
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
    pub(super) async fn create(
        &self,
        principal: &Principal,
        kind: JobKind,
        subject_user_id: Option<String>,
        params: String,
        total: u64,
        reason: Option<String>,
    ) -> ServiceResult<i64> {
        let active = job::Entity::find()
            .filter(job::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(job::Column::State.is_in(active_states()))
            .count(&self.db)
            .await
            .context("counting running jobs")?;
        if active >= app::jobs::MAX_ACTIVE_JOBS {
            return Err(ServiceError::invalid(
                "kind",
                app::error::Refusal::with(Key::JobsTooMany, [("count", active.to_string().into())]),
            ));
        }
        let now = self.clock.now_ms();
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
            AuditAction::JobExportStarted
        } else {
            AuditAction::JobImportStarted
        };
        audit::append(
            &txn,
            &principal.tenant_id,
            NewEvent {
                actor: Actor::of(principal),
                action,
                target_kind: TargetKind::Job,
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

    pub(super) async fn cancel_job(&self, principal: &Principal, id: i64) -> ServiceResult<()> {
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
            return Err(ServiceError::NotFound);
        };
        if cancelled.rows_affected == 0 {
            return Err(ServiceError::Conflict);
        }
        audit::append(
            &txn,
            &principal.tenant_id,
            NewEvent {
                actor: Actor::of(principal),
                action: AuditAction::JobCancelled,
                target_kind: TargetKind::Job,
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
        Ok(())
    }

    /// The file of a finished job of the principal's tenant; the download is an audit event
    /// (it hands out personal data).
    ///
    /// # Errors
    /// [`ServiceError::NotFound`] for a job of another tenant, a missing one, or one without a
    /// file (not finished, failed, an import, or purged); [`ServiceError::Internal`] when the
    /// database fails.
    pub async fn download(&self, principal: &Principal, id: i64) -> ServiceResult<Download> {
        let Some(row) = job::Entity::find_by_id(id)
            .filter(job::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(job::Column::State.eq(JobState::Done.as_str()))
            .one(&self.db)
            .await
            .context("reading a job's file")?
        else {
            return Err(ServiceError::NotFound);
        };
        let (Some(body), Some(name), Some(content_type)) =
            (row.result, row.result_name, row.result_type)
        else {
            return Err(ServiceError::NotFound);
        };
        // A person's export hands out their data again at each download: each is a read.
        // The read and the audit event commit together, or the file is not handed out.
        let txn = self.db.begin().await.context("recording a download")?;
        if let Some(subject) = row.subject_user_id.as_deref() {
            crate::services::access_log::record(
                &txn,
                &principal.tenant_id,
                &Actor::of(principal),
                subject,
                crate::entities::access_log::AccessView::Export,
                self.clock.now_ms(),
            )
            .await?;
        }
        audit::append(
            &txn,
            &principal.tenant_id,
            NewEvent {
                actor: Actor::of(principal),
                action: AuditAction::JobDownloaded,
                target_kind: TargetKind::Job,
                target_id: id.to_string(),
                subject_user_id: row.subject_user_id,
                changes: vec![],
                reason: Some(row.kind),
                occurred_at: self.clock.now_ms(),
            },
        )
        .await?;
        txn.commit().await.context("recording a download")?;
        Ok(Download {
            body,
            name,
            content_type,
        })
    }
}

/// A job without its file, as the list reads it.
#[derive(sea_orm::FromQueryResult)]
pub(super) struct ListedJob {
    pub(super) id: i64,
    pub(super) kind: String,
    pub(super) state: String,
    pub(super) owner_name: String,
    pub(super) subject_user_id: Option<String>,
    pub(super) progress_done: i64,
    pub(super) progress_total: i64,
    pub(super) accepted: Option<i64>,
    pub(super) rejected: Option<i64>,
    pub(super) rejections: Option<String>,
    pub(super) error: Option<String>,
    pub(super) result_size: Option<i64>,
    pub(super) created_at: i64,
    pub(super) started_at: Option<i64>,
    pub(super) finished_at: Option<i64>,
}
