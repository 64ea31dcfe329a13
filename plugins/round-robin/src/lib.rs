//! `round-robin`: rings eligible agents in agent-id order, each call starting
//! after the agent the previous call rang first, wrapping around.
//!
//! The pointer lives in the company's policy state under [`POINTER_KEY`], so it
//! advances across calls. Config (all optional; empty means defaults):
//! `{"ring_timeout_ms": 20000, "max_targets": 5}`.

use std::num::NonZeroUsize;

use serde::Deserialize;
use switchyard_sdk::{
    AgentId, Call, Candidate, Decision, Host, Level, Policy, RingMode, RingTimeout, config, decide,
    eligible, state,
};

/// State key holding the agent the previous decision rang first.
pub const POINTER_KEY: &str = "rr.last";

/// The policy's configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// How long to ring each agent (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
    /// Ring at most this many agents per attempt (default: all eligible).
    pub max_targets: Option<NonZeroUsize>,
}

/// Agent-id order, rotating the starting point call by call; sequential.
pub struct RoundRobin;

impl Policy for RoundRobin {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
        ordered.sort_by_key(|c| c.agent);
        if let Some(last) = state::get::<AgentId>(host, POINTER_KEY) {
            let start = ordered.partition_point(|c| c.agent <= last);
            ordered.rotate_left(start);
        }
        if let Some(first) = ordered.first()
            && let Err(err) = state::set(host, POINTER_KEY, &first.agent)
        {
            host.log(
                Level::Warn,
                &format!("round-robin pointer not saved: {err}"),
            );
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

switchyard_sdk::export_policy!(RoundRobin);

#[cfg(test)]
mod tests {
    use switchyard_sdk::{MemoryHost, OverflowReason, Presence, RingMode, ring_plan, testing};

    use super::*;

    fn team() -> Vec<Candidate> {
        vec![
            testing::candidate(30),
            testing::candidate(10),
            Candidate {
                presence: Presence::WrapUp,
                ..testing::candidate(25)
            },
            testing::candidate(20),
        ]
    }

    fn plan(agents: impl IntoIterator<Item = u64>) -> Decision {
        Decision::Ring(ring_plan(RingMode::Sequential, agents, 20_000))
    }

    #[test]
    fn pointer_advances_across_calls_and_wraps() {
        let mut host = MemoryHost::new();
        let call = testing::call();
        let team = team();
        assert_eq!(
            RoundRobin::route(&mut host, &call, &team, ""),
            plan([10, 20, 30])
        );
        assert_eq!(host.state()[POINTER_KEY], b"10");
        assert_eq!(
            RoundRobin::route(&mut host, &call, &team, ""),
            plan([20, 30, 10])
        );
        assert_eq!(
            RoundRobin::route(&mut host, &call, &team, ""),
            plan([30, 10, 20])
        );
        assert_eq!(
            RoundRobin::route(&mut host, &call, &team, ""),
            plan([10, 20, 30])
        );
    }

    #[test]
    fn pointer_survives_the_last_agent_leaving() {
        let mut host = MemoryHost::new();
        state::set(&mut host, POINTER_KEY, &20u64).unwrap();
        // Agent 20 went on a call; the rotation continues after 20 anyway.
        let team: Vec<Candidate> = team()
            .into_iter()
            .map(|c| {
                if c.agent == 20 {
                    Candidate {
                        presence: Presence::OnCall,
                        ..c
                    }
                } else {
                    c
                }
            })
            .collect();
        let decision = RoundRobin::route(&mut host, &testing::call(), &team, "");
        assert_eq!(decision, plan([30, 10]));
    }

    #[test]
    fn max_targets_truncates_after_rotation() {
        let mut host = MemoryHost::new();
        state::set(&mut host, POINTER_KEY, &10u64).unwrap();
        let decision = RoundRobin::route(
            &mut host,
            &testing::call(),
            &team(),
            r#"{"max_targets": 1}"#,
        );
        assert_eq!(decision, plan([20]));
    }

    #[test]
    fn overflow_leaves_the_pointer_alone() {
        let mut host = MemoryHost::new();
        state::set(&mut host, POINTER_KEY, &20u64).unwrap();
        let on_break = vec![Candidate {
            status: switchyard_sdk::Status::OnBreak,
            ..testing::candidate(1)
        }];
        let decision = RoundRobin::route(&mut host, &testing::call(), &on_break, "");
        assert_eq!(decision, Decision::Overflow(OverflowReason::NoneAvailable));
        assert_eq!(host.state()[POINTER_KEY], b"20");
    }

    #[test]
    fn checks_config() {
        assert_eq!(
            RoundRobin::check_config(r#"{"ring_timeout_ms": 30000}"#),
            Ok(())
        );
        assert!(RoundRobin::check_config(r#"{"ring_timeout_ms": 999999}"#).is_err());
    }
}
