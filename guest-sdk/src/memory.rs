//! [`MemoryHost`]: an in-memory [`Host`] for native unit tests of policies.
//!
//! It enforces the same limits as the real host (see the WIT `state-set`
//! docs), so a policy that outgrows its state fails in tests too.

use std::collections::BTreeMap;

use crate::{Level, StateError, host::Host};

/// Longest state key, in bytes.
pub const MAX_KEY_BYTES: usize = 128;
/// Longest state value, in bytes.
pub const MAX_VALUE_BYTES: usize = 4 * 1024;
/// Most state keys per company.
pub const MAX_KEYS: usize = 256;
/// Most state bytes (keys plus values) per company.
pub const MAX_TOTAL_BYTES: usize = 64 * 1024;

/// A [`Host`] that keeps state in a map and captures log lines.
///
/// Reuse one `MemoryHost` across several calls to see state survive between
/// decisions, as it does through the real host.
#[derive(Debug, Default, Clone)]
pub struct MemoryHost {
    state: BTreeMap<String, Vec<u8>>,
    logs: Vec<(Level, String)>,
}

impl MemoryHost {
    /// An empty host: no state, no log lines.
    pub fn new() -> Self {
        Self::default()
    }

    /// The stored state, in key order.
    pub fn state(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.state
    }

    /// Every log line written so far, oldest first.
    pub fn logs(&self) -> &[(Level, String)] {
        &self.logs
    }

    /// Bytes used by the state (keys plus values).
    pub fn total_bytes(&self) -> usize {
        self.state.iter().map(|(k, v)| k.len() + v.len()).sum()
    }
}

impl Host for MemoryHost {
    fn log(&mut self, level: Level, message: &str) {
        self.logs.push((level, message.to_owned()));
    }

    fn state_get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.state.get(key).cloned()
    }

    fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), StateError> {
        if key.len() > MAX_KEY_BYTES || value.len() > MAX_VALUE_BYTES {
            return Err(StateError::TooLarge);
        }
        let old = self.state.get(key).map(|v| key.len() + v.len());
        let total = self.total_bytes() - old.unwrap_or(0) + key.len() + value.len();
        let keys = self.state.len() + usize::from(old.is_none());
        if keys > MAX_KEYS || total > MAX_TOTAL_BYTES {
            return Err(StateError::QuotaExceeded);
        }
        self.state.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn state_delete(&mut self, key: &str) {
        self.state.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_delete_round_trip() {
        let mut host = MemoryHost::new();
        assert_eq!(host.state_get("k"), None);
        host.state_set("k", b"v1").unwrap();
        host.state_set("k", b"v22").unwrap();
        assert_eq!(host.state_get("k"), Some(b"v22".to_vec()));
        assert_eq!(host.total_bytes(), 4);
        host.state_delete("k");
        assert_eq!(host.state_get("k"), None);
        assert_eq!(host.total_bytes(), 0);
    }

    #[test]
    fn refuses_oversized_key_and_value() {
        let mut host = MemoryHost::new();
        let long_key = "k".repeat(MAX_KEY_BYTES + 1);
        assert_eq!(host.state_set(&long_key, b""), Err(StateError::TooLarge));
        let big = vec![0; MAX_VALUE_BYTES + 1];
        assert_eq!(host.state_set("k", &big), Err(StateError::TooLarge));
        host.state_set(&"k".repeat(MAX_KEY_BYTES), &big[1..])
            .unwrap();
    }

    #[test]
    fn enforces_key_count_quota() {
        let mut host = MemoryHost::new();
        for i in 0..MAX_KEYS {
            host.state_set(&format!("k{i}"), b"").unwrap();
        }
        assert_eq!(
            host.state_set("one-more", b""),
            Err(StateError::QuotaExceeded)
        );
        // Replacing an existing key is still fine.
        host.state_set("k0", b"x").unwrap();
    }

    #[test]
    fn enforces_total_bytes_quota() {
        let mut host = MemoryHost::new();
        let value = vec![0; MAX_VALUE_BYTES];
        // 15 keys of 2 bytes plus 4 KiB each fit in 64 KiB; the 16th does not.
        for i in 0..15 {
            host.state_set(&format!("{i:02}"), &value).unwrap();
        }
        assert_eq!(host.state_set("15", &value), Err(StateError::QuotaExceeded));
        assert_eq!(host.state().len(), 15);
    }

    #[test]
    fn captures_logs_in_order() {
        let mut host = MemoryHost::new();
        host.log(Level::Info, "first");
        host.log(Level::Warn, "second");
        assert_eq!(
            host.logs(),
            &[
                (Level::Info, "first".into()),
                (Level::Warn, "second".into())
            ]
        );
    }
}
