//! One module per page.

pub mod accounts;
pub mod directory;
pub mod error;
pub mod home;
pub mod not_found;
pub mod sign_in;
pub mod user;
