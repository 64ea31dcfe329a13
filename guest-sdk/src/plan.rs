//! Building answers: [`ring_plan`], [`decide`] and the [`RingTimeout`] config
//! value.

use std::{fmt, num::NonZeroUsize};

use serde::Deserialize;

use crate::{AgentId, Candidate, Decision, RingMode, RingPlan, RingTarget, select};

/// Shortest ring timeout the host accepts, in milliseconds.
pub const MIN_RING_TIMEOUT_MS: u32 = 1_000;
/// Longest ring timeout the host accepts, in milliseconds.
pub const MAX_RING_TIMEOUT_MS: u32 = 120_000;
/// Ring timeout used when a config does not set one, in milliseconds.
pub const DEFAULT_RING_TIMEOUT_MS: u32 = 20_000;

/// How long to ring each target: a config value in milliseconds, checked to be
/// within [`MIN_RING_TIMEOUT_MS`]`..=`[`MAX_RING_TIMEOUT_MS`] when parsed, and
/// [`DEFAULT_RING_TIMEOUT_MS`] by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u32")]
pub struct RingTimeout(u32);

impl RingTimeout {
    /// The timeout in milliseconds.
    pub fn ms(self) -> u32 {
        self.0
    }
}

impl Default for RingTimeout {
    fn default() -> Self {
        Self(DEFAULT_RING_TIMEOUT_MS)
    }
}

impl TryFrom<u32> for RingTimeout {
    type Error = RingTimeoutOutOfRange;

    fn try_from(ms: u32) -> Result<Self, Self::Error> {
        if (MIN_RING_TIMEOUT_MS..=MAX_RING_TIMEOUT_MS).contains(&ms) {
            Ok(Self(ms))
        } else {
            Err(RingTimeoutOutOfRange(ms))
        }
    }
}

/// A ring timeout outside [`MIN_RING_TIMEOUT_MS`]`..=`[`MAX_RING_TIMEOUT_MS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingTimeoutOutOfRange(pub u32);

impl std::error::Error for RingTimeoutOutOfRange {}

impl fmt::Display for RingTimeoutOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ring timeout {} ms is out of range {MIN_RING_TIMEOUT_MS}..={MAX_RING_TIMEOUT_MS}",
            self.0
        )
    }
}

/// A plan ringing `agents` in the given order, each for `timeout_ms`
/// (clamped to [`MIN_RING_TIMEOUT_MS`]`..=`[`MAX_RING_TIMEOUT_MS`]).
pub fn ring_plan(
    mode: RingMode,
    agents: impl IntoIterator<Item = AgentId>,
    timeout_ms: u32,
) -> RingPlan {
    let timeout_ms = timeout_ms.clamp(MIN_RING_TIMEOUT_MS, MAX_RING_TIMEOUT_MS);
    RingPlan {
        mode,
        targets: agents
            .into_iter()
            .map(|agent| RingTarget { agent, timeout_ms })
            .collect(),
    }
}

/// The usual end of `route`: ring the first `max_targets` of `ordered` (all of
/// them when `None`), or, if `ordered` is empty, overflow with
/// [`select::unavailable_reason`] of `candidates`.
pub fn decide<'a>(
    mode: RingMode,
    ordered: impl IntoIterator<Item = &'a Candidate>,
    candidates: &[Candidate],
    timeout: RingTimeout,
    max_targets: Option<NonZeroUsize>,
) -> Decision {
    let limit = max_targets.map_or(usize::MAX, NonZeroUsize::get);
    let plan = ring_plan(
        mode,
        ordered.into_iter().take(limit).map(|c| c.agent),
        timeout.ms(),
    );
    if plan.targets.is_empty() {
        Decision::Overflow(select::unavailable_reason(candidates))
    } else {
        Decision::Ring(plan)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{OverflowReason, Presence, testing::candidate};

    #[test]
    fn ring_plan_clamps_timeouts() {
        let plan = ring_plan(RingMode::Sequential, [3, 1], 10);
        assert_eq!(plan.mode, RingMode::Sequential);
        assert_eq!(
            plan.targets,
            vec![
                RingTarget {
                    agent: 3,
                    timeout_ms: MIN_RING_TIMEOUT_MS
                },
                RingTarget {
                    agent: 1,
                    timeout_ms: MIN_RING_TIMEOUT_MS
                },
            ]
        );
        let plan = ring_plan(RingMode::Simultaneous, [1], u32::MAX);
        assert_eq!(plan.targets[0].timeout_ms, MAX_RING_TIMEOUT_MS);
    }

    #[test]
    fn decide_truncates_to_max_targets() {
        let candidates = vec![candidate(1), candidate(2), candidate(3)];
        let decision = decide(
            RingMode::Sequential,
            candidates.iter().rev(),
            &candidates,
            RingTimeout::default(),
            NonZeroUsize::new(2),
        );
        assert_eq!(
            decision,
            Decision::Ring(ring_plan(
                RingMode::Sequential,
                [3, 2],
                DEFAULT_RING_TIMEOUT_MS
            ))
        );
    }

    #[test]
    fn decide_overflows_with_the_reason_when_nobody_is_ordered() {
        let candidates = vec![Candidate {
            presence: Presence::OnCall,
            ..candidate(1)
        }];
        let decision = decide(
            RingMode::Simultaneous,
            [],
            &candidates,
            RingTimeout::default(),
            None,
        );
        assert_eq!(decision, Decision::Overflow(OverflowReason::AllBusy));
    }

    #[test]
    fn ring_timeout_is_range_checked_when_parsed() {
        let ok: RingTimeout = serde_json::from_str("15000").unwrap();
        assert_eq!(ok.ms(), 15_000);
        let err = serde_json::from_str::<RingTimeout>("500").unwrap_err();
        assert!(err.to_string().contains("out of range"), "{err}");
        assert_eq!(RingTimeout::default().ms(), DEFAULT_RING_TIMEOUT_MS);
    }
}
