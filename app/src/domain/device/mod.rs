//! Device identifiers and names as devices report them: IMEI, MEID, serial number, MAC
//! addresses, UDID, ICCID, device and management names, and a location.
//!
//! Hardware identifiers are accepted with the separators people copy them with (spaces,
//! dashes, dots) and stored in one canonical form, so the same device always compares equal.

mod codes;
mod hardware;
mod location;
mod names;
#[cfg(test)]
mod tests;

pub use codes::{Iccid, Imei, Meid};
pub use hardware::{MacAddress, SerialNumber, Udid};
pub use location::GeoPoint;
pub use names::{DeviceName, ManagementName};
