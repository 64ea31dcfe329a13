//! Sandboxed wasmtime runtime for routing policies.
pub mod bindings;
