//! The access log: [`record`] is called by every use case that hands a data subject's personal
//! data to a reader (the person page and the REST API through the personal-data service,
//! the review page, every export), and [`AccessLogService`] reads it back.
//!
//! A read that cannot be recorded is not served: [`record`] fails the use case, so there is no
//! read without its entry. The entry is a plain insert, not the hash-chained append of the audit
//! log (which reads the tenant's last event first and serialises writers): reads are far more
//! frequent than changes, and one indexed insert keeps the person page as cheap as it was. A
//! person reading their own data (an admin opening their own page) is recorded like anyone else.

use crate::entities::access_log::{self, AccessView};
use crate::entities::directory_user;
use crate::services::audit::Actor;
use crate::services::error::{finish, ServiceError};
use anyhow::Context;
use app::access_log::{AccessEntry, AccessLogPort, AccessPage, PAGE_SIZE};
use app::auth::Principal;
use app::domain::states::ReaderKind;
use app::error::AppError;
use app::services::BoxFuture;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

/// The longest reader name kept (the column's width); longer names are cut at a character.
const READER_NAME_MAX: usize = 200;

/// Records that `reader` read `subject_user_id`'s data through `view` at `at_ms`.
///
/// # Errors
/// When the database fails; the caller then fails the read.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    reader: &Actor,
    subject_user_id: &str,
    view: AccessView,
    at_ms: i64,
) -> Result<(), ServiceError> {
    record_many(conn, tenant_id, reader, &[subject_user_id], view, at_ms).await
}

/// Records one read per person in `subject_user_ids` (a page of a list), in one statement.
///
/// # Errors
/// When the database fails; the caller then fails the read.
pub async fn record_many<C: ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    reader: &Actor,
    subject_user_ids: &[&str],
    view: AccessView,
    at_ms: i64,
) -> Result<(), ServiceError> {
    if subject_user_ids.is_empty() {
        return Ok(());
    }
    let reader_name: String = reader.name.chars().take(READER_NAME_MAX).collect();
    let request_id = crate::request_id::current();
    access_log::Entity::insert_many(subject_user_ids.iter().map(|subject| {
        access_log::ActiveModel {
            id: NotSet,
            tenant_id: Set(tenant_id.to_owned()),
            subject_user_id: Set((*subject).to_owned()),
            at: Set(at_ms),
            reader_kind: Set(reader.kind.as_str().to_owned()),
            reader_id: Set(reader.id.clone()),
            reader_name: Set(reader_name.clone()),
            view: Set(view),
            request_id: Set(request_id.clone()),
        }
    }))
    .exec_without_returning(conn)
    .await
    .context("recording a read in the access log")?;
    Ok(())
}

/// The access-log port.
pub struct AccessLogService {
    pub db: DatabaseConnection,
}

impl AccessLogPort for AccessLogService {
    fn of_user<'a>(
        &'a self,
        principal: &'a Principal,
        user_id: &'a str,
        before: Option<i64>,
    ) -> BoxFuture<'a, Result<AccessPage, AppError>> {
        Box::pin(async move { finish(self.of_user(principal, user_id, before).await) })
    }

    fn mine<'a>(
        &'a self,
        principal: &'a Principal,
        before: Option<i64>,
    ) -> BoxFuture<'a, Result<AccessPage, AppError>> {
        Box::pin(async move { finish(self.mine(principal, before).await) })
    }
}

impl AccessLogService {
    async fn of_user(
        &self,
        principal: &Principal,
        user_id: &str,
        before: Option<i64>,
    ) -> Result<AccessPage, ServiceError> {
        let tenant = principal.tenant_id.as_str();
        // By id or UPN, as the audit log's person filter; never another tenant's person.
        let subject = directory_user::Entity::find()
            .filter(directory_user::Column::TenantId.eq(tenant))
            .filter(
                Condition::any()
                    .add(directory_user::Column::Id.eq(user_id.trim()))
                    .add(directory_user::Column::Upn.eq(user_id.trim())),
            )
            .one(&self.db)
            .await
            .context("finding the person")?
            .ok_or(ServiceError::NotFound)?;
        self.page(tenant, &subject.id, before, true).await
    }

    async fn mine(
        &self,
        principal: &Principal,
        before: Option<i64>,
    ) -> Result<AccessPage, ServiceError> {
        let subject = principal
            .directory_user_id
            .as_deref()
            .ok_or(ServiceError::Forbidden)?;
        self.page(&principal.tenant_id, subject, before, false)
            .await
    }

    async fn page(
        &self,
        tenant: &str,
        subject: &str,
        before: Option<i64>,
        with_names: bool,
    ) -> Result<AccessPage, ServiceError> {
        let mut query = access_log::Entity::find()
            .filter(access_log::Column::TenantId.eq(tenant))
            .filter(access_log::Column::SubjectUserId.eq(subject));
        if let Some(before) = before {
            query = query.filter(access_log::Column::Id.lt(before));
        }
        let rows = query
            .order_by_desc(access_log::Column::Id)
            .limit(PAGE_SIZE + 1)
            .all(&self.db)
            .await
            .context("reading the access log")?;
        let more = rows.len() as u64 > PAGE_SIZE;
        let entries: Vec<AccessEntry> = rows
            .into_iter()
            .take(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX))
            .map(|row| AccessEntry {
                id: row.id,
                at: row.at,
                reader: with_names.then_some(row.reader_name),
                // Only the three kinds read; anything else is a row this code did not write,
                // shown as the portal's and said in the log.
                reader_kind: ReaderKind::parse(&row.reader_kind).unwrap_or_else(|| {
                    tracing::warn!(entry = row.id, "access log entry of an unknown reader kind");
                    ReaderKind::System
                }),
                view: row.view,
            })
            .collect();
        let next = if more {
            entries.last().map(|e| e.id)
        } else {
            None
        };
        Ok(AccessPage { entries, next })
    }
}
