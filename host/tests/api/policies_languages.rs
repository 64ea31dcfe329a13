//! Python and JavaScript policies over HTTP: each is uploaded to a company, activated, and
//! decides real calls (longest-idle rings the longest idle first, round-robin rotates); and
//! an 18 MB Python upload, seconds of compiling, does not hold up another tenant's calls.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use serde_json::json;

use crate::calls_policies::{activate, policy_of, team};
use crate::calls_support::{call, company, event, hire, log_in, rung, telephony};
use crate::support::Server;

/// Uploads and activates `longest-idle` then `round-robin` in one language and judges the
/// calls each decides.
async fn decides_real_calls(lang: &str, longest_idle: &str, round_robin: &str) {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 3).await;
    let name = format!("longest-idle-{lang}");
    activate(
        &co,
        longest_idle,
        &name,
        json!({ "ring_timeout_ms": 15000 }),
    )
    .await;
    // Logged in in order, so the first idles longest.
    let call_id = format!("{lang}-li");
    let ids: Vec<u64> = people.iter().map(|p| p.id).collect();
    // A sequential plan rings one target at a time: each no-answer rings the next.
    let mut ring = call(&tel, &call_id, &co.number).await;
    for (i, agent) in ids.iter().enumerate() {
        assert_eq!(rung(&ring), [*agent], "target {i}: {ring}");
        assert_eq!(
            ring["instruction"]["targets"][0]["timeout_ms"], 15000,
            "{ring}"
        );
        if i + 1 < ids.len() {
            ring = event(
                &tel,
                &call_id,
                json!({ "type": "no-answer", "agent_id": agent }),
            )
            .await;
        }
    }
    event(&tel, &call_id, json!({ "type": "abandoned" })).await;
    let policy = policy_of(&co, &call_id).await;
    assert_eq!(policy["name"], name.as_str(), "{policy}");
    assert_eq!(policy["source"], "policy", "{policy}");

    let name = format!("round-robin-{lang}");
    activate(&co, round_robin, &name, json!({})).await;
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let mut firsts = Vec::new();
    for i in 0..4 {
        let call_id = format!("{lang}-rr-{i}");
        let ring = call(&tel, &call_id, &co.number).await;
        firsts.push(rung(&ring)[0]);
        event(&tel, &call_id, json!({ "type": "abandoned" })).await;
    }
    let wanted: Vec<u64> = (0..4).map(|i| sorted[i % sorted.len()]).collect();
    assert_eq!(
        firsts, wanted,
        "{lang}: the pointer rotates through the host's state"
    );
    let policy = policy_of(&co, &format!("{lang}-rr-3")).await;
    assert_eq!(policy["name"], name.as_str(), "{policy}");
    assert_eq!(policy["source"], "policy", "{policy}");
}

#[tokio::test]
async fn python_policies_are_uploaded_activated_and_decide_real_calls() {
    decides_real_calls(
        "py",
        switchyard_artifacts::PY_LONGEST_IDLE,
        switchyard_artifacts::PY_ROUND_ROBIN,
    )
    .await;
}

#[tokio::test]
async fn javascript_policies_are_uploaded_activated_and_decide_real_calls() {
    decides_real_calls(
        "js",
        switchyard_artifacts::JS_LONGEST_IDLE,
        switchyard_artifacts::JS_ROUND_ROBIN,
    )
    .await;
}

/// Calls another tenant places at most while the upload compiles.
const MAX_CALLS: usize = 400;

#[tokio::test]
async fn a_large_upload_compiling_does_not_hold_up_another_tenants_calls() {
    let server = Server::start().await;
    let op = server.operator();
    let uploader = company(
        &server,
        op.account("Uploader").await,
        "Uploader",
        "+918000000501",
    )
    .await;
    let busy = company(&server, op.account("Busy").await, "Busy", "+918000000502").await;
    let agent = hire(&server, &busy, "asha@busy.test", "agent", "201").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&busy.number]).await;

    let wasm = std::fs::read(switchyard_artifacts::PY_LONGEST_IDLE).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let upload = {
        let (admin, id, done) = (uploader.admin.clone(), uploader.id, done.clone());
        tokio::spawn(async move {
            let resp = admin
                .send_raw(
                    Method::POST,
                    &format!("/v1/companies/{id}/policies?name=big-python"),
                    "application/wasm",
                    wasm,
                )
                .await;
            done.store(true, Ordering::SeqCst);
            resp
        })
    };
    // Calls of the other tenant, one after another, for as long as the upload is in flight.
    let mut during = 0;
    for i in 0..MAX_CALLS {
        if done.load(Ordering::SeqCst) {
            break;
        }
        let call_id = format!("busy-{i}");
        let ring = call(&tel, &call_id, &busy.number).await;
        assert_eq!(rung(&ring), [agent.id]);
        event(&tel, &call_id, json!({ "type": "abandoned" })).await;
        if !done.load(Ordering::SeqCst) {
            during += 1;
        }
    }
    let uploaded = upload.await.unwrap().expect(201);
    assert_eq!(uploaded["name"], "big-python", "{uploaded}");
    assert!(
        during >= 3,
        "only {during} calls of another tenant completed while the upload compiled"
    );
}
