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
//!
//! `fields` names the fields, `spec` says what the catalogue holds for each, and `values`
//! checks a proposed value with the field's own type.

mod fields;
mod spec;
#[cfg(test)]
mod tests;
mod values;

pub use fields::{field_label, FieldId, RecordKind};
pub use spec::FieldSpec;
