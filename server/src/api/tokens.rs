//! The token itself: `GET /me` says which token is calling, in which tenant, with which role
//! (a cheap check for scripts); and the command line's token creation, for automation that
//! has no browser (CI, provisioning).

use super::problem::ApiError;
use super::Auth;
use crate::services::api_tokens::{self, Creator};
use crate::services::audit::Actor;
use crate::state::AppState;
use anyhow::Context;
use app::api_tokens::NewToken;
use app::auth::Role;
use app::i18n::Locale;
use axum::Json;
use sea_orm::DatabaseConnection;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// The calling token.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub token_id: i64,
    pub name: String,
    /// `tenant_admin`, `support_reviewer`, `auditor` or `end_user`.
    pub role: String,
    pub tenant_id: String,
    pub tenant_name: String,
    /// The directory user an end-user token acts as.
    pub user_id: Option<String>,
}

/// The token making the call.
#[utoipa::path(get, path = "/me", tag = "tokens",
    responses((status = 200, description = "The calling token", body = Me)))]
pub async fn me(auth: Auth) -> Result<Json<Me>, ApiError> {
    let principal = auth.require(&Role::ALL)?;
    Ok(Json(Me {
        token_id: auth.0.token_id,
        name: principal.display_name.clone(),
        role: principal
            .roles
            .first()
            .map_or(Role::EndUser.as_str(), |r| r.as_str())
            .to_owned(),
        tenant_id: principal.tenant_id.clone(),
        tenant_name: principal.tenant_name.clone(),
        user_id: principal.directory_user_id.clone(),
    }))
}

/// Creates a token from the command line (`server api-token create`) and returns its secret.
///
/// # Errors
/// When the tenant (id or exact name) is unknown, the role or other input is refused, or the
/// database fails.
pub async fn create_from_cli(
    db: &DatabaseConnection,
    tenant: &str,
    role: &str,
    name: &str,
    days: u32,
    end_user: Option<&str>,
    now: i64,
) -> anyhow::Result<String> {
    let tenant_id = crate::cli::tenant_id(db, tenant).await?;
    let role = Role::parse(role).with_context(|| {
        format!("unknown role {role:?}: tenant_admin, support_reviewer, auditor or end_user")
    })?;
    let token = NewToken::parse(name, role, days, end_user)
        .map_err(|e| anyhow::anyhow!("{}", e.message(Locale::En)))?;
    let creator = Creator {
        account_id: 0,
        name: "command line".into(),
        actor: Actor::system("command line"),
    };
    let created = api_tokens::create(db, &tenant_id, &creator, token, now)
        .await
        .map_err(crate::cli::service_error)?;
    Ok(created.secret)
}

/// Runs `server api-token …` against the configured database (migrated first).
///
/// # Errors
/// As [`create_from_cli`], and when the database cannot be reached or migrated.
pub async fn run_cli(
    command: crate::cli::ApiTokenCommand,
    config: &crate::config::Config,
    clock: &crate::clock::Clock,
) -> anyhow::Result<()> {
    let db = crate::db::connect(config).await?;
    crate::db::migrate(&db).await?;
    match command {
        crate::cli::ApiTokenCommand::Create {
            tenant,
            role,
            name,
            days,
            end_user,
        } => {
            let secret = create_from_cli(
                &db,
                &tenant,
                &role,
                &name,
                days,
                end_user.as_deref(),
                clock.now_ms(),
            )
            .await?;
            println!("{secret}");
        }
    }
    db.close().await?;
    Ok(())
}
