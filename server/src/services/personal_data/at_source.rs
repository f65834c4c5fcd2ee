//! Corrections at the field's source: the directory, the device or a partner owns most fields
//! that reach a recipient, and the portal cannot change them itself.
//!
//! A correction of such a field (an admin's, or an end user's approved request) is a `routed`
//! row: a task for the source, with the proposed value and a calendar-month deadline. Recording
//! it changes nothing else: no value, no field version, no follow-up, because nothing has been
//! corrected yet. It is **applied** only when the source's own data shows the new value (an
//! import, which is how the directory and the devices reach the portal); then, in the import's
//! transaction, the row moves to `applied`, the field's version moves on with the import as
//! the one who changed it, the audit trail records the change under the field's visibility
//! rule, the recipients that received the field are told (Art. 19), and the end user whose
//! request it was is notified.

use super::notify_recipients;
use crate::entities::correction_request::RequestStatus;
use crate::entities::follow_up_task::TaskKind;
use crate::entities::notification::NotificationKind;
use crate::entities::{correction_request, field_version, request_outcome};
use crate::services::audit::{self, Actor, AuditAction, Change, NewEvent};
use crate::services::error::ServiceError;
use crate::services::notifications;
use anyhow::Context;
use app::domain::catalogue::FieldId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use std::collections::HashMap;

/// The most record ids one lookup names (below every database's parameter limit).
const LOOKUP_CHUNK: usize = 500;

/// A correction at the source whose new value the source's data now shows, with the field's
/// value before and after as the audit trail may show them (the visibility rule applied).
pub(crate) struct Shown {
    pub routed: correction_request::Model,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Whether this change of the source's data brought the value. When an earlier one did
    /// (the task was routed, or approved, after it), that change was recorded then, with its
    /// version and its Art. 19 follow-ups: completing the task records neither again.
    pub brought_now: bool,
}

/// Whether the tenant has any correction waiting for its source; an import that finds none
/// skips the lookups per batch.
///
/// # Errors
/// When the database fails.
pub(crate) async fn any_open(conn: &impl ConnectionTrait, tenant_id: &str) -> anyhow::Result<bool> {
    let open = correction_request::Entity::find()
        .filter(correction_request::Column::TenantId.eq(tenant_id))
        .filter(correction_request::Column::Status.eq(RequestStatus::Routed))
        .one(conn)
        .await
        .context("looking for corrections waiting for their source")?;
    Ok(open.is_some())
}

/// The corrections waiting for their source among `record_ids`, by record id.
///
/// # Errors
/// When the database fails.
pub(crate) async fn open_for(
    conn: &impl ConnectionTrait,
    tenant_id: &str,
    record_ids: &[String],
) -> anyhow::Result<HashMap<String, Vec<correction_request::Model>>> {
    let mut open: HashMap<String, Vec<correction_request::Model>> = HashMap::new();
    for chunk in record_ids.chunks(LOOKUP_CHUNK) {
        for row in correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(tenant_id))
            .filter(correction_request::Column::Status.eq(RequestStatus::Routed))
            .filter(correction_request::Column::RecordId.is_in(chunk.iter().cloned()))
            .all(conn)
            .await
            .context("looking up corrections waiting for their source")?
        {
            open.entry(row.record_id.clone()).or_default().push(row);
        }
    }
    Ok(open)
}

/// Whether `value`, the field's value in the source's data, is the `proposed` one.
pub(crate) fn shows_value(value: Option<&str>, proposed: &str) -> bool {
    value.is_some_and(|v| v.trim() == proposed.trim())
}

/// Whether `value`, the field's value in the source's data, is what `routed` asked for.
pub(crate) fn shows(routed: &correction_request::Model, value: Option<&str>) -> bool {
    shows_value(value, &routed.proposed_value)
}

/// The actor of a change the source's data brought: the import.
pub(crate) fn import_actor() -> Actor {
    Actor {
        kind: audit::ActorKind::Import,
        id: "import".into(),
        name: app::personal_data::IMPORT_AUTHOR.into(),
    }
}

/// Completes the corrections the source's data now shows, in the caller's transaction (the
/// import's batch). A row another transaction completed first is left alone.
///
/// # Errors
/// When the database fails.
pub(crate) async fn apply_all(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    shown: &[Shown],
    now: i64,
) -> Result<(), ServiceError> {
    for s in shown {
        apply(txn, tenant_id, s, now).await?;
    }
    Ok(())
}

/// What completing a correction at the source produced.
pub(crate) struct Applied {
    /// The field's version after the change.
    pub version: i64,
    /// The recipients told (Art. 19).
    pub informed: Vec<String>,
}

/// Completes one correction at the source: `applied`, the field's next version, the audit
/// event, the follow-ups (the correction, and the end of a restriction the request asked for),
/// the origin request's outcome and its requester's notification. `None` when another
/// transaction completed or replaced it first.
///
/// # Errors
/// When the database fails.
pub(crate) async fn apply(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    shown: &Shown,
    now: i64,
) -> Result<Option<Applied>, ServiceError> {
    let routed = &shown.routed;
    let Ok(field) = FieldId::parse(&routed.field) else {
        return Ok(None);
    };
    if !close(txn, tenant_id, routed.id, RequestStatus::Applied, now).await? {
        return Ok(None);
    }
    let actor = import_actor();
    let version = if shown.brought_now {
        next_version(txn, tenant_id, &routed.record_id, field, &actor.name, now).await?
    } else {
        super::current_version(txn, &routed.record_id, field).await?
    };
    let event_id = audit::append(
        txn,
        tenant_id,
        NewEvent {
            actor,
            action: AuditAction::CorrectionApplied,
            target_kind: field.record().into(),
            target_id: routed.record_id.clone(),
            subject_user_id: Some(routed.subject_user_id.clone()),
            changes: vec![Change {
                field: field.as_str().into(),
                before: shown.before.clone(),
                after: shown.after.clone(),
            }],
            reason: Some(format!("#{}", routed.id)),
            occurred_at: now,
        },
    )
    .await?;
    let informed = if shown.brought_now {
        notify_recipients(
            txn,
            tenant_id,
            &routed.record_id,
            field,
            TaskKind::NotifyCorrection,
            event_id,
            now,
        )
        .await?
    } else {
        Vec::new()
    };
    if routed.restrict_sharing {
        notify_recipients(
            txn,
            tenant_id,
            &routed.record_id,
            field,
            TaskKind::NotifyRestrictionLifted,
            event_id,
            now,
        )
        .await?;
    }
    if let Some(origin_id) = routed.origin_request_id {
        let origin = correction_request::Entity::find_by_id(origin_id)
            .filter(correction_request::Column::TenantId.eq(tenant_id))
            .one(txn)
            .await?;
        if let Some(origin) = origin {
            record_outcome(txn, tenant_id, origin.id, version, &informed, now).await?;
            notifications::to_requester(txn, &origin, NotificationKind::CorrectionApplied, now)
                .await?;
        }
    }
    Ok(Some(Applied { version, informed }))
}

/// Moves an open correction at the source to `to`, only if it is still open: two imports, or
/// an import and a newer correction, never both act on it.
async fn close(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    id: i64,
    to: RequestStatus,
    now: i64,
) -> Result<bool, ServiceError> {
    let moved = correction_request::Entity::update_many()
        .col_expr(correction_request::Column::Status, Expr::value(to))
        .col_expr(
            correction_request::Column::DecidedAt,
            Expr::value(Some(now)),
        )
        .col_expr(correction_request::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            correction_request::Column::Version,
            Expr::col(correction_request::Column::Version).add(1),
        )
        .filter(correction_request::Column::Id.eq(id))
        .filter(correction_request::Column::TenantId.eq(tenant_id))
        .filter(correction_request::Column::Status.eq(RequestStatus::Routed))
        .exec(txn)
        .await?;
    Ok(moved.rows_affected == 1)
}

/// Replaces the open corrections of `field` of `record_id` by a newer one: only one correction
/// of a field waits for its source at a time, so the source's data completes it once, and an
/// older value it might show much later completes nothing. A restriction the replaced one
/// held ends, unless the newer one keeps it.
///
/// # Errors
/// When the database fails.
pub(crate) async fn supersede_open(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    record_id: &str,
    field: FieldId,
    keeps_restriction: bool,
    event_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    let open = correction_request::Entity::find()
        .filter(correction_request::Column::TenantId.eq(tenant_id))
        .filter(correction_request::Column::RecordId.eq(record_id))
        .filter(correction_request::Column::Field.eq(field.as_str()))
        .filter(correction_request::Column::Status.eq(RequestStatus::Routed))
        .all(txn)
        .await?;
    let mut lifted = false;
    for row in open {
        if close(txn, tenant_id, row.id, RequestStatus::Superseded, now).await? {
            lifted |= row.restrict_sharing;
        }
    }
    if lifted && !keeps_restriction {
        notify_recipients(
            txn,
            tenant_id,
            record_id,
            field,
            TaskKind::NotifyRestrictionLifted,
            event_id,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Writes (or rewrites) what an approved request produced: the field's version and the
/// recipients told. One place for the approval and for the source completing it later.
///
/// # Errors
/// When the database fails.
pub(crate) async fn record_outcome(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    request_id: i64,
    version: i64,
    informed: &[String],
    now: i64,
) -> Result<(), ServiceError> {
    let recipients = serde_json::to_string(informed).context("encoding the informed recipients")?;
    match request_outcome::Entity::find_by_id(request_id)
        .one(txn)
        .await?
    {
        Some(outcome) => {
            let mut outcome = outcome.into_active_model();
            outcome.field_version = Set(version);
            outcome.informed_recipients = Set(recipients);
            outcome.update(txn).await?;
        }
        None => {
            request_outcome::ActiveModel {
                request_id: Set(request_id),
                tenant_id: Set(tenant_id.to_owned()),
                field_version: Set(version),
                informed_recipients: Set(recipients),
                created_at: Set(now),
            }
            .insert(txn)
            .await?;
        }
    }
    Ok(())
}

/// Whether a correction of `field` at its source can be completed: the source's data must
/// reach the portal. A device's primary user changes on the device (whoever signs in) and an
/// import names it by id, never by the value asked for, so it is not tracked.
pub(crate) fn tracked(field: FieldId) -> bool {
    field != FieldId::PrimaryUser
}

/// Moves the field's version on after a change its source made (an import): unguarded, because
/// the source's data is the newer truth, and the import's batch holds its own transaction.
pub(crate) async fn next_version(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    record_id: &str,
    field: FieldId,
    changed_by: &str,
    now: i64,
) -> Result<i64, ServiceError> {
    let current =
        field_version::Entity::find_by_id((record_id.to_owned(), field.as_str().to_owned()))
            .one(txn)
            .await?;
    match current {
        Some(row) => {
            let next = row.version + 1;
            let mut row = row.into_active_model();
            row.version = Set(next);
            row.changed_at = Set(now);
            row.changed_by = Set(changed_by.to_owned());
            // The source changed it: no account of the portal did.
            row.changed_by_account_id = Set(None);
            row.update(txn).await?;
            Ok(next)
        }
        None => {
            field_version::ActiveModel {
                tenant_id: Set(tenant_id.to_owned()),
                record_kind: Set(field.record().as_str().into()),
                record_id: Set(record_id.into()),
                field: Set(field.as_str().into()),
                version: Set(1),
                changed_at: Set(now),
                changed_by: Set(changed_by.to_owned()),
                changed_by_account_id: Set(None),
            }
            .insert(txn)
            .await?;
            Ok(1)
        }
    }
}
