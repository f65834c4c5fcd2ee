//! Plain HTTP routes that are not Leptos pages or server functions.

pub mod audit_log;
pub mod export;
pub mod health;
pub mod jobs;
pub mod sharing;
