//! The ports through which server functions reach the server's services.
//!
//! `app` must not depend on the database or the HTTP server (it is also compiled to wasm), and
//! `server` depends on `app`; so `app` declares what its pages need as small object-safe traits,
//! `server` implements them and provides a [`Services`] value through Leptos context. Server
//! functions stay thin: parse, authorise, call a port, map the error.

use crate::error::AppError;
use crate::status::StatusReport;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, sendable future, the return type of every port method.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Health of the portal as shown on the overview page.
pub trait StatusPort: Send + Sync {
    /// Checks the database; fails with [`AppError::Internal`] when it cannot be reached.
    fn status(&self) -> BoxFuture<'_, Result<StatusReport, AppError>>;
}

/// Every port, provided once per request through Leptos context.
#[derive(Clone)]
pub struct Services {
    pub status: Arc<dyn StatusPort>,
}

/// The services of the current request.
///
/// Fails with [`AppError::Internal`] if the server did not provide them, which is a wiring bug.
pub fn use_services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>().ok_or_else(|| {
        tracing::error!("server functions called without Services in context");
        AppError::Internal {
            reference: "services-missing".into(),
        }
    })
}
