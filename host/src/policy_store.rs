//! Companies' uploaded policies: validate a component (size, component not core module, our
//! world, compiles, a smoke decision works), store it once by content hash with a numbered
//! version per company, activate a version with its configuration, and list the activations to
//! restore at start-up; a restored policy is loaded from its precompiled artifact (no
//! recompiling) on its company's first decision. Loaded components are shared by content hash
//! (`cache`): a thousand companies on the same shipped plugin hold one compiled copy, and
//! uploading bytes already stored skips the compile (the smoke decision still runs).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use switchyard_directory::{RecordStore, RecordTree, RecordWrite};
use switchyard_runtime::{
    Call, Candidate, LoadError, Policy, PolicyEngine, PolicyState, Presence, Role, Status, Weekday,
};

use crate::calls::{ActivePolicy, PolicySource};

mod cache;

/// Largest component accepted by default (a Rust policy is a few hundred KiB).
pub const DEFAULT_MAX_POLICY_BYTES: usize = 8 << 20;

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
            PolicyError::NothingToRollBack => "nothing_to_roll_back",
            PolicyError::Storage(_) => "internal",
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
            PolicyError::NothingToRollBack => {
                "activate a version with PUT /v1/companies/{company_id}/policy"
            }
            PolicyError::Storage(_) => "retry later; the service log has the details",
        }
    }
}

/// Uploaded policies of all companies.
#[derive(Clone)]
pub struct PolicyStore {
    records: Arc<dyn RecordStore>,
    engine: PolicyEngine,
    max_bytes: usize,
    loaded: cache::LoadedPolicies,
}

fn storage(e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Storage(e.to_string())
}

fn version_key(company: u64, version: u32) -> Vec<u8> {
    [
        company.to_be_bytes().as_slice(),
        version.to_be_bytes().as_slice(),
    ]
    .concat()
}

impl PolicyStore {
    /// A store over `records`, loading with `engine`.
    pub fn new(records: Arc<dyn RecordStore>, engine: PolicyEngine, max_bytes: usize) -> Self {
        Self {
            records,
            engine,
            max_bytes,
            loaded: cache::LoadedPolicies::default(),
        }
    }

    /// Validate and store a component as the company's next version.
    pub fn upload(
        &self,
        company: u64,
        name: &str,
        bytes: &[u8],
        uploader: &str,
        now_ms: u64,
    ) -> Result<PolicyVersion, PolicyError> {
        let versions = self.versions(company)?;
        let version = versions.last().map(|v| v.version + 1).unwrap_or(1);
        let (policy, compiled) = self.checked(name, &version.to_string(), bytes)?;
        let hash = policy.content_hash().to_owned();
        let record = PolicyVersion {
            company_id: company,
            version,
            name: name.to_owned(),
            hash: hash.clone(),
            size: bytes.len(),
            uploaded_ms: now_ms,
            uploader: uploader.to_owned(),
        };
        let mut writes: Vec<RecordWrite> = vec![(
            RecordTree::PolicyVersions,
            version_key(company, version),
            Some(serde_json::to_vec(&record).map_err(storage)?),
        )];
        if self
            .records
            .get(RecordTree::PolicyBlobs, hash.as_bytes())
            .map_err(storage)?
            .is_none()
        {
            writes.push((
                RecordTree::PolicyBlobs,
                hash.as_bytes().to_vec(),
                Some(bytes.to_vec()),
            ));
        }
        if compiled && let Ok(artifact) = policy.serialize() {
            writes.push((
                RecordTree::PolicyArtifacts,
                hash.as_bytes().to_vec(),
                Some(artifact),
            ));
        }
        writes.push(self.change(company, uploader, now_ms, "upload", None, Some(version))?);
        self.records.write(&writes).map_err(storage)?;
        self.loaded.insert(&policy);
        Ok(record)
    }

    /// The upload checks of `bytes` (see [`validate`]). Bytes already in memory or stored with
    /// a usable precompiled artifact passed the compile and world checks before (the artifact
    /// is re-linked, which repeats the world checks), so only the smoke decision runs again.
    /// The flag is true when the bytes were compiled here (their artifact is to be stored).
    fn checked(
        &self,
        name: &str,
        version: &str,
        bytes: &[u8],
    ) -> Result<(Policy, bool), PolicyError> {
        if bytes.len() > self.max_bytes {
            return Err(PolicyError::TooLarge {
                size: bytes.len(),
                limit: self.max_bytes,
            });
        }
        let hash = switchyard_runtime::content_hash(bytes);
        if let Some(policy) = self.known(&hash, name, version)? {
            smoke(&self.engine, &policy, 0)?;
            return Ok((policy, false));
        }
        let policy = validate(&self.engine, name, version, bytes, self.max_bytes)?;
        Ok((policy, true))
    }

    /// The policy with content `hash` under `name` and `version`, if already in memory or
    /// precompiled in storage (`None`: it has to be compiled).
    fn known(&self, hash: &str, name: &str, version: &str) -> Result<Option<Policy>, PolicyError> {
        if let Some(policy) = self.loaded.get(hash, name, version) {
            return Ok(Some(policy));
        }
        let Some(artifact) = self
            .records
            .get(RecordTree::PolicyArtifacts, hash.as_bytes())
            .map_err(storage)?
        else {
            return Ok(None);
        };
        match self.engine.load_precompiled(&artifact) {
            Ok(policy) if policy.content_hash() == hash => {
                let policy = policy.with_identity(name, version);
                self.loaded.insert(&policy);
                Ok(Some(policy))
            }
            Ok(_) => {
                tracing::warn!(
                    hash,
                    "precompiled policy has another content hash; compiling"
                );
                Ok(None)
            }
            Err(e) => {
                tracing::info!(error = %e, "precompiled policy unusable; compiling");
                Ok(None)
            }
        }
    }

    /// Every version of a company, oldest first.
    pub fn versions(&self, company: u64) -> Result<Vec<PolicyVersion>, PolicyError> {
        self.company_records(RecordTree::PolicyVersions, company)
    }

    /// The company's activation, if any.
    pub fn activation(&self, company: u64) -> Result<Option<Activation>, PolicyError> {
        match self
            .records
            .get(RecordTree::PolicyActive, &company.to_be_bytes())
            .map_err(storage)?
        {
            Some(v) => Ok(Some(serde_json::from_slice(&v).map_err(storage)?)),
            None => Ok(None),
        }
    }

    /// Make `version` active with `config` (checked by the policy's own `check-config`).
    pub fn activate(
        &self,
        company: u64,
        version: u32,
        config: String,
        by: &str,
        now_ms: u64,
    ) -> Result<(Activation, ActivePolicy), PolicyError> {
        self.activate_as(company, version, config, by, now_ms, "activate")
    }

    /// Return to the activation before the current one (its version and configuration).
    pub fn rollback(
        &self,
        company: u64,
        by: &str,
        now_ms: u64,
    ) -> Result<(Activation, ActivePolicy), PolicyError> {
        let previous = self
            .activation(company)?
            .and_then(|a| a.previous)
            .ok_or(PolicyError::NothingToRollBack)?;
        self.activate_as(
            company,
            previous.version,
            previous.config,
            by,
            now_ms,
            "rollback",
        )
    }

    fn activate_as(
        &self,
        company: u64,
        version: u32,
        config: String,
        by: &str,
        now_ms: u64,
        action: &str,
    ) -> Result<(Activation, ActivePolicy), PolicyError> {
        let record = self
            .versions(company)?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(PolicyError::UnknownVersion { company, version })?;
        if !config.trim().is_empty() {
            serde_json::from_str::<serde_json::Value>(&config)
                .map_err(|e| PolicyError::Config(format!("not JSON: {e}")))?;
        }
        let policy = self.load(&record)?;
        let checked =
            self.engine
                .check_config(&policy, company, &config, &mut PolicyState::default());
        if let Err(rejected) = checked.value {
            return Err(PolicyError::Config(rejected.to_string()));
        }
        let current = self.activation(company)?.map(|mut a| {
            // Keep one step of history per activation: a rollback goes back one step.
            a.previous = None;
            Box::new(a)
        });
        let from = current.as_ref().map(|a| a.version);
        let activation = Activation {
            company_id: company,
            version,
            name: record.name.clone(),
            config: config.clone(),
            activated_ms: now_ms,
            by: by.to_owned(),
            previous: current,
        };
        self.records
            .write(&[
                (
                    RecordTree::PolicyActive,
                    company.to_be_bytes().to_vec(),
                    Some(serde_json::to_vec(&activation).map_err(storage)?),
                ),
                self.change(company, by, now_ms, action, from, Some(version))?,
            ])
            .map_err(storage)?;
        Ok((
            activation,
            ActivePolicy {
                policy,
                name: record.name,
                version,
                config,
            },
        ))
    }

    /// Remove the company's activation: the built-in default decides again.
    pub fn deactivate(&self, company: u64, by: &str, now_ms: u64) -> Result<(), PolicyError> {
        let from = self.activation(company)?.map(|a| a.version);
        self.records
            .write(&[
                (
                    RecordTree::PolicyActive,
                    company.to_be_bytes().to_vec(),
                    None,
                ),
                self.change(company, by, now_ms, "deactivate", from, None)?,
            ])
            .map_err(storage)
    }

    /// Delete an inactive version (its component stays stored while other versions, of any
    /// company, may share the same bytes).
    pub fn delete_version(
        &self,
        company: u64,
        version: u32,
        by: &str,
        now_ms: u64,
    ) -> Result<(), PolicyError> {
        if !self.versions(company)?.iter().any(|v| v.version == version) {
            return Err(PolicyError::UnknownVersion { company, version });
        }
        if self
            .activation(company)?
            .is_some_and(|a| a.version == version)
        {
            return Err(PolicyError::VersionActive(version));
        }
        self.records
            .write(&[
                (
                    RecordTree::PolicyVersions,
                    version_key(company, version),
                    None,
                ),
                self.change(company, by, now_ms, "delete", None, Some(version))?,
            ])
            .map_err(storage)
    }

    /// Every recorded change of the company's policy, oldest first.
    pub fn history(&self, company: u64) -> Result<Vec<PolicyChange>, PolicyError> {
        self.company_records(RecordTree::PolicyAudit, company)
    }

    /// Every record of `tree` under `company`, in key order.
    fn company_records<T: serde::de::DeserializeOwned>(
        &self,
        tree: RecordTree,
        company: u64,
    ) -> Result<Vec<T>, PolicyError> {
        self.records
            .scan(tree, &company.to_be_bytes(), None, false, usize::MAX)
            .map_err(storage)?
            .into_iter()
            .map(|(_, v)| serde_json::from_slice(&v).map_err(storage))
            .collect()
    }

    fn change(
        &self,
        company: u64,
        by: &str,
        at_ms: u64,
        action: &str,
        from: Option<u32>,
        to: Option<u32>,
    ) -> Result<RecordWrite, PolicyError> {
        let seq = self.records.next_seq().map_err(storage)?;
        let change = PolicyChange {
            at_ms,
            by: by.to_owned(),
            action: action.to_owned(),
            from,
            to,
        };
        Ok((
            RecordTree::PolicyAudit,
            [company.to_be_bytes(), seq.to_be_bytes()].concat(),
            Some(serde_json::to_vec(&change).map_err(storage)?),
        ))
    }

    /// Every company's activation (for start-up: each policy is loaded on its company's first
    /// decision, see [`crate::calls::Policies::restore`]).
    pub fn activations(&self) -> Result<Vec<Activation>, PolicyError> {
        self.records
            .scan(RecordTree::PolicyActive, &[], None, false, usize::MAX)
            .map_err(storage)?
            .into_iter()
            .map(|(_, v)| serde_json::from_slice(&v).map_err(storage))
            .collect()
    }

    /// A stored version, loaded (from the precompiled cache when possible).
    pub fn load_version(&self, company: u64, version: u32) -> Result<Policy, PolicyError> {
        let record = self
            .versions(company)?
            .into_iter()
            .find(|v| v.version == version)
            .ok_or(PolicyError::UnknownVersion { company, version })?;
        self.load(&record)
    }

    /// Load a stored version: shared with any loaded version of the same bytes, else from its
    /// precompiled artifact when compatible, else compiled (and the artifact refreshed).
    fn load(&self, record: &PolicyVersion) -> Result<Policy, PolicyError> {
        let version = record.version.to_string();
        if let Some(policy) = self.known(&record.hash, &record.name, &version)? {
            return Ok(policy);
        }
        let key = record.hash.as_bytes();
        let bytes = self
            .records
            .get(RecordTree::PolicyBlobs, key)
            .map_err(storage)?
            .ok_or_else(|| storage(format!("component {} missing", record.hash)))?;
        let policy = self.engine.load(&record.name, &version, &bytes)?;
        if let Ok(artifact) = policy.serialize()
            && let Err(e) =
                self.records
                    .write(&[(RecordTree::PolicyArtifacts, key.to_vec(), Some(artifact))])
        {
            tracing::warn!(error = %e, "could not store the precompiled policy");
        }
        self.loaded.insert(&policy);
        Ok(policy)
    }
}

impl PolicySource for PolicyStore {
    fn load(&self, company: u64, version: u32) -> Result<Policy, String> {
        self.load_version(company, version)
            .map_err(|e| e.to_string())
    }
}

/// The checks of an upload, in order: size, a WebAssembly component implementing our world
/// that compiles (see [`LoadError`]), and a smoke decision on a synthetic call. Used by the
/// upload endpoint and by `switchyard policy check` alike.
pub fn validate(
    engine: &PolicyEngine,
    name: &str,
    version: &str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Policy, PolicyError> {
    if bytes.len() > max_bytes {
        return Err(PolicyError::TooLarge {
            size: bytes.len(),
            limit: max_bytes,
        });
    }
    let policy = engine.load(name, version, bytes)?;
    smoke(engine, &policy, 0)?;
    Ok(policy)
}

/// One decision on a synthetic call; a failure (trap, deadline, bad answer) refuses the upload.
fn smoke(engine: &PolicyEngine, policy: &Policy, company: u64) -> Result<(), PolicyError> {
    if let Err(f) = engine.try_instantiate(policy) {
        return Err(PolicyError::Smoke {
            kind: f.kind.as_str().to_owned(),
            detail: f.detail,
        });
    }
    let call = Call {
        id: "smoke".into(),
        company,
        dialled_number: "+10000000000".into(),
        caller: "+10000000001".into(),
        department: 1,
        attempt: 1,
        waited_ms: 0,
        now_unix_ms: 1_795_392_000_000,
        local_weekday: Weekday::Monday,
        local_minute: 600,
        seed: 1,
        tried: Vec::new(),
        attributes: Vec::new(),
        skills: Vec::new(),
    };
    let candidates: Vec<Candidate> = (1..=3)
        .map(|agent| Candidate {
            agent,
            role: Role::Agent,
            tier: 1,
            skills: 0,
            status: Status::Available,
            take_calls: true,
            in_schedule: true,
            presence: Presence::Idle,
            idle_ms: agent * 1_000,
            calls_today: 0,
            talk_ms_today: 0,
        })
        .collect();
    // A wall-clock deadline can pass on a busy machine for a policy that is fine; a policy
    // that really loops misses it every time. So only a deadline missed on every try refuses.
    let mut outcome = switchyard_runtime::Outcome::Policy;
    for _ in 0..SMOKE_TRIES {
        let decided = engine.route(
            policy,
            company,
            &call,
            &candidates,
            "",
            &mut PolicyState::default(),
        );
        let timed_out = decided.failure() == Some(switchyard_runtime::FailureKind::Deadline);
        outcome = decided.outcome;
        if !timed_out {
            break;
        }
    }
    match outcome {
        switchyard_runtime::Outcome::Policy => Ok(()),
        switchyard_runtime::Outcome::Fallback { kind, detail } => Err(PolicyError::Smoke {
            kind: kind.as_str().to_owned(),
            detail,
        }),
    }
}

/// Smoke decisions tried before a deadline failure refuses an upload.
const SMOKE_TRIES: usize = 3;
