//! The PostgreSQL store beyond what the shared API suite checks on it (run that suite with
//! `SWITCHYARD_TEST_STORE=postgres`): `switchyard store copy` of a populated sled deployment,
//! the database stopped for 10 s under calls (503 `store_unavailable`, `/ready` failing,
//! nothing acknowledged lost, service back by itself), a hung database (503 within the
//! timeout, never a hang), a write refused mid-request (never half applied: live state is
//! restored from the database), and a standby node taking over from a SIGKILLed one: its ringing,
//! connected and queued calls, and its sweeper's duty. These start PostgreSQL themselves
//! whatever the suite's backend.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::calls_policies::activate;
use crate::calls_support::{
    Co, Person, all_logs, call, company, connected_ringing_queued, event, hire, log_in, rings,
    sorted_call_ids, status_until, telephony,
};
use crate::durability::spawn_binary_with;
use crate::pg_cluster::{Cluster, cluster};
use crate::support::{Client, Server};

/// A PostgreSQL of the test's own (it stops it) and a server on a fresh database of it, with
/// a 1 s store timeout.
async fn on_own_cluster() -> (Cluster, tempfile::TempDir, Server) {
    let pg = tokio::task::spawn_blocking(|| Cluster::start().unwrap())
        .await
        .unwrap();
    let url = pg.fresh_database();
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), |c| {
        c.store = Some(url.clone());
        c.store_timeout_ms = 1_000;
    })
    .await;
    (pg, data, server)
}

/// A company `name` answering `number`, one agent (extension `ext`) logged in, and a
/// telephony client for the number.
async fn tenant(server: &Server, name: &str, number: &str, ext: &str) -> (Co, Person, Client) {
    let account = server.operator().account(name).await;
    let co = company(server, account, &format!("Company {name}"), number).await;
    let email = format!("{}@example.com", name.to_lowercase());
    let agent = hire(server, &co, &email, "agent", ext).await;
    log_in(&agent, true).await;
    let tel = telephony(server, &[&co.number]).await;
    (co, agent, tel)
}

/// Runs `switchyard store copy`; its exit status and output.
fn store_copy(from: &std::path::Path, to: &str) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args(["store", "copy", "--from"])
        .arg(from)
        .args(["--to", to])
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_copy_moves_a_sled_deployment_and_the_copy_answers_the_same() {
    let sled_data = tempfile::tempdir().unwrap();
    let server = Server::start_with(sled_data.path(), |c| c.store = None).await;
    let op = server.operator();
    let account = op.account("Copy").await;
    let co = company(&server, account, "Company C", "+918000000901").await;
    let agent = hire(&server, &co, "copy@example.com", "agent", "901").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    activate(
        &co,
        switchyard_artifacts::ROUND_ROBIN,
        "round-robin",
        json!({}),
    )
    .await;
    let mut traces = Vec::new();
    for i in 0..3 {
        let update = call(&tel, &format!("copy-{i}"), &co.number).await;
        traces.push(update["trace_id"].as_str().unwrap().to_owned());
        event(&tel, &format!("copy-{i}"), json!({ "type": "abandoned" })).await;
    }
    // One call still ringing: live state is copied too.
    call(&tel, "copy-live", &co.number).await;
    let paths = [
        "/v1/companies".to_owned(),
        format!("/v1/companies/{}/members", co.id),
        format!("/v1/companies/{}/departments", co.id),
        format!("/v1/companies/{}/numbers", co.id),
        format!("/v1/companies/{}/policies", co.id),
        format!("/v1/companies/{}/policy/history", co.id),
        format!("/v1/companies/{}/traces/{}", co.id, traces[1]),
    ];
    let mut before = Vec::new();
    for path in &paths {
        before.push(op.get(path).await.expect(200));
    }
    let logs_before = all_logs(&co.admin, co.id).await;
    assert_eq!(logs_before.len(), 3);
    let live_before = tel.get("/v1/calls/copy-live").await.expect(200);
    server.stop().await;

    let target = cluster().fresh_database();
    let (ok, out) = store_copy(sled_data.path(), &target);
    assert!(ok, "store copy failed: {out}");
    assert!(out.contains("rec_call_logs"), "{out}");

    // A fresh data directory: everything comes from PostgreSQL.
    let pg_data = tempfile::tempdir().unwrap();
    let copy = Server::start_with(pg_data.path(), |c| c.store = Some(target.clone())).await;
    let op = copy.operator();
    for (path, was) in paths.iter().zip(&before) {
        assert_eq!(&op.get(path).await.expect(200), was, "{path} differs");
    }
    let admin = copy.client(&op.admin_key(co.id).await);
    assert_eq!(all_logs(&admin, co.id).await, logs_before);
    // The agent's own token still works, and the live call carries on where it was.
    copy.client(&agent.token)
        .get("/v1/me/companies")
        .await
        .expect(200);
    let tel = tel.against(&copy);
    assert_eq!(
        tel.get("/v1/calls/copy-live").await.expect(200),
        live_before
    );
    event(&tel, "copy-live", json!({ "type": "abandoned" })).await;
    assert_eq!(all_logs(&admin, co.id).await.len(), 4);
    // Ids drawn after the copy never collide with copied ones.
    let newer = op.account("After the copy").await;
    assert!(newer > co.id, "new id {newer} not above copied {}", co.id);
    assert!(copy.inconsistencies().is_empty());
    copy.stop().await;

    let (ok, out) = store_copy(sled_data.path(), &target);
    assert!(!ok, "a non-empty target was accepted: {out}");
    assert!(out.contains("not empty"), "{out}");
    let (ok, out) = store_copy(&pg_data.path().join("nothing"), &cluster().fresh_database());
    assert!(!ok && out.contains("no sled database"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_down_for_ten_seconds_answers_503_loses_nothing_and_recovers() {
    let (pg, _data, server) = on_own_cluster().await;
    let (co, _agent, tel) = tenant(&server, "Outage", "+918000000902", "902").await;
    let http = reqwest::Client::new();
    let base = server.base();

    // Calls before, during and after the outage; each acknowledged one is ended later.
    let mut acknowledged = Vec::new();
    let mut refused = Vec::new();
    let mut outage = None;
    let start = Instant::now();
    let mut stopped = false;
    let mut resumed = false;
    for i in 0..400 {
        if start.elapsed() > Duration::from_secs(90) {
            break;
        }
        let elapsed = start.elapsed();
        if !stopped && elapsed > Duration::from_secs(2) {
            let pg = &pg;
            tokio::task::block_in_place(|| pg.stop().unwrap());
            stopped = true;
            outage = Some(Instant::now());
        }
        if stopped && !resumed && outage.is_some_and(|t| t.elapsed() > Duration::from_secs(10)) {
            tokio::task::block_in_place(|| pg.resume().unwrap());
            resumed = true;
        }
        if resumed && i % 10 == 0 && acknowledged.len() > 20 {
            break;
        }
        let call_id = format!("outage-{i}");
        let sent = Instant::now();
        let resp = http
            .post(format!("{base}/v1/calls"))
            .bearer_auth(tel.bearer().unwrap_or_default())
            .json(&json!({ "call_id": call_id, "number": co.number, "caller": "+919000000001" }))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .expect("a request hung past 10 s while the database was down");
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "an answer took {:?}",
            sent.elapsed()
        );
        match status {
            201 => acknowledged.push(call_id),
            503 => {
                assert_eq!(body["error"], "store_unavailable", "{body}");
                assert!(
                    body["hint"].as_str().is_some_and(|h| !h.is_empty()),
                    "{body}"
                );
                refused.push(call_id);
            }
            other => panic!("unexpected {other} for {call_id}: {body}"),
        }
        if stopped && !resumed {
            let ready = http.get(format!("{base}/ready")).send().await.unwrap();
            assert_eq!(
                ready.status().as_u16(),
                503,
                "/ready while the database is down"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "outage: {} calls acknowledged, {} refused with 503",
        acknowledged.len(),
        refused.len()
    );
    assert!(resumed, "the outage never ended within the test's time");
    assert!(!refused.is_empty(), "no request saw the outage");

    // Back by itself.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = http.get(format!("{base}/ready")).send().await.unwrap();
        if ready.status().as_u16() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "/ready did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Every acknowledged call is still known and is logged exactly once when it ends.
    for call_id in &acknowledged {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let resp = tel
                .post(
                    &format!("/v1/calls/{call_id}/events"),
                    json!({ "type": "abandoned" }),
                )
                .await;
            if resp.status == 200 {
                break;
            }
            assert!(
                resp.status == 503 && Instant::now() < deadline,
                "ending acknowledged call {call_id}: {} {}",
                resp.status,
                resp.text
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let logs = all_logs(&co.admin, co.id).await;
    for call_id in &acknowledged {
        let n = logs.iter().filter(|l| l["call_id"] == *call_id).count();
        assert_eq!(n, 1, "acknowledged call {call_id} logged {n} times");
    }
    assert!(server.inconsistencies().is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_database_answers_503_within_the_timeout_never_a_hang() {
    let (pg, _data, server) = on_own_cluster().await;
    let (co, agent, tel) = tenant(&server, "Hung", "+918000000904", "904").await;
    // A first call: the directory's answers for this number are cached now, so the next call
    // reaches its decision and fails only where it must be made durable.
    call(&tel, "hung-0", &co.number).await;

    tokio::task::block_in_place(|| pg.freeze(true).unwrap());
    let answered = tel
        .post(
            "/v1/calls/hung-0/events",
            json!({ "type": "answered", "agent_id": agent.id }),
        )
        .await;
    let sent = Instant::now();
    let refused = tel
        .post(
            "/v1/calls",
            json!({ "call_id": "hung-1", "number": co.number, "caller": "+919000000002" }),
        )
        .await;
    let waited = sent.elapsed();
    let ready = server.anonymous().get("/ready").await;
    let members = co
        .admin
        .get(&format!("/v1/companies/{}/members", co.id))
        .await;
    tokio::task::block_in_place(|| pg.freeze(false).unwrap());
    answered.expect_error(503, "store_unavailable");
    let body = refused.expect_error(503, "store_unavailable");
    assert!(
        !body["hint"].as_str().unwrap_or_default().is_empty(),
        "{body}"
    );
    assert!(
        waited < Duration::from_secs(5),
        "the answer took {waited:?}"
    );
    assert_eq!(ready.status, 503, "{}", ready.text);
    members.expect_error(503, "store_unavailable");

    // Thawed, it serves again by itself; the platform retries the refused call.
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.anonymous().get("/ready").await.status != 200 {
        assert!(Instant::now() < deadline, "/ready did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let retried = tel
        .post(
            "/v1/calls",
            json!({ "call_id": "hung-1", "number": co.number, "caller": "+919000000002" }),
        )
        .await;
    assert_eq!(retried.status, 201, "{}", retried.text);
    // The refused answer was not acknowledged, but a write that timed out may still have
    // committed when the database thawed: the node restored whichever state is durable, whole.
    // The platform looks (as the 409's hint says) and retries only if it did not land.
    let status = tel.get("/v1/calls/hung-0").await.expect(200);
    if status["stage"] == "connected" {
        assert_eq!(status["connected_to"], agent.id, "{status}");
    } else {
        assert_eq!(status["stage"], "ringing", "{status}");
        event(
            &tel,
            "hung-0",
            json!({ "type": "answered", "agent_id": agent.id }),
        )
        .await;
    }
    event(&tel, "hung-0", json!({ "type": "ended" })).await;
    event(&tel, "hung-1", json!({ "type": "abandoned" })).await;
    let logs = all_logs(&co.admin, co.id).await;
    let ids: Vec<&str> = logs
        .iter()
        .map(|l| l["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["hung-1", "hung-0"], "each call logged once");
    server.stop().await;
}

/// Runs `sql` in the database at `url` as the tests' superuser.
pub(crate) fn admin_sql(url: &str, sql: &str) {
    let pg =
        switchyard_directory::pg::Pg::new(url, &switchyard_directory::pg::PgSettings::default())
            .unwrap();
    pg.run(async |conn| conn.client().batch_execute(sql).await)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_that_fails_is_never_half_applied_live_state_is_restored_from_the_database() {
    let url = cluster().fresh_database();
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), |c| c.store = Some(url.clone())).await;
    let account = server.operator().account("Refused").await;
    let co = company(&server, account, "Company W", "+918000000905").await;
    let agent = hire(&server, &co, "refused@example.com", "agent", "905").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    call(&tel, "w-1", &co.number).await;

    // The database refuses every write of live state from now on (reads still work).
    let block = "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'writes refused by the test'; END $$; \
                 CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON records \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse();";
    let url2 = url.clone();
    tokio::task::spawn_blocking(move || admin_sql(&url2, block))
        .await
        .unwrap();
    tel.post(
        "/v1/calls/w-1/events",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await
    .expect_error(503, "store_unavailable");
    // Poisoned: nothing is served from memory that may be ahead of the database.
    tel.get("/v1/calls/w-1")
        .await
        .expect_error(503, "store_unavailable");

    let url2 = url.clone();
    tokio::task::spawn_blocking(move || {
        admin_sql(
            &url2,
            "DROP TRIGGER refuse ON records; DROP FUNCTION refuse();",
        )
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.anonymous().get("/ready").await.status != 200 {
        assert!(Instant::now() < deadline, "the node did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The refused answer never happened: the call still rings, and the retry applies.
    let status = tel.get("/v1/calls/w-1").await.expect(200);
    assert_eq!(status["stage"], "ringing", "{status}");
    event(
        &tel,
        "w-1",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await;
    event(&tel, "w-1", json!({ "type": "ended" })).await;
    let logs = all_logs(&co.admin, co.id).await;
    assert_eq!(logs.len(), 1, "{logs:#?}");
    assert_eq!(logs[0]["outcome"], "answered");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_node_takes_over_the_calls_of_a_sigkilled_one() {
    let url = cluster().fresh_database();
    // The tenant set up through a first node, which then stops: two agents, longest-idle with
    // a 4 s ring time (queues when nobody is free).
    let setup = tempfile::tempdir().unwrap();
    let server = Server::start_with(setup.path(), |c| c.store = Some(url.clone())).await;
    let account = server.operator().account("Failover").await;
    let co = company(&server, account, "Company F", "+918000000903").await;
    activate(
        &co,
        switchyard_artifacts::LONGEST_IDLE,
        "longest-idle",
        json!({ "ring_timeout_ms": 4000 }),
    )
    .await;
    let first = hire(&server, &co, "f1@example.com", "agent", "931").await;
    let second = hire(&server, &co, "f2@example.com", "agent", "932").await;
    log_in(&first, true).await;
    log_in(&second, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    server.stop().await;

    let data_a = tempfile::tempdir().unwrap();
    let data_b = tempfile::tempdir().unwrap();
    let (mut a, base_a) = spawn_binary_with(data_a.path(), &["--store", url.as_str()]).await;
    let on_a = tel.at(&base_a);
    // Connected, ringing and queued on A.
    let (rung, other) = connected_ringing_queued(&on_a, &on_a, "failover", &co.number).await;

    // B waits as a standby while A serves.
    let (url_b, data_b_path) = (url.clone(), data_b.path().to_owned());
    let standby =
        tokio::spawn(
            async move { spawn_binary_with(&data_b_path, &["--store", url_b.as_str()]).await },
        );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !standby.is_finished(),
        "the standby served beside the active node"
    );

    a.start_kill().unwrap(); // SIGKILL
    a.wait().await.unwrap();
    let (mut b, base_b) = tokio::time::timeout(Duration::from_secs(30), standby)
        .await
        .expect("the standby did not take over within 30 s")
        .unwrap();
    let on_b = tel.at(&base_b);
    let status = on_b.get("/v1/calls/failover-connected").await.expect(200);
    assert_eq!(status["connected_to"], rung, "{status}");
    on_b.get("/v1/calls/failover-queued").await.expect(200);
    // B's sweeper took over A's duty: the ringing offer lapses after its 4 s there, and the
    // call queues behind the older queued one (nobody else is free).
    status_until(
        &on_b,
        "failover-ringing",
        "stopped ringing the agent",
        |s| !rings(s, other),
    )
    .await;
    // The connected call ends; its agent frees up and is offered the oldest queued call.
    event(&on_b, "failover-connected", json!({ "type": "ended" })).await;
    status_until(&on_b, "failover-queued", "rang the freed agent", |s| {
        s["stage"] == "ringing" && rings(s, rung)
    })
    .await;
    event(
        &on_b,
        "failover-queued",
        json!({ "type": "answered", "agent_id": rung }),
    )
    .await;
    event(&on_b, "failover-queued", json!({ "type": "ended" })).await;
    // After its lapsed offer the policy queued or overflowed it; end it if it is still live.
    if on_b.get("/v1/calls/failover-ringing").await.status == 200 {
        event(&on_b, "failover-ringing", json!({ "type": "abandoned" })).await;
    }

    let logs = all_logs(&co.admin.at(&base_b), co.id).await;
    let ids = sorted_call_ids(&logs);
    assert_eq!(
        ids,
        ["failover-connected", "failover-queued", "failover-ringing"],
        "every call logged exactly once"
    );
    for log in &logs {
        if log["call_id"] == "failover-ringing" {
            assert_ne!(log["outcome"], "answered", "{log}");
            assert_eq!(log["offers"][0]["agent_id"], other, "{log}");
        } else {
            assert_eq!(log["outcome"], "answered", "{log}");
        }
    }
    b.start_kill().unwrap();
    b.wait().await.unwrap();
}
