//! The REST API for scripts and integrations: `/api/v1`, described by an OpenAPI 3.1
//! document at `/api/openapi.json`.
//!
//! Callers present an API token (`Authorization: Bearer ppt_…`), which [`authenticate`] turns
//! into the same [`Principal`] a portal session gives, so handlers call the same ports under
//! the same rules as the pages; every handler checks the role before reading, and the ports
//! keep every read inside the principal's tenant. Bearer requests carry no cookie, so the API
//! sits outside the session and CSRF layers. Around the handlers: a body-size cap, a per-token
//! rate limit ([`crate::rate_limit`]), `Idempotency-Key` replay for `POST`s ([`idempotency`]) and
//! RFC 9457 problem documents for every error ([`problem`]).
//!
//! Routes are registered through `utoipa-axum`, which adds each handler to the router and its
//! `#[utoipa::path]` description to the document in one step, so the two cannot drift.

pub mod audit;
pub mod disclosures;
pub mod fields;
pub mod follow_ups;
pub mod idempotency;
pub mod openapi;
pub mod problem;
pub mod requests;
pub mod sharing;
pub mod tokens;
pub mod users;

use crate::services::api_tokens::{self, Caller};
use crate::state::AppState;
use app::auth::{Principal, Role};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use problem::ApiError;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;

/// Where the API lives.
pub const BASE: &str = "/api/v1";
/// Where its description lives.
pub const OPENAPI_PATH: &str = "/api/openapi.json";
/// Default and largest page size of the list endpoints.
pub const PAGE_DEFAULT: u64 = 25;
pub const PAGE_MAX: u64 = 100;

/// Every `/api/v1` route with its description; the router and the document come from here.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .merge(tokens::routes())
        .merge(users::routes())
        .merge(fields::routes())
        .merge(disclosures::routes())
        .merge(follow_ups::routes())
        .merge(audit::routes())
        .merge(sharing::routes())
        .merge(requests::routes())
}

/// The OpenAPI document, as served.
pub fn document() -> utoipa::openapi::OpenApi {
    openapi::finish(api_router().into_openapi())
}

/// The API's routes, ready to be merged into the application's router, on the application's
/// one state (its rate limiter and body cap included).
pub fn routes(state: &AppState) -> Router<AppState> {
    let (router, document) = api_router().split_for_parts();
    let document = Arc::new(openapi::finish(document));
    let v1 = router
        .fallback(problem::no_such_route)
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::middleware,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate,
        ))
        .layer(DefaultBodyLimit::max(state.body_limit));
    Router::new().nest(BASE, v1).route(
        OPENAPI_PATH,
        axum::routing::get(move || {
            let document = Arc::clone(&document);
            async move { axum::Json(document.as_ref().clone()) }
        }),
    )
}

/// Resolves the bearer token into a [`Caller`] and its [`Principal`], then applies the rate
/// limit. Every way a token can be refused (unknown, expired, revoked) answers the same 401.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let secret = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(secret) = secret else {
        return ApiError::Unauthenticated.into_response();
    };
    let caller = match api_tokens::authenticate(&state.db, secret, state.clock.now_ms()).await {
        Ok(Ok(caller)) => caller,
        Ok(Err(rejection)) => {
            tracing::info!(?rejection, "API token refused");
            return ApiError::Unauthenticated.into_response();
        }
        Err(e) => return ApiError::Internal(e).into_response(),
    };
    if let Err(retry_after_seconds) = state.limiter.check(&caller.token_id.to_string()).await {
        tracing::info!(token_id = caller.token_id, "API rate limit reached");
        return ApiError::RateLimited {
            retry_after_seconds,
        }
        .into_response();
    }
    let span = tracing::info_span!(
        "api",
        tenant = %caller.principal.tenant_id,
        token_id = caller.token_id
    );
    request.extensions_mut().insert(caller.principal.clone());
    request.extensions_mut().insert(caller);
    tracing::Instrument::instrument(next.run(request), span).await
}

/// The authenticated caller of a handler.
pub struct Auth(pub Caller);

impl Auth {
    /// The principal, if it holds one of `roles`.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`] without one of the roles.
    pub fn require(&self, roles: &[Role]) -> Result<&Principal, ApiError> {
        if self.0.principal.has_any(roles) {
            Ok(&self.0.principal)
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The audit actor of this token: kind `token`, its id and name.
    pub fn actor(&self) -> crate::services::audit::Actor {
        crate::services::audit::Actor {
            kind: crate::services::audit::ActorKind::Token,
            id: self.0.token_id.to_string(),
            name: self.0.principal.display_name.clone(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Auth)
            .ok_or(ApiError::Unauthenticated)
    }
}

/// A JSON request body whose every rejection is a problem document.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError::invalid("body", e.body_text())),
            Err(JsonRejection::JsonSyntaxError(_)) => {
                Err(ApiError::BadRequest("the body is not valid JSON".into()))
            }
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::PayloadTooLarge)
            }
            Err(_) => Err(ApiError::BadRequest("the body could not be read".into())),
        }
    }
}

/// The query string as name → value (the last value of a repeated name wins), read without
/// any rejection that is not a problem document; handlers parse each value themselves so that
/// refusals name the parameter.
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(pairs) =
            axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::BadRequest("the query string could not be read".into()))?;
        Ok(Params(pairs.into_iter().collect()))
    }
}

impl Params {
    /// A non-blank free-text value, trimmed (search text, ids to filter by).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A typed value exactly as sent: present but empty or padded is refused by its parser,
    /// so the API never reads a value other than the one its document allows.
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The page size: `limit`, 1 to [`PAGE_MAX`], [`PAGE_DEFAULT`] when absent.
    ///
    /// # Errors
    /// A validation error naming `limit`.
    pub fn limit(&self) -> Result<u64, ApiError> {
        match self.raw("limit") {
            None => Ok(PAGE_DEFAULT),
            Some(raw) => raw
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=PAGE_MAX).contains(n))
                .ok_or_else(|| {
                    ApiError::refused(
                        "limit",
                        &app::error::Refusal::with(
                            app::i18n::Key::ErrWholeNumberRange,
                            [("min", "1".into()), ("max", PAGE_MAX.to_string().into())],
                        ),
                    )
                }),
        }
    }

    /// A positive integer parameter (ids, sequence numbers, epoch milliseconds).
    ///
    /// # Errors
    /// A validation error naming the parameter.
    pub fn integer(&self, name: &str) -> Result<Option<i64>, ApiError> {
        self.raw(name)
            .map(|raw| {
                raw.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| ApiError::because(name, app::i18n::Key::ErrWholeNumber))
            })
            .transpose()
    }

    /// A keyset cursor written by this API: a positive id.
    ///
    /// # Errors
    /// A validation error naming `after`.
    pub fn after_id(&self) -> Result<Option<i64>, ApiError> {
        self.raw("after")
            .map(|raw| {
                raw.parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| ApiError::because("after", app::i18n::Key::ErrNotACursor))
            })
            .transpose()
    }
}
