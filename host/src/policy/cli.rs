//! `switchyard policy check` and `switchyard policy simulate`: the upload checks and a single
//! decision, run offline with the service's own runtime and limits, for policy authors and
//! scripts. Results are printed as JSON; exit codes are stable (see [`PolicyCommand`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchyard_runtime::{
    Call, Candidate, EngineConfig, Outcome, PolicyEngine, PolicyState, StateError,
};

use crate::config::PolicyCommand;
use crate::policy::io::{self as policy_io, ResolveError};
use crate::policy::{PolicyError, validate};

/// Exit code: accepted / the policy answered.
pub const EXIT_OK: u8 = 0;
/// Exit code: an I/O or engine error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code: the component or the scenario is refused.
pub const EXIT_REFUSED: u8 = 2;
/// Exit code: the decision used the fallback (the policy failed).
pub const EXIT_FALLBACK: u8 = 3;

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

#[derive(Serialize)]
struct Refusal {
    error: &'static str,
    message: String,
    hint: &'static str,
}

fn refuse(e: &PolicyError) -> u8 {
    print_json(&Refusal {
        error: e.code(),
        message: e.to_string(),
        hint: e.hint(),
    });
    EXIT_REFUSED
}

fn print_json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("error: cannot print the result: {e}"),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, u8> {
    std::fs::read(path).map_err(|e| {
        eprintln!("error: cannot read {}: {e}", path.display());
        EXIT_ERROR
    })
}

fn engine(deadline: Duration) -> Result<PolicyEngine, u8> {
    PolicyEngine::new(EngineConfig {
        deadline,
        ..EngineConfig::default()
    })
    .map_err(|e| {
        eprintln!("error: cannot start the policy engine: {e}");
        EXIT_ERROR
    })
}

/// Run a `policy` subcommand; returns the process exit code.
pub fn run(command: PolicyCommand) -> u8 {
    let result = match command {
        PolicyCommand::Check {
            file,
            max_bytes,
            deadline_ms,
        } => check(&file, max_bytes, Duration::from_millis(deadline_ms)),
        PolicyCommand::Simulate {
            file,
            scenario,
            deadline_ms,
        } => simulate(&file, &scenario, Duration::from_millis(deadline_ms)),
        other => Ok(crate::policy::remote::run(&other)),
    };
    result.unwrap_or_else(|code| code)
}

fn check(file: &Path, max_bytes: usize, deadline: Duration) -> Result<u8, u8> {
    let bytes = read(file)?;
    eprintln!("compiling {} ({} bytes)...", file.display(), bytes.len());
    let engine = engine(deadline)?;
    let name = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("policy");
    match validate(&engine, name, "local", &bytes, max_bytes) {
        Ok(policy) => {
            print_json(&serde_json::json!({
                "ok": true,
                "name": name,
                "size": bytes.len(),
                "hash": policy.content_hash(),
            }));
            Ok(EXIT_OK)
        }
        Err(e) => Ok(refuse(&e)),
    }
}

fn simulate(file: &Path, scenario: &Path, deadline: Duration) -> Result<u8, u8> {
    let bytes = read(file)?;
    let text = read(scenario)?;
    let scenario: Scenario = match serde_json::from_slice(&text) {
        Ok(s) => s,
        Err(e) => {
            print_json(&Refusal {
                error: "invalid_scenario",
                message: format!("{}: {e}", scenario.display()),
                hint: "a scenario is {\"call\": {...}, \"candidates\": [...], \"config\": {...}, \"state\": {...}}; see tests/scenarios/ for an example",
            });
            return Ok(EXIT_REFUSED);
        }
    };
    eprintln!("compiling {} ({} bytes)...", file.display(), bytes.len());
    let engine = engine(deadline)?;
    let name = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("policy");
    let policy = match engine.load(name, "local", &bytes) {
        Ok(p) => p,
        Err(e) => return Ok(refuse(&PolicyError::Load(e))),
    };
    let simulation = match scenario.run(&engine, &policy, PolicyState::default()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(EXIT_REFUSED);
        }
    };
    let code = if matches!(simulation.outcome, Outcome::Fallback { .. }) {
        EXIT_FALLBACK
    } else {
        EXIT_OK
    };
    print_json(&simulation);
    Ok(code)
}
