//! `switchyard policy new --lang python|js`: the project a new author gets passes its own unit
//! tests, builds with the language's componentizer as its README says, passes `policy check`
//! and decides its scenario with `policy simulate`.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Runs `cmd`; panics with its output unless it succeeds; returns stdout.
fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The binary, with a decision budget a debug build of the host meets for a Python or
/// JavaScript policy on a busy machine (~10 ms there, the default budget).
fn switchyard() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchyard"));
    cmd.env("SWITCHYARD_POLICY_DEADLINE_MS", "5000");
    cmd
}

/// `policy check` and `policy simulate` of the built component in `project`.
fn check_and_simulate(project: &Path, wasm: &str) {
    let body: Value = serde_json::from_str(&run(
        switchyard()
            .current_dir(project)
            .args(["policy", "check", wasm]),
        "policy check",
    ))
    .unwrap();
    assert_eq!(body["ok"], true, "{body}");
    let body: Value = serde_json::from_str(&run(
        switchyard().current_dir(project).args([
            "policy",
            "simulate",
            wasm,
            "--scenario",
            "scenario.json",
        ]),
        "policy simulate",
    ))
    .unwrap();
    assert_eq!(body["outcome"]["outcome"], "policy", "{body}");
    // The scenario's longest idle eligible agent is 2, then 1; 3 is busy elsewhere.
    let agents: Vec<u64> = body["decision"]["ring"]["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|t| t["agent"].as_u64().unwrap())
        .collect();
    assert_eq!(agents, [2, 1], "{body}");
}

#[test]
fn a_new_python_policy_tests_builds_checks_and_simulates() {
    let dir = tempfile::tempdir().unwrap();
    run(
        switchyard()
            .args(["policy", "new", "night-desk", "--lang", "python", "--dir"])
            .arg(dir.path()),
        "policy new",
    );
    let project = dir.path().join("night-desk");
    let tools = switchyard_artifacts::PYTHON_TOOLS;
    run(
        Command::new("python3")
            .current_dir(&project)
            .args(["-m", "pytest", "-q"])
            .env("PYTHONPATH", tools),
        "the template's pytest",
    );
    // The README's build command, with componentize-py from the tools dir.
    run(
        Command::new("python3")
            .current_dir(&project)
            .env("PYTHONPATH", tools)
            .args([
                "-c",
                "import sys, componentize_py; sys.argv[0] = 'componentize-py'; componentize_py.script()",
                "-d",
                "wit",
                "-w",
                "routing-policy",
                "componentize",
                "app",
                "-o",
                "night_desk.wasm",
            ]),
        "componentize-py",
    );
    check_and_simulate(&project, "night_desk.wasm");
}

#[test]
fn a_new_javascript_policy_tests_builds_checks_and_simulates() {
    let dir = tempfile::tempdir().unwrap();
    run(
        switchyard()
            .args(["policy", "new", "night-desk", "--lang", "js", "--dir"])
            .arg(dir.path()),
        "policy new",
    );
    let project = dir.path().join("night-desk");
    let out = run(
        Command::new("node").current_dir(&project).arg("--test"),
        "the template's node --test",
    );
    assert!(out.contains("# pass 2"), "{out}");
    // `npm run build`, with componentize-js from the tools dir instead of `npm install`.
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("package.json")).unwrap())
            .unwrap();
    let build = package["scripts"]["build"].as_str().unwrap();
    let args: Vec<&str> = build.split_whitespace().collect();
    assert_eq!(args[0], "componentize-js", "{build}");
    run(
        Command::new(Path::new(switchyard_artifacts::JS_TOOLS).join("componentize-js"))
            .current_dir(&project)
            .args(&args[1..]),
        "componentize-js",
    );
    check_and_simulate(&project, "night_desk.wasm");
}
