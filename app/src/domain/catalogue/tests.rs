//! The catalogue's rules checked field by field: stable names, correction routes, secrets,
//! the device-dependent refinements and the value parsers behind each field.

use super::*;
use crate::domain::enums::{
    Category, CorrectionRoute, EnrollmentType, Ownership, Platform, Sensitivity, SourceOfTruth,
};
use crate::domain::error::bad_format;
use crate::domain::error::ValueError;
use crate::domain::error::{Format, LengthUnit};
use crate::domain::visibility::DeviceContext;
use crate::i18n::Locale;
use std::collections::HashSet;

fn context(platform: Platform, enrollment_type: Option<EnrollmentType>) -> DeviceContext {
    DeviceContext {
        ownership: Ownership::Corporate,
        platform,
        os_major: None,
        enrollment_type,
        enrolled_at_year_month: None,
    }
}

#[test]
fn field_names_are_unique_snake_case_and_parse_back() {
    let mut names = HashSet::new();
    let mut labels = HashSet::new();
    for &field in FieldId::ALL {
        let name = field.as_str();
        assert!(names.insert(name), "duplicate {name}");
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{name}"
        );
        assert_eq!(FieldId::parse(name), Ok(field));
        assert_eq!(
            serde_json::to_string(&field).ok(),
            Some(format!("\"{name}\""))
        );
        assert!(labels.insert(field.label()), "{name} shares a label");
        assert_eq!(field.spec().label, field.label());
        assert!(!field.label().text(Locale::Nl).is_empty());
    }
    assert_eq!(FieldId::parse("password"), Err(ValueError::UnknownValue));
}

#[test]
fn the_stable_names_the_server_relies_on_do_not_change() {
    let names: Vec<&str> = FieldId::ALL.iter().map(|f| f.as_str()).collect();
    for expected in [
        "object_id",
        "upn",
        "display_name",
        "email",
        "phone",
        "department",
        "job_title",
        "device_id",
        "entra_device_id",
        "device_name",
        "management_name",
        "serial_number",
        "imei",
        "meid",
        "udid",
        "wifi_mac",
        "ethernet_mac",
        "phone_number",
        "iccid",
        "subscriber_carrier",
        "manufacturer",
        "model",
        "os",
        "os_version",
        "ownership",
        "enrollment_type",
        "device_category",
        "primary_user",
        "enrolled_at",
        "last_check_in",
        "compliance_state",
        "is_supervised",
        "is_encrypted",
        "activation_lock_bypass_code",
        "bitlocker_recovery_key",
        "app_name",
        "app_version",
        "app_managed",
    ] {
        assert!(names.contains(&expected), "{expected} is missing");
    }
}

#[test]
fn identity_is_corrected_in_entra_and_ids_never() {
    for field in [
        FieldId::Upn,
        FieldId::DisplayName,
        FieldId::Email,
        FieldId::Phone,
        FieldId::Department,
        FieldId::JobTitle,
    ] {
        let spec = field.spec();
        assert_eq!(
            (spec.source, spec.route),
            (SourceOfTruth::Directory, CorrectionRoute::Directory),
            "{field}"
        );
        assert_eq!(spec.category, Category::Identity, "{field}");
    }
    for field in [
        FieldId::ObjectId,
        FieldId::DeviceId,
        FieldId::EntraDeviceId,
        FieldId::Udid,
        FieldId::Imei,
        FieldId::SerialNumber,
    ] {
        assert_eq!(field.spec().route, CorrectionRoute::Never, "{field}");
    }
}

#[test]
fn only_the_admin_settable_properties_are_corrected_in_the_portal() {
    let in_portal: Vec<FieldId> = FieldId::ALL
        .iter()
        .copied()
        .filter(|f| f.spec().route == CorrectionRoute::Portal)
        .collect();
    assert_eq!(
        in_portal,
        vec![
            FieldId::ManagementName,
            FieldId::Ownership,
            FieldId::DeviceCategory,
            FieldId::PrimaryUser
        ]
    );
}

#[test]
fn device_data_is_corrected_on_the_device_and_partner_data_at_the_partner() {
    assert_eq!(FieldId::DeviceName.spec().route, CorrectionRoute::Device);
    assert_eq!(FieldId::PhoneNumber.spec().route, CorrectionRoute::Device);
    assert_eq!(
        FieldId::ManagedAppleId.spec().route,
        CorrectionRoute::Partner
    );
    assert_eq!(FieldId::AssetTag.spec().route, CorrectionRoute::Partner);
}

#[test]
fn secrets_are_secret_and_never_corrected() {
    let secrets: Vec<FieldId> = FieldId::ALL
        .iter()
        .copied()
        .filter(|f| f.spec().sensitivity == Sensitivity::Secret)
        .collect();
    assert_eq!(
        secrets,
        vec![
            FieldId::ActivationLockBypassCode,
            FieldId::BitlockerRecoveryKey
        ]
    );
    for field in secrets {
        assert_eq!(field.spec().category, Category::Secrets);
        assert_eq!(field.spec().route, CorrectionRoute::Never);
    }
}

#[test]
fn the_primary_user_is_set_in_the_portal_only_on_entra_joined_windows() {
    let cases = [
        (
            Platform::Windows,
            Some(EnrollmentType::WindowsEntraJoined),
            CorrectionRoute::Portal,
            "Entra joined",
        ),
        (
            Platform::Windows,
            Some(EnrollmentType::WindowsHybridJoined),
            CorrectionRoute::Portal,
            "hybrid joined",
        ),
        (
            Platform::Windows,
            Some(EnrollmentType::WindowsRegistered),
            CorrectionRoute::Device,
            "only registered",
        ),
        (
            Platform::Windows,
            None,
            CorrectionRoute::Device,
            "enrollment unknown",
        ),
        (
            Platform::Ios,
            Some(EnrollmentType::AppleAde),
            CorrectionRoute::Device,
            "iOS needs re-enrollment",
        ),
        (
            Platform::Android,
            Some(EnrollmentType::AndroidFullyManaged),
            CorrectionRoute::Device,
            "Android needs re-enrollment",
        ),
    ];
    for (platform, enrollment, expected, reason) in cases {
        assert_eq!(
            FieldId::PrimaryUser
                .spec_for(&context(platform, enrollment))
                .route,
            expected,
            "{reason}"
        );
    }
}

#[test]
fn jamf_reported_inventory_comes_from_the_partner() {
    let mac = context(Platform::Macos, Some(EnrollmentType::JamfManaged));
    assert_eq!(
        FieldId::SerialNumber.spec_for(&mac).source,
        SourceOfTruth::Partner
    );
    let name = FieldId::DeviceName.spec_for(&mac);
    assert_eq!(
        (name.source, name.route),
        (SourceOfTruth::Partner, CorrectionRoute::Device)
    );
    assert_eq!(
        FieldId::ManagementName.spec_for(&mac),
        FieldId::ManagementName.spec()
    );
    let iphone = context(Platform::Ios, Some(EnrollmentType::AppleAde));
    assert_eq!(
        FieldId::SerialNumber.spec_for(&iphone),
        FieldId::SerialNumber.spec()
    );
}

#[test]
fn every_field_has_a_record() {
    assert_eq!(FieldId::Upn.record(), RecordKind::User);
    assert_eq!(FieldId::Imei.record(), RecordKind::Device);
    assert_eq!(FieldId::AppVersion.record(), RecordKind::App);
    let users = FieldId::ALL
        .iter()
        .filter(|f| f.record() == RecordKind::User)
        .count();
    assert!(users >= 7);
    for kind in [RecordKind::User, RecordKind::Device, RecordKind::App] {
        let json = serde_json::to_string(&kind).ok();
        assert_eq!(json, Some(format!("\"{}\"", kind.as_str())));
    }
}

#[test]
fn proposed_values_are_checked_with_the_fields_own_type() {
    let good = [
        (
            FieldId::ObjectId,
            "A1B2C3D4-0001-4000-8000-000000000001",
            "a1b2c3d4-0001-4000-8000-000000000001",
        ),
        (
            FieldId::Upn,
            "Adele.Vance@Contoso.com",
            "Adele.Vance@contoso.com",
        ),
        (
            FieldId::ManagedAppleId,
            "adele.vance@appleid.contoso.com",
            "adele.vance@appleid.contoso.com",
        ),
        (FieldId::Phone, "+1 425 555 0101", "+14255550101"),
        (FieldId::PhoneNumber, "+1 (425) 555-0111", "+14255550111"),
        (FieldId::DeviceName, " Adele's iPhone ", "Adele's iPhone"),
        (
            FieldId::ManagementName,
            "AdeleVance_iPhone_1/5/2025",
            "AdeleVance_iPhone_1/5/2025",
        ),
        (FieldId::SerialNumber, "f2lxk0abcd12", "F2LXK0ABCD12"),
        (FieldId::Imei, "35 693803 564380 9", "356938035643809"),
        (FieldId::Meid, "35693803564380", "35693803564380"),
        (
            FieldId::Udid,
            "00008110-001a2b3c4d5e801e",
            "00008110-001A2B3C4D5E801E",
        ),
        (FieldId::WifiMac, "02-1a-2b-3c-4d-01", "02:1A:2B:3C:4D:01"),
        (FieldId::EthernetMac, "021a.2b3c.4d03", "02:1A:2B:3C:4D:03"),
        (FieldId::Ownership, "Company", "corporate"),
        (FieldId::EnrollmentType, "apple_ade", "apple_ade"),
        (FieldId::ComplianceState, "inGracePeriod", "in_grace_period"),
        (FieldId::Os, "iOS", "ios"),
        (FieldId::IsSupervised, "Yes", "true"),
        (FieldId::AppManaged, "0", "false"),
        (
            FieldId::EnrolledAt,
            "2025-01-05 09:30:00Z",
            "2025-01-05T09:30:00Z",
        ),
        (FieldId::AssetTag, "CT-000451", "CT-000451"),
        (FieldId::OsVersion, "17.5", "17.5"),
        (FieldId::Location, "47.6423, -122.1391", "47.6423,-122.1391"),
    ];
    for (field, input, expected) in good {
        assert_eq!(
            field.parse_value(input),
            Ok(expected.to_owned()),
            "{field}: {input:?}"
        );
    }
    let bad = [
        (
            FieldId::Imei,
            "35693803564380",
            ValueError::WrongLength {
                min: 15,
                max: 15,
                found: 14,
                unit: LengthUnit::Digits,
            },
            "14 digits: one short",
        ),
        (FieldId::Upn, "adele", bad_format(Format::Upn), "no domain"),
        (
            FieldId::WifiMac,
            "02:1A:2B",
            bad_format(Format::MacAddress),
            "half a MAC",
        ),
        (
            FieldId::Ownership,
            "borrowed",
            ValueError::UnknownValue,
            "not an ownership",
        ),
        (
            FieldId::Department,
            "",
            ValueError::Empty,
            "empty free text",
        ),
        (
            FieldId::IsEncrypted,
            "maybe",
            bad_format(Format::Flag),
            "not a flag",
        ),
    ];
    for (field, input, expected, reason) in bad {
        assert_eq!(field.parse_value(input), Err(expected), "{field}: {reason}");
    }
}

#[test]
fn every_field_refuses_blank_input() {
    for &field in FieldId::ALL {
        assert_eq!(field.parse_value("  "), Err(ValueError::Empty), "{field}");
    }
}
