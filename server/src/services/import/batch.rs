//! The writes of one batch: insert, update or leave each row, one audit event per committed
//! batch with counts only, and the corrections at the source that the batch completes.

use super::*;
use crate::entities::correction_request;
use crate::services::records::{context_of, device_value, user_field};
use app::domain::catalogue::FieldId;
use app::domain::visibility::{apply, visibility, Visibility};

/// The writes of one batch.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) user_inserts: Vec<directory_user::Model>,
    pub(super) user_updates: Vec<directory_user::Model>,
    pub(super) device_inserts: Vec<device::Model>,
    pub(super) device_updates: Vec<device::Model>,
    pub(super) unchanged: u64,
    /// Corrections waiting for the source whose new value an update of this batch brings.
    pub(super) applied: Vec<at_source::Shown>,
    /// The personal data each update changed, field by field.
    pub(super) changes: Vec<changes::RecordChange>,
}

/// What to do with one row.
pub(super) enum Decision<M> {
    Insert(M),
    Update(M),
    Unchanged,
}

/// The columns every imported row has, so one rule decides insert, update or nothing.
pub(super) trait Versioned: PartialEq {
    fn bump(&mut self, now: i64);
}

impl Versioned for directory_user::Model {
    fn bump(&mut self, now: i64) {
        self.version += 1;
        self.updated_at = now;
    }
}

impl Versioned for device::Model {
    fn bump(&mut self, now: i64) {
        self.version += 1;
        self.updated_at = now;
    }
}

/// `row` is built with the stored row's version and times, so equality means that no value
/// differs; only then is the version left alone.
pub(super) fn decide<M: Versioned>(stored: Option<&M>, mut row: M, now: i64) -> Decision<M> {
    match stored {
        None => Decision::Insert(row),
        Some(stored) if *stored == row => Decision::Unchanged,
        Some(_) => {
            row.bump(now);
            Decision::Update(row)
        }
    }
}

impl Plan {
    pub(super) fn add_user(&mut self, decision: Decision<directory_user::Model>) {
        match decision {
            Decision::Insert(row) => self.user_inserts.push(row),
            Decision::Update(row) => self.user_updates.push(row),
            Decision::Unchanged => self.unchanged += 1,
        }
    }

    pub(super) fn add_device(&mut self, decision: Decision<device::Model>) {
        match decision {
            Decision::Insert(row) => self.device_inserts.push(row),
            Decision::Update(row) => self.device_updates.push(row),
            Decision::Unchanged => self.unchanged += 1,
        }
    }

    /// Updates first, in line order (a user may free a sign-in name a later record takes),
    /// then inserts, users before devices (a device may name a user new in this batch).
    pub(super) async fn write(
        &self,
        txn: &DatabaseTransaction,
        tenant_id: &str,
    ) -> anyhow::Result<()> {
        for user in &self.user_updates {
            directory_user::Entity::update(user.clone().into_active_model().reset_all())
                .filter(directory_user::Column::TenantId.eq(tenant_id))
                .exec(txn)
                .await
                .context("updating a user")?;
        }
        insert_all(
            txn,
            self.user_inserts
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model)
                .collect(),
        )
        .await
        .context("inserting users")?;
        for device in &self.device_updates {
            device::Entity::update(device.clone().into_active_model().reset_all())
                .filter(device::Column::TenantId.eq(tenant_id))
                .exec(txn)
                .await
                .context("updating a device")?;
        }
        insert_all(
            txn,
            self.device_inserts
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model)
                .collect(),
        )
        .await
        .context("inserting devices")?;
        Ok(())
    }
}

/// One audit event per committed batch that changed something, in the batch's transaction:
/// how many records were inserted and updated, from which lines. Counts only, no values.
pub(super) async fn audit_batch(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    plan: &Plan,
    first_line: u64,
    last_line: u64,
    now: i64,
) -> anyhow::Result<()> {
    let changed = plan.user_inserts.len()
        + plan.user_updates.len()
        + plan.device_inserts.len()
        + plan.device_updates.len();
    if changed == 0 {
        return Ok(());
    }
    let counts = [
        ("users_inserted", plan.user_inserts.len()),
        ("users_updated", plan.user_updates.len()),
        ("devices_inserted", plan.device_inserts.len()),
        ("devices_updated", plan.device_updates.len()),
    ];
    crate::services::audit::append(
        txn,
        tenant_id,
        crate::services::audit::NewEvent {
            actor: crate::services::audit::Actor {
                kind: crate::services::audit::ActorKind::Import,
                id: "import".into(),
                name: app::personal_data::IMPORT_AUTHOR.into(),
            },
            action: crate::services::audit::AuditAction::ImportBatch,
            target_kind: crate::services::audit::TargetKind::Tenant,
            target_id: tenant_id.into(),
            subject_user_id: None,
            changes: counts
                .iter()
                .map(|(field, n)| crate::services::audit::Change {
                    field: (*field).into(),
                    before: None,
                    after: Some(n.to_string()),
                })
                .collect(),
            reason: Some(format!("lines {first_line}-{last_line}")),
            occurred_at: now,
        },
    )
    .await
    .map(|_| ())
}

pub(super) fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The corrections waiting for `stored`'s source that the update to `row` completes, with the
/// values as the audit trail may show them (user fields are always visible to the tenant).
pub(super) fn user_shows(
    open: Option<&Vec<correction_request::Model>>,
    stored: &directory_user::Model,
    row: &directory_user::Model,
) -> Vec<at_source::Shown> {
    completed(open, |field| {
        (
            user_field(stored, field),
            user_field(row, field),
            Visibility::Visible,
        )
    })
}

/// As [`user_shows`], for a device: the values under the field's rule for the updated device.
pub(super) fn device_shows(
    open: Option<&Vec<correction_request::Model>>,
    stored: &device::Model,
    row: &device::Model,
) -> Vec<at_source::Shown> {
    completed(open, |field| {
        (
            device_value(stored, field),
            device_value(row, field),
            visibility(field, &context_of(row)),
        )
    })
}

fn completed(
    open: Option<&Vec<correction_request::Model>>,
    values: impl Fn(FieldId) -> (Option<String>, Option<String>, Visibility),
) -> Vec<at_source::Shown> {
    let Some(open) = open else {
        return Vec::new();
    };
    open.iter()
        .filter_map(|routed| {
            let field = FieldId::parse(&routed.field).ok()?;
            let (before, after, shown) = values(field);
            at_source::shows(routed, after.as_deref()).then(|| at_source::Shown {
                routed: routed.clone(),
                before: before.as_deref().and_then(|v| apply(shown, v)),
                after: after.as_deref().and_then(|v| apply(shown, v)),
                brought_now: before != after,
            })
        })
        .collect()
}
