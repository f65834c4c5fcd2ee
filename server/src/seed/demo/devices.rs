//! The demo tenants' devices and their app inventory: the fixture devices D1 to D6 of Contoso
//! (one of each kind the privacy rules tell apart) and Fabrikam's one phone, holding only what
//! the platform collects from each ([`collect`]).

use super::{ADELE, BEN, CHEN, CONTOSO, DIEGO, FABRIKAM, FAB_USER};
use crate::clock::DAY_MS;
use crate::db::insert_all;
use crate::entities::device;
use crate::seed::rows::{self, new_app};
use crate::services::records::{collect, context_of};
use app::domain::visibility::app_collected;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};
use std::collections::HashMap;

/// Adele's iPhone (D1), which the sharing history and the audit trail refer to.
pub(super) const D1_ID: &str = "d1000000-0000-4000-8000-0000000000d1";
/// Ben's Pixel (D2), which the sharing history refers to.
pub(super) const D2_ID: &str = "d2000000-0000-4000-8000-0000000000d2";

/// Contoso's six fixture devices.
pub(super) async fn contoso_devices<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = CONTOSO;
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

    let mut devices = vec![d1, d2, d3, d4, d5, d6];
    // The demo holds what the platform would have collected, no more.
    devices.iter_mut().for_each(collect);
    insert_all(
        txn,
        devices
            .into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect(),
    )
    .await?;
    Ok(())
}

/// The apps inventoried on Contoso's devices.
pub(super) async fn contoso_apps<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = CONTOSO;
    let apps = vec![
        rows::app(
            t,
            D1_ID,
            "com.microsoft.Office.Outlook",
            "Microsoft Outlook",
            "4.2425.0",
            true,
            now,
        ),
        rows::app(
            t,
            D1_ID,
            "com.microsoft.skype.teams",
            "Microsoft Teams",
            "6.14.1",
            true,
            now,
        ),
        rows::app(
            t,
            D1_ID,
            "com.spotify.client",
            "Spotify",
            "8.9.40",
            false,
            now,
        ),
        rows::app(
            t,
            D2_ID,
            "com.microsoft.office.outlook",
            "Microsoft Outlook",
            "4.2424.1",
            true,
            now,
        ),
        rows::app(t, D2_ID, "com.whatsapp", "WhatsApp", "2.24.9", false, now),
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
    // A personal app on a personal device is never inventoried.
    let devices: HashMap<String, device::Model> = device::Entity::find()
        .filter(device::Column::TenantId.eq(t))
        .all(txn)
        .await?
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let apps = apps.into_iter().filter(|a| {
        devices
            .get(&a.device_id)
            .is_some_and(|d| app_collected(&context_of(d), a.managed))
    });
    insert_all(txn, apps.map(new_app).collect()).await?;
    Ok(())
}

/// Fabrikam's one phone.
pub(super) async fn fabrikam_devices<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = FABRIKAM;
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
    collect(&mut phone);
    insert_all(txn, vec![phone.into_active_model()]).await?;
    Ok(())
}
