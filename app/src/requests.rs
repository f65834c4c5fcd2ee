//! Correction requests (GDPR Art. 16, 18 and 12(3)): an end user sees their own data and who
//! received it, asks for a correction of a field, follows and may withdraw their requests;
//! support reviewers and admins work through a queue, approve (through the same correction
//! service as an admin's correction), reject with a reason, extend the deadline once, pause the
//! clock; both sides get in-portal notifications.
//!
//! Every server function re-checks role and tenant; an end user only ever reaches the data of
//! the directory user their account is linked to. Decisions are enforced on the server: nobody
//! decides their own request, nobody approves a change to a field they last changed, and a
//! repeated approval or rejection answers with the first outcome instead of acting twice.

use crate::domain::catalogue::{FieldId, RecordKind};
use crate::domain::enums::{Category, CorrectionRoute, SourceOfTruth};
use crate::domain::visibility::Visibility;
use crate::error::AppError;
use crate::i18n::Key;
use crate::personal_data::{DeviceView, Receipt, RecordView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::states::RequestStatus;

/// One correction request as requester and reviewers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub subject_user_id: String,
    pub subject_name: String,
    pub requester_name: String,
    pub record_kind: RecordKind,
    pub record_id: String,
    pub record_title: String,
    pub field: FieldId,
    pub proposed_value: String,
    pub reason: String,
    pub restrict_sharing: bool,
    pub status: RequestStatus,
    pub received_at: i64,
    /// The deadline, moved by an extension and by paused time (while paused, as if the clock
    /// resumed now).
    pub due_at: i64,
    pub overdue: bool,
    pub paused: bool,
    pub extension_reason: Option<String>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    /// After an approval: the recipients of the old value who are being told (Art. 19).
    pub informed_recipients: Vec<String>,
    /// After the approval of a field owned elsewhere: where the correction stands at the
    /// field's source.
    pub at_source: Option<AtSource>,
    /// Bumped by every step; forms send it back so that a stale form is refused.
    pub version: i64,
}

impl AtSource {
    /// What the requester is told while the correction waits for its source: for a device
    /// field, what to do on the device.
    pub fn waiting_text(route: CorrectionRoute) -> Key {
        match route {
            CorrectionRoute::Device => Key::ReqWaitingDevice,
            CorrectionRoute::Partner => Key::ReqWaitingPartner,
            _ => Key::ReqWaitingDirectory,
        }
    }

    /// The name of the source a correction of `route` waits for.
    pub fn source_name(route: CorrectionRoute) -> Key {
        match route {
            CorrectionRoute::Device => Key::SourceDevice,
            CorrectionRoute::Partner => Key::SourcePartner,
            _ => Key::SourceDirectory,
        }
    }
}

/// Where an approved correction of a field owned elsewhere stands at the field's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AtSource {
    /// Where it must be made: Entra ID, the device, or a partner service.
    pub route: CorrectionRoute,
    /// `routed` while waiting for the source, `applied` once its data showed the new value.
    pub status: RequestStatus,
    /// When the source's data showed the new value.
    pub applied_at: Option<i64>,
}

/// A recipient that received some of the user's data, per record and feature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceivedView {
    pub record_title: String,
    /// A device that was the person's when it was disclosed and is someone else's now (named
    /// by its model only).
    pub former_device: bool,
    pub recipient_name: String,
    pub is_agent: bool,
    pub feature_name: String,
    pub purpose: String,
    pub categories: Vec<Category>,
    /// Field names as recorded; those of the catalogue have a label ([`FieldId::parse`]),
    /// others are protocol values of the partner (e.g. a push token).
    pub fields: Vec<String>,
    pub first_at: i64,
    pub last_at: i64,
    pub count: u32,
}

/// The end user's own page: their data (visibility rules applied) and who received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyDataView {
    pub data: OwnRecords,
    pub received: Vec<ReceivedView>,
}

/// The end user's own records: their identity and their devices, nothing staff-only. A type of
/// its own, not the staff page's view with parts emptied, so a section added to the staff page
/// cannot reach the end user by accident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnRecords {
    pub user: RecordView,
    pub devices: Vec<DeviceView>,
}

/// A request as the end user submits it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    pub record_id: String,
    pub field: FieldId,
    pub value: String,
    pub reason: String,
    pub restrict_sharing: bool,
}

/// The queue's filters; empty strings mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// A status name, `all`, or empty for pending.
    pub status: String,
    /// `overdue`, `week` (due within seven days) or empty.
    pub due: String,
    /// A field category name or empty.
    pub category: String,
    /// A directory user id or empty.
    pub user: String,
    /// Minimum age in days, or empty.
    pub age: String,
    /// Where the page starts: the previous page's `next`, or empty for the first page.
    #[serde(default)]
    pub after: String,
    /// Leave out the list of users for the page's user filter (the REST API has no use for it).
    #[serde(default)]
    pub without_users: bool,
}

/// The review queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    /// One page, by deadline.
    pub items: Vec<RequestView>,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// The users who have pending requests, for the user filter: (id, name); at most
    /// [`QUEUE_USERS_LIMIT`] (a link from a user's page filters by any user).
    pub users: Vec<(String, String)>,
}

/// Requests per page of the review queue.
pub const QUEUE_PAGE_SIZE: u64 = 50;

/// The most users the queue's user filter lists.
pub const QUEUE_USERS_LIMIT: u64 = 200;

/// One request with what the reviewer needs to decide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub request: RequestView,
    /// The current value as it may be shown.
    pub current_value: Option<String>,
    pub visibility: Visibility,
    pub field_version: i64,
    pub changed_by: String,
    pub changed_at: i64,
    pub source: SourceOfTruth,
    pub route: CorrectionRoute,
    /// Recipients who already received the current value.
    pub received_by: Vec<Receipt>,
    /// Why this reviewer may not decide (four-eyes), if so.
    pub refusal: Option<FourEyes>,
}

/// Why a reviewer may not decide a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FourEyes {
    /// It is their own request (or about their own data).
    OwnRequest,
    /// They made the field's current value themselves.
    LastChangedByReviewer,
}

impl FourEyes {
    /// The explanation shown on the review page.
    pub fn label(self) -> Key {
        match self {
            FourEyes::OwnRequest => Key::ReqFourEyesOwn,
            FourEyes::LastChangedByReviewer => Key::ReqFourEyesLastChanged,
        }
    }
}

/// What a decision produced; a repeated decision answers the same.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionOutcome {
    pub status: RequestStatus,
    pub informed_recipients: Vec<String>,
    /// An approval of a field owned elsewhere: the source the correction now waits for (the
    /// recipients are told once it shows the new value).
    pub waiting_for: Option<CorrectionRoute>,
}

/// One notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    pub kind: crate::domain::states::NotificationKind,
    pub request_id: i64,
    pub field: Option<FieldId>,
    pub subject_name: String,
    pub created_at: i64,
    pub read: bool,
    /// Whether it links to the review page (reviewers) or the requester's list.
    pub for_reviewer: bool,
}

/// What the request pages ask of the server.
#[cfg(feature = "ssr")]
pub trait RequestsPort: Send + Sync {
    /// The end user's own data and its recipients.
    fn my_data<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<MyDataView, AppError>>;
    /// Files a request for the end user's own field.
    fn create<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        request: NewRequest,
    ) -> crate::services::BoxFuture<'a, Result<RequestView, AppError>>;
    /// The end user's own requests, newest first.
    fn mine<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<Vec<RequestView>, AppError>>;
    /// Withdraws the end user's own pending request.
    fn withdraw<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        id: i64,
    ) -> crate::services::BoxFuture<'a, Result<RequestView, AppError>>;
    /// The review queue of the principal's tenant.
    fn queue<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        filter: QueueFilter,
    ) -> crate::services::BoxFuture<'a, Result<QueueView, AppError>>;
    /// One request with the current value beside the proposed one.
    fn review<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        id: i64,
    ) -> crate::services::BoxFuture<'a, Result<ReviewView, AppError>>;
    /// Approves: applies the correction in one transaction with the request's new state.
    fn approve<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        id: i64,
        request_version: i64,
        field_version: i64,
    ) -> crate::services::BoxFuture<'a, Result<DecisionOutcome, AppError>>;
    /// Rejects with a reason shown to the requester.
    fn reject<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        id: i64,
        request_version: i64,
        reason: String,
    ) -> crate::services::BoxFuture<'a, Result<DecisionOutcome, AppError>>;
    /// Extends the deadline once by one or two months, with a reason shown to the requester.
    fn extend<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        id: i64,
        request_version: i64,
        months: u32,
        reason: String,
    ) -> crate::services::BoxFuture<'a, Result<RequestView, AppError>>;
    /// Pauses (`pause = true`) or resumes the clock.
    fn pause<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        id: i64,
        request_version: i64,
        pause: bool,
    ) -> crate::services::BoxFuture<'a, Result<RequestView, AppError>>;
    /// The principal's notifications, newest first.
    fn notifications<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<Vec<NotificationView>, AppError>>;
    /// Marks all the principal's notifications read.
    fn mark_read<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;
}

#[cfg(feature = "ssr")]
use crate::auth::Role;

/// The staff roles that review requests.
#[cfg(feature = "ssr")]
const REVIEWERS: &[Role] = &[Role::SupportReviewer, Role::TenantAdmin];

/// The signed-in end user's own data and who received it.
///
/// # Errors
/// 401 without a session; 403 unless an end user linked to a directory user.
#[server(prefix = "/api", endpoint = "me/data")]
pub async fn get_my_data() -> Result<MyDataView, AppError> {
    let principal = crate::auth::require(&[Role::EndUser])?;
    let services = crate::services::use_services()?;
    services
        .requests
        .my_data(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Files a correction request for one of the end user's own fields.
///
/// # Errors
/// 422 for a value the field's parser refuses, a missing reason or a field that is never
/// corrected; 404 for someone else's record; 409 when a request for the field is already open.
#[server(prefix = "/api", endpoint = "requests/create")]
pub async fn create_request(
    record_id: String,
    field: FieldId,
    value: String,
    reason: String,
    restrict_sharing: Option<String>,
) -> Result<RequestView, AppError> {
    let principal = crate::auth::require(&[Role::EndUser])?;
    let services = crate::services::use_services()?;
    let request = NewRequest {
        record_id,
        field,
        value,
        reason,
        restrict_sharing: restrict_sharing.is_some_and(|v| v != "false"),
    };
    services
        .requests
        .create(&principal, request)
        .await
        .map_err(crate::error::respond_with)
}

/// The end user's own requests.
///
/// # Errors
/// 401/403 as usual.
#[server(prefix = "/api", endpoint = "requests/mine")]
pub async fn my_requests() -> Result<Vec<RequestView>, AppError> {
    let principal = crate::auth::require(&[Role::EndUser])?;
    let services = crate::services::use_services()?;
    services
        .requests
        .mine(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Withdraws one of the end user's own pending requests.
///
/// # Errors
/// 404 for someone else's request; 409 once it is decided.
#[server(prefix = "/api", endpoint = "requests/withdraw")]
pub async fn withdraw_request(id: i64) -> Result<RequestView, AppError> {
    let principal = crate::auth::require(&[Role::EndUser])?;
    let services = crate::services::use_services()?;
    services
        .requests
        .withdraw(&principal, id)
        .await
        .map_err(crate::error::respond_with)
}

/// The review queue, filtered.
///
/// # Errors
/// 401/403 unless a support reviewer or tenant admin.
#[server(prefix = "/api", endpoint = "review/queue")]
pub async fn review_queue(
    status: Option<String>,
    due: Option<String>,
    category: Option<String>,
    user: Option<String>,
    age: Option<String>,
    after: Option<String>,
) -> Result<QueueView, AppError> {
    let principal = crate::auth::require(REVIEWERS)?;
    let services = crate::services::use_services()?;
    let filter = QueueFilter {
        status: status.unwrap_or_default(),
        due: due.unwrap_or_default(),
        category: category.unwrap_or_default(),
        user: user.unwrap_or_default(),
        age: age.unwrap_or_default(),
        after: after.unwrap_or_default(),
        without_users: false,
    };
    services
        .requests
        .queue(&principal, filter)
        .await
        .map_err(crate::error::respond_with)
}

/// One request for review.
///
/// # Errors
/// 404 for another tenant's request; 401/403 as usual.
#[server(prefix = "/api", endpoint = "review/request")]
pub async fn review_request(id: i64) -> Result<ReviewView, AppError> {
    let principal = crate::auth::require(REVIEWERS)?;
    let services = crate::services::use_services()?;
    services
        .requests
        .review(&principal, id)
        .await
        .map_err(crate::error::respond_with)
}

/// Approves a request.
///
/// # Errors
/// 403 for one's own request or a field one last changed; 409 when the request or the field
/// changed since the form was shown, or the request was rejected or withdrawn.
#[server(prefix = "/api", endpoint = "review/approve")]
pub async fn approve_request(
    id: i64,
    request_version: i64,
    field_version: i64,
) -> Result<DecisionOutcome, AppError> {
    let principal = crate::auth::require(REVIEWERS)?;
    let services = crate::services::use_services()?;
    services
        .requests
        .approve(&principal, id, request_version, field_version)
        .await
        .map_err(crate::error::respond_with)
}

/// Rejects a request with a reason shown to the requester.
///
/// # Errors
/// 422 without a reason; 403 for one's own request; 409 as for approval.
#[server(prefix = "/api", endpoint = "review/reject")]
pub async fn reject_request(
    id: i64,
    request_version: i64,
    reason: String,
) -> Result<DecisionOutcome, AppError> {
    let principal = crate::auth::require(REVIEWERS)?;
    let services = crate::services::use_services()?;
    services
        .requests
        .reject(&principal, id, request_version, reason)
        .await
        .map_err(crate::error::respond_with)
}

/// Extends a request's deadline once by one or two months.
///
/// # Errors
/// 422 without a reason or for another number of months; 409 when already extended or decided.
#[server(prefix = "/api", endpoint = "review/extend")]
pub async fn extend_request(
    id: i64,
    request_version: i64,
    months: u32,
    reason: String,
) -> Result<RequestView, AppError> {
    let principal = crate::auth::require(REVIEWERS)?;
    let services = crate::services::use_services()?;
    services
        .requests
        .extend(&principal, id, request_version, months, reason)
        .await
        .map_err(crate::error::respond_with)
}

/// Pauses or resumes a request's clock (while waiting for the requester).
///
/// # Errors
/// 409 when it is already in that state or decided.
#[server(prefix = "/api", endpoint = "review/pause")]
pub async fn pause_request(
    id: i64,
    request_version: i64,
    pause: bool,
) -> Result<RequestView, AppError> {
    let principal = crate::auth::require(REVIEWERS)?;
    let services = crate::services::use_services()?;
    services
        .requests
        .pause(&principal, id, request_version, pause)
        .await
        .map_err(crate::error::respond_with)
}

/// The signed-in person's notifications.
///
/// # Errors
/// 401 without a session.
#[server(prefix = "/api", endpoint = "notifications/list")]
pub async fn list_notifications() -> Result<Vec<NotificationView>, AppError> {
    let principal = crate::auth::require(&Role::ALL)?;
    let services = crate::services::use_services()?;
    services
        .requests
        .notifications(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Marks every notification of the signed-in person read.
///
/// # Errors
/// 401 without a session.
#[server(prefix = "/api", endpoint = "notifications/read")]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    let principal = crate::auth::require(&Role::ALL)?;
    let services = crate::services::use_services()?;
    services
        .requests
        .mark_read(&principal)
        .await
        .map_err(crate::error::respond_with)
}
