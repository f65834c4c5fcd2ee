//! Widgets shared by several pages.

pub mod error_view;
pub mod layout;
pub mod time;
pub mod toast;
