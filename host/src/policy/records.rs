//! The policy store's records, as stored and as the API shows them: one uploaded version, a
//! company's activation (its version and configuration), and one recorded change.

use serde::{Deserialize, Serialize};

/// One uploaded version of a company's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyVersion {
    /// The company.
    pub company_id: u64,
    /// Version number, from 1, per company.
    pub version: u32,
    /// Name given at upload.
    pub name: String,
    /// SHA-256 of the component, hex.
    pub hash: String,
    /// Component size, bytes.
    pub size: usize,
    /// Upload time (unix ms).
    pub uploaded_ms: u64,
    /// Who uploaded it (principal kind and id).
    pub uploader: String,
}

/// The active version of a company and its configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Activation {
    /// The company.
    pub company_id: u64,
    /// Active version.
    pub version: u32,
    /// Its name.
    pub name: String,
    /// JSON configuration passed on every call.
    pub config: String,
    /// When it was activated (unix ms).
    pub activated_ms: u64,
    /// Who activated it.
    pub by: String,
    /// The activation this one replaced (what a rollback returns to).
    #[schema(no_recursion, value_type = Option<Object>)]
    pub previous: Option<Box<Activation>>,
}

/// One recorded change of a company's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyChange {
    /// When (unix ms).
    pub at_ms: u64,
    /// Who.
    pub by: String,
    /// `upload`, `activate`, `rollback`, `deactivate` or `delete`.
    pub action: String,
    /// Active version before (for `upload`/`delete`: none).
    pub from: Option<u32>,
    /// Active (or uploaded / deleted) version after.
    pub to: Option<u32>,
}
