//! The error type of the server-function boundary.
//!
//! Every server function returns `Result<T, AppError>`. The variants are what the browser can
//! act on; none carries a database message or personal data. Failures keep only a reference
//! (the request id) that support staff can find in the server log, where the cause is logged.

use crate::domain::error::ValueError;
use crate::i18n::{Key, Locale};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, in terms the page can show and act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// The input was refused; `field` names the form field, `message` says why, worded by the
    /// door that answered (a server function, in the request's language) from the service's
    /// [`Refusal`].
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

impl AppError {
    /// An [`AppError::Invalid`] for `field`, worded in `locale`.
    pub fn refused(field: impl Into<String>, reason: &Refusal, locale: Locale) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: reason.message(locale),
        }
    }

    /// An [`AppError::Invalid`] for `field`, worded in the language of the current request
    /// (the page's, in the browser).
    pub fn invalid(field: impl Into<String>, reason: impl Into<Refusal>) -> Self {
        AppError::refused(field, &reason.into(), crate::locale::request_locale())
    }
}

/// Why an input was refused, kept as the text's key (and the parser's refusal) rather than as
/// words, so that every door words it in its reader's language: a server function in the
/// page's, the REST API in `Accept-Language`'s, the command line in English. A service never
/// chooses a language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// A domain value parser's refusal.
    Value(ValueError),
    /// A refusal of a use case, by its text; `args` fill the text's `{placeholders}` and hold
    /// no personal data.
    Text { key: Key, args: Vec<(String, Arg)> },
    /// A refusal another door already worded (a port's answer reused inside a use case).
    Worded(String),
}

/// A value for a placeholder of a [`Refusal`]: as it is (a number, a name), or a text of the
/// catalogue that is translated with the rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arg {
    Plain(String),
    Text(Key),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Plain(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Plain(value)
    }
}

impl From<Key> for Arg {
    fn from(key: Key) -> Self {
        Arg::Text(key)
    }
}

impl Refusal {
    /// A refusal with placeholders, such as "at most {max} rows".
    pub fn with<const N: usize>(key: Key, args: [(&str, Arg); N]) -> Self {
        Refusal::Text {
            key,
            args: args
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        }
    }

    /// The refusal of a reason (for a correction, a request, a decision), worded as the forms
    /// word it: "Give a reason" rather than the generic "empty value".
    pub fn of_reason(e: ValueError) -> Self {
        match e {
            ValueError::Empty => Key::ErrReasonRequired.into(),
            ValueError::TooLong { .. } => Key::ErrReasonTooLong.into(),
            other => Refusal::Value(other),
        }
    }

    /// The refusal in the reader's language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            Refusal::Value(e) => e.message(locale),
            Refusal::Worded(text) => text.clone(),
            Refusal::Text { key, args } => {
                let args: Vec<(&str, &str)> = args
                    .iter()
                    .map(|(name, value)| {
                        let value = match value {
                            Arg::Plain(text) => text.as_str(),
                            Arg::Text(key) => key.text(locale),
                        };
                        (name.as_str(), value)
                    })
                    .collect();
                key.format(locale, &args)
            }
        }
    }
}

impl From<ValueError> for Refusal {
    fn from(e: ValueError) -> Self {
        Refusal::Value(e)
    }
}

impl From<Key> for Refusal {
    fn from(key: Key) -> Self {
        Refusal::Text {
            key,
            args: Vec::new(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        on_server(match value {
            // A request the server could not decode is the caller's mistake, not a failure.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => {
                AppError::invalid("request", Key::ErrMalformedRequest)
            }
            ServerFnErrorErr::MissingArg(arg) => AppError::invalid(arg, Key::ErrMissingArgument),
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
