//! Calls that would hold a shared agent forever, over HTTP: the platform lists its live calls
//! and reconciles after its own restart (the others end as `reconciled`, their agents freed),
//! and a company admin releases an agent stuck on a call (logged as `released`, with who did
//! it, and pushed to the platform as done). Another company's admin cannot release it.

use std::time::Duration;

use serde_json::json;

use crate::calls_support::{
    all_logs, call, company, event, hire, log_in, log_of, rung, share, telephony,
};
use crate::support::Server;

#[tokio::test]
async fn reconciliation_ends_the_calls_the_platform_no_longer_has() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Stuck").await;
    let co = company(&server, account, "Stuck A", "+918000002001").await;
    let asha = hire(&server, &co, "asha@stuck.test", "agent", "11").await;
    let ravi = hire(&server, &co, "ravi@stuck.test", "agent", "12").await;
    log_in(&asha, true).await;
    log_in(&ravi, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let other = telephony(&server, &[&co.number]).await;

    let first = call(&tel, "keep-1", &co.number).await;
    let agent = rung(&first)[0];
    event(
        &tel,
        "keep-1",
        json!({ "type": "answered", "agent_id": agent }),
    )
    .await;
    let lost = call(&tel, "lost-1", &co.number).await;
    let lost_agent = rung(&lost)[0];
    event(
        &tel,
        "lost-1",
        json!({ "type": "answered", "agent_id": lost_agent }),
    )
    .await;
    // Another platform may use the same call id: its own call, not a duplicate (it waits:
    // both agents are on calls).
    let theirs = call(&other, "keep-1", &co.number).await;
    assert_eq!(theirs["instruction"]["action"], "queue", "{theirs}");

    let live = tel.get("/v1/calls").await.expect(200);
    let ids: Vec<&str> = live
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["keep-1", "lost-1"], "{live}");

    let done = tel
        .post(
            "/v1/calls/reconcile",
            json!({ "live_call_ids": ["keep-1"] }),
        )
        .await
        .expect(200);
    assert_eq!(done["ended"], json!(["lost-1"]));
    tel.get("/v1/calls/lost-1")
        .await
        .expect_error(404, "unknown_call");
    assert_eq!(
        tel.get("/v1/calls/keep-1").await.expect(200)["stage"],
        "connected"
    );
    // The freed agent serves the other platform's waiting call at once.
    let theirs = other.get("/v1/calls/keep-1").await.expect(200);
    assert_eq!(theirs["ringing"], json!([lost_agent]), "{theirs}");
    let logs = all_logs(&co.admin, co.id).await;
    let log = log_of(&logs, "lost-1");
    assert_eq!(log["outcome"], "reconciled", "{log}");
    assert_eq!(log["answered_by"], lost_agent);
}

#[tokio::test]
async fn an_admin_releases_an_agent_stuck_on_a_call() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Release").await;
    let a = company(&server, account, "Release A", "+918000002002").await;
    let b = company(&server, account, "Release B", "+918000002003").await;
    let asha = hire(&server, &a, "asha@release.test", "agent", "21").await;
    share(&b, &asha, "agent", "31").await;
    log_in(&asha, true).await;
    let tel = telephony(&server, &[&a.number, &b.number]).await;
    let mut stream = tel.stream("/v1/telephony/stream").await;

    call(&tel, "stuck-1", &a.number).await;
    event(
        &tel,
        "stuck-1",
        json!({ "type": "answered", "agent_id": asha.id }),
    )
    .await;
    // The `ended` never comes: B's calls cannot reach Asha.
    let blocked = call(&tel, "b-1", &b.number).await;
    assert_ne!(blocked["instruction"]["action"], "ring", "{blocked}");
    event(&tel, "b-1", json!({ "type": "abandoned" })).await;

    // B's admin has no say over A's call.
    let path_b = format!("/v1/companies/{}/agents/{}/release", b.id, asha.id);
    b.admin
        .post_empty(&path_b)
        .await
        .expect_error(409, "not_engaged");
    let path = format!("/v1/companies/{}/agents/{}/release", a.id, asha.id);
    let released = a.admin.post_empty(&path).await.expect(200);
    assert_eq!(released["was"], "on_call", "{released}");
    assert_eq!(released["call_id"], "stuck-1");
    let pushed = stream
        .next_call(Duration::from_secs(10))
        .await
        .expect("the release was not pushed");
    assert_eq!(pushed["update"]["call_id"], "stuck-1");
    assert_eq!(
        pushed["update"]["instruction"]["action"], "done",
        "{pushed}"
    );
    let logs = all_logs(&a.admin, a.id).await;
    let log = log_of(&logs, "stuck-1");
    assert_eq!(log["outcome"], "released", "{log}");
    assert!(
        log["released_by"]
            .as_str()
            .is_some_and(|by| by.contains("admin key")),
        "{log}"
    );
    // Free again, in every company.
    let ring = call(&tel, "b-2", &b.number).await;
    assert_eq!(rung(&ring), vec![asha.id], "{ring}");
    a.admin
        .post_empty(&path)
        .await
        .expect_error(409, "not_engaged");
}
