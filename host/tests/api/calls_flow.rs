//! The call flow end to end over HTTP (issue 4): one person shared by companies A and B rings
//! with each company's own extension and is logged under each company only; one live call at a
//! time across companies (busy in A → B's overflow, served when A's call ends); rights and app
//! notifications per company; a sequential plan walked to voicemail.

use std::time::Duration;

use serde_json::{Value, json};

use crate::calls_support::{
    Co, Person, action, all_logs, call, call_ids, company, event, hire, log_in, log_of, offers,
    rung, share, telephony,
};
use crate::support::{Client, Server};

/// Asha: agent with extension 221 in A, supervisor with extension 305 in B, seated in both
/// departments and logged in. Ben: agent of A only (extension 230), logged out.
struct Shared {
    a: Co,
    b: Co,
    asha: Person,
    ben: Person,
    tel: Client,
}

async fn shared(server: &Server) -> Shared {
    let op = server.operator();
    let account = op.account("BPO").await;
    let a = company(server, account, "Company A", "+918000000101").await;
    let b = company(server, account, "Company B", "+918000000202").await;
    let asha = hire(server, &a, "asha@example.com", "agent", "221").await;
    share(&b, &asha, "supervisor", "305").await;
    let ben = hire(server, &a, "ben@example.com", "agent", "230").await;
    log_in(&asha, true).await;
    let tel = telephony(server, &[&a.number, &b.number]).await;
    Shared {
        a,
        b,
        asha,
        ben,
        tel,
    }
}

fn target(update: &Value) -> (u64, &str) {
    let t = &update["instruction"]["targets"][0];
    (
        t["agent_id"].as_u64().unwrap(),
        t["extension"].as_str().unwrap(),
    )
}

#[tokio::test]
async fn a_shared_agent_rings_with_each_companys_extension_and_is_logged_per_company() {
    let server = Server::start().await;
    let w = shared(&server).await;

    for (co, call_id, extension) in [(&w.a, "call-a-1", "221"), (&w.b, "call-b-1", "305")] {
        let ring = call(&w.tel, call_id, &co.number).await;
        assert_eq!(ring["company_id"], co.id);
        assert_eq!(rung(&ring), vec![w.asha.id]);
        assert_eq!(target(&ring), (w.asha.id, extension));
        let connected = event(
            &w.tel,
            call_id,
            json!({ "type": "answered", "agent_id": w.asha.id }),
        )
        .await;
        assert_eq!(action(&connected), "connected");
        assert_eq!(connected["instruction"]["extension"], extension);
        let done = event(&w.tel, call_id, json!({ "type": "ended" })).await;
        assert_eq!(action(&done), "done");
        w.tel
            .get(&format!("/v1/calls/{call_id}"))
            .await
            .expect_error(404, "unknown_call");
    }
    // A call of A that Asha has no part in: nobody is logged in, so it goes to voicemail.
    log_in(&w.asha, false).await;
    let vm = call(&w.tel, "call-a-2", &w.a.number).await;
    assert_eq!(action(&vm), "voicemail");

    let a_logs = all_logs(&w.a.admin, w.a.id).await;
    let b_logs = all_logs(&w.b.admin, w.b.id).await;
    assert_eq!(call_ids(&a_logs), vec!["call-a-2", "call-a-1"]);
    assert_eq!(call_ids(&b_logs), vec!["call-b-1"]);
    for (logs, call_id, co, extension) in [
        (&a_logs, "call-a-1", &w.a, "221"),
        (&b_logs, "call-b-1", &w.b, "305"),
    ] {
        let log = log_of(logs, call_id);
        assert_eq!(log["company_id"], co.id);
        assert_eq!(log["outcome"], "answered");
        assert_eq!(log["answered_by"], w.asha.id);
        assert_eq!(log["answered_extension"], extension);
        assert_eq!(offers(log), vec![(w.asha.id, "answered".to_owned())]);
        assert_eq!(log["offers"][0]["extension"], extension);
    }
    assert_eq!(log_of(&a_logs, "call-a-2")["outcome"], "voicemail");

    // An agent-role member of A sees only the calls it took part in, whatever it asks for;
    // as a supervisor of B it sees B's calls; the outcome filter works.
    let own = all_logs(&w.asha.client, w.a.id).await;
    assert_eq!(call_ids(&own), vec!["call-a-1"]);
    let asked_for_ben = w
        .asha
        .client
        .get(&format!(
            "/v1/companies/{}/call-logs?agent={}",
            w.a.id, w.ben.id
        ))
        .await
        .expect(200);
    assert_eq!(
        call_ids(asked_for_ben["items"].as_array().unwrap()),
        vec!["call-a-1"]
    );
    assert_eq!(
        call_ids(&all_logs(&w.asha.client, w.b.id).await),
        vec!["call-b-1"]
    );
    let voicemail =
        w.a.admin
            .get(&format!(
                "/v1/companies/{}/call-logs?outcome=voicemail",
                w.a.id
            ))
            .await
            .expect(200);
    assert_eq!(
        call_ids(voicemail["items"].as_array().unwrap()),
        vec!["call-a-2"]
    );
}

#[tokio::test]
async fn busy_in_a_sends_a_b_call_to_b_overflow_until_the_a_call_ends() {
    let server = Server::start().await;
    let w = shared(&server).await;
    let mut stream = w.tel.stream("/v1/telephony/stream").await;
    // Another platform, bound to A's number only, follows its own stream.
    let a_only = telephony(&server, &[&w.a.number]).await;
    let mut a_stream = a_only.stream("/v1/telephony/stream").await;

    call(&w.tel, "call-a-1", &w.a.number).await;
    event(
        &w.tel,
        "call-a-1",
        json!({ "type": "answered", "agent_id": w.asha.id }),
    )
    .await;

    let queued = call(&w.tel, "call-b-1", &w.b.number).await;
    assert_eq!(action(&queued), "queue", "{queued}");
    assert_eq!(queued["company_id"], w.b.id);
    let trace_id = queued["trace_id"].as_str().unwrap();
    let trace =
        w.b.admin
            .get(&format!("/v1/companies/{}/traces/{trace_id}", w.b.id))
            .await;
    let text = trace.text.clone();
    let trace = trace.expect(200);
    assert_eq!(trace["decision"], "overflow:all-busy");
    let line = &trace["members"][0];
    assert_eq!(line["agent_id"], w.asha.id);
    assert_eq!(line["reason"], "busy-elsewhere");
    assert_eq!(line["extension"], "305");
    // A's extension is looked for as a JSON string: bare digits can turn up inside a number
    // (the call's random seed).
    for detail in ["call-a-1", "Company A", "\"221\"", w.a.number.as_str()] {
        assert!(!text.contains(detail), "B's trace shows {detail}: {text}");
    }
    // B's board shows her busy, without A's detail; A's board shows her on the call.
    let activity = |board: &Value| board[0]["detail"]["activity"].clone();
    let b_board =
        w.b.admin
            .get(&format!("/v1/companies/{}/board", w.b.id))
            .await
            .expect(200);
    assert_eq!(activity(&b_board), "busy");
    assert_eq!(b_board[0]["detail"]["calls_today"], 0);
    let a_board =
        w.a.admin
            .get(&format!("/v1/companies/{}/board", w.a.id))
            .await
            .expect(200);
    let asha_in_a = a_board
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["agent_id"] == w.asha.id)
        .unwrap();
    assert_eq!(asha_in_a["detail"]["activity"], "on-call");

    // A's call ends (A's wrap-up is 0): B's waiting call is offered to her at once, pushed
    // to the platform on its stream.
    let done = event(&w.tel, "call-a-1", json!({ "type": "ended" })).await;
    assert_eq!(action(&done), "done");
    let pushed = stream
        .next_call(Duration::from_secs(10))
        .await
        .expect("the queued B call was not pushed");
    let update = &pushed["update"];
    assert_eq!(update["call_id"], "call-b-1");
    assert_eq!(update["company_id"], w.b.id);
    assert_eq!(target(update), (w.asha.id, "305"));
    event(
        &w.tel,
        "call-b-1",
        json!({ "type": "answered", "agent_id": w.asha.id }),
    )
    .await;
    event(&w.tel, "call-b-1", json!({ "type": "ended" })).await;

    let b_logs = all_logs(&w.b.admin, w.b.id).await;
    let log = log_of(&b_logs, "call-b-1");
    assert_eq!(log["outcome"], "answered");
    assert_eq!(log["overflows"][0]["reason"], "all-busy");
    assert_eq!(log["overflows"][0]["action"], "queue");
    assert_eq!(offers(log), vec![(w.asha.id, "answered".to_owned())]);
    let decisions: Vec<&str> = log["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["decision"].as_str().unwrap())
        .collect();
    assert_eq!(decisions, vec!["overflow:all-busy", "ring"]);
    assert!(!log.to_string().contains("call-a-1"));

    // A later decision about an A call (she logs out while it rings her) reaches the A-only
    // platform, and it is the first thing that platform saw: B's pushed offer never did.
    let ring = call(&a_only, "call-a-2", &w.a.number).await;
    assert_eq!(rung(&ring), vec![w.asha.id]);
    log_in(&w.asha, false).await;
    let seen = a_stream
        .next_call(Duration::from_secs(10))
        .await
        .expect("the A platform was not told");
    assert_eq!(seen["update"]["call_id"], "call-a-2", "{seen}");
    assert_eq!(action(&seen["update"]), "voicemail");
}

#[tokio::test]
async fn the_same_person_has_each_companys_rights_on_logs_traces_and_board() {
    let server = Server::start().await;
    let w = shared(&server).await;
    let cara = hire(&server, &w.b, "cara@example.com", "agent", "310").await;
    log_in(&w.asha, false).await;
    // Nobody logged in: both calls go to voicemail; neither involves Asha.
    let a_call = call(&w.tel, "call-a-1", &w.a.number).await;
    let b_call = call(&w.tel, "call-b-1", &w.b.number).await;
    assert_eq!(action(&a_call), "voicemail");
    assert_eq!(action(&b_call), "voicemail");
    let me = &w.asha.client;

    // Agent in A: only her own calls (none), no traces, no diagnosis; board: herself in full,
    // others coarse.
    assert!(all_logs(me, w.a.id).await.is_empty());
    let a_trace = a_call["trace_id"].as_str().unwrap();
    me.get(&format!("/v1/companies/{}/traces/{a_trace}", w.a.id))
        .await
        .expect_error(403, "supervisors_only");
    me.get(&format!(
        "/v1/companies/{}/diagnose?number=%2B{}&agent_id={}",
        w.a.id,
        &w.a.number[1..],
        w.ben.id
    ))
    .await
    .expect_error(403, "supervisors_only");
    let board = me
        .get(&format!("/v1/companies/{}/board", w.a.id))
        .await
        .expect(200);
    let view_of = |board: &Value, agent: u64| {
        let entry = board
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["agent_id"] == agent)
            .unwrap()
            .clone();
        (entry["view"].clone(), entry["detail"].is_object())
    };
    assert_eq!(view_of(&board, w.asha.id), (json!("full"), true));
    assert_eq!(view_of(&board, w.ben.id), (json!("coarse"), false));

    // Supervisor in B: every call, traces, diagnosis, full board.
    assert_eq!(call_ids(&all_logs(me, w.b.id).await), vec!["call-b-1"]);
    let b_trace = b_call["trace_id"].as_str().unwrap();
    me.get(&format!("/v1/companies/{}/traces/{b_trace}", w.b.id))
        .await
        .expect(200);
    let diagnosis = me
        .get(&format!(
            "/v1/companies/{}/diagnose?number=%2B{}&agent_id={}",
            w.b.id,
            &w.b.number[1..],
            cara.id
        ))
        .await
        .expect(200);
    assert_eq!(diagnosis["reason"], "logged-out");
    let board = me
        .get(&format!("/v1/companies/{}/board", w.b.id))
        .await
        .expect(200);
    assert_eq!(view_of(&board, cara.id), (json!("full"), true));
    // A's trace is not B's: asked through B it does not exist.
    me.get(&format!("/v1/companies/{}/traces/{a_trace}", w.b.id))
        .await
        .expect_error(404, "not_found");
}

#[tokio::test]
async fn app_notifications_are_per_company() {
    let server = Server::start().await;
    let w = shared(&server).await;
    let me = &w.asha.client;
    me.patch(
        &format!("/v1/me/companies/{}", w.b.id),
        json!({ "notifications": false }),
    )
    .await
    .expect(200);
    let mut events = me.stream("/v1/me/events").await;

    // B rings her first (notifications off there), then A (on).
    let b_ring = call(&w.tel, "call-b-1", &w.b.number).await;
    assert_eq!(rung(&b_ring), vec![w.asha.id]);
    let declined = event(
        &w.tel,
        "call-b-1",
        json!({ "type": "declined", "agent_id": w.asha.id }),
    )
    .await;
    assert_eq!(action(&declined), "voicemail");
    let a_ring = call(&w.tel, "call-a-1", &w.a.number).await;
    assert_eq!(rung(&a_ring), vec![w.asha.id]);

    let first = events
        .next_call(Duration::from_secs(10))
        .await
        .expect("no offer reached the app");
    assert_eq!(first["update"]["call_id"], "call-a-1", "{first}");
    assert_eq!(first["update"]["company_id"], w.a.id);
    assert_eq!(target(&first["update"]), (w.asha.id, "221"));
    event(
        &w.tel,
        "call-a-1",
        json!({ "type": "answered", "agent_id": w.asha.id }),
    )
    .await;
    let second = events
        .next_call(Duration::from_secs(10))
        .await
        .expect("the connection did not reach the app");
    assert_eq!(second["update"]["call_id"], "call-a-1");
    assert_eq!(second["update"]["instruction"]["action"], "connected");
}

#[tokio::test]
async fn sequential_no_answers_ring_each_target_then_overflow_to_voicemail() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Solo").await;
    let c = company(&server, account, "Company C", "+918000000303").await;
    let xavi = hire(&server, &c, "xavi@example.com", "agent", "401").await;
    let yara = hire(&server, &c, "yara@example.com", "agent", "402").await;
    // Xavi logs in first: idle longest, rung first by the built-in longest-idle policy.
    log_in(&xavi, true).await;
    log_in(&yara, true).await;
    let tel = telephony(&server, &[&c.number]).await;

    let first = call(&tel, "call-c-1", &c.number).await;
    assert_eq!(first["instruction"]["mode"], "sequential");
    assert_eq!(rung(&first), vec![xavi.id]);
    let second = event(
        &tel,
        "call-c-1",
        json!({ "type": "no-answer", "agent_id": xavi.id }),
    )
    .await;
    assert_eq!(rung(&second), vec![yara.id]);
    let last = event(
        &tel,
        "call-c-1",
        json!({ "type": "no-answer", "agent_id": yara.id }),
    )
    .await;
    assert_eq!(action(&last), "voicemail", "{last}");

    let logs = all_logs(&c.admin, c.id).await;
    let log = log_of(&logs, "call-c-1");
    assert_eq!(log["outcome"], "voicemail");
    assert_eq!(
        offers(log),
        vec![
            (xavi.id, "no-answer".to_owned()),
            (yara.id, "no-answer".to_owned())
        ]
    );
    assert_eq!(log["overflows"].as_array().unwrap().len(), 1);
    assert_eq!(log["overflows"][0]["reason"], "no-answer");
    assert_eq!(log["overflows"][0]["action"], "voicemail");
    let decisions = log["decisions"].as_array().unwrap();
    assert_eq!(decisions[0]["decision"], "ring");
    assert_eq!(decisions[0]["attempt"], 1);
    let last_decision = decisions.last().unwrap();
    assert!(last_decision["attempt"].as_u64().unwrap() > 1);
    for line in last_decision["members"].as_array().unwrap() {
        assert_eq!(line["reason"], "already-tried", "{line}");
    }
}

#[tokio::test]
async fn logging_out_while_ringing_moves_the_call_on_and_tells_the_platform() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Solo").await;
    let c = company(&server, account, "Company C", "+918000000303").await;
    let xavi = hire(&server, &c, "xavi@example.com", "agent", "401").await;
    let yara = hire(&server, &c, "yara@example.com", "agent", "402").await;
    log_in(&xavi, true).await;
    log_in(&yara, true).await;
    let tel = telephony(&server, &[&c.number]).await;
    let mut stream = tel.stream("/v1/telephony/stream").await;

    let first = call(&tel, "call-c-1", &c.number).await;
    assert_eq!(rung(&first), vec![xavi.id]);
    log_in(&xavi, false).await;
    let pushed = stream
        .next_call(Duration::from_secs(10))
        .await
        .expect("the platform was not told");
    assert_eq!(pushed["update"]["call_id"], "call-c-1");
    assert_eq!(rung(&pushed["update"]), vec![yara.id]);
    // Xavi's offer is gone: an answer from him now is refused.
    tel.post(
        "/v1/calls/call-c-1/events",
        json!({ "type": "answered", "agent_id": xavi.id }),
    )
    .await
    .expect_error(409, "event_conflict");
    event(
        &tel,
        "call-c-1",
        json!({ "type": "answered", "agent_id": yara.id }),
    )
    .await;
    event(&tel, "call-c-1", json!({ "type": "ended" })).await;
    let logs = all_logs(&c.admin, c.id).await;
    assert_eq!(
        offers(log_of(&logs, "call-c-1")),
        vec![
            (xavi.id, "withdrawn".to_owned()),
            (yara.id, "answered".to_owned())
        ]
    );
}

#[tokio::test]
async fn events_that_do_not_fit_the_call_are_refused() {
    let server = Server::start().await;
    let w = shared(&server).await;
    call(&w.tel, "call-a-1", &w.a.number).await;
    w.tel
        .post(
            "/v1/calls",
            json!({ "call_id": "call-a-1", "number": w.a.number }),
        )
        .await
        .expect_error(409, "duplicate_call");
    w.tel
        .post(
            "/v1/calls/call-a-1/events",
            json!({ "type": "answered", "agent_id": w.ben.id }),
        )
        .await
        .expect_error(409, "event_conflict");
    event(
        &w.tel,
        "call-a-1",
        json!({ "type": "answered", "agent_id": w.asha.id }),
    )
    .await;
    w.tel
        .post("/v1/calls/call-a-1/events", json!({ "type": "abandoned" }))
        .await
        .expect_error(409, "event_conflict");
    event(&w.tel, "call-a-1", json!({ "type": "ended" })).await;
    w.tel
        .post("/v1/calls/call-a-1/events", json!({ "type": "ended" }))
        .await
        .expect_error(404, "unknown_call");
    w.tel
        .post(
            "/v1/calls",
            json!({ "call_id": "call-x", "number": "+918000000999" }),
        )
        .await
        .expect_error(403, "number_not_bound");
    // The call's own platform only: the other company's log is untouched.
    assert!(all_logs(&w.b.admin, w.b.id).await.is_empty());
}
