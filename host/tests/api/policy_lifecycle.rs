//! A company's policy lifecycle over HTTP: upload two versions, activate one then the other,
//! roll back in one request (the next call uses the earlier version again), read the recorded
//! history (who, when, from → to), and delete only inactive versions.

use reqwest::Method;
use serde_json::{Value, json};

use crate::calls_support::{Co, call, company, event, hire, log_in, telephony};
use crate::support::{Client, Server};

async fn upload(co: &Co, path: &str, name: &str) -> u64 {
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
    uploaded["version"].as_u64().unwrap()
}

/// The policy name in the trace of a new call (which is then abandoned).
async fn deciding_policy(co: &Co, tel: &Client, call_id: &str) -> Value {
    let update = call(tel, call_id, &co.number).await;
    let trace_id = update["trace_id"].as_str().unwrap();
    let trace = co
        .admin
        .get(&format!("/v1/companies/{}/traces/{trace_id}", co.id))
        .await
        .expect(200);
    event(tel, call_id, json!({ "type": "abandoned" })).await;
    trace["policy"]["name"].clone()
}

#[tokio::test]
async fn activate_roll_back_record_and_delete_versions() {
    let server = Server::start().await;
    let account = server.operator().account("Lifecycle").await;
    let co = company(&server, account, "Company L", "+918000000606").await;
    let agent = hire(&server, &co, "l@example.com", "agent", "601").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let policy = format!("/v1/companies/{}/policy", co.id);

    co.admin
        .post(&format!("{policy}/rollback"), json!({}))
        .await
        .expect_error(409, "nothing_to_roll_back");
    let v1 = upload(&co, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await;
    let v2 = upload(&co, switchyard_artifacts::ROUND_ROBIN, "round-robin").await;
    assert_eq!((v1, v2), (1, 2));

    co.admin
        .put(&policy, json!({ "version": v1, "config": {} }))
        .await
        .expect(200);
    assert_eq!(deciding_policy(&co, &tel, "l-1").await, "longest-idle");
    let active = co
        .admin
        .put(&policy, json!({ "version": v2 }))
        .await
        .expect(200);
    assert_eq!(active["previous"]["version"], v1);
    assert_eq!(deciding_policy(&co, &tel, "l-2").await, "round-robin");

    let back = co
        .admin
        .post(&format!("{policy}/rollback"), json!({}))
        .await
        .expect(200);
    assert_eq!(back["version"], v1);
    assert_eq!(deciding_policy(&co, &tel, "l-3").await, "longest-idle");

    let history = co.admin.get(&format!("{policy}/history")).await.expect(200);
    let steps: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["action"].clone(), c["from"].clone(), c["to"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (json!("upload"), Value::Null, json!(1)),
            (json!("upload"), Value::Null, json!(2)),
            (json!("activate"), Value::Null, json!(1)),
            (json!("activate"), json!(1), json!(2)),
            (json!("rollback"), json!(2), json!(1)),
        ]
    );
    assert!(
        history[0]["by"]
            .as_str()
            .unwrap()
            .starts_with("company-admin")
    );

    let versions = format!("/v1/companies/{}/policies", co.id);
    co.admin
        .delete(&format!("{versions}/{v1}"))
        .await
        .expect_error(409, "version_active");
    // v2 is what a rollback would return to: kept until another activation replaces it.
    co.admin
        .delete(&format!("{versions}/{v2}"))
        .await
        .expect_error(409, "version_needed_for_rollback");
    co.admin
        .put(&policy, json!({ "version": v1 }))
        .await
        .expect(200);
    co.admin
        .delete(&format!("{versions}/{v2}"))
        .await
        .expect(204);
    co.admin
        .delete(&format!("{versions}/{v2}"))
        .await
        .expect_error(404, "unknown_version");
    let list = co.admin.get(&versions).await.expect(200);
    assert_eq!(list["versions"].as_array().unwrap().len(), 1);
    assert_eq!(list["active"]["version"], v1);
}

#[tokio::test]
async fn replay_shows_where_a_version_differs_from_the_active_one() {
    let server = Server::start().await;
    let account = server.operator().account("Replay").await;
    let co = company(&server, account, "Company R", "+918000000505").await;
    let mut people = Vec::new();
    for i in 0..3 {
        people.push(
            hire(
                &server,
                &co,
                &format!("r{i}@example.com"),
                "agent",
                &format!("55{i}"),
            )
            .await,
        );
    }
    // The highest id logs in first and so idles longest: longest-idle and round-robin (agent-id
    // order) disagree from the first call on. Idle times are in milliseconds: log-ins in the
    // same millisecond would tie, and a tie is broken by agent id, as round-robin orders.
    for person in people.iter().rev() {
        log_in(person, true).await;
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let tel = telephony(&server, &[&co.number]).await;
    for i in 0..4 {
        let id = format!("r-{i}");
        call(&tel, &id, &co.number).await;
        event(&tel, &id, json!({ "type": "abandoned" })).await;
    }
    let v1 = upload(&co, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await;
    let v2 = upload(&co, switchyard_artifacts::ROUND_ROBIN, "round-robin").await;
    co.admin
        .put(
            &format!("/v1/companies/{}/policy", co.id),
            json!({ "version": v1 }),
        )
        .await
        .expect(200);

    let replay = |version: u64| {
        let admin = co.admin.clone();
        let path = format!("/v1/companies/{}/policies/{version}/replay?last=10", co.id);
        async move { admin.post(&path, json!({})).await.expect(200) }
    };
    let same = replay(v1).await;
    assert_eq!(same["calls"], 4);
    assert_eq!(same["decisions"], 4);
    assert_eq!(same["differences"], 0, "{same}");
    assert_eq!(same["active_policy"], "longest-idle@1");
    let other = replay(v2).await;
    assert_eq!(other["decisions"], 4);
    assert!(other["differences"].as_u64().unwrap() > 0, "{other}");
    let first = &other["rows"][0];
    assert_eq!(first["call_id"], "r-0");
    assert_ne!(first["active"], first["candidate"], "{first}");

    // Replay changed nothing: still four logged calls, the same active version.
    let list = co
        .admin
        .get(&format!("/v1/companies/{}/policies", co.id))
        .await
        .expect(200);
    assert_eq!(list["active"]["version"], v1);
    let logs = co
        .admin
        .get(&format!("/v1/companies/{}/call-logs", co.id))
        .await
        .expect(200);
    assert_eq!(logs["items"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn the_active_policy_and_its_state_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in(dir.path()).await;
    let account = server.operator().account("Restart").await;
    let co = company(&server, account, "Company T", "+918000000202").await;
    let mut people = Vec::new();
    for i in 0..3 {
        people.push(
            hire(
                &server,
                &co,
                &format!("t{i}@example.com"),
                "agent",
                &format!("70{i}"),
            )
            .await,
        );
    }
    for person in &people {
        log_in(person, true).await;
    }
    let tel = telephony(&server, &[&co.number]).await;
    let v = upload(&co, switchyard_artifacts::ROUND_ROBIN, "round-robin").await;
    co.admin
        .put(
            &format!("/v1/companies/{}/policy", co.id),
            json!({ "version": v }),
        )
        .await
        .expect(200);
    let first = call(&tel, "t-1", &co.number).await;
    assert_eq!(crate::calls_support::rung(&first)[0], people[0].id);
    event(&tel, "t-1", json!({ "type": "abandoned" })).await;
    server.stop().await;

    // Same data directory, new process state: the policy is restored (from its precompiled
    // artifact) and so is its round-robin pointer.
    let server = Server::start_in(dir.path()).await;
    let tel = tel.against(&server);
    for person in &people {
        let person = crate::calls_support::Person {
            id: person.id,
            email: person.email.clone(),
            client: person.client.against(&server),
            token: person.token.clone(),
        };
        log_in(&person, true).await;
    }
    let second = call(&tel, "t-2", &co.number).await;
    assert_eq!(
        crate::calls_support::rung(&second)[0],
        people[1].id,
        "{second}"
    );
    let trace_id = second["trace_id"].as_str().unwrap();
    let trace = co
        .admin
        .against(&server)
        .get(&format!("/v1/companies/{}/traces/{trace_id}", co.id))
        .await
        .expect(200);
    assert_eq!(trace["policy"]["name"], "round-robin");
    assert_eq!(trace["policy"]["source"], "policy");
    event(&tel, "t-2", json!({ "type": "abandoned" })).await;
    server.stop().await;
}

#[tokio::test]
async fn activating_repeatedly_while_calls_are_in_flight_loses_none() {
    let server = Server::start().await;
    let account = server.operator().account("Flip").await;
    let co = company(&server, account, "Company F", "+918000000101").await;
    let agent = hire(&server, &co, "f@example.com", "agent", "801").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let v1 = upload(&co, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await;
    let v2 = upload(&co, switchyard_artifacts::RING_ALL, "ring-all").await;

    let flipper = {
        let admin = co.admin.clone();
        let path = format!("/v1/companies/{}/policy", co.id);
        tokio::spawn(async move {
            for i in 0..30 {
                let version = if i % 2 == 0 { v1 } else { v2 };
                admin
                    .put(&path, json!({ "version": version }))
                    .await
                    .expect(200);
            }
        })
    };
    let mut callers = Vec::new();
    for worker in 0..4 {
        let tel = tel.clone();
        let number = co.number.clone();
        callers.push(tokio::spawn(async move {
            for i in 0..10 {
                let id = format!("flip-{worker}-{i}");
                let update = call(&tel, &id, &number).await;
                let action = update["instruction"]["action"].as_str().unwrap().to_owned();
                assert!(
                    ["ring", "queue", "voicemail"].contains(&action.as_str()),
                    "{update}"
                );
                event(&tel, &id, json!({ "type": "abandoned" })).await;
            }
        }));
    }
    flipper.await.unwrap();
    for caller in callers {
        caller.await.unwrap();
    }
    let logs = crate::calls_support::all_logs(&co.admin, co.id).await;
    assert_eq!(logs.len(), 40, "every call was decided and logged");
    let names: std::collections::BTreeSet<String> = logs
        .iter()
        .flat_map(|l| l["decisions"].as_array().unwrap().iter())
        .map(|d| d["policy"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n == "longest-idle" || n == "ring-all" || n == "built-in"),
        "{names:?}"
    );
}

#[tokio::test]
async fn simulate_runs_a_stored_version_on_a_scenario_without_side_effects() {
    let server = Server::start().await;
    let account = server.operator().account("Simulate").await;
    let co = company(&server, account, "Company V", "+918000000909").await;
    let v = upload(&co, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await;
    let text = std::fs::read_to_string(format!(
        "{}/../tests/scenarios/basic.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let scenario: Value = serde_json::from_str(&text).unwrap();
    let path = format!("/v1/companies/{}/policies/{v}/simulate", co.id);
    let sim = co.admin.post(&path, scenario.clone()).await.expect(200);
    assert_eq!(sim["outcome"]["outcome"], "policy", "{sim}");
    // The answer spells enum values like the rest of the API.
    assert_eq!(sim["decision"]["ring"]["mode"], "sequential", "{sim}");
    assert_eq!(ringing(&sim), vec![2, 1]);

    // A scenario in the Rust spellings the host wrote before reads the same.
    let old = json!({
        "call": {
            "id": "sim-old", "company": 1, "dialled_number": "+918000000001", "caller": "",
            "department": 10, "attempt": 1, "waited_ms": 0, "now_unix_ms": 1795392000000_u64,
            "local_weekday": "Monday", "local_minute": 600, "seed": 42, "tried": [],
            "attributes": []
        },
        "candidates": [
            {"agent": 1, "role": "Agent", "tier": 1, "skills": [], "status": "Available",
             "take_calls": true, "in_schedule": true, "presence": "Idle", "idle_ms": 5000,
             "calls_today": 0, "talk_ms_today": 0},
            {"agent": 2, "role": "Agent", "tier": 1, "skills": [], "status": "Available",
             "take_calls": true, "in_schedule": true, "presence": "Idle", "idle_ms": 90000,
             "calls_today": 0, "talk_ms_today": 0},
            {"agent": 3, "role": "Supervisor", "tier": 1, "skills": [], "status": "OnBreak",
             "take_calls": true, "in_schedule": true, "presence": "BusyElsewhere",
             "idle_ms": 0, "calls_today": 0, "talk_ms_today": 0}
        ]
    });
    let sim_old = co.admin.post(&path, old).await.expect(200);
    assert_eq!(
        sim_old["decision"]["ring"]["mode"], "sequential",
        "{sim_old}"
    );
    assert_eq!(ringing(&sim_old), vec![2, 1]);
    let mut bad = scenario;
    bad["surprise"] = json!(true);
    co.admin
        .post(&path, bad)
        .await
        .expect_error(422, "invalid_body");
    let logs = co
        .admin
        .get(&format!("/v1/companies/{}/call-logs", co.id))
        .await
        .expect(200);
    assert!(logs["items"].as_array().unwrap().is_empty());
}

/// The agents a simulated decision rings, in order.
fn ringing(sim: &Value) -> Vec<u64> {
    sim["decision"]["ring"]["targets"]
        .as_array()
        .unwrap_or_else(|| panic!("not a ring decision: {sim}"))
        .iter()
        .map(|t| t["agent"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn logged_decisions_spell_their_inputs_like_the_rest_of_the_api() {
    let server = Server::start().await;
    let account = server.operator().account("Spelling").await;
    let co = company(&server, account, "Company S", "+918000000606").await;
    let asha = hire(&server, &co, "s0@example.com", "agent", "601").await;
    hire(&server, &co, "s1@example.com", "supervisor", "602").await;
    log_in(&asha, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let update = call(&tel, "s-1", &co.number).await;
    let trace_id = update["trace_id"].as_str().unwrap().to_owned();
    event(&tel, "s-1", json!({ "type": "abandoned" })).await;

    let logs = co
        .admin
        .get(&format!("/v1/companies/{}/call-logs", co.id))
        .await
        .expect(200);
    let decision = &logs["items"][0]["decisions"][0];
    let trace = co
        .admin
        .get(&format!("/v1/companies/{}/traces/{trace_id}", co.id))
        .await
        .expect(200);
    for record in [decision, &trace] {
        assert_eq!(record["v"], 2, "{record}");
        let day = record["input_call"]["local_weekday"].as_str().unwrap();
        assert!(
            [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday"
            ]
            .contains(&day),
            "{record}"
        );
        let mut seen: Vec<(&str, &str, &str)> = record["input_candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["role"].as_str().unwrap(),
                    c["status"].as_str().unwrap(),
                    c["presence"].as_str().unwrap(),
                )
            })
            .collect();
        seen.sort_unstable();
        assert_eq!(
            seen,
            [
                ("agent", "available", "idle"),
                ("supervisor", "available", "logged-out")
            ],
            "{record}"
        );
    }
}

/// The deciding policy (name, version, source) of a new call, which is then abandoned.
async fn deciding_run(
    admin: &Client,
    co: &Co,
    tel: &Client,
    call_id: &str,
) -> (Value, Value, Value) {
    let update = call(tel, call_id, &co.number).await;
    let trace_id = update["trace_id"].as_str().unwrap();
    let trace = admin
        .get(&format!("/v1/companies/{}/traces/{trace_id}", co.id))
        .await
        .expect(200);
    // Nobody is seated: the call ends in voicemail unless the policy queues it.
    if update["instruction"]["action"] == "queue" {
        event(tel, call_id, json!({ "type": "abandoned" })).await;
    }
    let run = &trace["policy"];
    (
        run["name"].clone(),
        run["version"].clone(),
        run["source"].clone(),
    )
}

#[tokio::test]
async fn companies_sharing_one_component_keep_their_own_versions_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_in(dir.path()).await;
    let account = server.operator().account("Shared bytes").await;
    let a = company(&server, account, "Company SA", "+918000000211").await;
    let b = company(&server, account, "Company SB", "+918000000212").await;
    let tel = telephony(&server, &[&a.number, &b.number]).await;
    // B's copy of the same bytes is its version 2, under another name.
    upload(&b, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await;
    let va = upload(&a, switchyard_artifacts::ROUND_ROBIN, "round-robin").await;
    let vb = upload(&b, switchyard_artifacts::ROUND_ROBIN, "rr-copy").await;
    assert_eq!((va, vb), (1, 2));
    let hash = |co: &Co, list: &Value, v: u64| {
        let versions = list["versions"].as_array().unwrap();
        let found = versions.iter().find(|x| x["version"] == v);
        assert!(found.is_some(), "company {}: {list}", co.id);
        found.unwrap()["hash"].clone()
    };
    let list_a = a
        .admin
        .get(&format!("/v1/companies/{}/policies", a.id))
        .await
        .expect(200);
    let list_b = b
        .admin
        .get(&format!("/v1/companies/{}/policies", b.id))
        .await
        .expect(200);
    assert_eq!(hash(&a, &list_a, va), hash(&b, &list_b, vb));
    for (co, v) in [(&a, va), (&b, vb)] {
        co.admin
            .put(
                &format!("/v1/companies/{}/policy", co.id),
                json!({ "version": v }),
            )
            .await
            .expect(200);
    }
    for (co, name, v) in [(&a, "round-robin", va), (&b, "rr-copy", vb)] {
        let run = deciding_run(&co.admin, co, &tel, &format!("s-{}-1", co.id)).await;
        assert_eq!(run, (json!(name), json!(v), json!("policy")));
    }
    server.stop().await;

    // Restored lazily: B's first decision after the restart loads its own activation; A goes
    // back to its built-in default before its first call, so its stored one is never used.
    let server = Server::start_in(dir.path()).await;
    let tel = tel.against(&server);
    let (admin_a, admin_b) = (a.admin.against(&server), b.admin.against(&server));
    admin_a
        .send(
            Method::DELETE,
            &format!("/v1/companies/{}/policy", a.id),
            None,
        )
        .await
        .expect(204);
    let run = deciding_run(&admin_b, &b, &tel, "s-b-2").await;
    assert_eq!(run, (json!("rr-copy"), json!(vb), json!("policy")));
    let run = deciding_run(&admin_a, &a, &tel, "s-a-2").await;
    assert_eq!(run, (json!("built-in"), json!(0), json!("built-in")));
    server.stop().await;
}

#[tokio::test]
async fn the_version_a_rollback_returns_to_cannot_be_deleted() {
    let server = Server::start().await;
    let account = server.operator().account("Keep").await;
    let co = company(&server, account, "Company K", "+918000000616").await;
    let policy = format!("/v1/companies/{}/policy", co.id);
    let versions = format!("/v1/companies/{}/policies", co.id);
    let v1 = upload(&co, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await;
    let v2 = upload(&co, switchyard_artifacts::ROUND_ROBIN, "round-robin").await;
    let v3 = upload(&co, switchyard_artifacts::RING_ALL, "ring-all").await;
    for v in [v1, v2] {
        co.admin
            .put(&policy, json!({ "version": v }))
            .await
            .expect(200);
    }

    // Active v2, previous v1: neither can go, an unrelated version can.
    let refused = co
        .admin
        .delete(&format!("{versions}/{v1}"))
        .await
        .expect_error(409, "version_needed_for_rollback");
    assert!(
        refused["message"].as_str().unwrap().contains("roll"),
        "{refused}"
    );
    co.admin
        .delete(&format!("{versions}/{v2}"))
        .await
        .expect_error(409, "version_active");
    let back = co
        .admin
        .post(&format!("{policy}/rollback"), json!({}))
        .await
        .expect(200);
    assert_eq!(back["version"], v1);

    // Active v1, previous v2: v2 is now the one kept; after activating v3, v2 is free.
    co.admin
        .delete(&format!("{versions}/{v2}"))
        .await
        .expect_error(409, "version_needed_for_rollback");
    co.admin
        .put(&policy, json!({ "version": v3 }))
        .await
        .expect(200);
    co.admin
        .delete(&format!("{versions}/{v2}"))
        .await
        .expect(204);
    let back = co
        .admin
        .post(&format!("{policy}/rollback"), json!({}))
        .await
        .expect(200);
    assert_eq!(back["version"], v1);

    // Deactivated: nothing to roll back to, every version may go.
    co.admin.delete(&policy).await.expect(204);
    for v in [v1, v3] {
        co.admin
            .delete(&format!("{versions}/{v}"))
            .await
            .expect(204);
    }
}

#[tokio::test]
async fn concurrent_uploads_to_one_company_get_distinct_versions() {
    let server = Server::start().await;
    let account = server.operator().account("Uploads").await;
    let co = company(&server, account, "Company U", "+918000000626").await;
    // The first upload compiles and stores the artifact; the concurrent ones reuse it, so the
    // race is between the version numbering and the writes, not 20 compiles.
    assert_eq!(
        upload(&co, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await,
        1
    );
    let uploads: Vec<_> = (0..20)
        .map(|i| {
            let co = Co {
                id: co.id,
                name: co.name.clone(),
                admin: co.admin.clone(),
                dept: co.dept,
                number: co.number.clone(),
            };
            tokio::spawn(async move {
                upload(
                    &co,
                    switchyard_artifacts::LONGEST_IDLE,
                    &format!("copy-{i}"),
                )
                .await
            })
        })
        .collect();
    let mut answered = Vec::new();
    for u in uploads {
        answered.push(u.await.unwrap());
    }
    answered.sort_unstable();
    assert_eq!(answered, (2..=21).collect::<Vec<u64>>(), "one version each");

    let list = co
        .admin
        .get(&format!("/v1/companies/{}/policies", co.id))
        .await
        .expect(200);
    let listed: Vec<u64> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect();
    assert_eq!(listed, (1..=21).collect::<Vec<u64>>(), "{list}");
    let names: std::collections::BTreeSet<&str> = list["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 21, "no upload overwrote another: {list}");
    let history = co
        .admin
        .get(&format!("/v1/companies/{}/policy/history", co.id))
        .await
        .expect(200);
    let mut uploaded: Vec<u64> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["to"].as_u64().unwrap())
        .collect();
    uploaded.sort_unstable();
    assert_eq!(uploaded, (1..=21).collect::<Vec<u64>>(), "{history}");
}

#[tokio::test]
async fn concurrent_activations_leave_a_consistent_history() {
    let server = Server::start().await;
    let account = server.operator().account("Activations").await;
    let co = company(&server, account, "Company Y", "+918000000636").await;
    let agent = hire(&server, &co, "y@example.com", "agent", "636").await;
    log_in(&agent, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let v1 = upload(&co, switchyard_artifacts::LONGEST_IDLE, "longest-idle").await;
    let v2 = upload(&co, switchyard_artifacts::ROUND_ROBIN, "round-robin").await;
    let policy = format!("/v1/companies/{}/policy", co.id);

    let activations: Vec<_> = (0..20)
        .map(|i| {
            let admin = co.admin.clone();
            let path = policy.clone();
            let version = if i % 2 == 0 { v1 } else { v2 };
            tokio::spawn(async move {
                admin
                    .put(&path, json!({ "version": version }))
                    .await
                    .expect(200)
            })
        })
        .collect();
    for a in activations {
        a.await.unwrap();
    }

    // Each activation replaced the one recorded just before it.
    let history = co.admin.get(&format!("{policy}/history")).await.expect(200);
    let steps: Vec<(Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["action"] == "activate")
        .map(|c| (c["from"].clone(), c["to"].clone()))
        .collect();
    assert_eq!(steps.len(), 20, "{history}");
    assert_eq!(steps[0].0, Value::Null, "{history}");
    for pair in steps.windows(2) {
        assert_eq!(pair[1].0, pair[0].1, "a lost activation: {history}");
    }
    let (last_from, last_to) = steps.last().unwrap().clone();
    let list = co
        .admin
        .get(&format!("/v1/companies/{}/policies", co.id))
        .await
        .expect(200);
    assert_eq!(list["active"]["version"], last_to, "{list}");
    assert_eq!(list["active"]["previous"]["version"], last_from, "{list}");
    // The call flow uses what the store says is active.
    assert_eq!(
        deciding_policy(&co, &tel, "y-1").await,
        list["active"]["name"]
    );

    let back = co
        .admin
        .post(&format!("{policy}/rollback"), json!({}))
        .await
        .expect(200);
    assert_eq!(back["version"], last_from);
    assert_eq!(back["previous"]["version"], last_to);
    let name = if back["version"] == v1 {
        "longest-idle"
    } else {
        "round-robin"
    };
    assert_eq!(deciding_policy(&co, &tel, "y-2").await, name);
}
