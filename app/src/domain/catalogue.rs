//! The field catalogue: every personal-data field of users, devices and app inventory that the
//! portal stores, with where its truth lives, where a correction must be made and how
//! sensitive it is.
//!
//! The snake_case names are stable: the server uses them as column and API field names, and
//! correction requests and disclosure records refer to fields by them. The rules follow the
//! device-management service's own: identity comes from Entra ID and is corrected there;
//! device-reported data is corrected by the user on the device or not at all; only a few
//! properties (management name, ownership, category, the primary user of Windows devices) are
//! set by admins; partner-reported values are corrected at the partner; ids never change.

use super::device::{
    DeviceName, GeoPoint, Iccid, Imei, MacAddress, ManagementName, Meid, SerialNumber, Udid,
};
use super::enums::{
    Category, ComplianceState, CorrectionRoute, EnrollmentType, Ownership, Platform, Sensitivity,
    SourceOfTruth,
};
use super::error::ValueError;
use super::identity::{DisplayName, E164Phone, Email, Guid, Upn};
use super::secret::{ActivationLockBypassCode, BitLockerRecoveryKey};
use super::text::{parse_flag, FreeText, Timestamp};
use super::visibility::DeviceContext;
use crate::i18n::Key;

domain_enum! {
    /// A personal-data field the portal stores.
    FieldId {
        // User (data subject), mastered in Entra ID.
        /// Entra object id of the user (immutable GUID).
        ObjectId = "object_id" => FieldObjectId,
        /// User principal name (sign-in name).
        Upn = "upn" => FieldUpn,
        /// The user's display name.
        DisplayName = "display_name" => FieldDisplayName,
        /// The user's email address.
        Email = "email" => FieldEmail,
        /// The user's phone number in the directory.
        Phone = "phone" => FieldPhone,
        /// Department.
        Department = "department" => FieldDepartment,
        /// Job title.
        JobTitle = "job_title" => FieldJobTitle,
        /// Managed Apple ID, reported by Apple Business Manager (Apps and Books).
        ManagedAppleId = "managed_apple_id" => FieldManagedAppleId,

        // Device identity and admin-settable properties.
        /// Intune device id (GUID).
        DeviceId = "device_id" => FieldDeviceId,
        /// Entra device id (GUID), only for Entra joined or registered devices.
        EntraDeviceId = "entra_device_id" => FieldEntraDeviceId,
        /// The name the device gives itself.
        DeviceName = "device_name" => FieldDeviceName,
        /// The console-only name admins give the device.
        ManagementName = "management_name" => FieldManagementName,
        /// Corporate or personal.
        Ownership = "ownership" => FieldOwnership,
        /// How the device was enrolled.
        EnrollmentType = "enrollment_type" => FieldEnrollmentType,
        /// Admin-created device category.
        DeviceCategory = "device_category" => FieldDeviceCategory,
        /// The device's primary user (UPN).
        PrimaryUser = "primary_user" => FieldPrimaryUser,
        /// Asset tag from Apple Business Manager (Automated Device Enrollment).
        AssetTag = "asset_tag" => FieldAssetTag,
        /// When the device enrolled.
        EnrolledAt = "enrolled_at" => FieldEnrolledAt,
        /// When the device last checked in.
        LastCheckIn = "last_check_in" => FieldLastCheckIn,
        /// Computed compliance state.
        ComplianceState = "compliance_state" => FieldComplianceState,
        /// Whether an Apple device is supervised.
        IsSupervised = "is_supervised" => FieldIsSupervised,
        /// Whether the device's storage is encrypted.
        IsEncrypted = "is_encrypted" => FieldIsEncrypted,
        /// Operating system.
        Os = "os" => FieldOs,
        /// Operating-system version.
        OsVersion = "os_version" => FieldOsVersion,
        /// Last known location (corporate devices in lost mode only).
        Location = "location" => FieldLocation,

        // Hardware identifiers.
        /// Manufacturer serial number.
        SerialNumber = "serial_number" => FieldSerialNumber,
        /// IMEI.
        Imei = "imei" => FieldImei,
        /// MEID.
        Meid = "meid" => FieldMeid,
        /// UDID (Apple and Windows hardware id).
        Udid = "udid" => FieldUdid,
        /// Manufacturer.
        Manufacturer = "manufacturer" => FieldManufacturer,
        /// Model.
        Model = "model" => FieldModel,

        // Network and SIM.
        /// Wi-Fi MAC address.
        WifiMac = "wifi_mac" => FieldWifiMac,
        /// Ethernet MAC address.
        EthernetMac = "ethernet_mac" => FieldEthernetMac,
        /// The device's (SIM's) phone number.
        PhoneNumber = "phone_number" => FieldPhoneNumber,
        /// SIM card id.
        Iccid = "iccid" => FieldIccid,
        /// Mobile carrier.
        SubscriberCarrier = "subscriber_carrier" => FieldSubscriberCarrier,

        // App inventory (one row per device and app).
        /// App id (bundle id or package name).
        AppId = "app_id" => FieldAppId,
        /// App name.
        AppName = "app_name" => FieldAppName,
        /// App version.
        AppVersion = "app_version" => FieldAppVersion,
        /// Whether the organisation installed or requires the app.
        AppManaged = "app_managed" => FieldAppManaged,

        // Secrets.
        /// Activation Lock bypass code (supervised Apple devices).
        ActivationLockBypassCode = "activation_lock_bypass_code" => FieldActivationLockBypassCode,
        /// BitLocker recovery key (Windows).
        BitlockerRecoveryKey = "bitlocker_recovery_key" => FieldBitlockerRecoveryKey,
    }
}

/// Which record a field belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// The user (data subject).
    User,
    /// A managed device.
    Device,
    /// An app inventory row of a device.
    App,
}

impl RecordKind {
    /// The stable snake_case name (`user`, `device`, `app`), also the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::User => "user",
            RecordKind::Device => "device",
            RecordKind::App => "app",
        }
    }
}

/// What the catalogue says about a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// The group it is shown under.
    pub category: Category,
    /// Where its value comes from.
    pub source: SourceOfTruth,
    /// Where a correction must be made.
    pub route: CorrectionRoute,
    /// How carefully it must be handled.
    pub sensitivity: Sensitivity,
    /// Its human label.
    pub label: Key,
}

impl FieldId {
    /// The catalogue entry: category, source of truth, correction route, sensitivity, label.
    /// Context-dependent refinements are in [`FieldId::spec_for`].
    pub fn spec(self) -> FieldSpec {
        use Category as C;
        use CorrectionRoute as R;
        use Sensitivity::{Normal, Secret, Sensitive};
        use SourceOfTruth as S;
        let (category, source, route, sensitivity) = match self {
            FieldId::ObjectId => (C::Identity, S::Directory, R::Never, Normal),
            FieldId::Upn | FieldId::DisplayName | FieldId::Email => {
                (C::Identity, S::Directory, R::Directory, Normal)
            }
            FieldId::Phone => (C::Identity, S::Directory, R::Directory, Sensitive),
            FieldId::Department | FieldId::JobTitle => {
                (C::Identity, S::Directory, R::Directory, Normal)
            }
            FieldId::ManagedAppleId => (C::Identity, S::Partner, R::Partner, Normal),

            FieldId::DeviceId => (C::Device, S::System, R::Never, Normal),
            FieldId::EntraDeviceId => (C::Device, S::Directory, R::Never, Normal),
            FieldId::DeviceName => (C::Device, S::Device, R::Device, Normal),
            FieldId::ManagementName
            | FieldId::Ownership
            | FieldId::DeviceCategory
            | FieldId::PrimaryUser => (C::Device, S::Portal, R::Portal, Normal),
            FieldId::AssetTag => (C::Device, S::Partner, R::Partner, Normal),
            FieldId::EnrollmentType
            | FieldId::EnrolledAt
            | FieldId::LastCheckIn
            | FieldId::ComplianceState => (C::Device, S::System, R::Never, Normal),
            FieldId::IsSupervised | FieldId::IsEncrypted | FieldId::Os | FieldId::OsVersion => {
                (C::Device, S::Device, R::Never, Normal)
            }
            FieldId::Location => (C::Device, S::Device, R::Never, Sensitive),

            FieldId::SerialNumber | FieldId::Imei | FieldId::Meid | FieldId::Udid => {
                (C::Hardware, S::Device, R::Never, Sensitive)
            }
            FieldId::Manufacturer | FieldId::Model => (C::Hardware, S::Device, R::Never, Normal),

            FieldId::WifiMac | FieldId::EthernetMac | FieldId::Iccid => {
                (C::Network, S::Device, R::Never, Sensitive)
            }
            // The number comes from the SIM; the user corrects it on the device or SIM.
            FieldId::PhoneNumber => (C::Network, S::Device, R::Device, Sensitive),
            FieldId::SubscriberCarrier => (C::Network, S::Device, R::Never, Normal),

            FieldId::AppId | FieldId::AppName | FieldId::AppVersion => {
                (C::Apps, S::Device, R::Never, Normal)
            }
            FieldId::AppManaged => (C::Apps, S::System, R::Never, Normal),

            FieldId::ActivationLockBypassCode | FieldId::BitlockerRecoveryKey => {
                (C::Secrets, S::Device, R::Never, Secret)
            }
        };
        FieldSpec {
            category,
            source,
            route,
            sensitivity,
            label: self.label(),
        }
    }

    /// The catalogue entry for one device, where the rules depend on it:
    /// - the primary user can be changed in the portal only on Windows devices joined or
    ///   hybrid-joined to Entra ID; elsewhere the device must be re-enrolled by its user;
    /// - on Macs managed by Jamf Pro, the inventory Jamf reports (name, serial, MAC, OS,
    ///   encryption, last check-in…) comes from the partner, although where a correction is
    ///   made does not change (the Mac's name is still renamed on the Mac or in Jamf).
    pub fn spec_for(self, device: &DeviceContext) -> FieldSpec {
        let mut spec = self.spec();
        if self == FieldId::PrimaryUser && !primary_user_settable(device) {
            spec.source = SourceOfTruth::Device;
            spec.route = CorrectionRoute::Device;
        }
        if device.enrollment_type == Some(EnrollmentType::JamfManaged) && reported_by_jamf(self) {
            spec.source = SourceOfTruth::Partner;
        }
        spec
    }

    /// Which record the field belongs to.
    pub fn record(self) -> RecordKind {
        match self {
            FieldId::ObjectId
            | FieldId::Upn
            | FieldId::DisplayName
            | FieldId::Email
            | FieldId::Phone
            | FieldId::Department
            | FieldId::JobTitle
            | FieldId::ManagedAppleId => RecordKind::User,
            FieldId::AppId | FieldId::AppName | FieldId::AppVersion | FieldId::AppManaged => {
                RecordKind::App
            }
            _ => RecordKind::Device,
        }
    }

    /// Validates a proposed value for this field with the field's own type and returns its
    /// normalised form (the form to store and compare). Flags normalise to `true`/`false`,
    /// closed sets to their snake_case name; fields without a specific type are bounded free
    /// text.
    ///
    /// # Errors
    /// The [`ValueError`] of the field's parser.
    pub fn parse_value(self, raw: &str) -> Result<String, ValueError> {
        match self {
            FieldId::ObjectId | FieldId::DeviceId | FieldId::EntraDeviceId => {
                Guid::parse(raw).map(String::from)
            }
            FieldId::Upn | FieldId::PrimaryUser => Upn::parse(raw).map(String::from),
            FieldId::Email | FieldId::ManagedAppleId => Email::parse(raw).map(String::from),
            FieldId::DisplayName => DisplayName::parse(raw).map(String::from),
            FieldId::Phone | FieldId::PhoneNumber => E164Phone::parse(raw).map(String::from),
            FieldId::DeviceName => DeviceName::parse(raw).map(String::from),
            FieldId::ManagementName => ManagementName::parse(raw).map(String::from),
            FieldId::Ownership => Ownership::parse(raw).map(|v| v.as_str().to_owned()),
            FieldId::EnrollmentType => EnrollmentType::parse(raw).map(|v| v.as_str().to_owned()),
            FieldId::ComplianceState => ComplianceState::parse(raw).map(|v| v.as_str().to_owned()),
            FieldId::Os => Platform::parse(raw).map(|v| v.as_str().to_owned()),
            FieldId::EnrolledAt | FieldId::LastCheckIn => Timestamp::parse(raw).map(String::from),
            FieldId::IsSupervised | FieldId::IsEncrypted | FieldId::AppManaged => {
                parse_flag(raw).map(|v| v.to_string())
            }
            FieldId::Location => GeoPoint::parse(raw).map(String::from),
            FieldId::SerialNumber => SerialNumber::parse(raw).map(String::from),
            FieldId::Imei => Imei::parse(raw).map(String::from),
            FieldId::Meid => Meid::parse(raw).map(String::from),
            FieldId::Udid => Udid::parse(raw).map(String::from),
            FieldId::WifiMac | FieldId::EthernetMac => MacAddress::parse(raw).map(String::from),
            FieldId::Iccid => Iccid::parse(raw).map(String::from),
            FieldId::ActivationLockBypassCode => {
                ActivationLockBypassCode::parse(raw).map(String::from)
            }
            FieldId::BitlockerRecoveryKey => BitLockerRecoveryKey::parse(raw).map(String::from),
            FieldId::Department
            | FieldId::JobTitle
            | FieldId::DeviceCategory
            | FieldId::AssetTag
            | FieldId::OsVersion
            | FieldId::Manufacturer
            | FieldId::Model
            | FieldId::SubscriberCarrier
            | FieldId::AppId
            | FieldId::AppName
            | FieldId::AppVersion => FreeText::parse(raw).map(String::from),
        }
    }
}

/// Whether the primary user of this device can be set by an admin (Windows, Entra joined or
/// hybrid joined). An unknown enrollment type does not qualify: the service refuses then too.
fn primary_user_settable(device: &DeviceContext) -> bool {
    device.platform == Platform::Windows
        && matches!(
            device.enrollment_type,
            Some(EnrollmentType::WindowsEntraJoined | EnrollmentType::WindowsHybridJoined)
        )
}

/// Device inventory that Jamf Pro reports for the Macs it manages.
fn reported_by_jamf(field: FieldId) -> bool {
    matches!(
        field,
        FieldId::DeviceName
            | FieldId::SerialNumber
            | FieldId::Udid
            | FieldId::WifiMac
            | FieldId::EthernetMac
            | FieldId::Manufacturer
            | FieldId::Model
            | FieldId::Os
            | FieldId::OsVersion
            | FieldId::IsEncrypted
            | FieldId::LastCheckIn
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::error::bad_format;
    use crate::domain::error::{Format, LengthUnit};
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
}
