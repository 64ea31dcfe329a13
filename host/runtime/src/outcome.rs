//! What a decision returns: [`Decided`] (the value plus how it was reached) and
//! [`Outcome`] (the policy's answer, or the fallback and why).

use std::time::Duration;

use serde::Serialize;

use crate::failure::FailureKind;
use crate::logs::GuestLog;

/// Whether the value came from the policy or from the host's fallback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// The policy answered and the answer passed validation.
    Policy,
    /// The policy failed; the value is the built-in fallback.
    Fallback {
        /// What went wrong.
        kind: FailureKind,
        /// Details for logs and operators.
        detail: String,
    },
}

/// The result of one policy call. Always carries a usable `value`.
#[derive(Clone, Debug, Serialize)]
pub struct Decided<T> {
    /// The decision to act on.
    pub value: T,
    /// Where `value` came from.
    pub outcome: Outcome,
    /// What the policy logged or printed (bounded, see [`crate::MAX_LOG_LINES`]).
    pub logs: Vec<GuestLog>,
    /// Wall time of the call, instantiation included.
    pub elapsed: Duration,
    /// Fuel burnt, when fuel metering is configured.
    pub fuel_consumed: Option<u64>,
    /// Whether the company's policy state was modified (only ever after a
    /// successful call); persist it if so.
    pub state_changed: bool,
    /// Linear memory the instance held when it ended (all its memories), bytes: what one
    /// decision of this policy costs in memory.
    pub memory_bytes: usize,
}

impl<T> Decided<T> {
    /// The failure kind, if the fallback was used.
    pub fn failure(&self) -> Option<FailureKind> {
        match &self.outcome {
            Outcome::Policy => None,
            Outcome::Fallback { kind, .. } => Some(*kind),
        }
    }

    /// Whether the value is the fallback decision.
    pub fn is_fallback(&self) -> bool {
        self.failure().is_some()
    }
}
