//! Several nodes serving one PostgreSQL database at once (`--cluster`), as real processes: the
//! no-double-booking audit with every request sent to a random node (a call's events mostly
//! reach nodes other than the one that took it), and a node SIGKILLed while calls it took
//! are ringing, connected and queued, which the other nodes carry to their ends.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::calls_policies::activate;
use crate::calls_stress::{Pushes, assert_boards_idle, audit_logs, run_calls, world};
use crate::calls_support::{
    Co, Person, all_logs, call, company, connected_ringing_queued, event, hire, log_in, rings,
    sorted_call_ids, status_until, telephony,
};
use crate::durability::spawn_binary_with;
use crate::pg_cluster::cluster;
use crate::support::{Client, OPERATOR, Rng, Server};

/// The first seed of the audit; the others follow from it.
const SEED: u64 = 0xC1A5_7E20_0000_0003;

/// An in-process node of the cluster on `url`, for setting a tenant up (stopped before the
/// real nodes start).
async fn setup_node(url: &str, data: &std::path::Path) -> Server {
    let url = url.to_owned();
    Server::start_with(data, move |c| {
        c.store = Some(url);
        c.cluster = true;
    })
    .await
}

/// A tenant set up on `url` through an in-process cluster node (stopped afterwards): company
/// `name` answering `number` with `policy` active if any (shipped component, name, config),
/// one logged-in agent per extension of `exts`, and a telephony client for the number.
struct Tenant {
    co: Co,
    agents: Vec<Person>,
    tel: Client,
}

async fn tenant(
    url: &str,
    name: &str,
    number: &str,
    exts: &[&str],
    policy: Option<(&str, &str, Value)>,
) -> Tenant {
    let setup = tempfile::tempdir().unwrap();
    let server = setup_node(url, setup.path()).await;
    let account = server.operator().account(name).await;
    let co = company(&server, account, &format!("Company {name}"), number).await;
    if let Some((path, policy, config)) = policy {
        activate(&co, path, policy, config).await;
    }
    let mut agents = Vec::new();
    for ext in exts {
        let agent = hire(&server, &co, &format!("{ext}@example.com"), "agent", ext).await;
        log_in(&agent, true).await;
        agents.push(agent);
    }
    let tel = telephony(&server, &[&co.number]).await;
    server.stop().await;
    Tenant { co, agents, tel }
}

/// Starts `n` real nodes with `--cluster` on `url`.
async fn nodes(
    url: &str,
    n: usize,
) -> (
    Vec<tokio::process::Child>,
    Vec<String>,
    Vec<tempfile::TempDir>,
) {
    let (mut children, mut bases, mut dirs) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let data = tempfile::tempdir().unwrap();
        let (child, base) = spawn_binary_with(data.path(), &["--store", url, "--cluster"]).await;
        children.push(child);
        bases.push(base);
        dirs.push(data);
    }
    (children, bases, dirs)
}

/// Stops every node (SIGKILL: the database keeps what they acknowledged).
async fn kill_all(children: &mut [tokio::process::Child]) {
    for child in children {
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
}

/// Runs the three-node audit over `default` seeds (or `SWITCHYARD_AUDIT_SEEDS`); a failure
/// names its seed.
async fn over_seeds(default: usize, calls: usize, in_flight: usize) {
    let seeds: usize = std::env::var("SWITCHYARD_AUDIT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    let mut rng = Rng::new(SEED);
    for _ in 0..seeds {
        let seed = rng.next();
        eprintln!("active-active audit: seed {seed:#x}, {calls} calls, {in_flight} in flight");
        three_node_audit(seed, calls, in_flight).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_never_double_book_and_log_every_call_once() {
    over_seeds(2, 150, 24).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "release load: .ci/run runs it with `cargo test --release ... -- --ignored audit_release`"]
async fn audit_release_three_nodes_many_seeds() {
    over_seeds(4, 600, 64).await;
}

async fn three_node_audit(seed: u64, total: usize, in_flight: usize) {
    let url = cluster().fresh_database();
    let setup = tempfile::tempdir().unwrap();
    let server = setup_node(&url, setup.path()).await;
    let (cos, _agents, extensions) = world(&server).await;
    let numbers: Vec<&str> = cos.iter().map(|c| c.number.as_str()).collect();
    let tel = telephony(&server, &numbers).await;
    server.stop().await;

    let (mut children, bases, _dirs) = nodes(&url, 3).await;
    let tels: Arc<Vec<Client>> = Arc::new(bases.iter().map(|b| tel.at(b)).collect());
    // The platform follows one node's stream, which carries what every node decided.
    let pushes = Arc::new(Pushes::default());
    let listener = Pushes::follow(&pushes, &tels[(seed % 3) as usize]).await;

    let extensions = Arc::new(extensions);
    let ended = run_calls(
        &tels,
        &pushes,
        &extensions,
        &cos,
        seed,
        total,
        in_flight,
        "aa",
    )
    .await;
    listener.abort();

    // Read through a node each: logs, boards and live calls are the cluster's.
    let at = |co: &Co, base: &str| Co {
        admin: co.admin.at(base),
        ..co.clone()
    };
    let via: Vec<Co> = cos
        .iter()
        .enumerate()
        .map(|(i, co)| at(co, &bases[i % bases.len()]))
        .collect();
    audit_logs(&via, &extensions, &ended).await;
    for t in tels.iter() {
        let live = t.get("/v1/calls").await.expect(200);
        assert_eq!(live, json!([]), "a call is left live");
    }
    assert_boards_idle(&via).await;
    kill_all(&mut children).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_others_carry_on_the_calls_of_a_sigkilled_node() {
    let url = cluster().fresh_database();
    let longest_idle = (
        switchyard_artifacts::LONGEST_IDLE,
        "longest-idle",
        json!({ "ring_timeout_ms": 4000 }),
    );
    let Tenant { co, tel, .. } = tenant(
        &url,
        "K",
        "+918000000913",
        &["941", "942"],
        Some(longest_idle),
    )
    .await;

    let (mut children, bases, _dirs) = nodes(&url, 3).await;
    let (on_a, on_b, on_c) = (tel.at(&bases[0]), tel.at(&bases[1]), tel.at(&bases[2]));
    // Connected, ringing and queued on A; the answer of the first reaches A through B.
    let (rung, other) = connected_ringing_queued(&on_a, &on_b, "k", &co.number).await;
    // A call on C may not take an agent A's calls hold: it queues too.
    let on_c_call = call(&on_c, "k-on-c", &co.number).await;
    assert_eq!(on_c_call["instruction"]["action"], "queue", "{on_c_call}");
    on_c.get("/v1/calls/k-connected").await.expect(200);

    children[0].start_kill().unwrap(); // SIGKILL A
    children[0].wait().await.unwrap();
    // Another node adopts A's calls within a few seconds; reads through either reach them.
    status_until(&on_c, "k-connected", "carried on", |s| {
        s["connected_to"] == rung
    })
    .await;
    on_b.get("/v1/calls/k-queued").await.expect(200);
    // A's sweeper duty moved: the ringing offer lapses after its 4 s.
    status_until(&on_b, "k-ringing", "stopped ringing the agent", |s| {
        !rings(s, other)
    })
    .await;
    // The connected call ends; its agent frees up and one of the queued calls is offered it
    // (whichever node holds it).
    event(&on_c, "k-connected", json!({ "type": "ended" })).await;
    let mut left = vec!["k-queued", "k-ringing", "k-on-c"];
    let deadline = Instant::now() + Duration::from_secs(30);
    while !left.is_empty() {
        assert!(Instant::now() < deadline, "calls left live: {left:?}");
        let mut still = Vec::new();
        for id in left {
            let s = on_b.get(&format!("/v1/calls/{id}")).await;
            if s.status == 404 {
                continue;
            }
            let ringing: Vec<u64> = s.body["ringing"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default();
            if let Some(agent) = ringing.first() {
                event(&on_c, id, json!({ "type": "answered", "agent_id": agent })).await;
                event(&on_b, id, json!({ "type": "ended" })).await;
                continue;
            }
            still.push(id);
        }
        left = still;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let logs = all_logs(&co.admin.at(&bases[1]), co.id).await;
    let ids = sorted_call_ids(&logs);
    assert_eq!(
        ids,
        ["k-connected", "k-on-c", "k-queued", "k-ringing"],
        "every call logged exactly once"
    );
    crate::calls_support::assert_never_double_booked(logs.iter());
    let connected_log = logs.iter().find(|l| l["call_id"] == "k-connected").unwrap();
    assert_eq!(connected_log["answered_by"], rung, "{connected_log}");
    kill_all(&mut children[1..]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_cut_off_until_adopted_takes_no_call_when_it_reconnects_and_exits() {
    let url = cluster().fresh_database();
    let Tenant { co, tel, .. } = tenant(&url, "P", "+918000000918", &["981", "982"], None).await;
    // A reaches the database through a link the test can cut; B directly.
    let (link, through) = crate::cut_proxy::CutProxy::before(&url).await;
    let (data_a, data_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, base_a) =
        spawn_binary_with(data_a.path(), &["--store", &through, "--cluster"]).await;
    let (mut b, base_b) = spawn_binary_with(data_b.path(), &["--store", &url, "--cluster"]).await;
    let (on_a, on_b) = (tel.at(&base_a), tel.at(&base_b));
    let first = call(&on_a, "p-connected", &co.number).await;
    let agent = crate::calls_support::rung(&first)[0];
    event(
        &on_a,
        "p-connected",
        json!({ "type": "answered", "agent_id": agent }),
    )
    .await;

    let seen_by_b = Client::to(&base_b, OPERATOR);
    let a_id = Client::to(&base_a, OPERATOR)
        .get("/v1/cluster/nodes")
        .await
        .expect(200)["this_node"]
        .clone();
    let a_in = |nodes: &Value| {
        nodes["nodes"]
            .as_array()
            .and_then(|n| n.iter().find(|m| m["id"] == a_id).cloned())
            .unwrap_or_default()
    };
    let before = seen_by_b.get("/v1/cluster/nodes").await.expect(200);
    assert_eq!(a_in(&before)["state"], "serving", "{before}");

    // Cut off past the failure timeout: B adopts A and its call.
    link.cut(true);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let nodes = seen_by_b.get("/v1/cluster/nodes").await.expect(200);
        if a_in(&nodes)["state"] == "adopted" {
            assert_eq!(a_in(&nodes)["adopted_by"], nodes["this_node"], "{nodes}");
            break;
        }
        assert!(Instant::now() < deadline, "B never adopted A: {nodes}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    status_until(&on_b, "p-connected", "carried on by B", |s| {
        s["connected_to"] == agent
    })
    .await;
    // The link is back. A's last heartbeat is long stale: until it learns it was adopted and
    // exits, it takes no call (503), so none can be left behind on a node nobody watches.
    link.cut(false);
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(15);
    for n in 0.. {
        assert!(Instant::now() < deadline, "A never exited");
        let answer = client
            .post(format!("{base_a}/v1/calls"))
            .bearer_auth(tel.bearer().unwrap())
            .json(&json!({ "call_id": format!("p-after-{n}"), "number": co.number, "caller": "+919000000000" }))
            .timeout(Duration::from_secs(10))
            .send()
            .await;
        let Ok(answer) = answer else { break }; // A exited
        let status = answer.status().as_u16();
        let body = answer.text().await.unwrap_or_default();
        assert_eq!(status, 503, "A, adopted, answered call {n}: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let exited = tokio::time::timeout(Duration::from_secs(15), a.wait())
        .await
        .expect("the adopted node exits")
        .unwrap();
    assert_eq!(exited.code(), Some(75), "{exited:?}");

    // B carries the call to its end; no other call was taken.
    event(&on_b, "p-connected", json!({ "type": "ended" })).await;
    let listed = on_b.get("/v1/calls").await.expect(200);
    assert_eq!(listed, json!([]), "a call is left live");
    let logs = all_logs(&co.admin.at(&base_b), co.id).await;
    let ids = sorted_call_ids(&logs);
    assert_eq!(ids, ["p-connected"], "{logs:#?}");
    kill_all(std::slice::from_mut(&mut b)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_whose_answer_was_lost_is_carried_on_at_the_next_beat() {
    let url = cluster().fresh_database();
    let Tenant { co, tel, .. } = tenant(&url, "L", "+918000000919", &["991"], None).await;
    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let (on_a, on_b) = (tel.at(&bases[0]), tel.at(&bases[1]));
    let node_id = |base: &str| {
        let operator = Client::to(base, OPERATOR);
        async move {
            let nodes = operator.get("/v1/cluster/nodes").await.expect(200);
            nodes["this_node"].as_u64().unwrap()
        }
    };
    let (a, b) = (node_id(&bases[0]).await, node_id(&bases[1]).await);
    // A holds a connected call and a queued one.
    let first = call(&on_a, "l-connected", &co.number).await;
    let agent = crate::calls_support::rung(&first)[0];
    event(
        &on_a,
        "l-connected",
        json!({ "type": "answered", "agent_id": agent }),
    )
    .await;
    let queued = call(&on_a, "l-queued", &co.number).await;
    assert_eq!(queued["instruction"]["action"], "queue", "{queued}");

    // A dies; B's claim of it commits but its answer never reaches B (made here, at once,
    // before B's own watch would judge A dead). B learns of it from the database.
    children[0].start_kill().unwrap();
    children[0].wait().await.unwrap();
    let pg = switchyard_directory::pg::Pg::new(&url, &Default::default()).unwrap();
    let heartbeat: i64 = pg
        .run(async |conn| {
            conn.client()
                .query_one(
                    "SELECT heartbeat_ms FROM nodes WHERE id = $1",
                    &[&i64::try_from(a).unwrap()],
                )
                .await?
                .try_get(0)
        })
        .unwrap();
    assert!(switchyard::cluster::adoption::claim(&pg, b, a, heartbeat).unwrap());
    status_until(&on_b, "l-connected", "carried on by B", |s| {
        s["connected_to"] == agent
    })
    .await;
    on_b.get("/v1/calls/l-queued").await.expect(200);
    // Both go on to their ends on B: the agent frees up and takes the queued call.
    event(&on_b, "l-connected", json!({ "type": "ended" })).await;
    status_until(&on_b, "l-queued", "rang the freed agent", |s| {
        rings(s, agent)
    })
    .await;
    event(
        &on_b,
        "l-queued",
        json!({ "type": "answered", "agent_id": agent }),
    )
    .await;
    event(&on_b, "l-queued", json!({ "type": "ended" })).await;
    let logs = all_logs(&co.admin.at(&bases[1]), co.id).await;
    let ids = sorted_call_ids(&logs);
    assert_eq!(ids, ["l-connected", "l-queued"], "{logs:#?}");
    kill_all(&mut children[1..]).await;
}

/// The agents a ring instruction names.
fn ringing_of(update: &Value) -> Vec<u64> {
    crate::calls_support::rung(update)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_on_one_node_is_seen_by_the_next_decision_on_another() {
    let url = cluster().fresh_database();
    let Tenant { co, agents, tel } =
        tenant(&url, "R", "+918000000923", &["951", "952"], None).await;
    let (first, second) = (&agents[0], &agents[1]);

    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let (on_a, on_b) = (&bases[0], &bases[1]);
    let tel_b = tel.at(on_b);
    // B decides a call first, so its caches hold the directory and the (default) policy.
    let warm = call(&tel_b, "r-warm", &co.number).await;
    assert_eq!(warm["instruction"]["action"], "ring", "{warm}");
    event(&tel_b, "r-warm", json!({ "type": "abandoned" })).await;
    // The first agent is now the longest idle: the default policy would ring it first.
    let second_on_a = Client::at(&second.client, on_a);
    second_on_a
        .put("/v1/me/presence", json!({ "logged_in": false }))
        .await
        .expect(200);
    second_on_a
        .put("/v1/me/presence", json!({ "logged_in": true }))
        .await
        .expect(200);

    // A directory change on A: the first agent stops taking calls. B's next call rings the
    // second.
    co.admin
        .at(on_a)
        .patch(
            &format!("/v1/companies/{}/members/{}", co.id, first.id),
            json!({ "take_calls": false }),
        )
        .await
        .expect(200);
    let next = call(&tel_b, "r-directory", &co.number).await;
    assert_eq!(ringing_of(&next), vec![second.id], "{next}");
    event(&tel_b, "r-directory", json!({ "type": "abandoned" })).await;

    // A policy activation on A: B's next call is decided by it.
    let on_a_co = Co {
        admin: co.admin.at(on_a),
        ..co.clone()
    };
    activate(
        &on_a_co,
        switchyard_artifacts::RING_ALL,
        "ring-all",
        json!({}),
    )
    .await;
    let next = call(&tel_b, "r-policy", &co.number).await;
    assert_eq!(ringing_of(&next), vec![second.id], "{next}");
    event(&tel_b, "r-policy", json!({ "type": "abandoned" })).await;
    let logs = all_logs(&co.admin.at(on_b), co.id).await;
    let decided = crate::calls_support::log_of(&logs, "r-policy");
    assert_eq!(
        decided["decisions"][0]["policy"]["name"], "ring-all",
        "{decided}"
    );

    // A presence change on A: B's next call rings nobody.
    second_on_a
        .put("/v1/me/presence", json!({ "logged_in": false }))
        .await
        .expect(200);
    let next = call(&tel_b, "r-presence", &co.number).await;
    assert_ne!(next["instruction"]["action"], "ring", "{next}");
    if tel_b.get("/v1/calls/r-presence").await.status == 200 {
        event(&tel_b, "r-presence", json!({ "type": "abandoned" })).await;
    }
    kill_all(&mut children).await;
}

/// The next update for `call_id` on `stream` within 10 s (others are skipped).
async fn pushed_for(stream: &mut crate::support::EventStream, call_id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let pushed = stream
            .next_call(left)
            .await
            .unwrap_or_else(|| panic!("nothing pushed for {call_id} within 10 s"));
        if pushed["update"]["call_id"] == call_id {
            return pushed;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_node_streams_what_every_node_decided_and_resumes_on_another() {
    let url = cluster().fresh_database();
    let Tenant { co, agents, tel } = tenant(&url, "streams", "+918000000933", &["961"], None).await;
    let agent = &agents[0];

    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let (on_a, on_b) = (tel.at(&bases[0]), tel.at(&bases[1]));
    let mut stream_b = on_b.stream("/v1/telephony/stream").await;
    // A decides: the queued call is offered the agent once the first call ends; B streams it.
    assert_eq!(
        call(&on_a, "s-1", &co.number).await["instruction"]["action"],
        "ring"
    );
    assert_eq!(
        call(&on_a, "s-2", &co.number).await["instruction"]["action"],
        "queue"
    );
    event(
        &on_a,
        "s-1",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await;
    event(&on_a, "s-1", json!({ "type": "ended" })).await;
    let offered = pushed_for(&mut stream_b, "s-2").await;
    assert_eq!(
        offered["update"]["instruction"]["action"], "ring",
        "{offered}"
    );
    let seen = offered["seq"].as_u64().unwrap();

    // B takes a call that queues; the platform's stream drops; A's call ends, B's sweeper
    // offers B's call the freed agent. Resuming on A after what it saw replays that offer.
    assert_eq!(
        call(&on_b, "s-3", &co.number).await["instruction"]["action"],
        "queue"
    );
    drop(stream_b);
    event(
        &on_b,
        "s-2",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await;
    event(&on_a, "s-2", json!({ "type": "ended" })).await;
    status_until(&on_a, "s-3", "rang the freed agent", |s| {
        s["stage"] == "ringing"
    })
    .await;
    let mut resumed = on_a
        .stream(&format!("/v1/telephony/stream?after={seen}"))
        .await;
    let replayed = pushed_for(&mut resumed, "s-3").await;
    assert_eq!(
        replayed["update"]["instruction"]["action"], "ring",
        "{replayed}"
    );
    assert!(replayed["seq"].as_u64().unwrap() > seen, "{replayed}");
    event(&on_a, "s-3", json!({ "type": "abandoned" })).await;
    kill_all(&mut children).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oldest_queued_call_is_served_first_whatever_node_holds_it() {
    let url = cluster().fresh_database();
    let Tenant { co, agents, tel } = tenant(&url, "queues", "+918000000943", &["971"], None).await;
    let agent = &agents[0];

    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let (on_a, on_b) = (tel.at(&bases[0]), tel.at(&bases[1]));
    assert_eq!(
        call(&on_a, "q-1", &co.number).await["instruction"]["action"],
        "ring"
    );
    event(
        &on_a,
        "q-1",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await;
    // The older call waits on B, a newer one on A.
    assert_eq!(
        call(&on_b, "q-old", &co.number).await["instruction"]["action"],
        "queue"
    );
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        call(&on_a, "q-new", &co.number).await["instruction"]["action"],
        "queue"
    );
    // The agent frees up on A: B's older call is offered it, not A's own.
    event(&on_a, "q-1", json!({ "type": "ended" })).await;
    status_until(&on_a, "q-old", "rang the freed agent", |s| {
        s["stage"] == "ringing"
    })
    .await;
    let newer = on_b.get("/v1/calls/q-new").await.expect(200);
    assert_eq!(newer["stage"], "queued", "{newer}");
    for id in ["q-old", "q-new"] {
        event(&on_a, id, json!({ "type": "abandoned" })).await;
    }
    kill_all(&mut children).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_and_reconciling_cover_the_calls_of_every_node() {
    let url = cluster().fresh_database();
    let Tenant { co, tel, .. } = tenant(&url, "L", "+918000000953", &["981", "982"], None).await;

    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let (on_a, on_b) = (tel.at(&bases[0]), tel.at(&bases[1]));
    call(&on_a, "l-1", &co.number).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    call(&on_b, "l-2", &co.number).await;
    let ids = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| c["call_id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Either node lists both, oldest first.
    for tel in [&on_a, &on_b] {
        let listed = tel.get("/v1/calls").await.expect(200);
        assert_eq!(ids(&listed), ["l-1", "l-2"], "{listed}");
    }
    // The platform restarted with only l-1: every node ends what it holds but l-1.
    let reconciled = on_a
        .post("/v1/calls/reconcile", json!({ "live_call_ids": ["l-1"] }))
        .await
        .expect(200);
    assert_eq!(reconciled["ended"], json!(["l-2"]), "{reconciled}");
    let listed = on_b.get("/v1/calls").await.expect(200);
    assert_eq!(ids(&listed), ["l-1"], "{listed}");
    event(&on_b, "l-1", json!({ "type": "abandoned" })).await;
    let logs = all_logs(&co.admin.at(&bases[1]), co.id).await;
    let l2 = crate::calls_support::log_of(&logs, "l-2");
    assert_eq!(l2["outcome"], "reconciled", "{l2}");
    kill_all(&mut children).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_from_one_node_to_a_cluster_and_back_keeps_calls_and_agents() {
    let url = cluster().fresh_database();
    let setup = tempfile::tempdir().unwrap();
    // A single node (no --cluster) serves first: an agent on a call, another offered one.
    let url_single = url.clone();
    let server = Server::start_with(setup.path(), move |c| c.store = Some(url_single)).await;
    let account = server.operator().account("Cluster handover").await;
    let co = company(&server, account, "Company H", "+918000000963").await;
    let first = hire(&server, &co, "h1@example.com", "agent", "991").await;
    let second = hire(&server, &co, "h2@example.com", "agent", "992").await;
    log_in(&first, true).await;
    log_in(&second, true).await;
    let tel = telephony(&server, &[&co.number]).await;
    let single = tel.at(&server.base());
    let connected = crate::calls_support::rung(&call(&single, "h-connected", &co.number).await)[0];
    event(
        &single,
        "h-connected",
        json!({ "type": "answered", "agent_id": connected }),
    )
    .await;
    let ringing = crate::calls_support::rung(&call(&single, "h-ringing", &co.number).await)[0];
    assert_ne!(connected, ringing);
    server.stop().await;

    // Cluster nodes start on the same database: the first carries both calls on.
    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let on_b = tel.at(&bases[1]);
    let status = on_b.get("/v1/calls/h-connected").await.expect(200);
    assert_eq!(status["connected_to"], connected, "{status}");
    let status = on_b.get("/v1/calls/h-ringing").await.expect(200);
    assert_eq!(status["ringing"], json!([ringing]), "{status}");
    // The agents are still logged in and engaged: a third call finds nobody free.
    let third = call(&on_b, "h-third", &co.number).await;
    assert_ne!(third["instruction"]["action"], "ring", "{third}");
    event(
        &on_b,
        "h-ringing",
        json!({ "type": "answered", "agent_id": ringing }),
    )
    .await;
    for id in ["h-connected", "h-ringing"] {
        event(&on_b, id, json!({ "type": "ended" })).await;
    }
    if on_b.get("/v1/calls/h-third").await.status == 200 {
        event(&on_b, "h-third", json!({ "type": "abandoned" })).await;
    }
    // And back: a call connected on the cluster, which stops; a single node carries it on.
    let back = crate::calls_support::rung(&call(&on_b, "h-back", &co.number).await)[0];
    event(
        &on_b,
        "h-back",
        json!({ "type": "answered", "agent_id": back }),
    )
    .await;
    kill_all(&mut children).await;
    let url_single = url.clone();
    let server = Server::start_with(setup.path(), move |c| c.store = Some(url_single)).await;
    let single = tel.at(&server.base());
    let status = single.get("/v1/calls/h-back").await.expect(200);
    assert_eq!(status["connected_to"], back, "{status}");
    let other = if back == first.id {
        second.id
    } else {
        first.id
    };
    let next = call(&single, "h-single", &co.number).await;
    assert_eq!(crate::calls_support::rung(&next), vec![other], "{next}");
    for id in ["h-back", "h-single"] {
        if id == "h-single" {
            event(&single, id, json!({ "type": "abandoned" })).await;
        } else {
            event(&single, id, json!({ "type": "ended" })).await;
        }
    }
    let logs = all_logs(&co.admin.at(&server.base()), co.id).await;
    assert_eq!(logs.len(), 5, "every call logged once");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_declares_no_node_dead_and_the_calls_carry_on() {
    let pg = tokio::task::spawn_blocking(|| crate::pg_cluster::Cluster::start().unwrap())
        .await
        .unwrap();
    let url = pg.fresh_database();
    let Tenant { co, agents, tel } = tenant(&url, "O", "+918000000973", &["901"], None).await;
    let agent = &agents[0];

    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let (on_a, on_b) = (tel.at(&bases[0]), tel.at(&bases[1]));
    assert_eq!(
        call(&on_a, "o-1", &co.number).await["instruction"]["action"],
        "ring"
    );
    event(
        &on_b,
        "o-1",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await;
    assert_eq!(
        call(&on_b, "o-2", &co.number).await["instruction"]["action"],
        "queue"
    );

    // Longer than a node's heartbeat may stand still before it is adopted.
    tokio::task::block_in_place(|| pg.stop().unwrap());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let refused = on_a.get("/v1/calls/o-1").await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    tokio::time::sleep(Duration::from_secs(4)).await;
    tokio::task::block_in_place(|| pg.resume().unwrap());

    // Both nodes serve again, neither was adopted (nor exited), and the calls carry on.
    status_until(&on_a, "o-1", "served again", |s| {
        s["connected_to"] == agent.id
    })
    .await;
    status_until(&on_b, "o-2", "served again", |s| s["stage"] == "queued").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    for child in &mut children {
        assert!(
            child.try_wait().unwrap().is_none(),
            "a node exited after the outage"
        );
    }
    event(&on_b, "o-1", json!({ "type": "ended" })).await;
    status_until(&on_a, "o-2", "rang the freed agent", |s| {
        s["stage"] == "ringing"
    })
    .await;
    event(&on_a, "o-2", json!({ "type": "abandoned" })).await;
    let logs = all_logs(&co.admin.at(&bases[0]), co.id).await;
    let ids = sorted_call_ids(&logs);
    assert_eq!(ids, ["o-1", "o-2"], "every call logged exactly once");
    kill_all(&mut children).await;
    tokio::task::block_in_place(|| drop(pg));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_call_refused_for_a_failed_write_is_taken_afresh_when_retried() {
    let url = cluster().fresh_database();
    let Tenant { co, agents, tel } = tenant(&url, "refused", "+918000000983", &["911"], None).await;
    let agent = &agents[0];

    let (mut children, bases, _dirs) = nodes(&url, 1).await;
    let on_a = tel.at(&bases[0]);
    // The database refuses every write of live calls: the new call's first change fails
    // after it claimed its id and reserved the agent.
    let block = "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'writes refused by the test'; END $$; \
                 CREATE TRIGGER refuse BEFORE INSERT OR UPDATE OR DELETE ON records \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse();";
    let sql_url = url.clone();
    tokio::task::spawn_blocking(move || crate::postgres::admin_sql(&sql_url, block))
        .await
        .unwrap();
    on_a.post(
        "/v1/calls",
        json!({ "call_id": "x-1", "number": co.number }),
    )
    .await
    .expect_error(503, "store_unavailable");
    let sql_url = url.clone();
    tokio::task::spawn_blocking(move || {
        crate::postgres::admin_sql(
            &sql_url,
            "DROP TRIGGER refuse ON records; DROP FUNCTION refuse();",
        )
    })
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while on_a.get("/v1/calls").await.status != 200 {
        assert!(Instant::now() < deadline, "the node did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The retry is a new call (its id and the agent were let go), not a duplicate.
    let retried = call(&on_a, "x-1", &co.number).await;
    assert_eq!(
        crate::calls_support::rung(&retried),
        vec![agent.id],
        "{retried}"
    );
    event(&on_a, "x-1", json!({ "type": "abandoned" })).await;
    let logs = all_logs(&co.admin.at(&bases[0]), co.id).await;
    assert_eq!(logs.len(), 1, "{logs:#?}");
    kill_all(&mut children).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_releases_an_agent_through_any_node() {
    let url = cluster().fresh_database();
    let Tenant { co, agents, tel } = tenant(&url, "release", "+918000000993", &["921"], None).await;
    let agent = &agents[0];

    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let (on_a, on_b) = (tel.at(&bases[0]), tel.at(&bases[1]));
    call(&on_a, "y-1", &co.number).await;
    event(
        &on_a,
        "y-1",
        json!({ "type": "answered", "agent_id": agent.id }),
    )
    .await;
    // Released through B: A, which holds the call, ends it.
    let released = co
        .admin
        .at(&bases[1])
        .post_empty(&format!(
            "/v1/companies/{}/agents/{}/release",
            co.id, agent.id
        ))
        .await
        .expect(200);
    assert_eq!(released["was"], "on_call", "{released}");
    assert_eq!(released["call_id"], "y-1", "{released}");
    on_a.get("/v1/calls/y-1")
        .await
        .expect_error(404, "unknown_call");
    let next = call(&on_b, "y-2", &co.number).await;
    assert_eq!(crate::calls_support::rung(&next), vec![agent.id], "{next}");
    event(&on_b, "y-2", json!({ "type": "abandoned" })).await;
    let logs = all_logs(&co.admin.at(&bases[0]), co.id).await;
    let y1 = crate::calls_support::log_of(&logs, "y-1");
    assert_eq!(y1["outcome"], "released", "{y1}");
    kill_all(&mut children).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_through_any_node_withdraws_an_offer_at_once() {
    let url = cluster().fresh_database();
    let Tenant { co, agents, tel } = tenant(&url, "log-out", "+918000000994", &["931"], None).await;
    let agent = &agents[0];

    let (mut children, bases, _dirs) = nodes(&url, 2).await;
    let on_a = tel.at(&bases[0]);
    let rung = call(&on_a, "z-1", &co.number).await;
    assert_eq!(crate::calls_support::rung(&rung), vec![agent.id], "{rung}");
    // The agent logs out through B while A's call rings it: A moves its call on now.
    let view = Client::at(&agent.client, &bases[1])
        .put("/v1/me/presence", json!({ "logged_in": false }))
        .await
        .expect(200);
    assert_eq!(view["logged_in"], false, "{view}");
    let status = on_a.get("/v1/calls/z-1").await;
    assert!(
        status.status == 404 || status.body["ringing"] == json!([]),
        "the offer was not withdrawn: {} {}",
        status.status,
        status.body
    );
    if status.status == 200 {
        event(&on_a, "z-1", json!({ "type": "abandoned" })).await;
    }
    kill_all(&mut children).await;
}
