//! Correction requests: the end user's side (own data, recipients, filing and withdrawing
//! requests) and the reviewer's (queue, approve, reject, extend, pause), with notifications.
//!
//! Lifecycle (`correction_requests.status`): `pending` → `approved` | `rejected` | `withdrawn`.
//! Every step is one transaction holding the request's new state (guarded by its `version`
//! and status, so a repeated or concurrent step cannot act twice), its audit event and its
//! notifications. Approval goes through [`personal_data::correct_in`], the admin correction's
//! own code path, inside the same transaction: a portal-owned field gets its new value; a field
//! whose truth lives elsewhere (directory, device, partner) becomes a routed correction for its
//! source; either way the recipients of the old value get follow-ups and the requester is told
//! who they are. A repeated approval or rejection answers with the stored outcome.
//!
//! Deadlines (GDPR Art. 12(3)): due one calendar month after receipt; one extension by one or
//! two further months with a reason the requester sees; pausing stops the clock, and resuming
//! moves the deadline by the paused time.

mod queue;
mod review;
mod subject;

use super::error::{finish, parse_reason, ServiceError};
use super::notifications;
use super::personal_data::{self, Made, Origin, PersonalDataService};
use super::records::context_of;
use crate::clock::Clock;
use crate::entities::disclosure::DeliveryStatus;
use crate::entities::follow_up_task::TaskKind;
use crate::entities::notification::NotificationKind;
use crate::entities::{
    account, correction_request, device, directory_user, disclosure, field_version,
    request_outcome, sharing_feature,
};
use crate::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};
use anyhow::Context;
use app::auth::Principal;
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::enums::{Category, CorrectionRoute};
use app::domain::visibility::{apply, visibility, DeviceContext, HiddenReason, Visibility};
use app::error::AppError;
use app::i18n::Key;
use app::personal_data::{CorrectionInput, RecordView};
use app::requests::{
    AtSource, DecisionOutcome, FourEyes, MyDataView, NewRequest, NotificationView, OwnRecords,
    QueueFilter, QueueView, ReceivedView, RequestStatus, RequestView, RequestsPort, ReviewView,
    QUEUE_PAGE_SIZE, QUEUE_USERS_LIMIT,
};
use app::services::BoxFuture;
use app::time::{add_months, DAY_MS};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, NotSet, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub struct RequestsService {
    pub db: DatabaseConnection,
    pub clock: Clock,
}

fn actor_of(principal: &Principal) -> Actor {
    Actor::of(principal)
}

/// The deadline as it stands now: while paused, as if the clock resumed at `now`.
fn effective_due(r: &correction_request::Model, now: i64) -> i64 {
    match r.paused_at {
        Some(paused) => r.due_at + (now - paused).max(0),
        None => r.due_at,
    }
}

/// Names for the ids a list of requests refers to.
#[derive(Default)]
struct Names {
    users: HashMap<String, String>,
    accounts: HashMap<i64, String>,
    devices: HashMap<String, String>,
    /// What each device is, for the visibility rule a proposed value is shown under.
    contexts: HashMap<String, DeviceContext>,
    outcomes: HashMap<i64, Vec<String>>,
    at_source: HashMap<i64, AtSource>,
}

impl Names {
    async fn load(
        conn: &impl ConnectionTrait,
        tenant: &str,
        requests: &[correction_request::Model],
    ) -> Result<Names, ServiceError> {
        let user_ids: BTreeSet<String> =
            requests.iter().map(|r| r.subject_user_id.clone()).collect();
        let device_ids: BTreeSet<String> = requests
            .iter()
            .filter(|r| r.record_kind == RecordKind::Device.as_str())
            .map(|r| r.record_id.clone())
            .collect();
        let account_ids: BTreeSet<i64> = requests
            .iter()
            .flat_map(|r| [r.requester_account_id, r.decided_by])
            .flatten()
            .collect();
        let request_ids: Vec<i64> = requests
            .iter()
            .filter(|r| r.status == RequestStatus::Approved)
            .map(|r| r.id)
            .collect();
        // Looked up by primary key alone, the tenant checked on the rows: with the tenant in the
        // WHERE clause SQLite walked one of the tenant's secondary indexes instead, reading
        // every user of the tenant (measured: seconds at 200,000 users).
        let users = directory_user::Entity::find()
            .filter(directory_user::Column::Id.is_in(user_ids))
            .all(conn)
            .await
            .context("reading request subjects")?
            .into_iter()
            .filter(|u| u.tenant_id == tenant)
            .map(|u| (u.id, u.display_name))
            .collect();
        let device_rows: Vec<device::Model> = device::Entity::find()
            .filter(device::Column::Id.is_in(device_ids))
            .all(conn)
            .await
            .context("reading request devices")?
            .into_iter()
            .filter(|d| d.tenant_id == tenant)
            .collect();
        let contexts = device_rows
            .iter()
            .map(|d| (d.id.clone(), context_of(d)))
            .collect();
        let devices = device_rows
            .into_iter()
            .map(|d| (d.id, format!("{} · {}", d.device_name, d.model)))
            .collect();
        let accounts = account::Entity::find()
            .filter(account::Column::TenantId.eq(tenant))
            .filter(account::Column::Id.is_in(account_ids))
            .all(conn)
            .await
            .context("reading request accounts")?
            .into_iter()
            .map(|a| (a.id, a.display_name))
            .collect();
        let outcomes = if request_ids.is_empty() {
            HashMap::new()
        } else {
            request_outcome::Entity::find()
                .filter(request_outcome::Column::TenantId.eq(tenant))
                .filter(request_outcome::Column::RequestId.is_in(request_ids.clone()))
                .all(conn)
                .await
                .context("reading request outcomes")?
                .into_iter()
                .map(|o| (o.request_id, recipients_of(&o)))
                .collect()
        };
        let at_source = at_source_of(conn, tenant, &request_ids).await?;
        Ok(Names {
            users,
            accounts,
            devices,
            contexts,
            outcomes,
            at_source,
        })
    }

    /// The request as `viewer` (the signed-in person's directory user, if any) may see it: the
    /// subject sees the value they proposed; staff see it under the field's visibility rule, as
    /// the person page shows the current value (a personal device's number by its last digits).
    fn view(
        &self,
        r: &correction_request::Model,
        now: i64,
        viewer: Option<&str>,
    ) -> Option<RequestView> {
        let field = FieldId::parse(&r.field).ok()?;
        let rule = match (field.record(), self.contexts.get(&r.record_id)) {
            _ if viewer == Some(r.subject_user_id.as_str()) => Visibility::Visible,
            (RecordKind::Device, Some(ctx)) => visibility(field, ctx),
            (RecordKind::Device, None) => Visibility::Hidden(HiddenReason::NotReported),
            _ => Visibility::Visible,
        };
        let proposed_value = apply(rule, &r.proposed_value).unwrap_or_default();
        let status = r.status;
        let record_kind = field.record();
        let subject_name = self
            .users
            .get(&r.subject_user_id)
            .cloned()
            .unwrap_or_default();
        let record_title = match record_kind {
            RecordKind::Device => self
                .devices
                .get(&r.record_id)
                .cloned()
                .unwrap_or_else(|| r.record_id.clone()),
            _ => subject_name.clone(),
        };
        let due_at = effective_due(r, now);
        Some(RequestView {
            id: r.id,
            subject_user_id: r.subject_user_id.clone(),
            subject_name,
            requester_name: r
                .requester_account_id
                .and_then(|a| self.accounts.get(&a).cloned())
                .unwrap_or_default(),
            record_kind,
            record_id: r.record_id.clone(),
            record_title,
            field,
            proposed_value,
            reason: r.reason.clone(),
            restrict_sharing: r.restrict_sharing,
            status,
            received_at: r.received_at,
            due_at,
            overdue: status == RequestStatus::Pending && r.paused_at.is_none() && now > due_at,
            paused: r.paused_at.is_some(),
            extension_reason: r.extension_reason.clone(),
            decided_at: r.decided_at,
            decided_by: r.decided_by.and_then(|a| self.accounts.get(&a).cloned()),
            decision_reason: r.decision_reason.clone(),
            informed_recipients: self.outcomes.get(&r.id).cloned().unwrap_or_default(),
            at_source: self.at_source.get(&r.id).copied(),
            version: r.version,
        })
    }
}

/// Where the corrections that the approved `request_ids` became stand at their sources, by
/// request id.
async fn at_source_of(
    conn: &impl ConnectionTrait,
    tenant: &str,
    request_ids: &[i64],
) -> Result<HashMap<i64, AtSource>, ServiceError> {
    if request_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = correction_request::Entity::find()
        .filter(correction_request::Column::TenantId.eq(tenant))
        .filter(correction_request::Column::OriginRequestId.is_in(request_ids.iter().copied()))
        .all(conn)
        .await
        .context("reading corrections at the source")?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let origin = r.origin_request_id?;
            let field = FieldId::parse(&r.field).ok()?;
            Some((
                origin,
                AtSource {
                    route: field.spec().route,
                    status: r.status,
                    applied_at: (r.status == RequestStatus::Applied)
                        .then_some(r.decided_at)
                        .flatten(),
                },
            ))
        })
        .collect())
}

fn recipients_of(outcome: &request_outcome::Model) -> Vec<String> {
    serde_json::from_str(&outcome.informed_recipients).unwrap_or_default()
}

/// Makes the request's row the transaction's first write, before anything is read: SQLite then
/// takes its writer lock up front (waiting for another writer instead of failing later on a
/// stale snapshot), and PostgreSQL locks the row, so a concurrent step on the same request waits
/// and then reads the state the first one left (a repeated decision answers with its outcome).
async fn lock_request(
    txn: &DatabaseTransaction,
    principal: &Principal,
    id: i64,
) -> Result<(), ServiceError> {
    correction_request::Entity::update_many()
        .col_expr(
            correction_request::Column::Version,
            Expr::col(correction_request::Column::Version).into(),
        )
        .filter(correction_request::Column::Id.eq(id))
        .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
        .exec(txn)
        .await?;
    Ok(())
}

/// A request of the principal's tenant; not found for any other tenant's.
async fn find_request(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    id: i64,
) -> Result<correction_request::Model, ServiceError> {
    correction_request::Entity::find_by_id(id)
        .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(correction_request::Column::Status.is_not_in(RequestStatus::AT_SOURCE))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Moves a request from `(pending, version)` to its next state; a request that is no longer
/// there (decided, or changed by someone else meanwhile) makes this fail with a conflict, and
/// the guard is in the `UPDATE` itself, so two concurrent steps cannot both pass.
async fn step(
    txn: &DatabaseTransaction,
    now: i64,
    request: &correction_request::Model,
    version: i64,
    changes: Vec<(correction_request::Column, sea_orm::Value)>,
) -> Result<(), ServiceError> {
    let mut update = correction_request::Entity::update_many()
        .col_expr(
            correction_request::Column::Version,
            Expr::value(version + 1),
        )
        .col_expr(correction_request::Column::UpdatedAt, Expr::value(now));
    for (column, value) in changes {
        update = update.col_expr(column, Expr::value(value));
    }
    let result = update
        .filter(correction_request::Column::Id.eq(request.id))
        .filter(correction_request::Column::Status.eq(RequestStatus::Pending))
        .filter(correction_request::Column::Version.eq(version))
        .exec(txn)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(ServiceError::Conflict)
    }
}

/// Appends the audit event of a request step.
async fn audit_step(
    txn: &DatabaseTransaction,
    now: i64,
    principal: &Principal,
    request: &correction_request::Model,
    action: AuditAction,
    changes: Vec<Change>,
    reason: Option<String>,
) -> Result<i64, ServiceError> {
    Ok(audit::append(
        txn,
        &principal.tenant_id,
        NewEvent {
            actor: actor_of(principal),
            action,
            target_kind: TargetKind::CorrectionRequest,
            target_id: request.id.to_string(),
            subject_user_id: Some(request.subject_user_id.clone()),
            changes,
            reason,
            occurred_at: now,
        },
    )
    .await?)
}

/// Tells every recipient that has the request's field that the field is restricted, or that
/// the restriction ended (`kind`): GDPR Art. 19 covers restriction (Art. 18) as well as
/// correction. Nothing for a request that did not ask to restrict sharing.
async fn restriction_follow_ups(
    txn: &DatabaseTransaction,
    request: &correction_request::Model,
    kind: TaskKind,
    event_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    if !request.restrict_sharing {
        return Ok(());
    }
    let Ok(field) = FieldId::parse(&request.field) else {
        return Ok(());
    };
    personal_data::notify_recipients(
        txn,
        &request.tenant_id,
        &request.record_id,
        field,
        kind,
        event_id,
        now,
    )
    .await?;
    Ok(())
}

fn status_change(before: RequestStatus, after: RequestStatus) -> Change {
    Change {
        field: "status".into(),
        before: Some(before.as_str().into()),
        after: Some(after.as_str().into()),
    }
}

impl RequestsService {
    fn personal_data(&self) -> PersonalDataService {
        PersonalDataService {
            db: self.db.clone(),
            clock: self.clock.clone(),
        }
    }

    async fn views(
        &self,
        principal: &Principal,
        requests: &[correction_request::Model],
    ) -> Result<Vec<RequestView>, ServiceError> {
        let names = Names::load(&self.db, &principal.tenant_id, requests).await?;
        let now = self.clock.now_ms();
        let viewer = principal.directory_user_id.as_deref();
        Ok(requests
            .iter()
            .filter_map(|r| names.view(r, now, viewer))
            .collect())
    }

    async fn view_of(&self, principal: &Principal, id: i64) -> Result<RequestView, ServiceError> {
        let request = find_request(&self.db, principal, id).await?;
        self.views(principal, std::slice::from_ref(&request))
            .await?
            .pop()
            .ok_or(ServiceError::NotFound)
    }
}

/// Where a correction of the request's field must be made, for its record.
async fn route_of(
    conn: &impl ConnectionTrait,
    request: &correction_request::Model,
    field: FieldId,
) -> Result<CorrectionRoute, ServiceError> {
    if field.record() != RecordKind::Device {
        return Ok(field.spec().route);
    }
    let d = device::Entity::find_by_id(request.record_id.clone())
        .filter(device::Column::TenantId.eq(request.tenant_id.clone()))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)?;
    Ok(field.spec_for(&super::records::context_of(&d)).route)
}

impl RequestsPort for RequestsService {
    fn my_data<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<MyDataView, AppError>> {
        Box::pin(async move { finish(self.load_my_data(principal).await) })
    }

    fn create<'a>(
        &'a self,
        principal: &'a Principal,
        request: NewRequest,
    ) -> BoxFuture<'a, Result<RequestView, AppError>> {
        Box::pin(async move { finish(self.create_request(principal, request).await) })
    }

    fn mine<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Vec<RequestView>, AppError>> {
        Box::pin(async move { finish(self.my_requests(principal).await) })
    }

    fn withdraw<'a>(
        &'a self,
        principal: &'a Principal,
        id: i64,
    ) -> BoxFuture<'a, Result<RequestView, AppError>> {
        Box::pin(async move { finish(self.withdraw_request(principal, id).await) })
    }

    fn queue<'a>(
        &'a self,
        principal: &'a Principal,
        filter: QueueFilter,
    ) -> BoxFuture<'a, Result<QueueView, AppError>> {
        Box::pin(async move { finish(self.load_queue(principal, filter).await) })
    }

    fn review<'a>(
        &'a self,
        principal: &'a Principal,
        id: i64,
    ) -> BoxFuture<'a, Result<ReviewView, AppError>> {
        Box::pin(async move { finish(self.load_review(principal, id).await) })
    }

    fn approve<'a>(
        &'a self,
        principal: &'a Principal,
        id: i64,
        request_version: i64,
        field_version: i64,
    ) -> BoxFuture<'a, Result<DecisionOutcome, AppError>> {
        Box::pin(async move {
            finish(
                self.approve_request(principal, id, request_version, field_version)
                    .await,
            )
        })
    }

    fn reject<'a>(
        &'a self,
        principal: &'a Principal,
        id: i64,
        request_version: i64,
        reason: String,
    ) -> BoxFuture<'a, Result<DecisionOutcome, AppError>> {
        Box::pin(async move {
            finish(
                self.reject_request(principal, id, request_version, &reason)
                    .await,
            )
        })
    }

    fn extend<'a>(
        &'a self,
        principal: &'a Principal,
        id: i64,
        request_version: i64,
        months: u32,
        reason: String,
    ) -> BoxFuture<'a, Result<RequestView, AppError>> {
        Box::pin(async move {
            finish(
                self.extend_request(principal, id, request_version, months, &reason)
                    .await,
            )
        })
    }

    fn pause<'a>(
        &'a self,
        principal: &'a Principal,
        id: i64,
        request_version: i64,
        pause: bool,
    ) -> BoxFuture<'a, Result<RequestView, AppError>> {
        Box::pin(async move {
            finish(
                self.pause_request(principal, id, request_version, pause)
                    .await,
            )
        })
    }

    fn notifications<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Vec<NotificationView>, AppError>> {
        Box::pin(async move { finish(notifications::list(&self.db, principal).await) })
    }

    fn mark_read<'a>(&'a self, principal: &'a Principal) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            finish(notifications::mark_read(&self.db, principal, self.clock.now_ms()).await)
        })
    }
}
