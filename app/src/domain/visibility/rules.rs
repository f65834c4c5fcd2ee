//! The platform's privacy rules: for each field on a given device, whether an admin sees it
//! in full, only its last digits, not at all (and why), or masked as a secret; which apps of a
//! device's inventory may be shown; and, from the same rules, what the platform never collects
//! and so is never stored.

use super::DeviceContext;
use crate::domain::catalogue::FieldId;
use crate::domain::enums::{EnrollmentType, Platform};
use crate::i18n::Key;
use serde::{Deserialize, Serialize};

/// The first month in which newly enrolled Android work profile and device-admin devices
/// stopped reporting their Wi-Fi MAC address.
const WIFI_MAC_WITHHELD_SINCE: (i32, u32) = (2021, 10);

/// How a field's value may be shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Shown as it is.
    Visible,
    /// Only the last this-many digits are shown (`••• 0122`).
    LastDigits(usize),
    /// Not shown at all, for the given reason.
    Hidden(HiddenReason),
    /// Masked until an audited reveal.
    Secret,
}

impl Visibility {
    /// The note shown next to a value that is not shown in full; `None` for visible values.
    pub fn note(self) -> Option<Key> {
        match self {
            Visibility::Visible => None,
            Visibility::LastDigits(_) => Some(Key::VisibilityLastDigits),
            Visibility::Hidden(reason) => Some(reason.label()),
            Visibility::Secret => Some(Key::VisibilitySecret),
        }
    }
}

/// Why a field is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HiddenReason {
    /// Android 12 and later do not report hardware ids for personally owned work profiles.
    AndroidPersonalWorkProfile,
    /// Android work profile and device-admin (Android 9+) devices enrolled since October 2021
    /// do not report their Wi-Fi MAC address.
    WifiMacWithheld,
    /// Corporate-owned Android work profiles do not report the phone number.
    NotReported,
    /// Not inventoried for this kind of Android enrollment (ICCID on dedicated, fully managed
    /// and corporate work-profile devices).
    NotInventoried,
    /// Never shown for devices that are not corporate-owned (location).
    PersonalDevice,
}

impl HiddenReason {
    /// The explanation shown in place of the value.
    pub fn label(self) -> Key {
        match self {
            HiddenReason::AndroidPersonalWorkProfile => Key::HiddenAndroidPersonalWorkProfile,
            HiddenReason::WifiMacWithheld => Key::HiddenWifiMacWithheld,
            HiddenReason::NotReported => Key::HiddenNotReported,
            HiddenReason::NotInventoried => Key::HiddenNotInventoried,
            HiddenReason::PersonalDevice => Key::HiddenPersonalDevice,
        }
    }
}

/// How `field` may be shown for the device described by `ctx`.
pub fn visibility(field: FieldId, ctx: &DeviceContext) -> Visibility {
    match field {
        FieldId::ActivationLockBypassCode | FieldId::BitlockerRecoveryKey => Visibility::Secret,
        FieldId::PhoneNumber => {
            if ctx.enrollment_type == Some(EnrollmentType::AndroidWorkProfileCorporate) {
                Visibility::Hidden(HiddenReason::NotReported)
            } else if ctx.is_corporate() {
                Visibility::Visible
            } else {
                Visibility::LastDigits(4)
            }
        }
        FieldId::SerialNumber | FieldId::Imei | FieldId::Meid => {
            if android_12_personal_work_profile(ctx) {
                Visibility::Hidden(HiddenReason::AndroidPersonalWorkProfile)
            } else {
                Visibility::Visible
            }
        }
        FieldId::WifiMac => {
            if android_12_personal_work_profile(ctx) {
                Visibility::Hidden(HiddenReason::AndroidPersonalWorkProfile)
            } else if wifi_mac_withheld(ctx) {
                Visibility::Hidden(HiddenReason::WifiMacWithheld)
            } else {
                Visibility::Visible
            }
        }
        FieldId::Iccid => match ctx.enrollment_type {
            Some(
                EnrollmentType::AndroidDedicated
                | EnrollmentType::AndroidFullyManaged
                | EnrollmentType::AndroidWorkProfileCorporate,
            ) => Visibility::Hidden(HiddenReason::NotInventoried),
            _ => Visibility::Visible,
        },
        FieldId::Location => {
            if ctx.is_corporate() {
                Visibility::Visible
            } else {
                Visibility::Hidden(HiddenReason::PersonalDevice)
            }
        }
        _ => Visibility::Visible,
    }
}

fn android_12_personal_work_profile(ctx: &DeviceContext) -> bool {
    ctx.is_android_personal_work_profile() && ctx.os_at_least(12)
}

fn wifi_mac_withheld(ctx: &DeviceContext) -> bool {
    let kind_withholds = ctx.is_android_personal_work_profile()
        || (ctx.platform == Platform::Android
            && ctx.enrollment_type == Some(EnrollmentType::AndroidDeviceAdmin)
            && ctx.os_at_least(9));
    kind_withholds && ctx.enrolled_since(WIFI_MAC_WITHHELD_SINCE)
}

/// Whether the platform collects `field` from a device like `ctx` at all. A value the device
/// does not report (the hardware ids of an Android 12+ personal work profile, a withheld Wi-Fi
/// MAC, the phone number of a corporate work profile, an ICCID that is not inventoried) is
/// never stored, by the import, the demo data or the generator: the rule that explains its
/// absence on the page is the rule that keeps it out of the database. Values hidden for another
/// reason (a personal device's location) and masked ones are collected, and shown in full to
/// their subject.
pub fn collected(field: FieldId, ctx: &DeviceContext) -> bool {
    !matches!(
        visibility(field, ctx),
        Visibility::Hidden(
            HiddenReason::AndroidPersonalWorkProfile
                | HiddenReason::WifiMacWithheld
                | HiddenReason::NotReported
                | HiddenReason::NotInventoried
        )
    )
}

/// Whether an app inventory entry is collected at all: the platform inventories only managed
/// apps where it may only show managed apps (see [`app_visible`]), so a personal app of a
/// personal device is never stored.
pub fn app_collected(ctx: &DeviceContext, managed: bool) -> bool {
    app_visible(ctx, managed)
}

/// Whether an app inventory entry may be shown: all apps on corporate devices; only managed
/// apps (installed or required by the organisation) on personal ones, on devices of unknown
/// ownership, and on corporate-owned Android work profiles (where the personal profile's apps
/// are out of reach).
pub fn app_visible(ctx: &DeviceContext, managed: bool) -> bool {
    managed
        || (ctx.is_corporate()
            && ctx.enrollment_type != Some(EnrollmentType::AndroidWorkProfileCorporate))
}
