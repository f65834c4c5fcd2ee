//! The audit log: events with filters, newest first, paged by sequence number; the check of the
//! tenant's hash chain; and the access log of one person (who read their data). Each goes
//! through its port, exactly as the pages; tenant admins and auditors.

use super::problem::ApiError;
use super::{Auth, Params};
use crate::state::AppState;
use app::audit_log::AuditFilter;
use app::auth::Role;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

const READERS: &[Role] = &[Role::TenantAdmin, Role::Auditor];

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(verify))
        .routes(routes!(access_log))
}

/// One property's before and after.
#[derive(Serialize, ToSchema)]
pub struct AuditChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One audit event.
#[derive(Serialize, ToSchema)]
pub struct AuditEvent {
    /// Position in the tenant's chain.
    pub seq: i64,
    /// Epoch milliseconds.
    pub occurred_at: i64,
    /// `account`, `token`, `system` or `import`.
    pub actor_kind: String,
    pub actor_name: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub subject_user_id: Option<String>,
    pub changes: Vec<AuditChange>,
    pub reason: Option<String>,
    pub request_id: String,
}

/// A page of events, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditEventPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `after` for the next (older) page; absent on the last page.
    pub next: Option<String>,
}

/// The result of a chain check.
#[derive(Serialize, ToSchema)]
pub struct ChainCheck {
    /// Events checked.
    pub events: u64,
    /// Whether every event is where and what it was when appended.
    pub intact: bool,
    /// The first sequence number at which the chain is broken.
    pub first_broken_seq: Option<i64>,
    /// Epoch milliseconds.
    pub checked_at: i64,
}

/// Filters of the audit log.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct AuditQuery {
    /// The beginning of the actor's name, without case.
    actor: Option<String>,
    /// An exact action, e.g. `field.corrected`.
    action: Option<String>,
    /// A directory user (id or UPN): events about that data subject.
    user: Option<String>,
    /// First day included, `YYYY-MM-DD` (UTC).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    from: Option<String>,
    /// Last day included, `YYYY-MM-DD` (UTC).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    to: Option<String>,
    /// The `next` cursor of the previous page.
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    after: Option<String>,
}

/// Lists audit events, newest first, 50 a page.
#[utoipa::path(get, path = "/audit/events", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "A page of events", body = AuditEventPage)))]
pub async fn list_events(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Result<Json<AuditEventPage>, ApiError> {
    let principal = auth.require(READERS)?;
    let text = |name: &str| params.get(name).unwrap_or_default().to_owned();
    let filter = AuditFilter {
        actor: text("actor"),
        action: text("action"),
        user: text("user"),
        from: text("from"),
        to: text("to"),
        before: params.after_id()?,
    };
    let page = state.services.audit_log.events(principal, filter).await?;
    Ok(Json(AuditEventPage {
        items: page
            .events
            .into_iter()
            .map(|e| AuditEvent {
                seq: e.seq,
                occurred_at: e.occurred_at,
                actor_kind: e.actor_kind,
                actor_name: e.actor_name,
                action: e.action,
                target_kind: e.target_kind,
                target_id: e.target_id,
                subject_user_id: e.subject_user_id,
                changes: e
                    .changes
                    .into_iter()
                    .map(|c| AuditChange {
                        field: c.field,
                        before: c.before,
                        after: c.after,
                    })
                    .collect(),
                reason: e.reason,
                request_id: e.request_id,
            })
            .collect(),
        next: page.next_before.map(|seq| seq.to_string()),
    }))
}

/// Recomputes the tenant's hash chain; the check itself is recorded.
#[utoipa::path(post, path = "/audit/verify", tag = "audit",
    responses((status = 200, description = "The result", body = ChainCheck)))]
pub async fn verify(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<ChainCheck>, ApiError> {
    let principal = auth.require(READERS)?;
    let check = state.services.audit_log.verify(principal).await?;
    Ok(Json(ChainCheck {
        events: check.events,
        intact: check.first_broken_seq.is_none(),
        first_broken_seq: check.first_broken_seq,
        checked_at: check.checked_at,
    }))
}

/// One read of a person's data.
#[derive(Serialize, ToSchema)]
pub struct AccessEntry {
    pub id: i64,
    /// Epoch milliseconds.
    pub at: i64,
    /// The reader's name at the time (an account or an API token).
    pub reader: String,
    /// `account` (also a background job, for the account that started it), `token` or
    /// `system` (the command line).
    pub reader_kind: String,
    /// `user_page`, `review`, `api`, `export` or `reveal`.
    pub view: String,
}

/// A page of reads, newest first.
#[derive(Serialize, ToSchema)]
pub struct AccessEntryPage {
    pub items: Vec<AccessEntry>,
    /// Pass as `after` for the next (older) page; absent on the last page.
    pub next: Option<String>,
}

/// The cursor of the access log.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct AccessQuery {
    /// The `next` cursor of the previous page.
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    after: Option<String>,
}

/// Who read one person's personal data (the person page, a review, the API, an export), newest
/// first, 50 a page.
#[utoipa::path(get, path = "/users/{user_id}/access-log", tag = "audit",
    params(("user_id" = String, Path, description = "The directory user id or UPN"), AccessQuery),
    responses(
        (status = 200, description = "A page of reads", body = AccessEntryPage),
        (status = 404, description = "No such user in this tenant", body = super::problem::Problem, content_type = "application/problem+json"),
    ))]
pub async fn access_log(
    State(state): State<AppState>,
    auth: Auth,
    Path(user_id): Path<String>,
    params: Params,
) -> Result<Json<AccessEntryPage>, ApiError> {
    let principal = auth.require(READERS)?;
    let page = state
        .services
        .access_log
        .of_user(principal, &user_id, params.after_id()?)
        .await?;
    Ok(Json(AccessEntryPage {
        items: page
            .entries
            .into_iter()
            .map(|e| AccessEntry {
                id: e.id,
                at: e.at,
                reader: e.reader.unwrap_or_default(),
                reader_kind: e.reader_kind.as_str().to_owned(),
                view: e.view.as_str().to_owned(),
            })
            .collect(),
        next: page.next.map(|id| id.to_string()),
    }))
}
