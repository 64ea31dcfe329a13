//! Scale: 1,000 and 10,000 companies, each with its own uploaded and activated policy version,
//! against the real release binary run as a child process. Reports the server's resident memory
//! (VmRSS / VmHWM from `/proc`), the restart time with every policy active (spawn until `/ready`
//! answers), and the first decision of a cold company after the restart.
//!
//! Seeding: every company goes through the HTTP API (company, department, number, upload of one
//! of the six shipped plugins in turn, activation), timed. With `--http N` only the first N do
//! and the rest are written directly into the stopped server's database through
//! `switchyard_directory` (the directory operations, and the policy records in the layout
//! `policy_store` uses; the components themselves are already stored, once by content hash).
//! One more company has a number but no policy: its call after the restart takes the
//! server-wide first-call costs, so that the cold figures are the policies' own.
//!
//! Run: `cargo bench -p switchyard --bench scale` (1,000 then 10,000 companies);
//! `-- --companies 200` for a quick run; `--http N`; `--bin PATH` for another server binary.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchyard::policy::{Activation, PolicyChange, PolicyVersion};
use switchyard_directory::input::{NewCompany, NewDepartment, NumberTarget};
use switchyard_directory::{Directory, Principal, RecordStore, RecordTree, RecordWrite};

const OPERATOR: &str = "sy_bench-operator-token-0123456789";
/// Companies seeded over HTTP at once.
const SEED_TASKS: usize = 4;
/// Numbers per telephony token (the directory's limit).
const NUMBERS_PER_TOKEN: usize = 1000;

struct Args {
    companies: Vec<usize>,
    http: usize,
    bin: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        companies: vec![1_000, 10_000],
        http: usize::MAX,
        bin: PathBuf::from(env!("CARGO_BIN_EXE_switchyard")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--companies" => {
                let v = it.next().expect("--companies N[,M...]");
                a.companies = v.split(',').map(|n| n.parse().unwrap()).collect();
            }
            "--http" => a.http = it.next().expect("--http N").parse().unwrap(),
            "--bin" => a.bin = it.next().expect("--bin PATH").into(),
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    a
}

fn number(i: usize) -> String {
    format!("+9180{:08}", i + 1)
}

/// The plugin of company index `i`: the shipped ones in turn.
fn plugin(i: usize) -> (&'static str, &'static str) {
    let shipped = switchyard_artifacts::SHIPPED;
    shipped[i % shipped.len()]
}

/// The server as a child process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Spawns the binary and waits for `/ready`; returns it and the time that took.
    async fn start(bin: &Path, data: &Path, http: &reqwest::Client) -> (Server, Duration) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.join("server.log"))
            .unwrap();
        let started = Instant::now();
        let child = Command::new(bin)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("SWITCHYARD_OPERATOR_TOKEN", OPERATOR)
            .env("RUST_LOG", "warn")
            // Generous: the upload's smoke decision must not miss its deadline on a machine
            // busy compiling other uploads (see `SEED_TASKS`).
            .env("SWITCHYARD_POLICY_DEADLINE_MS", "100")
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawning the server");
        let base = format!("http://127.0.0.1:{port}");
        loop {
            if let Ok(r) = http.get(format!("{base}/ready")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(600), "no /ready");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        (Server { child, base }, started.elapsed())
    }

    /// (VmRSS, VmHWM) in MiB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .unwrap()
                / 1024.0
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// SIGTERM, then wait for the graceful exit (the database is flushed).
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "server exited with {status}");
    }
}

async fn ok(req: reqwest::RequestBuilder) -> Value {
    let resp = req.send().await.expect("request failed");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Seeds companies `range` over HTTP, `SEED_TASKS` at a time.
async fn seed_http(base: &str, http: &reqwest::Client, range: std::ops::Range<usize>) {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(range.start));
    let mut tasks = Vec::new();
    for _ in 0..SEED_TASKS {
        let (http, base, next) = (http.clone(), base.to_owned(), next.clone());
        let end = range.end;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= end {
                    break;
                }
                let post = |path: String| http.post(format!("{base}{path}")).bearer_auth(OPERATOR);
                let c = ok(post("/v1/companies".into())
                    .json(&json!({"name": format!("Company {i}"), "time_zone": "UTC"})))
                .await["id"]
                    .as_u64()
                    .unwrap();
                let d = ok(post(format!("/v1/companies/{c}/departments"))
                    .json(&json!({"name": "Support"})))
                .await["id"]
                    .as_u64()
                    .unwrap();
                let put = http.put(format!("{base}/v1/companies/{c}/numbers/{}", number(i)));
                ok(put.bearer_auth(OPERATOR).json(&json!({"department_id": d}))).await;
                let (name, path) = plugin(i);
                let upload = post(format!("/v1/companies/{c}/policies?name={name}"))
                    .header("content-type", "application/wasm")
                    .body(std::fs::read(path).unwrap());
                let v = ok(upload).await["version"].as_u64().unwrap();
                let put = http.put(format!("{base}/v1/companies/{c}/policy"));
                ok(put.bearer_auth(OPERATOR).json(&json!({"version": v}))).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// One company (index `i`) with a department and a number but no policy.
async fn seed_plain(base: &str, http: &reqwest::Client, i: usize) {
    let post = |path: String| http.post(format!("{base}{path}")).bearer_auth(OPERATOR);
    let body = json!({"name": format!("Company {i}"), "time_zone": "UTC"});
    let c = ok(post("/v1/companies".into()).json(&body)).await["id"]
        .as_u64()
        .unwrap();
    let body = json!({"name": "Support"});
    let d = ok(post(format!("/v1/companies/{c}/departments")).json(&body)).await["id"]
        .as_u64()
        .unwrap();
    let put = http.put(format!("{base}/v1/companies/{c}/numbers/{}", number(i)));
    ok(put.bearer_auth(OPERATOR).json(&json!({"department_id": d}))).await;
}

/// Seeds companies `range` directly into the (stopped) server's database. Every company gets a
/// version record and an activation of its plugin, whose component (blob and precompiled
/// artifact, by content hash) the HTTP seeding already stored.
fn seed_direct(data: &Path, range: std::ops::Range<usize>) {
    let (directory, records) = Directory::open_with_records(&data.join("db")).unwrap();
    // Hash of each plugin, from the versions the HTTP seeding stored.
    let mut hashes = std::collections::HashMap::new();
    for (_, v) in records
        .scan(RecordTree::PolicyVersions, &[], None, false, usize::MAX)
        .unwrap()
    {
        let v: PolicyVersion = serde_json::from_slice(&v).unwrap();
        hashes.insert(v.name.clone(), (v.hash, v.size));
    }
    let next = std::sync::atomic::AtomicUsize::new(range.start);
    let created = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= range.end {
                        break;
                    }
                    let op = Principal::Operator;
                    let company = NewCompany {
                        name: format!("Company {i}"),
                        time_zone: "UTC".into(),
                        account_id: None,
                        wrap_up_secs: None,
                        identity_policy: None,
                    };
                    let c = directory.create_company(&op, company).unwrap().id;
                    let department = NewDepartment {
                        name: "Support".into(),
                    };
                    let d = directory.create_department(&op, c, department).unwrap().id;
                    let target = NumberTarget { department_id: d };
                    directory.map_number(&op, c, &number(i), target).unwrap();
                    created.lock().unwrap().push((i, c));
                }
            });
        }
    });
    let now = switchyard_directory::now_ms();
    let created = created.into_inner().unwrap();
    for chunk in created.chunks(500) {
        let mut writes: Vec<RecordWrite> = Vec::new();
        for &(i, c) in chunk {
            let name = plugin(i).0;
            let (hash, size) = hashes[name].clone();
            let version = PolicyVersion {
                company_id: c,
                version: 1,
                name: name.to_owned(),
                hash,
                size,
                uploaded_ms: now,
                uploader: "operator".into(),
            };
            let activation = Activation {
                company_id: c,
                version: 1,
                name: name.to_owned(),
                config: String::new(),
                activated_ms: now,
                by: "operator".into(),
                previous: None,
            };
            let key = |tail: &[u8]| [c.to_be_bytes().as_slice(), tail].concat();
            writes.push((
                RecordTree::PolicyVersions,
                key(&1u32.to_be_bytes()),
                Some(serde_json::to_vec(&version).unwrap()),
            ));
            writes.push((
                RecordTree::PolicyActive,
                key(&[]),
                Some(serde_json::to_vec(&activation).unwrap()),
            ));
            for (action, from) in [("upload", None), ("activate", None)] {
                let change = PolicyChange {
                    at_ms: now,
                    by: "operator".into(),
                    action: action.into(),
                    from,
                    to: Some(1),
                };
                let seq = records.next_seq().unwrap();
                writes.push((
                    RecordTree::PolicyAudit,
                    key(&seq.to_be_bytes()),
                    Some(serde_json::to_vec(&change).unwrap()),
                ));
            }
        }
        records.write(&writes).unwrap();
    }
    directory.flush().unwrap();
}

/// Telephony tokens covering the numbers of companies `0..n` (1,000 numbers per token).
async fn telephony(base: &str, http: &reqwest::Client, n: usize) -> Vec<String> {
    let mut tokens = Vec::new();
    for start in (0..n).step_by(NUMBERS_PER_TOKEN) {
        let numbers: Vec<String> = (start..(start + NUMBERS_PER_TOKEN).min(n))
            .map(number)
            .collect();
        let body = json!({"scope": {"kind": "telephony", "numbers": numbers}});
        let req = http.post(format!("{base}/v1/tokens")).bearer_auth(OPERATOR);
        tokens.push(
            ok(req.json(&body)).await["token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    tokens
}

/// One call to company index `i` (call id tagged `tag`): its decision time; the call is then
/// closed.
async fn call(
    base: &str,
    http: &reqwest::Client,
    tokens: &[String],
    i: usize,
    tag: usize,
) -> Duration {
    let token = &tokens[i / NUMBERS_PER_TOKEN];
    let id = format!("scale-{i}-{tag}");
    let body = json!({"call_id": id, "number": number(i), "caller": "+14155550100"});
    let start = Instant::now();
    let req = http.post(format!("{base}/v1/calls")).bearer_auth(token);
    let update = ok(req.json(&body)).await;
    let took = start.elapsed();
    if update["instruction"]["action"] == "queue" {
        let req = http
            .post(format!("{base}/v1/calls/{id}/events"))
            .bearer_auth(token);
        ok(req.json(&json!({"type": "abandoned"}))).await;
    }
    took
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

async fn run(args: &Args, n: usize, http: &reqwest::Client) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let over_http = args.http.clamp(switchyard_artifacts::SHIPPED.len(), n);

    let (server, first_start) = Server::start(&args.bin, data, http).await;
    let seeding = Instant::now();
    seed_http(&server.base, http, 0..over_http).await;
    let http_seed = seeding.elapsed();
    seed_plain(&server.base, http, n).await;
    let (rss_seeded, hwm_seeded) = server.memory();
    server.stop();
    let seeding = Instant::now();
    seed_direct(data, over_http..n);
    let direct_seed = seeding.elapsed();
    eprintln!(
        "[{n}] empty start {}; {over_http} companies over HTTP in {:.1} s ({:.1} ms each, RSS after: {rss_seeded:.0} MiB); {} directly in {:.1} s",
        ms(first_start),
        http_seed.as_secs_f64(),
        http_seed.as_secs_f64() * 1e3 / over_http as f64,
        n - over_http,
        direct_seed.as_secs_f64()
    );

    let (server, restart) = Server::start(&args.bin, data, http).await;
    let (rss_idle, hwm_idle) = server.memory();
    let tokens = telephony(&server.base, http, n + 1).await;
    let first_call = call(&server.base, http, &tokens, n, 0).await;
    // Cold: the first call of a company after the restart. The first of each shipped plugin
    // finds no one else's copy in memory; the later ones may share an already-loaded one.
    let shipped = switchyard_artifacts::SHIPPED.len();
    let mut cold_first = Vec::new();
    for p in 0..shipped {
        let i = n - shipped + p; // a directly seeded company when n > http
        cold_first.push((plugin(i).0, call(&server.base, http, &tokens, i, 0).await));
    }
    let mut cold_shared = Vec::new();
    for k in 0..30 {
        let i = (k * 7919 + 13) % (n - shipped);
        cold_shared.push(call(&server.base, http, &tokens, i, 100 + k).await);
    }
    let mut warm = Vec::new();
    for k in 0..30 {
        let i = (k * 7919 + 13) % (n - shipped);
        warm.push(call(&server.base, http, &tokens, i, 200 + k).await);
    }
    // Every company decides once: all policies in use.
    let touching = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tokens = std::sync::Arc::new(tokens);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (http, base, next, tokens) = (
            http.clone(),
            server.base.clone(),
            next.clone(),
            tokens.clone(),
        );
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                call(&base, &http, &tokens, i, 1).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let touch = touching.elapsed();
    let (rss_all, hwm_all) = server.memory();
    server.stop();
    let (server, restart2) = Server::start(&args.bin, data, http).await;
    server.stop();

    cold_shared.sort_unstable();
    warm.sort_unstable();
    let cold_max = cold_first.iter().map(|(_, d)| *d).max().unwrap();
    let firsts: Vec<String> = cold_first
        .iter()
        .map(|(name, d)| format!("{name} {}", ms(*d)))
        .collect();
    println!("\n### {n} companies\n");
    println!("| measure | value |\n|---|---|");
    println!(
        "| seeding over HTTP ({over_http} companies, {SEED_TASKS} in flight) | {:.1} ms per company |",
        http_seed.as_secs_f64() * 1e3 / over_http as f64
    );
    println!(
        "| seeding directly ({} companies) | {:.1} s |",
        n - over_http,
        direct_seed.as_secs_f64()
    );
    println!(
        "| restart with {n} active policies (spawn → /ready) | {} (again: {}) |",
        ms(restart),
        ms(restart2)
    );
    if over_http == n {
        println!(
            "| VmRSS / VmHWM after seeding over HTTP | {rss_seeded:.0} / {hwm_seeded:.0} MiB |"
        );
    }
    println!("| VmRSS / VmHWM after restart, idle | {rss_idle:.0} / {hwm_idle:.0} MiB |");
    println!(
        "| VmRSS / VmHWM after one decision per company ({:.1} s) | {rss_all:.0} / {hwm_all:.0} MiB |",
        touch.as_secs_f64()
    );
    println!(
        "| first call after the restart (company without a policy) | {} |",
        ms(first_call)
    );
    println!(
        "| first decision, cold, first company of its plugin (max of {shipped}) | {} |",
        ms(cold_max)
    );
    println!("| … each | {} |", firsts.join(", "));
    println!(
        "| first decision, cold, plugin already loaded (median / max of {}) | {} / {} |",
        cold_shared.len(),
        ms(cold_shared[cold_shared.len() / 2]),
        ms(*cold_shared.last().unwrap())
    );
    println!(
        "| warm decision (median / max of {}) | {} / {} |",
        warm.len(),
        ms(warm[warm.len() / 2]),
        ms(*warm.last().unwrap())
    );
}

fn main() {
    let args = args();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    for &n in &args.companies {
        rt.block_on(run(&args, n, &http));
    }
}
