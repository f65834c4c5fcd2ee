//! Telling recipients (GDPR Art. 19): the follow-up tasks owed to every recipient that
//! received a field of a record, written in the transaction of the change that owes them.

use crate::entities::disclosure::DeliveryStatus;
use crate::entities::follow_up_task::TaskKind;
use crate::entities::{disclosure, follow_up_task, recipient};
use crate::services::error::ServiceError;
use app::domain::catalogue::FieldId;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};
use std::collections::BTreeMap;

/// Creates a follow-up of `kind` for every recipient that has `field` of `record_id` (a
/// disclosure that reached it, [`DeliveryStatus::RECEIVED`]), in the caller's transaction, and
/// returns their names.
pub(crate) async fn notify_recipients(
    txn: &DatabaseTransaction,
    tenant_id: &str,
    record_id: &str,
    field: FieldId,
    kind: TaskKind,
    event_id: i64,
    now: i64,
) -> Result<Vec<String>, ServiceError> {
    let received = disclosure::Entity::find()
        .filter(disclosure::Column::TenantId.eq(tenant_id.to_owned()))
        .filter(disclosure::Column::RecordId.eq(record_id))
        .filter(disclosure::Column::Fields.contains(field.as_str()))
        .filter(disclosure::Column::DeliveryStatus.is_in(DeliveryStatus::RECEIVED))
        .all(txn)
        .await?;
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for d in received
        .iter()
        .filter(|d| d.fields.split(',').any(|f| f == field.as_str()))
    {
        seen.entry(d.recipient_id.clone())
            .or_insert_with(|| d.feature_id.clone());
    }
    let mut names = Vec::new();
    for (recipient_id, feature_id) in seen {
        follow_up_task::ActiveModel::open(
            tenant_id,
            kind,
            recipient_id.clone(),
            feature_id,
            Some((field.record().as_str(), record_id, field.as_str())),
            event_id,
            now,
        )
        .insert(txn)
        .await?;
        let name = recipient::Entity::find_by_id(recipient_id.clone())
            .one(txn)
            .await?
            .map_or(recipient_id, |r| r.name);
        names.push(name);
    }
    Ok(names)
}
