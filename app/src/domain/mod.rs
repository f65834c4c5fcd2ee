//! Domain value types: every personal-data value the portal handles, parsed once into a type
//! that cannot hold an invalid value ("parse, don't validate").
//!
//! The same parsers run in the browser (instant feedback on a form) and on the server (the
//! decision), so this module does no IO and depends on nothing heavier than `serde` and
//! `thiserror`. The field catalogue ([`catalogue`]) says, for each field, where its truth lives,
//! where a correction must be made and how sensitive it is; [`visibility`] applies the
//! platform's privacy rules to what an admin may see; [`states`] holds the stored states of
//! requests, deliveries and follow-ups.

#[macro_use]
mod macros;
mod parse;

pub mod catalogue;
pub mod device;
pub mod enums;
pub mod error;
pub mod identity;
pub mod secret;
pub mod states;
pub mod text;
pub mod visibility;

#[cfg(test)]
mod properties;
