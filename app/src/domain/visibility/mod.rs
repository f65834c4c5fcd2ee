//! What an admin may see of a field on a given device, following the device-management
//! service's privacy rules (its "what can your organisation see" article and inventory docs).
//!
//! The rules run on both sides: the server masks a value before it leaves (a hidden value is
//! never sent), and the page explains why a value is missing. Where the context is incomplete
//! (unknown ownership, OS version or enrollment date), the stricter reading wins.

mod context;
mod mask;
mod rules;
#[cfg(test)]
mod tests;

pub use context::DeviceContext;
pub use mask::apply;
pub use rules::{app_collected, app_visible, collected, visibility, HiddenReason, Visibility};
