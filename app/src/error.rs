//! The error type of the server-function boundary.
//!
//! Every server function returns `Result<T, AppError>`. The variants are what the browser can
//! act on; none carries a database message or personal data. Failures keep only a reference
//! (the request id) that support staff can find in the server log, where the cause is logged.

use crate::i18n::{Key, Locale};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, in terms the page can show and act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input was refused; `field` names the form field, `message` says why (already
    /// translated by the parser that refused it).
    #[error("invalid value for {field}")]
    Invalid { field: String, message: String },
    /// No signed-in session.
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in, but the role or tenant does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// The item does not exist, or exists in another tenant (the two are not told apart).
    #[error("not found")]
    NotFound,
    /// Someone changed the item since it was read.
    #[error("conflict")]
    Conflict,
    /// A failure on the server; the cause is in the server log under `reference`.
    #[error("internal error (reference {reference})")]
    Internal { reference: String },
    /// The request did not reach the server or its answer could not be read.
    #[error("transport error")]
    Transport,
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid { .. } => 422,
            AppError::Unauthenticated => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict => 409,
            AppError::Internal { .. } | AppError::Transport => 500,
        }
    }

    /// The message shown to people, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Invalid { field, message } => {
                Key::ErrInvalid.format(locale, &[("field", field), ("message", message)])
            }
            AppError::Unauthenticated => Key::ErrUnauthenticated.text(locale).to_owned(),
            AppError::Forbidden => Key::ErrForbidden.text(locale).to_owned(),
            AppError::NotFound => Key::ErrNotFound.text(locale).to_owned(),
            AppError::Conflict => Key::ErrConflict.text(locale).to_owned(),
            AppError::Internal { reference } => {
                Key::ErrInternal.format(locale, &[("reference", reference)])
            }
            AppError::Transport => Key::ErrTransport.text(locale).to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        on_server(match value {
            // A request the server could not decode is the caller's mistake, not a failure.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => AppError::Invalid {
                field: "request".into(),
                message: "malformed request".into(),
            },
            ServerFnErrorErr::MissingArg(arg) => AppError::Invalid {
                field: arg,
                message: "missing".into(),
            },
            _ => AppError::Transport,
        })
    }
}

/// On the server, where [`FromServerFnError`] runs when the arguments could not be decoded
/// (before the function body could set a status), answers with the error's status instead of
/// Leptos' default 500; in the browser, the error as it is.
#[cfg(feature = "ssr")]
fn on_server(error: AppError) -> AppError {
    respond_with(error)
}

/// See the server's version: the browser has no response to set a status on.
#[cfg(not(feature = "ssr"))]
fn on_server(error: AppError) -> AppError {
    error
}

/// Sets the HTTP status of the current server-function response from the error, so that
/// scripts and logs see a 4xx or 5xx rather than Leptos' default 500 for every error.
///
/// Except for a plain HTML form post (a browser without the bundle): Leptos answers it with a
/// redirect back to the page, the error in the address, and the page shows it. The status set
/// here would replace that redirect's 302 and leave the browser on a bare error body.
#[cfg(feature = "ssr")]
pub fn respond_with(error: AppError) -> AppError {
    if is_plain_form_post() {
        return error;
    }
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            options.set_status(status);
        }
    }
    error
}

/// Whether a request with these headers is a browser's plain HTML form post (it accepts HTML),
/// which Leptos answers with a redirect back to the page, not with the server function's body.
#[cfg(feature = "ssr")]
pub fn accepts_html(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// [`accepts_html`] for the request the current server function answers.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    leptos::prelude::use_context::<http::request::Parts>().is_some_and(|p| accepts_html(&p.headers))
}
