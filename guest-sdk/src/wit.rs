//! Bindings generated once from `wit/policy.wit` (world `routing-policy`).
//!
//! Hidden from the docs: authors use the re-exports at the crate root, the
//! [`Policy`](crate::Policy) trait and [`export_policy!`](crate::export_policy).

// Generated code: not ours to lint.
#![allow(clippy::all)]

wit_bindgen::generate!({
    world: "routing-policy",
    path: "../wit",
    pub_export_macro: true,
    default_bindings_module: "switchyard_sdk::wit",
    additional_derives: [PartialEq, Eq],
});
