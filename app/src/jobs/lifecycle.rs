//! What a job does, where it is in its life and why it failed: each a closed set with the
//! stable name the database stores and the label or message the page shows.

use crate::i18n::Key;
use serde::{Deserialize, Serialize};

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
