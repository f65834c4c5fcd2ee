//! The ports through which server functions reach the server's services.
//!
//! `app` must not depend on the database or the HTTP server (it is also compiled to wasm), and
//! `server` depends on `app`; so `app` declares what its pages need as small object-safe traits,
//! `server` implements them and provides a [`Services`] value through Leptos context. Server
//! functions stay thin: parse, authorise, call a port, map the error.

use crate::auth::DemoIdentity;
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

/// Sign-in support for the pages.
pub trait AuthPort: Send + Sync {
    /// The demo identities; empty outside demo mode.
    fn demo_identities(&self) -> BoxFuture<'_, Result<Vec<DemoIdentity>, AppError>>;
}

/// Accounts and roles of the principal's tenant.
pub trait AccountsPort: Send + Sync {
    /// The tenant's accounts.
    fn list<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> BoxFuture<'a, Result<Vec<crate::accounts::AccountView>, AppError>>;
    /// Grants (`grant = true`) or revokes a role, with an audit event when something changed.
    fn set_role<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        account_id: i64,
        role: crate::auth::Role,
        grant: bool,
    ) -> BoxFuture<'a, Result<(), AppError>>;
}

/// Every port, provided once per request through Leptos context.
#[derive(Clone)]
pub struct Services {
    pub status: Arc<dyn StatusPort>,
    pub auth: Arc<dyn AuthPort>,
    pub accounts: Arc<dyn AccountsPort>,
    pub directory: Arc<dyn crate::directory::DirectoryPort>,
    pub personal_data: Arc<dyn crate::personal_data::PersonalDataPort>,
    pub requests: Arc<dyn crate::requests::RequestsPort>,
    pub audit_log: Arc<dyn crate::audit_log::AuditLogPort>,
    pub api_tokens: Arc<dyn crate::api_tokens::ApiTokensPort>,
    pub sharing: Arc<dyn crate::sharing::SharingPort>,
    pub dashboard: Arc<dyn crate::dashboard::DashboardPort>,
    pub jobs: Arc<dyn crate::jobs::JobsPort>,
    pub access_log: Arc<dyn crate::access_log::AccessLogPort>,
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
