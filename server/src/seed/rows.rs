//! Building rows for seeding: small constructors with the defaults every seeded row shares, so
//! the demo data and the generator describe only what differs.

use crate::entities::{device, device_app, directory_user};

/// A directory user at version 0 (as delivered by the directory).
pub fn user(
    tenant_id: &str,
    id: &str,
    upn: &str,
    display_name: &str,
    now: i64,
) -> directory_user::Model {
    directory_user::Model {
        id: id.into(),
        tenant_id: tenant_id.into(),
        upn: upn.to_lowercase(),
        display_name: display_name.into(),
        search_name: display_name.to_lowercase(),
        email: Some(upn.to_lowercase()),
        phone: None,
        department: None,
        job_title: None,
        version: 0,
        created_at: now,
        updated_at: now,
    }
}

/// A device with only its required facts; callers fill in identifiers.
#[allow(clippy::too_many_arguments)] // each argument is a required column; a builder would hide none of them
pub fn device(
    tenant_id: &str,
    id: &str,
    primary_user_id: Option<&str>,
    device_name: &str,
    manufacturer: &str,
    model: &str,
    platform: &str,
    os_version: &str,
    ownership: &str,
    now: i64,
) -> device::Model {
    device::Model {
        id: id.into(),
        tenant_id: tenant_id.into(),
        primary_user_id: primary_user_id.map(Into::into),
        entra_device_id: None,
        device_name: device_name.into(),
        management_name: None,
        serial_number: None,
        imei: None,
        meid: None,
        udid: None,
        wifi_mac: None,
        ethernet_mac: None,
        phone_number: None,
        iccid: None,
        subscriber_carrier: None,
        manufacturer: manufacturer.into(),
        model: model.into(),
        platform: platform.into(),
        os_version: os_version.into(),
        ownership: ownership.into(),
        enrollment_type: None,
        device_category: None,
        compliance_state: "compliant".into(),
        is_supervised: false,
        is_encrypted: true,
        activation_lock_bypass_code: None,
        recovery_key: None,
        enrolled_at: now,
        last_check_in_at: now,
        version: 0,
        created_at: now,
        updated_at: now,
    }
}

/// An app inventory entry.
pub fn app(
    tenant_id: &str,
    device_id: &str,
    app_id: &str,
    name: &str,
    version: &str,
    managed: bool,
    now: i64,
) -> device_app::Model {
    device_app::Model {
        id: 0,
        tenant_id: tenant_id.into(),
        device_id: device_id.into(),
        app_id: app_id.into(),
        name: name.into(),
        app_version: version.into(),
        managed,
        created_at: now,
    }
}

/// The Luhn check digit for a string of digits (IMEI, ICCID).
pub fn luhn_digit(digits: &str) -> u8 {
    let mut sum = 0_u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let mut d = c.to_digit(10).unwrap_or(0);
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    u8::try_from((10 - sum % 10) % 10).unwrap_or(0)
}

/// A model as an insertable row with its auto-increment id left for the database.
pub fn new_app(model: device_app::Model) -> device_app::ActiveModel {
    use sea_orm::IntoActiveModel;
    let mut row = model.into_active_model();
    row.id = sea_orm::NotSet;
    row
}

/// Writes a state for every feature of the catalogue: those in `enabled` are on since `at`,
/// with a consent record (English terms) where the feature needs one; the rest are off.
/// Returns the consent id of each enabled feature that needed one.
///
/// # Errors
/// When the database refuses a row.
pub async fn feature_states<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant_id: &str,
    enabled: &[&str],
    admin: &str,
    at: i64,
) -> anyhow::Result<std::collections::HashMap<&'static str, i64>> {
    use crate::entities::{consent, tenant_feature};
    use sea_orm::{ActiveModelTrait, NotSet, Set};
    let mut consents = std::collections::HashMap::new();
    for spec in crate::catalogue::FEATURES {
        let on = enabled.contains(&spec.id.as_str());
        let consent_id = if on && spec.needs_consent() {
            let row = consent::ActiveModel {
                id: NotSet,
                tenant_id: Set(tenant_id.into()),
                feature_id: Set(spec.id.as_str().into()),
                terms_version: Set(spec.terms_version),
                locale: Set("en".into()),
                terms_text: Set(spec.terms("en")),
                granted_by: Set(admin.into()),
                granted_at: Set(at),
                withdrawn_at: Set(None),
            }
            .insert(conn)
            .await?;
            consents.insert(spec.id.as_str(), row.id);
            Some(row.id)
        } else {
            None
        };
        tenant_feature::ActiveModel {
            tenant_id: Set(tenant_id.into()),
            feature_id: Set(spec.id.as_str().into()),
            enabled: Set(on),
            changed_at: Set(at),
            changed_by: Set(admin.into()),
            consent_id: Set(consent_id),
            version: Set(1),
        }
        .insert(conn)
        .await?;
    }
    Ok(consents)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_luhn_digit_of_the_contoso_imei_is_its_last_digit() {
        assert_eq!(super::luhn_digit("35693803564380"), 9);
    }
}
