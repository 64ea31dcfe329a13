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
        "--deadline-ms",
        "2000",
        "--scenario",
        &scenario,
    ];
    let (code, body) = switchyard(&args);
    assert_eq!(code, 0, "{body}");
    assert_eq!(body["outcome"]["outcome"], "policy");
    assert_eq!(body["decision"]["ring"]["mode"], "sequential", "{body}");
    let targets: Vec<u64> = body["decision"]["ring"]["targets"]
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
        "--deadline-ms",
        "2000",
        "--scenario",
        panicking.to_str().unwrap(),
    ];
    let (code, body) = switchyard(&args);
    assert_eq!(code, 3, "{body}");
    assert_eq!(body["outcome"]["kind"], "panic");
}

/// Runs the binary without blocking the test's runtime (the server runs on it).
async fn switchyard_async(args: &[&str]) -> (i32, Value) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(args)
        .output()
        .await
        .unwrap();
    let body = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), body)
}

#[tokio::test]
async fn policy_upload_activate_rollback_and_list_against_a_server() {
    let server = crate::support::Server::start().await;
    let account = server.operator().account("CLI").await;
    let co = crate::calls_support::company(&server, account, "Company C", "+918000000111").await;
    let (url, company) = (server.base(), co.id.to_string());
    let remote = [
        "--url",
        url.as_str(),
        "--token",
        crate::support::OPERATOR,
        "--company",
        company.as_str(),
    ];
    let with = |args: &[&'static str]| -> Vec<String> {
        args.iter()
            .map(|s| (*s).to_owned())
            .chain(remote.iter().map(|s| (*s).to_owned()))
            .collect()
    };
    let run = |args: Vec<String>| async move {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        switchyard_async(&refs).await
    };

    let (code, v1) = run(with(&[
        "policy",
        "upload",
        switchyard_artifacts::LONGEST_IDLE,
    ]))
    .await;
    assert_eq!((code, v1["version"].as_u64()), (0, Some(1)), "{v1}");
    assert_eq!(v1["name"], "longest-idle");
    let (code, v2) = run(with(&[
        "policy",
        "upload",
        switchyard_artifacts::ROUND_ROBIN,
    ]))
    .await;
    assert_eq!((code, v2["version"].as_u64()), (0, Some(2)), "{v2}");
    let (code, refused) = run(with(&[
        "policy",
        "upload",
        switchyard_artifacts::WRONG_WORLD,
    ]))
    .await;
    assert_eq!((code, refused["error"].as_str()), (2, Some("wrong_world")));

    let (code, _) = run(with(&["policy", "activate", "--version", "1"])).await;
    assert_eq!(code, 0);
    let (code, active) = run(with(&[
        "policy",
        "activate",
        "--version",
        "2",
        "--config",
        r#"{"ring_timeout_ms": 15000}"#,
    ]))
    .await;
    assert_eq!((code, active["version"].as_u64()), (0, Some(2)), "{active}");
    let (code, back) = run(with(&["policy", "rollback"])).await;
    assert_eq!((code, back["version"].as_u64()), (0, Some(1)), "{back}");
    let (code, list) = run(with(&["policy", "list"])).await;
    assert_eq!(code, 0);
    assert_eq!(list["versions"].as_array().unwrap().len(), 2);
    assert_eq!(list["active"]["version"], 1);
}

#[test]
fn policy_new_writes_a_crate_from_the_template() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().to_str().unwrap();
    let (code, _) = switchyard(&["policy", "new", "night-desk", "--dir", parent]);
    assert_eq!(code, 0);
    let cargo = std::fs::read_to_string(dir.path().join("night-desk/Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"night-desk\""), "{cargo}");
    let lib = std::fs::read_to_string(dir.path().join("night-desk/src/lib.rs")).unwrap();
    assert!(lib.contains("export_policy!(MyPolicy)"));
    let (code, _) = switchyard(&["policy", "new", "night-desk", "--dir", parent]);
    assert_eq!(code, 2, "an existing crate is not overwritten");
    let (code, _) = switchyard(&["policy", "new", "Bad Name", "--dir", parent]);
    assert_eq!(code, 2);
}
