//! The disclosure engine: the sharing cycle that sends each enabled feature's fields to its
//! recipients and records every disclosure, the connector that delivers disclosures and
//! follow-ups to a recipient's endpoint, and the reading of the ledger ([`ledger`]).
//!
//! The rules it enforces, whatever a page or API asked for:
//! - nothing is shared under a feature that is off;
//! - nothing goes to a recipient that is not our agent without the consent in force, and only
//!   the fields that consent's terms version covered (a field added by newer terms waits for an
//!   admin to consent again);
//! - a field under restriction (an open correction request whose requester asked to restrict
//!   sharing, GDPR Art. 18) is left out;
//! - a field the organisation may not see (visibility rules) is never sent;
//! - each of these holds again at the moment of sending, not only when a disclosure is
//!   recorded ([`gate`]).
//!
//! It is an outbox: a disclosure is written (one transaction per page of records) before it is
//! delivered, with a deterministic `delivery_id` (unique in the table). Running the cycle again,
//! after a crash, or on two instances at once records nothing twice, because a record whose
//! values did not change since its last disclosure is skipped and a repeated insert of the same
//! delivery id does nothing. Deliveries are retried with exponential backoff under the same id,
//! so the recipient can discard repeats. A disclosure whose record changed before it could be
//! delivered is marked `superseded`: the next cycle records the current values instead.
//! Values are never stored: only the field names and a SHA-256 fingerprint of what was sent.

mod deliver;
mod gate;
pub mod ledger;
mod record;

use crate::catalogue::FeatureId;
use crate::entities::correction_request::RequestStatus;
use crate::entities::disclosure::DeliveryStatus;
use crate::entities::follow_up_task::TaskStatus;
use crate::entities::{
    correction_request, data_flow, device, device_app, directory_user, disclosure, follow_up_task,
    recipient, recipient_endpoint, sharing_feature, tenant, tenant_feature,
};
use crate::outbound::{refusal_in, OutboundPolicy, PolicyResolver};
use crate::services::audit::to_hex;
use crate::services::records::{context_of, disclosable_device_values, disclosable_user_values};
use anyhow::Context;
use app::domain::catalogue::{FieldId, RecordKind};
use app::domain::enums::{EnrollmentType, Platform};
use app::domain::visibility::app_visible;
use app::sharing::CycleSummary;
pub use deliver::*;
use hmac::{Hmac, Mac};
pub use record::*;
use sea_orm::sea_query::{Expr, Func, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

/// Records read per query while walking a tenant.
const PAGE: u64 = 500;
/// Deliveries attempted per run, so one run stays short.
const DELIVERY_BATCH: u64 = 200;
/// How long a claimed delivery is left to the instance that claimed it.
const CLAIM_MS: i64 = 120_000;

/// How deliveries are retried.
#[derive(Clone, Debug)]
pub struct DeliveryPolicy {
    /// Delay before the first retry; doubled for each further one (at most an hour).
    pub retry_base_ms: i64,
    /// Attempts before a delivery is marked failed for good.
    pub max_attempts: i32,
    /// Timeout of one HTTP attempt, from connecting to the last byte of the answer.
    pub timeout: Duration,
    /// Where the connector may send (checked before each request and in its DNS resolver).
    pub outbound: OutboundPolicy,
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

/// The most of a receiver's answer that is read; a longer one fails the attempt, so a hostile
/// endpoint cannot fill the worker's memory.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// How many tenants' deliveries run at once: enough that one slow endpoint does not hold up
/// the others, few enough not to flood the database pool.
pub const TENANTS_AT_ONCE: usize = 4;

/// Posts signed JSON payloads to recipients' endpoints.
#[derive(Clone)]
pub struct Connector {
    http: openidconnect::reqwest::Client,
    outbound: Arc<OutboundPolicy>,
    pub policy: DeliveryPolicy,
}

impl Connector {
    /// A connector with its own HTTP client: no redirects (a payload goes where it was sent),
    /// no proxy from the environment (the address policy must judge the real peer), and a DNS
    /// resolver that drops every address the outbound policy refuses.
    pub fn new(policy: DeliveryPolicy) -> Connector {
        let outbound = Arc::new(policy.outbound.clone());
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(PolicyResolver::new(outbound.clone())))
            .timeout(policy.timeout)
            .build()
            .unwrap_or_else(|e| {
                // Only a broken TLS backend fails here. The fallback must not go without the
                // policy's resolver: one that can reach nothing but public addresses over the
                // same checks before each request is the closest safe thing.
                tracing::error!("building the connector's HTTP client: {e}");
                openidconnect::reqwest::ClientBuilder::new()
                    .redirect(openidconnect::reqwest::redirect::Policy::none())
                    .no_proxy()
                    .dns_resolver(Arc::new(PolicyResolver::new(outbound.clone())))
                    .build()
                    .unwrap_or_default()
            });
        Connector {
            http,
            outbound,
            policy,
        }
    }

    /// The outbound policy this connector sends under (also what endpoints are saved under).
    pub fn outbound(&self) -> &OutboundPolicy {
        &self.outbound
    }

    /// Posts `body` to `url`, signed with `secret`. Returns the response body on 2xx (at most
    /// [`MAX_RESPONSE_BYTES`]), else a short description of the failure that holds no personal
    /// data and no part of the URL.
    async fn post(
        &self,
        url: &str,
        secret: &str,
        delivery_id: &str,
        body: &str,
        now: i64,
    ) -> Result<String, String> {
        // IP literals never reach the resolver, and a stored URL may predate today's policy.
        let url = self
            .outbound
            .check_syntax(url)
            .map_err(|refusal| refusal.to_string())?;
        let timestamp = (now / 1000).to_string();
        let signature = sign(secret, &timestamp, body);
        let describe = |e: openidconnect::reqwest::Error| {
            if let Some(refusal) = refusal_in(&e) {
                refusal.to_string()
            } else if e.is_timeout() {
                "timeout".to_owned()
            } else {
                "connection failed".to_owned()
            }
        };
        // The client's timeout covers the whole exchange, body included; this one is the
        // backstop should a receiver trickle bytes in a way the client does not count.
        let exchange = async {
            let mut response = self
                .http
                .post(url)
                .header("content-type", "application/json")
                .header("x-portal-delivery-id", delivery_id)
                .header("x-portal-timestamp", &timestamp)
                .header("x-portal-signature", format!("sha256={signature}"))
                .body(body.to_owned())
                .send()
                .await
                .map_err(describe)?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("HTTP {}", status.as_u16()));
            }
            let too_large = "response too large".to_owned();
            if response
                .content_length()
                .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
            {
                return Err(too_large);
            }
            let mut received: Vec<u8> = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(describe)? {
                if received.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
                    return Err(too_large);
                }
                received.extend_from_slice(&chunk);
            }
            Ok(String::from_utf8_lossy(&received).into_owned())
        };
        tokio::time::timeout(self.policy.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err("timeout".to_owned()))
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

fn platform_in(platforms: &[Platform]) -> Condition {
    Condition::all().add(device::Column::Platform.is_in(platforms.iter().map(|p| p.as_str())))
}

/// The Android Enterprise enrollments (every Android enrollment but the legacy device
/// administrator).
const ANDROID_ENTERPRISE: [EnrollmentType; 4] = [
    EnrollmentType::AndroidWorkProfilePersonal,
    EnrollmentType::AndroidWorkProfileCorporate,
    EnrollmentType::AndroidFullyManaged,
    EnrollmentType::AndroidDedicated,
];

/// Devices enrolled in one of `kinds` (a device of unknown enrollment is in none).
fn enrollment_in(kinds: &[EnrollmentType]) -> Condition {
    Condition::all().add(device::Column::EnrollmentType.is_in(kinds.iter().map(|k| k.as_str())))
}

/// The records each feature shares, following `shared/domain.md` section 2. A feature id this
/// release does not ship shares nothing.
fn scope_of(feature_id: &str) -> Scope {
    const APPLE: [Platform; 3] = [Platform::Ios, Platform::Ipados, Platform::Macos];
    let devices = |c: Condition| Scope {
        devices: Some(c),
        users: false,
        apps: false,
    };
    match FeatureId::parse(feature_id) {
        Some(FeatureId::AppleMdmPush | FeatureId::AppleVpp) => devices(platform_in(&APPLE)),
        Some(FeatureId::AppleAde) => devices(
            platform_in(&APPLE)
                .add(device::Column::EnrollmentType.eq(EnrollmentType::AppleAde.as_str())),
        ),
        // Managed Google Play is Android Enterprise: a legacy device-administrator enrollment
        // has no Google-managed device, so nothing of it goes to Google.
        Some(FeatureId::ManagedGooglePlay) => {
            devices(platform_in(&[Platform::Android]).add(enrollment_in(&ANDROID_ENTERPRISE)))
        }
        // LifeGuard OTA covers Android Enterprise dedicated and fully managed Zebra devices only.
        Some(FeatureId::ZebraLifeguardOta) => devices(
            platform_in(&[Platform::Android])
                .add(
                    Expr::expr(Func::lower(Expr::col(device::Column::Manufacturer))).like("zebra%"),
                )
                .add(enrollment_in(&[
                    EnrollmentType::AndroidDedicated,
                    EnrollmentType::AndroidFullyManaged,
                ])),
        ),
        Some(FeatureId::MtdAppSync) => Scope {
            devices: Some(platform_in(&[Platform::Ios, Platform::Ipados])),
            users: false,
            apps: true,
        },
        Some(FeatureId::TeamViewer) => Scope {
            devices: Some(Condition::all()),
            users: true,
            apps: false,
        },
        Some(FeatureId::WindowsDiagnosticData) => devices(platform_in(&[Platform::Windows])),
        // Jamf only sends data to the portal.
        Some(FeatureId::JamfPro) | None => Scope {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_an_hour() {
        let policy = DeliveryPolicy {
            retry_base_ms: 1000,
            max_attempts: 8,
            timeout: Duration::from_secs(1),
            outbound: OutboundPolicy::default(),
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
