//! A hostile tenant under load: while two well-behaved companies (one on round-robin, one on
//! the built-in default) take concurrent calls, a third uploads the guests that fail the
//! upload smoke test (always-traps, always-loops: refused) and activates the hostile guest in
//! every misbehaving mode, taking calls in each. The other tenants' decisions stay theirs:
//! rung agents are their own, their policy decided every call, each call is logged once and
//! `/metrics` counts no fallback for them. Every hostile call still gets a decision (the
//! fallback, logged with the failure kind), and the failures are counted by kind.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::calls_support::{Co, action, all_logs, call, company, event, hire, log_in, telephony};
use crate::support::{Client, Rng, Server};

/// Hostile modes, the failure kind each must end in, and calls taken in each.
const MODES: [(&str, &str); 9] = [
    ("loop", "deadline"),
    ("memory", "out-of-memory"),
    ("recursion", "stack-overflow"),
    ("panic", "panic"),
    ("unknown-agent", "bad-answer"),
    ("huge-output", "bad-answer"),
    ("read-file", "sandbox-violation"),
    ("read-env", ""),
    ("ok", ""),
];
const CALLS_PER_MODE: usize = 2;
/// Calls each well-behaved driver places at least (it goes on while the hostile tenant runs).
const MIN_CALLS: usize = 15;
const SEED: u64 = 0x4057_11E0_0000_0006;

/// Calls a driver placed: id and the outcome the platform saw.
type Ended = Vec<(String, &'static str)>;

/// A company of its own account with `n` logged-in agents; returns it and their ids.
async fn tenant(server: &Server, name: &str, number: &str, n: usize) -> (Co, BTreeSet<u64>) {
    let account = server.operator().account(name).await;
    let co = company(server, account, name, number).await;
    let mut agents = BTreeSet::new();
    for i in 0..n {
        let email = format!("agent{i}@{}.test", name.to_lowercase().replace(' ', "-"));
        let person = hire(server, &co, &email, "agent", &format!("3{i}")).await;
        log_in(&person, true).await;
        agents.insert(person.id);
    }
    (co, agents)
}

/// Uploads the component at `path`; returns the answer.
async fn upload(co: &Co, path: &str, name: &str) -> crate::support::Resp {
    co.admin
        .send_raw(
            Method::POST,
            &format!("/v1/companies/{}/policies?name={name}", co.id),
            "application/wasm",
            std::fs::read(path).unwrap(),
        )
        .await
}

/// Activates `version` of `co`'s policies with `config`.
async fn activate(co: &Co, version: u64, config: Value) {
    co.admin
        .put(
            &format!("/v1/companies/{}/policy", co.id),
            json!({ "version": version, "config": config }),
        )
        .await
        .expect(200);
}

/// Places one call and ends it (answered then ended, or abandoned); asserts that whoever is
/// rung is one of `agents`. Returns the outcome the platform saw.
async fn one_call(
    tel: &Client,
    co: &Co,
    agents: &BTreeSet<u64>,
    id: &str,
    rng: &mut Rng,
) -> &'static str {
    let update = call(tel, id, &co.number).await;
    assert_eq!(update["company_id"], co.id, "{update}");
    match action(&update) {
        "ring" => {
            let targets = update["instruction"]["targets"].as_array().unwrap();
            for t in targets {
                let agent = t["agent_id"].as_u64().unwrap();
                assert!(
                    agents.contains(&agent),
                    "{}: rang agent {agent}: {update}",
                    co.name
                );
            }
            if rng.below(2) == 0 {
                let agent = targets[0]["agent_id"].as_u64().unwrap();
                event(tel, id, json!({ "type": "answered", "agent_id": agent })).await;
                event(tel, id, json!({ "type": "ended" })).await;
                return "answered";
            }
        }
        "queue" => {}
        "voicemail" => return "voicemail",
        other => panic!("{}: unexpected action {other}: {update}", co.name),
    }
    let done = event(tel, id, json!({ "type": "abandoned" })).await;
    assert_eq!(action(&done), "done");
    "abandoned"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_tenant_under_load_changes_nothing_for_the_others() {
    let server = Server::start().await;
    let (rr, rr_agents) = tenant(&server, "Round Robin Co", "+918000000701", 3).await;
    let (li, li_agents) = tenant(&server, "Longest Idle Co", "+918000000702", 3).await;
    let (bad, bad_agents) = tenant(&server, "Hostile Co", "+918000000703", 2).await;
    let tel = telephony(&server, &[&rr.number, &li.number, &bad.number]).await;
    let version = upload(&rr, switchyard_artifacts::ROUND_ROBIN, "round-robin")
        .await
        .expect(201)["version"]
        .as_u64()
        .unwrap();
    activate(&rr, version, json!({})).await;

    // The well-behaved tenants take calls until the hostile one is done.
    let hostile_done = Arc::new(AtomicBool::new(false));
    let mut drivers = JoinSet::new();
    let mut rng = Rng::new(SEED);
    for (co, agents) in [(rr, rr_agents), (li, li_agents)] {
        let (co, agents) = (Arc::new(co), Arc::new(agents));
        for d in 0..2 {
            let (tel, co, agents) = (tel.clone(), Arc::clone(&co), Arc::clone(&agents));
            let (done, mut rng) = (Arc::clone(&hostile_done), Rng::new(rng.next()));
            drivers.spawn(async move {
                let mut ended = Vec::new();
                while ended.len() < MIN_CALLS || !done.load(Ordering::SeqCst) {
                    let id = format!("{}-{d}-{}", co.id, ended.len());
                    let outcome = one_call(&tel, &co, &agents, &id, &mut rng).await;
                    ended.push((id, outcome));
                }
                (co, ended)
            });
        }
    }

    // Meanwhile: refused uploads, then every hostile mode.
    for guest in [
        switchyard_artifacts::ALWAYS_TRAPS,
        switchyard_artifacts::ALWAYS_LOOPS,
    ] {
        upload(&bad, guest, "bad")
            .await
            .expect_error(422, "smoke_test_failed");
    }
    let version = upload(&bad, switchyard_artifacts::HOSTILE, "hostile")
        .await
        .expect(201)["version"]
        .as_u64()
        .unwrap();
    let mut hostile_calls = Vec::new();
    for (mode, kind) in MODES {
        activate(&bad, version, json!({ "mode": mode })).await;
        for i in 0..CALLS_PER_MODE {
            let id = format!("hostile-{mode}-{i}");
            let outcome = one_call(&tel, &bad, &bad_agents, &id, &mut rng).await;
            hostile_calls.push((id, outcome, kind));
        }
    }
    hostile_done.store(true, Ordering::SeqCst);

    let mut normal = Vec::new();
    while let Some(done) = drivers.join_next().await {
        normal.push(done.unwrap());
    }
    audit(&server, &bad, &hostile_calls, &normal).await;
}

/// Logs of `co` by call id, each call logged once.
async fn logs_by_call(co: &Co) -> HashMap<String, Value> {
    let mut out = HashMap::new();
    for log in all_logs(&co.admin, co.id).await {
        assert_eq!(log["company_id"], co.id);
        let id = log["call_id"].as_str().unwrap().to_owned();
        assert!(out.insert(id.clone(), log).is_none(), "{id} logged twice");
    }
    out
}

async fn audit(
    server: &Server,
    bad: &Co,
    hostile_calls: &[(String, &str, &str)],
    normal: &[(Arc<Co>, Ended)],
) {
    let metrics = server.operator().get("/metrics").await;
    assert_eq!(metrics.status, 200);
    let counter = |name: &str, labels: &str| -> u64 {
        let prefix = format!("{name}{{{labels}}} ");
        metrics
            .text
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or(0, |n| n.parse().unwrap())
    };

    // The well-behaved tenants: their policy decided each call, logged once, no fallback.
    let mut by_company: HashMap<u64, (Arc<Co>, Ended)> = HashMap::new();
    for (co, ended) in normal {
        let entry = by_company
            .entry(co.id)
            .or_insert_with(|| (Arc::clone(co), Vec::new()));
        entry.1.extend(ended.iter().cloned());
    }
    for (co, ended) in by_company.values() {
        let logs = logs_by_call(co).await;
        assert_eq!(
            logs.len(),
            ended.len(),
            "{}: every call logged once",
            co.name
        );
        for (id, outcome) in ended {
            let log = &logs[id];
            assert_eq!(log["outcome"], *outcome, "{log}");
            for decision in log["decisions"].as_array().unwrap() {
                let source = decision["policy"]["source"].as_str().unwrap();
                let expected = if co.name.starts_with("Round") {
                    "policy"
                } else {
                    "built-in"
                };
                assert_eq!(source, expected, "{}: {log}", co.name);
            }
        }
        let fallbacks = counter(
            "switchyard_policy_fallbacks_total",
            &format!("company=\"{}\"", co.id),
        );
        assert_eq!(fallbacks, 0, "{} fell back:\n{}", co.name, metrics.text);
    }

    // The hostile tenant: every call decided by the fallback with its failure kind, logged.
    let logs = logs_by_call(bad).await;
    assert_eq!(logs.len(), hostile_calls.len());
    let mut kinds: HashMap<String, u64> = HashMap::new();
    for (id, outcome, kind) in hostile_calls {
        let log = &logs[id];
        assert_eq!(log["outcome"], *outcome, "{log}");
        let source = log["decisions"][0]["policy"]["source"].as_str().unwrap();
        if kind.is_empty() {
            assert_eq!(source, "policy", "{log}");
            continue;
        }
        // A slow machine may reach the deadline before the misbehaviour itself fails.
        let got = source
            .strip_prefix("fallback:")
            .unwrap_or_else(|| panic!("{id}: {source}"));
        assert!(got == *kind || got == "deadline", "{id}: {source}");
        *kinds.entry(got.to_owned()).or_default() += 1;
    }
    let company = format!("company=\"{}\"", bad.id);
    let fallbacks = counter("switchyard_policy_fallbacks_total", &company);
    let failing: u64 = kinds.values().sum();
    assert!(
        fallbacks >= failing,
        "{fallbacks} < {failing}:\n{}",
        metrics.text
    );
    for (kind, n) in &kinds {
        let counted = counter(
            "switchyard_policy_failures_total",
            &format!("kind=\"{kind}\""),
        );
        assert!(
            counted >= *n,
            "{counted} {kind} failures counted, {n} seen:\n{}",
            metrics.text
        );
    }
    assert!(server.state().calls().live_count() == 0);
}
