//! A generated tenant of any size, realistic and deterministic: the same `--seed` always gives
//! the same data. Used for benchmarks (a million users must load in a few minutes on 2 cores)
//! and for tests. Rows are built in memory and written in multi-row statements, one
//! transaction per batch of users with everything that belongs to them, so an interrupted run
//! leaves whole users only.

use super::rows::{self, luhn_digit, new_app};
use crate::clock::DAY_MS;
use crate::db::insert_all;
use crate::entities::{audit_event, correction_request, disclosure, tenant};
use crate::services::audit::{hash_event, ActorKind, AuditAction, TargetKind, GENESIS_HASH};
use anyhow::Context;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, Set, TransactionTrait,
};
use std::time::Instant;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Plan {
    pub users: u64,
    pub seed: u64,
    /// Users written per transaction.
    pub batch: u64,
    /// The instant the tenant is generated at (the server's clock): ages and deadlines count
    /// back and forward from it.
    pub now: i64,
}

/// What was written, and how fast.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub tenant_id: String,
    pub users: u64,
    pub devices: u64,
    pub apps: u64,
    pub disclosures: u64,
    pub requests: u64,
    pub audit_events: u64,
    pub seconds: f64,
    /// False when the tenant already existed and nothing was written.
    pub created: bool,
}

impl Report {
    /// All rows written.
    pub fn rows(&self) -> u64 {
        self.users + self.devices + self.apps + self.disclosures + self.requests + self.audit_events
    }
}

/// splitmix64: tiny, fast, and stable across platforms and releases (unlike a crate's RNG).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap_or(1)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + u8::try_from(self.below(10)).unwrap_or(0)))
            .collect()
    }

    fn alnum(&mut self, n: usize) -> String {
        const SET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        (0..n).map(|_| char::from(*self.pick(SET))).collect()
    }

    fn hex(&mut self, n: usize) -> String {
        const SET: &[u8] = b"0123456789abcdef";
        (0..n).map(|_| char::from(*self.pick(SET))).collect()
    }

    fn guid(&mut self) -> String {
        format!(
            "{}-{}-4{}-8{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            self.hex(3),
            self.hex(12)
        )
    }

    /// A GUID whose first 48 bits are `counter` (like a UUIDv7's timestamp): generated ids
    /// ascend, so every primary-key and `(tenant, id)` index insert is an append at the right
    /// edge of the B-tree instead of a write into a random page. With random ids, the load
    /// slowed fourfold once the indexes outgrew the page cache.
    fn ordered_guid(&mut self, counter: u64) -> String {
        let counter = counter & 0xFFFF_FFFF_FFFF;
        format!(
            "{:08x}-{:04x}-4{}-8{}-{}",
            counter >> 16,
            counter & 0xFFFF,
            self.hex(3),
            self.hex(3),
            self.hex(12)
        )
    }
}

const FIRST: &[&str] = &[
    "Adele", "Alex", "Ben", "Chen", "Diego", "Emma", "Fatima", "Grady", "Hanna", "Isaiah",
    "Johanna", "Joni", "Lidia", "Lynne", "Megan", "Miriam", "Nestor", "Patti", "Pradeep", "Sanne",
    "Daan", "Lotte", "Bram", "Noor", "Sem", "Femke", "Yusuf", "Mei", "Aisha", "Jan",
];
const LAST: &[&str] = &[
    "Vance",
    "Wilber",
    "Okafor",
    "Li",
    "Siciliani",
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "Gupta",
    "Bowen",
    "Gu",
    "Sayers",
    "Wilke",
    "Adams",
    "Archer",
    "Brown",
    "Nguyen",
    "Kaya",
    "Yilmaz",
    "El Amrani",
    "Novak",
    "Kowalski",
];
const DEPARTMENTS: &[&str] = &[
    "Sales",
    "Retail",
    "Finance",
    "Engineering",
    "Field Service",
    "HR",
    "Legal",
    "IT",
    "Marketing",
    "Operations",
];
const APPS: &[(&str, &str, bool)] = &[
    ("com.microsoft.Office.Outlook", "Microsoft Outlook", true),
    ("com.microsoft.skype.teams", "Microsoft Teams", true),
    ("com.microsoft.Office.Word", "Microsoft Word", true),
    ("com.microsoft.msedge", "Microsoft Edge", true),
    (
        "com.microsoft.authenticator",
        "Microsoft Authenticator",
        true,
    ),
    ("com.salesforce.chatter", "Salesforce", true),
    ("com.servicenow.agent", "ServiceNow Agent", true),
    ("com.spotify.client", "Spotify", false),
    ("com.whatsapp", "WhatsApp", false),
    ("nl.ns.reisplanner", "NS", false),
    ("com.bunq.android", "bunq", false),
    ("com.netflix.mediaclient", "Netflix", false),
];

struct DeviceKind {
    platform: &'static str,
    manufacturer: &'static str,
    model: &'static str,
    os: &'static str,
    enrollment: &'static str,
    phone: bool,
}

const DEVICE_KINDS: &[DeviceKind] = &[
    DeviceKind {
        platform: "ios",
        manufacturer: "Apple",
        model: "iPhone 15",
        os: "17.5",
        enrollment: "apple_ade",
        phone: true,
    },
    DeviceKind {
        platform: "ios",
        manufacturer: "Apple",
        model: "iPhone 14",
        os: "17.4",
        enrollment: "apple_user_enrollment",
        phone: true,
    },
    DeviceKind {
        platform: "android",
        manufacturer: "Google",
        model: "Pixel 8",
        os: "14",
        enrollment: "android_work_profile_personal",
        phone: true,
    },
    DeviceKind {
        platform: "android",
        manufacturer: "Samsung",
        model: "Galaxy S23",
        os: "14",
        enrollment: "android_fully_managed",
        phone: true,
    },
    DeviceKind {
        platform: "android",
        manufacturer: "Zebra",
        model: "TC57",
        os: "11",
        enrollment: "android_dedicated",
        phone: false,
    },
    DeviceKind {
        platform: "windows",
        manufacturer: "Microsoft",
        model: "Surface Laptop 5",
        os: "11 23H2",
        enrollment: "windows_entra_joined",
        phone: false,
    },
    DeviceKind {
        platform: "windows",
        manufacturer: "Dell",
        model: "Latitude 7440",
        os: "11 23H2",
        enrollment: "windows_hybrid_joined",
        phone: false,
    },
    DeviceKind {
        platform: "macos",
        manufacturer: "Apple",
        model: "MacBook Air",
        os: "14.5",
        enrollment: "jamf_managed",
        phone: false,
    },
    DeviceKind {
        platform: "ipados",
        manufacturer: "Apple",
        model: "iPad Air",
        os: "17.5",
        enrollment: "apple_ade",
        phone: false,
    },
];

/// The tenant id a seed generates: stable, so a benchmark can find a tenant it seeded before.
pub fn tenant_id_for(seed: u64) -> String {
    Rng(seed ^ 0x5EED_0000_0000_0000).guid()
}

/// Generates the tenant of `plan`, unless a tenant with its id exists (then nothing is written
/// and the report says `created: false`). `progress` is called after each committed batch.
///
/// # Errors
/// When the database fails; committed batches stay, the failed one rolls back.
pub async fn generate<C, F>(db: &C, plan: &Plan, mut progress: F) -> anyhow::Result<Report>
where
    C: ConnectionTrait + TransactionTrait,
    F: FnMut(&Report),
{
    crate::catalogue::sync(db).await?;
    let started = Instant::now();
    let tenant_id = tenant_id_for(plan.seed);
    let mut report = Report {
        tenant_id: tenant_id.clone(),
        ..Report::default()
    };
    if tenant::Entity::find_by_id(tenant_id.clone())
        .one(db)
        .await?
        .is_some()
    {
        return Ok(report);
    }
    report.created = true;
    let now = plan.now;
    let domain = format!("tenant{}.example", plan.seed);
    let admin = format!("admin@{domain}");

    let txn = db.begin().await?;
    tenant::Model {
        id: tenant_id.clone(),
        name: format!("Generated tenant {}", plan.seed),
        primary_domain: domain.clone(),
        data_region: "europe".into(),
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
    .insert(&txn)
    .await
    .context("creating the tenant")?;
    let everything_but_teamviewer: Vec<&str> = crate::catalogue::FEATURES
        .iter()
        .filter(|f| f.id != crate::catalogue::FeatureId::TeamViewer)
        .map(|f| f.id.as_str())
        .collect();
    let consents = rows::feature_states(
        &txn,
        &tenant_id,
        &everything_but_teamviewer,
        &admin,
        now - 400 * DAY_MS,
    )
    .await
    .context("writing feature states")?;
    txn.commit().await?;

    let mut rng = Rng(plan.seed);
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut seq = 0_i64;
    let batch = plan.batch.max(1);
    let mut next_user = 0_u64;
    let mut next_device = 0_u64;
    while next_user < plan.users {
        let end = (next_user + batch).min(plan.users);
        let mut users = Vec::new();
        let mut devices = Vec::new();
        let mut apps = Vec::new();
        let mut disclosures = Vec::new();
        let mut requests = Vec::new();
        let mut events = Vec::new();
        for n in next_user..end {
            let user_id = rng.ordered_guid(n);
            let first = *rng.pick(FIRST);
            let last = *rng.pick(LAST);
            let display = format!("{first} {last}");
            let local = format!(
                "{}.{}{n}",
                first.to_lowercase(),
                last.to_lowercase().replace(' ', "")
            );
            let mut user = rows::user(
                &tenant_id,
                &user_id,
                &format!("{local}@{domain}"),
                &display,
                now,
            );
            user.phone = Some(format!("+31{}", rng.digits(9)));
            user.department = Some((*rng.pick(DEPARTMENTS)).into());
            users.push(user.into_active_model());

            // 1–4 devices, 2.5 on average.
            let count = *rng.pick(&[1_usize, 2, 2, 3, 3, 4]);
            for _ in 0..count {
                let kind = rng.pick(DEVICE_KINDS);
                let device_id = rng.ordered_guid(next_device);
                next_device += 1;
                let corporate =
                    kind.enrollment != "android_work_profile_personal" && rng.below(5) != 0;
                let mut d = rows::device(
                    &tenant_id,
                    &device_id,
                    Some(&user_id),
                    &format!("{first}'s {}", kind.model),
                    kind.manufacturer,
                    kind.model,
                    kind.platform,
                    kind.os,
                    if corporate { "corporate" } else { "personal" },
                    now,
                );
                d.enrollment_type = Some(kind.enrollment.into());
                d.serial_number = Some(rng.alnum(12));
                d.wifi_mac = Some(
                    format!(
                        "02:{}:{}:{}:{}:{}",
                        rng.hex(2),
                        rng.hex(2),
                        rng.hex(2),
                        rng.hex(2),
                        rng.hex(2)
                    )
                    .to_uppercase(),
                );
                if kind.phone {
                    let body = format!("35{}", rng.digits(12));
                    d.imei = Some(format!("{body}{}", luhn_digit(&body)));
                    d.phone_number = Some(format!("+31{}", rng.digits(9)));
                }
                d.enrolled_at = now - i64::try_from(rng.below(700)).unwrap_or(0) * DAY_MS;
                d.last_check_in_at = now - i64::try_from(rng.below(10)).unwrap_or(0) * DAY_MS;
                if rng.below(12) == 0 {
                    d.compliance_state = "noncompliant".into();
                }
                // Only what the platform collects from a device of this kind is stored.
                crate::services::records::collect(&mut d);
                let ctx = crate::services::records::context_of(&d);
                // 1–4 distinct apps: a random window of the app list.
                let first_app = rng.below(APPS.len());
                for k in 0..rng.below(4) + 1 {
                    let (app_id, name, managed) = APPS[(first_app + k) % APPS.len()];
                    if !app::domain::visibility::app_collected(&ctx, managed) {
                        continue;
                    }
                    apps.push(new_app(rows::app(
                        &tenant_id, &device_id, app_id, name, "1.0", managed, now,
                    )));
                }
                let feature = match kind.platform {
                    "ios" | "ipados" => Some(("apple", "apple_mdm_push", "push_token,push_magic")),
                    "android" => Some((
                        "google",
                        "managed_google_play",
                        "device_resource_name,compliance_state,os_version",
                    )),
                    _ => None,
                };
                if let Some((recipient, feature, fields)) = feature {
                    disclosures.push(disclosure::ActiveModel {
                        id: NotSet,
                        tenant_id: Set(tenant_id.clone()),
                        record_kind: Set("device".into()),
                        record_id: Set(device_id.clone()),
                        subject_user_id: Set(Some(user_id.clone())),
                        recipient_id: Set(recipient.into()),
                        feature_id: Set(feature.into()),
                        fields: Set(fields.into()),
                        disclosed_at: Set(now - i64::try_from(rng.below(300)).unwrap_or(0) * DAY_MS),
                        consent_id: Set(consents.get(feature).copied()),
                        purpose: Set("Device management".into()),
                        fingerprint: Set(rng.hex(64)),
                        ..Default::default()
                    });
                }
                devices.push(d.into_active_model());
            }
            // One user in a hundred has an open request: enough that even a 10,000-user
            // tenant fills several pages of the review queue (benchmarks compare full pages).
            if n % 100 == 7 {
                requests.push(correction_request::ActiveModel {
                    id: NotSet,
                    tenant_id: Set(tenant_id.clone()),
                    requester_account_id: Set(None),
                    subject_user_id: Set(user_id.clone()),
                    record_kind: Set("user".into()),
                    record_id: Set(user_id.clone()),
                    field: Set("department".into()),
                    proposed_value: Set((*rng.pick(DEPARTMENTS)).into()),
                    base_version: Set(0),
                    reason: Set("I moved to another department.".into()),
                    restrict_sharing: Set(false),
                    status: Set(crate::entities::correction_request::RequestStatus::Pending),
                    received_at: Set(now - DAY_MS),
                    due_at: Set(app::time::add_months(now - DAY_MS, 1)),
                    extension_reason: Set(None),
                    paused_at: Set(None),
                    decided_by: Set(None),
                    decided_at: Set(None),
                    decision_reason: Set(None),
                    version: Set(0),
                    created_at: Set(now - DAY_MS),
                    updated_at: Set(now - DAY_MS),
                    origin_request_id: Set(None),
                });
            }
            if n % 100 == 3 {
                seq += 1;
                let mut event = audit_event::Model {
                    id: 0,
                    tenant_id: tenant_id.clone(),
                    seq,
                    occurred_at: now - 30 * DAY_MS,
                    actor_kind: ActorKind::System.as_str().into(),
                    actor_id: "import".into(),
                    actor_name: "directory sync".into(),
                    action: AuditAction::UserImported.as_str().into(),
                    target_kind: TargetKind::User.as_str().into(),
                    target_id: user_id.clone(),
                    subject_user_id: Some(user_id.clone()),
                    changes: "[]".into(),
                    reason: None,
                    request_id: "seed".into(),
                    prev_hash: prev_hash.clone(),
                    hash: String::new(),
                };
                event.hash = hash_event(&event);
                prev_hash = event.hash.clone();
                let mut row = event.into_active_model();
                row.id = NotSet;
                events.push(row);
            }
        }
        report.users += u64::try_from(users.len()).unwrap_or(0);
        report.devices += u64::try_from(devices.len()).unwrap_or(0);
        report.apps += u64::try_from(apps.len()).unwrap_or(0);
        report.disclosures += u64::try_from(disclosures.len()).unwrap_or(0);
        report.requests += u64::try_from(requests.len()).unwrap_or(0);
        report.audit_events += u64::try_from(events.len()).unwrap_or(0);
        let txn = db.begin().await?;
        insert_all(&txn, users).await.context("writing users")?;
        insert_all(&txn, devices).await.context("writing devices")?;
        insert_all(&txn, apps).await.context("writing apps")?;
        insert_all(&txn, disclosures)
            .await
            .context("writing disclosures")?;
        insert_all(&txn, requests)
            .await
            .context("writing correction requests")?;
        insert_all(&txn, events)
            .await
            .context("writing audit events")?;
        txn.commit().await.context("committing a batch")?;
        next_user = end;
        report.seconds = started.elapsed().as_secs_f64();
        progress(&report);
    }
    Ok(report)
}
