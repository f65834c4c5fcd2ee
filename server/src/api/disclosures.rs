//! The disclosure ledger: which recipient received which fields of which record, when, under
//! which feature and consent. Filter by user, record, recipient, feature and time; pages are
//! keyset-paginated on the ledger id, newest first, so a page never shifts when disclosures
//! are recorded while a script pages through. Tenant admins only, as in the portal. The
//! reading is the ledger use case's ([`crate::services::disclosures::ledger`]); this adapts
//! the query string and the JSON.

use super::problem::ApiError;
use super::{Auth, Params};
use crate::services::disclosures::ledger::{self, LedgerQuery};
use crate::state::AppState;
use app::auth::Role;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_disclosures))
}

/// One disclosure: values are never stored, only which fields went where.
#[derive(Serialize, ToSchema)]
pub struct Disclosure {
    pub id: i64,
    /// `user` or `device`.
    pub record_kind: String,
    pub record_id: String,
    pub subject_user_id: Option<String>,
    pub recipient_id: String,
    pub recipient_name: String,
    /// Whether the recipient processes the data on the tenant's behalf (an agent).
    pub recipient_is_agent: bool,
    pub feature_id: String,
    pub fields: Vec<String>,
    /// Epoch milliseconds.
    pub disclosed_at: i64,
    pub consent_id: Option<i64>,
    pub purpose: String,
}

/// A page of disclosures.
#[derive(Serialize, ToSchema)]
pub struct DisclosurePage {
    pub items: Vec<Disclosure>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// Filters of the ledger.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct DisclosureQuery {
    /// Only disclosures about this directory user.
    user_id: Option<String>,
    /// Only disclosures of this record (a user or device id).
    record_id: Option<String>,
    /// Only disclosures to this recipient.
    recipient_id: Option<String>,
    /// Only disclosures under this sharing feature.
    feature_id: Option<String>,
    /// Disclosed at or after (epoch milliseconds).
    #[param(minimum = 0)]
    since: Option<i64>,
    /// Disclosed before (epoch milliseconds).
    #[param(minimum = 0)]
    until: Option<i64>,
    /// The `next` cursor of the previous page.
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    after: Option<String>,
    /// Page size, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// Lists disclosures of the tenant, newest first.
#[utoipa::path(get, path = "/disclosures", tag = "disclosures", params(DisclosureQuery),
    responses((status = 200, description = "A page of disclosures", body = DisclosurePage)))]
pub async fn list_disclosures(
    State(state): State<AppState>,
    auth: Auth,
    params: Params,
) -> Result<Json<DisclosurePage>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let text = |name: &str| params.get(name).map(str::to_owned);
    let query = LedgerQuery {
        limit: params.limit()?,
        after: params.after_id()?,
        since: params.integer("since")?,
        until: params.integer("until")?,
        user_id: text("user_id"),
        record_id: text("record_id"),
        recipient_id: text("recipient_id"),
        feature_id: text("feature_id"),
    };
    let page = ledger::list(&state.db, principal, &query).await?;
    Ok(Json(DisclosurePage {
        items: page
            .entries
            .into_iter()
            .map(|d| Disclosure {
                id: d.id,
                record_kind: d.record_kind,
                record_id: d.record_id,
                subject_user_id: d.subject_user_id,
                recipient_id: d.recipient_id,
                recipient_name: d.recipient_name,
                recipient_is_agent: d.recipient_is_agent,
                feature_id: d.feature_id,
                fields: d.fields,
                disclosed_at: d.disclosed_at,
                consent_id: d.consent_id,
                purpose: d.purpose,
            })
            .collect(),
        next: page.next.map(|id| id.to_string()),
    }))
}
