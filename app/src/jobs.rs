//! Background jobs: exports and imports that take a while run on the server as
//! jobs, so a tenant admin sees their progress, can leave the page and come back, download the
//! result when it is done, and cancel one that is still queued or running.
//!
//! This module holds what the page and the server share: the view types (never the stored
//! job itself, whose result is personal data), the port the server implements, and the server
//! functions. Starting an import is a plain multipart form posted to `/jobs/import`, and a
//! result is downloaded from `/jobs/{id}/download`: both are server routes, since a file does
//! not travel well through a server function and both must work without the browser bundle.

use crate::audit_log::AuditFilter;
use crate::domain::error::ValueError;
use crate::error::AppError;
use crate::i18n::{Key, Locale};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How often the page asks for fresh progress while a job is queued or running.
pub const POLL_MILLIS: u64 = 1000;

/// Jobs a tenant may have queued or running at once.
pub const MAX_ACTIVE_JOBS: u64 = 5;

/// The largest import file the portal accepts, in bytes.
pub const IMPORT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// What a job does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Everything held about one user, as JSON.
    ExportUserJson,
    /// Everything held about one user, as CSV in the starter's language.
    ExportUserCsv,
    /// The audit log (with the audit-log page's filters) as CSV.
    ExportAuditCsv,
    /// Graph `user` and `managedDevice` objects (JSON Lines) into the directory.
    ImportDirectory,
}

impl JobKind {
    pub const ALL: [JobKind; 4] = [
        JobKind::ExportUserJson,
        JobKind::ExportUserCsv,
        JobKind::ExportAuditCsv,
        JobKind::ImportDirectory,
    ];

    /// The stable name stored in the database and sent by forms.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ExportUserJson => "export_user_json",
            JobKind::ExportUserCsv => "export_user_csv",
            JobKind::ExportAuditCsv => "export_audit_csv",
            JobKind::ImportDirectory => "import_directory",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(s: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The human label.
    pub fn label(self) -> Key {
        match self {
            JobKind::ExportUserJson => Key::JobKindExportUserJson,
            JobKind::ExportUserCsv => Key::JobKindExportUserCsv,
            JobKind::ExportAuditCsv => Key::JobKindExportAuditCsv,
            JobKind::ImportDirectory => Key::JobKindImportDirectory,
        }
    }

    /// Whether the job produces a file to download.
    pub fn is_export(self) -> bool {
        !matches!(self, JobKind::ImportDirectory)
    }
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a free runner.
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
        JobState::Cancelled,
    ];

    /// The stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The human label.
    pub fn label(self) -> Key {
        match self {
            JobState::Queued => Key::JobStateQueued,
            JobState::Running => Key::JobStateRunning,
            JobState::Done => Key::JobStateDone,
            JobState::Failed => Key::JobStateFailed,
            JobState::Cancelled => Key::JobStateCancelled,
        }
    }

    /// Queued or running: the page keeps polling, and the job can be cancelled.
    pub fn is_active(self) -> bool {
        matches!(self, JobState::Queued | JobState::Running)
    }
}

/// Why a job failed: a stable code the page translates. Never a database message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobError {
    /// The server stopped (or crashed) while the job was queued or running.
    ServerStopped,
    /// The user to export no longer exists in the tenant.
    UserNotFound,
    /// The database refused a batch of an import; the batches before it are saved.
    ImportBatchFailed,
    /// Anything else; the cause is in the server log under the job's id.
    Internal,
}

impl JobError {
    pub const ALL: [JobError; 4] = [
        JobError::ServerStopped,
        JobError::UserNotFound,
        JobError::ImportBatchFailed,
        JobError::Internal,
    ];

    /// The stable code stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            JobError::ServerStopped => "server_stopped",
            JobError::UserNotFound => "user_not_found",
            JobError::ImportBatchFailed => "import_batch_failed",
            JobError::Internal => "internal",
        }
    }

    /// Parses a stored code; an unknown one reads as [`JobError::Internal`].
    pub fn parse(s: &str) -> JobError {
        JobError::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(JobError::Internal)
    }

    /// The message shown to people.
    pub fn message(self) -> Key {
        match self {
            JobError::ServerStopped => Key::JobErrorServerStopped,
            JobError::UserNotFound => Key::JobErrorUserNotFound,
            JobError::ImportBatchFailed => Key::JobErrorImportBatchFailed,
            JobError::Internal => Key::JobErrorInternal,
        }
    }
}

/// A refused line of an import: where, which Graph field, and why. Never the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionView {
    pub line: u64,
    pub field: Option<String>,
    pub reason: RejectionReason,
}

/// Why an import refused a line: a code with the numbers it needs, stored as such and put
/// into words only when shown, so the jobs page speaks the reader's language whatever the
/// language of whoever started the import (and `server import` prints English).
///
/// No variant can hold the refused value: a reason ends up in the jobs table, on the page and
/// in the command's output, and the value may be personal data.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// A domain parser refused the value (the same refusal a form would show).
    Value(ValueError),
    /// The line's bytes are not UTF-8.
    NotUtf8,
    /// The JSON ends before the value is complete: a truncated last line, typically.
    JsonCutOff,
    /// A JSON syntax error, located by its column only (never the text around it).
    JsonInvalid { column: u64 },
    /// The JSON reader failed without a syntax error.
    JsonUnreadable,
    /// Valid JSON that is not an object (a list, a number…).
    NotAnObject,
    /// An object that is neither a Graph user nor a managed device.
    UnknownRecord,
    /// An `@odata.type` other than a user or a managed device.
    UnsupportedType,
    /// A property that must be text has another JSON type.
    ExpectedText { found: JsonType },
    /// A property that must be a list (`businessPhones`) is not one.
    ExpectedList { found: JsonType },
    /// An entry of such a list is not text.
    ExpectedTextInList { found: JsonType },
    /// A date and time that parsed but has no stored form (epoch milliseconds).
    DateOutOfRange,
    /// A record with the id of a record on an earlier line of the same file.
    DuplicateId { first_line: u64 },
    /// The id is stored for another tenant; records never move between tenants.
    OtherTenant,
    /// Another user of the tenant already signs in with this name.
    UpnTaken,
    /// A device's primary user is not a user of the tenant (stored, or earlier in the file).
    UnknownPrimaryUser,
}

/// The `@odata.type` of a Graph user, one of the two an import reads (named in
/// [`RejectionReason::UnsupportedType`]).
pub const GRAPH_USER_TYPE: &str = "#microsoft.graph.user";
/// The `@odata.type` of a Graph managed device, the other one.
pub const GRAPH_DEVICE_TYPE: &str = "#microsoft.graph.managedDevice";

impl RejectionReason {
    /// The reason in the reader's language, without the refused value.
    pub fn message(&self, locale: Locale) -> String {
        let text = |key: Key| key.text(locale).to_owned();
        match self {
            RejectionReason::Value(error) => error.message(locale),
            RejectionReason::NotUtf8 => text(Key::ImportNotUtf8),
            RejectionReason::JsonCutOff => text(Key::ImportJsonCutOff),
            RejectionReason::JsonInvalid { column } => {
                Key::ImportJsonInvalid.format(locale, &[("column", &column.to_string())])
            }
            RejectionReason::JsonUnreadable => text(Key::ImportJsonUnreadable),
            RejectionReason::NotAnObject => text(Key::ImportNotAnObject),
            RejectionReason::UnknownRecord => text(Key::ImportUnknownRecord),
            RejectionReason::UnsupportedType => Key::ImportUnsupportedType.format(
                locale,
                &[("user", GRAPH_USER_TYPE), ("device", GRAPH_DEVICE_TYPE)],
            ),
            RejectionReason::ExpectedText { found } => {
                Key::ImportExpectedText.format(locale, &[("found", found.name().text(locale))])
            }
            RejectionReason::ExpectedList { found } => {
                Key::ImportExpectedList.format(locale, &[("found", found.name().text(locale))])
            }
            RejectionReason::ExpectedTextInList { found } => Key::ImportExpectedTextInList
                .format(locale, &[("found", found.name().text(locale))]),
            RejectionReason::DateOutOfRange => text(Key::ImportDateOutOfRange),
            RejectionReason::DuplicateId { first_line } => {
                Key::ImportDuplicateId.format(locale, &[("line", &first_line.to_string())])
            }
            RejectionReason::OtherTenant => text(Key::ImportOtherTenant),
            RejectionReason::UpnTaken => text(Key::ImportUpnTaken),
            RejectionReason::UnknownPrimaryUser => text(Key::ImportUnknownPrimaryUser),
        }
    }
}

/// The type of a JSON value where another was expected, so a reason can say what was found
/// without showing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonType {
    Null,
    Boolean,
    Number,
    Text,
    List,
    Object,
}

impl JsonType {
    /// Every type, for completeness tests.
    pub const ALL: [JsonType; 6] = [
        JsonType::Null,
        JsonType::Boolean,
        JsonType::Number,
        JsonType::Text,
        JsonType::List,
        JsonType::Object,
    ];

    /// The type's name, as it reads after "found".
    pub fn name(self) -> Key {
        match self {
            JsonType::Null => Key::ImportJsonNull,
            JsonType::Boolean => Key::ImportJsonBoolean,
            JsonType::Number => Key::ImportJsonNumber,
            JsonType::Text => Key::ImportJsonText,
            JsonType::List => Key::ImportJsonList,
            JsonType::Object => Key::ImportJsonObject,
        }
    }
}

/// A job as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobView {
    pub id: i64,
    pub kind: JobKind,
    pub state: JobState,
    pub owner_name: String,
    /// The user a user export is about.
    pub subject_user_id: Option<String>,
    pub subject_name: Option<String>,
    /// Steps of an export, bytes read of an import.
    pub progress_done: u64,
    pub progress_total: u64,
    /// Records an import accepted (inserted, updated or already up to date) and refused.
    pub accepted: Option<u64>,
    pub rejected: Option<u64>,
    /// The refused lines, in line order (the first [`REJECTIONS_KEPT`] of them).
    pub rejections: Vec<RejectionView>,
    pub error: Option<JobError>,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Size of the result in bytes, when there is one to download.
    pub result_size: Option<u64>,
}

/// Refused lines kept per import; the count covers them all.
pub const REJECTIONS_KEPT: usize = 1000;

impl JobView {
    /// Progress in whole percent, or `None` while the total is unknown (the bar is then
    /// indeterminate).
    pub fn percent(&self) -> Option<u64> {
        if self.state == JobState::Done {
            return Some(100);
        }
        (self.progress_total > 0)
            .then(|| (self.progress_done.min(self.progress_total) * 100) / self.progress_total)
    }

    /// Where the result is downloaded from, when there is one.
    pub fn download_href(&self) -> Option<String> {
        (self.state == JobState::Done && self.result_size.is_some())
            .then(|| format!("/jobs/{}/download", self.id))
    }
}

/// The tenant's jobs, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobList {
    pub jobs: Vec<JobView>,
}

impl JobList {
    /// Whether any job is still queued or running (the page polls while one is).
    pub fn any_active(&self) -> bool {
        self.jobs.iter().any(|j| j.state.is_active())
    }
}

/// An export to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExportRequest {
    /// Everything about one user, as JSON (`csv = false`) or CSV.
    User { user_id: String, csv: bool },
    /// The audit log with these filters (the cursor is ignored).
    Audit { filter: AuditFilter },
}

/// What the jobs page asks of the server.
#[cfg(feature = "ssr")]
pub trait JobsPort: Send + Sync {
    /// The tenant's jobs, newest first.
    fn list<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<JobList, AppError>>;

    /// Starts an export (an audit event: it is an access to personal data) and returns the
    /// job's id. `language` is the language the file is written in (its headers and labels).
    fn start_export<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        request: ExportRequest,
        language: crate::i18n::Locale,
    ) -> crate::services::BoxFuture<'a, Result<i64, AppError>>;

    /// Cancels a queued or running job of the tenant.
    fn cancel<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        job_id: i64,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;
}

/// The tenant's jobs.
///
/// # Errors
/// 401/403 unless a tenant admin.
#[server(prefix = "/api", endpoint = "jobs/list")]
pub async fn list_jobs() -> Result<JobList, AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .jobs
        .list(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Starts an export in the background and sends the browser to the jobs page.
///
/// `kind` is `export_user_json`, `export_user_csv` (both need `user_id`) or
/// `export_audit_csv` (which takes the audit-log filters `actor`, `action`, `user`, `from`,
/// `to`). CSV headers are in the language of the page.
///
/// # Errors
/// 401/403 unless a tenant admin; 422 for an unknown kind, a missing user or a malformed date;
/// 404 for a user outside the tenant; 422 when too many jobs are already running.
#[server(prefix = "/api", endpoint = "jobs/export")]
pub async fn start_export(
    kind: String,
    #[server(default)] user_id: String,
    #[server(default)] actor: String,
    #[server(default)] action: String,
    #[server(default)] user: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<i64, AppError> {
    use crate::error::respond_with;
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    let invalid = |field: &str, key: Key| respond_with(AppError::invalid(field, key));
    let request = match JobKind::parse(&kind) {
        Some(JobKind::ExportUserJson | JobKind::ExportUserCsv) if user_id.trim().is_empty() => {
            return Err(invalid("user_id", Key::JobsUserMissing));
        }
        Some(k @ (JobKind::ExportUserJson | JobKind::ExportUserCsv)) => ExportRequest::User {
            user_id: user_id.trim().to_owned(),
            csv: k == JobKind::ExportUserCsv,
        },
        Some(JobKind::ExportAuditCsv) => ExportRequest::Audit {
            filter: AuditFilter {
                actor,
                action,
                user,
                from,
                to,
                before: None,
            },
        },
        Some(JobKind::ImportDirectory) | None => return Err(invalid("kind", Key::JobsKindInvalid)),
    };
    let id = services
        .jobs
        .start_export(&principal, request, crate::locale::request_locale())
        .await
        .map_err(respond_with)?;
    leptos_axum::redirect("/jobs");
    Ok(id)
}

/// Cancels a queued or running job. A plain form (no browser bundle) is sent back to the jobs
/// page.
///
/// # Errors
/// 401/403 unless a tenant admin; 404 for a job outside the tenant; 409 when it already ended.
#[server(prefix = "/api", endpoint = "jobs/cancel")]
pub async fn cancel_job(id: i64) -> Result<(), AppError> {
    let principal = crate::auth::require(&[crate::auth::Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .jobs
        .cancel(&principal, id)
        .await
        .map_err(crate::error::respond_with)?;
    if plain_form() {
        leptos_axum::redirect("/jobs");
    }
    Ok(())
}

/// Whether the request is a plain HTML form (the browser bundle is not running): the answer
/// must then send the browser to a page. The portal sends no `Referer`, so Leptos cannot send
/// it back on its own.
#[cfg(feature = "ssr")]
fn plain_form() -> bool {
    crate::error::is_plain_form_post()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: JobState, done: u64, total: u64) -> JobView {
        JobView {
            id: 7,
            kind: JobKind::ExportUserCsv,
            state,
            owner_name: "Megan Bowen".into(),
            subject_user_id: None,
            subject_name: None,
            progress_done: done,
            progress_total: total,
            accepted: None,
            rejected: None,
            rejections: vec![],
            error: None,
            created_at: 0,
            started_at: None,
            finished_at: None,
            result_size: Some(10),
        }
    }

    #[test]
    fn stored_names_of_kinds_states_and_errors_read_back_as_themselves() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
        }
        for error in JobError::ALL {
            assert_eq!(JobError::parse(error.as_str()), error);
        }
        assert_eq!(JobKind::parse("export_everything"), None);
        assert_eq!(JobError::parse("disk on fire"), JobError::Internal);
    }

    #[test]
    fn progress_is_a_whole_percentage_and_unknown_without_a_total() {
        assert_eq!(job(JobState::Running, 1, 3).percent(), Some(33));
        assert_eq!(job(JobState::Running, 5, 3).percent(), Some(100));
        assert_eq!(job(JobState::Queued, 0, 0).percent(), None);
        assert_eq!(job(JobState::Done, 0, 0).percent(), Some(100));
    }

    /// One reason of every kind, each with the numbers it carries.
    fn every_reason() -> Vec<RejectionReason> {
        let mut reasons = vec![
            RejectionReason::Value(ValueError::BadCheckDigit),
            RejectionReason::Value(ValueError::TooLong { max: 128 }),
            RejectionReason::NotUtf8,
            RejectionReason::JsonCutOff,
            RejectionReason::JsonInvalid { column: 42 },
            RejectionReason::JsonUnreadable,
            RejectionReason::NotAnObject,
            RejectionReason::UnknownRecord,
            RejectionReason::UnsupportedType,
            RejectionReason::DateOutOfRange,
            RejectionReason::DuplicateId { first_line: 17 },
            RejectionReason::OtherTenant,
            RejectionReason::UpnTaken,
            RejectionReason::UnknownPrimaryUser,
        ];
        for found in JsonType::ALL {
            reasons.push(RejectionReason::ExpectedText { found });
            reasons.push(RejectionReason::ExpectedList { found });
            reasons.push(RejectionReason::ExpectedTextInList { found });
        }
        reasons
    }

    #[test]
    fn every_import_reason_reads_in_each_language_with_its_numbers_filled_in() {
        for reason in every_reason() {
            let english = reason.message(Locale::En);
            let dutch = reason.message(Locale::Nl);
            for text in [&english, &dutch] {
                assert!(!text.trim().is_empty(), "{reason:?}");
                assert!(
                    !text.contains('{'),
                    "{reason:?}: a placeholder is left: {text}"
                );
            }
            assert_ne!(english, dutch, "{reason:?} is not translated");
        }
        let duplicate = RejectionReason::DuplicateId { first_line: 17 };
        assert_eq!(
            duplicate.message(Locale::En),
            "The same id is already on line 17."
        );
        assert_eq!(
            duplicate.message(Locale::Nl),
            "Hetzelfde id staat al op regel 17."
        );
        let json = RejectionReason::JsonInvalid { column: 42 };
        assert!(json.message(Locale::Nl).contains("42"));
    }

    #[test]
    fn a_stored_import_reason_reads_back_as_itself() {
        for reason in every_reason() {
            let stored = serde_json::to_string(&reason).unwrap_or_default();
            let read: Option<RejectionReason> = serde_json::from_str(&stored).ok();
            assert_eq!(read.as_ref(), Some(&reason), "{stored}");
        }
    }

    #[test]
    fn only_a_finished_job_with_a_result_offers_a_download() {
        assert_eq!(
            job(JobState::Done, 3, 3).download_href().as_deref(),
            Some("/jobs/7/download")
        );
        assert_eq!(job(JobState::Running, 1, 3).download_href(), None);
        let mut failed = job(JobState::Failed, 1, 3);
        failed.result_size = None;
        assert_eq!(failed.download_href(), None);
    }
}
