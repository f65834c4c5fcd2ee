//! The audit log for tenant admins and auditors: filtered pages (keyset on the per-tenant
//! sequence number, newest first), the CSV download, and the integrity check of the chain.
//!
//! Reading never changes the log; downloading it and checking it are themselves events, so the
//! log shows who took a copy and who verified it.

use super::csv_file::CsvFile;
use super::error::{finish, ServiceError};
use crate::clock::{to_rfc3339, Clock};
use crate::entities::{audit_event, directory_user};
use crate::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};
use anyhow::Context;
use app::audit_log::{
    AuditEventView, AuditFilter, AuditLogPort, AuditPage, IntegrityView, PAGE_SIZE,
};
use app::auth::Principal;
use app::error::AppError;
use app::i18n::Key;
use app::personal_data::ChangeView;
use app::services::BoxFuture;
use app::time::DAY_MS;
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use std::collections::{BTreeSet, HashMap};

pub struct AuditLogService {
    pub db: DatabaseConnection,
    pub clock: Clock,
}

fn invalid(field: &str) -> ServiceError {
    ServiceError::invalid(field, Key::ErrInvalidDate)
}

/// Epoch milliseconds of the start of a `YYYY-MM-DD` day (UTC), by the one day parser.
fn day_start(raw: &str, field: &str) -> Result<i64, ServiceError> {
    app::time::parse_day(raw).ok_or_else(|| invalid(field))
}

/// Escapes `%`, `_` and the escape character for a LIKE pattern.
fn like_prefix(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl AuditLogService {
    /// The tenant's events matching the filter (without the cursor), newest first.
    pub(crate) async fn filtered(
        &self,
        principal: &Principal,
        filter: &AuditFilter,
    ) -> Result<Select<audit_event::Entity>, ServiceError> {
        let mut query = audit_event::Entity::find()
            .filter(audit_event::Column::TenantId.eq(principal.tenant_id.clone()));
        let actor = filter.actor.trim().to_lowercase();
        if !actor.is_empty() {
            query = query.filter(
                Expr::expr(Func::lower(Expr::col(audit_event::Column::ActorName)))
                    .like(LikeExpr::new(like_prefix(&actor)).escape('\\')),
            );
        }
        if !filter.action.trim().is_empty() {
            query = query.filter(audit_event::Column::Action.eq(filter.action.trim()));
        }
        let user = filter.user.trim();
        if !user.is_empty() {
            // An id or a UPN of the tenant; an unknown one matches nothing.
            let found = directory_user::Entity::find()
                .filter(directory_user::Column::TenantId.eq(principal.tenant_id.clone()))
                .filter(
                    directory_user::Column::Id
                        .eq(user)
                        .or(
                            Expr::expr(Func::lower(Expr::col(directory_user::Column::Upn)))
                                .eq(user.to_lowercase()),
                        ),
                )
                .one(&self.db)
                .await
                .context("resolving the user filter")?;
            let id = found.map_or_else(|| user.to_owned(), |u| u.id);
            query = query.filter(audit_event::Column::SubjectUserId.eq(id));
        }
        if !filter.from.trim().is_empty() {
            query =
                query.filter(audit_event::Column::OccurredAt.gte(day_start(&filter.from, "from")?));
        }
        if !filter.to.trim().is_empty() {
            query = query
                .filter(audit_event::Column::OccurredAt.lt(day_start(&filter.to, "to")? + DAY_MS));
        }
        Ok(query.order_by_desc(audit_event::Column::Seq))
    }

    async fn page(
        &self,
        principal: &Principal,
        filter: AuditFilter,
    ) -> Result<AuditPage, ServiceError> {
        let mut query = self.filtered(principal, &filter).await?;
        if let Some(before) = filter.before {
            query = query.filter(audit_event::Column::Seq.lt(before));
        }
        let mut rows = query
            .limit(PAGE_SIZE + 1)
            .all(&self.db)
            .await
            .context("reading audit events")?;
        let more = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
        let next_before = if more {
            rows.last().map(|e| e.seq)
        } else {
            None
        };
        let events = views(&self.db, &principal.tenant_id, rows).await?;
        let actions: Vec<String> = audit_event::Entity::find()
            .select_only()
            .column(audit_event::Column::Action)
            .distinct()
            .filter(audit_event::Column::TenantId.eq(principal.tenant_id.clone()))
            .order_by_asc(audit_event::Column::Action)
            .into_tuple::<String>()
            .all(&self.db)
            .await
            .context("reading audit actions")?;
        Ok(AuditPage {
            events,
            next_before,
            actions,
        })
    }

    async fn check(&self, principal: &Principal) -> Result<IntegrityView, ServiceError> {
        let report = audit::verify_chain(&self.db, &principal.tenant_id).await?;
        let now = self.clock.now_ms();
        audit::append(
            &self.db,
            &principal.tenant_id,
            NewEvent {
                actor: actor_of(principal),
                action: AuditAction::AuditVerified,
                target_kind: TargetKind::Tenant,
                target_id: principal.tenant_id.clone(),
                subject_user_id: None,
                changes: vec![],
                reason: Some(match report.first_broken_seq {
                    None => format!("intact, {} events", report.events),
                    Some(seq) => format!("broken at event {seq}"),
                }),
                occurred_at: now,
            },
        )
        .await?;
        Ok(IntegrityView {
            events: report.events,
            first_broken_seq: report.first_broken_seq,
            checked_at: now,
        })
    }

    /// Every event matching the filter as CSV (one row per changed property), newest first,
    /// and an audit event recording the download.
    ///
    /// # Errors
    /// 422 for a malformed date; a failure when the database fails.
    pub async fn csv(
        &self,
        principal: &Principal,
        filter: AuditFilter,
    ) -> Result<String, ServiceError> {
        const BATCH: u64 = 1000;
        let mut out = CsvFile::new();
        out.row(
            [
                "seq",
                "occurred_at",
                "actor_kind",
                "actor",
                "action",
                "target_kind",
                "target_id",
                "subject_user_id",
                "property",
                "before",
                "after",
                "reason",
                "request_id",
                "hash",
            ]
            .map(String::from),
        );
        let mut before: Option<i64> = None;
        loop {
            let mut query = self.filtered(principal, &filter).await?;
            if let Some(seq) = before {
                query = query.filter(audit_event::Column::Seq.lt(seq));
            }
            let rows = query
                .limit(BATCH)
                .all(&self.db)
                .await
                .context("reading audit events for CSV")?;
            let count = rows.len();
            before = rows.last().map(|e| e.seq);
            for e in rows {
                let changes: Vec<Change> = serde_json::from_str(&e.changes).unwrap_or_default();
                let base = |field: &str, before: Option<&str>, after: Option<&str>| {
                    [
                        e.seq.to_string(),
                        to_rfc3339(e.occurred_at),
                        e.actor_kind.clone(),
                        e.actor_name.clone(),
                        e.action.clone(),
                        e.target_kind.clone(),
                        e.target_id.clone(),
                        e.subject_user_id.clone().unwrap_or_default(),
                        field.to_owned(),
                        before.unwrap_or_default().to_owned(),
                        after.unwrap_or_default().to_owned(),
                        e.reason.clone().unwrap_or_default(),
                        e.request_id.clone(),
                        e.hash.clone(),
                    ]
                };
                if changes.is_empty() {
                    out.row(base("", None, None));
                }
                for c in &changes {
                    out.row(base(&c.field, c.before.as_deref(), c.after.as_deref()));
                }
            }
            if count < usize::try_from(BATCH).unwrap_or(usize::MAX) {
                break;
            }
        }
        audit::append(
            &self.db,
            &principal.tenant_id,
            NewEvent {
                actor: actor_of(principal),
                action: AuditAction::AuditExported,
                target_kind: TargetKind::Tenant,
                target_id: principal.tenant_id.clone(),
                subject_user_id: None,
                changes: vec![],
                reason: Some(filter.query()),
                occurred_at: self.clock.now_ms(),
            },
        )
        .await?;
        Ok(out.finish())
    }
}

fn actor_of(principal: &Principal) -> Actor {
    Actor::of(principal)
}

async fn views(
    conn: &impl ConnectionTrait,
    tenant: &str,
    rows: Vec<audit_event::Model>,
) -> Result<Vec<AuditEventView>, ServiceError> {
    let subjects: BTreeSet<String> = rows
        .iter()
        .filter_map(|e| e.subject_user_id.clone())
        .collect();
    let names: HashMap<String, String> = directory_user::Entity::find()
        .filter(directory_user::Column::TenantId.eq(tenant))
        .filter(directory_user::Column::Id.is_in(subjects))
        .all(conn)
        .await
        .context("reading audit subjects")?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|e| AuditEventView {
            seq: e.seq,
            occurred_at: e.occurred_at,
            subject_name: e
                .subject_user_id
                .as_ref()
                .and_then(|s| names.get(s).cloned()),
            actor_kind: e.actor_kind,
            actor_name: e.actor_name,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            subject_user_id: e.subject_user_id,
            changes: serde_json::from_str::<Vec<Change>>(&e.changes)
                .unwrap_or_default()
                .into_iter()
                .map(|c| ChangeView {
                    field: c.field,
                    before: c.before,
                    after: c.after,
                })
                .collect(),
            reason: e.reason,
            request_id: e.request_id,
        })
        .collect())
}

impl AuditLogPort for AuditLogService {
    fn events<'a>(
        &'a self,
        principal: &'a Principal,
        filter: AuditFilter,
    ) -> BoxFuture<'a, Result<AuditPage, AppError>> {
        Box::pin(async move { finish(self.page(principal, filter).await) })
    }

    fn verify<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<IntegrityView, AppError>> {
        Box::pin(async move { finish(self.check(principal).await) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_days() {
        assert!(day_start("2026-11-28", "from").is_ok());
        for bad in ["2026-13-01", "yesterday", "2026-11", "1969-12-31", ""] {
            assert!(day_start(bad, "from").is_err(), "{bad}");
        }
    }
}
