//! One module per page.

pub mod accounts;
pub mod api_tokens;
pub mod audit_log;
pub mod dashboard;
pub mod directory;
pub mod error;
pub mod home;
pub mod jobs;
pub mod my_data;
pub mod not_found;
pub mod notifications;
pub mod requests;
pub mod review;
pub mod sharing;
pub mod sign_in;
pub mod user;
