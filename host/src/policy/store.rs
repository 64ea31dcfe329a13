//! Companies' uploaded policies: validate a component (size, component not core module, our
//! world, compiles, a smoke decision works), store it once by content hash with a numbered
//! version per company, activate a version with its configuration, and list the activations to
//! restore at start-up; a restored policy is loaded from its precompiled artifact (no
//! recompiling) on its company's first decision. Loaded components are shared by content hash
//! (`cache`): a thousand companies on the same shipped plugin hold one compiled copy, and
//! uploading bytes already stored skips the compile (the smoke decision still runs).
//!
//! Changes of one company are serialized (`locks`): an upload is checked (and compiled) first,
//! then numbered and written under the company's lock, so concurrent uploads get distinct
//! versions; an activation, rollback, deactivation or deletion reads the activation and writes
//! its successor under the same lock, and the caller's in-memory copy is updated inside it too.
//! The version a rollback returns to cannot be deleted, so a rollback always works.

use std::sync::Arc;
use switchyard_directory::CompanyId;

use switchyard_directory::{RecordStore, RecordTree, RecordWrite};
use switchyard_runtime::{Policy, PolicyEngine};

use super::checks::{smoke, validate};
use super::{Activation, PolicyChange, PolicyError, PolicyVersion};
use crate::calls::{LoadFailed, PolicySource};

mod activation;
mod cache;
mod files;
mod locks;
mod packed;

pub use files::{FileError, Kind, PolicyFiles};
pub use packed::{PackError, pack, unpack};

/// Uploaded policies of all companies. Uploading, listing and loading are here; activating,
/// rolling back, deactivating and deleting versions are in `store/activation.rs`
/// ([`PolicyStore::activate`], [`PolicyStore::rollback`], [`PolicyStore::deactivate`],
/// [`PolicyStore::delete_version`]).
#[derive(Clone)]
pub struct PolicyStore {
    records: Arc<dyn RecordStore>,
    /// Components and artifacts as files beside a sled database (databases written before the
    /// files read from `records`); `None`: in the record trees (PostgreSQL, which every node
    /// reads).
    files: Option<Arc<PolicyFiles>>,
    engine: PolicyEngine,
    max_bytes: usize,
    loaded: cache::LoadedPolicies,
    locks: locks::CompanyLocks,
}

fn storage(e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Storage(e.to_string())
}

/// The record tree holding bytes of `kind` (when they are not files).
fn bytes_tree(kind: Kind) -> RecordTree {
    match kind {
        Kind::Component => RecordTree::PolicyBlobs,
        Kind::Artifact => RecordTree::PolicyArtifacts,
    }
}

fn version_key(company: u64, version: u32) -> Vec<u8> {
    [
        company.to_be_bytes().as_slice(),
        version.to_be_bytes().as_slice(),
    ]
    .concat()
}

impl PolicyStore {
    /// A store over `records` and `files` (`None`: bytes in `records` too), loading with
    /// `engine`.
    pub fn new(
        records: Arc<dyn RecordStore>,
        files: Option<Arc<PolicyFiles>>,
        engine: PolicyEngine,
        max_bytes: usize,
    ) -> Self {
        Self {
            records,
            files,
            engine,
            max_bytes,
            loaded: cache::LoadedPolicies::default(),
            locks: locks::CompanyLocks::default(),
        }
    }

    /// Validate and store a component as the company's next version. The checks (and the
    /// compile) run first, unlocked; the version is numbered and written under the company's
    /// lock, so concurrent uploads get distinct versions and a refused upload uses none.
    pub fn upload(
        &self,
        company: u64,
        name: &str,
        bytes: &[u8],
        uploader: &str,
        now_ms: u64,
    ) -> Result<PolicyVersion, PolicyError> {
        let (checked, compiled) = self.checked(name, "new", bytes)?;
        let hash = checked.content_hash().to_owned();
        let artifact = if compiled {
            checked.serialize().ok()
        } else {
            None
        };
        // The files first, durably: a record never names bytes that are not stored.
        if !self.has_bytes(&hash, Kind::Component)? {
            let packed = packed::pack(bytes).map_err(storage)?;
            self.put_bytes(&hash, Kind::Component, &packed)?;
        }
        if let Some(artifact) = artifact {
            self.store_artifact(&hash, &artifact);
        }
        let mut writes: Vec<RecordWrite> = Vec::new();
        self.locks.with(company, || {
            let version = self.next_version(company)?;
            let record = PolicyVersion {
                company_id: company,
                version,
                name: name.to_owned(),
                hash: hash.clone(),
                size: bytes.len(),
                uploaded_ms: now_ms,
                uploader: uploader.to_owned(),
            };
            writes.push((
                RecordTree::PolicyVersions,
                version_key(company, version),
                Some(serde_json::to_vec(&record).map_err(storage)?),
            ));
            writes.push(self.change(company, uploader, now_ms, "upload", None, Some(version))?);
            self.records.write(&writes).map_err(storage)?;
            self.loaded
                .insert(&checked.with_identity(name, &version.to_string()));
            Ok(record)
        })
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
        let Some(stored) = self.stored(hash, Kind::Artifact)? else {
            return Ok(None);
        };
        let artifact = match packed::unpack(stored) {
            Ok(artifact) => artifact,
            Err(e) => {
                tracing::warn!(hash, error = %e, "precompiled policy unreadable; compiling");
                return Ok(None);
            }
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

    /// The number the company's next upload gets: one above any version it ever had, so that a
    /// number names one component for ever (deleting the newest version does not free its
    /// number for other bytes; logs and the policy cache rely on that).
    fn next_version(&self, company: u64) -> Result<u32, PolicyError> {
        let newest = self.versions(company)?.last().map_or(0, |v| v.version);
        let ever = self
            .history(company)?
            .iter()
            .filter(|c| c.action == "upload")
            .filter_map(|c| c.to)
            .max()
            .unwrap_or(0);
        Ok(newest.max(ever) + 1)
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
        let bytes = self
            .stored(&record.hash, Kind::Component)?
            .ok_or_else(|| storage(format!("component {} missing", record.hash)))?;
        let bytes = packed::unpack(bytes).map_err(storage)?;
        let policy = self.engine.load(&record.name, &version, &bytes)?;
        if let Ok(artifact) = policy.serialize() {
            self.store_artifact(&record.hash, &artifact);
        }
        self.loaded.insert(&policy);
        Ok(policy)
    }

    /// Stores the precompiled artifact of `hash`; a failure is logged (the next load compiles
    /// again), never an upload's failure.
    fn store_artifact(&self, hash: &str, artifact: &[u8]) {
        let stored = packed::pack(artifact)
            .map_err(storage)
            .and_then(|packed| self.put_bytes(hash, Kind::Artifact, &packed));
        if let Err(e) = stored {
            tracing::warn!(hash, error = %e, "could not store the precompiled policy");
        }
    }

    /// The stored (packed) bytes of `hash`'s file of `kind`: from the files, else from the
    /// record trees a database written before the files kept them in.
    fn stored(&self, hash: &str, kind: Kind) -> Result<Option<Vec<u8>>, PolicyError> {
        if let Some(files) = &self.files
            && let Some(bytes) = files.get(hash, kind).map_err(storage)?
        {
            return Ok(Some(bytes));
        }
        self.records
            .get(bytes_tree(kind), hash.as_bytes())
            .map_err(storage)
    }

    /// Whether `hash`'s file of `kind` is stored (a file's existence, not its bytes, when the
    /// store has files; then the record trees an older database kept them in).
    fn has_bytes(&self, hash: &str, kind: Kind) -> Result<bool, PolicyError> {
        if let Some(files) = &self.files
            && files.contains(hash, kind).map_err(storage)?
        {
            return Ok(true);
        }
        Ok(self
            .records
            .get(bytes_tree(kind), hash.as_bytes())
            .map_err(storage)?
            .is_some())
    }

    /// Stores the packed bytes of `hash`'s file of `kind`, durably: in the files, or in the
    /// record trees when the store has none.
    fn put_bytes(&self, hash: &str, kind: Kind, packed: &[u8]) -> Result<(), PolicyError> {
        match &self.files {
            Some(files) => files.put(hash, kind, packed).map_err(storage),
            None => self
                .records
                .write(&[(
                    bytes_tree(kind),
                    hash.as_bytes().to_vec(),
                    Some(packed.to_vec()),
                )])
                .map_err(storage),
        }
    }
}

impl PolicySource for PolicyStore {
    fn load(&self, company: CompanyId, version: u32) -> Result<Policy, LoadFailed> {
        self.load_version(company.0, version)
            .map_err(|e| LoadFailed {
                company,
                version,
                source: Box::new(e),
            })
    }
}

#[cfg(test)]
mod tests;
