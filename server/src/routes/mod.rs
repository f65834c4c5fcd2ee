//! Plain HTTP routes that are not Leptos pages or server functions.

pub mod export;
pub mod health;
