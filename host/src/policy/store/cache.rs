//! Loaded policies by content hash, held weakly: every company whose version has the same
//! component bytes shares one compiled component in memory, and a component no company uses any
//! more is freed (its entry is dropped at the next insertion).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use switchyard_runtime::{Policy, WeakPolicy};

/// Policies in memory by content hash.
#[derive(Clone, Default)]
pub(super) struct LoadedPolicies {
    by_hash: Arc<Mutex<HashMap<String, WeakPolicy>>>,
}

impl LoadedPolicies {
    /// The policy with these bytes, if one is still in use, under `name` and `version`.
    pub(super) fn get(&self, hash: &str, name: &str, version: &str) -> Option<Policy> {
        let by_hash = self.by_hash.lock().unwrap_or_else(|p| p.into_inner());
        let policy = by_hash.get(hash)?.upgrade()?;
        Some(policy.with_identity(name, version))
    }

    /// Remember `policy` (replacing a dead entry of the same bytes).
    pub(super) fn insert(&self, policy: &Policy) {
        let mut by_hash = self.by_hash.lock().unwrap_or_else(|p| p.into_inner());
        by_hash.retain(|_, weak| weak.is_alive());
        by_hash.insert(policy.content_hash().to_owned(), policy.downgrade());
    }
}
