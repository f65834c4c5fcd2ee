//! One user's personal data as the admin page shows it: every field with its value (masked per
//! the visibility rules), source, last change, who received it; the user's history, follow-ups
//! and routed corrections; and the admin's actions on it: correct a field, route a correction to
//! its source, reveal a secret. Every action is a server function that re-checks role and
//! tenant; the browser's own check of a value (the shared parser) is only for instant feedback.

use crate::domain::catalogue::{FieldId, RecordKind};
use crate::domain::visibility::{DeviceContext, Visibility};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The author a field's provenance names when a bulk import changed it last.
pub const IMPORT_AUTHOR: &str = "bulk import";

/// Who last changed a field, in the reader's words: a field never changed since it arrived
/// (version 0) names its source of truth, translated; the bulk import is named as such; anyone
/// else by their own name (a person called "directory" stays "directory").
pub fn author_name(changed_by: &str, version: i64, locale: crate::i18n::Locale) -> String {
    if version == 0 {
        if let Ok(source) = crate::domain::enums::SourceOfTruth::parse(changed_by) {
            return source.label().text(locale).to_owned();
        }
    }
    if changed_by == IMPORT_AUTHOR {
        return crate::i18n::Key::AuthorImport.text(locale).to_owned();
    }
    changed_by.to_owned()
}

/// A recipient that received a field, aggregated over its disclosures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub recipient_id: String,
    pub recipient_name: String,
    pub is_agent: bool,
    pub feature_id: String,
    /// The consent in force at the latest disclosure, if the recipient needed one.
    pub consent_id: Option<i64>,
    pub first_at: i64,
    pub last_at: i64,
    pub count: u32,
}

/// One field of one record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldView {
    pub field: FieldId,
    /// The value as it may be shown (`None` when withheld or not held).
    pub value: Option<String>,
    /// Whether a value is held at all (a hidden value is held but not shown).
    pub held: bool,
    pub visibility: Visibility,
    pub version: i64,
    pub changed_at: i64,
    pub changed_by: String,
    /// Whether an admin may correct it here (its correction route is this portal).
    pub correctable: bool,
    pub received_by: Vec<Receipt>,
}

/// A record (the user or one device) with its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub kind: RecordKind,
    pub id: String,
    pub title: String,
    pub fields: Vec<FieldView>,
}

/// An app on a device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppView {
    pub app_id: String,
    pub name: String,
    pub version: String,
    pub managed: bool,
}

/// A device with its apps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub record: RecordView,
    pub context: DeviceContext,
    pub apps: Vec<AppView>,
    /// Apps withheld by the visibility rules.
    pub apps_withheld: u32,
}

/// A change in the user's audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub seq: i64,
    pub occurred_at: i64,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub changes: Vec<ChangeView>,
    pub reason: Option<String>,
}

/// One property's before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Work owed to a recipient because of this user's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpView {
    pub id: i64,
    pub kind: crate::domain::states::TaskKind,
    pub recipient_name: String,
    pub record_id: Option<String>,
    pub field: Option<String>,
    pub status: crate::domain::states::TaskStatus,
    pub created_at: i64,
}

/// A correction recorded for the field's source to make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutedView {
    pub id: i64,
    pub record_id: String,
    pub field: String,
    pub proposed_value: String,
    pub reason: String,
    pub status: crate::domain::states::RequestStatus,
    pub received_at: i64,
}

/// Everything the personal-data page shows about one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserDataView {
    pub user: RecordView,
    pub devices: Vec<DeviceView>,
    pub history: Vec<HistoryEntry>,
    pub follow_ups: Vec<FollowUpView>,
    pub routed: Vec<RoutedView>,
}

/// The result of a correction: the recipients who must now be told (GDPR Art. 19).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionOutcome {
    pub version: i64,
    pub follow_up_recipients: Vec<String>,
}

/// What the personal-data page asks of the server.
#[cfg(feature = "ssr")]
pub trait PersonalDataPort: Send + Sync {
    /// Everything shown about `user_id` in the principal's tenant.
    fn user_data<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        user_id: &'a str,
    ) -> crate::services::BoxFuture<'a, Result<UserDataView, AppError>>;

    /// Corrects a portal-owned field, or with `routed` records a correction its source must
    /// make; either way one transaction holds the change, the version, the audit event and
    /// the follow-ups.
    fn correct<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        request: CorrectionInput,
        routed: bool,
    ) -> crate::services::BoxFuture<'a, Result<CorrectionOutcome, AppError>>;

    /// Reveals a secret to an admin, with an audit event carrying the reason.
    fn reveal<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        user_id: &'a str,
        device_id: &'a str,
        field: FieldId,
        reason: &'a str,
    ) -> crate::services::BoxFuture<'a, Result<String, AppError>>;
}

/// A correction as asked, before the server decides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionInput {
    pub user_id: String,
    pub record_id: String,
    pub field: FieldId,
    pub value: String,
    pub base_version: i64,
    pub reason: String,
}

/// Everything the page shows about one user.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in; 404 for a user of another tenant.
#[server(prefix = "/api", endpoint = "users/data")]
pub async fn get_user_data(user_id: String) -> Result<UserDataView, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .personal_data
        .user_data(&principal, &user_id)
        .await
        .map_err(crate::error::respond_with)
}

/// Corrects a field whose correction belongs in this portal.
///
/// # Errors
/// 422 for a bad value or missing reason (naming the field), 409 when the field changed since
/// `base_version`, 404 for another tenant's record, 403 for a field corrected elsewhere.
#[server(prefix = "/api", endpoint = "users/correct")]
pub async fn correct_field(
    user_id: String,
    record_id: String,
    field: FieldId,
    value: String,
    base_version: i64,
    reason: String,
) -> Result<CorrectionOutcome, AppError> {
    let input = CorrectionInput {
        user_id,
        record_id,
        field,
        value,
        base_version,
        reason,
    };
    submit(input, false).await
}

/// Records a correction for the field's source (directory, device, partner) to make.
///
/// # Errors
/// As [`correct_field`], and 403 for fields that are never corrected.
#[server(prefix = "/api", endpoint = "users/route")]
pub async fn route_correction(
    user_id: String,
    record_id: String,
    field: FieldId,
    value: String,
    base_version: i64,
    reason: String,
) -> Result<CorrectionOutcome, AppError> {
    let input = CorrectionInput {
        user_id,
        record_id,
        field,
        value,
        base_version,
        reason,
    };
    submit(input, true).await
}

/// The shared body of [`correct_field`] and [`route_correction`]: authorise, then hand over.
#[cfg(feature = "ssr")]
async fn submit(input: CorrectionInput, routed: bool) -> Result<CorrectionOutcome, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .personal_data
        .correct(&principal, input, routed)
        .await
        .map_err(crate::error::respond_with)
}

/// Reveals a secret (activation-lock bypass code, recovery key) to a tenant admin; the reveal
/// is an audit event with the stated reason. Other roles never can.
///
/// # Errors
/// 422 without a reason; 401/403/404 as usual.
#[server(prefix = "/api", endpoint = "users/reveal")]
pub async fn reveal_secret(
    user_id: String,
    device_id: String,
    field: FieldId,
    reason: String,
) -> Result<String, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .personal_data
        .reveal(&principal, &user_id, &device_id, field, &reason)
        .await
        .map_err(crate::error::respond_with)
}
