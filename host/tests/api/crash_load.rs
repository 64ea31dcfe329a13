//! Crash safety under load: the real `switchyard` binary is SIGKILLed at seeded random points
//! while concurrent clients add agents and memberships, play whole call lifecycles (each ends
//! in a call log) and upload and activate policy versions. After every kill the directory's
//! records and indexes agree (read straight from the files); after every restart each write
//! that was acknowledged with a 2xx is there: memberships, activations, call logs (once each,
//! with their outcome), policy versions (unchanged) and the latest acknowledged activation.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::crash_support::{Api, Payload, World, call_logs, consistent_on_disk, pages, set_up};
use crate::durability::spawn_binary;
use crate::support::{OPERATOR, Rng, Server};

/// Kill/restart rounds.
const ROUNDS: u64 = 5;
const SEED: u64 = 0xC2A5_4B1D_0000_0006;

/// What each load worker holds.
#[derive(Clone)]
struct Load {
    api: Api,
    world: Arc<World>,
    acks: Arc<Acks>,
}

/// Writes acknowledged so far, and how many in the current round.
#[derive(Default)]
struct Acks {
    /// Writes acknowledged in this round.
    round: AtomicUsize,
    /// Policy writes acknowledged in this round.
    policy_round: AtomicUsize,
    /// (company, agent) memberships.
    members: Mutex<Vec<(u64, u64)>>,
    /// Agents whose activation was acknowledged.
    activated: Mutex<Vec<u64>>,
    /// Call id and the outcome its log must show.
    calls: Mutex<Vec<(String, &'static str)>>,
    /// Policy versions as the upload answered them.
    versions: Mutex<Vec<Value>>,
    /// Activated versions, in order.
    activations: Mutex<Vec<u64>>,
}

impl Acks {
    fn add<T>(&self, list: &Mutex<Vec<T>>, item: T) {
        list.lock().unwrap().push(item);
        self.round.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_under_load() {
    let temp = tempfile::tempdir().unwrap();
    let acks = Arc::new(Acks::default());
    let mut rng = Rng::new(SEED);
    let mut world: Option<Arc<World>> = None;
    for round in 0..ROUNDS {
        let (mut child, base) = spawn_binary(temp.path()).await;
        let api = Api::new(base);
        let world = match &world {
            Some(w) => {
                verify(&api, w, &acks).await;
                Arc::clone(w)
            }
            None => Arc::clone(world.insert(Arc::new(set_up(&api).await))),
        };
        // Log the call takers in (again: presence is live state, gone with the process).
        for token in &world.callers {
            let body = Payload::Json(json!({ "logged_in": true }));
            api.send(Method::PUT, "/v1/me/presence", token, body)
                .await
                .unwrap();
        }

        acks.round.store(0, Ordering::SeqCst);
        acks.policy_round.store(0, Ordering::SeqCst);
        let load = Load {
            api: api.clone(),
            world: Arc::clone(&world),
            acks: Arc::clone(&acks),
        };
        let mut workers = JoinSet::new();
        for w in 0..2 {
            let tag = format!("r{round}w{w}");
            workers.spawn(members(load.clone(), tag.clone()));
            workers.spawn(calls(load.clone(), tag, Rng::new(rng.next())));
        }
        workers.spawn(policies(load.clone(), Rng::new(rng.next())));

        // Kill after a random number of acknowledged writes (some of them policy writes, which
        // are slower), plus a random delay, while the workers keep writing; they stop at their
        // first failed request.
        let target = 10 + rng.below(110) as usize;
        let policy_target = rng.below(3) as usize;
        let delay = Duration::from_millis(rng.below(40));
        let killed = AtomicBool::new(false);
        let killer = async {
            while acks.round.load(Ordering::SeqCst) < target
                || acks.policy_round.load(Ordering::SeqCst) < policy_target
            {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(delay).await;
            killed.store(true, Ordering::SeqCst);
            child.start_kill().unwrap(); // SIGKILL
            child.wait().await.unwrap();
        };
        tokio::pin!(killer);
        loop {
            tokio::select! {
                () = &mut killer => break,
                Some(done) = workers.join_next() => {
                    done.unwrap();
                    assert!(killed.load(Ordering::SeqCst), "a worker stopped while the server was alive");
                }
            }
        }
        while let Some(done) = workers.join_next().await {
            done.unwrap();
        }
        consistent_on_disk(temp.path()).await;
    }

    // A last start (in-process): everything acknowledged is there, records and indexes agree.
    let world = world.unwrap();
    let server = Server::start_in(temp.path()).await;
    verify(&Api::new(server.base()), &world, &acks).await;
    assert!(server.inconsistencies().is_empty());
    server.stop().await;
    let counts = [
        acks.members.lock().unwrap().len(),
        acks.activated.lock().unwrap().len(),
        acks.calls.lock().unwrap().len(),
        acks.versions.lock().unwrap().len(),
    ];
    eprintln!("acknowledged (members, activations, calls, versions): {counts:?}");
    assert!(
        counts.iter().all(|n| *n > 0),
        "the load acknowledged too little to test anything: {counts:?}"
    );
}

/// Creates agents in A, activates them and adds them to B, until the process dies.
async fn members(load: Load, tag: String) {
    let Load { api, world, acks } = load;
    for i in 0.. {
        let email = format!("{tag}n{i}@crash.test");
        let Ok(added) = api
            .post(
                &format!("/v1/companies/{}/members", world.a),
                OPERATOR,
                json!({ "name": email, "email": email }),
            )
            .await
        else {
            return;
        };
        let agent = added["agent"]["id"].as_u64().unwrap();
        acks.add(&acks.members, (world.a, agent));
        let token = added["agent_token"].as_str().unwrap();
        if api
            .send(Method::POST, "/v1/me/activate", token, Payload::None)
            .await
            .is_err()
        {
            return;
        }
        acks.add(&acks.activated, agent);
        let path = format!("/v1/companies/{}/members", world.b);
        let Ok(added) = api.post(&path, OPERATOR, json!({ "email": email })).await else {
            return;
        };
        assert_eq!(added["outcome"], "added", "{added}");
        acks.add(&acks.members, (world.b, agent));
    }
}

/// Plays whole calls (answered then ended, or abandoned) until the process dies.
async fn calls(load: Load, tag: String, mut rng: Rng) {
    let Load { api, world, acks } = load;
    let tel = world.telephony.as_str();
    for i in 0.. {
        let call_id = format!("{tag}c{i}");
        let body = json!({ "call_id": call_id, "number": world.number, "caller": "+919000000000" });
        let Ok(update) = api.post("/v1/calls", tel, body).await else {
            return;
        };
        let events = format!("/v1/calls/{call_id}/events");
        let instruction = &update["instruction"];
        let outcome = match instruction["action"].as_str().unwrap() {
            "ring" if rng.below(4) > 0 => {
                let agent = instruction["targets"][0]["agent_id"].as_u64().unwrap();
                let answered = json!({ "type": "answered", "agent_id": agent });
                if api.post(&events, tel, answered).await.is_err()
                    || api
                        .post(&events, tel, json!({ "type": "ended" }))
                        .await
                        .is_err()
                {
                    return;
                }
                "answered"
            }
            "ring" | "queue" => {
                let abandoned = json!({ "type": "abandoned" });
                if api.post(&events, tel, abandoned).await.is_err() {
                    return;
                }
                "abandoned"
            }
            "voicemail" => "voicemail",
            other => panic!("unexpected action {other}: {update}"),
        };
        acks.add(&acks.calls, (call_id, outcome));
    }
}

/// Uploads round-robin as new versions of A's policy and activates some, until the process
/// dies.
async fn policies(load: Load, mut rng: Rng) {
    let Load { api, world, acks } = load;
    let a = world.a;
    loop {
        let path = format!("/v1/companies/{a}/policies?name=round-robin");
        let body = Payload::Wasm(Arc::clone(&world.wasm));
        let Ok(version) = api.send(Method::POST, &path, OPERATOR, body).await else {
            return;
        };
        let number = version["version"].as_u64().unwrap();
        acks.add(&acks.versions, version);
        acks.policy_round.fetch_add(1, Ordering::SeqCst);
        if rng.below(2) == 0 {
            let body = Payload::Json(json!({ "version": number, "config": {} }));
            let path = format!("/v1/companies/{a}/policy");
            if api.send(Method::PUT, &path, OPERATOR, body).await.is_err() {
                return;
            }
            acks.add(&acks.activations, number);
            acks.policy_round.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Every acknowledged write is present.
async fn verify(api: &Api, world: &World, acks: &Acks) {
    let mut present = BTreeSet::new();
    let mut activated = BTreeSet::new();
    for company in [world.a, world.b] {
        for m in pages(api, &format!("/v1/companies/{company}/members")).await {
            let agent = m["agent"]["id"].as_u64().unwrap();
            present.insert((company, agent));
            if m["agent"]["state"] == "activated" {
                activated.insert(agent);
            }
        }
    }
    for ack in acks.members.lock().unwrap().iter() {
        assert!(
            present.contains(ack),
            "acknowledged membership {ack:?} lost"
        );
    }
    for agent in acks.activated.lock().unwrap().iter() {
        assert!(
            activated.contains(agent),
            "acknowledged activation of {agent} lost"
        );
    }

    let mut logged: HashMap<String, Value> = HashMap::new();
    for log in call_logs(api, world.a).await {
        let call_id = log["call_id"].as_str().unwrap().to_owned();
        assert!(
            logged.insert(call_id.clone(), log).is_none(),
            "{call_id} logged twice"
        );
    }
    for (call_id, outcome) in acks.calls.lock().unwrap().iter() {
        let log = logged
            .get(call_id)
            .unwrap_or_else(|| panic!("the log of acknowledged call {call_id} is lost"));
        assert_eq!(log["outcome"], *outcome, "{log}");
    }

    let policies = api
        .send(
            Method::GET,
            &format!("/v1/companies/{}/policies", world.a),
            OPERATOR,
            Payload::None,
        )
        .await
        .unwrap();
    let versions = policies["versions"].as_array().unwrap();
    for ack in acks.versions.lock().unwrap().iter() {
        assert!(
            versions.contains(ack),
            "acknowledged version {ack} lost or changed"
        );
    }
    if let Some(last) = acks.activations.lock().unwrap().last() {
        // Only a later activation, in flight at the kill, may have replaced it.
        let active = policies["active"]["version"].as_u64();
        assert!(
            active >= Some(*last),
            "activation of {last} lost: {policies}"
        );
    }
}
