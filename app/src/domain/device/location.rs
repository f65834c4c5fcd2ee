//! A device's last known location, as a pair of decimal degrees.

use crate::domain::error::{Format, ValueError};
use crate::domain::parse::non_empty;

value_type! {
    /// A device location as `latitude,longitude` in decimal degrees, e.g. `47.6423,-122.1391`.
    /// Held for corporate devices only (lost mode).
    GeoPoint
}

impl GeoPoint {
    /// Parses `latitude,longitude` (spaces allowed around either number).
    ///
    /// # Errors
    /// [`ValueError::Empty`], or [`ValueError::InvalidFormat`] (`Location`) for anything but
    /// two plain decimal numbers within ±90 and ±180.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let invalid = ValueError::InvalidFormat {
            expected: Format::Location,
        };
        let Some((lat, lon)) = non_empty(raw)?.split_once(',') else {
            return Err(invalid);
        };
        match (degrees(lat, 90.0), degrees(lon, 180.0)) {
            (Some(lat), Some(lon)) => Ok(GeoPoint(format!("{lat},{lon}"))),
            _ => Err(invalid),
        }
    }
}

/// A plain decimal number within `±limit` (no exponents, `inf` or `NaN`, which `f64::from_str`
/// would accept).
fn degrees(text: &str, limit: f64) -> Option<f64> {
    let text = text.trim();
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+'));
    if !plain {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    (value.abs() <= limit).then_some(value)
}
