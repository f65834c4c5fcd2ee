//! OpenID Connect sign-in: authorization code flow with PKCE, `state` and `nonce`.
//!
//! Discovery happens on first use and is cached. The ID token is verified by `openidconnect`
//! (signature against the provider's JWKS, issuer, audience, expiry, nonce) before any claim is
//! read; tenant and role claims are then read from the verified token's payload. The HTTP
//! client never follows redirects, so a provider cannot bounce the portal's requests elsewhere.

use super::{return_path, sign_in};
use crate::config::OidcConfig;
use crate::entities::{account, directory_user, role_assignment, tenant};
use crate::services::audit::{self, Actor, ActorKind, AuditAction, NewEvent, TargetKind};
use crate::state::AppState;
use anyhow::{anyhow, Context};
use app::auth::Role;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use openidconnect::core::{CoreClient, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, NotSet, QueryFilter, Set,
};
use serde::{Deserialize, Serialize};
use tokio::sync::RwLock;
use tower_sessions::Session;

const PENDING_KEY: &str = "oidc_pending";
/// A sign-in must come back from the provider within this time.
const PENDING_TTL_MS: i64 = 10 * 60 * 1000;

/// The provider configuration and its discovered metadata.
pub struct Oidc {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    metadata: RwLock<Option<CoreProviderMetadata>>,
}

/// What the session remembers between leaving for the provider and coming back.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    pkce_verifier: String,
    return_to: String,
    started_at: i64,
}

/// Why a sign-in was refused; the code is shown on the sign-in page, translated there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No sign-in was started in this browser, or it expired.
    NoPending,
    /// The `state` does not match the one this browser was given.
    State,
    /// The provider said no, or the code could not be exchanged.
    Provider,
    /// The ID token failed verification (signature, issuer, audience, expiry, nonce).
    Token,
    /// The token names no tenant, or one this portal does not hold.
    Tenant,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Failure::NoPending => "expired",
            Failure::State => "state",
            Failure::Provider => "provider",
            Failure::Token => "token",
            Failure::Tenant => "tenant",
        }
    }
}

impl Oidc {
    /// Prepares the client; no network until the first sign-in.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(config: OidcConfig) -> anyhow::Result<Oidc> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .context("building the OpenID Connect HTTP client")?;
        Ok(Oidc {
            config,
            http,
            metadata: RwLock::new(None),
        })
    }

    async fn metadata(&self) -> anyhow::Result<CoreProviderMetadata> {
        if let Some(metadata) = self.metadata.read().await.clone() {
            return Ok(metadata);
        }
        let issuer =
            IssuerUrl::new(self.config.issuer.clone()).context("parsing the issuer URL")?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| anyhow!("OpenID Connect discovery failed: {e}"))?;
        *self.metadata.write().await = Some(metadata.clone());
        Ok(metadata)
    }

    async fn client(&self) -> anyhow::Result<impl ClientLike> {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .context("parsing the redirect URL")?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }
}

/// Names the concrete client type once (its typestate generics are long).
trait ClientLike {
    fn inner(
        &self,
    ) -> &openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >;
}

impl ClientLike
    for openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >
{
    fn inner(&self) -> &Self {
        self
    }
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    return_to: Option<String>,
}

/// `GET /auth/oidc/start`: sends the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    match begin(
        &oidc,
        &session,
        query.return_to.as_deref(),
        state.clock.now_ms(),
    )
    .await
    {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::error!(request_id = %crate::request_id::current(), "starting OpenID Connect sign-in failed: {e:#}");
            Redirect::to(&format!("/sign-in?error={}", Failure::Provider.code())).into_response()
        }
    }
}

async fn begin(
    oidc: &Oidc,
    session: &Session,
    return_to: Option<&str>,
    now: i64,
) -> anyhow::Result<String> {
    let client = oidc.client().await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.inner().authorize_url(
        AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in oidc.config.scopes.iter().filter(|s| s.as_str() != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, csrf, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = Pending {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to: return_to
            .and_then(return_path::safe)
            .unwrap_or_else(|| "/".into()),
        started_at: now,
    };
    session
        .insert(PENDING_KEY, pending)
        .await
        .context("remembering the sign-in")?;
    Ok(url.to_string())
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// `GET /auth/oidc/callback`: verifies the provider's answer and signs the person in.
pub async fn callback(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    match finish(&oidc, &state.db, &session, query, state.clock.now_ms()).await {
        Ok(target) => Redirect::to(&target).into_response(),
        Err((failure, cause)) => {
            tracing::warn!(request_id = %crate::request_id::current(), code = failure.code(), "sign-in refused: {cause:#}");
            Redirect::to(&format!("/sign-in?error={}", failure.code())).into_response()
        }
    }
}

async fn finish(
    oidc: &Oidc,
    db: &DatabaseConnection,
    session: &Session,
    query: CallbackQuery,
    now: i64,
) -> Result<String, (Failure, anyhow::Error)> {
    // Taken out of the session whatever happens next: a state value is good for one answer.
    let pending: Option<Pending> = session
        .remove(PENDING_KEY)
        .await
        .map_err(|e| (Failure::NoPending, anyhow!(e)))?;
    let pending = pending
        .filter(|p| now.saturating_sub(p.started_at) < PENDING_TTL_MS)
        .ok_or_else(|| {
            (
                Failure::NoPending,
                anyhow!("no pending sign-in in this session"),
            )
        })?;
    if query.state.as_deref() != Some(pending.state.as_str()) {
        return Err((Failure::State, anyhow!("state does not match")));
    }
    if let Some(error) = query.error {
        return Err((
            Failure::Provider,
            anyhow!("provider answered with error {error}"),
        ));
    }
    let code = query
        .code
        .ok_or_else(|| (Failure::Provider, anyhow!("no code in the answer")))?;
    let client = oidc.client().await.map_err(|e| (Failure::Provider, e))?;
    let tokens = client
        .inner()
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| (Failure::Provider, anyhow!("{e}")))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier))
        .request_async(&oidc.http)
        .await
        .map_err(|e| {
            (
                Failure::Provider,
                anyhow!("exchanging the code failed: {e}"),
            )
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| (Failure::Token, anyhow!("the answer holds no ID token")))?;
    // The token's `exp` and `iat` are the provider's instants, checked against the real time
    // of the world it lives in, not the portal's clock (which a demo run may have moved).
    let verifier = client.inner().id_token_verifier();
    let claims = match id_token.claims(&verifier, &Nonce::new(pending.nonce)) {
        Ok(claims) => claims,
        Err(e) => {
            record_refused_token(
                db,
                &oidc.config.tenant_claim,
                &id_token.to_string(),
                &e.to_string(),
                now,
            )
            .await;
            return Err((Failure::Token, anyhow!("ID token refused: {e}")));
        }
    };
    // Verified above; only now are the custom claims read from the same token.
    let extra = payload(&id_token.to_string()).map_err(|e| (Failure::Token, e))?;
    let issuer = claims.issuer().to_string();
    let subject = claims.subject().to_string();
    let tenant_id = extra
        .get(&oidc.config.tenant_claim)
        .and_then(|v| v.as_str())
        .map(str::to_lowercase)
        .ok_or_else(|| (Failure::Tenant, anyhow!("no tenant claim")))?;
    let tenant = tenant::Entity::find_by_id(tenant_id.clone())
        .one(db)
        .await
        .map_err(|e| (Failure::Provider, anyhow!(e)))?
        .ok_or_else(|| (Failure::Tenant, anyhow!("unknown tenant")))?;
    let roles: Vec<Role> = extra
        .get(&oidc.config.roles_claim)
        .and_then(|v| v.as_array())
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str())
                .filter_map(map_role)
                .collect()
        })
        .unwrap_or_default();
    let username = extra
        .get(&oidc.config.username_claim)
        .or_else(|| extra.get("email"))
        .and_then(|v| v.as_str())
        .map(str::to_lowercase);
    let display_name = extra
        .get("name")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .or_else(|| username.clone())
        .unwrap_or_else(|| subject.clone());
    let identity = Identity {
        issuer: &issuer,
        subject: &subject,
        display_name: &display_name,
        username: username.as_deref(),
    };
    let account = link_account(db, &tenant, identity, &roles, now)
        .await
        .map_err(|e| (Failure::Provider, e))?;
    sign_in(db, session, &account, "oidc", now)
        .await
        .map_err(|e| (Failure::Provider, e))?;
    Ok(pending.return_to)
}

/// Records a refused ID token as a failed sign-in in the audit log of the tenant it names. The
/// token failed verification, so its tenant claim is only a claim: the event says so, and
/// nothing else from the token is kept. A token naming no tenant of this portal is only logged.
async fn record_refused_token(
    db: &DatabaseConnection,
    tenant_claim: &str,
    jwt: &str,
    why: &str,
    now: i64,
) {
    let Some(tenant_id) = payload(jwt).ok().and_then(|claims| {
        claims
            .get(tenant_claim)
            .and_then(|v| v.as_str())
            .map(str::to_lowercase)
    }) else {
        return;
    };
    let Ok(Some(tenant)) = tenant::Entity::find_by_id(tenant_id).one(db).await else {
        return;
    };
    let event = NewEvent {
        actor: Actor::system("identity provider (unverified)"),
        action: AuditAction::SignInFailed,
        target_kind: TargetKind::Tenant,
        target_id: tenant.id.clone(),
        subject_user_id: None,
        changes: vec![],
        reason: Some(format!("ID token refused: {why}")),
        occurred_at: now,
    };
    if let Err(e) = audit::append(db, &tenant.id, event).await {
        tracing::warn!("recording a failed sign-in failed: {e:#}");
    }
}

/// The JSON payload of a compact JWS (already verified by the caller).
fn payload(jwt: &str) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    use base64::Engine;
    let part = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| anyhow!("malformed token"))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .context("decoding the token payload")?;
    serde_json::from_slice(&bytes).context("parsing the token payload")
}

/// Maps a role value from the token (`tenant_admin`, or Entra app-role style `TenantAdmin`,
/// `Portal.TenantAdmin`) to a portal role.
pub fn map_role(value: &str) -> Option<Role> {
    let last = value.rsplit('.').next().unwrap_or(value);
    let normalised: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    Role::ALL
        .into_iter()
        .find(|r| r.as_str().replace('_', "") == normalised)
}

/// Who the verified token says signed in.
struct Identity<'a> {
    issuer: &'a str,
    subject: &'a str,
    display_name: &'a str,
    username: Option<&'a str>,
}

/// Finds or creates the account of (issuer, subject) in the tenant, links end users to their
/// directory user by UPN/email, and adds the roles the token carries.
async fn link_account(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    identity: Identity<'_>,
    roles: &[Role],
    now: i64,
) -> anyhow::Result<account::Model> {
    let Identity {
        issuer,
        subject,
        display_name,
        username,
    } = identity;
    let existing = account::Entity::find()
        .filter(account::Column::Issuer.eq(issuer))
        .filter(account::Column::Subject.eq(subject))
        .one(db)
        .await?;
    let account = match existing {
        Some(account) if account.tenant_id == tenant.id => account,
        Some(_) => anyhow::bail!("the account belongs to another tenant"),
        None => {
            // A bootstrapped admin is waiting as `pending:<email>` until their first sign-in.
            let bootstrapped = match username {
                Some(name) => {
                    account::Entity::find()
                        .filter(account::Column::TenantId.eq(tenant.id.clone()))
                        .filter(account::Column::Issuer.eq(account::PENDING_ISSUER))
                        .filter(account::Column::Subject.eq(account::pending_subject(name)))
                        .one(db)
                        .await?
                }
                None => None,
            };
            let directory_user = match username {
                Some(name) => {
                    directory_user::Entity::find()
                        .filter(directory_user::Column::TenantId.eq(tenant.id.clone()))
                        .filter(directory_user::Column::Upn.eq(name))
                        .one(db)
                        .await?
                }
                None => None,
            };
            match bootstrapped {
                Some(pending) => {
                    let mut row: account::ActiveModel = pending.into();
                    row.issuer = Set(issuer.into());
                    row.subject = Set(subject.into());
                    row.display_name = Set(display_name.into());
                    row.directory_user_id = Set(directory_user.map(|u| u.id));
                    row.update(db).await?
                }
                None => {
                    account::ActiveModel {
                        id: NotSet,
                        tenant_id: Set(tenant.id.clone()),
                        issuer: Set(issuer.into()),
                        subject: Set(subject.into()),
                        display_name: Set(display_name.into()),
                        email: Set(username.map(str::to_owned)),
                        directory_user_id: Set(directory_user.map(|u| u.id)),
                        created_at: Set(now),
                        last_sign_in_at: Set(None),
                    }
                    .insert(db)
                    .await?
                }
            }
        }
    };
    let mut wanted: Vec<Role> = roles.to_vec();
    if wanted.is_empty() && account.directory_user_id.is_some() {
        wanted.push(Role::EndUser);
    }
    let held: Vec<String> = role_assignment::Entity::find()
        .filter(role_assignment::Column::AccountId.eq(account.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.role)
        .collect();
    for role in wanted
        .iter()
        .filter(|r| !held.iter().any(|h| h == r.as_str()))
    {
        role_assignment::ActiveModel {
            account_id: Set(account.id),
            role: Set(role.as_str().into()),
            tenant_id: Set(tenant.id.clone()),
            granted_by: Set("identity provider".into()),
            granted_at: Set(now),
        }
        .insert(db)
        .await?;
        audit::append(
            db,
            &tenant.id,
            NewEvent {
                actor: Actor {
                    kind: ActorKind::System,
                    id: "oidc".into(),
                    name: "identity provider".into(),
                },
                action: AuditAction::RoleGranted,
                target_kind: TargetKind::Account,
                target_id: account.id.to_string(),
                subject_user_id: None,
                changes: vec![audit::Change {
                    field: "role".into(),
                    before: None,
                    after: Some(role.as_str().into()),
                }],
                reason: Some("role claim in the ID token".into()),
                occurred_at: now,
            },
        )
        .await?;
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_claims_map_from_portal_and_entra_styles() {
        let cases = [
            ("tenant_admin", Some(Role::TenantAdmin)),
            ("TenantAdmin", Some(Role::TenantAdmin)),
            ("Portal.SupportReviewer", Some(Role::SupportReviewer)),
            ("auditor", Some(Role::Auditor)),
            ("EndUser", Some(Role::EndUser)),
            ("GlobalAdmin", None),
        ];
        for (claim, expected) in cases {
            assert_eq!(map_role(claim), expected, "{claim}");
        }
    }
}
