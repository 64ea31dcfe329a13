//! Sandboxed wasmtime runtime for companies' routing policies.
//!
//! A policy is a WebAssembly component implementing world `routing-policy`
//! (`wit/policy.wit`). [`PolicyEngine::load`] compiles and checks it once;
//! [`PolicyEngine::route`] and friends run each decision in a fresh, limited
//! instance and always return a usable [`Decided`] value, falling back to the
//! built-in [`fallback`] decisions when the policy fails.
//!
//! Modules, in the order a decision meets them:
//! - [`bindings`]: the world bound once; the WIT types for the whole host.
//! - [`engine`]: [`PolicyEngine`] and [`EngineConfig`] (deadline, memory, stack, fuel,
//!   pooling); `ticker` advances the epoch that enforces deadlines.
//! - `load` / [`policy`]: bytes → checked, pre-linked [`Policy`] ([`LoadError`] names
//!   what is wrong); serialisation for an on-disk cache.
//! - `sandbox`: the linker and its shadowed functions that turn escape attempts into
//!   `sandbox-violation`; `wasi_ctx`: the empty WASI context, deterministic clocks and
//!   randomness.
//! - `store` / `lazy_wasi` / `host_impl` / `capture`: per-call store data, its WASI
//!   context built on first use, the `host` import, and bounded stdout/stderr pipes.
//! - [`state`]: [`PolicyState`], the company's limited key/value state.
//! - [`skills`]: [`skills::SkillTable`], skill names interned into `call.skills` and each
//!   candidate's bitmask.
//! - `invoke`: the four calls (`exports`: each found once, type-checked per call);
//!   [`outcome`]: [`Decided`] and [`Outcome`].
//! - [`failure`]: [`FailureKind`], classification and [`FailureCounters`].
//! - [`validate`]: checks on every answer ([`BadAnswer`], [`ConfigRejected`]); [`fallback`]:
//!   the native defaults.
//! - [`logs`]: [`GuestLog`] and the per-call log budget.
//! - [`error`]: [`LoadError`] and [`RuntimeError`].

#![deny(unsafe_code)]

pub mod bindings;
mod capture;
pub mod engine;
pub mod error;
mod exports;
pub mod failure;
pub mod fallback;
mod host_impl;
mod invoke;
mod lazy_wasi;
mod load;
pub mod logs;
pub mod outcome;
pub mod policy;
mod sandbox;
pub mod skills;
pub mod state;
mod store;
mod ticker;
pub mod validate;
mod wasi_ctx;

pub use bindings::{
    Attribute, Call, Candidate, Decision, Level, OverflowAction, OverflowReason, Presence,
    QueueSpec, RingMode, RingPlan, RingTarget, Role, SkillSet, StateError, Status, Subject, View,
    Viewer, Weekday,
};
pub use engine::{EngineConfig, PolicyEngine};
pub use error::{LoadError, RuntimeError};
pub use failure::{Failure, FailureCounters, FailureKind};
pub use logs::{GuestLog, LogSource, MAX_LOG_BYTES, MAX_LOG_LINES};
pub use outcome::{Decided, Outcome};
pub use policy::{Policy, PolicyMeta, WeakPolicy, content_hash};
pub use state::PolicyState;
pub use validate::{BadAnswer, ConfigRejected};
