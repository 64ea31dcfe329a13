//! Paths of the guest components, built from source by `build.rs`.
//!
//! Building this crate compiles the six shipped policies (`plugins/*`) and the
//! test-only guests (`tests/guests/*`) to `wasm32-wasip2` components with one
//! inner `cargo build --profile guest` into `target/guests/`, then exposes
//! their absolute paths here. Tests and benchmarks use these constants instead
//! of checked-in `.wasm` files.
//!
//! - [`LONGEST_IDLE`], [`ROUND_ROBIN`], [`RING_ALL`], [`FEWEST_CALLS`],
//!   [`SKILLS_TIER`], [`BUSINESS_HOURS`]: the shipped policies, also listed in
//!   [`SHIPPED`] by policy name.
//! - [`HOSTILE`]: misbehaves as its config's `mode` says (see
//!   `tests/guests/hostile`).
//! - [`WRONG_WORLD`]: a component that does not implement the
//!   `routing-policy` world.
//! - [`ALWAYS_TRAPS`]: implements the world but panics on every decision (fails the
//!   upload smoke test); [`ALWAYS_LOOPS`]: loops on every decision (fails it on the deadline).
//! - [`OVERFLOW_RULES`]: longest-idle or ring-all whose overflow per reason comes from its
//!   config (see `tests/guests/overflow-rules`; the Kamailio tests' companies).

include!(concat!(env!("OUT_DIR"), "/artifacts.rs"));
