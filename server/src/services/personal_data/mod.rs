//! One user's personal data for the admin page (read in [`page`]), and the admin's corrections.
//!
//! A correction is one transaction: the new value, the field's version (guarded, so a
//! concurrent change makes this one fail with a conflict instead of being overwritten), the
//! audit event with before and after, and a follow-up task for every recipient that received
//! the field (GDPR Art. 19). Fields whose truth lives elsewhere are never written here; a
//! routed correction records what the source must change, and [`at_source`] completes it when
//! the source's data shows the new value.

pub(crate) mod at_source;
mod page;
mod recipients;

pub(crate) use page::{own_records, recipients, shown_proposal};
pub(crate) use recipients::notify_recipients;

use crate::clock::Clock;
use crate::entities::access_log::AccessView;
use crate::entities::correction_request::RequestStatus;
use crate::entities::follow_up_task::TaskKind;
use crate::entities::{correction_request, device, directory_user, field_version};
use crate::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::{finish, on_unique, parse_reason, ServiceError};
use crate::services::records::{context_of, device_field, user_field};
use app::auth::Principal;
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::enums::{CorrectionRoute, Sensitivity};
use app::domain::visibility::{apply, visibility, Visibility};
use app::error::{AppError, Refusal};
use app::i18n::Key;
use app::personal_data::{CorrectionInput, CorrectionOutcome, PersonalDataPort, UserDataView};
use app::services::BoxFuture;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, NotSet, QueryFilter, Set, TransactionTrait,
};

pub struct PersonalDataService {
    pub db: DatabaseConnection,
    pub clock: Clock,
}

impl PersonalDataPort for PersonalDataService {
    fn user_data<'a>(
        &'a self,
        principal: &'a Principal,
        user_id: &'a str,
    ) -> BoxFuture<'a, Result<UserDataView, AppError>> {
        Box::pin(async move { finish(self.read(principal, user_id).await) })
    }

    fn correct<'a>(
        &'a self,
        principal: &'a Principal,
        input: CorrectionInput,
        routed: bool,
    ) -> BoxFuture<'a, Result<CorrectionOutcome, AppError>> {
        Box::pin(async move { finish(self.apply_correction(principal, &input, routed).await) })
    }

    fn reveal<'a>(
        &'a self,
        principal: &'a Principal,
        user_id: &'a str,
        device_id: &'a str,
        field: FieldId,
        reason: &'a str,
    ) -> BoxFuture<'a, Result<String, AppError>> {
        Box::pin(async move {
            finish(
                self.reveal_secret(principal, user_id, device_id, field, reason)
                    .await,
            )
        })
    }
}

/// The stored record a field belongs to.
// One value per request, on the stack for one call; boxing the device would only add an
// allocation.
#[allow(clippy::large_enum_variant)]
enum Target {
    User(directory_user::Model),
    Device(device::Model),
}

impl PersonalDataService {
    async fn subject(
        &self,
        conn: &impl ConnectionTrait,
        principal: &Principal,
        user_id: &str,
    ) -> Result<directory_user::Model, ServiceError> {
        subject(conn, principal, user_id).await
    }

    async fn device_of(
        &self,
        conn: &impl ConnectionTrait,
        principal: &Principal,
        user_id: &str,
        device_id: &str,
    ) -> Result<device::Model, ServiceError> {
        device_of(conn, principal, user_id, device_id).await
    }

    /// The person page (or the REST API's user): the data, and its entry in the access log.
    async fn read(
        &self,
        principal: &Principal,
        user_id: &str,
    ) -> Result<UserDataView, ServiceError> {
        let view = self.load(principal, user_id).await?;
        let through = if principal.api_token_id.is_some() {
            AccessView::Api
        } else {
            AccessView::UserPage
        };
        crate::services::access_log::record(
            &self.db,
            &principal.tenant_id,
            &Actor::of(principal),
            &view.user.id,
            through,
            self.clock.now_ms(),
        )
        .await?;
        Ok(view)
    }

    async fn apply_correction(
        &self,
        principal: &Principal,
        input: &CorrectionInput,
        routed: bool,
    ) -> Result<CorrectionOutcome, ServiceError> {
        let txn = self.db.begin().await?;
        lock_field(&txn, &input.record_id, input.field).await?;
        let made = if routed {
            Made::AtSource { origin: None }
        } else {
            Made::InPortal
        };
        let outcome = correct_in(&txn, principal, input, made, self.clock.now_ms()).await?;
        txn.commit().await?;
        Ok(outcome)
    }
    async fn reveal_secret(
        &self,
        principal: &Principal,
        user_id: &str,
        device_id: &str,
        field: FieldId,
        reason: &str,
    ) -> Result<String, ServiceError> {
        let reason = parse_reason(reason)?.into_string();
        if field.spec().sensitivity != Sensitivity::Secret {
            return Err(ServiceError::invalid("field", Key::ErrNotASecret));
        }
        let txn = self.db.begin().await?;
        let user = self.subject(&txn, principal, user_id).await?;
        let device = self.device_of(&txn, principal, &user.id, device_id).await?;
        let value = device_field(&device, &user, field).ok_or(ServiceError::NotFound)?;
        audit::append(
            &txn,
            &principal.tenant_id,
            NewEvent {
                actor: Actor::of(principal),
                action: AuditAction::SecretRevealed,
                target_kind: TargetKind::Device,
                target_id: device.id.clone(),
                subject_user_id: Some(user.id.clone()),
                // The secret itself never enters the audit log.
                changes: vec![Change {
                    field: field.as_str().into(),
                    before: None,
                    after: None,
                }],
                reason: Some(reason),
                occurred_at: self.clock.now_ms(),
            },
        )
        .await?;
        crate::services::access_log::record(
            &txn,
            &principal.tenant_id,
            &Actor::of(principal),
            &user.id,
            AccessView::Reveal,
            self.clock.now_ms(),
        )
        .await?;
        txn.commit().await?;
        Ok(value)
    }
}

/// Makes the field's version row the transaction's first write, before anything is read,
/// so that SQLite then takes its writer lock up front, so a concurrent correction of another
/// field waits for it (busy timeout) instead of failing later on a stale snapshot with a false
/// conflict or "database is locked"; PostgreSQL locks the row, if there is one. It changes
/// nothing; the version check itself stays in [`bump_version`].
async fn lock_field(
    txn: &DatabaseTransaction,
    record_id: &str,
    field: FieldId,
) -> Result<(), ServiceError> {
    field_version::Entity::update_many()
        .col_expr(
            field_version::Column::Version,
            Expr::col(field_version::Column::Version).into(),
        )
        .filter(field_version::Column::RecordId.eq(record_id))
        .filter(field_version::Column::Field.eq(field.as_str()))
        .exec(txn)
        .await?;
    Ok(())
}

/// The directory user `user_id` of the principal's tenant; not found for any other tenant's.
async fn subject(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    user_id: &str,
) -> Result<directory_user::Model, ServiceError> {
    directory_user::Entity::find_by_id(user_id.to_owned())
        .filter(directory_user::Column::TenantId.eq(principal.tenant_id.clone()))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The device `device_id` whose primary user is `user_id`, in the principal's tenant.
async fn device_of(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    user_id: &str,
    device_id: &str,
) -> Result<device::Model, ServiceError> {
    device::Entity::find_by_id(device_id.to_owned())
        .filter(device::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(device::Column::PrimaryUserId.eq(user_id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// Where a correction is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Made {
    /// Here: the field's route must be this portal.
    InPortal,
    /// At the field's source: an admin's record (`origin: None`) or the approval of the end
    /// user's request `origin`.
    AtSource { origin: Option<Origin> },
}

/// The end user's request a correction at the source comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub id: i64,
    /// Whether it restricts sharing of the field: the restriction holds until the source shows
    /// the new value.
    pub restrict_sharing: bool,
    /// Its deadline (Art. 12(3) counts from receipt, extensions included), which the task at
    /// the source keeps.
    pub due_at: i64,
}

/// Corrects a field in the portal, or records the correction its source must make, inside
/// the caller's transaction. Shared by the admin's correction and the approval of an end
/// user's request, so both obey one rule.
///
/// In the portal: the value, the field's version (guarded), the audit event with `principal`
/// as the actor, and a follow-up per recipient that received the field. At the source: the
/// routed task and its audit event only; the value, the version and the follow-ups wait for
/// the source's data to show the new value ([`at_source`]).
///
/// # Errors
/// A refusal for a bad value or reason, a field corrected elsewhere (or here, when routed) or
/// never, a routed value the field already holds, a record of another tenant, or a field no
/// longer at `input.base_version`; a failure when the database fails.
pub(crate) async fn correct_in(
    txn: &DatabaseTransaction,
    principal: &Principal,
    input: &CorrectionInput,
    made: Made,
    now: i64,
) -> Result<CorrectionOutcome, ServiceError> {
    let reason = parse_reason(&input.reason)?.into_string();
    let user = subject(txn, principal, &input.user_id).await?;
    let target = match input.field.record() {
        RecordKind::User if input.record_id == user.id => Target::User(user.clone()),
        RecordKind::Device => {
            Target::Device(device_of(txn, principal, &user.id, &input.record_id).await?)
        }
        _ => return Err(ServiceError::NotFound),
    };
    let route = match &target {
        Target::User(_) => input.field.spec().route,
        Target::Device(d) => input.field.spec_for(&context_of(d)).route,
    };
    match (route, made) {
        (CorrectionRoute::Never, _) => {
            return Err(ServiceError::invalid("field", Key::ErrNeverCorrected))
        }
        (CorrectionRoute::Portal, Made::InPortal) => {}
        (CorrectionRoute::Portal, Made::AtSource { .. }) => {
            return Err(ServiceError::invalid("field", Key::ErrCorrectedHere))
        }
        (other, Made::InPortal) => {
            return Err(ServiceError::invalid(
                "field",
                Refusal::with(
                    Key::ErrCorrectedElsewhere,
                    [("route", other.label().into())],
                ),
            ));
        }
        (_, Made::AtSource { .. }) => {}
    }
    let value = input
        .field
        .parse_value(&input.value)
        .map_err(|e| ServiceError::invalid("value", e))?;
    let record_id = match &target {
        Target::User(u) => u.id.clone(),
        Target::Device(d) => d.id.clone(),
    };
    // The audit trail obeys the visibility rules like every other reading: what the tenant may
    // not see of this field on this device is not written there either, before or after.
    let (held, shown) = match &target {
        Target::User(u) => (user_field(u, input.field), Visibility::Visible),
        Target::Device(d) => (
            device_field(d, &user, input.field),
            visibility(input.field, &context_of(d)),
        ),
    };
    // Not collected from this device: nothing is held to correct, and nothing may be stored.
    if matches!(shown, Visibility::Hidden(_)) {
        return Err(ServiceError::invalid("field", Key::ErrNotCollected));
    }
    let before = held.as_deref().and_then(|v| apply(shown, v));
    let after = apply(shown, &value);
    // The one audit event of this correction: made here, or recorded for the source.
    let event = |action| NewEvent {
        actor: Actor::of(principal),
        action,
        target_kind: input.field.record().into(),
        target_id: record_id.clone(),
        subject_user_id: Some(user.id.clone()),
        changes: vec![Change {
            field: input.field.as_str().into(),
            before: before.clone(),
            after: after.clone(),
        }],
        reason: Some(reason.clone()),
        occurred_at: now,
    };
    let already_held = at_source::shows_value(held.as_deref(), &value);
    let Made::AtSource { origin } = made else {
        // Nothing to correct: no version, no audit event, nobody told (a stale form is still
        // a conflict first, as for any correction).
        if already_held {
            if current_version(txn, &record_id, input.field).await? != input.base_version {
                return Err(ServiceError::Conflict);
            }
            return Err(ServiceError::invalid("value", Key::ErrValueAlreadyHeld));
        }
        let version = bump_version(
            txn,
            principal,
            &record_id,
            input.field,
            input.base_version,
            now,
        )
        .await?;
        write_value(txn, principal, &target, input.field, &value, now).await?;
        let event_id = audit::append(
            txn,
            &principal.tenant_id,
            event(AuditAction::FieldCorrected),
        )
        .await?;
        let recipients = notify_recipients(
            txn,
            &principal.tenant_id,
            &record_id,
            input.field,
            TaskKind::NotifyCorrection,
            event_id,
            now,
        )
        .await?;
        return Ok(CorrectionOutcome {
            version,
            follow_up_recipients: recipients,
        });
    };
    // Nothing changes here until the source shows the value: the version is only checked, so
    // a stale form is refused as it would be for a correction made here.
    let version = current_version(txn, &record_id, input.field).await?;
    if version != input.base_version {
        return Err(ServiceError::Conflict);
    }
    if !at_source::tracked(input.field) {
        return Err(ServiceError::invalid("field", Key::ErrNoSourceSync));
    }
    if already_held && origin.is_none() {
        return Err(ServiceError::invalid("value", Key::ErrValueAlreadyHeld));
    }
    let restrict_sharing = origin.is_some_and(|o| o.restrict_sharing);
    let routed = correction_request::ActiveModel {
        id: NotSet,
        tenant_id: Set(principal.tenant_id.clone()),
        requester_account_id: Set(Some(principal.account_id)),
        subject_user_id: Set(user.id.clone()),
        record_kind: Set(input.field.record().as_str().into()),
        record_id: Set(record_id.clone()),
        field: Set(input.field.as_str().into()),
        proposed_value: Set(value.clone()),
        base_version: Set(input.base_version),
        reason: Set(reason.clone()),
        restrict_sharing: Set(restrict_sharing),
        status: Set(RequestStatus::Routed),
        received_at: Set(now),
        due_at: Set(origin.map_or_else(|| app::time::add_months(now, 1), |o| o.due_at)),
        extension_reason: Set(None),
        paused_at: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        origin_request_id: Set(origin.map(|o| o.id)),
    };
    let event_id = audit::append(
        txn,
        &principal.tenant_id,
        event(AuditAction::CorrectionRouted),
    )
    .await?;
    // One correction of a field waits for its source at a time: the newest.
    at_source::supersede_open(
        txn,
        &principal.tenant_id,
        &record_id,
        input.field,
        restrict_sharing,
        event_id,
        now,
    )
    .await?;
    let routed = routed.insert(txn).await?;
    if already_held {
        // The source showed the value before the request was approved: the correction is
        // complete now, by the same rule as when an import shows it later.
        let shown = at_source::Shown {
            routed,
            before: before.clone(),
            after,
            // An earlier import brought the value, and recorded its change then.
            brought_now: false,
        };
        if let Some(applied) = at_source::apply(txn, &principal.tenant_id, &shown, now).await? {
            return Ok(CorrectionOutcome {
                version: applied.version,
                follow_up_recipients: applied.informed,
            });
        }
    }
    Ok(CorrectionOutcome {
        version,
        follow_up_recipients: Vec::new(),
    })
}

/// The field's current version (0 before its first change).
pub(super) async fn current_version(
    txn: &DatabaseTransaction,
    record_id: &str,
    field: FieldId,
) -> Result<i64, ServiceError> {
    Ok(
        field_version::Entity::find_by_id((record_id.to_owned(), field.as_str().to_owned()))
            .one(txn)
            .await?
            .map_or(0, |row| row.version),
    )
}

/// Moves the field from `base` to `base + 1`, or refuses with a conflict if it is no longer at
/// `base`. The write itself is guarded (an `UPDATE … WHERE version = base`, or an insert that
/// a concurrent insert makes fail), so two simultaneous corrections cannot both win.
async fn bump_version(
    txn: &DatabaseTransaction,
    principal: &Principal,
    record_id: &str,
    field: FieldId,
    base: i64,
    now: i64,
) -> Result<i64, ServiceError> {
    let current =
        field_version::Entity::find_by_id((record_id.to_owned(), field.as_str().to_owned()))
            .one(txn)
            .await?;
    match current {
        None if base == 0 => {
            let inserted = field_version::ActiveModel {
                tenant_id: Set(principal.tenant_id.clone()),
                record_kind: Set(field.record().as_str().into()),
                record_id: Set(record_id.into()),
                field: Set(field.as_str().into()),
                version: Set(1),
                changed_at: Set(now),
                changed_by: Set(principal.actor_name()),
                changed_by_account_id: Set(Some(principal.account_id)),
            }
            .insert(txn)
            .await;
            match inserted {
                Ok(_) => Ok(1),
                // The first version of a field is inserted; a concurrent correction that
                // inserted it first is a conflict, any other failure is not.
                Err(e) => Err(on_unique(e, ServiceError::Conflict)),
            }
        }
        Some(row) if row.version == base => {
            let result = field_version::Entity::update_many()
                .col_expr(field_version::Column::Version, Expr::value(base + 1))
                .col_expr(field_version::Column::ChangedAt, Expr::value(now))
                .col_expr(
                    field_version::Column::ChangedBy,
                    Expr::value(principal.actor_name()),
                )
                .col_expr(
                    field_version::Column::ChangedByAccountId,
                    Expr::value(principal.account_id),
                )
                .filter(field_version::Column::RecordId.eq(record_id))
                .filter(field_version::Column::Field.eq(field.as_str()))
                .filter(field_version::Column::Version.eq(base))
                .exec(txn)
                .await?;
            if result.rows_affected == 1 {
                Ok(base + 1)
            } else {
                Err(ServiceError::Conflict)
            }
        }
        _ => Err(ServiceError::Conflict),
    }
}

/// Writes a portal-owned value into its record.
async fn write_value(
    txn: &DatabaseTransaction,
    principal: &Principal,
    target: &Target,
    field: FieldId,
    value: &str,
    now: i64,
) -> Result<(), ServiceError> {
    let Target::Device(d) = target else {
        // No user field is corrected in the portal: identity lives in the directory.
        return Err(ServiceError::Forbidden);
    };
    // Only the corrected column (and the record's version) is written, so a concurrent change
    // of another column of the same device is not overwritten with what this request read.
    let (column, stored) = match field {
        FieldId::ManagementName => (device::Column::ManagementName, Some(value.to_owned())),
        FieldId::Ownership => (device::Column::Ownership, Some(value.to_owned())),
        FieldId::DeviceCategory => (device::Column::DeviceCategory, Some(value.to_owned())),
        FieldId::PrimaryUser => {
            let user = directory_user::Entity::find()
                .filter(directory_user::Column::TenantId.eq(principal.tenant_id.clone()))
                .filter(directory_user::Column::Upn.eq(value))
                .one(txn)
                .await?
                .ok_or_else(|| ServiceError::invalid("value", Key::ErrNoSuchUserInTenant))?;
            (device::Column::PrimaryUserId, Some(user.id))
        }
        _ => return Err(ServiceError::Forbidden),
    };
    device::Entity::update_many()
        .col_expr(column, Expr::value(stored))
        .col_expr(
            device::Column::Version,
            Expr::col(device::Column::Version).add(1),
        )
        .col_expr(device::Column::UpdatedAt, Expr::value(now))
        .filter(device::Column::Id.eq(d.id.clone()))
        .filter(device::Column::TenantId.eq(principal.tenant_id.clone()))
        .exec(txn)
        .await?;
    Ok(())
}
