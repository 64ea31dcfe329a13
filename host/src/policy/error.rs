//! [`PolicyError`]: why an upload, activation, rollback or deletion was refused, with the
//! stable code and the hint the API answers with.

use switchyard_runtime::LoadError;

/// Why an upload or activation was refused.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Body larger than the limit.
    #[error("the component is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// Size sent.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The component was refused at load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The smoke decision failed.
    #[error("the policy failed a smoke decision on a synthetic call: {kind}: {detail}")]
    Smoke {
        /// Failure kind.
        kind: String,
        /// Detail.
        detail: String,
    },
    /// The configuration was refused.
    #[error("invalid policy configuration: {0}")]
    Config(String),
    /// The version is active and cannot be deleted.
    #[error("version {0} is active")]
    VersionActive(u32),
    /// The version is what a rollback returns to and cannot be deleted.
    #[error("version {0} is what a rollback returns to (the activation before the current one)")]
    VersionNeededForRollback(u32),
    /// Nothing to roll back to.
    #[error("there is no earlier activation to roll back to")]
    NothingToRollBack,
    /// No such version.
    #[error("company {company} has no policy version {version}")]
    UnknownVersion {
        /// Company.
        company: u64,
        /// Version asked for.
        version: u32,
    },
    /// The active version could not be loaded (its decisions get the built-in fallback).
    #[error("the active policy could not be loaded")]
    Unloadable(#[source] std::sync::Arc<crate::calls::LoadFailed>),
    /// Storage failed.
    #[error("storage: {0}")]
    Storage(String),
}

impl PolicyError {
    /// Stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::TooLarge { .. } => "policy_too_large",
            PolicyError::Load(LoadError::NotWasm) => "not_wasm",
            PolicyError::Load(LoadError::CoreModule) => "core_module",
            PolicyError::Load(LoadError::Compile { .. }) => "compile_failed",
            PolicyError::Load(LoadError::MissingExport { .. } | LoadError::ExportType { .. }) => {
                "wrong_world"
            }
            PolicyError::Load(
                LoadError::ForbiddenImport { .. } | LoadError::ImportMismatch { .. },
            ) => "forbidden_import",
            PolicyError::Load(_) => "invalid_component",
            PolicyError::Smoke { .. } => "smoke_test_failed",
            PolicyError::Config(_) => "invalid_config",
            PolicyError::UnknownVersion { .. } => "unknown_version",
            PolicyError::VersionActive(_) => "version_active",
            PolicyError::VersionNeededForRollback(_) => "version_needed_for_rollback",
            PolicyError::NothingToRollBack => "nothing_to_roll_back",
            PolicyError::Unloadable(_) | PolicyError::Storage(_) => "internal",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            PolicyError::TooLarge { .. } => {
                "build with `--release` (and `strip = true`) or ask the operator to raise the limit"
            }
            PolicyError::Load(_) => {
                "build the policy with the Switchyard SDK for `wasm32-wasip2` against the current wit/policy.wit"
            }
            PolicyError::Smoke { .. } => {
                "run the policy locally on a scenario and fix the failure; see the guest SDK docs"
            }
            PolicyError::Config(_) => {
                "send the JSON configuration the policy documents (its README lists the fields)"
            }
            PolicyError::UnknownVersion { .. } => {
                "list versions with GET /v1/companies/{company_id}/policies"
            }
            PolicyError::VersionActive(_) => {
                "activate another version (or DELETE /v1/companies/{company_id}/policy) first"
            }
            PolicyError::VersionNeededForRollback(_) => {
                "activate a version (PUT /v1/companies/{company_id}/policy; a rollback then returns to \
                 the one active now) or deactivate the policy (DELETE /v1/companies/{company_id}/policy) first"
            }
            PolicyError::NothingToRollBack => {
                "activate a version with PUT /v1/companies/{company_id}/policy"
            }
            PolicyError::Unloadable(_) | PolicyError::Storage(_) => {
                "retry later; the service log has the details"
            }
        }
    }
}
