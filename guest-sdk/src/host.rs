//! [`Host`]: what the host offers a policy (log lines and persistent state).
//!
//! Inside a component the SDK passes an implementation that calls the WIT
//! imports; in native unit tests use [`MemoryHost`](crate::MemoryHost).

use crate::{Level, StateError};

/// Services the host offers a policy while it decides.
pub trait Host {
    /// Writes a line to the host's log, tagged with company and policy.
    fn log(&mut self, level: Level, message: &str);

    /// Reads the raw value stored under `key` in the company's policy state.
    fn state_get(&mut self, key: &str) -> Option<Vec<u8>>;

    /// Stores `value` under `key`; persisted when the decision completes.
    ///
    /// # Errors
    /// [`StateError::TooLarge`] if the key is over 128 bytes or the value over
    /// 4 KiB; [`StateError::QuotaExceeded`] if the company's state would exceed
    /// 256 keys or 64 KiB.
    fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), StateError>;

    /// Removes `key` from the company's policy state.
    fn state_delete(&mut self, key: &str);
}

/// The [`Host`] backed by the component's WIT imports.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
#[derive(Debug, Default, Clone, Copy)]
pub struct WasmHost;

#[cfg(target_arch = "wasm32")]
impl Host for WasmHost {
    fn log(&mut self, level: Level, message: &str) {
        crate::wit::switchyard::policy::host::log(level, message);
    }

    fn state_get(&mut self, key: &str) -> Option<Vec<u8>> {
        crate::wit::switchyard::policy::host::state_get(key)
    }

    fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), StateError> {
        crate::wit::switchyard::policy::host::state_set(key, value)
    }

    fn state_delete(&mut self, key: &str) {
        crate::wit::switchyard::policy::host::state_delete(key);
    }
}
