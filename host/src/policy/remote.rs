//! `switchyard policy upload|activate|rollback|list` against a running server, and
//! `switchyard policy new` (a policy crate from a template). Answers are printed as JSON; the
//! exit code is 0 on success, 2 when the server refused (4xx), 1 on any other error.

use std::path::Path;

use crate::config::{PolicyCommand, Remote};
use crate::policy::cli::{EXIT_ERROR, EXIT_OK, EXIT_REFUSED};

/// Run a remote or template `policy` subcommand (`check` and `simulate` are local: see
/// [`crate::policy::cli`]); returns the exit code.
pub fn run(command: &PolicyCommand) -> u8 {
    let request = match command {
        PolicyCommand::Upload { file, name, remote } => {
            let bytes = match std::fs::read(file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", file.display());
                    return EXIT_ERROR;
                }
            };
            let name = name
                .clone()
                .or_else(|| {
                    file.file_stem()
                        .and_then(|s| s.to_str())
                        .map(|s| s.replace('_', "-"))
                })
                .unwrap_or_else(|| "policy".to_owned());
            eprintln!(
                "uploading {} ({} bytes) as {name}...",
                file.display(),
                bytes.len()
            );
            let url = format!(
                "{}/v1/companies/{}/policies?name={name}",
                remote.url, remote.company
            );
            (
                remote,
                reqwest::Method::POST,
                url,
                Some(("application/wasm", bytes)),
            )
        }
        PolicyCommand::Activate {
            version,
            config,
            remote,
        } => {
            let config = match config
                .as_deref()
                .map(serde_json::from_str::<serde_json::Value>)
            {
                None => serde_json::Value::Null,
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    eprintln!("error: --config is not JSON: {e}");
                    return EXIT_REFUSED;
                }
            };
            let body = serde_json::json!({ "version": version, "config": config }).to_string();
            let url = format!("{}/v1/companies/{}/policy", remote.url, remote.company);
            (
                remote,
                reqwest::Method::PUT,
                url,
                Some(("application/json", body.into_bytes())),
            )
        }
        PolicyCommand::Rollback { remote } => {
            let url = format!(
                "{}/v1/companies/{}/policy/rollback",
                remote.url, remote.company
            );
            (remote, reqwest::Method::POST, url, None)
        }
        PolicyCommand::List { remote } => {
            let url = format!("{}/v1/companies/{}/policies", remote.url, remote.company);
            (remote, reqwest::Method::GET, url, None)
        }
        PolicyCommand::New { name, dir } => return new_crate(name, dir),
        PolicyCommand::Check { .. } | PolicyCommand::Simulate { .. } => {
            eprintln!("error: `check` and `simulate` run locally");
            return EXIT_ERROR;
        }
    };
    send(request)
}

type Request<'a> = (
    &'a Remote,
    reqwest::Method,
    String,
    Option<(&'static str, Vec<u8>)>,
);

fn send((remote, method, url, body): Request<'_>) -> u8 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    runtime.block_on(async {
        let mut req = reqwest::Client::new()
            .request(method, &url)
            .bearer_auth(&remote.token);
        if let Some((content_type, bytes)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot reach {url}: {e}");
                return EXIT_ERROR;
            }
        };
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        println!("{text}");
        if status.is_success() {
            EXIT_OK
        } else if status.is_client_error() {
            EXIT_REFUSED
        } else {
            EXIT_ERROR
        }
    })
}

const TEMPLATE_LIB: &str = r#"//! `NAME`: a Switchyard routing policy. Rings eligible agents one after another, longest
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
"#;

const TEMPLATE_CARGO: &str = r#"[package]
name = "NAME"
version.workspace = true
edition.workspace = true
rust-version.workspace = true
license.workspace = true
publish.workspace = true

[lib]
crate-type = ["cdylib", "rlib"]

[dependencies]
switchyard-sdk.workspace = true
serde.workspace = true

[lints]
workspace = true
"#;

fn new_crate(name: &str, dir: &Path) -> u8 {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        eprintln!("error: {name:?} is not a crate name: use lower-case letters, digits and `-`");
        return EXIT_REFUSED;
    }
    let root = dir.join(name);
    if root.exists() {
        eprintln!("error: {} already exists", root.display());
        return EXIT_REFUSED;
    }
    let files = [
        (
            root.join("Cargo.toml"),
            TEMPLATE_CARGO.replace("NAME", name),
        ),
        (
            root.join("src").join("lib.rs"),
            TEMPLATE_LIB.replace("NAME", name),
        ),
        (
            root.join("README.md"),
            format!(
                "# {name}\n\nA Switchyard routing policy: longest idle first, sequentially. Config: `{{\"ring_timeout_ms\": 20000}}`.\n"
            ),
        ),
    ];
    for (path, text) in files {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return EXIT_ERROR;
        }
    }
    eprintln!(
        "created {} — test with `cargo test -p {name}`, build with `cargo build -p {name} --release --target wasm32-wasip2`",
        root.display()
    );
    EXIT_OK
}
