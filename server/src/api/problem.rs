//! RFC 9457 problem documents: the one shape every API error takes.
//!
//! Each kind of error has a stable `type` URI (clients branch on it, never on `title` or
//! `detail`), validation errors list the refused fields in `errors`, and every problem
//! carries the request id as `reference`, the key to the server log. [`ApiError`] is the one
//! place where the ports' [`AppError`] becomes an HTTP answer.

use app::error::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Prefix of every problem `type`.
pub const TYPE_PREFIX: &str = "urn:privacy-portal:problem:";
/// The media type of problem documents.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem, e.g. `urn:privacy-portal:problem:validation`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short human summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened this time, safe to show (never personal data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request id, to quote to support; the cause is in the server log under it.
    pub reference: String,
    /// The refused fields, for validation problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldProblem>>,
}

/// One refused field of a validation problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldProblem {
    /// The field, parameter or header name.
    pub field: String,
    /// Why it was refused.
    pub message: String,
}

/// Every error the API answers with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("validation failed")]
    Validation(Vec<FieldProblem>),
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("no valid bearer token")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("no such route")]
    NoSuchRoute,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict")]
    Conflict,
    #[error("If-Match does not match the current version")]
    PreconditionFailed,
    #[error("If-Match required")]
    PreconditionRequired,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("idempotency key reused for another request")]
    IdempotencyKeyReused,
    #[error("idempotency key in use by a request still running")]
    IdempotencyKeyInUse,
    #[error("rate limited")]
    RateLimited { retry_after_seconds: u64 },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A validation error about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldProblem {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// A parameter that takes one of a few literal values, refused in the request's language.
    pub fn not_one_of(field: &str, choices: &[&str]) -> ApiError {
        let choices = choices
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        ApiError::refused(
            field,
            &app::error::Refusal::with(app::i18n::Key::ErrOneOf, [("choices", choices.into())]),
        )
    }

    /// A refusal of `field` by a text without placeholders, in the request's language.
    pub fn because(field: &str, key: app::i18n::Key) -> ApiError {
        ApiError::refused(field, &app::error::Refusal::with(key, []))
    }

    /// The language a parameter names (`en` or `nl`), English when it is absent.
    pub fn language(field: &str, tag: Option<&str>) -> Result<app::i18n::Locale, ApiError> {
        match tag {
            None => Ok(app::i18n::Locale::En),
            Some(tag) => app::i18n::Locale::from_tag(tag)
                .filter(|l| l.code() == tag)
                .ok_or_else(|| ApiError::not_one_of(field, &["en", "nl"])),
        }
    }

    /// A service's refusal of one field, worded in the request's language.
    pub fn refused(field: &str, reason: &app::error::Refusal) -> ApiError {
        ApiError::invalid(field, reason.message(crate::request_language::current()))
    }

    /// Status, type slug and title.
    fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        use StatusCode as S;
        match self {
            ApiError::Validation(_) => (S::UNPROCESSABLE_ENTITY, "validation", "Invalid input"),
            ApiError::BadRequest(_) => (S::BAD_REQUEST, "bad-request", "Malformed request"),
            ApiError::Unauthenticated => (
                S::UNAUTHORIZED,
                "unauthenticated",
                "A valid API token is required",
            ),
            ApiError::Forbidden => (S::FORBIDDEN, "forbidden", "Not allowed for this token"),
            ApiError::NotFound => (S::NOT_FOUND, "not-found", "Not found"),
            ApiError::NoSuchRoute => (S::NOT_FOUND, "no-such-route", "No such API route"),
            ApiError::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
            ),
            ApiError::Conflict => (S::CONFLICT, "conflict", "Changed by someone else"),
            ApiError::PreconditionFailed => (
                S::PRECONDITION_FAILED,
                "version-mismatch",
                "The item changed since the version in If-Match",
            ),
            ApiError::PreconditionRequired => (
                S::PRECONDITION_REQUIRED,
                "if-match-required",
                "Send the version you read in If-Match",
            ),
            ApiError::PayloadTooLarge => (
                S::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Request body too large",
            ),
            ApiError::UnsupportedMediaType => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send the body as application/json",
            ),
            ApiError::IdempotencyKeyReused => (
                S::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "This Idempotency-Key was used for a different request",
            ),
            ApiError::IdempotencyKeyInUse => (
                S::CONFLICT,
                "idempotency-key-in-use",
                "A request with this Idempotency-Key is still being processed",
            ),
            ApiError::RateLimited { .. } => (
                S::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests for this token",
            ),
            ApiError::Internal(_) => (S::INTERNAL_SERVER_ERROR, "internal", "Internal error"),
        }
    }

    /// The problem document of this error (the cause of an internal error is logged here).
    pub fn problem(&self) -> Problem {
        let reference = crate::request_id::current();
        let (status, slug, title) = self.parts();
        let (detail, errors) = match self {
            ApiError::Validation(errors) => (None, Some(errors.clone())),
            ApiError::BadRequest(detail) => (Some(detail.clone()), None),
            ApiError::Internal(cause) => {
                tracing::error!(request_id = %reference, "API request failed: {cause:#}");
                (None, None)
            }
            _ => (None, None),
        };
        Problem {
            kind: format!("{TYPE_PREFIX}{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail,
            reference,
            errors,
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid { field, message } => ApiError::invalid(&field, message),
            AppError::Unauthenticated => ApiError::Unauthenticated,
            AppError::Forbidden => ApiError::Forbidden,
            AppError::NotFound => ApiError::NotFound,
            AppError::Conflict => ApiError::Conflict,
            // Already logged by the service under this reference.
            AppError::Internal { reference } => {
                ApiError::Internal(anyhow::anyhow!("service failure, reference {reference}"))
            }
            AppError::Transport => ApiError::Internal(anyhow::anyhow!("transport error")),
        }
    }
}

impl From<crate::services::error::ServiceError> for ApiError {
    fn from(error: crate::services::error::ServiceError) -> Self {
        use crate::services::error::ServiceError as E;
        match error {
            E::Invalid { field, reason } => ApiError::refused(&field, &reason),
            E::Forbidden => ApiError::Forbidden,
            E::NotFound => ApiError::NotFound,
            E::Conflict => ApiError::Conflict,
            E::Internal(cause) => ApiError::Internal(cause),
            E::Answered(answer) => answer.into(),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        ApiError::Internal(error)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        ApiError::Internal(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let ApiError::RateLimited {
            retry_after_seconds,
        } = self
        {
            if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        if matches!(self, ApiError::Unauthenticated) {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"privacy-portal\""),
            );
        }
        response
    }
}

/// The answer for paths under `/api/v1` that no route matches.
pub async fn no_such_route() -> ApiError {
    ApiError::NoSuchRoute
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_type_is_a_stable_urn_with_its_own_slug() {
        let errors = [
            ApiError::invalid("x", "y"),
            ApiError::BadRequest("x".into()),
            ApiError::Unauthenticated,
            ApiError::Forbidden,
            ApiError::NotFound,
            ApiError::NoSuchRoute,
            ApiError::MethodNotAllowed,
            ApiError::Conflict,
            ApiError::PreconditionFailed,
            ApiError::PreconditionRequired,
            ApiError::PayloadTooLarge,
            ApiError::UnsupportedMediaType,
            ApiError::IdempotencyKeyReused,
            ApiError::IdempotencyKeyInUse,
            ApiError::RateLimited {
                retry_after_seconds: 1,
            },
            ApiError::Internal(anyhow::anyhow!("x")),
        ];
        let mut seen = std::collections::HashSet::new();
        for error in &errors {
            let problem = error.problem();
            assert!(problem.kind.starts_with(TYPE_PREFIX), "{}", problem.kind);
            assert!(seen.insert(problem.kind.clone()), "{} twice", problem.kind);
        }
    }
}
