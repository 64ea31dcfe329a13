//! The `host` import: what a policy may ask of Switchyard during one decision.
//!
//! `log` lines go to the decision's logs (within budget) and to `tracing` at debug;
//! `state-*` work on a copy of the company's [`PolicyState`] that is handed back only
//! if the decision succeeds.

use std::sync::Arc;

use crate::bindings::{Host, Level, StateError, TypesHost};
use crate::logs::{LogBuffer, LogSource, floor_char_boundary};
use crate::state::PolicyState;

/// Longest part of a guest log line copied into `tracing`.
const TRACE_MESSAGE_BYTES: usize = 1024;

/// Per-decision host state seen by the `host` functions.
pub(crate) struct HostCtx {
    /// Company the decision is for (log tag).
    pub(crate) company: u64,
    /// `name@version` of the policy (log tag).
    pub(crate) policy: Arc<str>,
    /// Lines logged so far.
    pub(crate) logs: LogBuffer,
    /// The guest's working copy of the company state.
    pub(crate) state: PolicyState,
}

impl Host for HostCtx {
    fn log(&mut self, level: Level, message: String) {
        tracing::debug!(
            company = self.company,
            policy = %self.policy,
            guest_level = ?level,
            "policy log: {}",
            floor_char_boundary(&message, TRACE_MESSAGE_BYTES)
        );
        self.logs.push(level, LogSource::Log, &message);
    }

    fn state_get(&mut self, key: String) -> Option<Vec<u8>> {
        self.state.get(&key).map(<[u8]>::to_vec)
    }

    fn state_set(&mut self, key: String, value: Vec<u8>) -> Result<(), StateError> {
        self.state.set(key, value)
    }

    fn state_delete(&mut self, key: String) {
        self.state.delete(&key);
    }
}

impl TypesHost for HostCtx {}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> HostCtx {
        HostCtx {
            company: 7,
            policy: "p@1".into(),
            logs: LogBuffer::default(),
            state: PolicyState::new(),
        }
    }

    #[test]
    fn state_functions_use_the_working_copy_and_its_limits() {
        let mut host = ctx();
        assert_eq!(host.state_set("k".into(), vec![1]), Ok(()));
        assert_eq!(host.state_get("k".into()), Some(vec![1]));
        assert_eq!(
            host.state_set("k".into(), vec![0; crate::state::MAX_VALUE_BYTES + 1]),
            Err(StateError::TooLarge)
        );
        host.state_delete("k".into());
        assert_eq!(host.state_get("k".into()), None);
    }

    #[test]
    fn log_lines_are_kept_with_their_level() {
        let mut host = ctx();
        host.log(Level::Error, "boom".into());
        let lines = host.logs.finish();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].level, Level::Error);
        assert_eq!(lines[0].source, LogSource::Log);
        assert_eq!(lines[0].message, "boom");
    }
}
