//! Who is signed in, and what they may do.
//!
//! The server resolves the session into a [`Principal`] once per request (in one middleware)
//! and puts it in the request's extensions; every server function asks [`require`] for it,
//! naming the roles it accepts, before it reads anything. The browser only ever sees a
//! [`SessionInfo`], which says what to show, never what is allowed: the server decides.

use crate::error::AppError;
use crate::i18n::Key;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a signed-in person may do in their tenant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Administers the tenant: sees and corrects personal data, manages sharing and roles.
    TenantAdmin,
    /// Reviews correction requests.
    SupportReviewer,
    /// Reads the audit log; never writes.
    Auditor,
    /// Sees their own data and asks for corrections.
    EndUser,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::TenantAdmin,
        Role::SupportReviewer,
        Role::Auditor,
        Role::EndUser,
    ];

    /// The stable name stored in the database and used in tokens.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::TenantAdmin => "tenant_admin",
            Role::SupportReviewer => "support_reviewer",
            Role::Auditor => "auditor",
            Role::EndUser => "end_user",
        }
    }

    /// Parses a stored role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The human label.
    pub fn label(self) -> Key {
        match self {
            Role::TenantAdmin => Key::RoleTenantAdmin,
            Role::SupportReviewer => Key::RoleSupportReviewer,
            Role::Auditor => Key::RoleAuditor,
            Role::EndUser => Key::RoleEndUser,
        }
    }
}

/// The signed-in person, as the server resolved it for this request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub account_id: i64,
    pub tenant_id: String,
    pub tenant_name: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// The directory user an end user is; `None` for staff without one.
    pub directory_user_id: Option<String>,
    /// Token that forms of this session must echo back.
    pub csrf_token: String,
    /// The API token acting, when the request came with one (its name is `display_name`);
    /// audit events then name the token, not a person.
    #[serde(default)]
    pub api_token_id: Option<i64>,
}

impl Principal {
    /// Whether the principal holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the principal holds any of `roles`.
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    /// The name audit events record for this actor.
    pub fn actor_name(&self) -> String {
        self.display_name.clone()
    }
}

/// What the page needs to know about the session to draw itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<SessionUser>,
    /// Demo mode: demo sign-in offered and a banner on every page.
    pub demo_mode: bool,
    /// Whether an OpenID Connect provider is configured.
    pub oidc_enabled: bool,
    /// How the sign-in page offers the providers.
    #[serde(default)]
    pub sign_in: SignInOptions,
}

/// How the sign-in page offers OpenID Connect sign-in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// Providers that can be chosen with a button (those that need no tenant first).
    pub buttons: Vec<ProviderButton>,
    /// Ask for the work e-mail address: its domain finds the provider and the tenant.
    pub by_email: bool,
}

/// A provider offered as a button on the sign-in page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderButton {
    /// The provider's id in the sign-in address.
    pub id: String,
    /// The operator's name for it (`Contoso (Entra ID)`); absent: a generic text.
    pub label: Option<String>,
}

/// The signed-in person as the page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub display_name: String,
    pub tenant_name: String,
    pub roles: Vec<Role>,
    pub csrf_token: String,
}

/// A demo identity offered on the sign-in page in demo mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoIdentity {
    pub account_id: i64,
    pub display_name: String,
    pub tenant_name: String,
    pub roles: Vec<Role>,
}

/// The demo identities to offer on the sign-in page; empty outside demo mode.
///
/// # Errors
/// [`AppError::Internal`] when the database fails.
#[server(prefix = "/api", endpoint = "demo_identities")]
pub async fn demo_identities() -> Result<Vec<DemoIdentity>, AppError> {
    let services = crate::services::use_services()?;
    services
        .auth
        .demo_identities()
        .await
        .map_err(crate::error::respond_with)
}

/// Facts about this instance that pages need, provided by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteFlags {
    pub demo_mode: bool,
    pub oidc_enabled: bool,
    pub sign_in: SignInOptions,
}

/// The principal of the current request, if signed in.
#[cfg(feature = "ssr")]
pub fn principal() -> Option<Principal> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<Principal>()
        .cloned()
}

/// The principal, if it holds one of `roles`.
///
/// # Errors
/// [`AppError::Unauthenticated`] without a session, [`AppError::Forbidden`] without the role;
/// the response status is set accordingly.
#[cfg(feature = "ssr")]
pub fn require(roles: &[Role]) -> Result<Principal, AppError> {
    use crate::error::respond_with;
    let principal = principal().ok_or_else(|| respond_with(AppError::Unauthenticated))?;
    if principal.has_any(roles) {
        Ok(principal)
    } else {
        Err(respond_with(AppError::Forbidden))
    }
}

/// The session as the page shows it: who is signed in, and whether demo mode is on.
///
/// # Errors
/// Never fails on its own; transport errors only.
#[server(prefix = "/api", endpoint = "session")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    let flags = use_context::<SiteFlags>().unwrap_or_default();
    Ok(SessionInfo {
        user: principal().map(|p| SessionUser {
            display_name: p.display_name,
            tenant_name: p.tenant_name,
            roles: p.roles,
            csrf_token: p.csrf_token,
        }),
        demo_mode: flags.demo_mode,
        oidc_enabled: flags.oidc_enabled,
        sign_in: flags.sign_in,
    })
}
