//! `fewest-calls`: rings eligible agents one after another, the least loaded
//! today first, measured in calls answered or in talk time.
//!
//! Config (all optional; empty means defaults):
//! `{"measure": "calls" | "talk-time", "ring_timeout_ms": 20000, "max_targets": 5}`.

use std::num::NonZeroUsize;

use serde::Deserialize;
use switchyard_sdk::{
    Call, Candidate, Decision, Host, Policy, RingMode, RingTimeout, config, decide, eligible, order,
};

/// How an agent's load today is measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Calls answered today (ties: longest idle, then agent id).
    #[default]
    Calls,
    /// Talk time today (ties: longest idle, then agent id).
    TalkTime,
}

/// The policy's configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// What "fewest" counts (default `calls`).
    pub measure: Measure,
    /// How long to ring each agent (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
    /// Ring at most this many agents per attempt (default: all eligible).
    pub max_targets: Option<NonZeroUsize>,
}

/// Least loaded first, rung sequentially.
pub struct FewestCalls;

impl Policy for FewestCalls {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
        match config.measure {
            Measure::Calls => order::fewest_calls(&mut ordered),
            Measure::TalkTime => order::least_talk_time(&mut ordered),
        }
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

switchyard_sdk::export_policy!(FewestCalls);

#[cfg(test)]
mod tests {
    use switchyard_sdk::{MemoryHost, OverflowReason, Presence, RingMode, ring_plan, testing};

    use super::*;

    fn route(candidates: &[Candidate], config: &str) -> Decision {
        FewestCalls::route(&mut MemoryHost::new(), &testing::call(), candidates, config)
    }

    /// Agent 1 takes many short calls, agent 2 few long ones.
    fn team() -> Vec<Candidate> {
        vec![
            Candidate {
                calls_today: 12,
                talk_ms_today: 1_800_000,
                idle_ms: 5_000,
                ..testing::candidate(1)
            },
            Candidate {
                calls_today: 3,
                talk_ms_today: 5_400_000,
                idle_ms: 5_000,
                ..testing::candidate(2)
            },
            Candidate {
                calls_today: 3,
                talk_ms_today: 2_400_000,
                idle_ms: 60_000,
                ..testing::candidate(3)
            },
            Candidate {
                calls_today: 0,
                presence: Presence::OnCall,
                ..testing::candidate(4)
            },
        ]
    }

    #[test]
    fn fewest_calls_by_default_ties_by_longest_idle() {
        assert_eq!(
            route(&team(), ""),
            Decision::Ring(ring_plan(RingMode::Sequential, [3, 2, 1], 20_000))
        );
    }

    #[test]
    fn talk_time_measure_ranks_by_talk_time() {
        assert_eq!(
            route(&team(), r#"{"measure": "talk-time"}"#),
            Decision::Ring(ring_plan(RingMode::Sequential, [1, 3, 2], 20_000))
        );
    }

    #[test]
    fn overflows_when_the_only_free_agent_was_tried() {
        let mut call = testing::call();
        call.tried = vec![1, 2, 3];
        let decision = FewestCalls::route(&mut MemoryHost::new(), &call, &team(), "");
        // Agent 4 is available but on a call, so callers should wait.
        assert_eq!(decision, Decision::Overflow(OverflowReason::AllBusy));
    }

    #[test]
    fn checks_config() {
        assert_eq!(FewestCalls::check_config(r#"{"measure": "calls"}"#), Ok(()));
        let err = FewestCalls::check_config(r#"{"measure": "talk_time"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`measure`"), "{err}");
    }
}
