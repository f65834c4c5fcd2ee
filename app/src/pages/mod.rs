//! One module per page.

pub mod accounts;
pub mod api_tokens;
pub mod directory;
pub mod error;
pub mod home;
pub mod not_found;
pub mod sharing;
pub mod sign_in;
pub mod user;
