//! Sign-in, sessions and the one place that decides who the caller is.
//!
//! [`resolve`] runs on every request: it turns the session cookie into an
//! [`app::auth::Principal`] (account, tenant, roles, re-read from the database each time so a
//! revoked role stops working at once) and puts it in the request's extensions, where server
//! functions find it through `app::auth::require`. Sign-in (OpenID Connect or, in demo mode,
//! a demo identity) always rotates the session id; sign-out deletes the session on the server.

pub mod csrf;
pub mod demo;
pub mod oidc;
pub mod return_path;
pub mod sessions;

use crate::entities::{account, role_assignment, tenant};
use crate::services::audit::{self, Actor, ActorKind, AuditAction, NewEvent, TargetKind};
use crate::state::AppState;
use anyhow::Context;
use app::auth::{Principal, Role};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// Session key of the signed-in state.
const AUTH_KEY: &str = "auth";
/// How stale a session's recorded last request may get before it is written again.
const LAST_SEEN_STEP_MS: i64 = 60_000;

/// What the session stores about a signed-in person: only ids, never personal data.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionAuth {
    pub account_id: i64,
    pub signed_in_at: i64,
    /// The last request of this session, by the portal's clock (0 in sessions from before it
    /// was kept: then the sign-in time counts).
    #[serde(default)]
    pub last_seen_at: i64,
    pub csrf: String,
}

/// Resolves the session into a principal for the rest of the request.
pub async fn resolve(
    State(state): State<AppState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    match load_principal(&state, &session, &path).await {
        Ok(Some(principal)) => {
            request.extensions_mut().insert(principal);
        }
        Ok(None) => {}
        Err(e) => return crate::error::HttpError::Unavailable(e).into_response(),
    }
    next.run(request).await
}

/// The signed-in principal of a plain route, as [`resolve`] found it in the session (it is not
/// read again): the typed way a plain route asks who is calling. Without a signed-in session
/// the route answers [`SessionRefusal::SignedOut`]; [`SessionPrincipal::require`] answers
/// [`SessionRefusal::Forbidden`] for a principal without one of the route's roles.
///
/// Routes take it after their other request-part extractors, so a request that cannot even be
/// read is refused for that first, as it always was.
#[derive(Clone, Debug)]
pub struct SessionPrincipal(pub Principal);

/// Why a plain route refused its caller, answered as an RFC 9457 problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionRefusal {
    /// No signed-in session: 401 "Sign in first".
    SignedOut,
    /// Signed in without one of the route's roles: 403 "Forbidden".
    Forbidden,
}

impl IntoResponse for SessionRefusal {
    fn into_response(self) -> Response {
        let (status, title) = match self {
            SessionRefusal::SignedOut => (axum::http::StatusCode::UNAUTHORIZED, "Sign in first"),
            SessionRefusal::Forbidden => (axum::http::StatusCode::FORBIDDEN, "Forbidden"),
        };
        crate::error::problem(status, title, &crate::request_id::current())
    }
}

impl SessionPrincipal {
    /// The principal, if it holds one of `roles`.
    ///
    /// # Errors
    /// [`SessionRefusal::Forbidden`] without one of the roles.
    pub fn require(self, roles: &[Role]) -> Result<Principal, SessionRefusal> {
        if self.0.has_any(roles) {
            Ok(self.0)
        } else {
            Err(SessionRefusal::Forbidden)
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SessionPrincipal {
    type Rejection = SessionRefusal;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, SessionRefusal> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(SessionPrincipal)
            .ok_or(SessionRefusal::SignedOut)
    }
}

/// Whether a request to `path` is the person's activity (a page, a server function, a
/// download), not the browser fetching the bundle or a probe.
fn counts_as_activity(path: &str) -> bool {
    !(path.starts_with("/pkg/")
        || path == "/favicon.ico"
        || path == "/healthz"
        || path == "/readyz")
}

async fn load_principal(
    state: &AppState,
    session: &Session,
    path: &str,
) -> anyhow::Result<Option<Principal>> {
    let Some(mut auth) = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .context("reading the session")?
    else {
        return Ok(None);
    };
    let now = state.clock.now_ms();
    if expired(&auth, now, &state.config) {
        // Flushed, not only deleted: the data goes too, so nothing later in this request can
        // store the session again.
        session.flush().await.context("ending an expired session")?;
        return Ok(None);
    }
    // Written at most once a minute, and never for the bundle, styles or probes: every write is
    // a database write of the session and a new cookie on the answer, and the idle rule does
    // not need finer steps. A session deleted meanwhile (signed out elsewhere) is not stored
    // again by this write: the store saves only sessions it still holds.
    if now.saturating_sub(auth.last_seen_at) >= LAST_SEEN_STEP_MS && counts_as_activity(path) {
        auth.last_seen_at = now;
        session
            .insert(AUTH_KEY, &auth)
            .await
            .context("recording the session's last request")?;
    }
    match principal_for(&state.db, auth.account_id, auth.csrf).await? {
        Some(principal) => Ok(Some(principal)),
        None => {
            // The account was removed: the session is worthless.
            session
                .flush()
                .await
                .context("ending a session of a removed account")?;
            Ok(None)
        }
    }
}

/// Whether a session has outlived its absolute lifetime, or has been idle too long, at `now`.
///
/// The cookie store also forgets idle sessions (by the system clock); this check holds the
/// same rule on the portal's own clock, so a test at a chosen instant sees it, and it is the
/// one that decides.
pub fn expired(auth: &SessionAuth, now: i64, config: &crate::config::Config) -> bool {
    let absolute_ms = i64::try_from(config.session_absolute_hours)
        .unwrap_or(12)
        .saturating_mul(3_600_000);
    let idle_ms = i64::try_from(config.session_idle_minutes)
        .unwrap_or(60)
        .saturating_mul(60_000);
    let last_seen = auth.last_seen_at.max(auth.signed_in_at);
    now.saturating_sub(auth.signed_in_at) > absolute_ms || now.saturating_sub(last_seen) > idle_ms
}

/// Builds the principal of an account from the database.
///
/// # Errors
/// When the database fails.
pub async fn principal_for(
    db: &DatabaseConnection,
    account_id: i64,
    csrf: String,
) -> anyhow::Result<Option<Principal>> {
    let Some(account) = account::Entity::find_by_id(account_id)
        .one(db)
        .await
        .context("reading the account")?
    else {
        return Ok(None);
    };
    let Some(tenant) = tenant::Entity::find_by_id(account.tenant_id.clone())
        .one(db)
        .await
        .context("reading the tenant")?
    else {
        return Ok(None);
    };
    let mut roles: Vec<Role> = role_assignment::Entity::find()
        .filter(role_assignment::Column::AccountId.eq(account.id))
        .all(db)
        .await
        .context("reading roles")?
        .iter()
        .filter_map(|r| Role::parse(&r.role))
        .collect();
    roles.sort();
    Ok(Some(Principal {
        account_id: account.id,
        tenant_id: account.tenant_id,
        tenant_name: tenant.name,
        display_name: account.display_name,
        roles,
        directory_user_id: account.directory_user_id,
        csrf_token: csrf,
        api_token_id: None,
    }))
}

/// Signs `account` in: its record first (one transaction), then the session.
///
/// # Errors
/// When the session or the database fails; then nobody is signed in.
pub async fn sign_in(
    db: &DatabaseConnection,
    session: &Session,
    account: &account::Model,
    method: &str,
    now: i64,
) -> anyhow::Result<()> {
    let txn = db.begin().await.context("starting the sign-in")?;
    record_sign_in(&txn, account, method, now).await?;
    txn.commit().await.context("committing the sign-in")?;
    start_session(session, account, now).await
}

/// The sign-in's record: the account's last sign-in time and its audit event, written in the
/// caller's transaction, so a sign-in that cannot be recorded does not happen.
///
/// # Errors
/// When the database fails.
pub async fn record_sign_in(
    conn: &impl ConnectionTrait,
    account: &account::Model,
    method: &str,
    now: i64,
) -> anyhow::Result<()> {
    account::Entity::update_many()
        .col_expr(
            account::Column::LastSignInAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(account::Column::Id.eq(account.id))
        .exec(conn)
        .await
        .context("recording the sign-in time")?;
    audit::append(
        conn,
        &account.tenant_id,
        NewEvent {
            actor: Actor {
                kind: ActorKind::Account,
                id: account.id.to_string(),
                name: account.display_name.clone(),
            },
            action: AuditAction::SignInSucceeded,
            target_kind: TargetKind::Account,
            target_id: account.id.to_string(),
            subject_user_id: None,
            changes: vec![],
            reason: Some(method.into()),
            occurred_at: now,
        },
    )
    .await?;
    Ok(())
}

/// Starts the signed-in session of `account`, only once its sign-in is on record: a new
/// session id (so a planted id is useless) and a fresh CSRF token.
///
/// # Errors
/// When the session store fails.
pub async fn start_session(
    session: &Session,
    account: &account::Model,
    now: i64,
) -> anyhow::Result<()> {
    session
        .cycle_id()
        .await
        .context("rotating the session id")?;
    let auth = SessionAuth {
        account_id: account.id,
        signed_in_at: now,
        last_seen_at: now,
        csrf: random_token(),
    };
    session
        .insert(AUTH_KEY, auth)
        .await
        .context("storing the sign-in")
}

/// The CSRF token of the session, if signed in.
///
/// # Errors
/// When the session cannot be read.
pub async fn session_csrf(session: &Session) -> anyhow::Result<Option<String>> {
    Ok(session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .context("reading the session")?
        .map(|a| a.csrf))
}

/// 128 random bits, hex-encoded.
pub fn random_token() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
