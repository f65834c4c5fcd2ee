//! The personal-data page: the person's records as staff read them, with the trail of changes,
//! the follow-ups with recipients and the corrections routed to a source; and the end user's
//! own projection of the same records.
//!
//! The end user's projection is built from the parts it lists, never by loading the staff view
//! and removing what staff alone may see, so a section added to the staff page later does not
//! reach `/me` unless someone adds it there on purpose.

use super::PersonalDataService;
use crate::entities::correction_request::RequestStatus;
use crate::entities::disclosure::DeliveryStatus;
use crate::entities::{audit_event, correction_request, disclosure, follow_up_task, recipient};
use crate::services::audit::Change;
use crate::services::error::ServiceError;
use crate::services::records::{context_of, Reader, Records, Shown};
use anyhow::Context;
use app::auth::Principal;
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::enums::CorrectionRoute;
use app::domain::visibility::{apply, visibility, HiddenReason, Visibility};
use app::personal_data::{
    AppView, ChangeView, DeviceView, FieldView, FollowUpView, HistoryEntry, Receipt, RecordView,
    RoutedView, UserDataView,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};

/// A person's records as the page shows them: the user, then each device with its apps.
pub(crate) struct RecordViews {
    pub user: RecordView,
    pub devices: Vec<DeviceView>,
}

impl PersonalDataService {
    /// Everything the personal-data page shows about `user_id`, in the principal's tenant.
    pub(crate) async fn load(
        &self,
        principal: &Principal,
        user_id: &str,
    ) -> Result<UserDataView, ServiceError> {
        let db = &self.db;
        let tenant = principal.tenant_id.as_str();
        let records = Records::load(db, tenant, user_id).await?;
        let recipients = recipients(db).await?;
        let views = record_views(db, tenant, &records, &recipients, Reader::Staff).await?;
        let history = audit_event::Entity::find()
            .filter(audit_event::Column::TenantId.eq(tenant))
            .filter(audit_event::Column::SubjectUserId.eq(user_id))
            .order_by_desc(audit_event::Column::Seq)
            .limit(200)
            .all(db)
            .await
            .context("reading the history")?
            .into_iter()
            .map(|e| HistoryEntry {
                seq: e.seq,
                occurred_at: e.occurred_at,
                actor: e.actor_name,
                action: e.action,
                target_kind: e.target_kind,
                target_id: e.target_id,
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
            })
            .collect();
        let follow_ups = follow_up_task::Entity::find()
            .filter(follow_up_task::Column::TenantId.eq(tenant))
            .filter(follow_up_task::Column::RecordId.is_in(records.ids()))
            .order_by_desc(follow_up_task::Column::Id)
            .all(db)
            .await
            .context("reading follow-ups")?
            .into_iter()
            .map(|t| FollowUpView {
                id: t.id,
                kind: t.kind,
                recipient_name: recipients
                    .get(&t.recipient_id)
                    .map_or_else(|| t.recipient_id.clone(), |r| r.name.clone()),
                record_id: t.record_id,
                field: t.field,
                status: t.status,
                created_at: t.created_at,
            })
            .collect();
        let routed = correction_request::Entity::find()
            .filter(correction_request::Column::TenantId.eq(tenant))
            .filter(correction_request::Column::SubjectUserId.eq(user_id))
            .filter(correction_request::Column::Status.is_in(RequestStatus::AT_SOURCE))
            .order_by_desc(correction_request::Column::Id)
            .all(db)
            .await
            .context("reading routed corrections")?
            .into_iter()
            .map(|r| RoutedView {
                // The proposal is shown under the rule of the field it is for.
                proposed_value: shown_proposal(&records, &r.record_id, &r.field, &r.proposed_value),
                id: r.id,
                record_id: r.record_id,
                field: r.field,
                reason: r.reason,
                status: r.status,
                received_at: r.received_at,
            })
            .collect();
        Ok(UserDataView {
            user: views.user,
            devices: views.devices,
            history,
            follow_ups,
            routed,
        })
    }
}

/// The signed-in end user's own records, and nothing else: the user and their devices with
/// the visibility rules applied. Staff-only parts (the trail of staff actions, follow-ups with
/// partners, routed corrections) are not read at all.
///
/// # Errors
/// [`ServiceError::Forbidden`] for a principal that is not linked to a directory user;
/// [`ServiceError::NotFound`] when that user is gone; a failure when the database fails.
pub(crate) async fn own_records<C: ConnectionTrait>(
    db: &C,
    principal: &Principal,
) -> Result<RecordViews, ServiceError> {
    let me = principal
        .directory_user_id
        .as_deref()
        .ok_or(ServiceError::Forbidden)?;
    let records = Records::load(db, &principal.tenant_id, me).await?;
    let recipients = recipients(db).await?;
    record_views(
        db,
        &principal.tenant_id,
        &records,
        &recipients,
        Reader::Subject,
    )
    .await
}

/// A proposed value as the tenant may see it: under the visibility rule of its field on the
/// device it is for (a proposal for a hidden field is not shown, only that there is one).
pub(crate) fn shown_proposal(
    records: &Records,
    record_id: &str,
    field: &str,
    proposed: &str,
) -> String {
    let rule = match (
        FieldId::parse(field),
        records.devices.iter().find(|d| d.id == record_id),
    ) {
        (Ok(f), Some(d)) => visibility(f, &context_of(d)),
        // The user's own record; a device no longer theirs is not shown at all.
        (Ok(f), None) if f.record() == RecordKind::User => Visibility::Visible,
        (Ok(_), None) => Visibility::Hidden(HiddenReason::NotReported),
        (Err(_), _) => Visibility::Hidden(HiddenReason::NotReported),
    };
    apply(rule, proposed).unwrap_or_default()
}

/// Every recipient by id (the catalogue's, shared by all tenants).
pub(crate) async fn recipients<C: ConnectionTrait>(
    db: &C,
) -> Result<HashMap<String, recipient::Model>, ServiceError> {
    Ok(recipient::Entity::find()
        .all(db)
        .await
        .context("reading recipients")?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect())
}

/// The records as the page shows them, each field with who received it.
async fn record_views<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    records: &Records,
    recipients: &HashMap<String, recipient::Model>,
    reader: Reader,
) -> Result<RecordViews, ServiceError> {
    let receipts = receipts(db, tenant, records, recipients).await?;
    let field_view = |record_id: &str, s: Shown, correctable: bool| FieldView {
        field: s.field,
        held: s.held,
        value: s.value,
        visibility: s.visibility,
        version: s.provenance.version,
        changed_at: s.provenance.changed_at,
        changed_by: s.provenance.changed_by,
        correctable,
        received_by: receipts
            .get(&(record_id.to_owned(), s.field.as_str().to_owned()))
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default(),
    };
    let user = &records.user;
    let user_view = RecordView {
        kind: RecordKind::User,
        id: user.id.clone(),
        title: user.display_name.clone(),
        fields: records
            .user_fields()
            .into_iter()
            .map(|s| {
                let correctable = s.field.spec().route == CorrectionRoute::Portal;
                field_view(&user.id, s, correctable)
            })
            .collect(),
    };
    let devices = records
        .devices
        .iter()
        .map(|d| {
            let ctx = context_of(d);
            let apps = records.apps_of(d);
            DeviceView {
                record: RecordView {
                    kind: RecordKind::Device,
                    id: d.id.clone(),
                    title: format!("{} · {}", d.device_name, d.model),
                    fields: records
                        .device_fields(d, reader)
                        .into_iter()
                        .map(|s| {
                            let correctable =
                                s.field.spec_for(&ctx).route == CorrectionRoute::Portal;
                            field_view(&d.id, s, correctable)
                        })
                        .collect(),
                },
                context: ctx,
                apps: apps
                    .shown
                    .into_iter()
                    .map(|a| AppView {
                        app_id: a.app_id.clone(),
                        name: a.name.clone(),
                        version: a.app_version.clone(),
                        managed: a.managed,
                    })
                    .collect(),
                apps_withheld: u32::try_from(apps.withheld).unwrap_or(u32::MAX),
            }
        })
        .collect();
    Ok(RecordViews {
        user: user_view,
        devices,
    })
}

/// (record, field) → (recipient, feature) → what that recipient received of the field through
/// that feature; only disclosures that left the portal count.
async fn receipts<C: ConnectionTrait>(
    db: &C,
    tenant: &str,
    records: &Records,
    recipients: &HashMap<String, recipient::Model>,
) -> Result<HashMap<(String, String), BTreeMap<(String, String), Receipt>>, ServiceError> {
    let disclosures = disclosure::Entity::find()
        .filter(disclosure::Column::TenantId.eq(tenant))
        .filter(disclosure::Column::RecordId.is_in(records.ids()))
        .filter(disclosure::Column::DeliveryStatus.is_in(DeliveryStatus::RECEIVED))
        .all(db)
        .await
        .context("reading disclosures")?;
    let mut receipts: HashMap<(String, String), BTreeMap<(String, String), Receipt>> =
        HashMap::new();
    for d in &disclosures {
        for field in d.fields.split(',') {
            let entry = receipts
                .entry((d.record_id.clone(), field.to_owned()))
                .or_default()
                .entry((d.recipient_id.clone(), d.feature_id.clone()))
                .or_insert_with(|| Receipt {
                    recipient_id: d.recipient_id.clone(),
                    recipient_name: recipients
                        .get(&d.recipient_id)
                        .map_or_else(|| d.recipient_id.clone(), |r| r.name.clone()),
                    is_agent: recipients.get(&d.recipient_id).is_some_and(|r| r.is_agent),
                    feature_id: d.feature_id.clone(),
                    consent_id: d.consent_id,
                    first_at: d.disclosed_at,
                    last_at: d.disclosed_at,
                    count: 0,
                });
            entry.count += 1;
            entry.first_at = entry.first_at.min(d.disclosed_at);
            if d.disclosed_at >= entry.last_at {
                entry.last_at = d.disclosed_at;
                entry.consent_id = d.consent_id;
            }
        }
    }
    Ok(receipts)
}
