//! Each shipped policy through HTTP: uploaded as a component, activated with its config, then
//! judged by the calls it routes (round-robin rotates, ring-all rings everyone at once,
//! skills-tier honours skills and tiers, business-hours closes), and a hostile policy that
//! loops still leaves calls with the host's fallback plan.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::calls_support::{
    Co, Person, action, all_logs, call, call_with, company, event, hire, log_in, log_of, offers,
    rung, seat, telephony,
};
use crate::support::{Client, Server};

/// A company whose department has `n` agents, logged in in order (the first idles longest),
/// and a telephony client for its number.
pub(crate) async fn team(server: &Server, n: usize) -> (Co, Vec<Person>, Client) {
    let op = server.operator();
    let account = op.account("Policies").await;
    let co = company(server, account, "Company P", "+918000000404").await;
    let mut people = Vec::new();
    for i in 0..n {
        let person = hire(
            server,
            &co,
            &format!("agent{i}@example.com"),
            "agent",
            &format!("50{i}"),
        )
        .await;
        people.push(person);
    }
    for person in &people {
        log_in(person, true).await;
    }
    let tel = telephony(server, &[&co.number]).await;
    (co, people, tel)
}

/// Uploads the component at `path` as `name` and activates it with `config`.
pub(crate) async fn activate(co: &Co, path: &str, name: &str, config: Value) {
    let wasm = std::fs::read(path).unwrap();
    let uploaded = co
        .admin
        .send_raw(
            Method::POST,
            &format!("/v1/companies/{}/policies?name={name}", co.id),
            "application/wasm",
            wasm,
        )
        .await
        .expect(201);
    let version = uploaded["version"].as_u64().unwrap();
    let active = co
        .admin
        .put(
            &format!("/v1/companies/{}/policy", co.id),
            json!({ "version": version, "config": config }),
        )
        .await
        .expect(200);
    assert_eq!(active["name"], name);
}

/// The policy run of the first decision of `call_id`'s log.
pub(crate) async fn policy_of(co: &Co, call_id: &str) -> Value {
    let logs = all_logs(&co.admin, co.id).await;
    log_of(&logs, call_id)["decisions"][0]["policy"].clone()
}

#[tokio::test]
async fn round_robin_rotates_the_first_target_across_calls() {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 3).await;
    activate(
        &co,
        switchyard_artifacts::ROUND_ROBIN,
        "round-robin",
        json!({}),
    )
    .await;
    let mut ids: Vec<u64> = people.iter().map(|p| p.id).collect();
    ids.sort_unstable();

    let mut firsts = Vec::new();
    for i in 0..4 {
        let call_id = format!("rr-{i}");
        let ring = call(&tel, &call_id, &co.number).await;
        assert_eq!(ring["instruction"]["mode"], "sequential");
        firsts.push(rung(&ring)[0]);
        event(&tel, &call_id, json!({ "type": "abandoned" })).await;
    }
    for pair in firsts.windows(2) {
        let at = ids.iter().position(|a| *a == pair[0]).unwrap();
        assert_eq!(
            pair[1],
            ids[(at + 1) % ids.len()],
            "first targets {firsts:?}"
        );
    }
    let policy = policy_of(&co, "rr-0").await;
    assert_eq!(policy["name"], "round-robin");
    assert_eq!(policy["source"], "policy");

    // Deactivated: the built-in default decides the next call.
    co.admin
        .delete(&format!("/v1/companies/{}/policy", co.id))
        .await
        .expect(204);
    call(&tel, "rr-after", &co.number).await;
    event(&tel, "rr-after", json!({ "type": "abandoned" })).await;
    assert_eq!(policy_of(&co, "rr-after").await["source"], "built-in");
}

#[tokio::test]
async fn ring_all_rings_every_eligible_agent_at_once() {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 3).await;
    activate(
        &co,
        switchyard_artifacts::RING_ALL,
        "ring-all",
        json!({ "ring_timeout_ms": 15000 }),
    )
    .await;

    let ring = call(&tel, "all-1", &co.number).await;
    assert_eq!(ring["instruction"]["mode"], "simultaneous");
    let rung_now: BTreeSet<u64> = rung(&ring).into_iter().collect();
    let everyone: BTreeSet<u64> = people.iter().map(|p| p.id).collect();
    assert_eq!(rung_now, everyone);
    for p in &people {
        let board = p
            .client
            .get(&format!("/v1/companies/{}/board", co.id))
            .await
            .expect(200);
        let me = board
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["agent_id"] == p.id)
            .unwrap()
            .clone();
        assert_eq!(me["detail"]["activity"], "ringing", "{me}");
    }
    for t in ring["instruction"]["targets"].as_array().unwrap() {
        assert_eq!(t["timeout_ms"], 15000);
    }
    // One declines: the others keep ringing; one answers: the last is withdrawn.
    let (decliner, winner, other) = (people[0].id, people[1].id, people[2].id);
    let keep = event(
        &tel,
        "all-1",
        json!({ "type": "declined", "agent_id": decliner }),
    )
    .await;
    assert_eq!(action(&keep), "keep-ringing", "{keep}");
    let still: BTreeSet<u64> = keep["instruction"]["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_u64().unwrap())
        .collect();
    assert_eq!(still, BTreeSet::from([winner, other]));
    let connected = event(
        &tel,
        "all-1",
        json!({ "type": "answered", "agent_id": winner }),
    )
    .await;
    assert_eq!(connected["instruction"]["agent_id"], winner);
    assert_eq!(connected["instruction"]["withdraw"], json!([other]));
    event(&tel, "all-1", json!({ "type": "ended" })).await;

    let logs = all_logs(&co.admin, co.id).await;
    let mut got = offers(log_of(&logs, "all-1"));
    got.sort();
    let mut want = vec![
        (decliner, "declined".to_owned()),
        (winner, "answered".to_owned()),
        (other, "withdrawn".to_owned()),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn skills_tier_rings_skilled_agents_first_tier_first() {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 3).await;
    // The tier-2 agent idles longest: only the tiers put the tier-1 agent first.
    let (senior, junior, sales) = (people[0].id, people[1].id, people[2].id);
    seat(&co, senior, 2, &["billing"]).await;
    seat(&co, junior, 1, &["Billing"]).await;
    seat(&co, sales, 1, &["sales"]).await;
    activate(
        &co,
        switchyard_artifacts::SKILLS_TIER,
        "skills-tier",
        json!({ "required_skills": ["billing"] }),
    )
    .await;

    let first = call(&tel, "sk-1", &co.number).await;
    assert_eq!(rung(&first), vec![junior]);
    let second = event(
        &tel,
        "sk-1",
        json!({ "type": "no-answer", "agent_id": junior }),
    )
    .await;
    assert_eq!(rung(&second), vec![senior]);
    let last = event(
        &tel,
        "sk-1",
        json!({ "type": "no-answer", "agent_id": senior }),
    )
    .await;
    assert_eq!(action(&last), "voicemail", "{last}");
    let logs = all_logs(&co.admin, co.id).await;
    assert_eq!(
        offers(log_of(&logs, "sk-1")),
        vec![
            (junior, "no-answer".to_owned()),
            (senior, "no-answer".to_owned())
        ],
        "the agent without the skill is never rung"
    );

    // A call needing a skill nobody has goes to voicemail rather than queueing.
    let nobody = call_with(&tel, "sk-2", &co.number, json!({ "skill": "german" })).await;
    assert_eq!(action(&nobody), "voicemail", "{nobody}");
    let logs = all_logs(&co.admin, co.id).await;
    let log = log_of(&logs, "sk-2");
    assert_eq!(log["decisions"][0]["decision"], "overflow:no-members");
    assert!(offers(log).is_empty());
}

/// Minute of the day now, UTC (the test companies' zone).
fn utc_minute_now() -> u64 {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    (ms / 60_000) % 1440
}

/// Opening hours at least an hour away from now, every day.
fn hours_excluding_now() -> Value {
    let (open, close) = if utc_minute_now() < 12 * 60 {
        ("13:00", "14:00")
    } else {
        ("01:00", "02:00")
    };
    let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    json!([{ "days": days, "open": open, "close": close }])
}

#[tokio::test]
async fn business_hours_sends_calls_outside_hours_to_the_configured_voicemail() {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 1).await;
    activate(
        &co,
        switchyard_artifacts::BUSINESS_HOURS,
        "business-hours",
        json!({ "hours": hours_excluding_now(), "closed": { "voicemail": "after-hours" } }),
    )
    .await;

    let closed = call(&tel, "bh-1", &co.number).await;
    assert_eq!(action(&closed), "voicemail", "{closed}");
    assert_eq!(closed["instruction"]["mailbox"], "after-hours");
    let logs = all_logs(&co.admin, co.id).await;
    let log = log_of(&logs, "bh-1");
    assert_eq!(log["decisions"][0]["decision"], "overflow:out-of-hours");
    assert_eq!(log["overflows"][0]["reason"], "out-of-hours");
    assert_eq!(log["overflows"][0]["detail"], "after-hours");
    assert!(
        offers(log).is_empty(),
        "an agent was idle, yet nobody may ring"
    );

    // Open all day: the same policy rings the idle agent.
    activate(
        &co,
        switchyard_artifacts::BUSINESS_HOURS,
        "business-hours",
        json!({ "hours": [{ "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "open": "00:00", "close": "24:00" }] }),
    )
    .await;
    let open = call(&tel, "bh-2", &co.number).await;
    assert_eq!(rung(&open), vec![people[0].id]);
    event(&tel, "bh-2", json!({ "type": "abandoned" })).await;
}

/// A company closed now whose business-hours policy forwards to a night department with one
/// logged-in agent; returns (company, night department, night agent, telephony).
async fn closed_with_night_desk(server: &Server) -> (Co, u64, Person, Client) {
    let (co, _day, tel) = team(server, 1).await;
    let night_dept = co.admin.department(co.id, "Night desk").await;
    let night = hire(server, &co, "night@example.com", "agent", "590").await;
    co.admin
        .patch(
            &format!("/v1/companies/{}/members/{}", co.id, night.id),
            json!({ "departments": { night_dept.to_string(): { "tier": 1 } } }),
        )
        .await
        .expect(200);
    log_in(&night, true).await;
    activate(
        &co,
        switchyard_artifacts::BUSINESS_HOURS,
        "business-hours",
        json!({ "hours": hours_excluding_now(), "closed": { "department": night_dept } }),
    )
    .await;
    (co, night_dept, night, tel)
}

#[tokio::test]
async fn business_hours_forwards_calls_outside_hours_to_the_closed_department() {
    let server = Server::start().await;
    let (co, night_dept, _night, tel) = closed_with_night_desk(&server).await;

    let forwarded = call(&tel, "bh-night", &co.number).await;
    assert_eq!(forwarded["department_id"], night_dept, "{forwarded}");
    event(&tel, "bh-night", json!({ "type": "abandoned" })).await;
    let logs = all_logs(&co.admin, co.id).await;
    let log = log_of(&logs, "bh-night");
    assert_eq!(log["department_id"], night_dept);
    assert_eq!(log["overflows"][0]["reason"], "out-of-hours");
    assert_eq!(log["overflows"][0]["action"], "forward-department");
    assert_eq!(log["overflows"][0]["detail"], night_dept.to_string());
    assert_eq!(log["overflows"][0]["source"], "policy");
}

#[tokio::test]
async fn the_night_department_takes_calls_forwarded_outside_hours() {
    let server = Server::start().await;
    let (co, _night_dept, night, tel) = closed_with_night_desk(&server).await;

    let forwarded = call(&tel, "bh-night", &co.number).await;
    assert_eq!(rung(&forwarded), vec![night.id], "{forwarded}");
    event(&tel, "bh-night", json!({ "type": "abandoned" })).await;
}

#[tokio::test]
async fn a_looping_policy_still_gets_calls_the_fallback_ring_plan() {
    let server = Server::start().await;
    let (co, people, tel) = team(&server, 2).await;
    activate(
        &co,
        switchyard_artifacts::HOSTILE,
        "hostile",
        json!({ "mode": "loop" }),
    )
    .await;

    let ring = call(&tel, "loop-1", &co.number).await;
    assert_eq!(rung(&ring), vec![people[0].id], "{ring}");
    let trace_id = ring["trace_id"].as_str().unwrap();
    let trace = co
        .admin
        .get(&format!("/v1/companies/{}/traces/{trace_id}", co.id))
        .await
        .expect(200);
    let source = trace["policy"]["source"].as_str().unwrap();
    assert!(source.starts_with("fallback:"), "{source}");
    assert_eq!(trace["policy"]["name"], "hostile");
    event(
        &tel,
        "loop-1",
        json!({ "type": "answered", "agent_id": people[0].id }),
    )
    .await;
    event(&tel, "loop-1", json!({ "type": "ended" })).await;
    let policy = policy_of(&co, "loop-1").await;
    assert!(
        policy["source"].as_str().unwrap().starts_with("fallback:"),
        "{policy}"
    );
}

/// A call is pinned to the version active when it arrived: a version activated while it rings
/// decides the next calls, but the call's own later decisions are still made by its version.
#[tokio::test]
async fn a_call_keeps_its_policy_version_when_another_is_activated() {
    let server = Server::start().await;
    let (co, _people, tel) = team(&server, 2).await;
    activate(
        &co,
        switchyard_artifacts::ROUND_ROBIN,
        "round-robin",
        json!({}),
    )
    .await;
    let mut update = call(&tel, "pin-1", &co.number).await;
    activate(&co, switchyard_artifacts::RING_ALL, "ring-all", json!({})).await;
    let other = call(&tel, "pin-2", &co.number).await;
    assert_eq!(other["instruction"]["mode"], "simultaneous", "{other}");
    event(&tel, "pin-2", json!({ "type": "abandoned" })).await;
    // Every target of pin-1 rings out: its plan runs on, then it is decided again (attempt 2)
    // and overflows, all by round-robin version 1.
    while action(&update) == "ring" {
        assert_eq!(update["instruction"]["mode"], "sequential", "{update}");
        let agent = rung(&update)[0];
        update = event(
            &tel,
            "pin-1",
            json!({ "type": "no-answer", "agent_id": agent }),
        )
        .await;
    }
    let logs = all_logs(&co.admin, co.id).await;
    let decisions = log_of(&logs, "pin-1")["decisions"]
        .as_array()
        .unwrap()
        .clone();
    assert!(decisions.len() >= 2, "decided again: {decisions:?}");
    for d in &decisions {
        assert_eq!(d["policy"]["name"], "round-robin", "{d}");
        assert_eq!(d["policy"]["version"], 1, "{d}");
    }
    assert_eq!(policy_of(&co, "pin-2").await["version"], 2);
}
