//! End-to-end load over HTTP on loopback: a seeded world (companies, agents, a third of them
//! shared by 2–3 companies, each company on a shipped policy), full call lifecycles (incoming →
//! answered → ended, durable call log) at several concurrencies, against the real release
//! binary (`switchyard serve`) run as a child process, so that the server's CPU is measured
//! alone (utime + stime of the child from `/proc/<pid>/stat`) and the load generator's (this
//! process) separately. The same client then loads a do-nothing handler of the same server
//! (`GET /health`) as the ceiling, in the same run. Prints lifecycles per second, latency
//! percentiles of each request of a lifecycle, both processes' CPU per lifecycle and the load
//! average at the start of each level.
//!
//! Then the hostile-tenant section: a tenth of the companies switch to a policy that loops on
//! every decision, and the others' load is measured alone and next to it.
//!
//! Run: `cargo bench -p switchyard --bench e2e` (defaults: 50 companies, 2,000 agents,
//! 3,000 lifecycles per concurrency level, 1,000 at 1 in flight). Options after `--`:
//!
//! - `--quick`: a small world; `--only N`: one concurrency level; `--lifecycles N`: N per level;
//!   `--no-hostile`: skip the hostile section;
//! - `--bin PATH`: load another server binary with the same load generator (before/after);
//!   `--serve-arg A` (repeatable) is passed to `switchyard serve`, `--server-env KEY=VALUE`
//!   (repeatable) set in the server's environment only; `E2E_VOLATILE=1` runs the server with
//!   live state volatile (`--volatile-live-state`), to compare with the default;
//! - `--nodes N` (default 1): N server children on one database (needs a `--store` among the
//!   `--serve-arg`s; each is also given `--cluster`, its own data directory and port), started
//!   one after the other, each waited for on `/ready`; the world is seeded through node 0, then
//!   each request of a lifecycle (and each `/health` request) goes to a node picked at random
//!   (seeded by `--seed S`, the same run picks the same nodes), so most events reach a node that
//!   does not own the call and are forwarded to its owner. The server CPU is the sum over the
//!   nodes;
//! - `--pg-pid PID`: the postmaster of the PostgreSQL the server uses (on this machine): its
//!   CPU per lifecycle is printed as well (utime + stime of it and every child process, plus its
//!   cutime + cstime: the backends that ended), read from `/proc` around each level's lifecycles;
//! - `--hold N`: print the server's pid(s) and wait 10 s before level N (to attach
//!   `perf record -p`); `--latencies PATH`: every request of each level (what, when sent,
//!   latency) to `PATH-<in flight>.csv`; `--log PATH`: keep the server's log there (node `i` > 0
//!   of `--nodes`: `PATH.i`).
//!
//! The server logs at `warn` (`RUST_LOG=warn`; the in-process server of earlier versions of
//! this bench had no subscriber at all) to `<temp dir>/server.log` (node `i` > 0:
//! `server.log.i`) unless `--log`; its data is a temporary directory. Every loop is bounded in
//! count and time (`LEVEL_WITHIN`, request timeout, `/ready` and exit waits); only 127.0.0.1 is
//! used. At the end every node is sent SIGTERM, and killed if it has not exited within
//! `EXIT_WITHIN`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{OPERATOR, load_average, ok, send};

mod support;

/// The load generator allocates many small buffers too (mimalloc, as the server does): the
/// less CPU it takes, the more of the 2 cores the server gets.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Longest wait for the server's `/ready`.
const READY_WITHIN: Duration = Duration::from_secs(120);
/// Longest a single request may take before the bench gives up (a hung server fails the run).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest one measured level may run; the tasks stop starting lifecycles after it and the
/// row is marked as cut short.
const LEVEL_WITHIN: Duration = Duration::from_secs(300);
/// Longest wait for the server's exit after SIGTERM before it is killed.
const EXIT_WITHIN: Duration = Duration::from_secs(30);
/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux x86_64).
const TICKS_PER_SEC: u64 = 100;
/// Most nodes `--nodes` starts (each is a release server on this machine).
const MAX_NODES: usize = 16;
/// Seed of the per-request node choice unless `--seed`.
const NODE_SEED: u64 = 0x5eed_0001;

struct Args {
    quick: bool,
    levels: Vec<usize>,
    lifecycles: Option<usize>,
    hostile: bool,
    bin: PathBuf,
    serve_args: Vec<String>,
    server_env: Vec<(String, String)>,
    volatile: bool,
    hold: Option<usize>,
    latencies: Option<PathBuf>,
    log: Option<PathBuf>,
    nodes: usize,
    seed: u64,
    pg_pid: Option<u32>,
}

fn args() -> Args {
    let mut a = Args {
        quick: false,
        levels: vec![1, 16, 64],
        lifecycles: None,
        hostile: true,
        bin: PathBuf::from(env!("CARGO_BIN_EXE_switchyard")),
        serve_args: Vec::new(),
        server_env: Vec::new(),
        // `E2E_VOLATILE=1`: live state in memory only (call logs still durable), so the same
        // build measures what making live state durable costs (issue #10).
        volatile: std::env::var("E2E_VOLATILE").is_ok_and(|v| v == "1"),
        hold: None,
        latencies: None,
        log: None,
        nodes: 1,
        seed: NODE_SEED,
        pg_pid: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => a.quick = true,
            "--only" => {
                let v = it.next().expect("--only N");
                a.levels = vec![v.parse().expect("--only takes a concurrency")];
            }
            "--lifecycles" => {
                let v = it.next().expect("--lifecycles N");
                a.lifecycles = Some(v.parse().expect("--lifecycles takes a count"));
            }
            "--no-hostile" => a.hostile = false,
            "--bin" => a.bin = it.next().expect("--bin PATH").into(),
            "--serve-arg" => a.serve_args.push(it.next().expect("--serve-arg ARG")),
            "--hold" => {
                let v = it.next().expect("--hold N");
                a.hold = Some(v.parse().expect("--hold takes a concurrency"));
            }
            "--server-env" => {
                let v = it.next().expect("--server-env KEY=VALUE");
                let (k, v) = v.split_once('=').expect("--server-env KEY=VALUE");
                a.server_env.push((k.to_owned(), v.to_owned()));
            }
            "--log" => a.log = Some(it.next().expect("--log PATH").into()),
            "--latencies" => a.latencies = Some(it.next().expect("--latencies PATH").into()),
            "--nodes" => {
                let v = it.next().expect("--nodes N");
                a.nodes = v.parse().expect("--nodes takes a count");
            }
            "--seed" => {
                let v = it.next().expect("--seed S");
                a.seed = v.parse().expect("--seed takes an integer");
            }
            "--pg-pid" => {
                let v = it.next().expect("--pg-pid PID");
                a.pg_pid = Some(v.parse().expect("--pg-pid takes a process id"));
            }
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    check_nodes(&a);
    a
}

/// `--nodes N` > 1 is a cluster on one database: it needs `--store`, and live state in it.
fn check_nodes(a: &Args) {
    assert!(
        (1..=MAX_NODES).contains(&a.nodes),
        "--nodes takes 1 to {MAX_NODES}"
    );
    if a.nodes > 1 {
        assert!(
            a.serve_args
                .iter()
                .any(|s| s == "--store" || s.starts_with("--store=")),
            "--nodes {} needs a shared database: --serve-arg --store --serve-arg postgres://…",
            a.nodes
        );
        assert!(!a.volatile, "--nodes > 1 cannot run with E2E_VOLATILE=1");
    }
}

/// The numeric fields of process `pid`'s `/proc/<pid>/stat` after the command name (which is
/// in parentheses and may hold spaces), 0 for the others (the state) and when it is gone:
/// index 1 is the parent's pid, 11 and 12 utime and stime, 13 and 14 cutime and cstime (in
/// clock ticks), 17 the threads.
fn stat_of(pid: &str) -> Vec<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    rest.split_whitespace()
        .map(|f| f.parse().unwrap_or(0))
        .collect()
}

/// Clock ticks as a duration.
fn ticks(n: u64) -> Duration {
    Duration::from_millis(n * 1_000 / TICKS_PER_SEC)
}

/// (utime + stime, stime) of process `pid` so far (every thread, live or exited), from its
/// `/proc/<pid>/stat`.
fn cpu_of(pid: &str) -> (Duration, Duration) {
    let f = stat_of(pid);
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    (ticks(at(11) + at(12)), ticks(at(12)))
}

/// CPU of a PostgreSQL instance so far: utime + stime of its postmaster `pid` and of every
/// live child process (backends, WAL writer, checkpointer…), plus the postmaster's cutime +
/// cstime (children that ended and were waited for).
fn pg_cpu(pid: u32) -> Duration {
    let f = stat_of(&pid.to_string());
    let at = |f: &[u64], i: usize| f.get(i).copied().unwrap_or(0);
    let mut total = at(&f, 11) + at(&f, 12) + at(&f, 13) + at(&f, 14);
    let procs = std::fs::read_dir("/proc").into_iter().flatten().flatten();
    for entry in procs {
        let name = entry.file_name();
        let Some(child) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let c = stat_of(child);
        if at(&c, 1) == u64::from(pid) {
            total += at(&c, 11) + at(&c, 12);
        }
    }
    ticks(total)
}

/// Threads of process `pid` now (field 20 of its stat line).
fn threads_of(pid: u32) -> u64 {
    stat_of(&pid.to_string()).get(17).copied().unwrap_or(0)
}

/// SplitMix64: a well-mixed 64-bit value of `x` (for seeded, stateless random choices).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The server as a child process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Spawns `switchyard serve` on a free loopback port over `data` (with `--cluster` when
    /// `cluster`) and waits for `/ready`.
    async fn start(
        args: &Args,
        data: &Path,
        log: &Path,
        cluster: bool,
        http: &reqwest::Client,
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::File::create(log).unwrap();
        let mut command = Command::new(&args.bin);
        command
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(&args.serve_args)
            .env("SWITCHYARD_OPERATOR_TOKEN", OPERATOR)
            .env("RUST_LOG", "warn")
            .envs(args.server_env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log));
        if args.volatile {
            command.arg("--volatile-live-state");
        }
        if cluster && !args.serve_args.iter().any(|a| a == "--cluster") {
            command.arg("--cluster");
        }
        let mut child = command.spawn().expect("spawning the server");
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{base}/ready")).send().await
                && r.status().is_success()
            {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the server at {base} exited with {status} before /ready");
            }
            assert!(started.elapsed() < READY_WITHIN, "no /ready from {base}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Server { child, base }
    }

    fn pid(&self) -> String {
        self.child.id().to_string()
    }

    /// The server's CPU time so far, and the system part of it.
    fn cpu(&self) -> (Duration, Duration) {
        cpu_of(&self.pid())
    }

    /// Sends SIGTERM (a graceful exit: the database is flushed).
    fn terminate(&self) {
        Command::new("kill")
            .args(["-TERM", &self.pid()])
            .status()
            .unwrap();
    }

    /// Waits for the exit asked for at `asked`; kills the server (and fails the run) if it has
    /// not exited within [`EXIT_WITHIN`] of it.
    fn wait_exit(mut self, asked: Instant) {
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exited with {status}");
                return;
            }
            if asked.elapsed() > EXIT_WITHIN {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("server did not exit within {EXIT_WITHIN:?} of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// The server's nodes: one, or the `--nodes N` cluster nodes on one database (node 0 first).
struct Nodes {
    servers: Vec<Server>,
    /// `--pg-pid`: the postmaster of the database the nodes use.
    pg_pid: Option<u32>,
}

impl Nodes {
    /// Starts `args.nodes` servers one after the other, each on its own data directory under
    /// `dir` and its own port, each waited for on `/ready`; node `i` > 0 logs to `log.i`.
    async fn start(args: &Args, dir: &Path, log: &Path, http: &reqwest::Client) -> Nodes {
        let cluster = args.nodes > 1;
        let mut servers = Vec::new();
        for i in 0..args.nodes {
            let (data, log) = if i == 0 {
                (dir.join("data"), log.to_owned())
            } else {
                let mut log = log.as_os_str().to_owned();
                log.push(format!(".{i}"));
                (dir.join(format!("data-{i}")), PathBuf::from(log))
            };
            servers.push(Server::start(args, &data, &log, cluster, http).await);
        }
        Nodes {
            servers,
            pg_pid: args.pg_pid,
        }
    }

    /// Every node's base URL, node 0 first.
    fn bases(&self) -> Vec<String> {
        self.servers.iter().map(|s| s.base.clone()).collect()
    }

    /// The nodes' process ids, comma-separated.
    fn pids(&self) -> String {
        let pids: Vec<String> = self.servers.iter().map(Server::pid).collect();
        pids.join(", ")
    }

    /// Every node's threads now, comma-separated.
    fn threads(&self) -> String {
        let threads: Vec<String> = self
            .servers
            .iter()
            .map(|s| threads_of(s.child.id()).to_string())
            .collect();
        threads.join(", ")
    }

    /// The nodes' CPU time so far, summed, and the system part of it.
    fn cpu(&self) -> (Duration, Duration) {
        self.servers.iter().fold(Default::default(), |(t, s), n| {
            let (nt, ns) = n.cpu();
            (t + nt, s + ns)
        })
    }

    /// `--pg-pid`: PostgreSQL's CPU time so far.
    fn pg_cpu(&self) -> Option<Duration> {
        self.pg_pid.map(pg_cpu)
    }

    /// SIGTERM to every node, then waits (bounded by [`EXIT_WITHIN`] from then) for each exit;
    /// a node that does not exit is killed (and the others, by their drop, if that panics).
    fn stop(self) {
        for s in &self.servers {
            s.terminate();
        }
        let asked = Instant::now();
        for s in self.servers {
            s.wait_exit(asked);
        }
    }
}

struct World {
    /// Every node's base URL, node 0 (the one the world was seeded through) first.
    bases: Vec<String>,
    /// Seed of the per-request node choice ([`World::node`]).
    seed: u64,
    http: reqwest::Client,
    numbers: Vec<String>,
    companies: Vec<u64>,
    telephony: String,
}

impl World {
    /// The same world, calling only the companies at `range` (by seeding order).
    fn only(&self, range: std::ops::Range<usize>) -> World {
        World {
            bases: self.bases.clone(),
            seed: self.seed,
            http: self.http.clone(),
            numbers: self.numbers[range.clone()].to_vec(),
            companies: self.companies[range].to_vec(),
            telephony: self.telephony.clone(),
        }
    }

    /// The base URL of the node request `request` (0 the decision or `/health`, 1 `answered`,
    /// 2 `ended`) of lifecycle `n` is sent to: one node at random, a function of the seed and
    /// (`n`, `request`) only, so the same run sends the same requests to the same nodes.
    fn node(&self, n: usize, request: usize) -> &str {
        if self.bases.len() == 1 {
            return &self.bases[0];
        }
        let key = (n as u64).wrapping_mul(4).wrapping_add(request as u64);
        let pick = splitmix64(self.seed ^ splitmix64(key)) % self.bases.len() as u64;
        &self.bases[usize::try_from(pick).unwrap()]
    }

    /// Node 0: where the world is seeded and changed.
    fn first(&self) -> &str {
        &self.bases[0]
    }
}

/// A run that panics (a failed assertion) still takes its server down.
impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Seeds the world through node 0 of `bases`.
async fn seed(
    http: &reqwest::Client,
    bases: Vec<String>,
    seed: u64,
    companies: usize,
    agents: usize,
) -> World {
    use reqwest::Method as M;
    let base = bases[0].as_str();
    let acc = ok(
        http,
        M::POST,
        format!("{base}/v1/accounts"),
        OPERATOR,
        Some(json!({"name": "Bench BPO"})),
    )
    .await["id"]
        .as_u64()
        .unwrap();
    let shipped = switchyard_artifacts::SHIPPED;
    let mut cos = Vec::new();
    let mut numbers = Vec::new();
    for i in 0..companies {
        let c = ok(
            http,
            M::POST,
            format!("{base}/v1/companies"),
            OPERATOR,
            Some(json!({"name": format!("Company {i}"), "time_zone": "UTC",
                "account_id": acc, "wrap_up_secs": 0})),
        )
        .await["id"]
            .as_u64()
            .unwrap();
        let d = ok(
            http,
            M::POST,
            format!("{base}/v1/companies/{c}/departments"),
            OPERATOR,
            Some(json!({"name": "Support"})),
        )
        .await["id"]
            .as_u64()
            .unwrap();
        let number = format!("+9180{:08}", i + 1);
        ok(
            http,
            M::PUT,
            format!("{base}/v1/companies/{c}/numbers/{number}"),
            OPERATOR,
            Some(json!({"department_id": d})),
        )
        .await;
        let (name, path) = shipped[i % shipped.len()];
        // business-hours would close at night; keep every company open for the load.
        let (name, path) = if name == "business-hours" {
            ("longest-idle", switchyard_artifacts::LONGEST_IDLE)
        } else {
            (name, path)
        };
        let wasm = std::fs::read(path).unwrap();
        let version = upload(http, base, c, name, wasm).await;
        ok(
            http,
            M::PUT,
            format!("{base}/v1/companies/{c}/policy"),
            OPERATOR,
            Some(json!({"version": version})),
        )
        .await;
        cos.push((c, d));
        numbers.push(number);
    }
    let agents_per_task = agents.div_ceil(16);
    let cos = Arc::new(cos);
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (http, base, cos) = (http.clone(), base.to_owned(), Arc::clone(&cos));
        tasks.push(tokio::spawn(async move {
            for a in (t * agents_per_task)..((t + 1) * agents_per_task).min(agents) {
                seed_agent(&http, &base, &cos, a).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let telephony = ok(
        http,
        M::POST,
        format!("{base}/v1/tokens"),
        OPERATOR,
        Some(json!({"scope": {"kind": "telephony", "numbers": numbers}})),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        http: http.clone(),
        bases,
        seed,
        numbers,
        companies: cos.iter().map(|(c, _)| *c).collect(),
        telephony,
    }
}

/// Uploads `wasm` as policy `name` of company `c`; returns its version. An upload whose smoke
/// decision misses the deadline on a machine busy with other work is refused: tried again, at
/// most 5 times.
async fn upload(http: &reqwest::Client, base: &str, c: u64, name: &str, wasm: Vec<u8>) -> Value {
    for attempt in 1..=5 {
        let up = http
            .post(format!("{base}/v1/companies/{c}/policies?name={name}"))
            .bearer_auth(OPERATOR)
            .header("content-type", "application/wasm")
            .body(wasm.clone())
            .send()
            .await
            .unwrap();
        let status = up.status().as_u16();
        let body = up.text().await.unwrap_or_default();
        if status == 201 {
            let answer: Value = serde_json::from_str(&body).unwrap();
            return answer["version"].clone();
        }
        eprintln!("upload of {name} to company {c} refused (attempt {attempt}): {status} {body}");
    }
    panic!("upload of {name} to company {c} refused 5 times");
}

/// Agent `a`: a member of one company's department, a third of them also of one or two more,
/// activated and logged in.
async fn seed_agent(http: &reqwest::Client, base: &str, cos: &[(u64, u64)], a: usize) {
    use reqwest::Method as M;
    let (c, d) = cos[a % cos.len()];
    let email = format!("agent{a}@bench.example");
    let added = ok(
        http,
        M::POST,
        format!("{base}/v1/companies/{c}/members"),
        OPERATOR,
        Some(json!({"name": format!("Agent {a}"), "email": email})),
    )
    .await;
    let id = added["agent"]["id"].as_u64().unwrap();
    let token = added["agent_token"].as_str().unwrap().to_owned();
    ok(
        http,
        M::POST,
        format!("{base}/v1/me/activate"),
        &token,
        None,
    )
    .await;
    ok(
        http,
        M::PUT,
        format!("{base}/v1/companies/{c}/departments/{d}/members/{id}"),
        OPERATOR,
        Some(json!({"tier": 1})),
    )
    .await;
    // A third of the agents also work for one or two more companies.
    if a.is_multiple_of(3) {
        for k in 1..=(1 + a % 2) {
            let (c2, d2) = cos[(a + k * 7) % cos.len()];
            if c2 == c {
                continue;
            }
            ok(
                http,
                M::POST,
                format!("{base}/v1/companies/{c2}/members"),
                OPERATOR,
                Some(json!({"email": email})),
            )
            .await;
            ok(
                http,
                M::PUT,
                format!("{base}/v1/companies/{c2}/departments/{d2}/members/{id}"),
                OPERATOR,
                Some(json!({"tier": 1})),
            )
            .await;
        }
    }
    ok(
        http,
        M::PUT,
        format!("{base}/v1/me/presence"),
        &token,
        Some(json!({"logged_in": true})),
    )
    .await;
}

/// Latencies of one lifecycle's requests: the decision, `answered` and `ended` (zero when the
/// call was not rung).
type Phases = [Duration; 3];

/// One full lifecycle; returns its requests' latencies.
async fn lifecycle(w: &World, n: usize) -> Phases {
    use reqwest::Method as M;
    let id = format!("bench-{n}");
    let number = &w.numbers[n % w.numbers.len()];
    let start = Instant::now();
    let (status, update) = send(
        &w.http,
        M::POST,
        format!("{}/v1/calls", w.node(n, 0)),
        &w.telephony,
        Some(json!({"call_id": id, "number": number, "caller": "+14155550100"})),
    )
    .await;
    let decided = start.elapsed();
    assert_eq!(status, 201, "{update}");
    // Each event to a node of its own (with several nodes, mostly not the call's owner).
    let events = |request| format!("{}/v1/calls/{id}/events", w.node(n, request));
    let mut phases = [decided, Duration::ZERO, Duration::ZERO];
    if update["instruction"]["action"] == "ring" {
        let agent = update["instruction"]["targets"][0]["agent_id"]
            .as_u64()
            .unwrap();
        let t = Instant::now();
        ok(
            &w.http,
            M::POST,
            events(1),
            &w.telephony,
            Some(json!({"type": "answered", "agent_id": agent})),
        )
        .await;
        phases[1] = t.elapsed();
        let t = Instant::now();
        ok(
            &w.http,
            M::POST,
            events(2),
            &w.telephony,
            Some(json!({"type": "ended"})),
        )
        .await;
        phases[2] = t.elapsed();
    } else if update["instruction"]["action"] == "queue" {
        ok(
            &w.http,
            M::POST,
            events(1),
            &w.telephony,
            Some(json!({"type": "abandoned"})),
        )
        .await;
    }
    phases
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// What one measured level did.
struct Measured {
    /// Lifecycles (or `/health` requests) completed per second.
    rate: f64,
    /// Sorted latencies of the decision, `answered` and `ended` (`/health`: the first only).
    lat: [Vec<Duration>; 3],
    /// Server CPU per lifecycle (or request).
    server_cpu: Duration,
    /// The system (kernel) part of it.
    server_sys: Duration,
    /// Load generator CPU per lifecycle (or request).
    client_cpu: Duration,
    /// `--pg-pid`: PostgreSQL's CPU per lifecycle (or request).
    pg_cpu: Option<Duration>,
    /// Stopped at [`LEVEL_WITHIN`] before every task finished its share.
    cut_short: bool,
    /// Every request: phase (0 decision or `/health`, 1 `answered`, 2 `ended`), when it was
    /// sent (since the level started) and its latency.
    timeline: Vec<(usize, Duration, Duration)>,
}

/// `total` lifecycles (or `/health` requests when `health`) by `concurrency` tasks, numbered
/// from `offset`; bounded by count and by [`LEVEL_WITHIN`].
async fn run(
    w: Arc<World>,
    server: &Nodes,
    concurrency: usize,
    total: usize,
    offset: usize,
    health: bool,
) -> Measured {
    let start = Instant::now();
    let deadline = start + LEVEL_WITHIN;
    let (server_start, client_start) = (server.cpu(), cpu_of("self"));
    let pg_start = server.pg_cpu();
    let cut = Arc::new(AtomicBool::new(false));
    let per = total.div_ceil(concurrency);
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let (w, cut) = (Arc::clone(&w), Arc::clone(&cut));
        tasks.push(tokio::spawn(async move {
            let mut timeline = Vec::new();
            for i in 0..per {
                let sent = Instant::now();
                if sent > deadline {
                    cut.store(true, Ordering::Relaxed);
                    break;
                }
                if health {
                    let r = w
                        .http
                        .get(format!("{}/health", w.node(offset + t * per + i, 0)))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 200);
                    let _ = r.bytes().await;
                    timeline.push((0, sent - start, sent.elapsed()));
                } else {
                    let phases = lifecycle(&w, offset + t * per + i).await;
                    let mut at = sent - start;
                    for (phase, d) in phases.into_iter().enumerate() {
                        if !d.is_zero() {
                            timeline.push((phase, at, d));
                            at += d;
                        }
                    }
                }
            }
            timeline
        }));
    }
    let mut timeline = Vec::new();
    for t in tasks {
        timeline.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    let (server_end, client_end) = (server.cpu(), cpu_of("self"));
    let pg_used = server
        .pg_cpu()
        .zip(pg_start)
        .map(|(end, start)| end.saturating_sub(start));
    let server_used = server_end.0.saturating_sub(server_start.0);
    let server_sys = server_end.1.saturating_sub(server_start.1);
    let client_used = client_end.0.saturating_sub(client_start.0);
    let mut lat: [Vec<Duration>; 3] = Default::default();
    for &(phase, _, d) in &timeline {
        lat[phase].push(d);
    }
    let done = u32::try_from(lat[0].len().max(1)).unwrap();
    let (server_cpu, client_cpu) = (server_used / done, client_used / done);
    let server_sys = server_sys / done;
    let pg_cpu = pg_used.map(|d| d / done);
    for phase in &mut lat {
        phase.sort_unstable();
    }
    Measured {
        rate: lat[0].len() as f64 / elapsed.as_secs_f64(),
        lat,
        server_cpu,
        server_sys,
        client_cpu,
        pg_cpu,
        cut_short: cut.load(Ordering::Relaxed),
        timeline,
    }
}

/// `--latencies PATH`: every request of a level as CSV (`PATH-<in flight>.csv`): what, when it
/// was sent (ms since the level started) and its latency (ms).
fn write_timeline(path: &Path, concurrency: usize, calls: &Measured, health: &Measured) {
    use std::fmt::Write as _;
    let mut out = String::from("request,sent_ms,latency_ms\n");
    let names = ["call", "answered", "ended"];
    let rows = calls
        .timeline
        .iter()
        .map(|&(phase, at, d)| (names[phase], at, d))
        .chain(health.timeline.iter().map(|&(_, at, d)| ("health", at, d)));
    for (name, at, d) in rows {
        let (at, d) = (at.as_secs_f64() * 1e3, d.as_secs_f64() * 1e3);
        writeln!(out, "{name},{at:.3},{d:.3}").unwrap();
    }
    let file = format!("{}-{concurrency}.csv", path.display());
    std::fs::write(&file, out).unwrap();
    eprintln!("latencies: {file}");
}

/// Uploads the hostile test guest to `w`'s companies and activates it looping on every
/// decision (each one runs into the deadline and falls back).
async fn turn_hostile(w: &World) {
    let wasm = std::fs::read(switchyard_artifacts::HOSTILE).unwrap();
    for c in &w.companies {
        let version = upload(&w.http, w.first(), *c, "hostile", wasm.clone()).await;
        ok(
            &w.http,
            reqwest::Method::PUT,
            format!("{}/v1/companies/{c}/policy", w.first()),
            OPERATOR,
            Some(json!({"version": version, "config": {"mode": "loop"}})),
        )
        .await;
    }
}

/// Hostile-tenant section: the normal companies' load at concurrency 16 alone, then again
/// while 4 callers keep the hostile companies busy with decisions that loop until the deadline.
async fn hostile_section(
    world: &World,
    server: &Nodes,
    hostile: usize,
    total: usize,
    offset: usize,
) {
    let n = world.companies.len();
    let normal = Arc::new(world.only(0..n - hostile));
    let bad = Arc::new(world.only(n - hostile..n));
    turn_hostile(&bad).await;
    println!();
    println!(
        "| load on the other {} companies (16 in flight) | lifecycles/s | p50 | p99 | p99.9 | server CPU per lifecycle | hostile decisions (p50) | load average |",
        n - hostile
    );
    println!("|---|---|---|---|---|---|---|---|");
    let load = load_average();
    let m = run(Arc::clone(&normal), server, 16, total, offset, false).await;
    println!(
        "| alone | {:.0} | {} | {} | {} | {} | — | {load} |",
        m.rate,
        ms(pct(&m.lat[0], 0.50)),
        ms(pct(&m.lat[0], 0.99)),
        ms(pct(&m.lat[0], 0.999)),
        us(m.server_cpu),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let mut attackers = Vec::new();
    let load = load_average();
    for t in 0..4 {
        let (bad, stop) = (Arc::clone(&bad), Arc::clone(&stop));
        attackers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let began = Instant::now();
            // Bounded: until the measured load ends, or a cap in count and time.
            while !stop.load(Ordering::Relaxed)
                && lat.len() < 1_000_000
                && began.elapsed() < LEVEL_WITHIN
            {
                lat.push(lifecycle(&bad, 10_000_000 + t * 1_000_000 + lat.len()).await[0]);
            }
            lat
        }));
    }
    let m = run(
        Arc::clone(&normal),
        server,
        16,
        total,
        offset + total + 16,
        false,
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    let mut bad_lat = Vec::new();
    for a in attackers {
        bad_lat.extend(a.await.unwrap());
    }
    bad_lat.sort_unstable();
    println!(
        "| with {hostile} hostile companies looping | {:.0} | {} | {} | {} | {} | {} ({}) | {load} |",
        m.rate,
        ms(pct(&m.lat[0], 0.50)),
        ms(pct(&m.lat[0], 0.99)),
        ms(pct(&m.lat[0], 0.999)),
        us(m.server_cpu),
        bad_lat.len(),
        ms(pct(&bad_lat, 0.50)),
    );
}

fn main() {
    let args = args();
    let (companies, agents, total) = if args.quick {
        (10, 200, 300)
    } else {
        (50, 2_000, 3_000)
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap();
        let log = args
            .log
            .clone()
            .unwrap_or_else(|| dir.path().join("server.log"));
        let server = Nodes::start(&args, dir.path(), &log, &http).await;
        eprintln!(
            "server: {} ({} node(s), pid {}), live state {}, log {}{}",
            args.bin.display(),
            args.nodes,
            server.pids(),
            if args.volatile { "volatile" } else { "durable" },
            log.display(),
            if args.nodes > 1 { " (node i > 0: .i)" } else { "" },
        );
        let seeding = Instant::now();
        let bases = server.bases();
        let world = Arc::new(seed(&http, bases, args.seed, companies, agents).await);
        eprintln!(
            "seeded {companies} companies, {agents} agents in {:.1} s",
            seeding.elapsed().as_secs_f64()
        );
        println!(
            "| in flight | lifecycles | lifecycles/s | p50 | p99 | p99.9 | answered p50 / p99 | ended p50 / p99 | server CPU per lifecycle (of which system) | client CPU per lifecycle | PostgreSQL CPU per lifecycle | /health req/s | /health p50 | /health p99 | server / client CPU per /health | load average at start |"
        );
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        let mut offset = 0;
        for concurrency in args.levels.iter().copied() {
            let n = args
                .lifecycles
                .unwrap_or(if concurrency == 1 { total / 3 } else { total });
            if args.hold == Some(concurrency) {
                eprintln!(
                    "{concurrency} in flight in 10 s: perf record -p {}",
                    server.pids()
                );
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
            let load = load_average();
            let wall = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            eprintln!(
                "{concurrency} in flight: starting at {:.3} (unix time)",
                wall.as_secs_f64()
            );
            let m = run(Arc::clone(&world), &server, concurrency, n, offset, false).await;
            offset += n + concurrency;
            let h = run(Arc::clone(&world), &server, concurrency, n * 3, 0, true).await;
            if let Some(path) = &args.latencies {
                write_timeline(path, concurrency, &m, &h);
            }
            let [lat, answered, ended] = &m.lat;
            println!(
                "| {concurrency} | {}{} | {:.0} | {} | {} | {} | {} / {} | {} / {} | {} ({}) | {} | {} | {:.0} | {} | {} | {} / {} | {load} |",
                lat.len(),
                if m.cut_short || h.cut_short { " (cut short)" } else { "" },
                m.rate,
                ms(pct(lat, 0.50)),
                ms(pct(lat, 0.99)),
                ms(pct(lat, 0.999)),
                ms(pct(answered, 0.50)),
                ms(pct(answered, 0.99)),
                ms(pct(ended, 0.50)),
                ms(pct(ended, 0.99)),
                us(m.server_cpu),
                us(m.server_sys),
                us(m.client_cpu),
                m.pg_cpu.map_or_else(|| "—".to_owned(), us),
                h.rate,
                ms(pct(&h.lat[0], 0.50)),
                ms(pct(&h.lat[0], 0.99)),
                us(h.server_cpu),
                us(h.client_cpu),
            );
            eprintln!(
                "{concurrency} in flight: worst decision {}, server threads now {}",
                ms(lat.last().copied().unwrap_or_default()),
                server.threads(),
            );
        }
        if args.hostile {
            hostile_section(&world, &server, companies / 10, total, offset).await;
        }
        server.stop();
    });
}
