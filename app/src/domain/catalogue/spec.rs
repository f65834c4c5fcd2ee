//! What the catalogue says about each field: the group it is shown under, where its truth
//! lives, where a correction must be made and how sensitive it is, and how one device's
//! enrollment refines that.

use super::FieldId;
use crate::domain::enums::{
    Category, CorrectionRoute, EnrollmentType, Platform, Sensitivity, SourceOfTruth,
};
use crate::domain::visibility::DeviceContext;
use crate::i18n::Key;

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
