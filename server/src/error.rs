//! Turning failures into answers.
//!
//! Server functions answer with [`app::error::AppError`]; plain HTTP routes with [`HttpError`].
//! Either way, a failure is logged here with its cause and the request id, and the caller only
//! sees the request id as a reference.

use app::error::AppError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Logs `cause` (with its whole chain) and returns the error shown to the caller.
pub fn internal(cause: &anyhow::Error) -> AppError {
    let reference = crate::request_id::current();
    tracing::error!(request_id = %reference, "request failed: {cause:#}");
    AppError::Internal { reference }
}

/// Error of the plain HTTP routes, answered as `application/problem+json` (RFC 9457).
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let reference = crate::request_id::current();
        let (status, title) = match &self {
            HttpError::Unavailable(cause) => {
                tracing::warn!(request_id = %reference, "unavailable: {cause:#}");
                (StatusCode::SERVICE_UNAVAILABLE, "Service unavailable")
            }
            HttpError::Internal(cause) => {
                tracing::error!(request_id = %reference, "internal error: {cause:#}");
                (StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
            }
        };
        problem(status, title, &reference)
    }
}

/// The answer of a plain route to a service's error: an RFC 9457 problem whose title is worded
/// in the request's language; a failure is logged with its cause and answered with the
/// reference only.
pub fn service_problem(error: crate::services::error::ServiceError) -> Response {
    use crate::services::error::ServiceError as E;
    let reference = crate::request_id::current();
    let locale = crate::request_language::current();
    match error {
        E::Invalid { field, reason } => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &app::i18n::Key::ErrInvalid.format(
                locale,
                &[("field", &field), ("message", &reason.message(locale))],
            ),
            &reference,
        ),
        E::Forbidden => problem(StatusCode::FORBIDDEN, "Forbidden", &reference),
        E::NotFound => problem(StatusCode::NOT_FOUND, "Not found", &reference),
        E::Conflict => problem(StatusCode::CONFLICT, "Changed by someone else", &reference),
        E::Internal(cause) => HttpError::Internal(cause).into_response(),
        E::Answered(answer) => problem(
            StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &answer.message(locale),
            &reference,
        ),
    }
}

/// A minimal RFC 9457 problem document.
pub fn problem(status: StatusCode, title: &str, reference: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "reference": reference,
    });
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/problem+json"),
    );
    response
}

/// The answer to a panic inside a handler: logged, then a generic page. Nothing of the panic
/// message reaches the client, since it may hold data.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    let reference = crate::request_id::current();
    tracing::error!(request_id = %reference, "handler panicked: {detail}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
        PANIC_PAGE,
    )
        .into_response()
}

/// Static (never formatted) page for the one case where the app itself cannot render.
const PANIC_PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error · Privacy Portal</title><link rel=\"stylesheet\" href=\"/pkg/privacy-portal.css\"></head><body><main class=\"site-main\"><section class=\"page page--message\"><p class=\"page__code\">500</p><h1>Something went wrong</h1><p lang=\"en\">The portal could not complete this request. Nothing was changed. Try again in a moment.</p><p lang=\"nl\">Het portaal kon dit verzoek niet afronden. Er is niets gewijzigd. Probeer het zo opnieuw.</p><a class=\"button\" href=\"/\">Back to the overview / Terug naar het overzicht</a></section></main></body></html>";
