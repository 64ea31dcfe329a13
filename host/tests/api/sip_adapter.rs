//! The SIP server's side of the API (`/v1/kamailio`) without a SIP server: a company's SIP
//! domain (validated, unique), answers shaped for a configuration script (targets as addresses
//! of record in the company's domain), the fork limit capping a ring-all plan so the agents
//! past it stay free for another call, outcomes posted by Call-ID in the body, and later
//! decisions on `/v1/kamailio/stream`. Kamailio itself is exercised in `kamailio/`.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{Value, json};

use crate::calls_policies::{activate, team};
use crate::support::Server;

fn agents_of(answer: &Value) -> BTreeSet<u64> {
    answer["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["agent_id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_company_sip_domain_is_validated_and_unique() {
    let server = Server::start().await;
    let op = server.operator();
    let a = crate::support::id(
        op.post(
            "/v1/companies",
            json!({ "name": "A", "time_zone": "UTC", "sip_domain": "A.Sip.Example" }),
        )
        .await
        .expect(201),
    );
    let got = op.get(&format!("/v1/companies/{a}")).await.expect(200);
    assert_eq!(got["sip_domain"], "a.sip.example", "stored in lower case");
    let b = crate::support::id(
        op.post("/v1/companies", json!({ "name": "B", "time_zone": "UTC" }))
            .await
            .expect(201),
    );
    let taken = op
        .patch(
            &format!("/v1/companies/{b}"),
            json!({ "sip_domain": "a.sip.example" }),
        )
        .await
        .expect_error(409, "sip_domain_taken");
    assert!(
        taken["message"].as_str().unwrap().contains(&a.to_string()),
        "{taken}"
    );
    for bad in ["-a.example", "a..example", "a example", "sip:a.example", ""] {
        op.patch(&format!("/v1/companies/{b}"), json!({ "sip_domain": bad }))
            .await
            .expect_error(422, "invalid_sip_domain");
    }
    // A company may keep (re-send) its own domain, and remove it: then another may take it.
    op.patch(
        &format!("/v1/companies/{a}"),
        json!({ "sip_domain": "a.sip.example" }),
    )
    .await
    .expect(200);
    let cleared = op
        .patch(&format!("/v1/companies/{a}"), json!({ "sip_domain": null }))
        .await
        .expect(200);
    assert!(cleared.get("sip_domain").is_none(), "{cleared}");
    let moved = op
        .patch(
            &format!("/v1/companies/{b}"),
            json!({ "sip_domain": "a.sip.example" }),
        )
        .await
        .expect(200);
    assert_eq!(moved["sip_domain"], "a.sip.example");
}

#[tokio::test]
async fn ring_all_offers_no_more_agents_than_the_sip_server_forks() {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 3).await;
    activate(
        &co,
        switchyard_artifacts::RING_ALL,
        "ring-all",
        json!({ "ring_timeout_ms": 15000 }),
    )
    .await;
    co.admin
        .patch(
            &format!("/v1/companies/{}", co.id),
            json!({ "sip_domain": "p.sip.example" }),
        )
        .await
        .expect(200);

    let first = tel
        .post(
            "/v1/kamailio/calls",
            json!({ "call_id": "a84b4c76e66710@pc33.example", "number": co.number,
                    "caller": "+15551230000", "max_branches": 2 }),
        )
        .await
        .expect(201);
    assert_eq!(first["version"], "1.0");
    assert_eq!(first["step"], 1, "the call's first instruction");
    assert_eq!(first["action"], "ring", "{first}");
    assert_eq!(first["routing"], "parallel");
    assert_eq!(first["count"], 2);
    assert_eq!(first["domain"], "p.sip.example");
    let routes = first["routes"].as_array().unwrap();
    for r in routes {
        let ext = r["extension"].as_str().unwrap();
        assert_eq!(r["uri"], format!("sip:{ext}@p.sip.example"));
        assert_eq!(r["fr_inv_timer"], 15000);
    }
    let rung = agents_of(&first);
    let joined: Vec<String> = routes
        .iter()
        .map(|r| r["agent_id"].as_u64().unwrap().to_string())
        .collect();
    assert_eq!(first["agents"], joined.join(","));
    let left_out: Vec<u64> = people
        .iter()
        .map(|p| p.id)
        .filter(|id| !rung.contains(id))
        .collect();
    assert_eq!(left_out.len(), 1);

    // The one past the limit is traced as such and stays free: the next call rings it.
    let trace = co
        .admin
        .get(&format!(
            "/v1/companies/{}/traces/{}",
            co.id,
            first["trace_id"].as_str().unwrap()
        ))
        .await
        .expect(200);
    let line = trace["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["agent_id"] == left_out[0])
        .unwrap()
        .clone();
    assert_eq!(line["reason"], "over-fork-limit", "{trace}");
    let second = tel
        .post(
            "/v1/kamailio/calls",
            json!({ "call_id": "second@pc33.example", "number": co.number }),
        )
        .await
        .expect(201);
    assert_eq!(agents_of(&second), left_out.iter().copied().collect());

    // Outcomes by Call-ID in the body; the answer names who is connected.
    let winner = *rung.iter().next().unwrap();
    let connected = tel
        .post(
            "/v1/kamailio/events",
            json!({ "call_id": "a84b4c76e66710@pc33.example", "type": "answered", "agent_id": winner }),
        )
        .await
        .expect(200);
    assert_eq!(connected["action"], "connected", "{connected}");
    assert_eq!(connected["agent_id"], winner);
    let done = tel
        .post(
            "/v1/kamailio/events",
            json!({ "call_id": "a84b4c76e66710@pc33.example", "type": "ended" }),
        )
        .await
        .expect(200);
    assert_eq!(done["action"], "done");
    tel.post(
        "/v1/kamailio/events",
        json!({ "call_id": "a84b4c76e66710@pc33.example", "type": "ended" }),
    )
    .await
    .expect_error(404, "unknown_call");

    // Bad input names the fix.
    tel.post(
        "/v1/kamailio/events",
        json!({ "call_id": "second@pc33.example", "type": "answered" }),
    )
    .await
    .expect_error(422, "invalid_call");
    tel.post(
        "/v1/kamailio/events",
        json!({ "call_id": "second@pc33.example", "type": "picked-up", "agent_id": 1 }),
    )
    .await
    .expect_error(422, "invalid_call");
    tel.post(
        "/v1/kamailio/calls",
        json!({ "call_id": "third@x", "number": co.number, "max_branches": 40 }),
    )
    .await
    .expect_error(422, "invalid_call");

    // Kamailio's http_client sends one header line (the token's): libcurl then labels the
    // body as a form; it is read as JSON all the same.
    let body = json!({ "call_id": "second@pc33.example", "type": "abandoned" });
    let over = tel
        .send_raw(
            reqwest::Method::POST,
            "/v1/kamailio/events",
            "application/x-www-form-urlencoded",
            serde_json::to_vec(&body).unwrap(),
        )
        .await
        .expect(200);
    assert_eq!(over["action"], "done", "{over}");
}

#[tokio::test]
async fn a_queued_call_offered_later_is_on_the_kamailio_stream() {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 1).await;
    // Busy the only agent, then a second call queues (the default overflow queues it).
    let first = tel
        .post(
            "/v1/kamailio/calls",
            json!({ "call_id": "busy@x", "number": co.number }),
        )
        .await
        .expect(201);
    assert_eq!(first["action"], "ring", "{first}");
    tel.post(
        "/v1/kamailio/events",
        json!({ "call_id": "busy@x", "type": "answered", "agent_id": people[0].id }),
    )
    .await
    .expect(200);
    let mut stream = tel.stream("/v1/kamailio/stream").await;
    let queued = tel
        .post(
            "/v1/kamailio/calls",
            json!({ "call_id": "waits@x", "number": co.number }),
        )
        .await
        .expect(201);
    assert_eq!(queued["action"], "queue", "{queued}");
    assert!(queued["max_wait_ms"].as_u64().unwrap() > 0);
    tel.post(
        "/v1/kamailio/events",
        json!({ "call_id": "busy@x", "type": "ended" }),
    )
    .await
    .expect(200);
    let pushed = stream
        .next_call(Duration::from_secs(20))
        .await
        .expect("the queued call's offer is pushed");
    assert_eq!(pushed["call_id"], "waits@x", "{pushed}");
    assert!(
        pushed["step"].as_u64().unwrap() > queued["step"].as_u64().unwrap(),
        "a later instruction has a higher step: {queued} then {pushed}"
    );
    assert_eq!(pushed["action"], "ring");
    assert!(pushed["seq"].as_u64().is_some());
    assert_eq!(agents_of(&pushed), BTreeSet::from([people[0].id]));
    assert_eq!(
        pushed["routes"][0]["uri"],
        format!("sip:500@company-{}.invalid", co.id),
        "no sip_domain set: the placeholder naming the company"
    );
}
