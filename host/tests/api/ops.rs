//! The operational endpoints: `/health`, `/ready`, and `/metrics` scraped before and after
//! real calls, one of them decided by a policy that loops (so the fallback counters move), with
//! HTTP request counters and the policy latency histogram; `GET /v1/cluster/nodes` off a cluster.

use reqwest::Method;
use serde_json::json;

use crate::calls_support::{call, company, event, hire, log_in, rung, telephony};
use crate::support::Server;

/// The value of the first sample line starting with `series` (0 when absent).
fn sample(metrics: &str, series: &str) -> u64 {
    metrics
        .lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn health_ready_and_metrics_move_with_calls_and_failures() {
    let server = Server::start().await;
    let anon = server.anonymous();
    assert_eq!(anon.get("/health").await.expect(200)["status"], "ok");
    assert_eq!(anon.get("/ready").await.expect(200)["status"], "ready");

    let op = server.operator();
    let account = op.account("Metrics").await;
    let co = company(&server, account, "Company M", "+918000000707").await;
    let agent = hire(&server, &co, "m@example.com", "agent", "701").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;

    // Metrics name companies: the operator reads them, nobody else.
    anon.get("/metrics")
        .await
        .expect_error(401, "unauthenticated");
    co.admin
        .get("/metrics")
        .await
        .expect_error(403, "operator_only");
    let before = op.get("/metrics").await;
    assert_eq!(before.status, 200);
    let ring_series = format!(
        "switchyard_decisions_total{{company=\"{}\",outcome=\"ring\"}}",
        co.id
    );
    assert_eq!(sample(&before.text, &ring_series), 0);

    let first = call(&tel, "m-1", &co.number).await;
    assert_eq!(rung(&first), vec![agent.id]);
    let live = op.get("/metrics").await.text;
    assert_eq!(sample(&live, &ring_series), 1);
    assert_eq!(sample(&live, "switchyard_live_calls"), 1);
    event(&tel, "m-1", json!({ "type": "abandoned" })).await;

    let wasm = std::fs::read(switchyard_artifacts::HOSTILE).unwrap();
    let uploaded = co
        .admin
        .send_raw(
            Method::POST,
            &format!("/v1/companies/{}/policies?name=hostile", co.id),
            "application/wasm",
            wasm,
        )
        .await
        .expect(201);
    co.admin
        .put(
            &format!("/v1/companies/{}/policy", co.id),
            json!({ "version": uploaded["version"], "config": { "mode": "loop" } }),
        )
        .await
        .expect(200);
    let deadline_series = "switchyard_policy_failures_total{kind=\"deadline\"}";
    let deadlines_before = sample(&op.get("/metrics").await.text, deadline_series);

    let second = call(&tel, "m-2", &co.number).await;
    assert_eq!(
        rung(&second),
        vec![agent.id],
        "the fallback still rings the agent"
    );
    let after = op.get("/metrics").await.text;
    assert_eq!(sample(&after, &ring_series), 2);
    assert_eq!(
        sample(
            &after,
            &format!("switchyard_policy_fallbacks_total{{company=\"{}\"}}", co.id)
        ),
        1
    );
    assert!(
        sample(&after, deadline_series) > deadlines_before,
        "{after}"
    );
    let calls_series =
        "switchyard_http_requests_total{method=\"POST\",route=\"/v1/calls\",status=\"201\"}";
    assert_eq!(sample(&after, calls_series), 2, "{after}");
    let builtin = format!(
        "switchyard_policy_latency_us_count{{company=\"{}\",policy=\"built-in@0\"}}",
        co.id
    );
    let hostile = format!(
        "switchyard_policy_latency_us_count{{company=\"{}\",policy=\"hostile@1\"}}",
        co.id
    );
    assert_eq!(
        (sample(&after, &builtin), sample(&after, &hostile)),
        (1, 1),
        "{after}"
    );
    event(&tel, "m-2", json!({ "type": "abandoned" })).await;
    assert_eq!(
        sample(&op.get("/metrics").await.text, "switchyard_live_calls"),
        0
    );
}

/// `GET /v1/cluster/nodes` on a node that is not one of a cluster: the operator learns so,
/// nobody else reads it.
#[tokio::test]
async fn a_single_node_says_it_is_no_cluster_to_the_operator_only() {
    let server = Server::start().await;
    let nodes = server.operator().get("/v1/cluster/nodes").await.expect(200);
    assert_eq!(
        nodes,
        json!({ "cluster": false, "this_node": null, "nodes": [] })
    );
    server
        .anonymous()
        .get("/v1/cluster/nodes")
        .await
        .expect_error(401, "unauthenticated");
    let account = server.operator().account("N").await;
    let co = company(&server, account, "Company N", "+918000000708").await;
    co.admin
        .get("/v1/cluster/nodes")
        .await
        .expect_error(403, "operator_only");
}
