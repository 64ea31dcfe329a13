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
    Call, Candidate, Decision, Host, Policy, RingMode, RingTimeout, config, decide,
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
            .filter(|c| has_skills(c, &required))
            .cloned()
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

    fn check_config(config: &str) -> Result<(), String> {
        config::check::<Config>(config)
    }
}

/// The config's skills plus the call's `skill` attribute, trimmed, non-empty.
fn required_skills<'a>(config: &'a Config, call: &'a Call) -> Vec<&'a str> {
    let from_call = attribute(call, SKILL_ATTRIBUTE)
        .into_iter()
        .flat_map(|v| v.split(','));
    config
        .required_skills
        .iter()
        .map(String::as_str)
        .chain(from_call)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether `candidate` has every skill in `required` (case-insensitive).
fn has_skills(candidate: &Candidate, required: &[&str]) -> bool {
    required.iter().all(|r| {
        candidate
            .skills
            .iter()
            .any(|s| s.trim().eq_ignore_ascii_case(r))
    })
}

switchyard_sdk::export_policy!(SkillsTier);

#[cfg(test)]
mod tests {
    use switchyard_sdk::{
        Attribute, MemoryHost, OverflowReason, Presence, RingMode, ring_plan, testing,
    };

    use super::*;

    fn agent(id: u64, tier: u8, skills: &[&str], idle_ms: u64, calls_today: u32) -> Candidate {
        Candidate {
            tier,
            skills: skills.iter().map(|s| s.to_string()).collect(),
            idle_ms,
            calls_today,
            ..testing::candidate(id)
        }
    }

    fn team() -> Vec<Candidate> {
        vec![
            agent(1, 2, &["billing", "french"], 900_000, 1),
            agent(2, 1, &["billing"], 10_000, 0),
            agent(3, 1, &["Billing", "french"], 50_000, 7),
            agent(4, 1, &["sales"], 999_000, 0),
            agent(5, 3, &["billing"], 5_000, 0),
        ]
    }

    fn route(call: &Call, config: &str) -> Decision {
        SkillsTier::route(&mut MemoryHost::new(), call, &team(), config)
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

        let busy: Vec<Candidate> = team()
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
            &testing::call(),
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
        let err = SkillsTier::check_config(r#"{"then": "random"}"#).unwrap_err();
        assert!(err.contains("`then`"), "{err}");
        assert!(SkillsTier::check_config(r#"{"required_skills": "billing"}"#).is_err());
    }
}
