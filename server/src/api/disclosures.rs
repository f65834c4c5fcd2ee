//! The disclosure ledger: which recipient received which fields of which record, when, under
//! which feature and consent. Filter by user, record, recipient, feature and time; pages are
//! keyset-paginated on the ledger id, newest first, so a page never shifts when disclosures
//! are recorded while a script pages through. Tenant admins only, as in the portal.

use super::problem::ApiError;
use super::{probe, ApiState, Auth, Params};
use crate::entities::{disclosure, recipient};
use app::auth::Role;
use axum::extract::State;
use axum::Json;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<ApiState> {
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
    State(state): State<ApiState>,
    auth: Auth,
    params: Params,
) -> Result<Json<DisclosurePage>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let limit = params.limit()?;
    let after = params.after_id()?;
    let since = params.integer("since")?;
    let until = params.integer("until")?;
    let mut query =
        disclosure::Entity::find().filter(disclosure::Column::TenantId.eq(&principal.tenant_id));
    if let Some(user) = params.get("user_id") {
        query = query.filter(disclosure::Column::SubjectUserId.eq(user));
    }
    if let Some(record) = params.get("record_id") {
        query = query.filter(disclosure::Column::RecordId.eq(record));
    }
    if let Some(recipient) = params.get("recipient_id") {
        query = query.filter(disclosure::Column::RecipientId.eq(recipient));
    }
    if let Some(feature) = params.get("feature_id") {
        query = query.filter(disclosure::Column::FeatureId.eq(feature));
    }
    if let Some(since) = since {
        query = query.filter(disclosure::Column::DisclosedAt.gte(since));
    }
    if let Some(until) = until {
        query = query.filter(disclosure::Column::DisclosedAt.lt(until));
    }
    if let Some(after) = after {
        query = query.filter(disclosure::Column::Id.lt(after));
    }
    let mut rows = query
        .order_by_desc(disclosure::Column::Id)
        .limit(probe(limit))
        .all(&state.db)
        .await?;
    let next = next_cursor(&mut rows, limit, |d| d.id);
    let recipients: HashMap<String, recipient::Model> = recipient::Entity::find()
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let items = rows
        .into_iter()
        .map(|d| {
            let to = recipients.get(&d.recipient_id);
            Disclosure {
                id: d.id,
                record_kind: d.record_kind,
                record_id: d.record_id,
                subject_user_id: d.subject_user_id,
                recipient_name: to.map_or_else(|| d.recipient_id.clone(), |r| r.name.clone()),
                recipient_is_agent: to.is_some_and(|r| r.is_agent),
                recipient_id: d.recipient_id,
                feature_id: d.feature_id,
                fields: d
                    .fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect(),
                disclosed_at: d.disclosed_at,
                consent_id: d.consent_id,
                purpose: d.purpose,
            }
        })
        .collect();
    Ok(Json(DisclosurePage { items, next }))
}

/// Cuts the probe row off and returns the cursor of the next page, if there is one.
pub fn next_cursor<T>(rows: &mut Vec<T>, limit: u64, id: impl Fn(&T) -> i64) -> Option<String> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|row| id(row).to_string())
    } else {
        None
    }
}
