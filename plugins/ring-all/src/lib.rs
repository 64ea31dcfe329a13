//! `ring-all`: rings every eligible agent at once; the first to answer gets
//! the call.
//!
//! Config (all optional; empty means defaults):
//! `{"ring_timeout_ms": 20000, "max_targets": 5}`.

use std::num::NonZeroUsize;

use serde::Deserialize;
use switchyard_sdk::{
    Call, Candidate, Decision, Host, Policy, RingMode, RingTimeout, config, decide, eligible, order,
};

/// The policy's configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// How long to ring (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
    /// Ring at most this many agents, the longest idle ones (default: all).
    pub max_targets: Option<NonZeroUsize>,
}

/// Every eligible agent, simultaneously.
pub struct RingAll;

impl Policy for RingAll {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
        // Order only matters when max_targets cuts the list: keep the longest idle.
        order::longest_idle(&mut ordered);
        decide(
            RingMode::Simultaneous,
            ordered,
            candidates,
            config.ring_timeout_ms,
            config.max_targets,
        )
    }

    fn check_config(config: &str) -> Result<(), config::ConfigError> {
        config::check::<Config>(config)
    }
}

switchyard_sdk::export_policy!(RingAll);

#[cfg(test)]
mod tests {
    use switchyard_sdk::{
        MemoryHost, OverflowReason, Presence, RingMode, Status, ring_plan, testing,
    };

    use super::*;

    fn route(call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        RingAll::route(&mut MemoryHost::new(), call, candidates, config)
    }

    fn team() -> Vec<Candidate> {
        vec![
            Candidate {
                idle_ms: 10_000,
                ..testing::candidate(3)
            },
            Candidate {
                idle_ms: 70_000,
                ..testing::candidate(1)
            },
            Candidate {
                in_schedule: false,
                ..testing::candidate(4)
            },
            Candidate {
                idle_ms: 40_000,
                ..testing::candidate(2)
            },
            Candidate {
                presence: Presence::LoggedOut,
                ..testing::candidate(5)
            },
        ]
    }

    #[test]
    fn rings_every_eligible_agent_simultaneously() {
        assert_eq!(
            route(&testing::call(), &team(), ""),
            Decision::Ring(ring_plan(RingMode::Simultaneous, [1, 2, 3], 20_000))
        );
    }

    #[test]
    fn max_targets_keeps_the_longest_idle() {
        assert_eq!(
            route(
                &testing::call(),
                &team(),
                r#"{"max_targets": 2, "ring_timeout_ms": 45000}"#
            ),
            Decision::Ring(ring_plan(RingMode::Simultaneous, [1, 2], 45_000))
        );
    }

    #[test]
    fn second_attempt_skips_tried_agents() {
        let mut call = testing::call();
        call.tried = vec![1, 2, 3];
        let decision = route(&call, &team(), "");
        assert_eq!(decision, Decision::Overflow(OverflowReason::NoneAvailable));
    }

    #[test]
    fn overflow_reason_reflects_the_team() {
        let busy = vec![Candidate {
            presence: Presence::Ringing,
            ..testing::candidate(1)
        }];
        assert_eq!(
            route(&testing::call(), &busy, ""),
            Decision::Overflow(OverflowReason::AllBusy)
        );
        let away = vec![Candidate {
            status: Status::Unavailable,
            ..testing::candidate(1)
        }];
        assert_eq!(
            route(&testing::call(), &away, ""),
            Decision::Overflow(OverflowReason::NoneAvailable)
        );
    }

    #[test]
    fn checks_config() {
        assert_eq!(RingAll::check_config(""), Ok(()));
        assert!(RingAll::check_config(r#"{"mode": "sequential"}"#).is_err());
    }
}
