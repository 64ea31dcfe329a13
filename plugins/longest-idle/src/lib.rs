//! `longest-idle`: Switchyard's default routing policy. Rings eligible agents
//! one after another, the one idle the longest first.
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
    /// How long to ring each agent (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
    /// Ring at most this many agents per attempt (default: all eligible).
    pub max_targets: Option<NonZeroUsize>,
}

/// Longest idle first, rung sequentially.
pub struct LongestIdle;

impl Policy for LongestIdle {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
        order::longest_idle(&mut ordered);
        decide(
            RingMode::Sequential,
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

switchyard_sdk::export_policy!(LongestIdle);

#[cfg(test)]
mod tests {
    use switchyard_sdk::{
        MemoryHost, OverflowReason, Presence, RingMode, Status, ring_plan, testing,
    };

    use super::*;

    fn route(candidates: &[Candidate], config: &str) -> Decision {
        LongestIdle::route(&mut MemoryHost::new(), &testing::call(), candidates, config)
    }

    fn team() -> Vec<Candidate> {
        vec![
            Candidate {
                idle_ms: 45_000,
                ..testing::candidate(11)
            },
            Candidate {
                idle_ms: 300_000,
                ..testing::candidate(12)
            },
            Candidate {
                idle_ms: 300_000,
                presence: Presence::OnCall,
                ..testing::candidate(13)
            },
            Candidate {
                idle_ms: 120_000,
                ..testing::candidate(14)
            },
            Candidate {
                idle_ms: 900_000,
                status: Status::OnBreak,
                ..testing::candidate(15)
            },
            Candidate {
                idle_ms: 120_000,
                ..testing::candidate(10)
            },
        ]
    }

    #[test]
    fn rings_eligible_agents_longest_idle_first() {
        assert_eq!(
            route(&team(), ""),
            Decision::Ring(ring_plan(RingMode::Sequential, [12, 10, 14, 11], 20_000))
        );
    }

    #[test]
    fn honours_timeout_and_max_targets() {
        assert_eq!(
            route(&team(), r#"{"ring_timeout_ms": 15000, "max_targets": 2}"#),
            Decision::Ring(ring_plan(RingMode::Sequential, [12, 10], 15_000))
        );
    }

    #[test]
    fn skips_agents_already_tried() {
        let mut call = testing::call();
        call.attempt = 2;
        call.tried = vec![12, 10];
        let decision = LongestIdle::route(&mut MemoryHost::new(), &call, &team(), "");
        assert_eq!(
            decision,
            Decision::Ring(ring_plan(RingMode::Sequential, [14, 11], 20_000))
        );
    }

    #[test]
    fn overflows_when_nobody_is_eligible() {
        let busy: Vec<Candidate> = team()
            .into_iter()
            .map(|c| Candidate {
                presence: Presence::BusyElsewhere,
                ..c
            })
            .collect();
        assert_eq!(
            route(&busy, ""),
            Decision::Overflow(OverflowReason::AllBusy)
        );
        assert_eq!(
            route(&[], ""),
            Decision::Overflow(OverflowReason::NoMembers)
        );
    }

    #[test]
    fn checks_config() {
        assert_eq!(LongestIdle::check_config(""), Ok(()));
        assert_eq!(LongestIdle::check_config(r#"{"max_targets": 3}"#), Ok(()));
        let err = LongestIdle::check_config(r#"{"max_target": 3}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `max_target`"), "{err}");
        let err = LongestIdle::check_config(r#"{"max_targets": 0}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`max_targets`"), "{err}");
    }
}
