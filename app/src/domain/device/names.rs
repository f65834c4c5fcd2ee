//! The names a device goes by: the one it gives itself and the console-only one admins give
//! it.

use crate::domain::error::ValueError;
use crate::domain::parse::bounded_text;

/// Longest device or management name Intune accepts.
const NAME_MAX: usize = 255;

value_type! {
    /// The name a device gives itself ("Adele's iPhone"): 1 to 255 characters, no control
    /// characters. Corrected by the user on the device.
    DeviceName
}

impl DeviceName {
    /// Parses a device name (trimmed).
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] or [`ValueError::InvalidCharacter`].
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        bounded_text(raw, NAME_MAX).map(DeviceName)
    }
}

value_type! {
    /// The console-only name admins give a device (`AdeleVance_iPhone_1/5/2025`): 1 to 255
    /// characters, no control characters. It never changes the name on the device.
    ManagementName
}

impl ManagementName {
    /// Parses a management name (trimmed).
    ///
    /// # Errors
    /// [`ValueError::Empty`], [`ValueError::TooLong`] or [`ValueError::InvalidCharacter`].
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        bounded_text(raw, NAME_MAX).map(ManagementName)
    }
}
