//! Background jobs: exports and imports started from the portal, with their progress and result.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: String,
    /// `export_user_json`, `export_user_csv`, `export_audit_csv` or `import_directory`.
    pub kind: String,
    pub owner_account_id: i64,
    pub owner_name: String,
    /// The data subject of a user export.
    pub subject_user_id: Option<String>,
    /// The job's parameters as JSON (language, audit-log filter).
    pub params: String,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub state: String,
    pub progress_done: i64,
    pub progress_total: i64,
    pub accepted: Option<i64>,
    pub rejected: Option<i64>,
    /// The rejection report of an import as JSON: line, field and reason, never values.
    pub rejections: Option<String>,
    /// A stable error code the page translates; never a database message.
    pub error: Option<String>,
    /// The exported file (personal data: never logged).
    pub result: Option<String>,
    pub result_name: Option<String>,
    pub result_type: Option<String>,
    pub result_size: Option<i64>,
    pub created_at: i64,
    /// Also the heartbeat of a running job.
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The result is an export of personal data and the parameters may name a person.
        f.debug_struct("Job")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("progress_done", &self.progress_done)
            .field("progress_total", &self.progress_total)
            .finish_non_exhaustive()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
