//! The one place the host binds the `routing-policy` world from `wit/`.
//!
//! Everything else in the host uses the types re-exported here; nobody copies the WIT.
//! Generated types derive `serde` so the HTTP layer can (de)serialise them. `bindgen!`
//! cannot add `#[serde(rename_all)]`, so field names are Rust's snake_case
//! (`now_unix_ms`) and enum/variant cases are Rust's UpperCamelCase (`OnCall`).

/// Output of `bindgen!`; use the re-exports below instead of reaching in here.
#[allow(
    missing_docs,
    reason = "generated code; the WIT carries the documentation"
)]
pub(crate) mod generated {
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
}

pub(crate) use self::generated::switchyard::policy::host::Host;
pub use self::generated::switchyard::policy::host::{Level, StateError};
pub(crate) use self::generated::switchyard::policy::types::Host as TypesHost;
pub use self::generated::switchyard::policy::types::{
    AgentId, Attribute, Call, Candidate, CompanyId, Decision, DepartmentId, OverflowAction,
    OverflowReason, Presence, QueueSpec, RingMode, RingPlan, RingTarget, Role, SkillSet, Status,
    Subject, View, Viewer, Weekday,
};
pub(crate) use self::generated::{RoutingPolicy, RoutingPolicyPre};
