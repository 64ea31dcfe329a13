//! [`PolicyState`]: a company's small persistent key/value store for its policy,
//! with the limits stated in the WIT (`host.state-set`).
//!
//! The service loads it, hands it to each decision and persists it when
//! `Decided::state_changed` says so. Deserialising enforces the limits too, so a
//! stored state that breaks them is refused rather than silently trimmed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::bindings::StateError;

/// Longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 128;
/// Longest value, in bytes.
pub const MAX_VALUE_BYTES: usize = 4 * 1024;
/// Most keys per company.
pub const MAX_KEYS: usize = 256;
/// Most bytes (keys plus values) per company.
pub const MAX_TOTAL_BYTES: usize = 64 * 1024;

/// A company's policy state: at most [`MAX_KEYS`] keys and [`MAX_TOTAL_BYTES`] bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    try_from = "BTreeMap<String, Vec<u8>>",
    into = "BTreeMap<String, Vec<u8>>"
)]
pub struct PolicyState {
    entries: BTreeMap<String, Vec<u8>>,
    total_bytes: usize,
}

impl PolicyState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    /// Stores `value` under `key`, replacing any previous value.
    ///
    /// # Errors
    /// [`StateError::TooLarge`] if the key or value is over its limit,
    /// [`StateError::QuotaExceeded`] if the state would exceed [`MAX_KEYS`] or
    /// [`MAX_TOTAL_BYTES`]. The state is unchanged on error.
    pub fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StateError> {
        if key.len() > MAX_KEY_BYTES || value.len() > MAX_VALUE_BYTES {
            return Err(StateError::TooLarge);
        }
        let old = self.entries.get(&key).map(|v| key.len() + v.len());
        let new_total = self.total_bytes - old.unwrap_or(0) + key.len() + value.len();
        let new_keys = self.entries.len() + usize::from(old.is_none());
        if new_keys > MAX_KEYS || new_total > MAX_TOTAL_BYTES {
            return Err(StateError::QuotaExceeded);
        }
        self.total_bytes = new_total;
        self.entries.insert(key, value);
        Ok(())
    }

    /// Removes `key`, returning its value if it was present.
    pub fn delete(&mut self, key: &str) -> Option<Vec<u8>> {
        let value = self.entries.remove(key)?;
        self.total_bytes -= key.len() + value.len();
        Some(value)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes used (keys plus values), counted against [`MAX_TOTAL_BYTES`].
    pub fn total_bytes(&self) -> usize {
        self.total_bytes
    }

    /// All entries in key order.
    pub fn entries(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.entries
    }
}

impl TryFrom<BTreeMap<String, Vec<u8>>> for PolicyState {
    type Error = StateError;

    /// Builds a state from stored entries, enforcing every limit.
    fn try_from(entries: BTreeMap<String, Vec<u8>>) -> Result<Self, StateError> {
        let mut state = Self::new();
        for (key, value) in entries {
            state.set(key, value)?;
        }
        Ok(state)
    }
}

impl From<PolicyState> for BTreeMap<String, Vec<u8>> {
    fn from(state: PolicyState) -> Self {
        state.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_and_tracks_bytes() {
        let mut state = PolicyState::new();
        state.set("k".into(), vec![1, 2, 3]).unwrap();
        state.set("k".into(), vec![4]).unwrap();
        assert_eq!(state.get("k"), Some(&[4u8][..]));
        assert_eq!(state.total_bytes(), 2);
        assert_eq!(state.delete("k"), Some(vec![4]));
        assert_eq!(state.total_bytes(), 0);
        assert!(state.is_empty());
    }

    #[test]
    fn oversized_key_or_value_is_too_large() {
        let mut state = PolicyState::new();
        let long_key = "k".repeat(MAX_KEY_BYTES + 1);
        assert_eq!(state.set(long_key, vec![]), Err(StateError::TooLarge));
        let big = vec![0; MAX_VALUE_BYTES + 1];
        assert_eq!(state.set("k".into(), big), Err(StateError::TooLarge));
        assert!(
            state
                .set("k".repeat(MAX_KEY_BYTES), vec![0; MAX_VALUE_BYTES])
                .is_ok()
        );
    }

    #[test]
    fn key_count_and_total_bytes_are_capped() {
        let mut state = PolicyState::new();
        for i in 0..MAX_KEYS {
            state.set(format!("{i}"), vec![]).unwrap();
        }
        assert_eq!(
            state.set("one-more".into(), vec![]),
            Err(StateError::QuotaExceeded)
        );
        // Replacing an existing key does not add a key.
        assert!(state.set("0".into(), vec![1]).is_ok());

        let mut state = PolicyState::new();
        for i in 0..15 {
            state
                .set(format!("{i:02}"), vec![0; MAX_VALUE_BYTES])
                .unwrap();
        }
        let before = state.clone();
        assert_eq!(
            state.set("big".into(), vec![0; MAX_VALUE_BYTES]),
            Err(StateError::QuotaExceeded)
        );
        assert_eq!(state, before);
    }

    #[test]
    fn deserialising_enforces_limits() {
        let ok: PolicyState = serde_json::from_str(r#"{"a":[1,2]}"#).unwrap();
        assert_eq!(ok.get("a"), Some(&[1u8, 2][..]));
        let long_key = "k".repeat(MAX_KEY_BYTES + 1);
        let bad = format!(r#"{{"{long_key}":[]}}"#);
        assert!(serde_json::from_str::<PolicyState>(&bad).is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"a":[1,2]}"#);
    }
}
