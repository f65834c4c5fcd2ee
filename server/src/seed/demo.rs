//! The demo tenants: Contoso (the fixtures of `shared/domain.md` section 5) and Fabrikam (a
//! second tenant that proves isolation). Loaded once, in one transaction, by `seed-demo` (the
//! run command calls it); a marker in `portal_settings` makes later runs keep existing data.

use super::rows::{self, insert_all, new_app};
use crate::clock::DAY_MS;
use crate::entities::{
    account, correction_request, directory_user, disclosure, portal_setting, role_assignment,
    tenant,
};
use crate::services::audit::{self, Actor, Change, NewEvent};
use anyhow::Context;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, NotSet, Set, TransactionTrait,
};

pub const CONTOSO: &str = "11111111-2222-3333-4444-555555555555";
pub const FABRIKAM: &str = "22222222-3333-4444-5555-666666666666";
pub const DEMO_ISSUER: &str = "demo";
const MARKER: &str = "demo_data_version";
const VERSION: &str = "1";

pub const ADELE: &str = "a1b2c3d4-0001-4000-8000-000000000001";
pub const BEN: &str = "a1b2c3d4-0002-4000-8000-000000000002";
pub const CHEN: &str = "a1b2c3d4-0003-4000-8000-000000000003";
pub const DIEGO: &str = "a1b2c3d4-0004-4000-8000-000000000004";
pub const MEGAN: &str = "a1b2c3d4-0005-4000-8000-000000000005";
pub const LEE: &str = "a1b2c3d4-0006-4000-8000-000000000006";
pub const IRVIN: &str = "a1b2c3d4-0007-4000-8000-000000000007";
pub const FAB_ADMIN: &str = "b1b2c3d4-0001-4000-8000-000000000001";
pub const FAB_USER: &str = "b1b2c3d4-0002-4000-8000-000000000002";

/// Whether the demo data is already present.
///
/// # Errors
/// When the database fails.
pub async fn is_loaded<C: ConnectionTrait>(db: &C) -> anyhow::Result<bool> {
    Ok(portal_setting::Entity::find_by_id(MARKER.to_owned())
        .one(db)
        .await
        .context("reading the demo-data marker")?
        .is_some())
}

/// Loads the demo tenants unless they are there, with `now` (the server's clock) as the
/// instant the story is told from: "received 3 days ago" is three days before it. Returns
/// whether it loaded them.
///
/// # Errors
/// When the database fails; nothing is written then.
pub async fn load<C: ConnectionTrait + TransactionTrait>(db: &C, now: i64) -> anyhow::Result<bool> {
    crate::catalogue::sync(db).await?;
    if is_loaded(db).await? {
        return Ok(false);
    }
    let txn = db.begin().await.context("starting the demo-data load")?;
    contoso(&txn, now).await.context("loading Contoso")?;
    fabrikam(&txn, now).await.context("loading Fabrikam")?;
    portal_setting::ActiveModel {
        key: Set(MARKER.into()),
        value: Set(VERSION.into()),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .context("writing the demo-data marker")?;
    txn.commit().await.context("committing the demo data")?;
    Ok(true)
}

fn tenant_row(id: &str, name: &str, domain: &str, region: &str, now: i64) -> tenant::ActiveModel {
    tenant::Model {
        id: id.into(),
        name: name.into(),
        primary_domain: domain.into(),
        data_region: region.into(),
        created_at: now,
        updated_at: now,
    }
    .into_active_model()
}

fn with_phone(
    mut user: directory_user::Model,
    phone: &str,
    department: &str,
) -> directory_user::Model {
    user.phone = Some(phone.into());
    user.department = Some(department.into());
    user
}

async fn contoso<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = CONTOSO;
    tenant_row(t, "Contoso Ltd", "contoso.com", "europe", now)
        .insert(txn)
        .await?;

    let users = vec![
        with_phone(
            rows::user(t, ADELE, "adele.vance@contoso.com", "Adele Vance", now),
            "+14255550101",
            "Retail",
        ),
        with_phone(
            rows::user(t, BEN, "ben.okafor@contoso.com", "Ben Okafor", now),
            "+14255550102",
            "Field Service",
        ),
        with_phone(
            rows::user(t, CHEN, "chen.li@contoso.com", "Chen Li", now),
            "+14255550133",
            "Engineering",
        ),
        with_phone(
            rows::user(
                t,
                DIEGO,
                "diego.siciliani@contoso.com",
                "Diego Siciliani",
                now,
            ),
            "+14255550104",
            "Finance",
        ),
        with_phone(
            rows::user(t, MEGAN, "megan.bowen@contoso.com", "Megan Bowen", now),
            "+14255550105",
            "IT",
        ),
        with_phone(
            rows::user(t, LEE, "lee.gu@contoso.com", "Lee Gu", now),
            "+14255550106",
            "Support",
        ),
        with_phone(
            rows::user(t, IRVIN, "irvin.sayers@contoso.com", "Irvin Sayers", now),
            "+14255550107",
            "Compliance",
        ),
    ];
    insert_all(
        txn,
        users
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;

    let mut d1 = rows::device(
        t,
        "d1000000-0000-4000-8000-0000000000d1",
        Some(ADELE),
        "Adele's iPhone",
        "Apple",
        "iPhone 15",
        "ios",
        "17.5",
        "corporate",
        now,
    );
    d1.management_name = Some("AdeleVance_iPhone_1/5/2025".into());
    d1.serial_number = Some("F2LXK0ABCD12".into());
    d1.imei = Some("356938035643809".into());
    d1.meid = Some("35693803564380".into());
    d1.udid = Some("00008110-001A2B3C4D5E801E".into());
    d1.phone_number = Some("+14255550111".into());
    d1.wifi_mac = Some("02:1A:2B:3C:4D:01".into());
    d1.entra_device_id = Some("e1000000-0000-4000-8000-0000000000e1".into());
    d1.enrollment_type = Some("apple_ade".into());
    d1.is_supervised = true;
    d1.activation_lock_bypass_code = Some("K2Q7M-9XRTA-4MZP-88LA-CD3F-7GHJ".into());
    d1.enrolled_at = now - 200 * DAY_MS;

    let mut d2 = rows::device(
        t,
        "d2000000-0000-4000-8000-0000000000d2",
        Some(BEN),
        "Pixel 8",
        "Google",
        "Pixel 8",
        "android",
        "14",
        "personal",
        now,
    );
    d2.serial_number = Some("38121FDJH00A7Z".into());
    d2.imei = Some("354826110432176".into());
    d2.wifi_mac = Some("02:1A:2B:3C:4D:02".into());
    d2.phone_number = Some("+14255550122".into());
    d2.enrollment_type = Some("android_work_profile_personal".into());
    d2.enrolled_at = now - 90 * DAY_MS;

    let mut d3 = rows::device(
        t,
        "d3000000-0000-4000-8000-0000000000d3",
        Some(CHEN),
        "Chens-MBP",
        "Apple",
        "MacBook Pro",
        "macos",
        "14.5",
        "corporate",
        now,
    );
    d3.serial_number = Some("C02ZK1ABMD6T".into());
    d3.ethernet_mac = Some("02:1A:2B:3C:4D:03".into());
    d3.enrollment_type = Some("jamf_managed".into());
    d3.enrolled_at = now - 400 * DAY_MS;

    let mut d4 = rows::device(
        t,
        "d4000000-0000-4000-8000-0000000000d4",
        None,
        "Warehouse TC57 #3",
        "Zebra",
        "TC57",
        "android",
        "11",
        "corporate",
        now,
    );
    d4.serial_number = Some("124411614K0593".into());
    d4.enrollment_type = Some("android_dedicated".into());
    d4.device_category = Some("Warehouse scanners".into());

    let mut d5 = rows::device(
        t,
        "d5000000-0000-4000-8000-0000000000d5",
        Some(DIEGO),
        "DIEGO-LAPTOP",
        "Microsoft",
        "Surface Laptop 5",
        "windows",
        "11 23H2",
        "corporate",
        now,
    );
    d5.serial_number = Some("0F3K7Q2W1X9Z".into());
    d5.wifi_mac = Some("02:1A:2B:3C:4D:05".into());
    d5.entra_device_id = Some("e5000000-0000-4000-8000-0000000000e5".into());
    d5.enrollment_type = Some("windows_entra_joined".into());
    d5.recovery_key = Some("107855-421333-621907-589347-561594-056485-194876-095997".into());

    let mut d6 = rows::device(
        t,
        "d6000000-0000-4000-8000-0000000000d6",
        Some(DIEGO),
        "Old iPad",
        "Apple",
        "iPad (9th generation)",
        "ipados",
        "16.7",
        "corporate",
        now,
    );
    d6.serial_number = Some("DMPXK2ABQ1GC".into());
    d6.enrollment_type = Some("apple_device_enrollment".into());
    d6.last_check_in_at = now - 200 * DAY_MS;
    d6.compliance_state = "noncompliant".into();

    let devices = vec![d1, d2, d3, d4, d5, d6];
    insert_all(
        txn,
        devices
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;

    let d1_id = "d1000000-0000-4000-8000-0000000000d1";
    let d2_id = "d2000000-0000-4000-8000-0000000000d2";
    let apps = vec![
        rows::app(
            t,
            d1_id,
            "com.microsoft.Office.Outlook",
            "Microsoft Outlook",
            "4.2425.0",
            true,
            now,
        ),
        rows::app(
            t,
            d1_id,
            "com.microsoft.skype.teams",
            "Microsoft Teams",
            "6.14.1",
            true,
            now,
        ),
        rows::app(
            t,
            d1_id,
            "com.spotify.client",
            "Spotify",
            "8.9.40",
            false,
            now,
        ),
        rows::app(
            t,
            d2_id,
            "com.microsoft.office.outlook",
            "Microsoft Outlook",
            "4.2424.1",
            true,
            now,
        ),
        rows::app(t, d2_id, "com.whatsapp", "WhatsApp", "2.24.9", false, now),
        rows::app(
            t,
            "d3000000-0000-4000-8000-0000000000d3",
            "com.jamf.selfservice",
            "Self Service",
            "11.5",
            true,
            now,
        ),
    ];
    insert_all(txn, apps.into_iter().map(new_app).collect()).await?;

    // Feature states of the fixtures: on with consent, except Windows data and TeamViewer.
    let on = [
        "apple_mdm_push",
        "apple_ade",
        "apple_vpp",
        "managed_google_play",
        "zebra_lifeguard_ota",
        "jamf_pro",
        "mtd_app_sync",
    ];
    let consent_ids =
        rows::feature_states(txn, t, &on, "megan.bowen@contoso.com", now - 365 * DAY_MS).await?;

    let disclosure = |record_kind: &str,
                      record: &str,
                      subject: Option<&str>,
                      recipient: &str,
                      feature: &'static str,
                      fields: &str,
                      days_ago: i64| disclosure::ActiveModel {
        id: NotSet,
        tenant_id: Set(t.into()),
        record_kind: Set(record_kind.into()),
        record_id: Set(record.into()),
        subject_user_id: Set(subject.map(Into::into)),
        recipient_id: Set(recipient.into()),
        feature_id: Set(feature.into()),
        fields: Set(fields.into()),
        disclosed_at: Set(now - days_ago * DAY_MS),
        consent_id: Set(consent_ids.get(feature).copied()),
        purpose: Set(crate::catalogue::FEATURES
            .iter()
            .find(|f| f.id == feature)
            .map_or("", |f| f.purpose)
            .into()),
        fingerprint: Set(crate::services::audit::to_hex(&sha2::Sha256::digest(
            format!("{record}|{fields}|{days_ago}").as_bytes(),
        ))),
        ..Default::default()
    };
    use sha2::Digest;
    let disclosures = vec![
        disclosure(
            "device",
            d1_id,
            Some(ADELE),
            "apple",
            "apple_mdm_push",
            "push_token,push_magic",
            199,
        ),
        disclosure(
            "device",
            d1_id,
            Some(ADELE),
            "apple",
            "apple_mdm_push",
            "push_token,push_magic",
            3,
        ),
        disclosure(
            "device",
            d1_id,
            Some(ADELE),
            "apple",
            "apple_ade",
            "serial_number,model,asset_tag,profile_uuid,device_assigned_by,os,device_family",
            200,
        ),
        disclosure(
            "user",
            ADELE,
            Some(ADELE),
            "apple",
            "apple_vpp",
            "object_id,managed_apple_id",
            150,
        ),
        disclosure(
            "device",
            d1_id,
            Some(ADELE),
            "apple",
            "apple_vpp",
            "serial_number",
            150,
        ),
        disclosure(
            "device",
            d1_id,
            Some(ADELE),
            "lookout",
            "mtd_app_sync",
            "app_id,app_name,app_version,app_managed",
            2,
        ),
        disclosure(
            "device",
            d2_id,
            Some(BEN),
            "google",
            "managed_google_play",
            "device_resource_name,compliance_state,os_version,security_patch_level",
            1,
        ),
        disclosure(
            "user",
            BEN,
            Some(BEN),
            "google",
            "managed_google_play",
            "user_resource_name,google_user_id",
            90,
        ),
        disclosure(
            "device",
            "d4000000-0000-4000-8000-0000000000d4",
            None,
            "zebra",
            "zebra_lifeguard_ota",
            "serial_number,model,os_version,deployment_settings",
            30,
        ),
        // TeamViewer was connected once and has since been turned off: its history stays.
        disclosure(
            "user",
            DIEGO,
            Some(DIEGO),
            "teamviewer",
            "teamviewer",
            "upn,display_name,email",
            300,
        ),
        disclosure(
            "device",
            "d5000000-0000-4000-8000-0000000000d5",
            Some(DIEGO),
            "teamviewer",
            "teamviewer",
            "device_name",
            300,
        ),
    ];
    insert_all(txn, disclosures).await?;

    let accounts = [
        (
            MEGAN,
            "Megan Bowen",
            "megan.bowen@contoso.com",
            "tenant_admin",
        ),
        (LEE, "Lee Gu", "lee.gu@contoso.com", "support_reviewer"),
        (IRVIN, "Irvin Sayers", "irvin.sayers@contoso.com", "auditor"),
        (ADELE, "Adele Vance", "adele.vance@contoso.com", "end_user"),
        (BEN, "Ben Okafor", "ben.okafor@contoso.com", "end_user"),
    ];
    let mut ben_account = None;
    for (user_id, name, email, role) in accounts {
        let id = demo_account(txn, t, user_id, name, email, role, now).await?;
        if user_id == BEN {
            ben_account = Some(id);
        }
    }

    // Ben's display name is wrong in the directory: an open request, routed to Entra ID.
    correction_request::ActiveModel {
        id: NotSet,
        tenant_id: Set(t.into()),
        requester_account_id: Set(ben_account),
        subject_user_id: Set(BEN.into()),
        record_kind: Set("user".into()),
        record_id: Set(BEN.into()),
        field: Set("display_name".into()),
        proposed_value: Set("Benjamin Okafor".into()),
        base_version: Set(0),
        reason: Set("My legal first name is Benjamin.".into()),
        restrict_sharing: Set(false),
        status: Set("pending".into()),
        received_at: Set(now - 5 * DAY_MS),
        // One calendar month after receipt, as every request (Art. 12(3)).
        due_at: Set(app::time::add_months(now - 5 * DAY_MS, 1)),
        extension_reason: Set(None),
        paused_at: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
        decision_reason: Set(None),
        version: Set(0),
        created_at: Set(now - 5 * DAY_MS),
        updated_at: Set(now - 5 * DAY_MS),
    }
    .insert(txn)
    .await?;

    let helpdesk = Actor {
        kind: "account".into(),
        id: "helpdesk1".into(),
        name: "helpdesk1@contoso.com".into(),
    };
    audit::append(
        txn,
        t,
        NewEvent {
            actor: Actor::system("demo data"),
            action: "tenant.created".into(),
            target_kind: "tenant".into(),
            target_id: t.into(),
            subject_user_id: None,
            changes: vec![],
            reason: Some("Demo tenant loaded".into()),
            occurred_at: now - 400 * DAY_MS,
        },
    )
    .await?;
    audit::append(
        txn,
        t,
        NewEvent {
            actor: helpdesk,
            action: "device.ownership_changed".into(),
            target_kind: "device".into(),
            target_id: d1_id.into(),
            subject_user_id: Some(ADELE.into()),
            changes: vec![Change {
                field: "ownership".into(),
                before: Some("personal".into()),
                after: Some("corporate".into()),
            }],
            reason: Some("Device bought by Contoso; registered as personal by mistake.".into()),
            occurred_at: now - 199 * DAY_MS,
        },
    )
    .await?;
    Ok(())
}

async fn fabrikam<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = FABRIKAM;
    tenant_row(t, "Fabrikam Inc", "fabrikam.com", "north_america", now)
        .insert(txn)
        .await?;
    let users = vec![
        with_phone(
            rows::user(t, FAB_ADMIN, "alex.wilber@fabrikam.com", "Alex Wilber", now),
            "+12065550111",
            "IT",
        ),
        with_phone(
            rows::user(
                t,
                FAB_USER,
                "nestor.wilke@fabrikam.com",
                "Nestor Wilke",
                now,
            ),
            "+12065550112",
            "Sales",
        ),
    ];
    insert_all(
        txn,
        users
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;
    let mut phone = rows::device(
        t,
        "f1000000-0000-4000-8000-0000000000f1",
        Some(FAB_USER),
        "Nestor's Galaxy",
        "Samsung",
        "Galaxy S23",
        "android",
        "14",
        "corporate",
        now,
    );
    phone.serial_number = Some("R5CT30ABCDE".into());
    phone.imei = Some("352099001761481".into());
    phone.phone_number = Some("+12065550113".into());
    phone.enrollment_type = Some("android_fully_managed".into());
    insert_all(txn, vec![phone.into_active_model()]).await?;
    rows::feature_states(txn, t, &[], "system", now).await?;
    demo_account(
        txn,
        t,
        FAB_ADMIN,
        "Alex Wilber",
        "alex.wilber@fabrikam.com",
        "tenant_admin",
        now,
    )
    .await?;
    demo_account(
        txn,
        t,
        FAB_USER,
        "Nestor Wilke",
        "nestor.wilke@fabrikam.com",
        "end_user",
        now,
    )
    .await?;
    audit::append(
        txn,
        t,
        NewEvent {
            actor: Actor::system("demo data"),
            action: "tenant.created".into(),
            target_kind: "tenant".into(),
            target_id: t.into(),
            subject_user_id: None,
            changes: vec![],
            reason: Some("Demo tenant loaded".into()),
            occurred_at: now,
        },
    )
    .await?;
    Ok(())
}

async fn demo_account<C: ConnectionTrait>(
    txn: &C,
    tenant_id: &str,
    user_id: &str,
    name: &str,
    email: &str,
    role: &str,
    now: i64,
) -> anyhow::Result<i64> {
    let account = account::ActiveModel {
        id: NotSet,
        tenant_id: Set(tenant_id.into()),
        issuer: Set(DEMO_ISSUER.into()),
        subject: Set(format!("{tenant_id}:{user_id}")),
        display_name: Set(name.into()),
        email: Set(Some(email.into())),
        directory_user_id: Set(Some(user_id.into())),
        created_at: Set(now),
        last_sign_in_at: Set(None),
    }
    .insert(txn)
    .await?;
    role_assignment::ActiveModel {
        account_id: Set(account.id),
        role: Set(role.into()),
        tenant_id: Set(tenant_id.into()),
        granted_by: Set("demo data".into()),
        granted_at: Set(now),
    }
    .insert(txn)
    .await?;
    Ok(account.id)
}
