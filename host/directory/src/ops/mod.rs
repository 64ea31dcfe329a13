//! The directory's operations, one file per resource, each an `impl Directory` block. Every
//! operation that takes a [`Principal`](crate::Principal) checks scope and tenant itself, so
//! isolation does not depend on the HTTP layer. `callflow.rs` holds the unauthenticated reads
//! the call flow uses.

mod accounts;
mod agents;
mod callflow;
mod companies;
mod departments;
mod me;
mod members;
mod numbers;
mod tokens;
