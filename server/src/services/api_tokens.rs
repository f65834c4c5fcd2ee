//! API tokens: creation (the secret is returned once and only its SHA-256 is stored), listing,
//! revocation, and turning a presented secret into a [`Principal`] for the REST API.
//!
//! A token holds one role in one tenant. Its principal is the one a session of that role would
//! have, with the token's name as the display name, so every audit event a token causes names
//! the token. End-user tokens act as one directory user of the tenant, and only that user
//! makes them (on their own token page): an admin who could mint a token for any end user
//! could act as any data subject, file requests in their name and read what they see.

use crate::clock::{Clock, DAY_MS};
use crate::entities::{account, api_token, directory_user, tenant};
use crate::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::{finish, ServiceError};
use anyhow::Context;
use app::api_tokens::{ApiTokenView, ApiTokensPort, CreatedToken, NewToken, OwnToken, TokenState};
use app::auth::{Principal, Role};
use app::error::AppError;
use app::i18n::Key;
use app::services::BoxFuture;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

/// What every secret starts with, so secret scanners and people recognise one.
pub const SECRET_PREFIX: &str = "ppt_";
/// Characters of the secret kept in clear to tell tokens apart (the prefix and 4 more).
const SHOWN_PREFIX_LEN: usize = 8;
/// `last_used_at` is refreshed at most this often, so a busy script does not write on every call.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// The port behind the token page.
pub struct ApiTokensService {
    pub db: DatabaseConnection,
    pub clock: Clock,
}

/// Who creates or revokes a token: a signed-in admin, or the command line.
#[derive(Clone, Debug)]
pub struct Creator {
    pub account_id: i64,
    pub name: String,
    pub actor: Actor,
    /// The directory user the creator is (an end user's own account): the only end user an
    /// end-user token of theirs may act as.
    pub directory_user_id: Option<String>,
}

impl Creator {
    /// The signed-in admin behind `principal`.
    pub fn of(principal: &Principal) -> Creator {
        Creator {
            account_id: principal.account_id,
            name: principal.actor_name(),
            actor: actor_of(principal),
            directory_user_id: principal.directory_user_id.clone(),
        }
    }
}

/// The audit actor of a principal: the account, or the API token acting.
pub fn actor_of(principal: &Principal) -> Actor {
    Actor::of(principal)
}

/// SHA-256 of a secret, lower-case hex: what is stored and looked up.
pub fn hash_secret(secret: &str) -> String {
    audit::to_hex(&Sha256::digest(secret.as_bytes()))
}

/// A new secret: the prefix and 256 random bits in hex.
/// A new secret: the prefix and 256 random bits from the operating system, hex-encoded (two
/// v4 UUIDs, as before, held only 244: their version and variant bits are fixed).
fn new_secret() -> Result<String, ServiceError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("no randomness for a token: {e}")))?;
    Ok(format!(
        "{SECRET_PREFIX}{}",
        crate::services::audit::to_hex(&bytes)
    ))
}

fn view_of(model: &api_token::Model, end_user: Option<String>, now: i64) -> ApiTokenView {
    let state = if model.revoked_at.is_some() {
        TokenState::Revoked
    } else if model.expires_at <= now {
        TokenState::Expired
    } else {
        TokenState::Active
    };
    ApiTokenView {
        id: model.id,
        name: model.name.clone(),
        role: Role::parse(&model.role).unwrap_or(Role::EndUser),
        prefix: model.token_prefix.clone(),
        end_user,
        created_by: model.created_by_name.clone(),
        created_at: model.created_at,
        expires_at: model.expires_at,
        revoked_at: model.revoked_at,
        last_used_at: model.last_used_at,
        state,
    }
}

/// Creates a token in `tenant_id` with an audit event, in one transaction.
///
/// # Errors
/// [`ServiceError::Invalid`] (on `end_user`) when the end user is not in the tenant or is not
/// the creator themself; database failures otherwise.
pub async fn create<C: TransactionTrait>(
    db: &C,
    tenant_id: &str,
    creator: &Creator,
    token: NewToken,
    now: i64,
) -> Result<CreatedToken, ServiceError> {
    let txn = db.begin().await?;
    let end_user = match &token.end_user {
        Some(upn) => {
            let user = directory_user::Entity::find()
                .filter(directory_user::Column::TenantId.eq(tenant_id))
                .filter(
                    Expr::expr(Func::lower(Expr::col(directory_user::Column::Upn)))
                        .eq(upn.to_lowercase()),
                )
                .one(&txn)
                .await?
                .ok_or_else(|| ServiceError::invalid("end_user", Key::ErrNoSuchUserInTenant))?;
            if creator.directory_user_id.as_deref() != Some(user.id.as_str()) {
                return Err(ServiceError::invalid(
                    "end_user",
                    Key::ApiTokenErrEndUserOwn,
                ));
            }
            Some(user)
        }
        None => None,
    };
    let secret = new_secret()?;
    let expires_at = now.saturating_add(i64::from(token.expires_in_days).saturating_mul(DAY_MS));
    let model = api_token::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant_id.to_owned()),
        name: Set(token.name.clone()),
        role: Set(token.role.as_str().to_owned()),
        directory_user_id: Set(end_user.as_ref().map(|u| u.id.clone())),
        token_hash: Set(hash_secret(&secret)),
        token_prefix: Set(secret.chars().take(SHOWN_PREFIX_LEN).collect()),
        created_by: Set(creator.account_id),
        created_by_name: Set(creator.name.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(&txn)
    .await
    .context("storing an API token")?;
    audit::append(
        &txn,
        tenant_id,
        NewEvent {
            actor: creator.actor.clone(),
            action: AuditAction::ApiTokenCreated,
            target_kind: TargetKind::ApiToken,
            target_id: model.id.to_string(),
            subject_user_id: end_user.as_ref().map(|u| u.id.clone()),
            changes: vec![
                Change {
                    field: "name".into(),
                    before: None,
                    after: Some(model.name.clone()),
                },
                Change {
                    field: "role".into(),
                    before: None,
                    after: Some(model.role.clone()),
                },
                Change {
                    field: "expires_at".into(),
                    before: None,
                    after: Some(crate::clock::to_rfc3339(expires_at)),
                },
            ],
            reason: None,
            occurred_at: now,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(CreatedToken {
        token: view_of(&model, end_user.map(|u| u.upn), now),
        secret,
    })
}

/// The tenant's tokens (with `owner`, only the end-user tokens acting as that directory
/// user), newest first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    owner: Option<&str>,
    now: i64,
) -> anyhow::Result<Vec<ApiTokenView>> {
    let mut query = api_token::Entity::find().filter(api_token::Column::TenantId.eq(tenant_id));
    if let Some(user) = owner {
        query = query.filter(owned_by(user));
    }
    let tokens = query
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await
        .context("listing API tokens")?;
    let mut views = Vec::with_capacity(tokens.len());
    for token in &tokens {
        let end_user = match &token.directory_user_id {
            Some(id) => directory_user::Entity::find_by_id(id.clone())
                .one(db)
                .await
                .context("reading a token's end user")?
                .map(|u| u.upn),
            None => None,
        };
        views.push(view_of(token, end_user, now));
    }
    Ok(views)
}

/// The end-user tokens acting as directory user `user`: what its owner lists and revokes.
fn owned_by(user: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(api_token::Column::Role.eq(Role::EndUser.as_str()))
        .add(api_token::Column::DirectoryUserId.eq(user))
}

/// Revokes a token of `tenant_id` (with `owner`, only one acting as that directory user) with
/// an audit event; a revoked token stays revoked.
///
/// # Errors
/// [`ServiceError::NotFound`] for a token of another tenant, of someone else or none; database
/// failures.
pub async fn revoke<C: TransactionTrait>(
    db: &C,
    tenant_id: &str,
    owner: Option<&str>,
    actor: Actor,
    token_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    let txn = db.begin().await?;
    let mut query =
        api_token::Entity::find_by_id(token_id).filter(api_token::Column::TenantId.eq(tenant_id));
    if let Some(user) = owner {
        query = query.filter(owned_by(user));
    }
    let token = query.one(&txn).await?.ok_or(ServiceError::NotFound)?;
    if token.revoked_at.is_some() {
        return Ok(());
    }
    api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now))
        .col_expr(api_token::Column::UpdatedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token.id))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        tenant_id,
        NewEvent {
            actor,
            action: AuditAction::ApiTokenRevoked,
            target_kind: TargetKind::ApiToken,
            target_id: token.id.to_string(),
            subject_user_id: None,
            changes: vec![Change {
                field: "name".into(),
                before: Some(token.name.clone()),
                after: None,
            }],
            reason: None,
            occurred_at: now,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Why a presented token was not accepted. The API answers all of them alike (401), so a
/// caller cannot probe which tokens exist; the distinction is for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Unknown,
    Expired,
    Revoked,
}

/// A token accepted for this request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token_id: i64,
    pub principal: Principal,
}

/// Turns a presented secret into the principal it acts as, refreshing its last-used time.
///
/// # Errors
/// When the database fails.
pub async fn authenticate(
    db: &DatabaseConnection,
    secret: &str,
    now: i64,
) -> anyhow::Result<Result<Caller, Rejection>> {
    let Some(token) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_secret(secret)))
        .one(db)
        .await
        .context("looking up an API token")?
    else {
        return Ok(Err(Rejection::Unknown));
    };
    if token.revoked_at.is_some() {
        return Ok(Err(Rejection::Revoked));
    }
    if token.expires_at <= now {
        return Ok(Err(Rejection::Expired));
    }
    let Some(role) = Role::parse(&token.role) else {
        return Ok(Err(Rejection::Unknown));
    };
    let Some(tenant) = tenant::Entity::find_by_id(token.tenant_id.clone())
        .one(db)
        .await
        .context("reading the token's tenant")?
    else {
        return Ok(Err(Rejection::Unknown));
    };
    // An end-user token acts as its directory user's account when there is one, so that what
    // it asks for is the user's own; staff tokens act for the admin who created them.
    let linked = match &token.directory_user_id {
        Some(user) => account::Entity::find()
            .filter(account::Column::TenantId.eq(&token.tenant_id))
            .filter(account::Column::DirectoryUserId.eq(user))
            .one(db)
            .await
            .context("reading the end user's account")?
            .map(|a| a.id),
        None => None,
    };
    if token
        .last_used_at
        .is_none_or(|at| now.saturating_sub(at) >= LAST_USED_GRANULARITY_MS)
    {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(db)
            .await
            .context("recording a token's use")?;
    }
    Ok(Ok(Caller {
        token_id: token.id,
        principal: Principal {
            account_id: linked.unwrap_or(token.created_by),
            tenant_id: token.tenant_id,
            tenant_name: tenant.name,
            display_name: token.name,
            roles: vec![role],
            directory_user_id: token.directory_user_id,
            // Bearer requests carry no ambient credentials, so there is nothing to forge.
            csrf_token: String::new(),
            api_token_id: Some(token.id),
        },
    }))
}

impl ApiTokensPort for ApiTokensService {
    fn list<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Vec<ApiTokenView>, AppError>> {
        Box::pin(async move {
            list(&self.db, &principal.tenant_id, None, self.clock.now_ms())
                .await
                .map_err(|e| crate::error::internal(&e))
        })
    }

    fn list_own<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Vec<ApiTokenView>, AppError>> {
        Box::pin(async move {
            let Some(user) = principal.directory_user_id.as_deref() else {
                return Ok(Vec::new());
            };
            list(
                &self.db,
                &principal.tenant_id,
                Some(user),
                self.clock.now_ms(),
            )
            .await
            .map_err(|e| crate::error::internal(&e))
        })
    }

    fn create_own<'a>(
        &'a self,
        principal: &'a Principal,
        token: OwnToken,
    ) -> BoxFuture<'a, Result<CreatedToken, AppError>> {
        Box::pin(async move {
            let upn = match &principal.directory_user_id {
                Some(id) => directory_user::Entity::find_by_id(id.clone())
                    .filter(directory_user::Column::TenantId.eq(&principal.tenant_id))
                    .one(&self.db)
                    .await
                    .map_err(|e| crate::error::internal(&anyhow::Error::from(e)))?
                    .map(|u| u.upn),
                None => None,
            };
            let upn =
                upn.ok_or_else(|| AppError::invalid("end_user", Key::ErrNoSuchUserInTenant))?;
            finish(
                create(
                    &self.db,
                    &principal.tenant_id,
                    &Creator::of(principal),
                    token.for_user(upn),
                    self.clock.now_ms(),
                )
                .await,
            )
        })
    }

    fn create<'a>(
        &'a self,
        principal: &'a Principal,
        token: NewToken,
    ) -> BoxFuture<'a, Result<CreatedToken, AppError>> {
        Box::pin(async move {
            finish(
                create(
                    &self.db,
                    &principal.tenant_id,
                    &Creator::of(principal),
                    token,
                    self.clock.now_ms(),
                )
                .await,
            )
        })
    }

    fn revoke<'a>(
        &'a self,
        principal: &'a Principal,
        token_id: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            // An admin revokes any token of the tenant; anyone else only the end-user tokens
            // acting as themselves (others' answer 404, like a missing one).
            let owner = if principal.roles.contains(&Role::TenantAdmin) {
                None
            } else {
                Some(principal.directory_user_id.as_deref().unwrap_or_default())
            };
            finish(
                revoke(
                    &self.db,
                    &principal.tenant_id,
                    owner,
                    actor_of(principal),
                    token_id,
                    self.clock.now_ms(),
                )
                .await,
            )
        })
    }
}
