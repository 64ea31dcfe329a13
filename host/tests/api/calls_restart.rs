//! Calls survive a restart: the real binary takes concurrent calls in every stage (sequential
//! ringing in A, simultaneous ringing in B through ring-all, connected, A's wrap-up, queued)
//! and is SIGKILLed or SIGTERMed at seeded random points, then restarted on the same data.
//! The platform (the test's workers) carries every call on from where `GET /v1/calls/{id}`
//! says it is: each acknowledged call reaches its end and is logged exactly once under its
//! company, no agent is ever engaged by two calls, and agents stay logged in across restarts
//! without logging in again. The same check, with live state volatile, sees calls lost.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::calls_support::{company, hire, log_in, share};
use crate::durability::spawn_binary_with;
use crate::support::{EventStream, OPERATOR, Rng, Server};

const SEED: u64 = 0x5EED_0010_CA11_0001;
/// Kill/restart rounds (even: SIGKILL, odd: SIGTERM).
const ROUNDS: u64 = 4;
const WORKERS: usize = 4;
/// Calls each worker starts at most.
const CALLS_PER_WORKER: usize = 200;

/// What the platform sends to and gets from whichever process is serving now.
#[derive(Clone)]
struct Platform {
    http: reqwest::Client,
    /// Base URL of the live process; changes at every restart.
    base: watch::Receiver<String>,
    token: String,
}

/// An answer, or the process being gone.
enum Sent {
    Answer(u16, Value),
    Down,
}

impl Platform {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Sent {
        let base = self.base.borrow().clone();
        let mut req = self
            .http
            .request(method, format!("{base}{path}"))
            .bearer_auth(&self.token)
            .timeout(Duration::from_secs(20));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let Ok(resp) = req.send().await else {
            return Sent::Down;
        };
        let status = resp.status().as_u16();
        let Ok(text) = resp.text().await else {
            return Sent::Down;
        };
        Sent::Answer(status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Waits for the next process after `seen` died.
    async fn restarted(&mut self, seen: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while *self.base.borrow() == seen {
            assert!(Instant::now() < deadline, "no restart within 60 s");
            let _ = tokio::time::timeout(Duration::from_millis(200), self.base.changed()).await;
        }
    }
}

/// Where the platform believes a call is.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Ringing(Vec<u64>),
    Connected(u64),
    Queued,
    /// Over: with the outcome its log must show, when the platform knows it.
    Over(Option<String>),
}

fn step_of(update: &Value) -> Step {
    let i = &update["instruction"];
    match i["action"].as_str().unwrap_or_default() {
        "ring" => Step::Ringing(
            i["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["agent_id"].as_u64().unwrap())
                .collect(),
        ),
        "keep-ringing" => Step::Ringing(
            i["agents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_u64().unwrap())
                .collect(),
        ),
        "connected" => Step::Connected(i["agent_id"].as_u64().unwrap()),
        "queue" => Step::Queued,
        "voicemail" => Step::Over(Some("voicemail".into())),
        "forward-number" => Step::Over(Some("forwarded".into())),
        "reject" => Step::Over(Some("rejected".into())),
        other => panic!("unexpected instruction {other}: {update}"),
    }
}

fn step_of_status(status: &Value) -> Step {
    match status["stage"].as_str().unwrap() {
        "ringing" => Step::Ringing(
            status["ringing"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_u64().unwrap())
                .collect(),
        ),
        "connected" => Step::Connected(status["connected_to"].as_u64().unwrap()),
        "queued" => Step::Queued,
        other => panic!("unexpected stage {other}: {status}"),
    }
}

/// What the test knows of every call it placed.
#[derive(Default)]
struct Book {
    /// Acknowledged calls: company, and the outcome when the platform saw the end.
    calls: Mutex<HashMap<String, (u64, Option<String>)>>,
    /// Steps acknowledged in the current round (the killer waits for some).
    round: AtomicUsize,
    /// Calls found live again after a restart, by stage.
    resumed: Mutex<HashMap<&'static str, usize>>,
}

struct World {
    /// (company id, number)
    companies: Vec<(u64, String)>,
    agents: Vec<u64>,
    /// The agents' own tokens.
    tokens: Vec<String>,
}

/// Two companies sharing three agents: A (built-in longest-idle: sequential, queues when
/// all are busy, wrap-up 1 s) and B (ring-all: simultaneous). One telephony token for both.
async fn set_up(data: &std::path::Path, people: usize) -> (World, String) {
    let server = Server::start_in(data).await;
    let op = server.operator();
    let account = op.account("Restart BPO").await;
    let a = company(&server, account, "Restart A", "+918000001001").await;
    let b = company(&server, account, "Restart B", "+918000001002").await;
    a.admin
        .patch(
            &format!("/v1/companies/{}", a.id),
            json!({ "wrap_up_secs": 1 }),
        )
        .await
        .expect(200);
    let wasm = std::fs::read(switchyard_artifacts::RING_ALL).unwrap();
    let version = b
        .admin
        .send_raw(
            Method::POST,
            &format!("/v1/companies/{}/policies?name=ring-all", b.id),
            "application/wasm",
            wasm,
        )
        .await
        .expect(201)["version"]
        .as_u64()
        .unwrap();
    b.admin
        .put(
            &format!("/v1/companies/{}/policy", b.id),
            json!({ "version": version, "config": { "ring_timeout_ms": 20000 } }),
        )
        .await
        .expect(200);
    let mut agents = Vec::new();
    let mut tokens = Vec::new();
    for i in 0..people {
        let person = hire(
            &server,
            &a,
            &format!("r{i}@restart.test"),
            "agent",
            &format!("1{i}"),
        )
        .await;
        share(&b, &person, "agent", &format!("2{i}")).await;
        log_in(&person, true).await;
        agents.push(person.id);
        tokens.push(person.token.clone());
    }
    let telephony = op
        .token(json!({ "kind": "telephony", "numbers": [a.number, b.number] }))
        .await;
    server.stop().await;
    let world = World {
        companies: vec![(a.id, a.number.clone()), (b.id, b.number.clone())],
        agents,
        tokens,
    };
    (world, telephony)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_every_stage_survive_sigkill_and_sigterm() {
    let temp = tempfile::tempdir().unwrap();
    let (world, token) = set_up(temp.path(), 3).await;
    let world = Arc::new(world);
    let book = Arc::new(Book::default());
    let mut rng = Rng::new(SEED);

    let (mut child, base) = spawn_binary_with(temp.path(), &[]).await;
    let (base_tx, base_rx) = watch::channel(base);
    let platform = Platform {
        http: reqwest::Client::new(),
        base: base_rx,
        token,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = JoinSet::new();
    for w in 0..WORKERS {
        workers.spawn(worker(
            platform.clone(),
            Arc::clone(&world),
            Arc::clone(&book),
            Arc::clone(&stop),
            w,
            Rng::new(rng.next()),
        ));
    }
    for round in 0..ROUNDS {
        book.round.store(0, Ordering::SeqCst);
        let target = 15 + rng.below(60) as usize;
        let deadline = Instant::now() + Duration::from_secs(60);
        while book.round.load(Ordering::SeqCst) < target && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.below(30))).await;
        if round % 2 == 0 {
            child.start_kill().unwrap(); // SIGKILL
        } else {
            let pid = child.id().unwrap().to_string();
            let sent = std::process::Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap();
            assert!(sent.success());
        }
        child.wait().await.unwrap();
        let (next, base) = spawn_binary_with(temp.path(), &[]).await;
        child = next;
        assert_logged_in(&platform.http, &base, &world).await;
        base_tx.send(base).unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    let finish_by = Instant::now() + Duration::from_secs(120);
    while let Some(done) = tokio::time::timeout_at(finish_by.into(), workers.join_next())
        .await
        .expect("the workers did not finish their calls in 120 s")
    {
        done.unwrap();
    }
    let pid = child.id().unwrap().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    child.wait().await.unwrap();

    let server = Server::start_in(temp.path()).await;
    audit(&server, &world, &book).await;
    let resumed = book.resumed.lock().unwrap().clone();
    eprintln!(
        "calls acknowledged: {}; found live again after a restart, by stage: {resumed:?}",
        book.calls.lock().unwrap().len()
    );
    assert!(
        resumed.values().sum::<usize>() > 0,
        "no call was live across a restart: the test proved nothing"
    );
    server.stop().await;
}

/// With live state volatile, a connected call is gone after a restart: the check that the
/// durable run passes fails here, so it can fail.
#[tokio::test]
async fn with_volatile_live_state_the_check_sees_calls_lost() {
    let temp = tempfile::tempdir().unwrap();
    let (world, token) = set_up(temp.path(), 3).await;
    let (child, base) = spawn_binary_with(temp.path(), &["--volatile-live-state"]).await;
    let mut child = child;
    // A volatile start forgets who was logged in: log them in again.
    let http = reqwest::Client::new();
    for agent in &world.tokens {
        let resp = http
            .put(format!("{base}/v1/me/presence"))
            .bearer_auth(agent)
            .json(&json!({ "logged_in": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let (_tx, base_rx) = watch::channel(base);
    let platform = Platform {
        http,
        base: base_rx,
        token,
    };
    let number = &world.companies[0].1;
    let Sent::Answer(201, update) = platform
        .send(
            Method::POST,
            "/v1/calls",
            Some(json!({ "call_id": "v-1", "number": number })),
        )
        .await
    else {
        panic!("the call was refused");
    };
    let Step::Ringing(agents) = step_of(&update) else {
        panic!("not ringing: {update}");
    };
    let answered = json!({ "type": "answered", "agent_id": agents[0] });
    let Sent::Answer(200, _) = platform
        .send(Method::POST, "/v1/calls/v-1/events", Some(answered))
        .await
    else {
        panic!("the answer was refused");
    };
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let (mut child, base) = spawn_binary_with(temp.path(), &["--volatile-live-state"]).await;
    let (_tx, base_rx) = watch::channel(base);
    let platform = Platform {
        base: base_rx,
        ..platform
    };
    let Sent::Answer(status, _) = platform.send(Method::GET, "/v1/calls/v-1", None).await else {
        panic!("down");
    };
    assert_eq!(status, 404, "volatile live state kept the call");
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let server = Server::start_in(temp.path()).await;
    let logs = company_logs(&server, world.companies[0].0).await;
    assert!(
        !logs.iter().any(|l| l["call_id"] == "v-1"),
        "the lost call was logged"
    );
    server.stop().await;
}

/// A wrap-up that ended while the service was down frees its agent at start-up, which serves
/// the queued call at once: the ring is pushed and replayed to the platform when it resumes
/// its stream (`Last-Event-ID`). Trace ids read before the restart answer the same decisions
/// after it.
#[tokio::test]
async fn what_fell_due_during_downtime_is_done_at_start_up_and_pushed() {
    let temp = tempfile::tempdir().unwrap();
    let (world, token) = set_up(temp.path(), 1).await;
    let (a, number) = world.companies[0].clone();
    let agent = world.agents[0];
    let (mut child, base) = spawn_binary_with(temp.path(), &[]).await;
    let http = reqwest::Client::new();
    let post = |path: String, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let first: Value = post(
        "/v1/calls".into(),
        json!({ "call_id": "d-1", "number": number }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(step_of(&first), Step::Ringing(vec![agent]), "{first}");
    for event in [
        json!({ "type": "answered", "agent_id": agent }),
        json!({ "type": "ended" }),
    ] {
        let resp = post("/v1/calls/d-1/events".into(), event).await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    // The only agent is in A's 1 s wrap-up: the next call queues.
    let second: Value = post(
        "/v1/calls".into(),
        json!({ "call_id": "d-2", "number": number }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(step_of(&second), Step::Queued, "{second}");
    let traces = [
        first["trace_id"].as_str().unwrap().to_owned(),
        second["trace_id"].as_str().unwrap().to_owned(),
    ];
    let read_trace = |base: String, id: String| {
        let http = http.clone();
        async move {
            let resp = http
                .get(format!("{base}/v1/companies/{a}/traces/{id}"))
                .bearer_auth(OPERATOR)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200, "trace {id}");
            resp.json::<Value>().await.unwrap()
        }
    };
    let mut before = Vec::new();
    for id in &traces {
        before.push(read_trace(base.clone(), id.clone()).await);
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    // Down for longer than the wrap-up.
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    let (mut child, base) = spawn_binary_with(temp.path(), &[]).await;
    let resp = http
        .get(format!("{base}/v1/telephony/stream"))
        .bearer_auth(&token)
        .header("last-event-id", "0")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut stream = EventStream::from_response(resp);
    let pushed = stream
        .next_call(Duration::from_secs(10))
        .await
        .expect("the start-up decision was not pushed");
    assert_eq!(pushed["update"]["call_id"], "d-2", "{pushed}");
    assert_eq!(
        step_of(&pushed["update"]),
        Step::Ringing(vec![agent]),
        "{pushed}"
    );
    for (id, before) in traces.iter().zip(&before) {
        let after = read_trace(base.clone(), id.clone()).await;
        assert_eq!(&after, before, "trace {id} changed across the restart");
    }
    // The pushed ring is the call's state: it can be answered and ended, and is logged once.
    let post = |path: String, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    for event in [
        json!({ "type": "answered", "agent_id": agent }),
        json!({ "type": "ended" }),
    ] {
        let resp = post("/v1/calls/d-2/events".into(), event).await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    child.start_kill().unwrap();
    child.wait().await.unwrap();
    let server = Server::start_in(temp.path()).await;
    let logs = company_logs(&server, a).await;
    let ids: Vec<&str> = logs
        .iter()
        .map(|l| l["call_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec!["d-2", "d-1"],
        "each call logged once, newest first"
    );
    assert_eq!(logs[0]["outcome"], "answered");
    server.stop().await;
}

/// Agents logged in before the restart still are (none logged in again).
async fn assert_logged_in(http: &reqwest::Client, base: &str, world: &World) {
    let (company, _) = world.companies[0];
    let board: Value = http
        .get(format!("{base}/v1/companies/{company}/board"))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = board.as_array().unwrap();
    assert_eq!(entries.len(), world.agents.len(), "{board}");
    for entry in entries {
        assert_ne!(
            entry["detail"]["activity"], "logged-out",
            "an agent was logged out by the restart: {entry}"
        );
    }
}

/// One platform line: places calls one after another and carries each to its end, picking
/// up after a restart from where the call is.
async fn worker(
    mut platform: Platform,
    world: Arc<World>,
    book: Arc<Book>,
    stop: Arc<AtomicBool>,
    w: usize,
    mut rng: Rng,
) {
    for i in 0..CALLS_PER_WORKER {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let call_id = format!("w{w}c{i}");
        let (company, number) = world.companies[rng.below(2) as usize].clone();
        let body = json!({ "call_id": call_id, "number": number, "caller": "+919000000001" });
        let seen = platform.base.borrow().clone();
        let mut step = match platform.send(Method::POST, "/v1/calls", Some(body)).await {
            Sent::Answer(201, update) => step_of(&update),
            Sent::Answer(status, body) => panic!("new call {call_id}: {status} {body}"),
            Sent::Down => {
                platform.restarted(&seen).await;
                match resync(&platform, &call_id, &book).await {
                    // Never taken: the platform would post it again as a new call.
                    None => continue,
                    Some(step) => step,
                }
            }
        };
        book.calls
            .lock()
            .unwrap()
            .insert(call_id.clone(), (company, None));
        book.round.fetch_add(1, Ordering::SeqCst);
        loop {
            if let Step::Over(outcome) = &step {
                book.calls
                    .lock()
                    .unwrap()
                    .insert(call_id.clone(), (company, outcome.clone()));
                break;
            }
            let events = format!("/v1/calls/{call_id}/events");
            let (request, next) = match &step {
                Step::Ringing(agents) if agents.is_empty() => {
                    // Rung by nobody right now (a restart moved it on): look again.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    (None, None)
                }
                Step::Ringing(agents) => {
                    let agent = agents[rng.below(agents.len() as u64) as usize];
                    match rng.below(10) {
                        0..=5 => (Some(json!({ "type": "answered", "agent_id": agent })), None),
                        6..=7 => (
                            Some(json!({ "type": "no-answer", "agent_id": agent })),
                            None,
                        ),
                        _ => (
                            Some(json!({ "type": "abandoned" })),
                            Some(Step::Over(Some("abandoned".into()))),
                        ),
                    }
                }
                Step::Connected(_) => {
                    tokio::time::sleep(Duration::from_millis(rng.below(15))).await;
                    (
                        Some(json!({ "type": "ended" })),
                        Some(Step::Over(Some("answered".into()))),
                    )
                }
                Step::Queued => {
                    // Wait a little to be served; then the caller gives up.
                    tokio::time::sleep(Duration::from_millis(20 + rng.below(40))).await;
                    let seen = platform.base.borrow().clone();
                    match platform
                        .send(Method::GET, &format!("/v1/calls/{call_id}"), None)
                        .await
                    {
                        Sent::Answer(200, status) if status["stage"] == "ringing" => {
                            step = step_of_status(&status);
                            continue;
                        }
                        Sent::Answer(200, _) if rng.below(3) > 0 => continue,
                        Sent::Answer(..) => (
                            Some(json!({ "type": "abandoned" })),
                            Some(Step::Over(Some("abandoned".into()))),
                        ),
                        Sent::Down => {
                            platform.restarted(&seen).await;
                            step = resync(&platform, &call_id, &book)
                                .await
                                .unwrap_or(Step::Over(None));
                            continue;
                        }
                    }
                }
                Step::Over(_) => unreachable!(),
            };
            let Some(request) = request else {
                step = refresh(&mut platform, &call_id, &book).await;
                continue;
            };
            let seen = platform.base.borrow().clone();
            step = match platform.send(Method::POST, &events, Some(request)).await {
                Sent::Answer(200, update) => {
                    book.round.fetch_add(1, Ordering::SeqCst);
                    match next {
                        Some(over) => {
                            assert_eq!(update["instruction"]["action"], "done", "{update}");
                            over
                        }
                        None => step_of(&update),
                    }
                }
                // The call moved on meanwhile (an offer lapsed, a restart): look where it is.
                Sent::Answer(404 | 409, _) => refresh(&mut platform, &call_id, &book).await,
                Sent::Answer(status, body) => panic!("{call_id}: {status} {body}"),
                Sent::Down => {
                    platform.restarted(&seen).await;
                    resync(&platform, &call_id, &book)
                        .await
                        .unwrap_or(Step::Over(None))
                }
            };
        }
    }
}

/// Where the call is now, read from the live process (`Over(None)` once it is gone).
async fn refresh(platform: &mut Platform, call_id: &str, book: &Book) -> Step {
    let seen = platform.base.borrow().clone();
    match platform
        .send(Method::GET, &format!("/v1/calls/{call_id}"), None)
        .await
    {
        Sent::Answer(200, status) => step_of_status(&status),
        Sent::Answer(404, _) => Step::Over(None),
        Sent::Answer(status, body) => panic!("{call_id}: {status} {body}"),
        Sent::Down => {
            platform.restarted(&seen).await;
            resync(platform, call_id, book)
                .await
                .unwrap_or(Step::Over(None))
        }
    }
}

/// After a restart: where the call is (`None`: not live, so finished or never taken).
async fn resync(platform: &Platform, call_id: &str, book: &Book) -> Option<Step> {
    match platform
        .send(Method::GET, &format!("/v1/calls/{call_id}"), None)
        .await
    {
        Sent::Answer(200, status) => {
            let stage = match status["stage"].as_str().unwrap() {
                "ringing" => "ringing",
                "connected" => "connected",
                _ => "queued",
            };
            *book.resumed.lock().unwrap().entry(stage).or_default() += 1;
            Some(step_of_status(&status))
        }
        Sent::Answer(404, _) => None,
        Sent::Answer(status, body) => panic!("{call_id} after a restart: {status} {body}"),
        Sent::Down => panic!("the restarted process is down"),
    }
}

async fn company_logs(server: &Server, company: u64) -> Vec<Value> {
    crate::calls_support::all_logs(&server.operator(), company).await
}

/// Every acknowledged call is logged once under its company with the outcome the platform
/// saw; no agent held two calls at once; nothing is left live; agents are still logged in.
async fn audit(server: &Server, world: &World, book: &Book) {
    let mut logged: HashMap<String, (u64, Value)> = HashMap::new();
    for (company, _) in &world.companies {
        for log in company_logs(server, *company).await {
            let call_id = log["call_id"].as_str().unwrap().to_owned();
            let previous = logged.insert(call_id.clone(), (*company, log));
            assert!(previous.is_none(), "{call_id} is logged twice");
        }
    }
    let calls = book.calls.lock().unwrap().clone();
    for (call_id, (company, outcome)) in &calls {
        let (logged_in, log) = logged
            .get(call_id)
            .unwrap_or_else(|| panic!("acknowledged call {call_id} was never logged"));
        assert_eq!(logged_in, company, "{call_id} logged under another company");
        if let Some(outcome) = outcome {
            assert_eq!(log["outcome"], *outcome.as_str(), "{call_id}: {log}");
        }
    }
    crate::calls_support::assert_never_double_booked(logged.values().map(|(_, log)| log));
    let center = server.state().calls();
    assert_eq!(center.live_count(), 0, "calls left live");
    for agent in &world.agents {
        let live = center.registry().get(switchyard::calls::AgentId(*agent));
        assert!(live.logged_in, "agent {agent} logged out: {live:?}");
        assert!(
            live.engagement
                .is_none_or(|e| matches!(e.phase, switchyard::calls::Phase::WrapUp { .. })),
            "agent {agent} is stuck: {live:?}"
        );
    }
}
