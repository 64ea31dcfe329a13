//! What the background sweeper does, driven with an explicit clock instead of waiting: an
//! offer nobody reports on lapses and the call moves on (pushed to the platform), and a
//! queued call whose maximum wait runs out goes back to the overflow rules with
//! `queue-timeout`. Nothing stays reserved afterwards.

use std::time::Duration;

use serde_json::json;
use switchyard::calls::clock::now_ms;

use crate::calls_support::{
    action, all_logs, call, company, event, hire, log_in, log_of, rung, telephony,
};
use crate::support::Server;

#[tokio::test]
async fn a_lapsed_offer_moves_the_call_on_and_frees_the_agent() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Sweeper").await;
    let co = company(&server, account, "Company S", "+918000000808").await;
    let agent = hire(&server, &co, "s@example.com", "agent", "801").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let mut stream = tel.stream("/v1/telephony/stream").await;

    let ring = call(&tel, "lapse-1", &co.number).await;
    assert_eq!(rung(&ring), vec![agent.id]);
    // No outcome ever arrives: a minute later the sweeper releases the offer.
    let calls = server.state().calls();
    tokio::task::spawn_blocking(move || calls.sweep(now_ms() + 60_000).unwrap())
        .await
        .unwrap();

    let pushed = stream
        .next_call(Duration::from_secs(10))
        .await
        .expect("no update pushed");
    assert_eq!(pushed["update"]["call_id"], "lapse-1");
    assert_eq!(
        pushed["update"]["instruction"]["action"], "voicemail",
        "{pushed}"
    );
    let logs = all_logs(&co.admin, co.id).await;
    let log = log_of(&logs, "lapse-1");
    assert_eq!(log["offers"][0]["outcome"], "lapsed");
    assert_eq!(log["outcome"], "voicemail");
    assert_eq!(log["overflows"][0]["reason"], "no-answer");
    assert!(
        server
            .state()
            .calls()
            .registry()
            .get(switchyard::calls::AgentId(agent.id))
            .engagement
            .is_none()
    );
}

#[tokio::test]
async fn a_queued_call_times_out_into_the_overflow_rules() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Queue").await;
    let co = company(&server, account, "Company Q", "+918000000909").await;
    let agent = hire(&server, &co, "q@example.com", "agent", "901").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let mut stream = tel.stream("/v1/telephony/stream").await;

    call(&tel, "q-1", &co.number).await;
    event(
        &tel,
        "q-1",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await;
    let queued = call(&tel, "q-2", &co.number).await;
    assert_eq!(action(&queued), "queue", "{queued}");

    let calls = server.state().calls();
    tokio::task::spawn_blocking(move || calls.sweep(now_ms() + 10 * 60_000).unwrap())
        .await
        .unwrap();
    let pushed = stream
        .next_call(Duration::from_secs(10))
        .await
        .expect("no update pushed");
    assert_eq!(pushed["update"]["call_id"], "q-2");
    assert_eq!(
        pushed["update"]["instruction"]["action"], "voicemail",
        "{pushed}"
    );
    let logs = all_logs(&co.admin, co.id).await;
    let log = log_of(&logs, "q-2");
    let reasons: Vec<_> = log["overflows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["reason"].clone())
        .collect();
    assert_eq!(reasons, vec![json!("all-busy"), json!("queue-timeout")]);
    assert!(server.state().calls().queues().all().is_empty());
    let metrics = server.operator().get("/metrics").await.text;
    let waited = format!("switchyard_queue_wait_ms_count{{company=\"{}\"}} 1", co.id);
    assert!(metrics.lines().any(|l| l == waited), "{metrics}");
    event(&tel, "q-1", json!({ "type": "ended" })).await;
}
