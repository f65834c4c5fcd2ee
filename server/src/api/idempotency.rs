//! `Idempotency-Key` on `POST`s that create or decide: a retried request gets the first
//! answer instead of acting twice.
//!
//! The first request with a key reserves it (a row with status 0) before the handler runs,
//! so a concurrent duplicate is refused with 409 instead of racing it; the answer is then
//! stored with a fingerprint of the request (method, path, `If-Match`, body). A later request
//! with the same key and fingerprint is answered from the store; with another fingerprint it
//! is refused (422), since silently answering a different request would hide a client bug.
//! Server errors are not stored, so the client may retry them. Keys are per token and kept
//! for 24 hours.

use super::problem::ApiError;
use crate::entities::api_idempotency;
use crate::services::api_tokens::Caller;
use crate::state::AppState;
use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, NotSet, QueryFilter, Set};
use sha2::{Digest, Sha256};

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// Set on answers replayed from the store.
pub const REPLAYED_HEADER: &str = "idempotency-replayed";
/// Longest key accepted.
pub const KEY_MAX: usize = 255;
/// How long a key is remembered.
const KEEP_MS: i64 = 24 * 3_600_000;

/// The middleware; it only acts on `POST`s that carry the header.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.headers().contains_key(HEADER) {
        return next.run(request).await;
    }
    match handle(&state, request, next).await {
        Ok(response) | Err(response) => response,
    }
}

fn reject(error: ApiError) -> Response {
    error.into_response()
}

async fn handle(state: &AppState, request: Request, next: Next) -> Result<Response, Response> {
    let key = request
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= KEY_MAX && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .ok_or_else(|| {
            reject(ApiError::BadRequest(format!(
                "Idempotency-Key must be 1 to {KEY_MAX} visible ASCII characters"
            )))
        })?;
    let Some(caller) = request.extensions().get::<Caller>().cloned() else {
        return Ok(next.run(request).await);
    };
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, state.body_limit)
        .await
        .map_err(|_| reject(ApiError::PayloadTooLarge))?;
    let fingerprint = fingerprint(&parts, &bytes);
    let now = state.clock.now_ms();
    // Forget this token's old keys first, so a key can be reused after a day.
    api_idempotency::Entity::delete_many()
        .filter(api_idempotency::Column::TokenId.eq(caller.token_id))
        .filter(api_idempotency::Column::CreatedAt.lt(now.saturating_sub(KEEP_MS)))
        .exec(&state.db)
        .await
        .map_err(|e| reject(e.into()))?;
    let reserved = api_idempotency::ActiveModel {
        id: NotSet,
        tenant_id: Set(caller.principal.tenant_id.clone()),
        token_id: Set(caller.token_id),
        idempotency_key: Set(key.clone()),
        fingerprint: Set(fingerprint.clone()),
        status: Set(0),
        content_type: Set(String::new()),
        body: Set(String::new()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await;
    let reserved = match reserved {
        Ok(row) => row,
        Err(insert_error) => {
            // Most likely the key exists: answer from it, or explain why not.
            let existing = api_idempotency::Entity::find()
                .filter(api_idempotency::Column::TokenId.eq(caller.token_id))
                .filter(api_idempotency::Column::IdempotencyKey.eq(&key))
                .one(&state.db)
                .await
                .map_err(|e| reject(e.into()))?
                .ok_or_else(|| reject(insert_error.into()))?;
            if existing.fingerprint != fingerprint {
                return Err(reject(ApiError::IdempotencyKeyReused));
            }
            if existing.status == 0 {
                return Err(reject(ApiError::IdempotencyKeyInUse));
            }
            return Ok(replay(&existing));
        }
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let (parts, body) = response.into_parts();
    // Answers of this API are small JSON documents; the bound only guards against surprises.
    let bytes = to_bytes(body, 16 * 1024 * 1024).await.map_err(|e| {
        reject(ApiError::Internal(anyhow::anyhow!(
            "reading an answer: {e}"
        )))
    })?;
    let stored = if parts.status.is_server_error() {
        api_idempotency::Entity::delete_by_id(reserved.id)
            .exec(&state.db)
            .await
            .map(|_| ())
    } else {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned();
        api_idempotency::Entity::update_many()
            .col_expr(
                api_idempotency::Column::Status,
                Expr::value(i32::from(parts.status.as_u16())),
            )
            .col_expr(
                api_idempotency::Column::ContentType,
                Expr::value(content_type),
            )
            .col_expr(
                api_idempotency::Column::Body,
                Expr::value(String::from_utf8_lossy(&bytes).into_owned()),
            )
            .col_expr(
                api_idempotency::Column::UpdatedAt,
                Expr::value(state.clock.now_ms()),
            )
            .filter(api_idempotency::Column::Id.eq(reserved.id))
            .exec(&state.db)
            .await
            .map(|_| ())
    };
    if let Err(e) = stored {
        // The action happened; failing the answer now would invite a retry that acts twice.
        tracing::error!("storing an idempotent answer failed: {e}");
    }
    Ok(Response::from_parts(parts, Body::from(bytes)))
}

fn fingerprint(parts: &axum::http::request::Parts, body: &Bytes) -> String {
    let mut hasher = Sha256::new();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |p| p.as_str());
    let if_match = parts
        .headers
        .get(header::IF_MATCH)
        .map(HeaderValue::as_bytes)
        .unwrap_or_default();
    for part in [
        parts.method.as_str().as_bytes(),
        path.as_bytes(),
        if_match,
        body,
    ] {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    crate::services::audit::to_hex(&hasher.finalize())
}

fn replay(stored: &api_idempotency::Model) -> Response {
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body.clone()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&stored.content_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}
