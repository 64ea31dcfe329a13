//! Tenants' policies on the host side, outside the call flow:
//!
//! - `store`: uploaded versions per company, stored once by content hash, their activation,
//!   rollback and history, and loading them from precompiled artifacts (`store/cache`,
//!   `store/locks`); `records`: what it stores; `checks`: what every upload passes; `error`:
//!   why a change is refused;
//! - `admin`: a company's policy changes as the API makes them, stored and taking effect for
//!   the call flow together;
//! - `io`: the host's own JSON forms of a policy's inputs and answers (scenarios, simulation
//!   answers, logged decisions), converted to and from the WIT types at the edge;
//! - `cli`: `switchyard policy check|simulate`, offline; `remote`: `switchyard policy
//!   upload|activate|rollback|list|new` against a server;
//! - `replay`: a candidate version over a company's logged calls, next to the active policy.
//!
//! Asking a company's active policy during a call is the call flow's (`crate::calls`).

mod admin;
mod checks;
pub mod cli;
mod error;
pub mod io;
mod records;
pub mod remote;
pub mod replay;
pub mod store;
pub mod template;

pub use admin::PolicyAdmin;
pub use checks::{DEFAULT_MAX_POLICY_BYTES, validate};
pub use error::PolicyError;
pub use records::{Activation, PolicyChange, PolicyVersion};
pub use store::PolicyStore;
