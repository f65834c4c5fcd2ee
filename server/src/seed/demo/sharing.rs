//! The demo tenants' sharing: which features are on (with consent) and the disclosures already
//! made to recipients, including the history of a feature since turned off.

use super::devices::{D1_ID, D2_ID};
use super::{ADELE, BEN, CONTOSO, DIEGO, FABRIKAM};
use crate::clock::DAY_MS;
use crate::db::insert_all;
use crate::entities::disclosure;
use crate::seed::rows;
use sea_orm::{ConnectionTrait, NotSet, Set};

/// Contoso's feature states and its disclosures so far.
pub(super) async fn contoso_sharing<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = CONTOSO;
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
            .find(|f| f.id.as_str() == feature)
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
            D1_ID,
            Some(ADELE),
            "apple",
            "apple_mdm_push",
            "push_token,push_magic",
            199,
        ),
        disclosure(
            "device",
            D1_ID,
            Some(ADELE),
            "apple",
            "apple_mdm_push",
            "push_token,push_magic",
            3,
        ),
        disclosure(
            "device",
            D1_ID,
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
            D1_ID,
            Some(ADELE),
            "apple",
            "apple_vpp",
            "serial_number",
            150,
        ),
        disclosure(
            "device",
            D1_ID,
            Some(ADELE),
            "lookout",
            "mtd_app_sync",
            "app_id,app_name,app_version,app_managed",
            2,
        ),
        disclosure(
            "device",
            D2_ID,
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
    Ok(())
}

/// Fabrikam has every feature off.
pub(super) async fn fabrikam_sharing<C: ConnectionTrait>(txn: &C, now: i64) -> anyhow::Result<()> {
    let t = FABRIKAM;
    rows::feature_states(txn, t, &[], "system", now).await?;
    Ok(())
}
