//! The one place the host binds the `routing-policy` world from `wit/`.
//!
//! Everything else in the host uses the types re-exported here; nobody copies the WIT.
//! Generated types derive `serde` so the HTTP layer can (de)serialise them. `bindgen!`
//! cannot add `#[serde(rename_all)]`, so field names are Rust's snake_case
//! (`now_unix_ms`) and enum/variant cases are Rust's UpperCamelCase (`OnCall`).

#![allow(missing_docs, reason = "generated code; the WIT carries the documentation")]

wasmtime::component::bindgen!({
    world: "routing-policy",
    path: "../../wit",
    additional_derives: [
        serde::Serialize,
        serde::Deserialize,
        PartialEq,
        Eq,
    ],
});

pub use self::switchyard::policy::host::{Level, StateError};
pub use self::switchyard::policy::types::{
    AgentId, Attribute, Call, Candidate, CompanyId, Decision, DepartmentId, OverflowAction,
    OverflowReason, Presence, QueueSpec, RingMode, RingPlan, RingTarget, Role, Status, Subject,
    View, Viewer, Weekday,
};
