//! In-portal notifications about correction requests: a new request goes to every reviewer of
//! the tenant (support reviewers and tenant admins, except the requester), a decision,
//! extension or pause to the requester. They are written in the transaction of the step they
//! announce, so there is never a notification of a step that did not happen.

use super::error::ServiceError;
use crate::entities::notification::{self, NotificationKind};
use crate::entities::{correction_request, directory_user, role_assignment};
use anyhow::Context;
use app::auth::{Principal, Role};
use app::domain::catalogue::FieldId;
use app::requests::NotificationView;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::{BTreeSet, HashMap};

/// Notifications shown at most.
const LIMIT: u64 = 100;

async fn insert(
    conn: &impl ConnectionTrait,
    tenant: &str,
    account_id: i64,
    kind: NotificationKind,
    request_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    notification::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant.into()),
        account_id: Set(account_id),
        kind: Set(kind),
        request_id: Set(request_id),
        created_at: Set(now),
        read_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Tells every reviewer of the tenant, except the requester, about a new request.
///
/// # Errors
/// When the database fails.
pub(crate) async fn to_reviewers(
    conn: &impl ConnectionTrait,
    requester: &Principal,
    request_id: i64,
    now: i64,
) -> Result<(), ServiceError> {
    let reviewers: BTreeSet<i64> = role_assignment::Entity::find()
        .filter(role_assignment::Column::TenantId.eq(requester.tenant_id.clone()))
        .filter(
            role_assignment::Column::Role
                .is_in([Role::SupportReviewer.as_str(), Role::TenantAdmin.as_str()]),
        )
        .all(conn)
        .await
        .context("reading reviewers")?
        .into_iter()
        .map(|r| r.account_id)
        .filter(|id| *id != requester.account_id)
        .collect();
    for account_id in reviewers {
        insert(
            conn,
            &requester.tenant_id,
            account_id,
            NotificationKind::RequestCreated,
            request_id,
            now,
        )
        .await?;
    }
    Ok(())
}

/// Tells the requester about a step of their request.
///
/// # Errors
/// When the database fails.
pub(crate) async fn to_requester(
    conn: &impl ConnectionTrait,
    request: &correction_request::Model,
    kind: NotificationKind,
    now: i64,
) -> Result<(), ServiceError> {
    if let Some(account_id) = request.requester_account_id {
        insert(conn, &request.tenant_id, account_id, kind, request.id, now).await?;
    }
    Ok(())
}

/// The principal's notifications, newest first.
///
/// # Errors
/// When the database fails.
pub(crate) async fn list(
    conn: &impl ConnectionTrait,
    principal: &Principal,
) -> Result<Vec<NotificationView>, ServiceError> {
    let rows = notification::Entity::find()
        .filter(notification::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(notification::Column::AccountId.eq(principal.account_id))
        .order_by_desc(notification::Column::Id)
        .limit(LIMIT)
        .all(conn)
        .await
        .context("reading notifications")?;
    let ids: BTreeSet<i64> = rows.iter().map(|n| n.request_id).collect();
    let requests: HashMap<i64, correction_request::Model> = correction_request::Entity::find()
        .filter(correction_request::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(correction_request::Column::Id.is_in(ids))
        .all(conn)
        .await
        .context("reading notified requests")?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let subjects: BTreeSet<String> = requests
        .values()
        .map(|r| r.subject_user_id.clone())
        .collect();
    let names: HashMap<String, String> = directory_user::Entity::find()
        .filter(directory_user::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(directory_user::Column::Id.is_in(subjects))
        .all(conn)
        .await
        .context("reading notified subjects")?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|n| {
            let request = requests.get(&n.request_id);
            NotificationView {
                id: n.id,
                for_reviewer: n.kind == NotificationKind::RequestCreated,
                kind: n.kind,
                request_id: n.request_id,
                field: request.and_then(|r| FieldId::parse(&r.field).ok()),
                subject_name: request
                    .and_then(|r| names.get(&r.subject_user_id).cloned())
                    .unwrap_or_default(),
                created_at: n.created_at,
                read: n.read_at.is_some(),
            }
        })
        .collect())
}

/// Marks every unread notification of the principal read.
///
/// # Errors
/// When the database fails.
pub(crate) async fn mark_read(
    conn: &impl ConnectionTrait,
    principal: &Principal,
    now: i64,
) -> Result<(), ServiceError> {
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(Some(now)))
        .filter(notification::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(notification::Column::AccountId.eq(principal.account_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}
