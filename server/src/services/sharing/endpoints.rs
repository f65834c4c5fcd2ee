//! A recipient's endpoint for the tenant: where its deliveries go and the secret they are
//! signed with; set, replaced or removed, with an audit event that never holds the secret.

use super::actor;
use super::SharingService;
use crate::entities::{recipient, recipient_endpoint};
use crate::services::audit::{self, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use app::i18n::Key;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

impl SharingService {
    pub(super) async fn save_endpoint(
        &self,
        principal: &Principal,
        recipient_id: &str,
        url: &str,
        secret: &str,
    ) -> Result<(), ServiceError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        let r = recipient::Entity::find_by_id(recipient_id.to_owned())
            .one(&txn)
            .await
            .context("reading the recipient")?
            .ok_or(ServiceError::NotFound)?;
        let tenant = principal.tenant_id.clone();
        let existing = recipient_endpoint::Entity::find_by_id((tenant.clone(), r.id.clone()))
            .one(&txn)
            .await
            .context("reading the endpoint")?;
        let url = url.trim();
        let now = self.clock.now_ms();
        let mut changes = vec![Change {
            field: "url".into(),
            before: existing.as_ref().map(|e| e.url.clone()),
            after: (!url.is_empty()).then(|| url.to_owned()),
        }];
        if url.is_empty() {
            if existing.is_none() {
                return Ok(());
            }
            recipient_endpoint::Entity::delete_by_id((tenant.clone(), r.id.clone()))
                .exec(&txn)
                .await
                .context("removing the endpoint")?;
        } else {
            let parsed = openidconnect::url::Url::parse(url).ok();
            let valid = url.len() <= 2048
                && parsed
                    .as_ref()
                    .is_some_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
            if !valid {
                return Err(ServiceError::invalid("url", Key::SharingEndpointUrlInvalid));
            }
            let secret = secret.trim();
            let secret = match (&existing, secret.is_empty()) {
                (Some(e), true) => e.secret.clone(),
                _ if secret.chars().count() < 16 || secret.len() > 256 => {
                    return Err(ServiceError::invalid(
                        "secret",
                        Key::SharingEndpointSecretShort,
                    ))
                }
                _ => {
                    changes.push(Change {
                        field: "secret".into(),
                        before: existing.as_ref().map(|_| "********".into()),
                        after: Some("******** (new)".into()),
                    });
                    secret.to_owned()
                }
            };
            let row = recipient_endpoint::ActiveModel {
                tenant_id: Set(tenant.clone()),
                recipient_id: Set(r.id.clone()),
                url: Set(url.to_owned()),
                secret: Set(secret),
                updated_at: Set(now),
                updated_by: Set(principal.actor_name()),
            };
            if existing.is_some() {
                row.update(&txn).await.context("updating the endpoint")?;
            } else {
                row.insert(&txn).await.context("adding the endpoint")?;
            }
        }
        audit::append(
            &txn,
            &tenant,
            NewEvent {
                actor: actor(principal),
                action: if url.is_empty() {
                    AuditAction::EndpointRemoved
                } else {
                    AuditAction::EndpointSet
                },
                target_kind: TargetKind::Recipient,
                target_id: r.id.clone(),
                subject_user_id: None,
                changes,
                reason: None,
                occurred_at: now,
            },
        )
        .await?;
        txn.commit().await.context("committing the endpoint")?;
        Ok(())
    }
}
