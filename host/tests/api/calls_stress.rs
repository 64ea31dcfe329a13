//! Concurrency stress: three companies share six agents (each in two or three companies, all
//! logged in); 150 calls arrive with at most 16 in flight and random outcomes (answer then
//! end, decline, no answer, abandon; queued calls wait a little for the pushed offer, then
//! hang up). Afterwards every company's call log is audited: each call logged exactly once,
//! under its company, with the outcome the platform saw; no agent ever held two calls (or
//! offers) at once across all companies; nobody is left reserved. `calls_audit.rs` runs the
//! same stress and audit with more calls, more in flight and more seeds.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::calls_support::{Co, action, all_logs, call, company, event, hire, log_in, share};
use crate::support::{Client, Rng, Server};

const COMPANIES: usize = 3;
const AGENTS: usize = 6;
const CALLS: usize = 150;
const IN_FLIGHT: usize = 16;
const SEED: u64 = 0x5EED_CA11_F10E_2026;

/// Updates pushed on the telephony stream, by call id.
#[derive(Default)]
pub(crate) struct Pushes(Mutex<HashMap<String, VecDeque<Value>>>);

impl Pushes {
    /// Collects every update `tel`'s telephony stream pushes, until the task is aborted.
    pub(crate) async fn follow(pushes: &Arc<Self>, tel: &Client) -> tokio::task::JoinHandle<()> {
        let mut stream = tel.stream("/v1/telephony/stream").await;
        let pushes = Arc::clone(pushes);
        tokio::spawn(async move {
            while let Some(pushed) = stream.next_call(Duration::from_secs(600)).await {
                pushes.add(pushed);
            }
        })
    }

    pub(crate) fn add(&self, pushed: Value) {
        let call_id = pushed["update"]["call_id"].as_str().unwrap().to_owned();
        let mut map = self.0.lock().unwrap();
        map.entry(call_id)
            .or_default()
            .push_back(pushed["update"].clone());
    }

    /// The next update pushed for `call_id` within `wait`.
    async fn wait(&self, call_id: &str, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        loop {
            let next = self
                .0
                .lock()
                .unwrap()
                .get_mut(call_id)
                .and_then(VecDeque::pop_front);
            if next.is_some() || Instant::now() >= deadline {
                return next;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// How the platform saw a call end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ended {
    call_id: String,
    company: u64,
    outcome: &'static str,
    answered_by: Option<u64>,
    /// Times the call waited in a queue and was then offered on the stream.
    served_from_queue: u32,
}

/// Extensions by (company, agent).
pub(crate) type Extensions = HashMap<(u64, u64), String>;

/// Plays the telephony platform for one call until it is over, each request to one of `tels`
/// (the same platform at several nodes of a cluster) drawn at random.
pub(crate) async fn drive(
    tels: Arc<Vec<Client>>,
    pushes: Arc<Pushes>,
    extensions: Arc<Extensions>,
    call_id: String,
    co: (u64, String),
    mut rng: Rng,
) -> Ended {
    let (company, number) = co;
    let mut served = 0;
    let ended = |outcome, answered_by, served_from_queue| Ended {
        call_id: call_id.clone(),
        company,
        outcome,
        answered_by,
        served_from_queue,
    };
    let pick = |rng: &mut Rng| tels[rng.below(tels.len() as u64) as usize].clone();
    let mut update = call(&pick(&mut rng), &call_id, &number).await;
    loop {
        let tel = pick(&mut rng);
        assert_eq!(update["company_id"], company, "{update}");
        let instruction = &update["instruction"];
        let ringing: Vec<u64> = match action(&update) {
            "ring" => instruction["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let agent = t["agent_id"].as_u64().unwrap();
                    assert_eq!(
                        t["extension"].as_str(),
                        extensions.get(&(company, agent)).map(String::as_str),
                        "wrong extension for agent {agent} in company {company}"
                    );
                    agent
                })
                .collect(),
            "keep-ringing" => instruction["agents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_u64().unwrap())
                .collect(),
            "queue" => {
                let patience = Duration::from_millis(20 + rng.below(200));
                match pushes.wait(&call_id, patience).await {
                    Some(pushed) => {
                        served += 1;
                        update = pushed;
                    }
                    None => {
                        let done = event(&tel, &call_id, json!({ "type": "abandoned" })).await;
                        assert_eq!(action(&done), "done");
                        return ended("abandoned", None, served);
                    }
                }
                continue;
            }
            "voicemail" => return ended("voicemail", None, served),
            "forward-number" => return ended("forwarded", None, served),
            "reject" => return ended("rejected", None, served),
            other => panic!("unexpected action {other}: {update}"),
        };
        let agent = ringing[rng.below(ringing.len() as u64) as usize];
        update = match rng.below(4) {
            0 => {
                let connected = event(
                    &tel,
                    &call_id,
                    json!({ "type": "answered", "agent_id": agent }),
                )
                .await;
                assert_eq!(connected["instruction"]["agent_id"], agent, "{connected}");
                tokio::time::sleep(Duration::from_millis(rng.below(8))).await;
                let done = event(&tel, &call_id, json!({ "type": "ended" })).await;
                assert_eq!(action(&done), "done");
                return ended("answered", Some(agent), served);
            }
            1 => {
                event(
                    &tel,
                    &call_id,
                    json!({ "type": "declined", "agent_id": agent }),
                )
                .await
            }
            2 => {
                event(
                    &tel,
                    &call_id,
                    json!({ "type": "no-answer", "agent_id": agent }),
                )
                .await
            }
            _ => {
                let done = event(&tel, &call_id, json!({ "type": "abandoned" })).await;
                assert_eq!(action(&done), "done");
                return ended("abandoned", None, served);
            }
        };
    }
}

/// Three companies; agent `a` belongs to companies `a % 3` and `a + 1 % 3`, and the even ones
/// to the third as well; extensions differ per company. Everyone logged in.
pub(crate) async fn world(server: &Server) -> (Vec<Co>, Vec<u64>, Extensions) {
    let account = server.operator().account("Stress BPO").await;
    let mut cos = Vec::new();
    for c in 0..COMPANIES {
        let number = format!("+9180000005{c:02}");
        cos.push(company(server, account, &format!("Stress {c}"), &number).await);
    }
    let mut agents = Vec::new();
    let mut extensions = Extensions::new();
    for a in 0..AGENTS {
        let mut homes = vec![a % COMPANIES, (a + 1) % COMPANIES];
        if a % 2 == 0 {
            homes.push((a + 2) % COMPANIES);
        }
        let ext = |c: usize| format!("{}{a:02}", c + 1);
        let first = &cos[homes[0]];
        let person = hire(
            server,
            first,
            &format!("agent{a}@stress.test"),
            "agent",
            &ext(homes[0]),
        )
        .await;
        extensions.insert((first.id, person.id), ext(homes[0]));
        for &c in &homes[1..] {
            share(&cos[c], &person, "agent", &ext(c)).await;
            extensions.insert((cos[c].id, person.id), ext(c));
        }
        log_in(&person, true).await;
        agents.push(person.id);
    }
    (cos, agents, extensions)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_agents_under_concurrent_calls_are_never_double_booked() {
    stress_and_audit(SEED, CALLS, IN_FLIGHT).await;
}

/// One run on a fresh server: `total` calls, at most `in_flight` at once, outcomes drawn from
/// `seed`; then the audit.
pub(crate) async fn stress_and_audit(seed: u64, total: usize, in_flight: usize) {
    let server = Server::start().await;
    let (cos, agents, extensions) = world(&server).await;
    let extensions = Arc::new(extensions);
    let numbers: Vec<&str> = cos.iter().map(|c| c.number.as_str()).collect();
    let tel = crate::calls_support::telephony(&server, &numbers).await;

    let pushes = Arc::new(Pushes::default());
    let listener = Pushes::follow(&pushes, &tel).await;

    let tels = Arc::new(vec![tel.clone()]);
    let ended = run_calls(
        &tels,
        &pushes,
        &extensions,
        &cos,
        seed,
        total,
        in_flight,
        "stress",
    )
    .await;
    listener.abort();

    audit(&server, &cos, &agents, &extensions, &ended).await;
}

/// Places `total` calls (`{prefix}-{i}`) to random companies of `cos`, at most `in_flight` at
/// once, each played by [`drive`] with outcomes drawn from `seed`; returns how each ended.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run_calls(
    tels: &Arc<Vec<Client>>,
    pushes: &Arc<Pushes>,
    extensions: &Arc<Extensions>,
    cos: &[Co],
    seed: u64,
    total: usize,
    in_flight: usize,
    prefix: &str,
) -> Vec<Ended> {
    let mut rng = Rng::new(seed);
    let slots = Arc::new(Semaphore::new(in_flight));
    let mut calls = JoinSet::new();
    for i in 0..total {
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        let co = &cos[rng.below(cos.len() as u64) as usize];
        let call_seed = rng.next();
        let (tels, pushes, extensions) =
            (Arc::clone(tels), Arc::clone(pushes), Arc::clone(extensions));
        let (call_id, co) = (format!("{prefix}-{i}"), (co.id, co.number.clone()));
        calls.spawn(async move {
            // The slot is freed when the call is over.
            let _slot = slot;
            drive(tels, pushes, extensions, call_id, co, Rng::new(call_seed)).await
        });
    }
    let mut ended = Vec::new();
    while let Some(done) = calls.join_next().await {
        ended.push(done.unwrap());
    }
    ended
}

/// The checks after every call is over.
async fn audit(
    server: &Server,
    cos: &[Co],
    agents: &[u64],
    extensions: &Extensions,
    ended: &[Ended],
) {
    audit_logs(cos, extensions, ended).await;
    // Nothing is left reserved, live or queued.
    let calls = server.state().calls();
    assert_eq!(calls.live_count(), 0);
    assert!(calls.queues().all().is_empty());
    for agent in agents {
        let live = calls.registry().get(switchyard::calls::AgentId(*agent));
        assert!(
            live.engagement.is_none(),
            "agent {agent} is stuck: {live:?}"
        );
    }
    assert_boards_idle(cos).await;
}

/// Every company's board shows every member idle.
pub(crate) async fn assert_boards_idle(cos: &[Co]) {
    for co in cos {
        let board = co
            .admin
            .get(&format!("/v1/companies/{}/board", co.id))
            .await
            .expect(200);
        for entry in board.as_array().unwrap() {
            assert_eq!(entry["detail"]["activity"], "idle", "{}: {entry}", co.name);
        }
    }
}

/// The logs' part of the audit: every call logged exactly once under its company with the
/// outcome the platform saw, right extensions, no agent's engagements overlapping.
pub(crate) async fn audit_logs(cos: &[Co], extensions: &Extensions, ended: &[Ended]) {
    let calls_placed = ended.len();
    let count = |outcome: &str| ended.iter().filter(|e| e.outcome == outcome).count();
    let served: u32 = ended.iter().map(|e| e.served_from_queue).sum();
    // The run went through every path: connected calls, hang-ups, queued calls later offered.
    assert!(count("answered") > 0 && count("abandoned") > 0 && served > 0);
    let mut logged: HashMap<String, (u64, Value)> = HashMap::new();
    for co in cos {
        for log in all_logs(&co.admin, co.id).await {
            assert_eq!(
                log["company_id"], co.id,
                "another company's call in {}",
                co.name
            );
            let call_id = log["call_id"].as_str().unwrap().to_owned();
            let previous = logged.insert(call_id.clone(), (co.id, log));
            assert!(previous.is_none(), "{call_id} is logged twice");
        }
    }
    assert_eq!(logged.len(), calls_placed, "every call is logged once");

    for e in ended {
        let (company, log) = &logged[&e.call_id];
        assert_eq!(
            *company, e.company,
            "{} logged under the wrong company",
            e.call_id
        );
        assert_eq!(log["outcome"], e.outcome, "{}: {log}", e.call_id);
        assert_eq!(log["answered_by"].as_u64(), e.answered_by, "{}", e.call_id);
        for offer in log["offers"].as_array().unwrap() {
            let agent = offer["agent_id"].as_u64().unwrap();
            assert_eq!(
                offer["extension"].as_str(),
                extensions.get(&(e.company, agent)).map(String::as_str)
            );
        }
    }
    // Each agent's engagements across all companies never overlap.
    crate::calls_support::assert_never_double_booked(logged.values().map(|(_, log)| log));
}
