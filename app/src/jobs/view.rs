//! A job as the page shows it (never the stored job itself, whose result is personal data),
//! the tenant's list of jobs, and an export to start.

use super::{JobError, JobKind, JobState, RejectionView};
use crate::audit_log::AuditFilter;
use serde::{Deserialize, Serialize};

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
