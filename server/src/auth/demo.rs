//! Demo sign-in and sign-out. Demo sign-in exists only when the configuration turns demo mode
//! on explicitly; otherwise its route answers 404 as if it did not exist.

use super::{return_path, session_csrf, sign_in};
use crate::entities::{account, role_assignment, tenant};
use crate::error::HttpError;
use crate::seed::demo::DEMO_ISSUER;
use crate::services::audit::{self, Actor, ActorKind, AuditAction, NewEvent, TargetKind};
use crate::state::AppState;
use anyhow::Context;
use app::auth::DemoIdentity;
use app::auth::Role;
use app::services::{AuthPort, BoxFuture};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct DemoForm {
    account: i64,
    #[serde(default)]
    return_to: Option<String>,
}

/// `POST /auth/demo`: signs in as a demo identity.
///
/// # Errors
/// 404 outside demo mode or for a non-demo account; 5xx when the database fails.
pub async fn demo_sign_in(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<DemoForm>,
) -> Result<Response, HttpError> {
    if !state.config.demo_mode {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    let account = account::Entity::find_by_id(form.account)
        .filter(account::Column::Issuer.eq(DEMO_ISSUER))
        .one(&state.db)
        .await
        .context("reading the demo account")
        .map_err(HttpError::Internal)?;
    let Some(account) = account else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    sign_in(&state.db, &session, &account, "demo", state.clock.now_ms())
        .await
        .map_err(HttpError::Internal)?;
    let target = form
        .return_to
        .as_deref()
        .and_then(return_path::safe)
        .unwrap_or_else(|| "/".into());
    Ok(Redirect::to(&target).into_response())
}

#[derive(Deserialize)]
pub struct SignOutForm {
    csrf: String,
}

/// `POST /auth/sign-out`: deletes the session on the server, so a copied cookie is useless.
///
/// # Errors
/// 403 when the form's token does not match the session's; 5xx when the store fails.
pub async fn sign_out(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<SignOutForm>,
) -> Result<Response, HttpError> {
    let expected = session_csrf(&session).await.map_err(HttpError::Internal)?;
    let Some(expected) = expected else {
        return Ok(Redirect::to("/").into_response());
    };
    if expected != form.csrf {
        return Ok(crate::error::problem(
            StatusCode::FORBIDDEN,
            "Invalid form token",
            &crate::request_id::current(),
        ));
    }
    if let Some(auth) = session
        .get::<super::SessionAuth>(super::AUTH_KEY)
        .await
        .ok()
        .flatten()
    {
        if let Ok(Some(account)) = account::Entity::find_by_id(auth.account_id)
            .one(&state.db)
            .await
        {
            let event = NewEvent {
                actor: Actor {
                    kind: ActorKind::Account,
                    id: account.id.to_string(),
                    name: account.display_name.clone(),
                },
                action: AuditAction::SignOut,
                target_kind: TargetKind::Account,
                target_id: account.id.to_string(),
                subject_user_id: None,
                changes: vec![],
                reason: None,
                occurred_at: state.clock.now_ms(),
            };
            audit::append(&state.db, &account.tenant_id, event)
                .await
                .map_err(HttpError::Internal)?;
        }
    }
    // Flushed: the data is cleared as well as the stored row, so the session layer neither saves
    // it again at the end of this request nor sends its cookie back.
    session
        .flush()
        .await
        .context("deleting the session")
        .map_err(HttpError::Internal)?;
    Ok(Redirect::to("/").into_response())
}

/// Lists the demo identities for the sign-in page.
pub struct AuthService {
    pub db: DatabaseConnection,
    pub demo_mode: bool,
}

impl AuthPort for AuthService {
    fn demo_identities(&self) -> BoxFuture<'_, Result<Vec<DemoIdentity>, app::error::AppError>> {
        Box::pin(async move {
            if !self.demo_mode {
                return Ok(vec![]);
            }
            self.list().await.map_err(|e| crate::error::internal(&e))
        })
    }
}

impl AuthService {
    async fn list(&self) -> anyhow::Result<Vec<DemoIdentity>> {
        let accounts = account::Entity::find()
            .filter(account::Column::Issuer.eq(DEMO_ISSUER))
            .order_by_asc(account::Column::TenantId)
            .order_by_asc(account::Column::Id)
            .all(&self.db)
            .await?;
        let tenants = tenant::Entity::find().all(&self.db).await?;
        let roles = role_assignment::Entity::find()
            .filter(role_assignment::Column::AccountId.is_in(accounts.iter().map(|a| a.id)))
            .all(&self.db)
            .await?;
        Ok(accounts
            .into_iter()
            .map(|a| DemoIdentity {
                account_id: a.id,
                display_name: a.display_name,
                tenant_name: tenants
                    .iter()
                    .find(|t| t.id == a.tenant_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                roles: roles
                    .iter()
                    .filter(|r| r.account_id == a.id)
                    .filter_map(|r| Role::parse(&r.role))
                    .collect(),
            })
            .collect())
    }
}
