//! The fields themselves: every personal-data field's stable name and label, the record it
//! belongs to, and the label a page shows for a field name it receives.

use crate::i18n::Locale;

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

impl FieldId {
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
}

/// The catalogue label of a field, or its stable name for service data.
pub fn field_label(name: &str, locale: Locale) -> String {
    FieldId::parse(name).map_or_else(
        |_| name.replace('_', " "),
        |f| f.label().text(locale).to_owned(),
    )
}
