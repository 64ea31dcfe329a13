//! `skills-tier`: rings only agents having every required skill, first line
//! (lowest tier) first, one after another.
//!
//! Required skills come from the config and from the call attribute `skill`
//! (comma-separated), compared case-insensitively. Within a tier agents are
//! ordered by `then`. Config (all optional; empty means defaults):
//! `{"required_skills": ["billing"], "then": "longest-idle" | "fewest-calls" |
//! "least-talk-time", "ring_timeout_ms": 20000, "max_targets": 5}`.

use std::num::NonZeroUsize;

use serde::Deserialize;
use switchyard_sdk::{
    Call, Candidate, Decision, Host, Policy, RequiredSkills, RingMode, RingTimeout, config, decide,
    order::Order,
    select::{attribute, is_eligible},
};

/// Call attribute naming extra required skills (comma-separated).
pub const SKILL_ATTRIBUTE: &str = "skill";

/// The policy's configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Skills every rung agent must have, on top of the call's `skill` attribute.
    pub required_skills: Vec<String>,
    /// Order within a tier (default `longest-idle`).
    pub then: Order,
    /// How long to ring each agent (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
    /// Ring at most this many agents per attempt (default: all eligible).
    pub max_targets: Option<NonZeroUsize>,
}

/// Skilled agents only, lower tier first, then by the configured order.
pub struct SkillsTier;

impl Policy for SkillsTier {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        let required = required_skills(&config, call);
        // Members lacking a skill are not candidates for this call at all, so
        // the overflow reason is judged among the skilled ones only.
        let skilled: Vec<Candidate> = candidates
            .iter()
            .filter(|c| required.is_met_by(c))
            .copied()
            .collect();
        let mut ordered: Vec<&Candidate> =
            skilled.iter().filter(|c| is_eligible(c, call)).collect();
        config.then.sort(&mut ordered);
        // Stable: keeps the `then` order inside each tier.
        ordered.sort_by_key(|c| c.tier);
        decide(
            RingMode::Sequential,
            ordered,
            &skilled,
            config.ring_timeout_ms,
            config.max_targets,
        )
    }

    fn check_config(config: &str) -> Result<(), config::ConfigError> {
        config::check::<Config>(config)
    }
}

/// The config's skills plus the call's `skill` attribute (blank names ignored),
/// looked up in the department's skill names (case-insensitive).
fn required_skills(config: &Config, call: &Call) -> RequiredSkills {
    let from_call = attribute(call, SKILL_ATTRIBUTE)
        .into_iter()
        .flat_map(|v| v.split(','));
    let names = config
        .required_skills
        .iter()
        .map(String::as_str)
        .chain(from_call);
    RequiredSkills::new(call, names)
}

switchyard_sdk::export_policy!(SkillsTier);

#[cfg(test)]
mod tests {
    use switchyard_sdk::{
        Attribute, MemoryHost, OverflowReason, Presence, RingMode, ring_plan, testing,
    };

    use super::*;

    fn agent(
        call: &mut Call,
        id: u64,
        tier: u8,
        skills: &[&str],
        idle_ms: u64,
        calls_today: u32,
    ) -> Candidate {
        Candidate {
            tier,
            skills: testing::skills(call, skills),
            idle_ms,
            calls_today,
            ..testing::candidate(id)
        }
    }

    /// The team, with its skill names added to `call` as the host does.
    fn team(call: &mut Call) -> Vec<Candidate> {
        vec![
            agent(call, 1, 2, &["billing", "french"], 900_000, 1),
            agent(call, 2, 1, &["billing"], 10_000, 0),
            agent(call, 3, 1, &["Billing", "french"], 50_000, 7),
            agent(call, 4, 1, &["sales"], 999_000, 0),
            agent(call, 5, 3, &["billing"], 5_000, 0),
        ]
    }

    fn route(call: &Call, config: &str) -> Decision {
        let mut call = call.clone();
        let team = team(&mut call);
        SkillsTier::route(&mut MemoryHost::new(), &call, &team, config)
    }

    fn sequential(agents: impl IntoIterator<Item = u64>) -> Decision {
        Decision::Ring(ring_plan(RingMode::Sequential, agents, 20_000))
    }

    #[test]
    fn no_required_skill_rings_everyone_by_tier_then_longest_idle() {
        assert_eq!(route(&testing::call(), ""), sequential([4, 3, 2, 1, 5]));
    }

    #[test]
    fn configured_skill_skips_agents_without_it() {
        let config = r#"{"required_skills": ["billing"]}"#;
        assert_eq!(route(&testing::call(), config), sequential([3, 2, 1, 5]));
    }

    #[test]
    fn then_fewest_calls_orders_within_a_tier() {
        let config = r#"{"required_skills": ["billing"], "then": "fewest-calls"}"#;
        assert_eq!(route(&testing::call(), config), sequential([2, 3, 1, 5]));
    }

    #[test]
    fn call_attribute_adds_required_skills() {
        let mut call = testing::call();
        call.attributes = vec![Attribute {
            key: "skill".into(),
            value: " French ".into(),
        }];
        let config = r#"{"required_skills": ["billing"]}"#;
        assert_eq!(route(&call, config), sequential([3, 1]));
        call.attributes[0].value = "billing,french".into();
        assert_eq!(route(&call, ""), sequential([3, 1]));
    }

    #[test]
    fn overflow_reason_counts_only_skilled_members() {
        let mut call = testing::call();
        call.attributes = vec![Attribute {
            key: "skill".into(),
            value: "german".into(),
        }];
        assert_eq!(
            route(&call, ""),
            Decision::Overflow(OverflowReason::NoMembers)
        );

        let mut call = testing::call();
        let busy: Vec<Candidate> = team(&mut call)
            .into_iter()
            .map(|c| {
                if c.agent == 4 {
                    c
                } else {
                    Candidate {
                        presence: Presence::OnCall,
                        ..c
                    }
                }
            })
            .collect();
        let decision = SkillsTier::route(
            &mut MemoryHost::new(),
            &call,
            &busy,
            r#"{"required_skills": ["billing"]}"#,
        );
        assert_eq!(decision, Decision::Overflow(OverflowReason::AllBusy));
    }

    #[test]
    fn checks_config() {
        assert_eq!(
            SkillsTier::check_config(r#"{"then": "least-talk-time"}"#),
            Ok(())
        );
        let err = SkillsTier::check_config(r#"{"then": "random"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`then`"), "{err}");
        assert!(SkillsTier::check_config(r#"{"required_skills": "billing"}"#).is_err());
    }
}
