//! Data that the portal writes itself: the partner catalogue (every start), the demo tenants
//! (once, in demo mode), and generated tenants of any size for benchmarks (`seed`).

pub mod bulk;
pub mod catalogue;
pub mod demo;
pub mod generator;
pub mod rows;
