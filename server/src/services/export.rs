//! Everything held about one data subject, for access requests (GDPR Art. 15) and portability
//! (Art. 20): identity, devices with their apps, disclosures, correction requests and the audit
//! trail, as JSON and as CSV.
//!
//! The visibility rules of the field catalogue apply exactly as on screen: a value the platform
//! withholds (for example the IMEI of a personally owned Android 12+ work-profile device) is not
//! exported, and secrets stay masked (revealing one is a separate, audited act).

use crate::clock::to_rfc3339;
use crate::entities::disclosure::DeliveryStatus;
use crate::entities::{audit_event, correction_request, disclosure};
use crate::services::csv_file::CsvFile;
use crate::services::error::ServiceError;
use crate::services::records::{Reader, Records, Shown};
use anyhow::Context;
use app::domain::catalogue::RecordKind;
use app::domain::visibility::Visibility;
use app::i18n::{Key, Locale};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::Serialize;

/// The file format of a user's export, as the audit event names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
}

impl ExportFormat {
    /// `json` or `csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
        }
    }
}

/// Exports everything held about `user_id` for `actor` and records the act (`user.exported`,
/// and a read in the access log):
/// the one use case behind the download route and the REST API, so both doors tell one story.
///
/// # Errors
/// [`ServiceError::NotFound`] for a user not in the tenant; a database failure otherwise (then
/// nothing is handed out).
pub async fn export_recorded<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    tenant_id: &str,
    actor: crate::services::audit::Actor,
    user_id: &str,
    format: ExportFormat,
    locale: Locale,
    now_ms: i64,
) -> Result<UserExport, ServiceError> {
    // The read and the audit event commit together, or nothing is handed out. The data is
    // read before the transaction: on SQLite a transaction that reads and then writes fails at
    // once (no busy wait) when another connection committed in between.
    let export = export_user(db, tenant_id, user_id, locale, now_ms).await?;
    let txn = db.begin().await.context("recording an export")?;
    crate::services::access_log::record(
        &txn,
        tenant_id,
        &actor,
        user_id,
        crate::entities::access_log::AccessView::Export,
        now_ms,
    )
    .await?;
    crate::services::audit::append(
        &txn,
        tenant_id,
        crate::services::audit::NewEvent {
            actor,
            action: crate::services::audit::AuditAction::UserExported,
            target_kind: crate::services::audit::TargetKind::User,
            target_id: user_id.to_owned(),
            subject_user_id: Some(user_id.to_owned()),
            changes: vec![],
            reason: Some(format.as_str().into()),
            occurred_at: now_ms,
        },
    )
    .await?;
    txn.commit().await.context("recording an export")?;
    Ok(export)
}

/// One field of one record, as the export shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldValue {
    pub field: String,
    pub label: String,
    /// The value as shown (masked or partial per the visibility rules); `None` when withheld or
    /// not held.
    pub value: Option<String>,
    /// `visible`, `last_digits`, `hidden` or `secret`.
    pub shown: String,
    pub source: String,
    pub version: i64,
    pub changed_at: String,
    pub changed_by: String,
}

/// A record (the user or a device) with its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordExport {
    pub kind: String,
    pub id: String,
    pub fields: Vec<FieldValue>,
}

/// An app inventory entry shown under its device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppExport {
    pub app_id: String,
    pub name: String,
    pub version: String,
    pub managed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceExport {
    #[serde(flatten)]
    pub record: RecordExport,
    pub apps: Vec<AppExport>,
    /// Apps withheld by the visibility rules (personal devices show managed apps only).
    pub apps_withheld: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DisclosureExport {
    pub record_kind: String,
    pub record_id: String,
    pub recipient: String,
    pub recipient_is_agent: bool,
    pub feature: String,
    pub fields: Vec<String>,
    pub disclosed_at: String,
    pub consent_id: Option<i64>,
    pub purpose: String,
    /// `received` (the recipient has it) or `pending` (recorded, to be delivered: a recipient
    /// the data "will be disclosed" to, Art. 15(1)(c)).
    pub state: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RequestExport {
    pub id: i64,
    pub record_kind: String,
    pub record_id: String,
    pub field: String,
    pub proposed_value: String,
    pub reason: String,
    pub status: String,
    pub received_at: String,
    pub due_at: String,
    pub decision_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditExport {
    pub seq: i64,
    pub occurred_at: String,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub changes: serde_json::Value,
    pub reason: Option<String>,
}

/// Everything held about one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserExport {
    pub tenant_id: String,
    pub exported_at: String,
    pub user: RecordExport,
    pub devices: Vec<DeviceExport>,
    pub disclosures: Vec<DisclosureExport>,
    pub correction_requests: Vec<RequestExport>,
    pub audit: Vec<AuditExport>,
}

/// Collects everything held about `user_id` in `tenant_id`, visibility rules applied.
///
/// # Errors
/// [`ServiceError::NotFound`] when the user is not in this tenant; database failures otherwise.
pub async fn export_user<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    user_id: &str,
    locale: Locale,
    now_ms: i64,
) -> Result<UserExport, ServiceError> {
    let records = Records::load(db, tenant_id, user_id).await?;
    let recipients = crate::services::personal_data::recipients(db).await?;
    let disclosures = disclosure::Entity::find()
        .filter(disclosure::Column::TenantId.eq(tenant_id))
        .filter(disclosure::Column::SubjectUserId.eq(user_id))
        // What the recipient has, and what is on its way (Art. 15(1)(c): "have been or will
        // be disclosed"), each with its state; a failed, cancelled or superseded delivery
        // reached nobody and is not listed.
        .filter(
            disclosure::Column::DeliveryStatus.is_in(
                DeliveryStatus::RECEIVED
                    .into_iter()
                    .chain([DeliveryStatus::Pending]),
            ),
        )
        .order_by_asc(disclosure::Column::DisclosedAt)
        .all(db)
        .await
        .context("reading disclosures")?;
    let requests = correction_request::Entity::find()
        .filter(correction_request::Column::TenantId.eq(tenant_id))
        .filter(correction_request::Column::SubjectUserId.eq(user_id))
        .order_by_asc(correction_request::Column::ReceivedAt)
        .all(db)
        .await
        .context("reading correction requests")?;
    let audit = audit_event::Entity::find()
        .filter(audit_event::Column::TenantId.eq(tenant_id))
        .filter(audit_event::Column::SubjectUserId.eq(user_id))
        .order_by_asc(audit_event::Column::Seq)
        .all(db)
        .await
        .context("reading the audit trail")?;

    let field_value = |s: Shown| {
        let spec = s.field.spec();
        FieldValue {
            field: s.field.as_str().into(),
            label: spec.label.text(locale).into(),
            // A value the platform never collects from this device is said to be so: the
            // export does not call "hidden" what is not held.
            shown: match (s.held, s.visibility) {
                (true, shown) => shown_label(shown),
                (false, Visibility::Hidden(_)) => "not_collected",
                (false, _) => "visible",
            }
            .into(),
            value: s.value,
            source: spec.source.as_str().into(),
            version: s.provenance.version,
            changed_at: to_rfc3339(s.provenance.changed_at),
            changed_by: s.provenance.changed_by,
        }
    };

    let user_record = RecordExport {
        kind: RecordKind::User.as_str().into(),
        id: records.user.id.clone(),
        fields: records.user_fields().into_iter().map(field_value).collect(),
    };

    let device_exports = records
        .devices
        .iter()
        .map(|d| {
            let apps = records.apps_of(d);
            DeviceExport {
                record: RecordExport {
                    kind: RecordKind::Device.as_str().into(),
                    id: d.id.clone(),
                    fields: records
                        .device_fields(d, Reader::Staff)
                        .into_iter()
                        .map(field_value)
                        .collect(),
                },
                apps: apps
                    .shown
                    .into_iter()
                    .map(|a| AppExport {
                        app_id: a.app_id.clone(),
                        name: a.name.clone(),
                        version: a.app_version.clone(),
                        managed: a.managed,
                    })
                    .collect(),
                apps_withheld: apps.withheld,
            }
        })
        .collect();

    Ok(UserExport {
        tenant_id: tenant_id.into(),
        exported_at: to_rfc3339(now_ms),
        user: user_record,
        devices: device_exports,
        disclosures: disclosures
            .into_iter()
            .map(|d| {
                let recipient = recipients.get(&d.recipient_id);
                DisclosureExport {
                    record_kind: d.record_kind,
                    record_id: d.record_id,
                    recipient: recipient.map_or_else(|| d.recipient_id.clone(), |r| r.name.clone()),
                    recipient_is_agent: recipient.is_some_and(|r| r.is_agent),
                    feature: d.feature_id,
                    fields: d.fields.split(',').map(str::to_owned).collect(),
                    disclosed_at: to_rfc3339(d.disclosed_at),
                    consent_id: d.consent_id,
                    purpose: d.purpose,
                    state: if d.delivery_status == DeliveryStatus::Pending {
                        "pending"
                    } else {
                        "received"
                    }
                    .into(),
                }
            })
            .collect(),
        correction_requests: requests
            .into_iter()
            .map(|r| RequestExport {
                // Staff download the export: a proposal is shown as its field's rule allows.
                proposed_value: crate::services::personal_data::shown_proposal(
                    &records,
                    &r.record_id,
                    &r.field,
                    &r.proposed_value,
                ),
                id: r.id,
                record_kind: r.record_kind,
                record_id: r.record_id,
                field: r.field,
                reason: r.reason,
                status: r.status.as_str().to_owned(),
                received_at: to_rfc3339(r.received_at),
                due_at: to_rfc3339(r.due_at),
                decision_reason: r.decision_reason,
            })
            .collect(),
        audit: audit
            .into_iter()
            .map(|e| AuditExport {
                seq: e.seq,
                occurred_at: to_rfc3339(e.occurred_at),
                actor: e.actor_name,
                action: e.action,
                target_kind: e.target_kind,
                target_id: e.target_id,
                changes: serde_json::from_str(&e.changes).unwrap_or(serde_json::Value::Null),
                reason: e.reason,
            })
            .collect(),
    })
}

fn shown_label(v: Visibility) -> &'static str {
    match v {
        Visibility::Visible => "visible",
        Visibility::LastDigits(_) => "last_digits",
        Visibility::Hidden(_) => "hidden",
        Visibility::Secret => "secret",
    }
}

/// The export as one CSV table, headers in the reader's language. Values are quoted as RFC 4180
/// requires, and cells that a spreadsheet would run as a formula are defused with a leading `'`.
pub fn to_csv(export: &UserExport, locale: Locale) -> String {
    let mut out = CsvFile::new();
    let header = [
        Key::CsvSection,
        Key::CsvRecordKind,
        Key::CsvRecordId,
        Key::CsvField,
        Key::CsvValue,
        Key::CsvShown,
        Key::CsvSource,
        Key::CsvVersion,
        Key::CsvChangedAt,
        Key::CsvChangedBy,
        Key::CsvDetail,
    ]
    .map(|k| k.text(locale).to_owned());
    out.row(header);
    let mut record = |section: &str, r: &RecordExport| {
        for f in &r.fields {
            out.row([
                section.into(),
                r.kind.clone(),
                r.id.clone(),
                f.field.clone(),
                f.value.clone().unwrap_or_default(),
                f.shown.clone(),
                f.source.clone(),
                f.version.to_string(),
                f.changed_at.clone(),
                f.changed_by.clone(),
                f.label.clone(),
            ]);
        }
    };
    record("identity", &export.user);
    for d in &export.devices {
        record("device", &d.record);
    }
    for d in &export.devices {
        for a in &d.apps {
            out.row([
                "app".into(),
                "device".into(),
                d.record.id.clone(),
                a.app_id.clone(),
                format!("{} {}", a.name, a.version),
                "visible".into(),
                "device".into(),
                String::new(),
                String::new(),
                String::new(),
                if a.managed { "managed" } else { "unmanaged" }.into(),
            ]);
        }
    }
    for d in &export.disclosures {
        out.row([
            "disclosure".into(),
            d.record_kind.clone(),
            d.record_id.clone(),
            d.fields.join(" "),
            d.recipient.clone(),
            d.state.clone(),
            d.feature.clone(),
            String::new(),
            d.disclosed_at.clone(),
            String::new(),
            d.purpose.clone(),
        ]);
    }
    for r in &export.correction_requests {
        out.row([
            "correction_request".into(),
            r.record_kind.clone(),
            r.record_id.clone(),
            r.field.clone(),
            r.proposed_value.clone(),
            r.status.clone(),
            String::new(),
            String::new(),
            r.received_at.clone(),
            String::new(),
            r.reason.clone(),
        ]);
    }
    for e in &export.audit {
        out.row([
            "audit".into(),
            e.target_kind.clone(),
            e.target_id.clone(),
            e.action.clone(),
            e.changes.to_string(),
            String::new(),
            String::new(),
            e.seq.to_string(),
            e.occurred_at.clone(),
            e.actor.clone(),
            e.reason.clone().unwrap_or_default(),
        ]);
    }
    out.finish()
}
