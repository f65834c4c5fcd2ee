//! Data that the portal writes itself besides the catalogue it ships ([`crate::catalogue`]):
//! the demo tenants (once, in demo mode), and generated tenants of any size for benchmarks
//! (`seed`).

pub mod bulk;
pub mod demo;
pub mod generator;
pub mod rows;
