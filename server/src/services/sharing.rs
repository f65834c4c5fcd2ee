//! Sharing features of a tenant: the overview with flows, states and consents; the impact
//! preview; turning a feature on (with a consent record where a recipient is not our agent) and
//! off (consent ends, pending deliveries are cancelled, and each recipient gets a follow-up to
//! delete what it holds); recipients' endpoints; follow-ups done by hand; the disclosure report.
//!
//! Every change is one transaction with its audit event, and carries the feature state's
//! version, so two admins deciding at once cannot both win silently.

use crate::clock::{Clock, DAY_MS};
use crate::entities::disclosure::DeliveryStatus;
use crate::entities::follow_up_task::TaskStatus;
use crate::entities::{
    consent, data_flow, disclosure, feature_terms, follow_up_task, recipient, recipient_endpoint,
    sharing_feature, tenant_feature,
};
use crate::services::audit::{self, Actor, AuditAction, Change, NewEvent, TargetKind};
use crate::services::disclosures::{self, Connector};
use crate::services::error::{finish, ServiceError};
use anyhow::Context;
use app::auth::Principal;
use app::error::AppError;
use app::i18n::{Key, Locale};
use app::services::BoxFuture;
use app::sharing::{
    ConsentView, CycleSummary, EndpointView, FeatureChange, FeatureView, FlowField, FlowView,
    Preview, PreviewFlow, Report, ReportFilter, ReportSeries, SharingOverview, SharingPort,
    TaskView, TermsView, REPORT_MAX_DAYS,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use std::collections::{BTreeMap, HashMap};

/// Follow-ups shown on the sharing page, newest first.
const TASKS_SHOWN: u64 = 200;

pub struct SharingService {
    pub db: DatabaseConnection,
    pub connector: Connector,
    pub clock: Clock,
}

fn actor(principal: &Principal) -> Actor {
    Actor::of(principal)
}

impl SharingPort for SharingService {
    fn overview<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<SharingOverview, AppError>> {
        Box::pin(async move { finish(self.load_overview(principal).await) })
    }

    fn preview<'a>(
        &'a self,
        principal: &'a Principal,
        feature_id: &'a str,
        enable: bool,
        locale: Locale,
    ) -> BoxFuture<'a, Result<Preview, AppError>> {
        Box::pin(async move {
            finish(
                self.build_preview(principal, feature_id, enable, locale)
                    .await,
            )
        })
    }

    fn enable<'a>(
        &'a self,
        principal: &'a Principal,
        change: FeatureChange,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.turn_on(principal, &change).await) })
    }

    fn disable<'a>(
        &'a self,
        principal: &'a Principal,
        feature_id: &'a str,
        base_version: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.turn_off(principal, feature_id, base_version).await) })
    }

    fn set_endpoint<'a>(
        &'a self,
        principal: &'a Principal,
        recipient_id: &'a str,
        url: &'a str,
        secret: &'a str,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            finish(
                self.save_endpoint(principal, recipient_id, url, secret)
                    .await,
            )
        })
    }

    fn run_now<'a>(
        &'a self,
        principal: &'a Principal,
    ) -> BoxFuture<'a, Result<CycleSummary, AppError>> {
        Box::pin(async move {
            disclosures::run_tenant(
                &self.db,
                &self.connector,
                &principal.tenant_id,
                self.clock.now_ms(),
            )
            .await
            .map_err(|e| crate::error::internal(&e))
        })
    }

    fn complete_task<'a>(
        &'a self,
        principal: &'a Principal,
        task_id: i64,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { finish(self.finish_task(principal, task_id).await) })
    }

    fn report<'a>(
        &'a self,
        principal: &'a Principal,
        filter: ReportFilter,
    ) -> BoxFuture<'a, Result<Report, AppError>> {
        Box::pin(async move {
            finish(build_report(&self.db, principal, &filter, self.clock.now_ms()).await)
        })
    }
}

/// The tenant's state of a feature; a feature never touched in the tenant is off at version 0.
async fn state_of<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    feature_id: &str,
) -> Result<Option<tenant_feature::Model>, ServiceError> {
    Ok(
        tenant_feature::Entity::find_by_id((tenant_id.to_owned(), feature_id.to_owned()))
            .one(db)
            .await
            .context("reading a feature state")?,
    )
}

async fn feature<C: ConnectionTrait>(
    db: &C,
    feature_id: &str,
) -> Result<sharing_feature::Model, ServiceError> {
    sharing_feature::Entity::find_by_id(feature_id.to_owned())
        .one(db)
        .await
        .context("reading a feature")?
        .ok_or(ServiceError::NotFound)
}

impl SharingService {
    async fn load_overview(&self, principal: &Principal) -> Result<SharingOverview, ServiceError> {
        let db = &self.db;
        let tenant = principal.tenant_id.clone();
        let features = sharing_feature::Entity::find()
            .order_by_asc(sharing_feature::Column::Name)
            .all(db)
            .await
            .context("reading features")?;
        let recipients: HashMap<String, recipient::Model> = recipient::Entity::find()
            .all(db)
            .await
            .context("reading recipients")?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let flows = data_flow::Entity::find()
            .order_by_asc(data_flow::Column::Id)
            .all(db)
            .await
            .context("reading data flows")?;
        let states: HashMap<String, tenant_feature::Model> = tenant_feature::Entity::find()
            .filter(tenant_feature::Column::TenantId.eq(tenant.clone()))
            .all(db)
            .await
            .context("reading feature states")?
            .into_iter()
            .map(|s| (s.feature_id.clone(), s))
            .collect();
        let consent_ids: Vec<i64> = states.values().filter_map(|s| s.consent_id).collect();
        let consents: HashMap<i64, consent::Model> = if consent_ids.is_empty() {
            HashMap::new()
        } else {
            consent::Entity::find()
                .filter(consent::Column::TenantId.eq(tenant.clone()))
                .filter(consent::Column::Id.is_in(consent_ids))
                .all(db)
                .await
                .context("reading consents")?
                .into_iter()
                .map(|c| (c.id, c))
                .collect()
        };
        let since = self.clock.now_ms() - 30 * DAY_MS;
        let recent: HashMap<String, i64> = disclosure::Entity::find()
            .select_only()
            .column(disclosure::Column::FeatureId)
            .column_as(disclosure::Column::Id.count(), "n")
            .filter(disclosure::Column::TenantId.eq(tenant.clone()))
            .filter(disclosure::Column::DisclosedAt.gte(since))
            .group_by(disclosure::Column::FeatureId)
            .into_tuple::<(String, i64)>()
            .all(db)
            .await
            .context("counting recent disclosures")?
            .into_iter()
            .collect();

        let mut views = Vec::new();
        for f in features {
            let state = states.get(&f.id);
            let consent = state
                .and_then(|s| s.consent_id)
                .and_then(|id| consents.get(&id))
                .filter(|c| c.withdrawn_at.is_none());
            let consent_version = consent.map_or(0, |c| c.terms_version);
            let mut grouped: BTreeMap<(String, String), Vec<FlowField>> = BTreeMap::new();
            for flow in flows.iter().filter(|fl| fl.feature_id == f.id) {
                let is_agent = recipients
                    .get(&flow.recipient_id)
                    .is_some_and(|r| r.is_agent);
                grouped
                    .entry((flow.direction.clone(), flow.recipient_id.clone()))
                    .or_default()
                    .push(FlowField {
                        name: flow.field.clone(),
                        personal_data: app::domain::catalogue::FieldId::parse(&flow.field).is_ok(),
                        since_terms_version: flow.since_terms_version,
                        covered: is_agent
                            || flow.direction == "inbound"
                            || consent_version >= flow.since_terms_version,
                    });
            }
            // Outbound first: it is what this page is about.
            let mut flow_views: Vec<FlowView> = grouped
                .into_iter()
                .map(|((direction, recipient_id), fields)| {
                    let r = recipients.get(&recipient_id);
                    FlowView {
                        recipient_name: r.map_or_else(|| recipient_id.clone(), |r| r.name.clone()),
                        is_agent: r.is_some_and(|r| r.is_agent),
                        contract_ref: r.map(|r| r.contract_ref.clone()).unwrap_or_default(),
                        recipient_id,
                        direction,
                        fields,
                    }
                })
                .collect();
            flow_views.sort_by_key(|fl| fl.direction != "outbound");
            let enabled = state.is_some_and(|s| s.enabled);
            views.push(FeatureView {
                consent_outdated: enabled
                    && f.needs_consent
                    && consent.is_some_and(|c| c.terms_version < f.terms_version),
                id: f.id.clone(),
                name: f.name,
                purpose: f.purpose,
                needs_consent: f.needs_consent,
                terms_version: f.terms_version,
                enabled,
                changed_at: state.map(|s| s.changed_at),
                changed_by: state.map(|s| s.changed_by.clone()),
                version: state.map_or(0, |s| s.version),
                consent: consent.map(|c| ConsentView {
                    id: c.id,
                    granted_by: c.granted_by.clone(),
                    granted_at: c.granted_at,
                    terms_version: c.terms_version,
                    locale: c.locale.clone(),
                }),
                flows: flow_views,
                disclosures_30d: recent
                    .get(&f.id)
                    .copied()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
            });
        }

        let configured: HashMap<String, recipient_endpoint::Model> =
            recipient_endpoint::Entity::find()
                .filter(recipient_endpoint::Column::TenantId.eq(tenant.clone()))
                .all(db)
                .await
                .context("reading endpoints")?
                .into_iter()
                .map(|e| (e.recipient_id.clone(), e))
                .collect();
        let mut endpoints: Vec<EndpointView> = recipients
            .values()
            .filter(|r| r.id != "configuration_manager")
            .map(|r| {
                let e = configured.get(&r.id);
                EndpointView {
                    recipient_id: r.id.clone(),
                    recipient_name: r.name.clone(),
                    is_agent: r.is_agent,
                    url: e.map(|e| e.url.clone()),
                    updated_at: e.map(|e| e.updated_at),
                    updated_by: e.map(|e| e.updated_by.clone()),
                }
            })
            .collect();
        endpoints.sort_by(|a, b| a.recipient_name.cmp(&b.recipient_name));

        let tasks = follow_up_task::Entity::find()
            .filter(follow_up_task::Column::TenantId.eq(tenant.clone()))
            .order_by_desc(follow_up_task::Column::Id)
            .limit(TASKS_SHOWN)
            .all(db)
            .await
            .context("reading follow-ups")?
            .into_iter()
            .map(|t| TaskView {
                recipient_name: recipients
                    .get(&t.recipient_id)
                    .map_or_else(|| t.recipient_id.clone(), |r| r.name.clone()),
                deliverable: configured.contains_key(&t.recipient_id),
                id: t.id,
                kind: t.kind,
                feature_id: t.feature_id,
                record_id: t.record_id,
                field: t.field,
                status: t.status,
                created_at: t.created_at,
                sent_at: t.sent_at,
                attempts: t.attempts,
            })
            .collect();

        Ok(SharingOverview {
            features: views,
            endpoints,
            tasks,
            can_manage: principal.has(app::auth::Role::TenantAdmin),
        })
    }

    async fn build_preview(
        &self,
        principal: &Principal,
        feature_id: &str,
        enable: bool,
        locale: Locale,
    ) -> Result<Preview, ServiceError> {
        let db = &self.db;
        let f = feature(db, feature_id).await?;
        let state = state_of(db, &principal.tenant_id, feature_id).await?;
        let (users, devices, apps) =
            disclosures::scope_counts(db, &principal.tenant_id, feature_id).await?;
        let recipients: HashMap<String, recipient::Model> = recipient::Entity::find()
            .all(db)
            .await
            .context("reading recipients")?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let flows = data_flow::Entity::find()
            .filter(data_flow::Column::FeatureId.eq(feature_id))
            .filter(data_flow::Column::Direction.eq("outbound"))
            .order_by_asc(data_flow::Column::Id)
            .all(db)
            .await
            .context("reading data flows")?;
        let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for flow in flows {
            grouped
                .entry(flow.recipient_id)
                .or_default()
                .push(flow.field);
        }
        let terms = if enable && f.needs_consent {
            let wanted = locale.code();
            let mut rows = feature_terms::Entity::find()
                .filter(feature_terms::Column::FeatureId.eq(feature_id))
                .filter(feature_terms::Column::Version.eq(f.terms_version))
                .all(db)
                .await
                .context("reading terms")?;
            rows.sort_by_key(|t| t.locale != wanted);
            rows.into_iter().next().map(|t| TermsView {
                version: t.version,
                locale: t.locale,
                text: t.text,
            })
        } else {
            None
        };
        Ok(Preview {
            feature_id: f.id,
            feature_name: f.name,
            turning_on: enable,
            users,
            devices,
            apps,
            flows: grouped
                .into_iter()
                .map(|(recipient_id, fields)| {
                    let r = recipients.get(&recipient_id);
                    PreviewFlow {
                        recipient_name: r.map_or(recipient_id.clone(), |r| r.name.clone()),
                        is_agent: r.is_some_and(|r| r.is_agent),
                        fields,
                    }
                })
                .collect(),
            terms,
            version: state.map_or(0, |s| s.version),
        })
    }

    async fn turn_on(
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

    async fn turn_off(
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
        // Turning a feature off does not delete anything at the recipient: ask each one.
        let recipients: Vec<String> = data_flow::Entity::find()
            .select_only()
            .column(data_flow::Column::RecipientId)
            .distinct()
            .filter(data_flow::Column::FeatureId.eq(f.id.clone()))
            .filter(data_flow::Column::Direction.eq("outbound"))
            .into_tuple()
            .all(&txn)
            .await
            .context("reading the feature's recipients")?;
        for recipient_id in recipients {
            follow_up_task::ActiveModel {
                id: NotSet,
                tenant_id: Set(tenant.clone()),
                kind: Set("delete_at_recipient".into()),
                recipient_id: Set(recipient_id),
                feature_id: Set(Some(f.id.clone())),
                record_kind: Set(None),
                record_id: Set(None),
                field: Set(None),
                audit_event_id: Set(Some(event_id)),
                status: Set(TaskStatus::Open),
                created_at: Set(now),
                done_at: Set(None),
                done_by: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await
            .context("creating a deletion follow-up")?;
        }
        txn.commit().await.context("committing the change")?;
        Ok(())
    }

    async fn save_endpoint(
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

    async fn finish_task(&self, principal: &Principal, task_id: i64) -> Result<(), ServiceError> {
        let txn = self.db.begin().await.context("starting a transaction")?;
        let task = follow_up_task::Entity::find_by_id(task_id)
            .filter(follow_up_task::Column::TenantId.eq(principal.tenant_id.clone()))
            .one(&txn)
            .await
            .context("reading the follow-up")?
            .ok_or(ServiceError::NotFound)?;
        if task.status == TaskStatus::Done {
            return Ok(());
        }
        let now = self.clock.now_ms();
        let before = task.status;
        let mut row: follow_up_task::ActiveModel = task.clone().into();
        row.status = Set(TaskStatus::Done);
        row.done_at = Set(Some(now));
        row.done_by = Set(Some(principal.actor_name()));
        row.next_attempt_at = Set(None);
        row.update(&txn).await.context("completing the follow-up")?;
        audit::append(
            &txn,
            &principal.tenant_id,
            NewEvent {
                actor: actor(principal),
                action: AuditAction::FollowUpDone,
                target_kind: TargetKind::FollowUp,
                target_id: task.id.to_string(),
                subject_user_id: None,
                changes: vec![Change {
                    field: "status".into(),
                    before: Some(before.as_str().into()),
                    after: Some(TaskStatus::Done.as_str().into()),
                }],
                reason: None,
                occurred_at: now,
            },
        )
        .await?;
        txn.commit().await.context("committing the follow-up")?;
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

/// The report's day range: `[from, to]` as UTC day starts.
pub fn report_range(filter: &ReportFilter, now: i64) -> Result<(i64, i64), ServiceError> {
    let bad = |field: &str, key: Key| ServiceError::invalid(field, key);
    let today = now.div_euclid(DAY_MS) * DAY_MS;
    let to = if filter.to.trim().is_empty() {
        today
    } else {
        app::time::parse_day(&filter.to).ok_or_else(|| bad("to", Key::ReportDateInvalid))?
    };
    let from = if filter.from.trim().is_empty() {
        to - 29 * DAY_MS
    } else {
        app::time::parse_day(&filter.from).ok_or_else(|| bad("from", Key::ReportDateInvalid))?
    };
    if from > to || (to - from) / DAY_MS >= REPORT_MAX_DAYS {
        return Err(bad("from", Key::ReportRangeInvalid));
    }
    Ok((from, to))
}

/// Disclosures per recipient and day in the range, optionally of one feature.
///
/// # Errors
/// 422 for bad dates or range; 500 when the database fails.
pub(crate) async fn build_report<C: ConnectionTrait>(
    db: &C,
    principal: &Principal,
    filter: &ReportFilter,
    now: i64,
) -> Result<Report, ServiceError> {
    let (from, to) = report_range(filter, now)?;
    // A literal, not a bound parameter: PostgreSQL only matches the SELECT and GROUP BY
    // expressions when they are the same text.
    let day_expr = Expr::cust(format!("disclosed_at / {DAY_MS}"));
    let mut query = disclosure::Entity::find()
        .select_only()
        .column(disclosure::Column::RecipientId)
        .column_as(day_expr.clone(), "day")
        .column_as(disclosure::Column::Id.count(), "n")
        .filter(disclosure::Column::TenantId.eq(principal.tenant_id.clone()))
        .filter(disclosure::Column::DisclosedAt.gte(from))
        .filter(disclosure::Column::DisclosedAt.lt(to + DAY_MS));
    let feature = filter.feature.trim();
    if !feature.is_empty() {
        query = query.filter(disclosure::Column::FeatureId.eq(feature));
    }
    let rows: Vec<(String, i64, i64)> = query
        .group_by(disclosure::Column::RecipientId)
        .group_by(day_expr)
        .into_tuple()
        .all(db)
        .await
        .context("counting disclosures per day")?;
    let names: HashMap<String, String> = recipient::Entity::find()
        .all(db)
        .await
        .context("reading recipients")?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let first_day = from / DAY_MS;
    let days: Vec<i64> = (first_day..=to / DAY_MS).map(|d| d * DAY_MS).collect();
    let mut series: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut total = 0;
    for (recipient_id, day, n) in rows {
        let counts = series
            .entry(recipient_id)
            .or_insert_with(|| vec![0; days.len()]);
        let n = u64::try_from(n).unwrap_or(0);
        if let Some(slot) = usize::try_from(day - first_day)
            .ok()
            .and_then(|i| counts.get_mut(i))
        {
            *slot += n;
            total += n;
        }
    }
    let mut series: Vec<ReportSeries> = series
        .into_iter()
        .map(|(recipient_id, counts)| ReportSeries {
            recipient_name: names
                .get(&recipient_id)
                .cloned()
                .unwrap_or_else(|| recipient_id.clone()),
            total: counts.iter().sum(),
            recipient_id,
            counts,
        })
        .collect();
    series.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.recipient_name.cmp(&b.recipient_name))
    });
    Ok(Report {
        days,
        series,
        total,
    })
}
