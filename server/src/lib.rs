//! Privacy Portal server: everything that touches the world. Configuration and start-up, the
//! router, the services behind the pages' ports, storage and the command line. The binary in
//! `main.rs` only parses the command line and calls into this library, so integration tests
//! start exactly the same application.

pub mod api;
pub mod assets;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod entities;
pub mod error;
pub mod flash;
pub mod outbound;
pub mod rate_limit;
pub mod request_id;
pub mod request_language;
pub mod routes;
pub mod security;
pub mod seed;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod worker;
