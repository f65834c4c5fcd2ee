//! Turning a feature on (with a consent record where a recipient is not our agent, renewed
//! when the terms change) and off (consent ends, pending deliveries are cancelled, and each
//! recipient gets a follow-up to delete what it holds), each guarded by the state's version.

use super::SharingService;
use super::{actor, feature, state_of};
use crate::entities::disclosure::DeliveryStatus;
use crate::entities::follow_up_task::TaskKind;
use crate::entities::{consent, disclosure, feature_terms, follow_up_task, tenant_feature};
use crate::services::audit::{self, AuditAction, Change, NewEvent, TargetKind};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use app::i18n::Key;
use app::sharing::FeatureChange;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, Set,
    TransactionTrait,
};

impl SharingService {
    pub(super) async fn turn_on(
        &self,
        principal: &Principal,
        change: &FeatureChange,
    ) -> Result<(), ServiceError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        let f = feature(&txn, &change.feature_id).await?;
        let tenant = principal.tenant_id.clone();
        let state = state_of(&txn, &tenant, &f.id).await?;
        let version = state.as_ref().map_or(0, |s| s.version);
        if version != change.base_version {
            return Err(ServiceError::Conflict);
        }
        let was_enabled = state.as_ref().is_some_and(|s| s.enabled);
        let current_consent = match state.as_ref().and_then(|s| s.consent_id) {
            Some(id) => consent::Entity::find_by_id(id)
                .one(&txn)
                .await
                .context("reading the consent in force")?
                .filter(|c| c.withdrawn_at.is_none()),
            None => None,
        };
        let consent_current = current_consent
            .as_ref()
            .is_some_and(|c| c.terms_version >= f.terms_version);
        if was_enabled && (!f.needs_consent || consent_current) {
            // Already on and covered: nothing to do, and nothing to record.
            return Ok(());
        }
        let now = self.clock.now_ms();
        let mut consent_id = None;
        let mut changes = vec![Change {
            field: "enabled".into(),
            before: Some(was_enabled.to_string()),
            after: Some("true".into()),
        }];
        if f.needs_consent {
            if !change.consent {
                return Err(ServiceError::invalid(
                    "consent",
                    Key::SharingConsentRequired,
                ));
            }
            if change.terms_version != f.terms_version {
                // The admin read older terms than the current ones: they must read again.
                return Err(ServiceError::Conflict);
            }
            let locale = change.locale.code();
            let terms = feature_terms::Entity::find_by_id((
                f.id.clone(),
                f.terms_version,
                locale.to_owned(),
            ))
            .one(&txn)
            .await
            .context("reading the terms consented to")?
            .ok_or(ServiceError::Conflict)?;
            if let Some(old) = &current_consent {
                let mut old: consent::ActiveModel = old.clone().into();
                old.withdrawn_at = Set(Some(now));
                old.update(&txn).await.context("ending the old consent")?;
            }
            let row = consent::ActiveModel {
                id: NotSet,
                tenant_id: Set(tenant.clone()),
                feature_id: Set(f.id.clone()),
                terms_version: Set(f.terms_version),
                locale: Set(locale.to_owned()),
                terms_text: Set(terms.text),
                granted_by: Set(principal.actor_name()),
                granted_at: Set(now),
                withdrawn_at: Set(None),
            }
            .insert(&txn)
            .await
            .context("recording the consent")?;
            consent_id = Some(row.id);
            changes.push(Change {
                field: "consent_terms_version".into(),
                before: current_consent
                    .as_ref()
                    .map(|c| c.terms_version.to_string()),
                after: Some(format!("{} ({locale})", f.terms_version)),
            });
        }
        let changed_at = if was_enabled {
            state.as_ref().map_or(now, |s| s.changed_at)
        } else {
            now
        };
        let updated = tenant_feature::ActiveModel {
            tenant_id: Set(tenant.clone()),
            feature_id: Set(f.id.clone()),
            enabled: Set(true),
            changed_at: Set(changed_at),
            changed_by: Set(principal.actor_name()),
            consent_id: Set(consent_id),
            version: Set(version + 1),
        };
        save_state(&txn, state.is_some(), updated, (&tenant, &f.id), version).await?;
        audit::append(
            &txn,
            &tenant,
            NewEvent {
                actor: actor(principal),
                action: if was_enabled {
                    AuditAction::FeatureConsentRenewed
                } else {
                    AuditAction::FeatureEnabled
                },
                target_kind: TargetKind::Feature,
                target_id: f.id.clone(),
                subject_user_id: None,
                changes,
                reason: None,
                occurred_at: now,
            },
        )
        .await?;
        txn.commit().await.context("committing the change")?;
        Ok(())
    }

    pub(super) async fn turn_off(
        &self,
        principal: &Principal,
        feature_id: &str,
        base_version: i64,
    ) -> Result<(), ServiceError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        let f = feature(&txn, feature_id).await?;
        let tenant = principal.tenant_id.clone();
        let state = state_of(&txn, &tenant, &f.id).await?;
        let version = state.as_ref().map_or(0, |s| s.version);
        if version != base_version {
            return Err(ServiceError::Conflict);
        }
        let Some(state) = state.filter(|s| s.enabled) else {
            return Ok(());
        };
        let now = self.clock.now_ms();
        if let Some(id) = state.consent_id {
            consent::Entity::update_many()
                .col_expr(consent::Column::WithdrawnAt, Expr::value(now))
                .filter(consent::Column::Id.eq(id))
                .filter(consent::Column::WithdrawnAt.is_null())
                .exec(&txn)
                .await
                .context("ending the consent")?;
        }
        // New disclosures stop at once: what was recorded but not yet delivered is not sent.
        disclosure::Entity::update_many()
            .col_expr(
                disclosure::Column::DeliveryStatus,
                Expr::value(DeliveryStatus::Cancelled),
            )
            .filter(disclosure::Column::TenantId.eq(tenant.clone()))
            .filter(disclosure::Column::FeatureId.eq(f.id.clone()))
            .filter(disclosure::Column::DeliveryStatus.eq(DeliveryStatus::Pending))
            .exec(&txn)
            .await
            .context("cancelling pending deliveries")?;
        let updated = tenant_feature::ActiveModel {
            tenant_id: Set(tenant.clone()),
            feature_id: Set(f.id.clone()),
            enabled: Set(false),
            changed_at: Set(now),
            changed_by: Set(principal.actor_name()),
            consent_id: Set(None),
            version: Set(version + 1),
        };
        save_state(&txn, true, updated, (&tenant, &f.id), version).await?;
        let event_id = audit::append(
            &txn,
            &tenant,
            NewEvent {
                actor: actor(principal),
                action: AuditAction::FeatureDisabled,
                target_kind: TargetKind::Feature,
                target_id: f.id.clone(),
                subject_user_id: None,
                changes: vec![Change {
                    field: "enabled".into(),
                    before: Some("true".into()),
                    after: Some("false".into()),
                }],
                reason: None,
                occurred_at: now,
            },
        )
        .await?;
        // Turning a feature off does not delete anything at the recipient: ask each one that
        // holds something through it, by what it received (the ledger), not by today's flows:
        // a recipient dropped from the catalogue's flow may still hold what it got, and one that
        // never received anything has nothing to delete.
        // One indexed look per recipient of the catalogue (a handful), not a scan of the
        // tenant's ledger.
        let mut recipients = Vec::new();
        for candidate in crate::entities::recipient::Entity::find()
            .all(&txn)
            .await
            .context("reading recipients")?
        {
            let received = disclosure::Entity::find()
                .filter(disclosure::Column::TenantId.eq(tenant.clone()))
                .filter(disclosure::Column::RecipientId.eq(candidate.id.clone()))
                .filter(disclosure::Column::FeatureId.eq(f.id.clone()))
                .filter(disclosure::Column::DeliveryStatus.is_in(DeliveryStatus::RECEIVED))
                .one(&txn)
                .await
                .context("reading who received data through the feature")?;
            if received.is_some() {
                recipients.push(candidate.id);
            }
        }
        for recipient_id in recipients {
            follow_up_task::ActiveModel::open(
                &tenant,
                TaskKind::DeleteAtRecipient,
                recipient_id,
                f.id.clone(),
                None,
                event_id,
                now,
            )
            .insert(&txn)
            .await
            .context("creating a deletion follow-up")?;
        }
        txn.commit().await.context("committing the change")?;
        Ok(())
    }
}

/// Inserts or (guarded by the version read) updates a tenant's feature state.
async fn save_state<C: ConnectionTrait>(
    db: &C,
    exists: bool,
    row: tenant_feature::ActiveModel,
    (tenant_id, feature_id): (&str, &str),
    read_version: i64,
) -> Result<(), ServiceError> {
    if !exists {
        row.insert(db)
            .await
            .context("recording the feature state")?;
        return Ok(());
    }
    let result = tenant_feature::Entity::update_many()
        .set(row)
        .filter(tenant_feature::Column::TenantId.eq(tenant_id))
        .filter(tenant_feature::Column::FeatureId.eq(feature_id))
        .filter(tenant_feature::Column::Version.eq(read_version))
        .exec(db)
        .await
        .context("updating the feature state")?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(ServiceError::Conflict)
    }
}
