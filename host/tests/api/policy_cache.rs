//! The bounded cache of compiled policies over HTTP: with room for two, three companies with
//! three different policies decide in turn, before and after a restart, and every decision is
//! made by the company's own policy (never the fallback): an evicted policy comes back from
//! its precompiled artifact, its state (the round-robin pointer) intact. `/metrics` counts the
//! misses and evictions.

use serde_json::json;
use switchyard_artifacts::{LONGEST_IDLE, RING_ALL, ROUND_ROBIN};

use crate::calls_policies::activate;
use crate::calls_support::{Co, action, company, event, hire, log_in, rung, telephony};
use crate::support::{Client, Server};

/// The plugins of the three companies, in turn.
const PLUGINS: [(&str, &str); 3] = [
    (ROUND_ROBIN, "round-robin"),
    (RING_ALL, "ring-all"),
    (LONGEST_IDLE, "longest-idle"),
];

/// One call to each company in turn, `rounds` times; checks each decision is its own
/// policy's and returns the first target of every round-robin call.
async fn decide_in_turn(tel: &Client, cos: &[(Co, &str)], tag: &str, rounds: usize) -> Vec<u64> {
    let mut round_robin_firsts = Vec::new();
    for round in 0..rounds {
        for (co, name) in cos {
            let call_id = format!("{tag}-{round}-{}", co.id);
            let body = json!({"call_id": call_id, "number": co.number, "caller": "+14155550100"});
            let ring = tel.post("/v1/calls", body).await.expect(201);
            assert_eq!(action(&ring), "ring", "{name}: {ring}");
            let trace_id = ring["trace_id"].as_str().unwrap();
            let trace = co
                .admin
                .get(&format!("/v1/companies/{}/traces/{trace_id}", co.id))
                .await
                .expect(200);
            let policy = &trace["policy"];
            assert_eq!(
                (policy["name"].as_str(), policy["source"].as_str()),
                (Some(*name), Some("policy")),
                "{tag} round {round}: {trace}"
            );
            assert_eq!(policy["version"], 1, "{trace}");
            let mode = ring["instruction"]["mode"].as_str().unwrap();
            match *name {
                "ring-all" => {
                    assert_eq!((mode, rung(&ring).len()), ("simultaneous", 2), "{ring}");
                }
                "round-robin" => {
                    assert_eq!(mode, "sequential", "{ring}");
                    round_robin_firsts.push(rung(&ring)[0]);
                }
                _ => assert_eq!(mode, "sequential", "{ring}"),
            }
            event(tel, &call_id, json!({ "type": "abandoned" })).await;
        }
    }
    round_robin_firsts
}

/// The value of an unlabelled metric.
fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

fn assert_rotates(firsts: &[u64]) {
    for pair in firsts.windows(2) {
        assert_ne!(pair[0], pair[1], "round-robin did not rotate: {firsts:?}");
    }
}

#[tokio::test]
async fn with_a_cache_of_two_three_companies_decide_in_turn_each_with_its_own_policy() {
    let data = tempfile::tempdir().unwrap();
    let cache_of_two = |c: &mut switchyard::config::ServeConfig| c.policy_cache = 2;
    let server = Server::start_with(data.path(), cache_of_two).await;
    let account = server.operator().account("Cached").await;
    let mut cos = Vec::new();
    for (i, (path, name)) in PLUGINS.into_iter().enumerate() {
        let number = format!("+9180000005{i:02}");
        let co = company(&server, account, &format!("Cached {i}"), &number).await;
        for a in 0..2 {
            let email = format!("cached{i}-{a}@example.com");
            let person = hire(&server, &co, &email, "agent", &format!("7{i}{a}")).await;
            log_in(&person, true).await;
        }
        activate(&co, path, name, json!({})).await;
        cos.push((co, name));
    }
    let numbers: Vec<&str> = cos.iter().map(|(co, _)| co.number.as_str()).collect();
    let tel = telephony(&server, &numbers).await;

    let firsts = decide_in_turn(&tel, &cos, "warm", 3).await;
    assert_rotates(&firsts);
    let metrics = server.operator().get("/metrics").await.text;
    assert_eq!(metric(&metrics, "switchyard_policy_cache_capacity"), 2);
    assert_eq!(metric(&metrics, "switchyard_policy_cache_entries"), 2);
    // Three policies through two places: every decision after the first activation's evicts.
    assert!(
        metric(&metrics, "switchyard_policy_cache_evictions_total") >= 6,
        "{metrics}"
    );
    assert!(
        metric(&metrics, "switchyard_policy_cache_misses_total") >= 6,
        "{metrics}"
    );
    assert_eq!(metric(&metrics, "switchyard_policy_load_failures_total"), 0);

    // After a restart nothing is loaded: each comes from its artifact on first use, and again
    // after every eviction; the pointer continues where it was.
    let _ = server.stop().await;
    let server = Server::start_with(data.path(), cache_of_two).await;
    let cos: Vec<(Co, &str)> = cos
        .into_iter()
        .map(|(co, name)| {
            let admin = co.admin.against(&server);
            (Co { admin, ..co }, name)
        })
        .collect();
    let tel = tel.against(&server);
    let after = decide_in_turn(&tel, &cos, "restarted", 3).await;
    let mut all = firsts.clone();
    all.extend(&after);
    assert_rotates(&all);
    let metrics = server.operator().get("/metrics").await.text;
    assert!(
        metric(&metrics, "switchyard_policy_cache_misses_total") >= 9,
        "{metrics}"
    );
    assert_eq!(metric(&metrics, "switchyard_policy_cache_entries"), 2);
    let _ = server.stop().await;
}
