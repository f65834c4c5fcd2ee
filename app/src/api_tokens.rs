//! API tokens for scripts and integrations: tenant admins create them with a name, a
//! role and an expiry, see the secret once, list and revoke them. The server keeps only a
//! hash of each secret; the REST API under `/api/v1` turns a presented token into the same
//! [`crate::auth::Principal`] a session gives, so every access rule applies unchanged.
//!
//! End-user tokens are the exception to "admins create them": an end user makes their own on
//! `/me/api-tokens` ([`OwnToken`]), and nobody else can make one that acts as them.

use crate::auth::Role;
use crate::error::AppError;
use crate::i18n::Key;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest token name.
pub const NAME_MAX: usize = 100;
/// Expiry choices offered by the page, in days; the API accepts any value from 1 to
/// [`EXPIRY_MAX_DAYS`].
pub const EXPIRY_CHOICES: [u32; 4] = [7, 30, 90, 365];
/// The longest a token may live: a forgotten token must not outlive a year.
pub const EXPIRY_MAX_DAYS: u32 = 365;

/// Whether a token can still be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenState {
    Active,
    Expired,
    Revoked,
}

impl TokenState {
    /// The human label.
    pub fn label(self) -> Key {
        match self {
            TokenState::Active => Key::ApiTokenActive,
            TokenState::Expired => Key::ApiTokenExpired,
            TokenState::Revoked => Key::ApiTokenRevoked,
        }
    }
}

/// A token as the page lists it: never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenView {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The first characters of the secret, enough to tell tokens apart, useless to an attacker.
    pub prefix: String,
    /// The sign-in name of the directory user an end-user token acts as.
    pub end_user: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub state: TokenState,
}

/// A token just created, with its secret: the only time the secret leaves the server.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedToken {
    pub token: ApiTokenView,
    pub secret: String,
}

impl fmt::Debug for CreatedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedToken")
            .field("token", &self.token)
            .field("secret", &"<secret>")
            .finish()
    }
}

/// A request to create a token, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub role: Role,
    pub expires_in_days: u32,
    /// Required for (and only for) end-user tokens: the UPN of the directory user.
    pub end_user: Option<String>,
}

impl NewToken {
    /// Parses the form's raw values; refusals name the field.
    ///
    /// # Errors
    /// [`AppError::Invalid`] for an empty, too long or control-character name, an expiry
    /// outside 1..=365 days, or an end-user token without a user (or another token with one).
    pub fn parse(
        name: &str,
        role: Role,
        expires_in_days: u32,
        end_user: Option<&str>,
    ) -> Result<NewToken, AppError> {
        let invalid = |field: &str, key: Key| AppError::invalid(field, key);
        let name = name.trim();
        if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control)
        {
            return Err(invalid("name", Key::ApiTokenErrName));
        }
        if expires_in_days == 0 || expires_in_days > EXPIRY_MAX_DAYS {
            return Err(invalid("expires_in_days", Key::ApiTokenErrExpiry));
        }
        let end_user = end_user.map(str::trim).filter(|u| !u.is_empty());
        match (role, end_user) {
            (Role::EndUser, None) => return Err(invalid("end_user", Key::ApiTokenErrEndUser)),
            (Role::EndUser, Some(_)) | (_, None) => {}
            (_, Some(_)) => return Err(invalid("end_user", Key::ApiTokenErrNotEndUser)),
        }
        Ok(NewToken {
            name: name.to_owned(),
            role,
            expires_in_days,
            end_user: end_user.map(str::to_owned),
        })
    }
}

/// A token an end user makes for themselves: a name and a lifetime; it acts as its maker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnToken {
    pub name: String,
    pub expires_in_days: u32,
}

impl OwnToken {
    /// Parses the form's raw values, as [`NewToken::parse`] does.
    ///
    /// # Errors
    /// [`AppError::Invalid`] naming `name` or `expires_in_days`.
    pub fn parse(name: &str, expires_in_days: u32) -> Result<OwnToken, AppError> {
        // Any user name passes the end-user check here; the server supplies the real one.
        let token = NewToken::parse(name, Role::EndUser, expires_in_days, Some("-"))?;
        Ok(OwnToken {
            name: token.name,
            expires_in_days: token.expires_in_days,
        })
    }

    /// The end-user token acting as `upn` (the maker's own sign-in name).
    pub fn for_user(self, upn: String) -> NewToken {
        NewToken {
            name: self.name,
            role: Role::EndUser,
            expires_in_days: self.expires_in_days,
            end_user: Some(upn),
        }
    }
}

/// What the token pages ask of the server.
#[cfg(feature = "ssr")]
pub trait ApiTokensPort: Send + Sync {
    /// The tenant's tokens, newest first.
    fn list<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<Vec<ApiTokenView>, AppError>>;
    /// Creates a token (audited) and returns it with its secret.
    fn create<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        token: NewToken,
    ) -> crate::services::BoxFuture<'a, Result<CreatedToken, AppError>>;
    /// The signed-in end user's own tokens (those acting as their directory user), newest first.
    fn list_own<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
    ) -> crate::services::BoxFuture<'a, Result<Vec<ApiTokenView>, AppError>>;
    /// Creates an end-user token acting as the signed-in person's own directory user.
    fn create_own<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        token: OwnToken,
    ) -> crate::services::BoxFuture<'a, Result<CreatedToken, AppError>>;
    /// Revokes a token (audited): an admin any of the tenant's, anyone else only their own
    /// end-user tokens; revoking a revoked token changes nothing.
    fn revoke<'a>(
        &'a self,
        principal: &'a crate::auth::Principal,
        token_id: i64,
    ) -> crate::services::BoxFuture<'a, Result<(), AppError>>;
}

/// The tenant's API tokens.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in.
#[server(prefix = "/api", endpoint = "api-tokens/list")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    let principal = crate::auth::require(&[Role::TenantAdmin])?;
    let services = crate::services::use_services()?;
    services
        .api_tokens
        .list(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Creates a token; the answer carries the secret, shown once.
///
/// # Errors
/// 401/403 unless a tenant admin is signed in; 422 naming the field for a bad name, expiry or
/// end user.
#[server(prefix = "/api", endpoint = "api-tokens/create")]
pub async fn create_api_token(
    name: String,
    role: Role,
    expires_in_days: u32,
    end_user: Option<String>,
) -> Result<CreatedToken, AppError> {
    use crate::error::respond_with;
    let principal = crate::auth::require(&[Role::TenantAdmin])?;
    let token =
        NewToken::parse(&name, role, expires_in_days, end_user.as_deref()).map_err(respond_with)?;
    let services = crate::services::use_services()?;
    services
        .api_tokens
        .create(&principal, token)
        .await
        .map_err(respond_with)
}

/// The signed-in end user's own API tokens.
///
/// # Errors
/// 401/403 unless an end user is signed in.
#[server(prefix = "/api", endpoint = "me/api-tokens/list")]
pub async fn list_my_api_tokens() -> Result<Vec<ApiTokenView>, AppError> {
    let principal = crate::auth::require(&[Role::EndUser])?;
    let services = crate::services::use_services()?;
    services
        .api_tokens
        .list_own(&principal)
        .await
        .map_err(crate::error::respond_with)
}

/// Creates an end-user token acting as the signed-in end user; the answer carries the secret,
/// shown once.
///
/// # Errors
/// 401/403 unless an end user is signed in; 422 naming the field for a bad name or expiry, or
/// when the account is linked to no directory user.
#[server(prefix = "/api", endpoint = "me/api-tokens/create")]
pub async fn create_my_api_token(
    name: String,
    expires_in_days: u32,
) -> Result<CreatedToken, AppError> {
    use crate::error::respond_with;
    let principal = crate::auth::require(&[Role::EndUser])?;
    let token = OwnToken::parse(&name, expires_in_days).map_err(respond_with)?;
    let services = crate::services::use_services()?;
    services
        .api_tokens
        .create_own(&principal, token)
        .await
        .map_err(respond_with)
}

/// Revokes a token at once: an admin any token of the tenant, an end user their own.
///
/// # Errors
/// 401/403 unless a tenant admin or an end user is signed in; 404 for a token of another
/// tenant, or (for an end user) of anyone else.
#[server(prefix = "/api", endpoint = "api-tokens/revoke")]
pub async fn revoke_api_token(token_id: i64) -> Result<(), AppError> {
    let principal = crate::auth::require(&[Role::TenantAdmin, Role::EndUser])?;
    let services = crate::services::use_services()?;
    services
        .api_tokens
        .revoke(&principal, token_id)
        .await
        .map_err(crate::error::respond_with)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_token_requests_are_refused_naming_the_field() {
        // name, role, days, end user, the field refused, why
        type Case<'a> = (&'a str, Role, u32, Option<&'a str>, &'a str, &'a str);
        let cases: [Case; 6] = [
            ("", Role::Auditor, 30, None, "name", "an empty name"),
            (
                "a\u{7}b",
                Role::Auditor,
                30,
                None,
                "name",
                "a control character",
            ),
            (
                "ci",
                Role::Auditor,
                0,
                None,
                "expires_in_days",
                "no lifetime",
            ),
            (
                "ci",
                Role::Auditor,
                366,
                None,
                "expires_in_days",
                "more than a year",
            ),
            (
                "ci",
                Role::EndUser,
                30,
                None,
                "end_user",
                "an end-user token without its user",
            ),
            (
                "ci",
                Role::Auditor,
                30,
                Some("a@b.c"),
                "end_user",
                "a staff token tied to a user",
            ),
        ];
        for (name, role, days, user, field, why) in cases {
            match NewToken::parse(name, role, days, user) {
                Err(AppError::Invalid { field: f, .. }) => assert_eq!(f, field, "{why}"),
                other => panic!("{why}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_good_request_is_trimmed() {
        let token = NewToken::parse("  nightly export ", Role::TenantAdmin, 90, Some(" "));
        assert_eq!(
            token,
            Ok(NewToken {
                name: "nightly export".into(),
                role: Role::TenantAdmin,
                expires_in_days: 90,
                end_user: None,
            })
        );
    }
}
