//! Write Switchyard routing policies in Rust.
//!
//! A routing policy is a WebAssembly component implementing the
//! `switchyard:policy/routing-policy` world (`wit/policy.wit`). With this SDK a
//! policy is a unit struct implementing [`Policy`] plus one
//! [`export_policy!`] line; the generated bindings stay out of sight.
//!
//! # Modules
//!
//! - [`Policy`] (`policy`): the trait a policy implements.
//! - [`Host`] (`host`): logging and persistent state offered by the host;
//!   [`MemoryHost`] (`memory`) is an in-memory one for native unit tests.
//! - [`select`]: who is [`eligible`], and why nobody is
//!   ([`unavailable_reason`]).
//! - [`skills`]: skills by name ([`Candidate::has_skill`], [`RequiredSkills`])
//!   over the bitmask each candidate carries.
//! - [`order`]: orderings (longest idle, fewest calls, least talk time).
//! - [`plan`]: [`ring_plan`], [`decide`] and the [`RingTimeout`] config value.
//! - [`state`]: typed state (JSON) on top of [`Host`].
//! - [`config`]: parsing the config string into a typed config; [`ConfigError`], why a
//!   config is refused.
//! - [`defaults`]: the default overflow and visibility answers.
//! - [`testing`]: ready-made calls and candidates for unit tests.
//!
//! # Example
//!
//! A complete policy: ring eligible agents one after another by longest idle
//! time, but do not ring the same agent first twice in a row when someone else
//! is free. Its config is `{"ring_timeout_ms": 15000, "max_targets": 3}`; both
//! fields are optional and an empty config means the defaults.
//!
//! ```
//! use std::num::NonZeroUsize;
//!
//! use serde::Deserialize;
//! use switchyard_sdk::{
//!     Call, Candidate, Decision, Host, Level, MemoryHost, Policy, RingMode, RingPlan,
//!     RingTimeout, config, decide, eligible, order, state, testing,
//! };
//!
//! /// The policy's config; unknown fields are errors, missing ones take defaults.
//! #[derive(Debug, Default, Deserialize)]
//! #[serde(deny_unknown_fields, default)]
//! struct Config {
//!     ring_timeout_ms: RingTimeout,
//!     max_targets: Option<NonZeroUsize>,
//! }
//!
//! /// Longest idle first, never the same first agent twice in a row.
//! struct NoRepeat;
//!
//! /// State key holding the agent rung first by the previous decision.
//! const LAST: &str = "no-repeat.last";
//!
//! impl Policy for NoRepeat {
//!     fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
//!         let config: Config = config::load(host, config);
//!         let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
//!         order::longest_idle(&mut ordered);
//!         let last: Option<u64> = state::get(host, LAST);
//!         if ordered.len() > 1 && ordered.first().map(|c| c.agent) == last {
//!             ordered.rotate_left(1);
//!         }
//!         if let Some(first) = ordered.first() {
//!             if let Err(err) = state::set(host, LAST, &first.agent) {
//!                 host.log(Level::Warn, &err.to_string());
//!             }
//!         }
//!         decide(RingMode::Sequential, ordered, candidates, config.ring_timeout_ms, config.max_targets)
//!     }
//!
//!     fn check_config(config: &str) -> Result<(), config::ConfigError> {
//!         config::check::<Config>(config)
//!     }
//! }
//!
//! switchyard_sdk::export_policy!(NoRepeat);
//!
//! // Natively the policy is plain Rust: test it with a MemoryHost, whose state
//! // survives between calls just as the real host's does.
//! fn main() {
//!     let candidates = vec![
//!         Candidate { idle_ms: 90_000, ..testing::candidate(1) },
//!         Candidate { idle_ms: 30_000, ..testing::candidate(2) },
//!     ];
//!     let mut host = MemoryHost::new();
//!     let first = |d: Decision| match d {
//!         Decision::Ring(RingPlan { targets, .. }) => targets[0].agent,
//!         Decision::Overflow(reason) => panic!("overflow: {reason:?}"),
//!     };
//!     let call = testing::call();
//!     assert_eq!(first(NoRepeat::route(&mut host, &call, &candidates, "")), 1);
//!     assert_eq!(first(NoRepeat::route(&mut host, &call, &candidates, "")), 2);
//!     assert!(NoRepeat::check_config(r#"{"ring_timeout_ms": 500}"#).is_err());
//! }
//! ```
//!
//! # Building a policy
//!
//! A policy crate is a library with `crate-type = ["cdylib", "rlib"]` that
//! depends on `switchyard-sdk` (and `serde` for its config). In the Switchyard
//! workspace (where `switchyard policy new` puts it) build it with the
//! workspace's `guest` profile:
//!
//! ```text
//! cargo build -p <crate> --profile guest --target wasm32-wasip2
//! ```
//!
//! and upload `target/wasm32-wasip2/guest/<crate_name>.wasm` (the crate name
//! with `-` replaced by `_`): the `wasm32-wasip2` target produces a component
//! directly, ~170 KB for the template. (`--release` also works, but the
//! workspace's release profile keeps debug line tables for the host's
//! profiles: 3.3 MB.) In a workspace of your own, give the release profile
//! `debug = false`, `strip = true`, `lto = true`, `codegen-units = 1` and
//! `panic = "abort"`, as the `guest` profile in Switchyard's `Cargo.toml` does.
//! Run its unit tests natively with plain `cargo test`.

mod export;
mod host;
mod memory;
mod policy;

pub mod config;
pub mod defaults;
pub mod order;
pub mod plan;
pub mod select;
pub mod skills;
pub mod state;
pub mod testing;

#[doc(hidden)]
pub mod wit;

pub use config::ConfigError;
pub use host::Host;
pub use memory::{MAX_KEY_BYTES, MAX_KEYS, MAX_TOTAL_BYTES, MAX_VALUE_BYTES, MemoryHost};
pub use plan::{RingTimeout, decide, ring_plan};
pub use policy::Policy;
pub use select::{eligible, unavailable_reason};
pub use skills::RequiredSkills;
pub use wit::switchyard::policy::host::{Level, StateError};
pub use wit::switchyard::policy::types::{
    AgentId, Attribute, Call, Candidate, CompanyId, Decision, DepartmentId, OverflowAction,
    OverflowReason, Presence, QueueSpec, RingMode, RingPlan, RingTarget, Role, SkillSet, Status,
    Subject, View, Viewer, Weekday,
};

/// Used by [`export_policy!`]; not part of the API.
#[doc(hidden)]
pub mod __private {
    #[cfg(target_arch = "wasm32")]
    pub use crate::host::WasmHost;
}
