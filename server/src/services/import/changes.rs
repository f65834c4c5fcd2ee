//! What an import changed in personal data, field by field.
//!
//! The directory and the devices own most of a person's fields, and an import is how their
//! values reach the portal, so it is also how most personal data changes here. Each updated
//! record that changed a field of the catalogue gets one audit event with before and after per
//! field (each under the field's visibility rule for the device as it was and as it is, so the
//! trail shows no more than the page did), the field's version moves on with the import as the
//! one who changed it, and every recipient that received the field is told (Art. 19), in the
//! batch's transaction. Fields the service computes itself (check-in time, compliance,
//! enrollment) are left out: they change at every sync and are not personal data someone could
//! have got wrong. A change that completes a correction at the source is recorded by
//! [`at_source`] instead, once.

use crate::entities::follow_up_task::TaskKind;
use crate::entities::{device, directory_user};
use crate::services::audit::{self, AuditAction, Change, NewEvent};
use crate::services::error::ServiceError;
use crate::services::personal_data::{at_source, notify_recipients};
use crate::services::records::{context_of, device_value, user_field};
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::enums::SourceOfTruth;
use app::domain::visibility::{apply, visibility, Visibility};
use sea_orm::DatabaseTransaction;
use std::collections::HashSet;

/// One field an update changed, as the audit trail may show it.
pub(super) struct FieldChange {
    field: FieldId,
    before: Option<String>,
    after: Option<String>,
}

/// The fields one update changed.
pub(super) struct RecordChange {
    kind: RecordKind,
    record_id: String,
    subject_user_id: Option<String>,
    fields: Vec<FieldChange>,
}

/// Whether a change of `field` is audited field by field (see the module's note).
fn audited(field: FieldId) -> bool {
    field.spec().source != SourceOfTruth::System && field != FieldId::PrimaryUser
}

/// What the update of `stored` to `row` changed; `None` when no audited field did.
pub(super) fn user_changes(
    stored: &directory_user::Model,
    row: &directory_user::Model,
) -> Option<RecordChange> {
    let fields: Vec<FieldChange> = FieldId::ALL
        .iter()
        .copied()
        .filter(|f| f.record() == RecordKind::User && audited(*f))
        .filter_map(|field| {
            let (before, after) = (user_field(stored, field), user_field(row, field));
            (before != after).then(|| FieldChange {
                field,
                before: shown(Visibility::Visible, before),
                after: shown(Visibility::Visible, after),
            })
        })
        .collect();
    (!fields.is_empty()).then(|| RecordChange {
        kind: RecordKind::User,
        record_id: row.id.clone(),
        subject_user_id: Some(row.id.clone()),
        fields,
    })
}

/// As [`user_changes`], for a device: before under the rule for the device as it was, after
/// under the rule for the device as it is now.
pub(super) fn device_changes(stored: &device::Model, row: &device::Model) -> Option<RecordChange> {
    let (was, is) = (context_of(stored), context_of(row));
    let fields: Vec<FieldChange> = FieldId::ALL
        .iter()
        .copied()
        .filter(|f| f.record() == RecordKind::Device && audited(*f))
        .filter_map(|field| {
            let (before, after) = (device_value(stored, field), device_value(row, field));
            (before != after).then(|| FieldChange {
                field,
                before: shown(visibility(field, &was), before),
                after: shown(visibility(field, &is), after),
            })
        })
        .collect();
    (!fields.is_empty()).then(|| RecordChange {
        kind: RecordKind::Device,
        record_id: row.id.clone(),
        subject_user_id: row.primary_user_id.clone(),
        fields,
    })
}

fn shown(rule: Visibility, value: Option<String>) -> Option<String> {
    value.as_deref().and_then(|v| apply(rule, v))
}

/// Records the batch's changes in its transaction: per record one audit event, per field its
/// next version and the follow-ups to the recipients that received it. `completed` names the
/// (record, field) pairs whose change completes a correction at the source, which
/// [`at_source::apply_all`] records.
///
/// # Errors
/// When the database fails.
pub(super) async fn record_all(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    changes: &[RecordChange],
    completed: &HashSet<(String, FieldId)>,
    now: i64,
) -> Result<(), ServiceError> {
    let actor = at_source::import_actor();
    for record in changes {
        let fields: Vec<&FieldChange> = record
            .fields
            .iter()
            .filter(|f| !completed.contains(&(record.record_id.clone(), f.field)))
            .collect();
        if fields.is_empty() {
            continue;
        }
        let event_id = audit::append(
            txn,
            tenant_id,
            NewEvent {
                actor: actor.clone(),
                action: AuditAction::ImportChanged,
                target_kind: record.kind.into(),
                target_id: record.record_id.clone(),
                subject_user_id: record.subject_user_id.clone(),
                changes: fields
                    .iter()
                    .map(|f| Change {
                        field: f.field.as_str().into(),
                        before: f.before.clone(),
                        after: f.after.clone(),
                    })
                    .collect(),
                reason: None,
                occurred_at: now,
            },
        )
        .await?;
        for f in fields {
            at_source::next_version(txn, tenant_id, &record.record_id, f.field, &actor.name, now)
                .await?;
            notify_recipients(
                txn,
                tenant_id,
                &record.record_id,
                f.field,
                TaskKind::NotifyCorrection,
                event_id,
                now,
            )
            .await?;
        }
    }
    Ok(())
}
