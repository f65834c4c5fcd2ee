//! Checking a proposed value for a field with the field's own type, so a correction request
//! carries a value the field can hold, in its normalised form.

use super::FieldId;
use crate::domain::device::{
    DeviceName, GeoPoint, Iccid, Imei, MacAddress, ManagementName, Meid, SerialNumber, Udid,
};
use crate::domain::enums::{ComplianceState, EnrollmentType, Ownership, Platform};
use crate::domain::error::ValueError;
use crate::domain::identity::{DisplayName, E164Phone, Email, Guid, Upn};
use crate::domain::secret::{ActivationLockBypassCode, BitLockerRecoveryKey};
use crate::domain::text::{parse_flag, FreeText, Timestamp};

impl FieldId {
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
