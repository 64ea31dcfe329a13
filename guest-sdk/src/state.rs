//! Typed access to the company's persistent policy state, stored as JSON.
//!
//! State survives between decisions (the host persists it when a decision
//! completes). Keep it small: keys up to 128 bytes, values up to 4 KiB, at most
//! 256 keys and 64 KiB per company.

use serde::{Serialize, de::DeserializeOwned};

use crate::{Level, StateError, host::Host};

/// Why [`set`] did not store a value.
#[derive(Debug, thiserror::Error)]
pub enum SetError {
    /// The value could not be encoded as JSON.
    #[error("state value for `{key}` cannot be encoded as JSON")]
    Encode {
        /// The key being written.
        key: String,
        /// What serde_json reported.
        #[source]
        source: serde_json::Error,
    },
    /// The host refused the write (size or quota).
    #[error("host refused to store state key `{key}`")]
    Refused {
        /// The key being written.
        key: String,
        /// The host's reason.
        #[source]
        source: StateError,
    },
}

/// The value stored under `key`, decoded from JSON.
///
/// `None` if the key is absent, or if its value does not decode as `T` (logged
/// at warn level; for example after a policy changed its state format).
pub fn get<T: DeserializeOwned>(host: &mut dyn Host, key: &str) -> Option<T> {
    let bytes = host.state_get(key)?;
    match serde_json::from_slice(&bytes) {
        Ok(value) => Some(value),
        Err(err) => {
            host.log(
                Level::Warn,
                &format!("ignoring undecodable state under `{key}`: {err}"),
            );
            None
        }
    }
}

/// Stores `value` under `key` as JSON.
///
/// # Errors
/// [`SetError::Encode`] if `value` cannot be encoded, [`SetError::Refused`] if
/// the host refuses it (too large, or over the company's quota).
pub fn set<T: Serialize + ?Sized>(
    host: &mut dyn Host,
    key: &str,
    value: &T,
) -> Result<(), SetError> {
    let bytes = serde_json::to_vec(value).map_err(|source| SetError::Encode {
        key: key.to_owned(),
        source,
    })?;
    host.state_set(key, &bytes)
        .map_err(|source| SetError::Refused {
            key: key.to_owned(),
            source,
        })
}

/// Removes `key`.
pub fn delete(host: &mut dyn Host, key: &str) {
    host.state_delete(key);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::MemoryHost;

    #[test]
    fn round_trips_typed_values() {
        let mut host = MemoryHost::new();
        assert_eq!(get::<u64>(&mut host, "rr.last"), None);
        set(&mut host, "rr.last", &42u64).unwrap();
        assert_eq!(get::<u64>(&mut host, "rr.last"), Some(42));
        assert_eq!(host.state()["rr.last"], b"42");
        delete(&mut host, "rr.last");
        assert_eq!(get::<u64>(&mut host, "rr.last"), None);
    }

    #[test]
    fn undecodable_value_is_none_and_logged() {
        let mut host = MemoryHost::new();
        set(&mut host, "k", "text").unwrap();
        assert_eq!(get::<u64>(&mut host, "k"), None);
        assert_eq!(host.logs()[0].0, Level::Warn);
    }

    #[test]
    fn oversized_value_is_refused_by_the_host() {
        let mut host = MemoryHost::new();
        let err = set(&mut host, "k", &"x".repeat(5_000)).unwrap_err();
        assert!(matches!(
            err,
            SetError::Refused {
                source: StateError::TooLarge,
                ..
            }
        ));
    }

    #[test]
    fn unencodable_value_is_an_encode_error() {
        let mut host = MemoryHost::new();
        let map = BTreeMap::from([((1, 2), 3)]);
        let err = set(&mut host, "k", &map).unwrap_err();
        assert!(matches!(err, SetError::Encode { .. }));
        assert!(host.state().is_empty());
    }
}
