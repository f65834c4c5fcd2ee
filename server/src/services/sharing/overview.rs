//! The sharing page's overview: every feature with its flows, state, consent and recent
//! disclosures; the recipients' endpoints; the newest follow-ups.

use super::SharingService;
use crate::clock::DAY_MS;
use crate::entities::data_flow::FlowDirection;
use crate::entities::{
    consent, data_flow, disclosure, follow_up_task, recipient_endpoint, sharing_feature,
    tenant_feature,
};
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use app::sharing::{
    ConsentView, EndpointView, FeatureView, FlowField, FlowView, SharingOverview, TaskView,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};

/// Follow-ups shown on the sharing page, newest first.
const TASKS_SHOWN: u64 = 200;

impl SharingService {
    pub(super) async fn load_overview(
        &self,
        principal: &Principal,
    ) -> Result<SharingOverview, ServiceError> {
        let db = &self.db;
        let tenant = principal.tenant_id.clone();
        let features = sharing_feature::Entity::find()
            .order_by_asc(sharing_feature::Column::Name)
            .all(db)
            .await
            .context("reading features")?;
        let recipients = crate::services::personal_data::recipients(db).await?;
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
            // Keyed by the stored name, so that groups keep the order they always had.
            let mut grouped: BTreeMap<(&str, String), (FlowDirection, Vec<FlowField>)> =
                BTreeMap::new();
            for flow in flows.iter().filter(|fl| fl.feature_id == f.id) {
                let is_agent = recipients
                    .get(&flow.recipient_id)
                    .is_some_and(|r| r.is_agent);
                grouped
                    .entry((flow.direction.as_str(), flow.recipient_id.clone()))
                    .or_insert_with(|| (flow.direction, Vec::new()))
                    .1
                    .push(FlowField {
                        name: flow.field.clone(),
                        personal_data: app::domain::catalogue::FieldId::parse(&flow.field).is_ok(),
                        since_terms_version: flow.since_terms_version,
                        covered: is_agent
                            || flow.direction == FlowDirection::Inbound
                            || consent_version >= flow.since_terms_version,
                    });
            }
            // Outbound first: it is what this page is about.
            let mut flow_views: Vec<FlowView> = grouped
                .into_iter()
                .map(|((_, recipient_id), (direction, fields))| {
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
            flow_views.sort_by_key(|fl| fl.direction != FlowDirection::Outbound);
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
                    url: e.map(|e| crate::outbound::mask_url(&e.url)),
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
}
