//! `NAME`: a Switchyard routing policy. Rings eligible agents one after another, longest
//! idle first. Edit `route` (and optionally `overflow`, `visibility`, `check_config`).
//! Ask for skills by name, e.g. `candidate.has_skill(call, "billing")` or
//! `switchyard_sdk::RequiredSkills` (see `switchyard_sdk::skills`).

use serde::Deserialize;
use switchyard_sdk::{
    Call, Candidate, Decision, Host, Policy, RingMode, RingTimeout, config, decide, eligible, order,
};

/// The policy's configuration (all optional; empty means defaults).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// How long each agent rings (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
}

/// The policy.
pub struct MyPolicy;

impl Policy for MyPolicy {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
        order::longest_idle(&mut ordered);
        decide(RingMode::Sequential, ordered, candidates, config.ring_timeout_ms, None)
    }

    fn check_config(config: &str) -> Result<(), config::ConfigError> {
        config::check::<Config>(config)
    }
}

switchyard_sdk::export_policy!(MyPolicy);

#[cfg(test)]
mod tests {
    use switchyard_sdk::{MemoryHost, testing};

    use super::*;

    #[test]
    fn rings_the_longest_idle_first() {
        let a = Candidate { idle_ms: 1_000, ..testing::candidate(1) };
        let b = Candidate { idle_ms: 9_000, ..testing::candidate(2) };
        let decision = MyPolicy::route(&mut MemoryHost::new(), &testing::call(), &[a, b], "");
        let Decision::Ring(plan) = decision else { panic!("expected a ring plan") };
        assert_eq!(plan.targets.iter().map(|t| t.agent).collect::<Vec<_>>(), vec![2, 1]);
    }
}
