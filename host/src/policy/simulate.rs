//! A simulation: one decision of a policy version on a scenario written in the host's JSON
//! forms (`switchyard policy simulate` offline, `POST .../simulate` on a server), with the
//! service's runtime and limits and nothing changed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use switchyard_runtime::{Call, Candidate, Outcome, PolicyEngine, PolicyState, StateError};

use crate::calls::policy_io::{self as policy_io, ResolveError};

/// A simulation scenario, in the host's JSON forms ([`policy_io`]). Candidates may give their
/// skills as names (`"skills": ["hindi"]`): they are added to `call.skills` and turned into the
/// bits the policy sees (see [`policy_io::resolve`]).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "ScenarioForm")]
pub struct Scenario {
    /// The call, as the policy will see it (`skills` may be omitted).
    #[schema(value_type = Object)]
    pub call: policy_io::Call,
    /// The candidates (`skills` as names, or as bits over `call.skills`).
    #[schema(value_type = Vec<Object>)]
    pub candidates: Vec<policy_io::Candidate>,
    /// The policy configuration (any JSON; absent means empty).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: Option<serde_json::Value>,
    /// The company's policy state before the decision (key → UTF-8 value).
    #[serde(default)]
    pub state: BTreeMap<String, String>,
}

/// A scenario as written, before its skills are resolved.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioForm {
    call: policy_io::Call,
    candidates: Vec<policy_io::CandidateInput>,
    #[serde(default)]
    config: Option<serde_json::Value>,
    #[serde(default)]
    state: BTreeMap<String, String>,
}

impl TryFrom<ScenarioForm> for Scenario {
    type Error = ResolveError;

    fn try_from(form: ScenarioForm) -> Result<Self, ResolveError> {
        let (call, candidates) = policy_io::resolve(form.call, form.candidates)?;
        Ok(Self {
            call,
            candidates,
            config: form.config,
            state: form.state,
        })
    }
}

/// Why a scenario cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    /// A key or value of the scenario's `state` is refused by the state's limits.
    #[error("state key {key:?} refused: {source}")]
    StateRefused {
        /// The key.
        key: String,
        /// Which limit it broke.
        #[source]
        source: StateError,
    },
}

/// The result of one simulated decision, in the host's JSON forms ([`policy_io`]).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Simulation {
    /// The decision (`{"ring": {"mode": "sequential", "targets": [...]}}` or
    /// `{"overflow": "all-busy"}`).
    #[schema(value_type = Object)]
    pub decision: policy_io::Decision,
    /// From the policy, or the fallback and why.
    #[schema(value_type = Object)]
    pub outcome: Outcome,
    /// What the policy logged or printed.
    #[schema(value_type = Vec<Object>)]
    pub logs: Vec<policy_io::GuestLog>,
    /// Time of the decision, microseconds.
    pub elapsed_us: u128,
    /// Fuel burnt, when metered.
    pub fuel_consumed: Option<u64>,
    /// Linear memory the policy's instance held, bytes.
    pub memory_bytes: usize,
    /// Whether the policy changed its state (on the copy).
    pub state_changed: bool,
}

impl Scenario {
    /// Run one decision of `policy` on this scenario, on `state` overlaid with the scenario's.
    ///
    /// # Errors
    /// [`SimulateError::StateRefused`] when the scenario's state breaks the state's limits.
    pub fn run(
        self,
        engine: &PolicyEngine,
        policy: &switchyard_runtime::Policy,
        mut state: PolicyState,
    ) -> Result<Simulation, SimulateError> {
        for (key, value) in self.state {
            if let Err(source) = state.set(key.clone(), value.into_bytes()) {
                return Err(SimulateError::StateRefused { key, source });
            }
        }
        let config = self.config.map(|c| c.to_string()).unwrap_or_default();
        let call = Call::from(self.call);
        let candidates: Vec<Candidate> = self.candidates.into_iter().map(Into::into).collect();
        let decided = engine.route(
            policy,
            call.company,
            &call,
            &candidates,
            &config,
            &mut state,
        );
        Ok(Simulation {
            decision: decided.value.into(),
            outcome: decided.outcome,
            logs: decided.logs.into_iter().map(Into::into).collect(),
            elapsed_us: decided.elapsed.as_micros(),
            fuel_consumed: decided.fuel_consumed,
            memory_bytes: decided.memory_bytes,
            state_changed: decided.state_changed,
        })
    }
}
