//! What turning a feature on or off would touch: the users, devices and apps in its scope,
//! the recipients and fields of its outbound flows, and the terms to consent to.

use super::SharingService;
use super::{feature, state_of};
use crate::entities::data_flow::FlowDirection;
use crate::entities::{data_flow, feature_terms};
use crate::services::disclosures;
use crate::services::error::ServiceError;
use anyhow::Context;
use app::auth::Principal;
use app::i18n::Locale;
use app::sharing::{Preview, PreviewFlow, TermsView};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;

impl SharingService {
    pub(super) async fn build_preview(
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
        let recipients = crate::services::personal_data::recipients(db).await?;
        let flows = data_flow::Entity::find()
            .filter(data_flow::Column::FeatureId.eq(feature_id))
            .filter(data_flow::Column::Direction.eq(FlowDirection::Outbound))
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
}
