//! Tenants' policies on the host side, outside the call flow:
//!
//! - `store`: uploaded versions per company, stored once by content hash, their activation,
//!   rollback and history, and loading them from precompiled artifacts (`store/cache`,
//!   `store/locks`); `records`: what it stores; `checks`: what every upload passes; `error`:
//!   why a change is refused;
//! - `admin`: a company's policy changes as the API makes them, stored and taking effect for
//!   the call flow together;
//! - `simulate`: one decision of a version on a scenario in the host's JSON forms
//!   (`crate::calls::policy_io`), for `switchyard policy simulate` and `POST .../simulate`;
//! - `replay`: a candidate version over a company's logged calls, next to the active policy.
//!
//! Asking a company's active policy during a call is the call flow's (`crate::calls`).

mod admin;
mod checks;
mod error;
mod records;
pub mod replay;
pub mod simulate;
pub mod store;

pub use admin::PolicyAdmin;
pub use checks::{DEFAULT_MAX_POLICY_BYTES, validate};
pub use error::PolicyError;
pub use records::{Activation, PolicyChange, PolicyVersion};
pub use store::PolicyStore;
