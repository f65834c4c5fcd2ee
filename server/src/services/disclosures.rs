//! The disclosure engine: the sharing cycle that sends each enabled feature's fields to its
//! recipients and records every disclosure, and the connector that delivers disclosures and
//! follow-ups to a recipient's endpoint.
//!
//! The rules it enforces, whatever a page or API asked for:
//! - nothing is shared under a feature that is off;
//! - nothing goes to a recipient that is not our agent without the consent in force, and only
//!   the fields that consent's terms version covered (a field added by newer terms waits for an
//!   admin to consent again);
//! - a field under restriction (an open correction request whose requester asked to restrict
//!   sharing, GDPR Art. 18) is left out;
//! - a field the organisation may not see (visibility rules) is never sent.
//!
//! It is an outbox: a disclosure is written (one transaction per page of records) before it is
//! delivered, with a deterministic `delivery_id` (unique in the table). Running the cycle again,
//! after a crash, or on two instances at once records nothing twice, because a record whose
//! values did not change since its last disclosure is skipped and a repeated insert of the same
//! delivery id does nothing. Deliveries are retried with exponential backoff under the same id,
//! so the recipient can discard repeats. A disclosure whose record changed before it could be
//! delivered is marked `superseded`: the next cycle records the current values instead.
//! Values are never stored: only the field names and a SHA-256 fingerprint of what was sent.

use crate::entities::{
    correction_request, data_flow, device, device_app, directory_user, disclosure, follow_up_task,
    recipient, recipient_endpoint, sharing_feature, tenant, tenant_feature,
};
use crate::services::audit::to_hex;
use crate::services::export::{context_of, device_value, user_field};
use anyhow::Context;
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::visibility::{app_visible, visibility, Visibility};
use app::sharing::CycleSummary;
use hmac::{Hmac, Mac};
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

/// Records read per query while walking a tenant.
const PAGE: u64 = 500;
/// Deliveries attempted per run, so one run stays short.
const DELIVERY_BATCH: u64 = 200;
/// How long a claimed delivery is left to the instance that claimed it.
const CLAIM_MS: i64 = 120_000;
/// Delivery states of disclosures that never left the portal: they count nowhere as "received".
pub const NOT_SENT: [&str; 2] = ["cancelled", "superseded"];
/// Correction-request states that no longer restrict sharing.
const CLOSED_REQUESTS: [&str; 5] = ["approved", "rejected", "withdrawn", "routed", "applied"];

/// How deliveries are retried.
#[derive(Clone, Copy, Debug)]
pub struct DeliveryPolicy {
    /// Delay before the first retry; doubled for each further one (at most an hour).
    pub retry_base_ms: i64,
    /// Attempts before a delivery is marked failed for good.
    pub max_attempts: i32,
    /// Timeout of one HTTP attempt.
    pub timeout: Duration,
}

impl DeliveryPolicy {
    /// The delay after the `attempts`-th failed attempt.
    pub fn backoff_ms(&self, attempts: i32) -> i64 {
        let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(0);
        self.retry_base_ms
            .saturating_mul(1_i64 << exponent)
            .min(3_600_000)
    }
}

/// Posts signed JSON payloads to recipients' endpoints.
#[derive(Clone)]
pub struct Connector {
    http: openidconnect::reqwest::Client,
    pub policy: DeliveryPolicy,
}

impl Connector {
    /// A connector with its own HTTP client (no redirects: a payload goes where it was sent).
    pub fn new(policy: DeliveryPolicy) -> Connector {
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(policy.timeout)
            .build()
            .unwrap_or_else(|e| {
                // Only a broken TLS backend fails here; the default client reports it again.
                tracing::error!("building the connector's HTTP client: {e}");
                openidconnect::reqwest::Client::default()
            });
        Connector { http, policy }
    }

    /// Posts `body` to `url`, signed with `secret`. Returns the response body on 2xx, else a
    /// short description of the failure that holds no personal data.
    async fn post(
        &self,
        url: &str,
        secret: &str,
        delivery_id: &str,
        body: &str,
        now: i64,
    ) -> Result<String, String> {
        let timestamp = (now / 1000).to_string();
        let signature = sign(secret, &timestamp, body);
        let response = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("x-portal-delivery-id", delivery_id)
            .header("x-portal-timestamp", &timestamp)
            .header("x-portal-signature", format!("sha256={signature}"))
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    "timeout".to_owned()
                } else {
                    "connection failed".to_owned()
                }
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(response.text().await.unwrap_or_default())
        } else {
            Err(format!("HTTP {}", status.as_u16()))
        }
    }
}

/// The signature of a payload: hex HMAC-SHA256 over `timestamp.body` with the shared secret.
pub fn sign(secret: &str, timestamp: &str, body: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail; an empty string is never a match.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    to_hex(&mac.finalize().into_bytes())
}

/// Which records a feature's outbound flows concern.
struct Scope {
    /// Devices in scope; `None` for no devices.
    devices: Option<Condition>,
    /// Whether every user of the tenant is in scope.
    users: bool,
    /// Whether the app inventory of the devices in scope is shared.
    apps: bool,
}

fn platform_in(platforms: &[&str]) -> Condition {
    Condition::all().add(device::Column::Platform.is_in(platforms.iter().copied()))
}

/// The records each feature shares, following `shared/domain.md` section 2.
fn scope_of(feature_id: &str) -> Scope {
    const APPLE: [&str; 3] = ["ios", "ipados", "macos"];
    let devices = |c: Condition| Scope {
        devices: Some(c),
        users: false,
        apps: false,
    };
    match feature_id {
        "apple_mdm_push" | "apple_vpp" => devices(platform_in(&APPLE)),
        "apple_ade" => {
            devices(platform_in(&APPLE).add(device::Column::EnrollmentType.eq("apple_ade")))
        }
        "managed_google_play" => devices(platform_in(&["android"])),
        "zebra_lifeguard_ota" => {
            devices(platform_in(&["android"]).add(
                Expr::expr(Func::lower(Expr::col(device::Column::Manufacturer))).like("zebra%"),
            ))
        }
        "mtd_app_sync" => Scope {
            devices: Some(platform_in(&["ios", "ipados"])),
            users: false,
            apps: true,
        },
        "teamviewer" => Scope {
            devices: Some(Condition::all()),
            users: true,
            apps: false,
        },
        "windows_diagnostic_data" => devices(platform_in(&["windows"])),
        _ => Scope {
            devices: None,
            users: false,
            apps: false,
        },
    }
}

/// How many users, devices and apps of a tenant a feature's flows concern.
///
/// # Errors
/// When the database fails.
pub async fn scope_counts<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
    feature_id: &str,
) -> anyhow::Result<(u64, u64, u64)> {
    use sea_orm::PaginatorTrait;
    let scope = scope_of(feature_id);
    let mut users = 0;
    let mut devices = 0;
    let mut apps = 0;
    if let Some(condition) = scope.devices.clone() {
        devices = device::Entity::find()
            .filter(device::Column::TenantId.eq(tenant_id))
            .filter(condition.clone())
            .count(db)
            .await
            .context("counting devices in scope")?;
        if !scope.users {
            users = device::Entity::find()
                .select_only()
                .column(device::Column::PrimaryUserId)
                .distinct()
                .filter(device::Column::TenantId.eq(tenant_id))
                .filter(device::Column::PrimaryUserId.is_not_null())
                .filter(condition.clone())
                .count(db)
                .await
                .context("counting users in scope")?;
        }
        if scope.apps {
            apps = device_app::Entity::find()
                .filter(device_app::Column::TenantId.eq(tenant_id))
                .filter(
                    device_app::Column::DeviceId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(device::Column::Id)
                            .from(device::Entity)
                            .cond_where(
                                Condition::all()
                                    .add(device::Column::TenantId.eq(tenant_id))
                                    .add(condition),
                            )
                            .to_owned(),
                    ),
                )
                .count(db)
                .await
                .context("counting apps in scope")?;
        }
    }
    if scope.users {
        users = directory_user::Entity::find()
            .filter(directory_user::Column::TenantId.eq(tenant_id))
            .count(db)
            .await
            .context("counting users in scope")?;
    }
    Ok((users, devices, apps))
}

/// What one recipient gets under one enabled feature in one tenant.
struct Flow {
    feature_id: String,
    purpose: String,
    recipient_id: String,
    consent_id: Option<i64>,
    /// Only disclosures since the feature was (last) turned on count as "already sent".
    enabled_since: i64,
    fields: Vec<FieldId>,
    scope_devices: Option<Condition>,
    scope_users: bool,
    scope_apps: bool,
}

/// One record's values to send.
struct Candidate {
    kind: RecordKind,
    record_id: String,
    subject: Option<String>,
    values: Vec<(FieldId, String)>,
}

/// The fingerprint of the values sent: SHA-256 over `field=value` lines in field order.
pub fn fingerprint(values: &[(FieldId, String)]) -> String {
    let mut hasher = Sha256::new();
    for (field, value) in values {
        hasher.update(field.as_str().as_bytes());
        hasher.update(b"=");
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value.as_bytes());
        hasher.update(b"\n");
    }
    to_hex(&hasher.finalize())
}

/// The values of a device's fields that may go out: held, and fully visible to the tenant.
fn device_values(d: &device::Model, fields: &[FieldId]) -> Vec<(FieldId, String)> {
    let ctx = context_of(d);
    fields
        .iter()
        .filter(|f| f.record() == RecordKind::Device)
        .filter(|f| visibility(**f, &ctx) == Visibility::Visible)
        .filter_map(|f| device_value(d, *f).map(|v| (*f, v)))
        .collect()
}

/// The values of a user's fields that may go out.
fn user_values(u: &directory_user::Model, fields: &[FieldId]) -> Vec<(FieldId, String)> {
    fields
        .iter()
        .filter(|f| f.record() == RecordKind::User)
        .filter_map(|f| user_field(u, *f).map(|v| (*f, v)))
        .collect()
}

/// The app inventory of a device that may go out, as one value per app field: each line is one
/// visible app, sorted, so the fingerprint changes exactly when the inventory does.
fn app_values(
    d: &device::Model,
    apps: &[&device_app::Model],
    fields: &[FieldId],
) -> Vec<(FieldId, String)> {
    let ctx = context_of(d);
    let mut visible: Vec<&&device_app::Model> = apps
        .iter()
        .filter(|a| app_visible(&ctx, a.managed))
        .collect();
    if visible.is_empty() {
        return Vec::new();
    }
    visible.sort_by(|a, b| a.app_id.cmp(&b.app_id));
    fields
        .iter()
        .filter(|f| f.record() == RecordKind::App)
        .map(|f| {
            let lines: Vec<String> = visible
                .iter()
                .map(|a| match f {
                    FieldId::AppId => a.app_id.clone(),
                    FieldId::AppName => a.name.clone(),
                    FieldId::AppVersion => a.app_version.clone(),
                    _ => a.managed.to_string(),
                })
                .collect();
            (*f, lines.join("\n"))
        })
        .collect()
}

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
async fn enabled_flows<C: ConnectionTrait>(db: &C, tenant_id: &str) -> anyhow::Result<Vec<Flow>> {
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
        .filter(data_flow::Column::Direction.eq("outbound"))
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
async fn restricted<C: ConnectionTrait>(
    db: &C,
    tenant_id: &str,
) -> anyhow::Result<HashSet<(String, String)>> {
    Ok(correction_request::Entity::find()
        .select_only()
        .column(correction_request::Column::RecordId)
        .column(correction_request::Column::Field)
        .filter(correction_request::Column::TenantId.eq(tenant_id))
        .filter(correction_request::Column::RestrictSharing.eq(true))
        .filter(correction_request::Column::Status.is_not_in(CLOSED_REQUESTS))
        .into_tuple::<(String, String)>()
        .all(db)
        .await
        .context("reading restricted fields")?
        .into_iter()
        .collect())
}

/// Records the disclosures due in one tenant (nothing is sent here).
async fn record_tenant<C: ConnectionTrait>(
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
                        values: user_values(u, &flow.fields),
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
                        device_values(d, &flow.fields)
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
async fn record_page<C: ConnectionTrait>(
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
        .filter(disclosure::Column::DeliveryStatus.ne("superseded"))
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
                "pending"
            } else {
                "recorded_only"
            }
            .into()),
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

/// What one delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliverySummary {
    pub delivered: u64,
    pub failed: u64,
    pub follow_ups_sent: u64,
}

/// Delivers due disclosures and follow-ups (of one tenant, or all).
///
/// # Errors
/// When the database fails.
pub async fn deliver_due<C: ConnectionTrait>(
    db: &C,
    connector: &Connector,
    tenant_id: Option<&str>,
    now: i64,
) -> anyhow::Result<DeliverySummary> {
    let mut summary = DeliverySummary::default();
    let mut endpoints_query = recipient_endpoint::Entity::find();
    if let Some(t) = tenant_id {
        endpoints_query = endpoints_query.filter(recipient_endpoint::Column::TenantId.eq(t));
    }
    let endpoints: HashMap<(String, String), recipient_endpoint::Model> = endpoints_query
        .all(db)
        .await
        .context("reading endpoints")?
        .into_iter()
        .map(|e| ((e.tenant_id.clone(), e.recipient_id.clone()), e))
        .collect();

    let mut due = disclosure::Entity::find()
        .filter(disclosure::Column::DeliveryStatus.eq("pending"))
        .filter(disclosure::Column::NextAttemptAt.lte(now));
    if let Some(t) = tenant_id {
        due = due.filter(disclosure::Column::TenantId.eq(t));
    }
    let due = due
        .order_by_asc(disclosure::Column::NextAttemptAt)
        .limit(DELIVERY_BATCH)
        .all(db)
        .await
        .context("reading due deliveries")?;
    let mut enabled_cache: HashMap<(String, String), bool> = HashMap::new();
    for row in due {
        if !claim_disclosure(db, &row, now).await? {
            continue;
        }
        let key = (row.tenant_id.clone(), row.feature_id.clone());
        let enabled = match enabled_cache.get(&key) {
            Some(enabled) => *enabled,
            None => {
                let enabled = tenant_feature::Entity::find_by_id(key.clone())
                    .one(db)
                    .await
                    .context("reading a feature state")?
                    .is_some_and(|s| s.enabled);
                enabled_cache.insert(key, enabled);
                enabled
            }
        };
        if !enabled {
            set_disclosure_status(db, row.id, "cancelled", row.attempts, None, None, None).await?;
            continue;
        }
        let Some(endpoint) = endpoints.get(&(row.tenant_id.clone(), row.recipient_id.clone()))
        else {
            set_disclosure_status(db, row.id, "recorded_only", row.attempts, None, None, None)
                .await?;
            continue;
        };
        let Some(values) = current_values(db, &row).await? else {
            set_disclosure_status(db, row.id, "superseded", row.attempts, None, None, None).await?;
            continue;
        };
        if fingerprint(&values) != row.fingerprint {
            set_disclosure_status(db, row.id, "superseded", row.attempts, None, None, None).await?;
            continue;
        }
        let payload = serde_json::json!({
            "type": "disclosure",
            "delivery_id": row.delivery_id,
            "tenant_id": row.tenant_id,
            "feature_id": row.feature_id,
            "recipient_id": row.recipient_id,
            "purpose": row.purpose,
            "consent_id": row.consent_id,
            "record_kind": row.record_kind,
            "record_id": row.record_id,
            "recorded_at": crate::clock::to_rfc3339(row.disclosed_at),
            "fields": values.iter().map(|(f, v)| (f.as_str().to_owned(), serde_json::Value::String(v.clone()))).collect::<serde_json::Map<String, serde_json::Value>>(),
        })
        .to_string();
        let delivery_id = row.delivery_id.clone().unwrap_or_default();
        let attempts = row.attempts.saturating_add(1);
        match connector
            .post(&endpoint.url, &endpoint.secret, &delivery_id, &payload, now)
            .await
        {
            Ok(_) => {
                set_disclosure_status(db, row.id, "delivered", attempts, None, Some(now), None)
                    .await?;
                summary.delivered += 1;
            }
            Err(error) => {
                tracing::warn!(disclosure = row.id, attempts, %error, "delivery failed");
                summary.failed += 1;
                if attempts >= connector.policy.max_attempts {
                    set_disclosure_status(db, row.id, "failed", attempts, None, None, Some(error))
                        .await?;
                } else {
                    let next = now + connector.policy.backoff_ms(attempts);
                    set_disclosure_status(
                        db,
                        row.id,
                        "pending",
                        attempts,
                        Some(next),
                        None,
                        Some(error),
                    )
                    .await?;
                }
            }
        }
    }

    // Follow-ups: open tasks whose recipient has an endpoint in the task's tenant.
    if endpoints.is_empty() {
        return Ok(summary);
    }
    let mut pairs = Condition::any();
    for (tenant, recipient) in endpoints.keys() {
        pairs = pairs.add(
            Condition::all()
                .add(follow_up_task::Column::TenantId.eq(tenant.clone()))
                .add(follow_up_task::Column::RecipientId.eq(recipient.clone())),
        );
    }
    let tasks = follow_up_task::Entity::find()
        .filter(follow_up_task::Column::Status.eq("open"))
        .filter(
            Condition::any()
                .add(follow_up_task::Column::NextAttemptAt.is_null())
                .add(follow_up_task::Column::NextAttemptAt.lte(now)),
        )
        .filter(pairs)
        .order_by_asc(follow_up_task::Column::Id)
        .limit(DELIVERY_BATCH)
        .all(db)
        .await
        .context("reading due follow-ups")?;
    for task in tasks {
        if !claim_task(db, &task, now).await? {
            continue;
        }
        let Some(endpoint) = endpoints.get(&(task.tenant_id.clone(), task.recipient_id.clone()))
        else {
            continue;
        };
        let delivery_id = task.delivery_id.clone().unwrap_or_else(|| {
            to_hex(&Sha256::digest(
                format!("task|{}|{}", task.tenant_id, task.id).as_bytes(),
            ))
        });
        // No values: the recipient learns which field of which record changed (or that it
        // must delete what it holds); corrected values follow in the next disclosure.
        let payload = serde_json::json!({
            "type": "follow_up",
            "delivery_id": delivery_id,
            "kind": task.kind,
            "tenant_id": task.tenant_id,
            "recipient_id": task.recipient_id,
            "feature_id": task.feature_id,
            "record_kind": task.record_kind,
            "record_id": task.record_id,
            "field": task.field,
            "created_at": crate::clock::to_rfc3339(task.created_at),
        })
        .to_string();
        let attempts = task.attempts.saturating_add(1);
        let mut update = follow_up_task::ActiveModel {
            id: Set(task.id),
            delivery_id: Set(Some(delivery_id.clone())),
            attempts: Set(attempts),
            ..Default::default()
        };
        match connector
            .post(&endpoint.url, &endpoint.secret, &delivery_id, &payload, now)
            .await
        {
            Ok(body) => {
                let acknowledged = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("acknowledged").and_then(serde_json::Value::as_bool))
                    .unwrap_or(false);
                update.status = Set(if acknowledged { "acknowledged" } else { "sent" }.into());
                update.sent_at = Set(Some(now));
                update.next_attempt_at = Set(None);
                update.last_error = Set(None);
                summary.follow_ups_sent += 1;
            }
            Err(error) => {
                tracing::warn!(task = task.id, attempts, %error, "follow-up delivery failed");
                summary.failed += 1;
                update.last_error = Set(Some(error));
                if attempts >= connector.policy.max_attempts {
                    update.status = Set("failed".into());
                    update.next_attempt_at = Set(None);
                } else {
                    update.next_attempt_at = Set(Some(now + connector.policy.backoff_ms(attempts)));
                }
            }
        }
        follow_up_task::Entity::update(update)
            .exec(db)
            .await
            .context("recording a follow-up delivery")?;
    }
    Ok(summary)
}

/// Takes a due disclosure for this run: moves its next attempt past the claim window if no
/// other instance did so first.
async fn claim_disclosure<C: ConnectionTrait>(
    db: &C,
    row: &disclosure::Model,
    now: i64,
) -> anyhow::Result<bool> {
    let mut update = disclosure::Entity::update_many()
        .col_expr(
            disclosure::Column::NextAttemptAt,
            Expr::value(now + CLAIM_MS),
        )
        .filter(disclosure::Column::Id.eq(row.id))
        .filter(disclosure::Column::DeliveryStatus.eq("pending"));
    update = match row.next_attempt_at {
        Some(at) => update.filter(disclosure::Column::NextAttemptAt.eq(at)),
        None => update.filter(disclosure::Column::NextAttemptAt.is_null()),
    };
    let result = update.exec(db).await.context("claiming a delivery")?;
    Ok(result.rows_affected == 1)
}

/// The same claim for a follow-up.
async fn claim_task<C: ConnectionTrait>(
    db: &C,
    task: &follow_up_task::Model,
    now: i64,
) -> anyhow::Result<bool> {
    let mut update = follow_up_task::Entity::update_many()
        .col_expr(
            follow_up_task::Column::NextAttemptAt,
            Expr::value(now + CLAIM_MS),
        )
        .filter(follow_up_task::Column::Id.eq(task.id))
        .filter(follow_up_task::Column::Status.eq("open"));
    update = match task.next_attempt_at {
        Some(at) => update.filter(follow_up_task::Column::NextAttemptAt.eq(at)),
        None => update.filter(follow_up_task::Column::NextAttemptAt.is_null()),
    };
    let result = update.exec(db).await.context("claiming a follow-up")?;
    Ok(result.rows_affected == 1)
}

async fn set_disclosure_status<C: ConnectionTrait>(
    db: &C,
    id: i64,
    status: &str,
    attempts: i32,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
    last_error: Option<String>,
) -> anyhow::Result<()> {
    disclosure::Entity::update(disclosure::ActiveModel {
        id: Set(id),
        delivery_status: Set(status.to_owned()),
        attempts: Set(attempts),
        next_attempt_at: Set(next_attempt_at),
        delivered_at: Set(delivered_at),
        last_error: Set(last_error),
        ..Default::default()
    })
    .exec(db)
    .await
    .context("recording a delivery attempt")?;
    Ok(())
}

/// The current values of a disclosure's fields, or `None` when the record is gone.
async fn current_values<C: ConnectionTrait>(
    db: &C,
    row: &disclosure::Model,
) -> anyhow::Result<Option<Vec<(FieldId, String)>>> {
    let fields: Vec<FieldId> = row
        .fields
        .split(',')
        .filter_map(|name| FieldId::parse(name).ok())
        .collect();
    match row.record_kind.as_str() {
        "user" => {
            let user = directory_user::Entity::find_by_id(row.record_id.clone())
                .filter(directory_user::Column::TenantId.eq(row.tenant_id.clone()))
                .one(db)
                .await
                .context("reading a user to deliver")?;
            Ok(user.map(|u| user_values(&u, &fields)))
        }
        _ => {
            let Some(d) = device::Entity::find_by_id(row.record_id.clone())
                .filter(device::Column::TenantId.eq(row.tenant_id.clone()))
                .one(db)
                .await
                .context("reading a device to deliver")?
            else {
                return Ok(None);
            };
            let mut values = device_values(&d, &fields);
            if fields.iter().any(|f| f.record() == RecordKind::App) {
                let apps = device_app::Entity::find()
                    .filter(device_app::Column::TenantId.eq(row.tenant_id.clone()))
                    .filter(device_app::Column::DeviceId.eq(d.id.clone()))
                    .all(db)
                    .await
                    .context("reading apps to deliver")?;
                let own: Vec<&device_app::Model> = apps.iter().collect();
                values.extend(app_values(&d, &own, &fields));
            }
            Ok(Some(values))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_an_hour() {
        let policy = DeliveryPolicy {
            retry_base_ms: 1000,
            max_attempts: 8,
            timeout: Duration::from_secs(1),
        };
        assert_eq!(policy.backoff_ms(1), 1000);
        assert_eq!(policy.backoff_ms(2), 2000);
        assert_eq!(policy.backoff_ms(4), 8000);
        assert_eq!(policy.backoff_ms(40), 3_600_000);
    }

    #[test]
    fn signatures_cover_the_timestamp_and_the_body() {
        let a = sign("secret-secret-secret", "100", "{}");
        assert_eq!(a.len(), 64);
        assert_ne!(a, sign("secret-secret-secret", "101", "{}"));
        assert_ne!(a, sign("secret-secret-secret", "100", "{ }"));
        assert_ne!(a, sign("another-secret-here", "100", "{}"));
    }

    #[test]
    fn fingerprints_change_with_any_value_and_never_contain_it() {
        let a = fingerprint(&[(FieldId::SerialNumber, "C02XK1".into())]);
        let b = fingerprint(&[(FieldId::SerialNumber, "C02XK2".into())]);
        assert_ne!(a, b);
        assert!(!a.contains("C02XK1"));
    }
}
