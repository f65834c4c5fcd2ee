//! The one error of every use case.
//!
//! A use case refuses with a field and a [`Refusal`] (a translatable text, never words in some
//! language: the service does not know who reads it), or says the item is not found, not
//! allowed or changed by someone else; anything else is a failure with its cause. Each door
//! translates it once: server functions into [`AppError`] (worded in the page's language by the
//! page), the REST API and plain routes into RFC 9457 problems in the `Accept-Language` of the
//! request, the command line into a message and an exit code.

use app::error::{AppError, Refusal};
use app::i18n::Key;
use sea_orm::{DbErr, SqlErr};

/// Why a use case did not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The command was refused; `field` names the input, `reason` says why.
    #[error("invalid value for {field}")]
    Invalid { field: String, reason: Refusal },
    /// The role or the tenant does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The item does not exist, or exists in another tenant (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// Someone changed the item since it was read.
    #[error("conflict")]
    Conflict,
    /// A failure of the database or of the code; the cause is logged, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    /// A refusal of `field`.
    pub fn invalid(field: impl Into<String>, reason: impl Into<Refusal>) -> Self {
        ServiceError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The error a server function answers with, a refusal worded in the request's language;
    /// a failure is logged here with its cause and the request id, and only the id reaches the
    /// caller.
    pub fn into_app_error(self) -> AppError {
        match self {
            ServiceError::Invalid { field, reason } => {
                AppError::refused(field, &reason, crate::request_language::current())
            }
            ServiceError::Forbidden => AppError::Forbidden,
            ServiceError::NotFound => AppError::NotFound,
            ServiceError::Conflict => AppError::Conflict,
            ServiceError::Internal(cause) => crate::error::internal(&cause),
        }
    }
}

impl From<DbErr> for ServiceError {
    fn from(e: DbErr) -> Self {
        ServiceError::Internal(e.into())
    }
}

impl From<AppError> for ServiceError {
    /// A port's answer used inside another use case; a transport error cannot happen on the
    /// server and is a failure if it does.
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid { field, message } => ServiceError::Invalid {
                field,
                reason: Refusal::Worded(message),
            },
            AppError::Forbidden | AppError::Unauthenticated => ServiceError::Forbidden,
            AppError::NotFound => ServiceError::NotFound,
            AppError::Conflict => ServiceError::Conflict,
            AppError::Internal { reference } => {
                ServiceError::Internal(anyhow::anyhow!("failed earlier (reference {reference})"))
            }
            AppError::Transport => ServiceError::Internal(anyhow::anyhow!("transport error")),
        }
    }
}

/// Turns a write's error into the right answer: a unique-constraint violation is the caller's
/// mistake (`field` is taken, said with `taken`), a foreign-key violation means the item it
/// points at is gone (not found), anything else is a failure.
pub fn constraint(e: DbErr, field: &str, taken: Key) -> ServiceError {
    match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => ServiceError::invalid(field, taken),
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => ServiceError::NotFound,
        _ => e.into(),
    }
}

/// Parses a reason (for a correction, a request, a decision) by the one rule of
/// [`app::domain::text::Reason`], refused on the field `reason`.
pub fn parse_reason(raw: &str) -> ServiceResult<app::domain::text::Reason> {
    app::domain::text::Reason::parse(raw)
        .map_err(|e| ServiceError::invalid("reason", Refusal::of_reason(e)))
}

/// Runs a use case and answers a server function: the door's one line of error handling.
pub fn finish<T>(result: ServiceResult<T>) -> Result<T, AppError> {
    result.map_err(ServiceError::into_app_error)
}
