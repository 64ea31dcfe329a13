//! `switchyard policy ...`: its arguments ([`PolicyCommand`]), and `check` and `simulate`: the
//! upload checks and a single decision, run offline with the service's own runtime and limits,
//! for policy authors and scripts. Results are printed as JSON; exit codes are stable (see
//! [`PolicyCommand`]). The commands that talk to a server are in `remote`, `new` in `template`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;
use switchyard_runtime::{EngineConfig, Outcome, PolicyEngine, PolicyState};

use crate::policy::simulate::Scenario;
use crate::policy::{PolicyError, validate};

/// Exit code: accepted / the policy answered.
pub const EXIT_OK: u8 = 0;
/// Exit code: an I/O or engine error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code: the component or the scenario is refused.
pub const EXIT_REFUSED: u8 = 2;
/// Exit code: the decision used the fallback (the policy failed).
pub const EXIT_FALLBACK: u8 = 3;

/// `switchyard policy ...`
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run the upload checks on a component: size, component, world, compiles, smoke decision.
    /// Exit code 0 when it would be accepted, 2 when refused, 1 on other errors.
    Check {
        /// The `.wasm` component.
        file: PathBuf,
        /// Largest accepted size, bytes.
        #[arg(long, env = "SWITCHYARD_MAX_POLICY_BYTES", default_value_t = crate::policy::DEFAULT_MAX_POLICY_BYTES)]
        max_bytes: usize,
        /// Wall-clock budget of the smoke decision, milliseconds (the server's
        /// `--policy-deadline-ms`).
        #[arg(long, env = "SWITCHYARD_POLICY_DEADLINE_MS", default_value_t = 10)]
        deadline_ms: u64,
    },
    /// Run one decision of a component on a scenario (a call, candidates, config, state) with
    /// the service's runtime and limits; prints the decision, how it was reached, the policy's
    /// logs and its time as JSON. Exit code 0 when the policy answered, 3 when the fallback
    /// was used, 2 when the component or scenario is refused.
    Simulate {
        /// The `.wasm` component.
        file: PathBuf,
        /// Scenario JSON: `{"call": {...}, "candidates": [...], "config": {...}, "state": {...}}`.
        #[arg(long)]
        scenario: PathBuf,
        /// Wall-clock budget of the decision, milliseconds (the server's
        /// `--policy-deadline-ms`).
        #[arg(long, env = "SWITCHYARD_POLICY_DEADLINE_MS", default_value_t = 10)]
        deadline_ms: u64,
    },
    /// Upload a component to a company on a running server (prints the new version).
    Upload {
        /// The `.wasm` component.
        file: PathBuf,
        /// Policy name (default: the file name).
        #[arg(long)]
        name: Option<String>,
        /// Where and as whom.
        #[command(flatten)]
        remote: Remote,
    },
    /// Activate a version (with an optional JSON configuration).
    Activate {
        /// Version number.
        #[arg(long)]
        version: u32,
        /// JSON configuration.
        #[arg(long)]
        config: Option<String>,
        /// Where and as whom.
        #[command(flatten)]
        remote: Remote,
    },
    /// Return to the previous activation.
    Rollback {
        /// Where and as whom.
        #[command(flatten)]
        remote: Remote,
    },
    /// List versions and the active one.
    List {
        /// Where and as whom.
        #[command(flatten)]
        remote: Remote,
    },
    /// Start a new policy from a template (a longest-idle policy to edit, with a unit test and
    /// its build commands in its README).
    New {
        /// Policy name, e.g. `my-policy`.
        name: String,
        /// The language to write it in.
        #[arg(long, value_enum, default_value_t = super::template::Lang::Rust)]
        lang: super::template::Lang,
        /// Parent folder (default: the workspace's `plugins/` for Rust, the current folder
        /// otherwise).
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

/// A server, a company on it and a token to act with.
#[derive(Debug, Args)]
pub struct Remote {
    /// The company.
    #[arg(long)]
    pub company: u64,
    /// Base URL of the server.
    #[arg(long, env = "SWITCHYARD_URL", default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// A token with admin rights in the company.
    #[arg(long, env = "SWITCHYARD_TOKEN", hide_env_values = true)]
    pub token: String,
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
        other => Ok(super::remote::run(&other)),
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
