//! The one error of every use case.
//!
//! A use case refuses with a field and a [`Refusal`] (a translatable text, never words in some
//! language: the service does not know who reads it), or says the item is not found, not
//! allowed or changed by someone else; anything else is a failure with its cause. Each door
//! words it once: server functions into [`AppError`] in the request's language, the REST API
//! and plain routes into RFC 9457 problems in the request's language
//! ([`crate::request_language`]), the command line in English.

use app::error::{AppError, Refusal};
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
    /// Another port's answer, used inside this use case and passed on as it is (a failure in
    /// it was logged where it happened).
    #[error("{0}")]
    Answered(AppError),
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
            ServiceError::Answered(answer) => answer,
        }
    }
}

impl From<DbErr> for ServiceError {
    fn from(e: DbErr) -> Self {
        ServiceError::Internal(e.into())
    }
}

impl From<AppError> for ServiceError {
    fn from(e: AppError) -> Self {
        ServiceError::Answered(e)
    }
}

/// Turns an insert's error into the right answer: a unique-constraint violation becomes
/// `taken` (the caller's mistake, such as a name in use, or a conflict with a concurrent
/// insert), anything else is a failure with its cause. One helper, so no call site reports a
/// broken database as "someone changed this".
pub fn on_unique(e: DbErr, taken: ServiceError) -> ServiceError {
    if is_unique_violation(&e) {
        taken
    } else {
        e.into()
    }
}

/// Whether a database error is a unique-constraint violation, on either backend.
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
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
