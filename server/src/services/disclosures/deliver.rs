//! Delivering what was recorded: claims due disclosures and follow-up tasks, re-checks them
//! at the moment of sending, posts them to the recipient's endpoint and records the outcome.

use super::*;
use futures_util::StreamExt;

/// What one delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliverySummary {
    pub delivered: u64,
    pub failed: u64,
    pub follow_ups_sent: u64,
}

/// Delivers due disclosures and follow-ups (of one tenant, or all).
///
/// # Errors
/// When the database fails.
pub async fn deliver_due<C: ConnectionTrait>(
    db: &C,
    connector: &Connector,
    tenant_id: Option<&str>,
    now: i64,
) -> anyhow::Result<DeliverySummary> {
    let mut endpoints_query = recipient_endpoint::Entity::find();
    if let Some(t) = tenant_id {
        endpoints_query = endpoints_query.filter(recipient_endpoint::Column::TenantId.eq(t));
    }
    let endpoints: HashMap<(String, String), recipient_endpoint::Model> = endpoints_query
        .all(db)
        .await
        .context("reading endpoints")?
        .into_iter()
        .map(|e| ((e.tenant_id.clone(), e.recipient_id.clone()), e))
        .collect();

    let mut due = disclosure::Entity::find()
        .filter(disclosure::Column::DeliveryStatus.eq(DeliveryStatus::Pending))
        .filter(disclosure::Column::NextAttemptAt.lte(now));
    if let Some(t) = tenant_id {
        due = due.filter(disclosure::Column::TenantId.eq(t));
    }
    let due = due
        .order_by_asc(disclosure::Column::NextAttemptAt)
        .limit(DELIVERY_BATCH)
        .all(db)
        .await
        .context("reading due deliveries")?;
    // Follow-ups: open tasks whose recipient has an endpoint in the task's tenant.
    let mut tasks = Vec::new();
    if !endpoints.is_empty() {
        let mut pairs = Condition::any();
        for (tenant, recipient) in endpoints.keys() {
            pairs = pairs.add(
                Condition::all()
                    .add(follow_up_task::Column::TenantId.eq(tenant.clone()))
                    .add(follow_up_task::Column::RecipientId.eq(recipient.clone())),
            );
        }
        tasks = follow_up_task::Entity::find()
            .filter(follow_up_task::Column::Status.eq(TaskStatus::Open))
            .filter(
                Condition::any()
                    .add(follow_up_task::Column::NextAttemptAt.is_null())
                    .add(follow_up_task::Column::NextAttemptAt.lte(now)),
            )
            .filter(pairs)
            .order_by_asc(follow_up_task::Column::Id)
            .limit(DELIVERY_BATCH)
            .all(db)
            .await
            .context("reading due follow-ups")?;
    }

    // One queue per tenant, the queues run side by side (at most TENANTS_AT_ONCE): a slow or
    // hostile endpoint of one tenant then holds up only that tenant's deliveries. Within a
    // tenant they stay in order, one at a time, as before.
    let mut queues: BTreeMap<String, (Vec<disclosure::Model>, Vec<follow_up_task::Model>)> =
        BTreeMap::new();
    for row in due {
        queues.entry(row.tenant_id.clone()).or_default().0.push(row);
    }
    for task in tasks {
        queues
            .entry(task.tenant_id.clone())
            .or_default()
            .1
            .push(task);
    }
    let endpoints = &endpoints;
    let results: Vec<anyhow::Result<DeliverySummary>> =
        futures_util::stream::iter(queues.into_values().map(|(rows, tasks)| async move {
            let mut summary = DeliverySummary::default();
            for row in rows {
                deliver_disclosure(db, connector, endpoints, row, now, &mut summary).await?;
            }
            for task in tasks {
                deliver_task(db, connector, endpoints, task, now, &mut summary).await?;
            }
            Ok(summary)
        }))
        .buffer_unordered(TENANTS_AT_ONCE)
        .collect()
        .await;
    let mut summary = DeliverySummary::default();
    for result in results {
        let part = result?;
        summary.delivered += part.delivered;
        summary.failed += part.failed;
        summary.follow_ups_sent += part.follow_ups_sent;
    }
    Ok(summary)
}

type Endpoints = HashMap<(String, String), recipient_endpoint::Model>;

/// Delivers one claimed-if-still-due disclosure: re-checks it, posts it, records the outcome.
async fn deliver_disclosure<C: ConnectionTrait>(
    db: &C,
    connector: &Connector,
    endpoints: &Endpoints,
    row: disclosure::Model,
    now: i64,
    summary: &mut DeliverySummary,
) -> anyhow::Result<()> {
    if !claim_disclosure(db, &row, now).await? {
        return Ok(());
    }
    // Checked now, not when it was recorded: whatever changed since wins.
    if let Some(stop) = gate::stop_reason(db, &row).await? {
        tracing::info!(
            disclosure = row.id,
            reason = stop.as_str(),
            "delivery stopped"
        );
        return settle_unsent(db, &row, DeliveryStatus::Cancelled).await;
    }
    let Some(endpoint) = endpoints.get(&(row.tenant_id.clone(), row.recipient_id.clone())) else {
        return settle_unsent(db, &row, DeliveryStatus::RecordedOnly).await;
    };
    // Gone, or no longer what was recorded: a newer disclosure carries the new values.
    let Some(values) = current_values(db, &row)
        .await?
        .filter(|values| fingerprint(values) == row.fingerprint)
    else {
        return settle_unsent(db, &row, DeliveryStatus::Superseded).await;
    };
    let payload = serde_json::json!({
        "type": "disclosure",
        "delivery_id": row.delivery_id,
        "tenant_id": row.tenant_id,
        "feature_id": row.feature_id,
        "recipient_id": row.recipient_id,
        "purpose": row.purpose,
        "consent_id": row.consent_id,
        "record_kind": row.record_kind,
        "record_id": row.record_id,
        "recorded_at": crate::clock::to_rfc3339(row.disclosed_at),
        "fields": values.iter().map(|(f, v)| (f.as_str().to_owned(), serde_json::Value::String(v.clone()))).collect::<serde_json::Map<String, serde_json::Value>>(),
    })
    .to_string();
    let delivery_id = row.delivery_id.clone().unwrap_or_default();
    let attempts = row.attempts.saturating_add(1);
    match connector
        .post(&endpoint.url, &endpoint.secret, &delivery_id, &payload, now)
        .await
    {
        Ok(_) => {
            let recorded = set_disclosure_status(
                db,
                row.id,
                DeliveryStatus::Delivered,
                attempts,
                None,
                Some(now),
                None,
            )
            .await?;
            if !recorded {
                // Stopped while the payload was on its way: the recipient has it, so the
                // ledger must say so, and says that it was in flight.
                tracing::warn!(disclosure = row.id, "delivered while in flight");
                disclosure::Entity::update_many()
                    .col_expr(
                        disclosure::Column::DeliveryStatus,
                        Expr::value(DeliveryStatus::Delivered),
                    )
                    .col_expr(disclosure::Column::Attempts, Expr::value(attempts))
                    .col_expr(disclosure::Column::NextAttemptAt, Expr::value(None::<i64>))
                    .col_expr(disclosure::Column::DeliveredAt, Expr::value(now))
                    .col_expr(
                        disclosure::Column::LastError,
                        Expr::value(gate::IN_FLIGHT_NOTE),
                    )
                    .filter(disclosure::Column::Id.eq(row.id))
                    .filter(
                        disclosure::Column::DeliveryStatus
                            .is_in([DeliveryStatus::Cancelled, DeliveryStatus::Superseded]),
                    )
                    .exec(db)
                    .await
                    .context("recording a delivery in flight")?;
            }
            summary.delivered += 1;
        }
        Err(error) => {
            tracing::warn!(disclosure = row.id, attempts, %error, "delivery failed");
            summary.failed += 1;
            if attempts >= connector.policy.max_attempts {
                set_disclosure_status(
                    db,
                    row.id,
                    DeliveryStatus::Failed,
                    attempts,
                    None,
                    None,
                    Some(error),
                )
                .await?;
            } else {
                let next = now + connector.policy.backoff_ms(attempts);
                set_disclosure_status(
                    db,
                    row.id,
                    DeliveryStatus::Pending,
                    attempts,
                    Some(next),
                    None,
                    Some(error),
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// Delivers one follow-up if still due, and records the outcome.
async fn deliver_task<C: ConnectionTrait>(
    db: &C,
    connector: &Connector,
    endpoints: &Endpoints,
    task: follow_up_task::Model,
    now: i64,
    summary: &mut DeliverySummary,
) -> anyhow::Result<()> {
    if !claim_task(db, &task, now).await? {
        return Ok(());
    }
    let Some(endpoint) = endpoints.get(&(task.tenant_id.clone(), task.recipient_id.clone())) else {
        return Ok(());
    };
    let delivery_id = task.delivery_id.clone().unwrap_or_else(|| {
        to_hex(&Sha256::digest(
            format!("task|{}|{}", task.tenant_id, task.id).as_bytes(),
        ))
    });
    // No values: the recipient learns which field of which record changed (or that it
    // must delete what it holds); corrected values follow in the next disclosure.
    let payload = serde_json::json!({
        "type": "follow_up",
        "delivery_id": delivery_id,
        "kind": task.kind.as_str(),
        "tenant_id": task.tenant_id,
        "recipient_id": task.recipient_id,
        "feature_id": task.feature_id,
        "record_kind": task.record_kind,
        "record_id": task.record_id,
        "field": task.field,
        "created_at": crate::clock::to_rfc3339(task.created_at),
    })
    .to_string();
    let attempts = task.attempts.saturating_add(1);
    let mut update = follow_up_task::ActiveModel {
        delivery_id: Set(Some(delivery_id.clone())),
        attempts: Set(attempts),
        ..Default::default()
    };
    match connector
        .post(&endpoint.url, &endpoint.secret, &delivery_id, &payload, now)
        .await
    {
        Ok(body) => {
            let acknowledged = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("acknowledged").and_then(serde_json::Value::as_bool))
                .unwrap_or(false);
            update.status = Set(if acknowledged {
                TaskStatus::Acknowledged
            } else {
                TaskStatus::Sent
            });
            update.sent_at = Set(Some(now));
            update.next_attempt_at = Set(None);
            update.last_error = Set(None);
            summary.follow_ups_sent += 1;
        }
        Err(error) => {
            tracing::warn!(task = task.id, attempts, %error, "follow-up delivery failed");
            summary.failed += 1;
            update.last_error = Set(Some(error));
            if attempts >= connector.policy.max_attempts {
                update.status = Set(TaskStatus::Failed);
                update.next_attempt_at = Set(None);
            } else {
                update.next_attempt_at = Set(Some(now + connector.policy.backoff_ms(attempts)));
            }
        }
    }
    // Only over a task still open: one marked done by hand while the post was under way
    // stays done (the recipient has been told either way).
    follow_up_task::Entity::update_many()
        .set(update)
        .filter(follow_up_task::Column::Id.eq(task.id))
        .filter(follow_up_task::Column::Status.eq(TaskStatus::Open))
        .exec(db)
        .await
        .context("recording a follow-up delivery")?;
    Ok(())
}

/// Takes a due disclosure for this run: moves its next attempt past the claim window if no
/// other instance did so first.
pub(super) async fn claim_disclosure<C: ConnectionTrait>(
    db: &C,
    row: &disclosure::Model,
    now: i64,
) -> anyhow::Result<bool> {
    let mut update = disclosure::Entity::update_many()
        .col_expr(
            disclosure::Column::NextAttemptAt,
            Expr::value(now + CLAIM_MS),
        )
        .filter(disclosure::Column::Id.eq(row.id))
        .filter(disclosure::Column::DeliveryStatus.eq(DeliveryStatus::Pending));
    update = match row.next_attempt_at {
        Some(at) => update.filter(disclosure::Column::NextAttemptAt.eq(at)),
        None => update.filter(disclosure::Column::NextAttemptAt.is_null()),
    };
    let result = update.exec(db).await.context("claiming a delivery")?;
    Ok(result.rows_affected == 1)
}

/// The same claim for a follow-up.
pub(super) async fn claim_task<C: ConnectionTrait>(
    db: &C,
    task: &follow_up_task::Model,
    now: i64,
) -> anyhow::Result<bool> {
    let mut update = follow_up_task::Entity::update_many()
        .col_expr(
            follow_up_task::Column::NextAttemptAt,
            Expr::value(now + CLAIM_MS),
        )
        .filter(follow_up_task::Column::Id.eq(task.id))
        .filter(follow_up_task::Column::Status.eq(TaskStatus::Open));
    update = match task.next_attempt_at {
        Some(at) => update.filter(follow_up_task::Column::NextAttemptAt.eq(at)),
        None => update.filter(follow_up_task::Column::NextAttemptAt.is_null()),
    };
    let result = update.exec(db).await.context("claiming a follow-up")?;
    Ok(result.rows_affected == 1)
}

/// Moves a claimed disclosure on from `pending`; `false` (and nothing written) when it is no
/// longer pending, because another writer cancelled or superseded it meanwhile: a retry never
/// brings a stopped disclosure back.
/// Ends a claimed disclosure without sending it (`status` says why); its attempts stay as
/// they were.
async fn settle_unsent<C: ConnectionTrait>(
    db: &C,
    row: &disclosure::Model,
    status: DeliveryStatus,
) -> anyhow::Result<()> {
    set_disclosure_status(db, row.id, status, row.attempts, None, None, None).await?;
    Ok(())
}

pub(super) async fn set_disclosure_status<C: ConnectionTrait>(
    db: &C,
    id: i64,
    status: DeliveryStatus,
    attempts: i32,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
    last_error: Option<String>,
) -> anyhow::Result<bool> {
    let result = disclosure::Entity::update_many()
        .col_expr(disclosure::Column::DeliveryStatus, Expr::value(status))
        .col_expr(disclosure::Column::Attempts, Expr::value(attempts))
        .col_expr(
            disclosure::Column::NextAttemptAt,
            Expr::value(next_attempt_at),
        )
        .col_expr(disclosure::Column::DeliveredAt, Expr::value(delivered_at))
        .col_expr(disclosure::Column::LastError, Expr::value(last_error))
        .filter(disclosure::Column::Id.eq(id))
        .filter(disclosure::Column::DeliveryStatus.eq(DeliveryStatus::Pending))
        .exec(db)
        .await
        .context("recording a delivery attempt")?;
    Ok(result.rows_affected == 1)
}

/// The current values of a disclosure's fields, or `None` when the record is gone.
pub(super) async fn current_values<C: ConnectionTrait>(
    db: &C,
    row: &disclosure::Model,
) -> anyhow::Result<Option<Vec<(FieldId, String)>>> {
    let fields: Vec<FieldId> = row
        .fields
        .split(',')
        .filter_map(|name| FieldId::parse(name).ok())
        .collect();
    if row.record_kind == RecordKind::User.as_str() {
        let user = directory_user::Entity::find_by_id(row.record_id.clone())
            .filter(directory_user::Column::TenantId.eq(row.tenant_id.clone()))
            .one(db)
            .await
            .context("reading a user to deliver")?;
        Ok(user.map(|u| disclosable_user_values(&u, &fields)))
    } else {
        let Some(d) = device::Entity::find_by_id(row.record_id.clone())
            .filter(device::Column::TenantId.eq(row.tenant_id.clone()))
            .one(db)
            .await
            .context("reading a device to deliver")?
        else {
            return Ok(None);
        };
        let mut values = disclosable_device_values(&d, &fields);
        if fields.iter().any(|f| f.record() == RecordKind::App) {
            let apps = device_app::Entity::find()
                .filter(device_app::Column::TenantId.eq(row.tenant_id.clone()))
                .filter(device_app::Column::DeviceId.eq(d.id.clone()))
                .all(db)
                .await
                .context("reading apps to deliver")?;
            let own: Vec<&device_app::Model> = apps.iter().collect();
            values.extend(app_values(&d, &own, &fields));
        }
        Ok(Some(values))
    }
}
