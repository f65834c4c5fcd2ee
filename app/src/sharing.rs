//! Sharing features as the tenant admin manages them: which recipient gets which fields under
//! which feature, the state and consent of each feature in the tenant, an impact preview before
//! any change, turning a feature on (with explicit consent where a recipient is not our agent)
//! and off, the recipients' endpoints, the follow-ups owed to recipients, and the disclosure
//! report. Auditors read it all; only tenant admins change anything, and the server decides.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One field of a data flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowField {
    /// The field's stable name (a catalogue field, or partner/system data the portal does not
    /// hold per user, such as a push token).
    pub name: String,
    /// Whether the portal holds this field as personal data of a user, device or app.
    pub personal_data: bool,
    /// The terms version that added the field to the flow.
    pub since_terms_version: i32,
    /// Whether the consent in force covers the field (always true for agents).
    pub covered: bool,
}

/// What one recipient gets (outbound) or sends (inbound) under a feature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowView {
    pub recipient_id: String,
    pub recipient_name: String,
    /// Acts as our agent (processor) rather than an independent third party.
    pub is_agent: bool,
    pub contract_ref: String,
    pub direction: crate::domain::states::FlowDirection,
    pub fields: Vec<FlowField>,
}

/// The consent record in force for a feature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    pub id: i64,
    pub granted_by: String,
    pub granted_at: i64,
    pub terms_version: i32,
    /// The language of the terms shown when consent was given.
    pub locale: String,
}

/// A feature of the catalogue and its state in the tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureView {
    pub id: String,
    pub name: String,
    pub purpose: String,
    /// Whether turning it on needs explicit consent (a recipient is not our agent).
    pub needs_consent: bool,
    /// The current version of the feature's terms.
    pub terms_version: i32,
    pub enabled: bool,
    pub changed_at: Option<i64>,
    pub changed_by: Option<String>,
    /// The tenant state's version, sent back with a change to detect concurrent edits.
    pub version: i64,
    pub consent: Option<ConsentView>,
    /// Enabled, needs consent, and the consent in force is for older terms: new fields of the
    /// current terms are not shared until an admin consents again.
    pub consent_outdated: bool,
    pub flows: Vec<FlowView>,
    /// Disclosures recorded under this feature in the last 30 days.
    pub disclosures_30d: u64,
}

/// A recipient's endpoint in the tenant; the secret is never sent back, and the URL only
/// masked (its userinfo and query values can be keys).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    pub recipient_id: String,
    pub recipient_name: String,
    pub is_agent: bool,
    pub url: Option<String>,
    pub updated_at: Option<i64>,
    pub updated_by: Option<String>,
}

/// Work owed to a recipient, and how its delivery went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskView {
    pub id: i64,
    pub kind: crate::domain::states::TaskKind,
    pub recipient_name: String,
    pub feature_id: Option<String>,
    pub record_id: Option<String>,
    pub field: Option<String>,
    pub status: crate::domain::states::TaskStatus,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i32,
    /// Whether the recipient has an endpoint (otherwise the task is for manual action).
    pub deliverable: bool,
}

/// Everything the sharing page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingOverview {
    pub features: Vec<FeatureView>,
    pub endpoints: Vec<EndpointView>,
    pub tasks: Vec<TaskView>,
    /// Whether the viewer may change anything (tenant admins; auditors only read).
    pub can_manage: bool,
}

/// What will start or stop flowing to one recipient.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewFlow {
    pub recipient_name: String,
    pub is_agent: bool,
    pub fields: Vec<String>,
}

/// The terms an admin consents to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsView {
    pub version: i32,
    pub locale: String,
    pub text: String,
}

/// The impact of turning a feature on or off, shown before the admin confirms.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub feature_id: String,
    pub feature_name: String,
    /// True for turning on (or renewing consent), false for turning off.
    pub turning_on: bool,
    pub users: u64,
    pub devices: u64,
    pub apps: u64,
    pub flows: Vec<PreviewFlow>,
    /// The terms to consent to, when turning on needs consent.
    pub terms: Option<TermsView>,
    /// The tenant state's version the change must start from.
    pub version: i64,
}

/// What one sharing cycle did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleSummary {
    /// Disclosures recorded (to be delivered or recorded only).
    pub recorded: u64,
    /// Fields left out because an open correction request restricts them (Art. 18).
    pub restricted_fields: u64,
    /// Deliveries that reached the recipient.
    pub delivered: u64,
    /// Deliveries that failed this time (retried with backoff) or for good.
    pub failed: u64,
    /// Follow-ups sent to recipients.
    pub follow_ups_sent: u64,
}

/// Disclosures per recipient and day, for the report's chart.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSeries {
    pub recipient_id: String,
    pub recipient_name: String,
    /// One count per day of [`Report::days`].
    pub counts: Vec<u64>,
    pub total: u64,
}

/// The disclosure report over a range of days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Start of each day (UTC epoch milliseconds), oldest first.
    pub days: Vec<i64>,
    pub series: Vec<ReportSeries>,
    pub total: u64,
}

/// The report's filter, as in the page's query string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    /// A feature id, or empty for all.
    pub feature: String,
    /// First day, `YYYY-MM-DD`; empty for 30 days before `to`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`; empty for today.
    pub to: String,
}

/// The longest report range, in days: one chart column per day stays readable.
pub const REPORT_MAX_DAYS: i64 = 366;

/// What the sharing page asks of the server.
#[cfg(feature = "ssr")]
pub trait SharingPort: Send + Sync {
    /// Features, flows, states, consents, endpoints and follow-ups of the tenant.
    fn overview<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<SharingOverview, AppError>>;

    /// The impact of turning `feature_id` on (`enable`) or off.
    fn preview<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        feature_id: &'a str,
        enable: bool,
        locale: crate::i18n::Locale,
    ) -> crate::services::BoxFuture<'a, Result<Preview, AppError>>;

    /// Turns a feature on, or renews its consent; `consent` is the admin's explicit agreement
    /// to the terms of `terms_version` shown in `locale`.
    fn enable<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        change: FeatureChange,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;

    /// Turns a feature off: new disclosures stop, the consent ends, and a follow-up asks each
    /// recipient to delete what it holds.
    fn disable<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        feature_id: &'a str,
        base_version: i64,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;

    /// Sets a recipient's endpoint and shared secret (an empty URL or secret keeps the
    /// current one), or with `remove` removes the endpoint.
    fn set_endpoint<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        recipient_id: &'a str,
        url: &'a str,
        secret: &'a str,
        remove: bool,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;

    /// Runs one sharing cycle for the tenant now (the worker runs it on its own schedule too).
    fn run_now<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<CycleSummary, AppError>>;

    /// Marks a follow-up as done by hand (the recipient was told some other way).
    fn complete_task<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        task_id: i64,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;

    /// Disclosures per recipient and day.
    fn report<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        filter: ReportFilter,
    ) -> crate::services::BoxFuture<'a, Result<Report, AppError>>;
}

/// A request to turn a feature on or renew its consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureChange {
    pub feature_id: String,
    /// The terms version the admin was shown.
    pub terms_version: i32,
    /// The language the terms were shown in.
    pub locale: crate::i18n::Locale,
    /// The admin ticked "I agree" (needed only where a recipient is not our agent).
    pub consent: bool,
    pub base_version: i64,
}

/// The sharing page.
///
/// # Errors
/// 401/403 unless a tenant admin or auditor is signed in.
#[server(prefix = "/api", endpoint = "sharing/overview")]
pub async fn get_sharing() -> Result<SharingOverview, AppError> {
    use crate::auth::Role;
    let principal = crate::auth::require(&[Role::TenantAdmin, Role::Auditor])?;
    let services = crate::services::use_services()?;
    services
        .sharing
        .overview(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// The impact of a change, shown in the confirmation step.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in; 404 for an unknown feature.
#[server(prefix = "/api", endpoint = "sharing/preview")]
pub async fn preview_feature(feature_id: String, enable: bool) -> Result<Preview, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .sharing
        .preview(
            &principal,
            &feature_id,
            enable,
            crate::locale::request_locale(),
        )
        .await
        .map_err(crate::error::respond_with)
}

/// Turns a feature on (or renews its consent).
///
/// # Errors
/// 422 without the required consent; 409 when the feature or its terms changed since the
/// preview; 401/403/404 as usual.
#[server(prefix = "/api", endpoint = "sharing/enable")]
pub async fn enable_feature(
    feature_id: String,
    terms_version: i32,
    base_version: i64,
    #[server(default)] consent: Option<String>,
) -> Result<(), AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    let change = FeatureChange {
        feature_id,
        terms_version,
        locale: crate::locale::request_locale(),
        consent: consent.is_some_and(|v| v == "on" || v == "true"),
        base_version,
    };
    services
        .sharing
        .enable(&principal, change)
        .await
        .map_err(crate::error::respond_with)
}

/// Turns a feature off.
///
/// # Errors
/// 409 when the feature changed since the preview; 401/403/404 as usual.
#[server(prefix = "/api", endpoint = "sharing/disable")]
pub async fn disable_feature(feature_id: String, base_version: i64) -> Result<(), AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .sharing
        .disable(&principal, &feature_id, base_version)
        .await
        .map_err(crate::error::respond_with)
}

/// Sets or (with `remove` ticked) removes a recipient's endpoint; an empty URL keeps the
/// current one.
///
/// # Errors
/// 422 for a URL that is not https (or http where the operator allows it), does not resolve
/// or points at a refused network, or a secret shorter than 16 characters.
#[server(prefix = "/api", endpoint = "sharing/endpoint")]
pub async fn set_endpoint(
    recipient_id: String,
    #[server(default)] url: String,
    #[server(default)] secret: String,
    #[server(default)] remove: Option<String>,
) -> Result<(), AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    let remove = remove.is_some_and(|v| v == "on" || v == "true");
    services
        .sharing
        .set_endpoint(&principal, &recipient_id, &url, &secret, remove)
        .await
        .map_err(crate::error::respond_with)
}

/// Runs a sharing cycle for the tenant now.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in.
#[server(prefix = "/api", endpoint = "sharing/run")]
pub async fn run_sharing_now() -> Result<CycleSummary, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .sharing
        .run_now(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Marks a follow-up done by hand.
///
/// # Errors
/// 404 for another tenant's task; 401/403 as usual.
#[server(prefix = "/api", endpoint = "sharing/task-done")]
pub async fn complete_task(task_id: i64) -> Result<(), AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .sharing
        .complete_task(&principal, task_id)
        .await
        .map_err(crate::error::respond_with)
}

/// The disclosure report.
///
/// # Errors
/// 422 for a bad date or a range over a year; 401/403 as usual.
#[server(prefix = "/api", endpoint = "sharing/report")]
pub async fn disclosure_report(filter: ReportFilter) -> Result<Report, AppError> {
    use crate::auth::Role;
    let principal = crate::auth::require(&[Role::TenantAdmin, Role::Auditor])?;
    let services = crate::services::use_services()?;
    services
        .sharing
        .report(&principal, filter)
        .await
        .map_err(crate::error::respond_with)
}
