//! Integration tests of the policy runtime against real guest components built
//! from source by `switchyard-artifacts`: the six shipped policies, the hostile
//! guest in every mode, components that must be refused at load, and the Python and
//! JavaScript guests.
//!
//! One test binary with modules, so it links once.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
mod hostile;
mod languages;
mod loading;
mod shipped;
mod state;
