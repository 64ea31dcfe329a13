// The Switchyard JavaScript SDK: re-exports every module except wasm-host.js (which loads only inside a component).
//
// - policy.js: definePolicy, the shape of a policy; export.js: exportPolicy, the world exports.
// - host.js: the Host contract and StateError; memory-host.js: MemoryHost for native tests
//   (wasm-host.js: the Host inside a component; import it from the component entry only).
// - select.js: who is eligible, and why nobody is; skills.js: skills by name over the bitmask.
// - order.js: orderings; plan.js: ringPlan, decide and the ringTimeout config field.
// - fields.js: value types for configs and state; config.js: parseConfig, loadConfig,
//   validateConfig, ConfigError; state.js: typed state as JSON (getState, setState).
// - defaults.js: the default overflow and visibility; testing.js: inputs for unit tests.
// - json.js: JSON without losing u64 precision; text.js: Rust-compatible trimming and case folding.

export * from './config.js';
export * from './defaults.js';
export * from './export.js';
export * from './fields.js';
export * from './host.js';
export * from './json.js';
export * from './memory-host.js';
export * from './order.js';
export * from './plan.js';
export * from './policy.js';
export * from './select.js';
export * from './skills.js';
export * from './state.js';
export * from './text.js';
export * as testing from './testing.js';
export * from './types.js';
