//! Integration tests of the server: each test starts the real application on port 0 against a
//! fresh database, once on SQLite (a file in a temporary folder) and once on PostgreSQL (a
//! database created for the test and dropped afterwards).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a failing test should fail loudly

mod helpers;

mod access_log;
mod access_matrix;
mod api;
mod api_endpoints;
mod assets;
mod audit;
mod audit_log;
mod auth;
mod calendar;
mod cli;
mod corrections_at_source;
mod crash;
mod dashboard;
mod data_model;
mod directory;
mod export;
mod hardening;
mod health;
mod import;
mod jobs;
mod oidc;
mod outbound;
mod pages;
mod personal_data;
mod races;
mod rate_limits;
mod requests;
mod server_functions;
mod sharing;
