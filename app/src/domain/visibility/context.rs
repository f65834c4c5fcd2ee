//! The facts about a device that the visibility rules depend on, and the stricter reading
//! where a fact is unknown.

use crate::domain::enums::{EnrollmentType, Ownership, Platform};
use serde::{Deserialize, Serialize};

/// The facts about a device that the visibility rules depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeviceContext {
    /// Corporate or personal (unknown counts as personal).
    pub ownership: Ownership,
    /// Operating-system family.
    pub platform: Platform,
    /// Major OS version (14 for Android 14), if known.
    pub os_major: Option<u32>,
    /// How the device enrolled, if known.
    pub enrollment_type: Option<EnrollmentType>,
    /// Year and month of enrollment, if known.
    pub enrolled_at_year_month: Option<(i32, u32)>,
}

impl DeviceContext {
    /// The major version in an OS version string: `14` from `14`, `17` from `17.5.1`, `10`
    /// from `10.0.22631.3880`; `None` when it does not start with a number.
    pub fn major_version(os_version: &str) -> Option<u32> {
        let digits: String = os_version
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    }

    pub(super) fn is_corporate(&self) -> bool {
        self.ownership == Ownership::Corporate
    }

    /// A personally owned Android work profile; with the enrollment type unknown, any Android
    /// device not known to be corporate is taken to be one (the stricter reading).
    pub(super) fn is_android_personal_work_profile(&self) -> bool {
        self.platform == Platform::Android
            && match self.enrollment_type {
                Some(kind) => kind == EnrollmentType::AndroidWorkProfilePersonal,
                None => !self.is_corporate(),
            }
    }

    pub(super) fn os_at_least(&self, major: u32) -> bool {
        self.os_major.is_none_or(|v| v >= major)
    }

    pub(super) fn enrolled_since(&self, year_month: (i32, u32)) -> bool {
        self.enrolled_at_year_month
            .is_none_or(|ym| ym >= year_month)
    }
}
