//! Widgets shared by several pages.

pub mod access_log;
pub mod chart;
pub mod error_view;
pub mod layout;
pub mod time;
pub mod toast;
