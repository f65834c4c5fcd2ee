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

use super::error::{finish, parse_reason, ServiceError};
use super::notifications;
use super::personal_data::{self, PersonalDataService};
use crate::clock::Clock;
use crate::entities::{
    account, correction_request, device, directory_user, disclosure, field_version,
    request_outcome, sharing_feature,
};
use crate::services::audit::{self, Actor, Change, NewEvent};
use anyhow::Context;
use app::auth::Principal;
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::enums::{Category, CorrectionRoute};
use app::error::AppError;
use app::i18n::Key;
use app::personal_data::{CorrectionInput, RecordView, UserDataView};
use app::requests::{
    DecisionOutcome, FourEyes, MyDataView, NewRequest, NotificationView, QueueFilter, QueueView,
    ReceivedView, RequestStatus, RequestView, RequestsPort, ReviewView, QUEUE_PAGE_SIZE,
    QUEUE_USERS_LIMIT,
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

fn invalid(field: &str, reason: impl Into<app::error::Refusal>) -> ServiceError {
    ServiceError::invalid(field, reason)
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
    outcomes: HashMap<i64, Vec<String>>,
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
            .filter(|r| r.record_kind == "device")
            .map(|r| r.record_id.clone())
            .collect();
        let account_ids: BTreeSet<i64> = requests
            .iter()
            .flat_map(|r| [r.requester_account_id, r.decided_by])
            .flatten()
            .collect();
        let request_ids: Vec<i64> = requests
            .iter()
            .filter(|r| r.status == "approved")
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
        let devices = device::Entity::find()
            .filter(device::Column::Id.is_in(device_ids))
            .all(conn)
            .await
            .context("reading request devices")?
            .into_iter()
            .filter(|d| d.tenant_id == tenant)
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
                .filter(request_outcome::Column::RequestId.is_in(request_ids))
                .all(conn)
                .await
                .context("reading request outcomes")?
                .into_iter()
                .map(|o| (o.request_id, recipients_of(&o)))
                .collect()
        };
        Ok(Names {
            users,
            accounts,
            devices,
            outcomes,
        })
    }

    fn view(&self, r: &correction_request::Model, now: i64) -> Option<RequestView> {
        let field = FieldId::parse(&r.field).ok()?;
        let status = RequestStatus::parse(&r.status)?;
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
            proposed_value: r.proposed_value.clone(),
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
            version: r.version,
        })
    }
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
        .filter(correction_request::Column::Status.ne("routed"))
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
        .filter(correction_request::Column::Status.eq("pending"))
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
    action: &str,
    changes: Vec<Change>,
    reason: Option<String>,
) -> Result<i64, ServiceError> {
    Ok(audit::append(
        txn,
        &principal.tenant_id,
        NewEvent {
            actor: actor_of(principal),
            action: action.into(),
            target_kind: "correction_request".into(),
            target_id: request.id.to_string(),
            subject_user_id: Some(request.subject_user_id.clone()),
            changes,
            reason,
            occurred_at: now,
        },
    )
    .await?)
}

fn status_change(before: &str, after: &str) -> Change {
    Change {
        field: "status".into(),
        before: Some(before.into()),
        after: Some(after.into()),
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
        Ok(requests.iter().filter_map(|r| names.view(r, now)).collect())
    }

    async fn view_of(&self, principal: &Principal, id: i64) -> Result<RequestView, ServiceError> {
        let request = find_request(&self.db, principal, id).await?;
        self.views(principal, std::slice::from_ref(&request))
            .await?
            .pop()
            .ok_or(ServiceError::NotFound)
    }

    async fn load_my_data(&self, principal: &Principal) -> Result<MyDataView, ServiceError> {
        let me = principal
            .directory_user_id
            .clone()
            .ok_or(ServiceError::Forbidden)?;
        let mut data: UserDataView = self.personal_data().load(principal, &me).await?;
        // The staff-facing parts (trail of staff actions, follow-ups with partners, routed
        // corrections) are not part of the end user's page; their requests are listed apart.
        data.history.clear();
        data.follow_ups.clear();
        data.routed.clear();
        let mut titles: HashMap<String, String> = HashMap::new();
        titles.insert(data.user.id.clone(), data.user.title.clone());
        for d in &data.devices {
            titles.insert(d.record.id.clone(), d.record.title.clone());
        }
        let records: Vec<String> = titles.keys().cloned().collect();
        let disclosures = disclosure::Entity::find()
            .filter(disclosure::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(disclosure::Column::RecordId.is_in(records))
            .order_by_asc(disclosure::Column::DisclosedAt)
            .all(&self.db)
            .await
            .context("reading the user's disclosures")?;
        let features: HashMap<String, sharing_feature::Model> = sharing_feature::Entity::find()
            .all(&self.db)
            .await
            .context("reading features")?
            .into_iter()
            .map(|f| (f.id.clone(), f))
            .collect();
        let recipients = receipts_by_recipient(&data.user, &data.devices);
        let mut grouped: BTreeMap<(String, String, String), ReceivedView> = BTreeMap::new();
        for d in &disclosures {
            let fields: BTreeSet<&str> = d.fields.split(',').filter(|f| !f.is_empty()).collect();
            // Values outside the catalogue (push tokens, resource names) belong to the record.
            let record_category = if d.record_kind == "user" {
                Category::Identity
            } else {
                Category::Device
            };
            let feature = features.get(&d.feature_id);
            let entry = grouped
                .entry((
                    d.record_id.clone(),
                    d.recipient_id.clone(),
                    d.feature_id.clone(),
                ))
                .or_insert_with(|| ReceivedView {
                    record_title: titles.get(&d.record_id).cloned().unwrap_or_default(),
                    recipient_name: recipients
                        .get(&d.recipient_id)
                        .map_or_else(|| d.recipient_id.clone(), |(name, _)| name.clone()),
                    is_agent: recipients.get(&d.recipient_id).is_some_and(|(_, a)| *a),
                    feature_name: feature.map_or_else(|| d.feature_id.clone(), |f| f.name.clone()),
                    purpose: d.purpose.clone(),
                    categories: Vec::new(),
                    fields: Vec::new(),
                    first_at: d.disclosed_at,
                    last_at: d.disclosed_at,
                    count: 0,
                });
            entry.count += 1;
            entry.last_at = entry.last_at.max(d.disclosed_at);
            entry.first_at = entry.first_at.min(d.disclosed_at);
            for f in fields {
                if !entry.fields.iter().any(|known| known == f) {
                    entry.fields.push(f.to_owned());
                }
                let category = FieldId::parse(f).map_or(record_category, |f| f.spec().category);
                if !entry.categories.contains(&category) {
                    entry.categories.push(category);
                }
            }
        }
        let mut received: Vec<ReceivedView> = grouped.into_values().collect();
        received.sort_by_key(|r| std::cmp::Reverse(r.last_at));
        Ok(MyDataView { data, received })
    }

    async fn create_request(
        &self,
        principal: &Principal,
        input: NewRequest,
    ) -> Result<RequestView, ServiceError> {
        let me = principal
            .directory_user_id
            .clone()
            .ok_or(ServiceError::Forbidden)?;
        let reason = parse_reason(&input.reason)?.into_string();
        let txn = self.db.begin().await?;
        // A write first (it changes nothing), for the reason given at [`lock_request`]: an
        // open request for the same field, if any, is locked while this one is checked.
        correction_request::Entity::update_many()
            .col_expr(
                correction_request::Column::Version,
                Expr::col(correction_request::Column::Version).into(),
            )
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::RecordId.eq(input.record_id.clone()))
            .filter(correction_request::Column::Field.eq(input.field.as_str()))
            .filter(correction_request::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        let route = match input.field.record() {
            RecordKind::User if input.record_id == me => input.field.spec().route,
            RecordKind::Device => {
                let d = device::Entity::find_by_id(input.record_id.clone())
                    .filter(device::Column::TenantId.eq(principal.tenant_id.clone()))
                    .filter(device::Column::PrimaryUserId.eq(me.clone()))
                    .one(&txn)
                    .await?
                    .ok_or(ServiceError::NotFound)?;
                input.field.spec_for(&super::export::context_of(&d)).route
            }
            _ => return Err(ServiceError::NotFound),
        };
        if route == CorrectionRoute::Never {
            return Err(invalid("field", Key::ErrNeverCorrected));
        }
        let value = input
            .field
            .parse_value(&input.value)
            .map_err(|e| invalid("value", e))?;
        let open = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::RecordId.eq(input.record_id.clone()))
            .filter(correction_request::Column::Field.eq(input.field.as_str()))
            .filter(correction_request::Column::Status.eq("pending"))
            .one(&txn)
            .await?;
        if open.is_some() {
            // One open request per field: a double submit does not file two.
            return Err(ServiceError::Conflict);
        }
        let base_version = field_version::Entity::find_by_id((
            input.record_id.clone(),
            input.field.as_str().to_owned(),
        ))
        .one(&txn)
        .await?
        .map_or(0, |v| v.version);
        let now = self.clock.now_ms();
        let request = correction_request::ActiveModel {
            id: NotSet,
            tenant_id: Set(principal.tenant_id.clone()),
            requester_account_id: Set(Some(principal.account_id)),
            subject_user_id: Set(me.clone()),
            record_kind: Set(input.field.record().as_str().into()),
            record_id: Set(input.record_id.clone()),
            field: Set(input.field.as_str().into()),
            proposed_value: Set(value.clone()),
            base_version: Set(base_version),
            reason: Set(reason.clone()),
            restrict_sharing: Set(input.restrict_sharing),
            status: Set("pending".into()),
            received_at: Set(now),
            due_at: Set(add_months(now, 1)),
            extension_reason: Set(None),
            paused_at: Set(None),
            decided_by: Set(None),
            decided_at: Set(None),
            decision_reason: Set(None),
            version: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let mut changes = vec![Change {
            field: input.field.as_str().into(),
            before: None,
            after: Some(value),
        }];
        if input.restrict_sharing {
            changes.push(Change {
                field: "restrict_sharing".into(),
                before: None,
                after: Some("true".into()),
            });
        }
        audit_step(
            &txn,
            now,
            principal,
            &request,
            "request.created",
            changes,
            Some(reason),
        )
        .await?;
        notifications::to_reviewers(&txn, principal, request.id, now).await?;
        txn.commit().await?;
        self.view_of(principal, request.id).await
    }

    async fn my_requests(&self, principal: &Principal) -> Result<Vec<RequestView>, ServiceError> {
        let me = principal
            .directory_user_id
            .clone()
            .ok_or(ServiceError::Forbidden)?;
        let requests = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::SubjectUserId.eq(me))
            .filter(correction_request::Column::Status.ne("routed"))
            .order_by_desc(correction_request::Column::Id)
            .all(&self.db)
            .await
            .context("reading own requests")?;
        self.views(principal, &requests).await
    }

    async fn withdraw_request(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<RequestView, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        let now = self.clock.now_ms();
        let mine = principal.directory_user_id.as_deref() == Some(request.subject_user_id.as_str())
            && request.requester_account_id == Some(principal.account_id);
        if !mine {
            // Someone else's request does not exist for this end user.
            return Err(ServiceError::NotFound);
        }
        if request.status != "pending" {
            return Err(ServiceError::Conflict);
        }
        step(
            &txn,
            now,
            &request,
            request.version,
            vec![(
                correction_request::Column::Status,
                "withdrawn".to_owned().into(),
            )],
        )
        .await?;
        audit_step(
            &txn,
            now,
            principal,
            &request,
            "request.withdrawn",
            vec![status_change("pending", "withdrawn")],
            None,
        )
        .await?;
        txn.commit().await?;
        self.view_of(principal, id).await
    }

    /// One page of the queue, by deadline. Every filter is a condition of the query, and the
    /// page starts after the cursor `(due_at, id)`, so a page reads a bounded number of rows of
    /// `ix_requests_tenant_status` however many requests are open (issue 9: the queue used to
    /// read and name every open request of the tenant).
    async fn load_queue(
        &self,
        principal: &Principal,
        filter: QueueFilter,
    ) -> Result<QueueView, ServiceError> {
        let bad = |name: &str| invalid(name, Key::ErrInvalidFilter);
        let now = self.clock.now_ms();
        let mut query = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()));
        match filter.status.as_str() {
            "" => query = query.filter(correction_request::Column::Status.eq("pending")),
            "all" => query = query.filter(correction_request::Column::Status.ne("routed")),
            other => {
                let status = RequestStatus::parse(other)
                    .filter(|s| s.as_str() != "routed")
                    .ok_or_else(|| bad("status"))?;
                query = query.filter(correction_request::Column::Status.eq(status.as_str()));
            }
        }
        if !filter.category.is_empty() {
            let category = Category::parse(&filter.category).map_err(|_| bad("category"))?;
            let fields: Vec<&str> = FieldId::ALL
                .iter()
                .filter(|f| f.spec().category == category)
                .map(|f| f.as_str())
                .collect();
            query = query.filter(correction_request::Column::Field.is_in(fields));
        }
        if !filter.age.is_empty() {
            let days = filter
                .age
                .parse::<i64>()
                .ok()
                .filter(|d| (0..=3650).contains(d))
                .ok_or_else(|| bad("age"))?;
            query = query.filter(correction_request::Column::ReceivedAt.lte(now - days * DAY_MS));
        }
        if !filter.user.is_empty() {
            query = query.filter(correction_request::Column::SubjectUserId.eq(filter.user.clone()));
        }
        let pending = || correction_request::Column::Status.eq("pending");
        let running = || correction_request::Column::PausedAt.is_null();
        match filter.due.as_str() {
            "" => {}
            "overdue" => {
                query = query
                    .filter(pending())
                    .filter(running())
                    .filter(correction_request::Column::DueAt.lt(now));
            }
            // While paused the deadline moves with the clock: due - paused is what is left.
            "week" => {
                query = query.filter(pending()).filter(
                    Condition::any()
                        .add(
                            Condition::all()
                                .add(running())
                                .add(correction_request::Column::DueAt.lte(now + 7 * DAY_MS)),
                        )
                        .add(
                            Condition::all()
                                .add(correction_request::Column::PausedAt.is_not_null())
                                .add(
                                    Expr::expr(
                                        Expr::col(correction_request::Column::DueAt)
                                            .sub(Expr::col(correction_request::Column::PausedAt)),
                                    )
                                    .lte(7 * DAY_MS),
                                ),
                        ),
                );
            }
            _ => return Err(bad("due")),
        }
        if !filter.after.is_empty() {
            let (due, id) = filter
                .after
                .split_once('.')
                .and_then(|(d, i)| Some((d.parse::<i64>().ok()?, i.parse::<i64>().ok()?)))
                .ok_or_else(|| bad("after"))?;
            query = query.filter(
                Expr::tuple([
                    Expr::col(correction_request::Column::DueAt).into(),
                    Expr::col(correction_request::Column::Id).into(),
                ])
                .gt(Expr::tuple([Expr::val(due).into(), Expr::val(id).into()])),
            );
        }
        let mut requests = query
            .order_by_asc(correction_request::Column::DueAt)
            .order_by_asc(correction_request::Column::Id)
            .limit(QUEUE_PAGE_SIZE + 1)
            .all(&self.db)
            .await
            .context("reading the queue")?;
        let next = if requests.len() > usize::try_from(QUEUE_PAGE_SIZE).unwrap_or(usize::MAX) {
            requests.truncate(usize::try_from(QUEUE_PAGE_SIZE).unwrap_or(usize::MAX));
            requests.last().map(|r| format!("{}.{}", r.due_at, r.id))
        } else {
            None
        };
        let items = self.views(principal, &requests).await?;
        Ok(QueueView {
            items,
            next,
            users: if filter.without_users {
                Vec::new()
            } else {
                self.queue_users(principal).await?
            },
        })
    }

    /// The users with pending requests, by name, for the queue's user filter: at most
    /// [`QUEUE_USERS_LIMIT`], read from the pending part of `ix_requests_tenant_status`.
    async fn queue_users(
        &self,
        principal: &Principal,
    ) -> Result<Vec<(String, String)>, ServiceError> {
        let ids: Vec<String> = correction_request::Entity::find()
            .select_only()
            .column(correction_request::Column::SubjectUserId)
            .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
            .filter(correction_request::Column::Status.eq("pending"))
            .distinct()
            .limit(QUEUE_USERS_LIMIT)
            .into_tuple()
            .all(&self.db)
            .await
            .context("reading the queue's users")?;
        // By primary key, the tenant checked on the rows (see `Names::load`).
        let mut users: Vec<(String, String)> = directory_user::Entity::find()
            .filter(directory_user::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .context("naming the queue's users")?
            .into_iter()
            .filter(|u| u.tenant_id == principal.tenant_id)
            .map(|u| (u.id, u.display_name))
            .collect();
        users.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(users)
    }

    /// The four-eyes rule: who may not decide this request.
    async fn four_eyes(
        &self,
        conn: &impl ConnectionTrait,
        principal: &Principal,
        request: &correction_request::Model,
        approving: bool,
    ) -> Result<Option<FourEyes>, ServiceError> {
        if request.requester_account_id == Some(principal.account_id)
            || principal.directory_user_id.as_deref() == Some(request.subject_user_id.as_str())
        {
            return Ok(Some(FourEyes::OwnRequest));
        }
        if approving {
            let last = field_version::Entity::find_by_id((
                request.record_id.clone(),
                request.field.clone(),
            ))
            .one(conn)
            .await?;
            if last.is_some_and(|v| v.changed_by == principal.actor_name()) {
                return Ok(Some(FourEyes::LastChangedByReviewer));
            }
        }
        Ok(None)
    }

    async fn load_review(
        &self,
        principal: &Principal,
        id: i64,
    ) -> Result<ReviewView, ServiceError> {
        let request = find_request(&self.db, principal, id).await?;
        let view = self
            .views(principal, std::slice::from_ref(&request))
            .await?
            .pop()
            .ok_or(ServiceError::NotFound)?;
        let data = self
            .personal_data()
            .load(principal, &request.subject_user_id)
            .await?;
        let record: Option<&RecordView> = if request.record_kind == "user" {
            Some(&data.user)
        } else {
            data.devices
                .iter()
                .find(|d| d.record.id == request.record_id)
                .map(|d| &d.record)
        };
        let field = record
            .and_then(|r| r.fields.iter().find(|f| f.field == view.field))
            .ok_or(ServiceError::NotFound)?;
        let route = match data
            .devices
            .iter()
            .find(|d| d.record.id == request.record_id)
        {
            Some(d) => view.field.spec_for(&d.context).route,
            None => view.field.spec().route,
        };
        let refusal = self.four_eyes(&self.db, principal, &request, true).await?;
        Ok(ReviewView {
            current_value: field.value.clone(),
            visibility: field.visibility,
            field_version: field.version,
            changed_by: field.changed_by.clone(),
            changed_at: field.changed_at,
            source: view.field.spec().source,
            route,
            received_by: field.received_by.clone(),
            refusal,
            request: view,
        })
    }

    /// The answer to a repeated decision: the stored outcome, or a conflict if the request
    /// ended otherwise.
    async fn decided(
        &self,
        conn: &impl ConnectionTrait,
        request: &correction_request::Model,
        wanted: RequestStatus,
    ) -> Result<DecisionOutcome, ServiceError> {
        if request.status != wanted.as_str() {
            return Err(ServiceError::Conflict);
        }
        let informed = request_outcome::Entity::find_by_id(request.id)
            .one(conn)
            .await?
            .map(|o| recipients_of(&o))
            .unwrap_or_default();
        Ok(DecisionOutcome {
            status: wanted,
            informed_recipients: informed,
        })
    }

    async fn approve_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        field_version: i64,
    ) -> Result<DecisionOutcome, ServiceError> {
        let attempt = self
            .try_approve(principal, id, request_version, field_version)
            .await;
        match attempt {
            // A concurrent approval that won the race: answer with its outcome.
            Err(ServiceError::Conflict) => {
                let request = find_request(&self.db, principal, id).await?;
                self.decided(&self.db, &request, RequestStatus::Approved)
                    .await
            }
            other => other,
        }
    }

    async fn try_approve(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        field_version: i64,
    ) -> Result<DecisionOutcome, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != "pending" {
            return self.decided(&txn, &request, RequestStatus::Approved).await;
        }
        if self
            .four_eyes(&txn, principal, &request, true)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        step(
            &txn,
            now,
            &request,
            request_version,
            vec![
                (
                    correction_request::Column::Status,
                    "approved".to_owned().into(),
                ),
                (
                    correction_request::Column::DecidedBy,
                    Some(principal.account_id).into(),
                ),
                (correction_request::Column::DecidedAt, Some(now).into()),
                (correction_request::Column::PausedAt, None::<i64>.into()),
            ],
        )
        .await?;
        let field = FieldId::parse(&request.field).map_err(|_| ServiceError::NotFound)?;
        let route = route_of(&txn, &request, field).await?;
        let outcome = personal_data::correct_in(
            &txn,
            principal,
            &CorrectionInput {
                user_id: request.subject_user_id.clone(),
                record_id: request.record_id.clone(),
                field,
                value: request.proposed_value.clone(),
                base_version: field_version,
                reason: format!("#{}: {}", request.id, request.reason),
            },
            route != CorrectionRoute::Portal,
            now,
        )
        .await?;
        request_outcome::ActiveModel {
            request_id: Set(request.id),
            tenant_id: Set(principal.tenant_id.clone()),
            field_version: Set(outcome.version),
            informed_recipients: Set(serde_json::to_string(&outcome.follow_up_recipients)
                .context("encoding recipients")?),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        audit_step(
            &txn,
            now,
            principal,
            &request,
            "request.approved",
            vec![status_change("pending", "approved")],
            None,
        )
        .await?;
        notifications::to_requester(&txn, &request, "request.approved", now).await?;
        txn.commit().await?;
        Ok(DecisionOutcome {
            status: RequestStatus::Approved,
            informed_recipients: outcome.follow_up_recipients,
        })
    }

    async fn reject_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        reason: &str,
    ) -> Result<DecisionOutcome, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != "pending" {
            return self.decided(&txn, &request, RequestStatus::Rejected).await;
        }
        let reason = parse_reason(reason)?.into_string();
        if self
            .four_eyes(&txn, principal, &request, false)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        let stepped = step(
            &txn,
            now,
            &request,
            request_version,
            vec![
                (
                    correction_request::Column::Status,
                    "rejected".to_owned().into(),
                ),
                (
                    correction_request::Column::DecidedBy,
                    Some(principal.account_id).into(),
                ),
                (correction_request::Column::DecidedAt, Some(now).into()),
                (
                    correction_request::Column::DecisionReason,
                    Some(reason.clone()).into(),
                ),
                (correction_request::Column::PausedAt, None::<i64>.into()),
            ],
        )
        .await;
        if let Err(refusal) = stepped {
            drop(txn);
            let request = find_request(&self.db, principal, id).await?;
            return match self
                .decided(&self.db, &request, RequestStatus::Rejected)
                .await
            {
                Ok(outcome) => Ok(outcome),
                Err(_) => Err(refusal),
            };
        }
        audit_step(
            &txn,
            now,
            principal,
            &request,
            "request.rejected",
            vec![status_change("pending", "rejected")],
            Some(reason),
        )
        .await?;
        notifications::to_requester(&txn, &request, "request.rejected", now).await?;
        txn.commit().await?;
        Ok(DecisionOutcome {
            status: RequestStatus::Rejected,
            informed_recipients: Vec::new(),
        })
    }

    async fn extend_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        months: u32,
        reason: &str,
    ) -> Result<RequestView, ServiceError> {
        if !(1..=2).contains(&months) {
            return Err(invalid("months", Key::ErrExtensionMonths));
        }
        let reason = parse_reason(reason)?.into_string();
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != "pending" || request.extension_reason.is_some() {
            // Extended once already, or decided.
            return Err(ServiceError::Conflict);
        }
        if self
            .four_eyes(&txn, principal, &request, false)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        // Art. 12(3): the requester is told of an extension within the first period, so it
        // cannot be decided once the deadline has passed.
        if now > effective_due(&request, now) {
            return Err(invalid("months", Key::ErrExtensionTooLate));
        }
        let due = add_months(request.due_at, i64::from(months));
        step(
            &txn,
            now,
            &request,
            request_version,
            vec![
                (correction_request::Column::DueAt, due.into()),
                (
                    correction_request::Column::ExtensionReason,
                    Some(reason.clone()).into(),
                ),
            ],
        )
        .await?;
        audit_step(
            &txn,
            now,
            principal,
            &request,
            "request.extended",
            vec![Change {
                field: "due_at".into(),
                before: Some(crate::clock::to_rfc3339(request.due_at)),
                after: Some(crate::clock::to_rfc3339(due)),
            }],
            Some(reason),
        )
        .await?;
        notifications::to_requester(&txn, &request, "request.extended", now).await?;
        txn.commit().await?;
        self.view_of(principal, id).await
    }

    async fn pause_request(
        &self,
        principal: &Principal,
        id: i64,
        request_version: i64,
        pause: bool,
    ) -> Result<RequestView, ServiceError> {
        let txn = self.db.begin().await?;
        lock_request(&txn, principal, id).await?;
        let request = find_request(&txn, principal, id).await?;
        if request.status != "pending" || request.paused_at.is_some() == pause {
            return Err(ServiceError::Conflict);
        }
        if self
            .four_eyes(&txn, principal, &request, false)
            .await?
            .is_some()
        {
            return Err(ServiceError::Forbidden);
        }
        let now = self.clock.now_ms();
        let (changes, action, audit_change) = if pause {
            (
                vec![(correction_request::Column::PausedAt, Some(now).into())],
                "request.paused",
                Change {
                    field: "paused_at".into(),
                    before: None,
                    after: Some(crate::clock::to_rfc3339(now)),
                },
            )
        } else {
            let due = effective_due(&request, now);
            (
                vec![
                    (correction_request::Column::PausedAt, None::<i64>.into()),
                    (correction_request::Column::DueAt, due.into()),
                ],
                "request.resumed",
                Change {
                    field: "due_at".into(),
                    before: Some(crate::clock::to_rfc3339(request.due_at)),
                    after: Some(crate::clock::to_rfc3339(due)),
                },
            )
        };
        step(&txn, now, &request, request_version, changes).await?;
        audit_step(
            &txn,
            now,
            principal,
            &request,
            action,
            vec![audit_change],
            None,
        )
        .await?;
        notifications::to_requester(&txn, &request, action, now).await?;
        txn.commit().await?;
        self.view_of(principal, id).await
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
    Ok(field.spec_for(&super::export::context_of(&d)).route)
}

/// Recipient id → (name, is agent) over every field's receipts.
fn receipts_by_recipient(
    user: &RecordView,
    devices: &[app::personal_data::DeviceView],
) -> HashMap<String, (String, bool)> {
    user.fields
        .iter()
        .chain(devices.iter().flat_map(|d| d.record.fields.iter()))
        .flat_map(|f| f.received_by.iter())
        .map(|r| {
            (
                r.recipient_id.clone(),
                (r.recipient_name.clone(), r.is_agent),
            )
        })
        .collect()
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
