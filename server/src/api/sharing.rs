//! Sharing features: the catalogue's features with their flows and state in the tenant, the
//! impact preview, turning one on (with the terms version consented to) and off. Every call
//! goes through the sharing port, the same as the sharing page; the tenant state's version
//! travels in `If-Match`. Auditors read; only tenant admins preview and change.

use super::problem::{ApiError, Problem};
use super::{Auth, Body, Params};
use crate::state::AppState;
use app::auth::Role;
use app::error::AppError;
use app::i18n::Locale;
use app::sharing::{FeatureChange, FeatureView, Preview};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_features))
        .routes(routes!(preview))
        .routes(routes!(enable))
        .routes(routes!(disable))
}

/// One field of a flow.
#[derive(Serialize, ToSchema)]
pub struct FlowField {
    pub name: String,
    /// Whether the portal holds this field as personal data.
    pub personal_data: bool,
    /// The terms version that added the field to the flow.
    pub since_terms_version: i32,
    /// Whether the consent in force covers the field.
    pub covered: bool,
}

/// What one recipient gets or sends under a feature.
#[derive(Serialize, ToSchema)]
pub struct Flow {
    pub recipient_id: String,
    pub recipient_name: String,
    /// Acts as the tenant's agent (processor) rather than an independent third party.
    pub is_agent: bool,
    pub contract_ref: String,
    /// `outbound` or `inbound`.
    pub direction: String,
    pub fields: Vec<FlowField>,
}

/// The consent in force.
#[derive(Serialize, ToSchema)]
pub struct Consent {
    pub id: i64,
    pub granted_by: String,
    pub granted_at: i64,
    pub terms_version: i32,
    pub locale: String,
}

/// A feature and its state in the tenant.
#[derive(Serialize, ToSchema)]
pub struct Feature {
    pub id: String,
    pub name: String,
    pub purpose: String,
    /// Whether turning it on needs explicit consent.
    pub needs_consent: bool,
    /// The current terms version.
    pub terms_version: i32,
    pub enabled: bool,
    pub changed_at: Option<i64>,
    pub changed_by: Option<String>,
    /// Send this in `If-Match` to change the feature.
    pub version: i64,
    pub consent: Option<Consent>,
    /// The consent in force is for older terms.
    pub consent_outdated: bool,
    pub flows: Vec<Flow>,
    /// Disclosures under this feature in the last 30 days.
    pub disclosures_30d: u64,
}

impl From<FeatureView> for Feature {
    fn from(f: FeatureView) -> Self {
        Feature {
            id: f.id,
            name: f.name,
            purpose: f.purpose,
            needs_consent: f.needs_consent,
            terms_version: f.terms_version,
            enabled: f.enabled,
            changed_at: f.changed_at,
            changed_by: f.changed_by,
            version: f.version,
            consent: f.consent.map(|c| Consent {
                id: c.id,
                granted_by: c.granted_by,
                granted_at: c.granted_at,
                terms_version: c.terms_version,
                locale: c.locale,
            }),
            consent_outdated: f.consent_outdated,
            flows: f
                .flows
                .into_iter()
                .map(|flow| Flow {
                    recipient_id: flow.recipient_id,
                    recipient_name: flow.recipient_name,
                    is_agent: flow.is_agent,
                    contract_ref: flow.contract_ref,
                    direction: flow.direction.as_str().to_owned(),
                    fields: flow
                        .fields
                        .into_iter()
                        .map(|field| FlowField {
                            name: field.name,
                            personal_data: field.personal_data,
                            since_terms_version: field.since_terms_version,
                            covered: field.covered,
                        })
                        .collect(),
                })
                .collect(),
            disclosures_30d: f.disclosures_30d,
        }
    }
}

/// The features of the tenant.
#[derive(Serialize, ToSchema)]
pub struct FeatureList {
    pub items: Vec<Feature>,
}

/// Lists the sharing features with their flows and state.
#[utoipa::path(get, path = "/sharing/features", tag = "sharing",
    responses((status = 200, description = "The features", body = FeatureList)))]
pub async fn list_features(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<FeatureList>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin, Role::Auditor])?;
    let overview = state.services.sharing.overview(principal).await?;
    Ok(Json(FeatureList {
        items: overview.features.into_iter().map(Feature::from).collect(),
    }))
}

/// What would start or stop flowing to one recipient.
#[derive(Serialize, ToSchema)]
pub struct PreviewFlow {
    pub recipient_name: String,
    pub is_agent: bool,
    pub fields: Vec<String>,
}

/// Terms to consent to.
#[derive(Serialize, ToSchema)]
pub struct Terms {
    pub version: i32,
    pub locale: String,
    pub text: String,
}

/// The impact of turning a feature on or off.
#[derive(Serialize, ToSchema)]
pub struct FeaturePreview {
    pub feature_id: String,
    pub feature_name: String,
    pub turning_on: bool,
    pub users: u64,
    pub devices: u64,
    pub apps: u64,
    pub flows: Vec<PreviewFlow>,
    /// The terms to consent to, when turning on needs consent.
    pub terms: Option<Terms>,
    /// Send this in `If-Match` with the change.
    pub version: i64,
}

impl From<Preview> for FeaturePreview {
    fn from(p: Preview) -> Self {
        FeaturePreview {
            feature_id: p.feature_id,
            feature_name: p.feature_name,
            turning_on: p.turning_on,
            users: p.users,
            devices: p.devices,
            apps: p.apps,
            flows: p
                .flows
                .into_iter()
                .map(|f| PreviewFlow {
                    recipient_name: f.recipient_name,
                    is_agent: f.is_agent,
                    fields: f.fields,
                })
                .collect(),
            terms: p.terms.map(|t| Terms {
                version: t.version,
                locale: t.locale,
                text: t.text,
            }),
            version: p.version,
        }
    }
}

/// Which change to preview, and the terms' language.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Describes the query string only; `Params` reads it.
pub struct PreviewQuery {
    /// `true` (default) for turning on, `false` for turning off.
    enable: Option<bool>,
    /// Language of the terms: `en` (default) or `nl`.
    #[param(pattern = "^(en|nl)$")]
    lang: Option<String>,
}

fn locale_param(params: &Params) -> Result<Locale, ApiError> {
    ApiError::language("lang", params.raw("lang"))
}

/// The impact of turning a feature on or off, and the terms to consent to.
#[utoipa::path(get, path = "/sharing/features/{feature_id}/preview", tag = "sharing",
    params(("feature_id" = String, Path, description = "The feature id"), PreviewQuery),
    responses(
        (status = 200, description = "The impact", body = FeaturePreview),
        (status = 404, description = "No such feature", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn preview(
    State(state): State<AppState>,
    auth: Auth,
    Path(feature_id): Path<String>,
    params: Params,
) -> Result<Json<FeaturePreview>, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let enable = match params.raw("enable") {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(ApiError::not_one_of("enable", &["true", "false"])),
    };
    let locale = locale_param(&params)?;
    let preview = state
        .services
        .sharing
        .preview(principal, &feature_id, enable, locale)
        .await?;
    Ok(Json(preview.into()))
}

/// Turning a feature on.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Enable {
    /// The terms version shown (from the preview).
    pub terms_version: i32,
    /// Explicit agreement to those terms; required where a recipient is not the tenant's agent.
    #[serde(default)]
    pub consent: bool,
    /// The language the terms were shown in: `en` (default) or `nl`.
    #[serde(default)]
    #[schema(pattern = "^(en|nl)$")]
    pub locale: Option<String>,
}

/// Reads `If-Match` as a version, as the field corrections do.
fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    super::fields::base_version(headers)
}

fn stale_is_precondition(error: AppError) -> ApiError {
    match error {
        AppError::Conflict => ApiError::PreconditionFailed,
        other => other.into(),
    }
}

/// Turns a feature on, or renews its consent for the current terms.
#[utoipa::path(post, path = "/sharing/features/{feature_id}/enable", tag = "sharing",
    params(
        ("feature_id" = String, Path, description = "The feature id"),
        ("If-Match" = String, Header, description = "The feature's `version`, e.g. `\"0\"`"),
    ),
    request_body = Enable,
    responses(
        (status = 204, description = "On"),
        (status = 404, description = "No such feature", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The feature or its terms changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn enable(
    State(state): State<AppState>,
    auth: Auth,
    Path(feature_id): Path<String>,
    headers: HeaderMap,
    Body(body): Body<Enable>,
) -> Result<StatusCode, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let base_version = if_match(&headers)?;
    let locale = ApiError::language("locale", body.locale.as_deref())?;
    let change = FeatureChange {
        feature_id,
        terms_version: body.terms_version,
        locale,
        consent: body.consent,
        base_version,
    };
    state
        .services
        .sharing
        .enable(principal, change)
        .await
        .map_err(stale_is_precondition)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Turns a feature off: disclosures stop and each recipient is asked to delete what it holds.
#[utoipa::path(post, path = "/sharing/features/{feature_id}/disable", tag = "sharing",
    params(
        ("feature_id" = String, Path, description = "The feature id"),
        ("If-Match" = String, Header, description = "The feature's `version`, e.g. `\"0\"`"),
    ),
    responses(
        (status = 204, description = "Off"),
        (status = 404, description = "No such feature", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The feature changed since that version", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn disable(
    State(state): State<AppState>,
    auth: Auth,
    Path(feature_id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let principal = auth.require(&[Role::TenantAdmin])?;
    let base_version = if_match(&headers)?;
    state
        .services
        .sharing
        .disable(principal, &feature_id, base_version)
        .await
        .map_err(stale_is_precondition)?;
    Ok(StatusCode::NO_CONTENT)
}
