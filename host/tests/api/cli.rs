//! The `switchyard policy check` and `switchyard policy simulate` commands on freshly built
//! components, with no server running: JSON on stdout and stable exit codes.

use std::process::Command;

use serde_json::Value;

fn switchyard(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .output()
        .unwrap();
    let body = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), body)
}

fn scenario() -> String {
    format!(
        "{}/../tests/scenarios/basic.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn policy_check_accepts_a_shipped_policy_and_names_what_is_wrong_otherwise() {
    let (code, body) = switchyard(&["policy", "check", switchyard_artifacts::ROUND_ROBIN]);
    assert_eq!(code, 0, "{body}");
    assert_eq!(body["ok"], true);
    assert_eq!(body["hash"].as_str().unwrap().len(), 64);

    let (code, body) = switchyard(&["policy", "check", switchyard_artifacts::WRONG_WORLD]);
    assert_eq!(code, 2, "{body}");
    assert_eq!(body["error"], "wrong_world");
    assert!(
        body["message"].as_str().unwrap().contains("missing export"),
        "{body}"
    );

    let small = [
        "policy",
        "check",
        switchyard_artifacts::LONGEST_IDLE,
        "--max-bytes",
        "1000",
    ];
    let (code, body) = switchyard(&small);
    assert_eq!(
        (code, body["error"].as_str()),
        (2, Some("policy_too_large"))
    );
}

#[test]
fn policy_simulate_prints_the_decision_of_a_scenario() {
    let scenario = scenario();
    let args = [
        "policy",
        "simulate",
        switchyard_artifacts::LONGEST_IDLE,
        "--scenario",
        &scenario,
    ];
    let (code, body) = switchyard(&args);
    assert_eq!(code, 0, "{body}");
    assert_eq!(body["outcome"]["outcome"], "policy");
    let targets: Vec<u64> = body["decision"]["Ring"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["agent"].as_u64().unwrap())
        .collect();
    // Agent 2 has idled longest; agent 3 is busy with another company.
    assert_eq!(targets, vec![2, 1]);

    // A policy that panics: the fallback decides, and the exit code says so.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&scenario).unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    value["config"] = serde_json::json!({ "mode": "panic" });
    let panicking = dir.path().join("panic.json");
    std::fs::write(&panicking, value.to_string()).unwrap();
    let args = [
        "policy",
        "simulate",
        switchyard_artifacts::HOSTILE,
        "--scenario",
        panicking.to_str().unwrap(),
    ];
    let (code, body) = switchyard(&args);
    assert_eq!(code, 3, "{body}");
    assert_eq!(body["outcome"]["kind"], "panic");
}
