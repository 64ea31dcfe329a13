//! A policy that keeps failing is quarantined: after a run of failed decisions its company's
//! calls get the built-in fallback without running it (traced `fallback:quarantined`), other
//! companies are untouched, and a new activation lifts the quarantine.

use reqwest::Method;
use serde_json::{Value, json};
use switchyard::calls::QUARANTINE_AFTER;

use crate::calls_support::{Co, action, call, company, event, hire, log_in, telephony};
use crate::support::{Client, Server};

/// The source of the decision behind `update` (`policy`, `fallback:<kind>`, ...).
async fn source(co: &Co, update: &Value) -> String {
    let trace = update["trace_id"].as_str().unwrap();
    let trace = co
        .admin
        .get(&format!("/v1/companies/{}/traces/{trace}", co.id))
        .await
        .expect(200);
    trace["policy"]["source"].as_str().unwrap().to_owned()
}

/// One call, rung and abandoned; returns its decision's source.
async fn one_call(tel: &Client, co: &Co, id: &str) -> String {
    let update = call(tel, id, &co.number).await;
    assert_eq!(action(&update), "ring", "{update}");
    let source = source(co, &update).await;
    event(tel, id, json!({ "type": "abandoned" })).await;
    source
}

async fn activate(co: &Co, version: u64, mode: &str) {
    co.admin
        .put(
            &format!("/v1/companies/{}/policy", co.id),
            json!({ "version": version, "config": { "mode": mode } }),
        )
        .await
        .expect(200);
}

#[tokio::test]
async fn a_policy_failing_in_a_row_is_quarantined_until_reactivated() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Quarantine").await;
    let bad = company(&server, account, "Company Q", "+918000000881").await;
    let good = company(&server, account, "Company R", "+918000000882").await;
    for (co, ext) in [(&bad, "81"), (&good, "82")] {
        let person = hire(&server, co, &format!("a{ext}@q.test"), "agent", ext).await;
        log_in(&person, true).await;
    }
    let tel = telephony(&server, &[&bad.number, &good.number]).await;
    let version = bad
        .admin
        .send_raw(
            Method::POST,
            &format!("/v1/companies/{}/policies?name=hostile", bad.id),
            "application/wasm",
            std::fs::read(switchyard_artifacts::HOSTILE).unwrap(),
        )
        .await
        .expect(201)["version"]
        .as_u64()
        .unwrap();
    activate(&bad, version, "panic").await;

    for i in 0..QUARANTINE_AFTER {
        let source = one_call(&tel, &bad, &format!("q-{i}")).await;
        assert_eq!(source, "fallback:panic", "call {i} runs the policy");
    }
    for i in 0..3 {
        let source = one_call(&tel, &bad, &format!("q-skip-{i}")).await;
        assert_eq!(source, "fallback:quarantined");
        let other = one_call(&tel, &good, &format!("r-{i}")).await;
        assert_eq!(other, "built-in", "another company is not affected");
    }

    // A fixed version, activated, runs again at once.
    activate(&bad, version, "ok").await;
    assert_eq!(one_call(&tel, &bad, "q-fixed").await, "policy");
}
