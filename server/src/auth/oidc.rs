//! OpenID Connect sign-in: authorization code flow with PKCE, `state` and `nonce`, with one
//! provider or several.
//!
//! Several providers are told apart by the sign-in address: `/auth/oidc/start` names the
//! provider, a tenant, or the e-mail address the person typed, whose domain the configuration
//! maps to a provider and tenant. A multi-tenant Entra ID application has an issuer per tenant
//! (`https://login.microsoftonline.com/{tenant}/v2.0`): the tenant is chosen before leaving,
//! its own issuer's metadata and keys verify the token, and the token must name that tenant.
//!
//! Discovery happens on first use and is cached (per issuer). The ID token is verified by `openidconnect`
//! (signature against the provider's JWKS, issuer, audience, expiry, nonce) before any claim is
//! read; tenant and role claims are then read from the verified token's payload. The HTTP
//! client never follows redirects, so a provider cannot bounce the portal's requests elsewhere.
//!
//! Which identity is trusted: the provider's issuer and subject (the account's key) and its
//! object id (the directory user's id in Entra ID), never a name or e-mail the person may be
//! able to set — unless the operator turns on linking by an e-mail the provider verified. A
//! provider speaks only for the tenants its configuration lists, and its roles reach the
//! portal only through its explicit role map; they replace the roles it granted before at
//! every sign-in, in the same transaction as the account, its links and the sign-in's audit
//! event.

use super::{record_sign_in, return_path, start_session};
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
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, NotSet,
    QueryFilter, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tokio::sync::RwLock;
use tower_sessions::Session;

const PENDING_KEY: &str = "oidc_pending";
/// A sign-in must come back from the provider within this time.
const PENDING_TTL_MS: i64 = 10 * 60 * 1000;

/// How long discovered metadata (and with it the provider's signing keys) is used before it is
/// read again: a provider rotates its keys, and a key it withdrew must stop working.
const METADATA_TTL: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Every configured provider.
pub struct Providers {
    list: Vec<Oidc>,
}

/// One provider's configuration and its discovered metadata.
pub struct Oidc {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    /// The metadata of each issuer (one, or one per tenant for a multi-tenant issuer) and when
    /// it was read (a monotonic instant: this is a cache's age, not a moment of the portal's own
    /// clock).
    metadata: RwLock<HashMap<String, (CoreProviderMetadata, std::time::Instant)>>,
}

/// What the session remembers between leaving for the provider and coming back.
#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    nonce: String,
    pkce_verifier: String,
    return_to: String,
    started_at: i64,
    /// The provider's id (absent in a sign-in begun before several providers: the only one).
    #[serde(default)]
    provider: String,
    /// The tenant chosen before leaving (by e-mail domain or tenant), if any.
    #[serde(default)]
    tenant: Option<String>,
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
    /// The token names no tenant, one this portal does not hold, or one this provider is not
    /// bound to.
    Tenant,
    /// The directory user the identity names already has an account with this provider.
    Taken,
    /// Several providers, and the sign-in named none (nor a tenant or e-mail domain).
    Choose,
    /// No provider signs in addresses at the e-mail domain given.
    Domain,
}

impl Failure {
    pub fn code(self) -> &'static str {
        match self {
            Failure::NoPending => "expired",
            Failure::State => "state",
            Failure::Provider => "provider",
            Failure::Token => "token",
            Failure::Tenant => "tenant",
            Failure::Taken => "taken",
            Failure::Choose => "choose",
            Failure::Domain => "domain",
        }
    }
}

impl Providers {
    /// Prepares a client per provider; no network until the first sign-in.
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new<'a>(configs: impl IntoIterator<Item = &'a OidcConfig>) -> anyhow::Result<Providers> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .context("building the OpenID Connect HTTP client")?;
        Ok(Providers {
            list: configs
                .into_iter()
                .map(|config| Oidc {
                    config: config.clone(),
                    http: http.clone(),
                    metadata: RwLock::new(HashMap::new()),
                })
                .collect(),
        })
    }

    /// Whether no provider is configured.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn by_id(&self, id: &str) -> Option<&Oidc> {
        self.list.iter().find(|oidc| oidc.config.id == id)
    }

    /// Where a sign-in goes: the provider, and the tenant when it is known before leaving. An
    /// e-mail address picks both through its domain, a tenant picks the provider bound to it,
    /// and a provider id picks that provider; with none of them, the only provider, if there
    /// is one that needs no tenant first.
    fn choose(&self, query: &StartQuery) -> Result<(&Oidc, Option<String>), Failure> {
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_lowercase)
        };
        if let Some(email) = given(&query.email) {
            // `person@contoso.com`, or just the domain.
            let domain = email.rsplit('@').next().unwrap_or_default();
            return self
                .list
                .iter()
                .find_map(|oidc| {
                    oidc.config
                        .tenant_of_domain(domain)
                        .map(|tenant| (oidc, Some(tenant.to_lowercase())))
                })
                .ok_or(Failure::Domain);
        }
        if let Some(tenant) = given(&query.tenant) {
            return self
                .list
                .iter()
                .find(|oidc| oidc.config.serves(&tenant))
                .map(|oidc| (oidc, Some(tenant)))
                .ok_or(Failure::Tenant);
        }
        let chosen = match given(&query.provider) {
            Some(id) => self
                .list
                .iter()
                .find(|oidc| oidc.config.id.eq_ignore_ascii_case(&id)),
            None => match self.list.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        };
        chosen
            .filter(|oidc| !oidc.config.per_tenant_issuer())
            .map(|oidc| (oidc, None))
            .ok_or(Failure::Choose)
    }
}

/// What the sign-in page offers: a button per provider that needs no tenant first, and the
/// e-mail box when a provider maps e-mail domains or needs the tenant first.
pub fn sign_in_options(providers: &Providers) -> app::auth::SignInOptions {
    let configs = providers.list.iter().map(|oidc| &oidc.config);
    app::auth::SignInOptions {
        by_email: configs
            .clone()
            .any(|c| !c.domains.is_empty() || c.per_tenant_issuer()),
        buttons: configs
            .filter(|c| !c.per_tenant_issuer())
            .map(|c| app::auth::ProviderButton {
                id: c.id.clone(),
                label: c.label.clone(),
            })
            .collect(),
    }
}

impl Oidc {
    async fn metadata(&self, issuer: &str) -> anyhow::Result<CoreProviderMetadata> {
        if let Some((metadata, read_at)) = self.metadata.read().await.get(issuer).cloned() {
            if read_at.elapsed() < METADATA_TTL {
                return Ok(metadata);
            }
        }
        self.rediscover(issuer).await
    }

    /// Reads the issuer's metadata and signing keys again.
    async fn rediscover(&self, issuer: &str) -> anyhow::Result<CoreProviderMetadata> {
        let url = IssuerUrl::new(issuer.to_owned()).context("parsing the issuer URL")?;
        // Discovery checks that the metadata names this very issuer, so a multi-tenant
        // application's metadata is its tenant's, never the shared `common` document.
        let metadata = CoreProviderMetadata::discover_async(url, &self.http)
            .await
            .map_err(|e| anyhow!("OpenID Connect discovery failed: {e}"))?;
        let mut cache = self.metadata.write().await;
        // One entry per tenant at most (the issuer is a tenant's only for listed tenants).
        cache.insert(
            issuer.to_owned(),
            (metadata.clone(), std::time::Instant::now()),
        );
        Ok(metadata)
    }

    async fn client(&self, issuer: &str) -> anyhow::Result<impl ClientLike> {
        let metadata = self.metadata(issuer).await?;
        self.client_from(metadata)
    }

    fn client_from(&self, metadata: CoreProviderMetadata) -> anyhow::Result<impl ClientLike> {
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
    /// A provider's id (a button of the sign-in page).
    #[serde(default)]
    provider: Option<String>,
    /// A tenant id (a bookmarked sign-in address of one organisation).
    #[serde(default)]
    tenant: Option<String>,
    /// The address typed on the sign-in page; only its domain is used to choose, and it is
    /// passed on to the provider as the `login_hint`.
    #[serde(default)]
    email: Option<String>,
}

/// `GET /auth/oidc/start`: sends the browser to the right provider.
pub async fn start(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<StartQuery>,
) -> Response {
    if state.oidc.is_empty() {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    let return_to = query
        .return_to
        .as_deref()
        .and_then(return_path::safe)
        .unwrap_or_else(|| "/".into());
    let back = |failure: Failure| {
        let encoded: String =
            openidconnect::url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
        Redirect::to(&format!(
            "/sign-in?error={}&return_to={encoded}",
            failure.code()
        ))
        .into_response()
    };
    let (oidc, tenant) = match state.oidc.choose(&query) {
        Ok(chosen) => chosen,
        Err(failure) => return back(failure),
    };
    let hint = query
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| e.contains('@') && e.len() <= 254 && !e.chars().any(char::is_control));
    match begin(
        oidc,
        &session,
        tenant,
        hint,
        &return_to,
        state.clock.now_ms(),
    )
    .await
    {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => {
            tracing::error!(request_id = %crate::request_id::current(), provider = %oidc.config.id, "starting OpenID Connect sign-in failed: {e:#}");
            back(Failure::Provider)
        }
    }
}

async fn begin(
    oidc: &Oidc,
    session: &Session,
    tenant: Option<String>,
    login_hint: Option<&str>,
    return_to: &str,
    now: i64,
) -> anyhow::Result<String> {
    let issuer = oidc
        .config
        .issuer_for(tenant.as_deref())
        .ok_or_else(|| anyhow!("a multi-tenant provider needs a tenant it serves"))?;
    let client = oidc.client(&issuer).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.inner().authorize_url(
        AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in oidc.config.scopes.iter().filter(|s| s.as_str() != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    if let Some(hint) = login_hint {
        request = request.add_extra_param("login_hint", hint.to_owned());
    }
    let (url, csrf, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = Pending {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to: return_to.to_owned(),
        started_at: now,
        provider: oidc.config.id.clone(),
        tenant,
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
    if state.oidc.is_empty() {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    }
    match finish(
        &state.oidc,
        &state.db,
        &session,
        query,
        state.clock.now_ms(),
    )
    .await
    {
        Ok(target) => Redirect::to(&target).into_response(),
        Err((failure, cause)) => {
            tracing::warn!(request_id = %crate::request_id::current(), code = failure.code(), "sign-in refused: {cause:#}");
            Redirect::to(&format!("/sign-in?error={}", failure.code())).into_response()
        }
    }
}

async fn finish(
    providers: &Providers,
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
    // The provider the sign-in left for (a sign-in begun before providers had ids: the only
    // one); a provider removed from the configuration meanwhile is no provider.
    let only = match providers.list.as_slice() {
        [only] if pending.provider.is_empty() => Some(only),
        _ => None,
    };
    let oidc = providers.by_id(&pending.provider).or(only).ok_or_else(|| {
        (
            Failure::NoPending,
            anyhow!("the sign-in's provider is no longer configured"),
        )
    })?;
    let issuer = oidc
        .config
        .issuer_for(pending.tenant.as_deref())
        .ok_or_else(|| {
            (
                Failure::NoPending,
                anyhow!("the sign-in's tenant is no longer served by its provider"),
            )
        })?;
    if let Some(error) = query.error {
        // The provider's words, from the address bar: logged escaped and bounded.
        let error: String = error.chars().take(64).collect();
        return Err((
            Failure::Provider,
            anyhow!("provider answered with error {error:?}"),
        ));
    }
    let code = query
        .code
        .ok_or_else(|| (Failure::Provider, anyhow!("no code in the answer")))?;
    let client = oidc
        .client(&issuer)
        .await
        .map_err(|e| (Failure::Provider, e))?;
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
    let nonce = Nonce::new(pending.nonce);
    let mut verified = id_token.claims(&verifier, &nonce).cloned();
    // Signed with a key the cached set does not hold: the provider rotated its keys. Read them
    // again, once, and verify against the new set.
    if matches!(
        verified,
        Err(
            openidconnect::ClaimsVerificationError::SignatureVerification(
                openidconnect::SignatureVerificationError::NoMatchingKey
            )
        )
    ) {
        let fresh = oidc
            .rediscover(&issuer)
            .await
            .and_then(|metadata| oidc.client_from(metadata))
            .map_err(|e| (Failure::Provider, e))?;
        let verifier = fresh.inner().id_token_verifier();
        verified = id_token.claims(&verifier, &nonce).cloned();
    }
    let claims = match verified {
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
    let config = &oidc.config;
    let issuer = claims.issuer().to_string();
    let subject = claims.subject().to_string();
    let tenant_id = extra
        .get(&config.tenant_claim)
        .and_then(|v| v.as_str())
        .map(str::to_lowercase)
        .ok_or_else(|| (Failure::Tenant, anyhow!("no tenant claim")))?;
    // A tenant is bound to the provider that lists it: a good token of this provider for a
    // tenant it does not serve is refused, and the tenant it named is told.
    // A multi-tenant issuer's token is also bound to the tenant whose issuer verified it.
    let other_tenant =
        config.per_tenant_issuer() && pending.tenant.as_deref() != Some(tenant_id.as_str());
    if !config.serves(&tenant_id) || other_tenant {
        record_refusal(
            db,
            &tenant_id,
            "identity provider",
            "the provider is not bound to this tenant",
            now,
        )
        .await;
        return Err((
            Failure::Tenant,
            anyhow!("the provider is not bound to the tenant the token names"),
        ));
    }
    let tenant = tenant::Entity::find_by_id(tenant_id.clone())
        .one(db)
        .await
        .map_err(|e| (Failure::Provider, anyhow!(e)))?
        .ok_or_else(|| (Failure::Tenant, anyhow!("unknown tenant")))?;
    let roles: Vec<Role> = extra
        .get(&config.roles_claim)
        .and_then(|v| v.as_array())
        .map(|values| {
            let mut roles: Vec<Role> = values
                .iter()
                .filter_map(|v| v.as_str())
                .filter_map(|v| config.role_for(v))
                .collect();
            roles.sort();
            roles.dedup();
            roles
        })
        .unwrap_or_default();
    // The provider's text is stored and shown (as an account's name, as an audit actor):
    // without control or bidirectional-override characters, and bounded to what the columns
    // hold on every database.
    let text_claim = |name: &str| {
        extra
            .get(name)
            .and_then(|v| v.as_str())
            .map(|v| {
                v.chars()
                    .filter(|c| !c.is_control() && !is_bidi_control(*c))
                    .take(CLAIM_MAX_CHARS)
                    .collect::<String>()
            })
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let username = text_claim(&config.username_claim).map(|u| u.to_lowercase());
    // Only a provider the operator trusts for it, and only an address the provider says it
    // verified: an e-mail is otherwise a name its holder may choose.
    let verified_email = (config.link_verified_email
        && extra
            .get("email_verified")
            .and_then(serde_json::Value::as_bool)
            == Some(true))
    .then(|| text_claim("email").map(|e| e.to_lowercase()))
    .flatten();
    let display_name = text_claim("name")
        .or_else(|| username.clone())
        .unwrap_or_else(|| subject.clone());
    let identity = Identity {
        issuer: &issuer,
        subject: &subject,
        object_id: text_claim(&config.object_id_claim),
        verified_email,
        display_name: &display_name,
        username: username.as_deref(),
    };
    let txn = db
        .begin()
        .await
        .map_err(|e| (Failure::Provider, anyhow!(e)))?;
    let account = match link_account(&txn, &tenant, &identity, &roles, now).await {
        Ok(Linked::Account(account)) => account,
        Ok(Linked::Taken(holder)) => {
            drop(txn);
            record_refusal(
                db,
                &tenant.id,
                "identity provider",
                &format!(
                    "the directory user already has an account with this provider (account {holder})"
                ),
                now,
            )
            .await;
            return Err((
                Failure::Taken,
                anyhow!("the directory user already has an account with this provider"),
            ));
        }
        Err(e) => {
            drop(txn);
            // A unique index hit means a sign-in of the same person won a race with this one.
            let (failure, why) = if is_unique_violation(&e) {
                (
                    Failure::Taken,
                    "the directory user already has an account with this provider",
                )
            } else {
                (Failure::Provider, "the account could not be linked")
            };
            record_refusal(db, &tenant.id, "identity provider", why, now).await;
            return Err((failure, e));
        }
    };
    record_sign_in(&txn, &account, "oidc", now)
        .await
        .map_err(|e| (Failure::Provider, e))?;
    txn.commit()
        .await
        .map_err(|e| (Failure::Provider, anyhow!(e)))?;
    start_session(session, &account, now)
        .await
        .map_err(|e| (Failure::Provider, e))?;
    Ok(pending.return_to)
}

/// Whether a linking failure was a unique-constraint violation (two first sign-ins at once).
fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sea_orm::DbErr>()
        .is_some_and(crate::services::error::is_unique_violation)
}

/// The most of a text claim that is kept (the columns hold 256 on PostgreSQL).
const CLAIM_MAX_CHARS: usize = 200;

/// Characters that reorder text when shown: a name holding them could show as another's.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Records a refused sign-in in the audit log of the tenant `tenant_id` names, if this portal
/// holds it; otherwise it is only logged by the caller. `actor` says how far the claim can be
/// trusted ("identity provider (unverified)" for a token that failed verification).
async fn record_refusal(
    db: &DatabaseConnection,
    tenant_id: &str,
    actor: &str,
    why: &str,
    now: i64,
) {
    let Ok(Some(tenant)) = tenant::Entity::find_by_id(tenant_id.to_owned())
        .one(db)
        .await
    else {
        return;
    };
    let event = NewEvent {
        actor: Actor::system(actor),
        action: AuditAction::SignInFailed,
        target_kind: TargetKind::Tenant,
        target_id: tenant.id.clone(),
        subject_user_id: None,
        changes: vec![],
        reason: Some(format!("sign-in refused: {why}")),
        occurred_at: now,
    };
    if let Err(e) = audit::append(db, &tenant.id, event).await {
        tracing::warn!("recording a failed sign-in failed: {e:#}");
    }
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
    record_refusal(
        db,
        &tenant_id,
        "identity provider (unverified)",
        &format!("ID token refused: {why}"),
        now,
    )
    .await;
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

/// Who the verified token says signed in.
struct Identity<'a> {
    issuer: &'a str,
    subject: &'a str,
    /// The provider's immutable id of the person (`oid`), if the token carries one.
    object_id: Option<String>,
    /// The token's e-mail, only when linking by it is on and the provider verified it.
    verified_email: Option<String>,
    display_name: &'a str,
    /// The sign-in name, kept as the account's address; never used to link.
    username: Option<&'a str>,
}

/// What linking a sign-in to an account found.
enum Linked {
    Account(account::Model),
    /// The directory user the identity names already has another account of this provider:
    /// this one (its id), which the refusal names so an admin can find it.
    Taken(i64),
}

/// Finds or creates the account of (issuer, subject) in the tenant; a first sign-in takes over
/// a bootstrapped account waiting for its object id and links to the directory user with that
/// object id (or, where the operator allows it, with the verified e-mail as UPN). The token's
/// roles then replace the roles it granted before.
async fn link_account(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    identity: &Identity<'_>,
    roles: &[Role],
    now: i64,
) -> anyhow::Result<Linked> {
    let existing = account::Entity::find()
        .filter(account::Column::Issuer.eq(identity.issuer))
        .filter(account::Column::Subject.eq(identity.subject))
        .one(txn)
        .await?;
    let account = match existing {
        Some(account) if account.tenant_id == tenant.id => {
            match relink(txn, tenant, identity, account, now).await? {
                Linked::Account(account) => {
                    take_over_bootstrap(txn, tenant, identity, &account, now).await?;
                    account
                }
                taken => return Ok(taken),
            }
        }
        Some(_) => anyhow::bail!("the account belongs to another tenant"),
        None => match first_sign_in(txn, tenant, identity, now).await? {
            Linked::Account(account) => account,
            taken => return Ok(taken),
        },
    };
    sync_provider_roles(txn, tenant, &account, roles, now).await?;
    Ok(Linked::Account(account))
}

/// Gives a known account the admin role that `bootstrap-admin` left waiting for the object id
/// (or subject) of this verified token, and removes the waiting account: a person made admin
/// after their first sign-in gets the role at their next. The role is the portal's (a grant of
/// the provider's becomes the portal's), so the token's roles do not replace it.
async fn take_over_bootstrap(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    identity: &Identity<'_>,
    account: &account::Model,
    now: i64,
) -> anyhow::Result<()> {
    let waiting_for = identity.object_id.as_deref().unwrap_or(identity.subject);
    let Some(pending) = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant.id.clone()))
        .filter(account::Column::Issuer.eq(account::PENDING_ISSUER))
        .filter(account::Column::Subject.eq(account::pending_subject(waiting_for)))
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let admin = Role::TenantAdmin.as_str().to_owned();
    let held = role_assignment::Entity::find_by_id((account.id, admin.clone()))
        .one(txn)
        .await?;
    let before = match held {
        Some(role) if !role.from_provider => None,
        Some(role) => {
            let mut role: role_assignment::ActiveModel = role.into();
            role.from_provider = Set(false);
            role.granted_by = Set(crate::services::accounts::BOOTSTRAP_ACTOR.into());
            role.granted_at = Set(now);
            role.update(txn).await?;
            Some(Some(format!("{admin} (identity provider)")))
        }
        None => {
            role_assignment::ActiveModel {
                account_id: Set(account.id),
                role: Set(admin.clone()),
                tenant_id: Set(tenant.id.clone()),
                granted_by: Set(crate::services::accounts::BOOTSTRAP_ACTOR.into()),
                granted_at: Set(now),
                from_provider: Set(false),
            }
            .insert(txn)
            .await?;
            Some(None)
        }
    };
    role_assignment::Entity::delete_many()
        .filter(role_assignment::Column::AccountId.eq(pending.id))
        .exec(txn)
        .await?;
    account::Entity::delete_by_id(pending.id).exec(txn).await?;
    if let Some(before) = before {
        crate::services::accounts::record_bootstrap(txn, &tenant.id, account.id, before, now)
            .await
            .context("recording a bootstrapped admin")?;
    }
    Ok(())
}

/// The account of an identity signing in for the first time, or [`Linked::Taken`] when the
/// directory user it names already has an account of this provider.
async fn first_sign_in(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    identity: &Identity<'_>,
    now: i64,
) -> anyhow::Result<Linked> {
    // Waiting as `pending:<object id>` since `bootstrap-admin`: the provider's object id, or
    // its subject where it sends no object id. Both are the provider's, never the person's.
    let waiting_for = identity.object_id.as_deref().unwrap_or(identity.subject);
    let bootstrapped = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant.id.clone()))
        .filter(account::Column::Issuer.eq(account::PENDING_ISSUER))
        .filter(account::Column::Subject.eq(account::pending_subject(waiting_for)))
        .one(txn)
        .await?;
    let directory_user_id = directory_user_of(txn, tenant, identity).await?;
    if let Some(user_id) = &directory_user_id {
        if let Some(holder) = linked_elsewhere(txn, identity.issuer, user_id, None).await? {
            return Ok(Linked::Taken(holder));
        }
    }
    let account = match bootstrapped {
        Some(pending) => {
            let mut row: account::ActiveModel = pending.into();
            row.issuer = Set(identity.issuer.into());
            row.subject = Set(identity.subject.into());
            row.display_name = Set(identity.display_name.into());
            row.email = Set(identity.username.map(str::to_owned));
            row.directory_user_id = Set(directory_user_id);
            row.update(txn).await?
        }
        None => {
            account::ActiveModel {
                id: NotSet,
                tenant_id: Set(tenant.id.clone()),
                issuer: Set(identity.issuer.into()),
                subject: Set(identity.subject.into()),
                display_name: Set(identity.display_name.into()),
                email: Set(identity.username.map(str::to_owned)),
                directory_user_id: Set(directory_user_id),
                created_at: Set(now),
                last_sign_in_at: Set(None),
            }
            .insert(txn)
            .await?
        }
    };
    Ok(Linked::Account(account))
}

/// The directory user (id) an identity names: the one whose id is the token's object id, or,
/// where the operator allows it, whose UPN is the token's verified e-mail.
async fn directory_user_of(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    identity: &Identity<'_>,
) -> anyhow::Result<Option<String>> {
    if let Some(id) = &identity.object_id {
        let by_id = directory_user::Entity::find_by_id(id.to_lowercase())
            .filter(directory_user::Column::TenantId.eq(tenant.id.clone()))
            .one(txn)
            .await?;
        if let Some(user) = by_id {
            return Ok(Some(user.id));
        }
    }
    let Some(email) = &identity.verified_email else {
        return Ok(None);
    };
    Ok(directory_user::Entity::find()
        .filter(directory_user::Column::TenantId.eq(tenant.id.clone()))
        .filter(directory_user::Column::Upn.eq(email.clone()))
        .one(txn)
        .await?
        .map(|u| u.id))
}

/// Whether another account of `issuer` (not `except`) is linked to the directory user.
async fn linked_elsewhere(
    txn: &DatabaseTransaction,
    issuer: &str,
    user_id: &str,
    except: Option<i64>,
) -> anyhow::Result<Option<i64>> {
    let mut query = account::Entity::find()
        .filter(account::Column::Issuer.eq(issuer))
        .filter(account::Column::DirectoryUserId.eq(user_id));
    if let Some(id) = except {
        query = query.filter(account::Column::Id.ne(id));
    }
    Ok(query.one(txn).await?.map(|holder| holder.id))
}

/// A known account's link, brought in line with what the token says now: a link made before
/// links followed the object id (by a name or e-mail the person could set), or one whose person
/// the provider no longer names, is changed or removed, with an `account.linked` event;
/// [`Linked::Taken`] when the directory user the token names has another account of this
/// provider.
async fn relink(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    identity: &Identity<'_>,
    account: account::Model,
    now: i64,
) -> anyhow::Result<Linked> {
    let wanted = directory_user_of(txn, tenant, identity).await?;
    if wanted == account.directory_user_id {
        return Ok(Linked::Account(account));
    }
    if let Some(user_id) = &wanted {
        if let Some(holder) =
            linked_elsewhere(txn, identity.issuer, user_id, Some(account.id)).await?
        {
            return Ok(Linked::Taken(holder));
        }
    }
    let before = account.directory_user_id.clone();
    let mut row: account::ActiveModel = account.into();
    row.directory_user_id = Set(wanted.clone());
    let account = row.update(txn).await?;
    audit::append(
        txn,
        &tenant.id,
        NewEvent {
            actor: Actor::system("identity provider"),
            action: AuditAction::AccountLinked,
            target_kind: TargetKind::Account,
            target_id: account.id.to_string(),
            subject_user_id: wanted.clone().or_else(|| before.clone()),
            changes: vec![audit::Change {
                field: "directory_user".into(),
                before,
                after: wanted,
            }],
            reason: Some("the identity provider's object id names this directory user".into()),
            occurred_at: now,
        },
    )
    .await?;
    Ok(Linked::Account(account))
}

/// Makes the roles the provider granted exactly the token's: new ones are added, ones it no
/// longer grants are removed, each with its audit event. Roles granted in the portal are left
/// alone (a role held both ways stays the portal's).
async fn sync_provider_roles(
    txn: &DatabaseTransaction,
    tenant: &tenant::Model,
    account: &account::Model,
    roles: &[Role],
    now: i64,
) -> anyhow::Result<()> {
    let mut wanted: Vec<Role> = roles.to_vec();
    if wanted.is_empty() && account.directory_user_id.is_some() {
        wanted.push(Role::EndUser);
    }
    let held = role_assignment::Entity::find()
        .filter(role_assignment::Column::AccountId.eq(account.id))
        .all(txn)
        .await?;
    let provider = Actor {
        kind: ActorKind::System,
        id: "oidc".into(),
        name: "identity provider".into(),
    };
    let event = |action: AuditAction, before: Option<Role>, after: Option<Role>| NewEvent {
        actor: provider.clone(),
        action,
        target_kind: TargetKind::Account,
        target_id: account.id.to_string(),
        subject_user_id: None,
        changes: vec![audit::Change {
            field: "role".into(),
            before: before.map(|r| r.as_str().into()),
            after: after.map(|r| r.as_str().into()),
        }],
        reason: Some("role claim in the ID token".into()),
        occurred_at: now,
    };
    for row in held.iter().filter(|r| r.from_provider) {
        let Some(role) = Role::parse(&row.role) else {
            continue;
        };
        if wanted.contains(&role) {
            continue;
        }
        role_assignment::Entity::delete_by_id((row.account_id, row.role.clone()))
            .exec(txn)
            .await?;
        audit::append(
            txn,
            &tenant.id,
            event(AuditAction::RoleRevoked, Some(role), None),
        )
        .await?;
    }
    for role in wanted
        .into_iter()
        .filter(|r| !held.iter().any(|h| h.role == r.as_str()))
    {
        role_assignment::ActiveModel {
            account_id: Set(account.id),
            role: Set(role.as_str().into()),
            tenant_id: Set(tenant.id.clone()),
            granted_by: Set("identity provider".into()),
            granted_at: Set(now),
            from_provider: Set(true),
        }
        .insert(txn)
        .await?;
        audit::append(
            txn,
            &tenant.id,
            event(AuditAction::RoleGranted, None, Some(role)),
        )
        .await?;
    }
    Ok(())
}
