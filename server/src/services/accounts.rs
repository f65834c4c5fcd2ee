//! Accounts and roles: listing a tenant's accounts and granting or revoking roles, each change
//! in one transaction with its audit event.

use crate::clock::Clock;
use crate::entities::{account, role_assignment};
use crate::services::audit::{self, Actor, ActorKind, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::{finish, ServiceError, ServiceResult};
use anyhow::Context;
use app::accounts::AccountView;
use app::auth::{Principal, Role};
use app::error::AppError;
use app::services::{AccountsPort, BoxFuture};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

pub struct AccountsService {
    pub db: DatabaseConnection,
    pub clock: Clock,
}

impl AccountsPort for AccountsService {
    fn list<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<Vec<AccountView>, AppError>> {
        Box::pin(async move { finish(self.list_accounts(principal).await) })
    }

    fn set_role<'a>(
        &'a self,
        principal: &'a Principal,
        account_id: i64,
        role: Role,
        grant: bool,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.change(principal, account_id, role, grant).await) })
    }
}

impl AccountsService {
    async fn list_accounts(&self, principal: &Principal) -> ServiceResult<Vec<AccountView>> {
        let accounts = account::Entity::find()
            .filter(account::Column::TenantId.eq(principal.tenant_id.clone()))
            .order_by_asc(account::Column::DisplayName)
            .all(&self.db)
            .await
            .context("listing accounts")?;
        let roles = role_assignment::Entity::find()
            .filter(role_assignment::Column::TenantId.eq(principal.tenant_id.clone()))
            .all(&self.db)
            .await
            .context("listing roles")?;
        Ok(accounts
            .into_iter()
            .map(|a| {
                let mine = || roles.iter().filter(|r| r.account_id == a.id);
                let mut held: Vec<Role> = mine().filter_map(|r| Role::parse(&r.role)).collect();
                held.sort();
                let mut provider_roles: Vec<Role> = mine()
                    .filter(|r| r.from_provider)
                    .filter_map(|r| Role::parse(&r.role))
                    .collect();
                provider_roles.sort();
                AccountView {
                    id: a.id,
                    is_self: a.id == principal.account_id,
                    display_name: a.display_name,
                    email: a.email,
                    roles: held,
                    provider_roles,
                    last_sign_in_at: a.last_sign_in_at,
                }
            })
            .collect())
    }

    /// Grants or revokes `role`; granting a held role or revoking one not held changes nothing.
    /// A role the identity provider granted is refused ([`ServiceError::Invalid`] on `role`):
    /// it follows the provider and would come back at the next sign-in.
    /// [`ServiceError::Forbidden`] when a tenant admin would revoke their own admin role (the
    /// tenant could be left without one), [`ServiceError::NotFound`] when the account is not
    /// in the principal's tenant.
    async fn change(
        &self,
        principal: &Principal,
        account_id: i64,
        role: Role,
        grant: bool,
    ) -> ServiceResult<()> {
        if !grant && account_id == principal.account_id && role == Role::TenantAdmin {
            return Err(ServiceError::Forbidden);
        }
        let txn = self.db.begin().await?;
        let Some(target) = account::Entity::find_by_id(account_id)
            .filter(account::Column::TenantId.eq(principal.tenant_id.clone()))
            .one(&txn)
            .await?
        else {
            return Err(ServiceError::NotFound);
        };
        let existing = role_assignment::Entity::find_by_id((target.id, role.as_str().to_owned()))
            .one(&txn)
            .await?;
        let changed = match (grant, existing) {
            (true, None) => {
                role_assignment::ActiveModel {
                    account_id: Set(target.id),
                    role: Set(role.as_str().into()),
                    tenant_id: Set(target.tenant_id.clone()),
                    granted_by: Set(principal.display_name.clone()),
                    granted_at: Set(self.clock.now_ms()),
                    from_provider: Set(false),
                }
                .insert(&txn)
                .await?;
                true
            }
            // The provider would grant it again at the next sign-in: it is changed there.
            (false, Some(row)) if row.from_provider => {
                return Err(ServiceError::invalid(
                    "role",
                    app::i18n::Key::RoleFromProviderHint,
                ));
            }
            (false, Some(row)) => {
                role_assignment::Entity::delete_by_id((row.account_id, row.role))
                    .exec(&txn)
                    .await?;
                true
            }
            // Already as asked: idempotent, nothing to record.
            _ => false,
        };
        if changed {
            let (before, after, action) = if grant {
                (
                    None,
                    Some(role.as_str().to_owned()),
                    AuditAction::RoleGranted,
                )
            } else {
                (
                    Some(role.as_str().to_owned()),
                    None,
                    AuditAction::RoleRevoked,
                )
            };
            audit::append(
                &txn,
                &principal.tenant_id,
                NewEvent {
                    actor: Actor {
                        kind: ActorKind::Account,
                        id: principal.account_id.to_string(),
                        name: principal.actor_name(),
                    },
                    action,
                    target_kind: TargetKind::Account,
                    target_id: target.id.to_string(),
                    subject_user_id: None,
                    changes: vec![Change {
                        field: "role".into(),
                        before,
                        after,
                    }],
                    reason: None,
                    occurred_at: self.clock.now_ms(),
                },
            )
            .await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// What [`bootstrap_admin`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bootstrapped {
    /// The role waits for the next sign-in of the person with that object id.
    Waiting,
    /// A role already waits for them: nothing changed.
    Unchanged,
}

/// Makes the person with `object_id` at the identity provider the first tenant admin of
/// `tenant`, with its audit event: a pending account that their next OpenID Connect sign-in
/// takes over, their first or a later one (the token's object id claim, `oid` in Entra ID, or
/// its `sub` where the provider sends none). The role is matched only there, against what the
/// provider asserts in a verified token, never against what the portal has stored: an
/// account's directory link may have come from a verified e-mail, and a subject of another
/// provider may be equal by chance. Never an e-mail or user name: those the person may be able
/// to choose.
///
/// # Errors
/// [`ServiceError::Invalid`] (`object_id`) when the id is empty, padded or too long,
/// [`ServiceError::NotFound`] when the tenant does not exist, a failure when the database
/// fails.
pub async fn bootstrap_admin(
    db: &sea_orm::DatabaseConnection,
    tenant: &str,
    object_id: &str,
    name: &str,
    now: i64,
) -> ServiceResult<Bootstrapped> {
    use crate::entities::tenant as tenant_entity;
    use sea_orm::NotSet;
    if object_id.is_empty()
        // `pending:` and the id must fit the 256 characters of the subject column.
        || object_id.chars().count() > 200
        || object_id
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ServiceError::invalid(
            "object_id",
            app::i18n::Key::ErrEmptyOrPadded,
        ));
    }
    if tenant_entity::Entity::find_by_id(tenant.to_owned())
        .one(db)
        .await?
        .is_none()
    {
        return Err(ServiceError::NotFound);
    }
    let waiting = account::Entity::find()
        .filter(account::Column::TenantId.eq(tenant))
        .filter(account::Column::Issuer.eq(account::PENDING_ISSUER))
        .filter(account::Column::Subject.eq(account::pending_subject(object_id)))
        .one(db)
        .await?;
    if waiting.is_some() {
        return Ok(Bootstrapped::Unchanged);
    }
    let txn = db.begin().await?;
    let pending = account::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant.to_owned()),
        issuer: Set(account::PENDING_ISSUER.into()),
        subject: Set(account::pending_subject(object_id)),
        display_name: Set(name.to_owned()),
        email: Set(None),
        directory_user_id: Set(None),
        created_at: Set(now),
        last_sign_in_at: Set(None),
    }
    .insert(&txn)
    .await?;
    role_assignment::ActiveModel {
        account_id: Set(pending.id),
        role: Set(Role::TenantAdmin.as_str().into()),
        tenant_id: Set(tenant.to_owned()),
        granted_by: Set(BOOTSTRAP_ACTOR.into()),
        granted_at: Set(now),
        from_provider: Set(false),
    }
    .insert(&txn)
    .await?;
    record_bootstrap(&txn, tenant, pending.id, None, now).await?;
    txn.commit().await?;
    Ok(Bootstrapped::Waiting)
}

/// Who grants the role, as the role and the audit log name it.
pub const BOOTSTRAP_ACTOR: &str = "bootstrap-admin command";

/// The audit event of a bootstrapped admin role given to `account_id`; `before` is what it
/// held of that role before (a grant of the identity provider's, made the portal's).
pub async fn record_bootstrap<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: &str,
    account_id: i64,
    before: Option<String>,
    now: i64,
) -> ServiceResult<()> {
    crate::services::audit::append(
        conn,
        tenant,
        crate::services::audit::NewEvent {
            actor: crate::services::audit::Actor::system(BOOTSTRAP_ACTOR),
            action: AuditAction::RoleGranted,
            target_kind: TargetKind::Account,
            target_id: account_id.to_string(),
            subject_user_id: None,
            changes: vec![crate::services::audit::Change {
                field: "role".into(),
                before,
                after: Some(Role::TenantAdmin.as_str().into()),
            }],
            reason: Some("first admin of the tenant".into()),
            occurred_at: now,
        },
    )
    .await?;
    Ok(())
}
