//! Recording disclosures: the sharing cycle walks each enabled feature's flows and records,
//! per record, what the recipient is due to receive (a fingerprint of the values, never the
//! values), unless the field is restricted.

use super::*;
use crate::entities::data_flow::FlowDirection;

/// Runs the sharing cycle for every tenant: records what is due, then delivers.
///
/// # Errors
/// When the database fails; what was committed before stays, and the next run continues.
pub async fn run_cycle<C: ConnectionTrait>(
    db: &C,
    connector: &Connector,
    now: i64,
) -> anyhow::Result<CycleSummary> {
    let tenants: Vec<String> = tenant::Entity::find()
        .select_only()
        .column(tenant::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .context("listing tenants")?;
    let mut summary = CycleSummary::default();
    for tenant_id in tenants {
        let recorded = record_tenant(db, &tenant_id, now).await?;
        summary.recorded += recorded.recorded;
        summary.restricted_fields += recorded.restricted_fields;
    }
    let delivered = deliver_due(db, connector, None, now).await?;
    summary.delivered = delivered.delivered;
    summary.failed = delivered.failed;
    summary.follow_ups_sent = delivered.follow_ups_sent;
    Ok(summary)
}

/// Runs the sharing cycle for one tenant.
///
/// # Errors
/// When the database fails.
pub async fn run_tenant<C: ConnectionTrait>(
    db: &C,
    connector: &Connector,
    tenant_id: &str,
    now: i64,
) -> anyhow::Result<CycleSummary> {
    let mut summary = record_tenant(db, tenant_id, now).await?;
    let delivered = deliver_due(db, connector, Some(tenant_id), now).await?;
    summary.delivered = delivered.delivered;
    summary.failed = delivered.failed;
    summary.follow_ups_sent = delivered.follow_ups_sent;
    Ok(summary)
}

/// The enabled flows of a tenant, with the fields each may carry.
pub(super) async fn enabled_flows<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
) -> anyhow::Result<Vec<Flow>> {
    let states = tenant_feature::Entity::find()
        .filter(tenant_feature::Column::TenantId.eq(tenant_id))
        .filter(tenant_feature::Column::Enabled.eq(true))
        .all(db)
        .await
        .context("reading enabled features")?;
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let features: HashMap<String, sharing_feature::Model> = sharing_feature::Entity::find()
        .all(db)
        .await
        .context("reading features")?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    let agents: HashMap<String, bool> = recipient::Entity::find()
        .all(db)
        .await
        .context("reading recipients")?
        .into_iter()
        .map(|r| (r.id, r.is_agent))
        .collect();
    let flows = data_flow::Entity::find()
        .filter(data_flow::Column::Direction.eq(FlowDirection::Outbound))
        .order_by_asc(data_flow::Column::Id)
        .all(db)
        .await
        .context("reading data flows")?;
    let mut out = Vec::new();
    for state in states {
        let Some(feature) = features.get(&state.feature_id) else {
            continue;
        };
        // The consent in force, if any; without it no independent third party gets anything.
        let consent = match state.consent_id {
            Some(id) => crate::entities::consent::Entity::find_by_id(id)
                .one(db)
                .await
                .context("reading the consent in force")?
                .filter(|c| c.withdrawn_at.is_none() && c.tenant_id == tenant_id),
            None => None,
        };
        let scope = scope_of(&feature.id);
        let mut by_recipient: BTreeMap<String, Vec<FieldId>> = BTreeMap::new();
        for flow in flows.iter().filter(|f| f.feature_id == feature.id) {
            let is_agent = agents.get(&flow.recipient_id).copied().unwrap_or(false);
            let covered = is_agent
                || consent
                    .as_ref()
                    .is_some_and(|c| c.terms_version >= flow.since_terms_version);
            if !covered {
                continue;
            }
            if let Ok(field) = FieldId::parse(&flow.field) {
                let fields = by_recipient.entry(flow.recipient_id.clone()).or_default();
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
        }
        for (recipient_id, mut fields) in by_recipient {
            fields.sort_by_key(|f| f.as_str());
            let is_agent = agents.get(&recipient_id).copied().unwrap_or(false);
            out.push(Flow {
                feature_id: feature.id.clone(),
                purpose: feature.purpose.clone(),
                recipient_id,
                consent_id: if is_agent {
                    None
                } else {
                    consent.as_ref().map(|c| c.id)
                },
                enabled_since: state.changed_at,
                fields,
                scope_devices: scope.devices.clone(),
                scope_users: scope.users,
                scope_apps: scope.apps,
            });
        }
    }
    Ok(out)
}

/// Fields under restriction in a tenant: `(record id, field name)` of open requests that asked
/// to restrict sharing.
pub(super) async fn restricted<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
) -> anyhow::Result<HashSet<(String, String)>> {
    Ok(correction_request::Entity::find()
        .select_only()
        .column(correction_request::Column::RecordId)
        .column(correction_request::Column::Field)
        .filter(correction_request::Column::TenantId.eq(tenant_id))
        .filter(correction_request::Column::RestrictSharing.eq(true))
        .filter(correction_request::Column::Status.is_in(RequestStatus::RESTRICTING))
        .into_tuple::<(String, String)>()
        .all(db)
        .await
        .context("reading restricted fields")?
        .into_iter()
        .collect())
}

/// Records the disclosures due in one tenant (nothing is sent here).
pub(super) async fn record_tenant<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    now: i64,
) -> anyhow::Result<CycleSummary> {
    let mut summary = CycleSummary::default();
    let flows = enabled_flows(db, tenant_id).await?;
    if flows.is_empty() {
        return Ok(summary);
    }
    let restricted = restricted(db, tenant_id).await?;
    let endpoints: HashSet<String> = recipient_endpoint::Entity::find()
        .select_only()
        .column(recipient_endpoint::Column::RecipientId)
        .filter(recipient_endpoint::Column::TenantId.eq(tenant_id))
        .into_tuple::<String>()
        .all(db)
        .await
        .context("reading endpoints")?
        .into_iter()
        .collect();
    for flow in &flows {
        let deliverable = endpoints.contains(&flow.recipient_id);
        if flow.scope_users && flow.fields.iter().any(|f| f.record() == RecordKind::User) {
            let mut after = String::new();
            loop {
                let users = directory_user::Entity::find()
                    .filter(directory_user::Column::TenantId.eq(tenant_id))
                    .filter(directory_user::Column::Id.gt(after.clone()))
                    .order_by_asc(directory_user::Column::Id)
                    .limit(PAGE)
                    .all(db)
                    .await
                    .context("reading users in scope")?;
                let Some(last) = users.last() else { break };
                after = last.id.clone();
                let candidates = users
                    .iter()
                    .map(|u| Candidate {
                        kind: RecordKind::User,
                        record_id: u.id.clone(),
                        subject: Some(u.id.clone()),
                        values: disclosable_user_values(u, &flow.fields),
                    })
                    .collect();
                record_page(
                    db,
                    tenant_id,
                    flow,
                    candidates,
                    &restricted,
                    deliverable,
                    now,
                    &mut summary,
                )
                .await?;
            }
        }
        let Some(condition) = flow.scope_devices.clone() else {
            continue;
        };
        let wants_device = flow.fields.iter().any(|f| f.record() == RecordKind::Device);
        let wants_apps =
            flow.scope_apps && flow.fields.iter().any(|f| f.record() == RecordKind::App);
        if !wants_device && !wants_apps {
            continue;
        }
        let mut after = String::new();
        loop {
            let devices = device::Entity::find()
                .filter(device::Column::TenantId.eq(tenant_id))
                .filter(condition.clone())
                .filter(device::Column::Id.gt(after.clone()))
                .order_by_asc(device::Column::Id)
                .limit(PAGE)
                .all(db)
                .await
                .context("reading devices in scope")?;
            let Some(last) = devices.last() else { break };
            after = last.id.clone();
            let apps = if wants_apps {
                device_app::Entity::find()
                    .filter(device_app::Column::TenantId.eq(tenant_id))
                    .filter(
                        device_app::Column::DeviceId.is_in(devices.iter().map(|d| d.id.clone())),
                    )
                    .all(db)
                    .await
                    .context("reading apps in scope")?
            } else {
                Vec::new()
            };
            let candidates = devices
                .iter()
                .map(|d| {
                    let mut values = if wants_device {
                        disclosable_device_values(d, &flow.fields)
                    } else {
                        Vec::new()
                    };
                    if wants_apps {
                        let own: Vec<&device_app::Model> =
                            apps.iter().filter(|a| a.device_id == d.id).collect();
                        values.extend(app_values(d, &own, &flow.fields));
                    }
                    Candidate {
                        kind: RecordKind::Device,
                        record_id: d.id.clone(),
                        subject: d.primary_user_id.clone(),
                        values,
                    }
                })
                .collect();
            record_page(
                db,
                tenant_id,
                flow,
                candidates,
                &restricted,
                deliverable,
                now,
                &mut summary,
            )
            .await?;
        }
    }
    Ok(summary)
}

/// Records one page of candidates: drops restricted fields, skips records whose values were
/// already disclosed unchanged since the feature was turned on, inserts the rest.
#[allow(clippy::too_many_arguments)]
pub(super) async fn record_page<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    flow: &Flow,
    candidates: Vec<Candidate>,
    restricted: &HashSet<(String, String)>,
    deliverable: bool,
    now: i64,
    summary: &mut CycleSummary,
) -> anyhow::Result<()> {
    let ids: Vec<String> = candidates.iter().map(|c| c.record_id.clone()).collect();
    let previous = disclosure::Entity::find()
        .select_only()
        .column(disclosure::Column::RecordId)
        .column(disclosure::Column::Fingerprint)
        .column(disclosure::Column::DeliveryId)
        .filter(disclosure::Column::TenantId.eq(tenant_id))
        .filter(disclosure::Column::RecordId.is_in(ids))
        .filter(disclosure::Column::FeatureId.eq(flow.feature_id.clone()))
        .filter(disclosure::Column::RecipientId.eq(flow.recipient_id.clone()))
        .filter(disclosure::Column::DisclosedAt.gte(flow.enabled_since))
        .filter(disclosure::Column::DeliveryStatus.ne(DeliveryStatus::Superseded))
        .order_by_asc(disclosure::Column::Id)
        .into_tuple::<(String, String, Option<String>)>()
        .all(db)
        .await
        .context("reading earlier disclosures")?;
    let mut last: HashMap<String, (String, Option<String>)> = HashMap::new();
    for (record_id, fp, delivery_id) in previous {
        last.insert(record_id, (fp, delivery_id));
    }
    let mut rows = Vec::new();
    for mut candidate in candidates {
        let before = candidate.values.len();
        candidate.values.retain(|(f, _)| {
            !restricted.contains(&(candidate.record_id.clone(), f.as_str().to_owned()))
        });
        summary.restricted_fields += (before - candidate.values.len()) as u64;
        if candidate.values.is_empty() {
            continue;
        }
        let fp = fingerprint(&candidate.values);
        let previous = last.get(&candidate.record_id);
        if previous.is_some_and(|(old, _)| *old == fp) {
            continue;
        }
        let chain = previous
            .and_then(|(_, id)| id.clone())
            .unwrap_or_else(|| format!("since:{}", flow.enabled_since));
        let delivery_id = to_hex(&Sha256::digest(
            format!(
                "{tenant_id}|{}|{}|{}|{}|{fp}|{chain}",
                flow.feature_id,
                flow.recipient_id,
                candidate.kind.as_str(),
                candidate.record_id
            )
            .as_bytes(),
        ));
        let fields: Vec<&str> = candidate.values.iter().map(|(f, _)| f.as_str()).collect();
        rows.push(disclosure::ActiveModel {
            id: sea_orm::NotSet,
            tenant_id: Set(tenant_id.to_owned()),
            record_kind: Set(candidate.kind.as_str().to_owned()),
            record_id: Set(candidate.record_id),
            subject_user_id: Set(candidate.subject),
            recipient_id: Set(flow.recipient_id.clone()),
            feature_id: Set(flow.feature_id.clone()),
            fields: Set(fields.join(",")),
            disclosed_at: Set(now),
            consent_id: Set(flow.consent_id),
            purpose: Set(flow.purpose.chars().take(256).collect()),
            fingerprint: Set(fp),
            delivery_id: Set(Some(delivery_id)),
            delivery_status: Set(if deliverable {
                DeliveryStatus::Pending
            } else {
                DeliveryStatus::RecordedOnly
            }),
            attempts: Set(0),
            next_attempt_at: Set(deliverable.then_some(now)),
            delivered_at: Set(None),
            last_error: Set(None),
        });
    }
    if rows.is_empty() {
        return Ok(());
    }
    let inserted = disclosure::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(disclosure::Column::DeliveryId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .context("recording disclosures")?;
    summary.recorded += inserted;
    Ok(())
}
