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
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
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

/// What `server api-token create` asks for, as typed.
#[derive(Clone, Copy, Debug)]
pub struct CliToken<'a> {
    /// The tenant's id or exact name.
    pub tenant: &'a str,
    pub role: &'a str,
    pub name: &'a str,
    pub days: u32,
    /// The UPN of the directory user an end-user token acts as.
    pub end_user: Option<&'a str>,
}

/// Creates a token from the command line (`server api-token create`) and returns its secret.
///
/// # Errors
/// When the tenant (id or exact name) is unknown, the role or other input is refused (an
/// end-user token outside demo mode: end users make their own), or the database fails.
pub async fn create_from_cli(
    db: &DatabaseConnection,
    request: CliToken<'_>,
    demo_mode: bool,
    now: i64,
) -> anyhow::Result<String> {
    let CliToken {
        tenant,
        role,
        name,
        days,
        end_user,
    } = request;
    let tenant_id = crate::cli::tenant_id(db, tenant).await?;
    let role = Role::parse(role).with_context(|| {
        format!("unknown role {role:?}: tenant_admin, support_reviewer, auditor or end_user")
    })?;
    let token = NewToken::parse(name, role, days, end_user)
        .map_err(|e| anyhow::anyhow!("{}", e.message(Locale::En)))?;
    // Whoever runs the command line is not the end user, and a token that acts as a data
    // subject is theirs to make (on `/me/api-tokens`). Only demo data, whose people are made
    // up, lets the command line stand in for them, so scripts can test the end-user API.
    let stand_in = match &token.end_user {
        Some(upn) if demo_mode => Some(
            crate::entities::directory_user::Entity::find()
                .filter(crate::entities::directory_user::Column::TenantId.eq(&tenant_id))
                .filter(crate::entities::directory_user::Column::Upn.eq(upn.as_str()))
                .one(db)
                .await
                .context("reading the end user")?
                .with_context(|| format!("no user {upn:?} in this tenant"))?
                .id,
        ),
        Some(_) => anyhow::bail!(
            "end-user tokens are made by the end user (My API tokens, /me/api-tokens); the \
             command line makes them only in demo mode"
        ),
        None => None,
    };
    let creator = Creator {
        account_id: 0,
        name: "command line".into(),
        actor: Actor::system("command line"),
        directory_user_id: stand_in,
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
            let request = CliToken {
                tenant: &tenant,
                role: &role,
                name: &name,
                days,
                end_user: end_user.as_deref(),
            };
            let secret = create_from_cli(&db, request, config.demo_mode, clock.now_ms()).await?;
            println!("{secret}");
        }
    }
    db.close().await?;
    Ok(())
}
