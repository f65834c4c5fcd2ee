//! A recipient's endpoint for the tenant: where its deliveries go and the secret they are
//! signed with; set, replaced or removed, with an audit event that never holds the secret or
//! the URL's keys (it holds the masked URL). The URL passes the outbound address policy first.

use super::actor;
use super::SharingService;
use crate::entities::{recipient, recipient_endpoint};
use crate::outbound::{mask_url, Refusal};
use crate::services::audit::{self, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use app::i18n::Key;
use sea_orm::{ActiveModelTrait, EntityTrait, Set, TransactionTrait};

/// The field-level message for a refused URL.
fn refused(refusal: Refusal) -> ServiceError {
    let key = match refusal {
        Refusal::Invalid => Key::SharingEndpointUrlInvalid,
        Refusal::NotHttps => Key::SharingEndpointUrlNotHttps,
        Refusal::AddressNotAllowed => Key::SharingEndpointUrlNotAllowed,
        Refusal::HostNotFound => Key::SharingEndpointUrlNotFound,
    };
    ServiceError::invalid("url", key)
}

impl SharingService {
    /// Sets, changes or (with `remove`) removes a recipient's endpoint. An empty `url` keeps
    /// the current one, so the secret can be replaced without re-entering a URL that the page
    /// no longer shows in full.
    ///
    /// # Errors
    /// Invalid `url` when it is not https (http only if allowed), has no host, does not
    /// resolve or resolves to a refused address (checked before anything is written); invalid
    /// `secret` for fewer than 16 or more than 256 characters; not found for an unknown
    /// recipient.
    pub(super) async fn save_endpoint(
        &self,
        principal: &Principal,
        recipient_id: &str,
        url: &str,
        secret: &str,
        remove: bool,
    ) -> Result<(), ServiceError> {
        let url = url.trim();
        // Resolved before the transaction: a slow DNS answer must not hold a database lock.
        if !remove && !url.is_empty() {
            self.connector
                .outbound()
                .check(url)
                .await
                .map_err(refused)?;
        }
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
        let now = self.clock.now_ms();
        let before = existing.as_ref().map(|e| mask_url(&e.url));
        let mut changes = Vec::new();
        if remove {
            if existing.is_none() {
                return Ok(());
            }
            changes.push(Change {
                field: "url".into(),
                before,
                after: None,
            });
            recipient_endpoint::Entity::delete_by_id((tenant.clone(), r.id.clone()))
                .exec(&txn)
                .await
                .context("removing the endpoint")?;
        } else {
            let new_url = match (&existing, url.is_empty()) {
                (_, false) => url.to_owned(),
                (Some(e), true) => e.url.clone(),
                (None, true) if secret.trim().is_empty() => return Ok(()),
                (None, true) => return Err(refused(Refusal::Invalid)),
            };
            if existing.as_ref().is_none_or(|e| e.url != new_url) {
                changes.push(Change {
                    field: "url".into(),
                    before,
                    after: Some(mask_url(&new_url)),
                });
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
            if changes.is_empty() {
                return Ok(());
            }
            let row = recipient_endpoint::ActiveModel {
                tenant_id: Set(tenant.clone()),
                recipient_id: Set(r.id.clone()),
                url: Set(new_url),
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
                action: if remove {
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
