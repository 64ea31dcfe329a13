//! Scale: 1,000 and 10,000 companies, each with its own uploaded and activated policy version,
//! against the real release binary run as a child process. Reports the server's resident memory
//! (VmRSS / VmHWM from `/proc`) empty, after seeding, idle after a restart and after every
//! company decided once; the data directory's size; the restart time with every policy active
//! (spawn until `/ready` answers); cold decisions (a company's first after the restart: its
//! policy loaded from its precompiled artifact), warm ones, and the policy cache's counts.
//!
//! Components: by default every company uploads **distinct** bytes (the shipped plugin *i* mod
//! 6 with a custom section naming the company appended, so every content hash differs and
//! every upload compiles, as real tenants' own policies would); `--shared` uploads the six
//! shipped plugins as they are (stored and compiled once per content hash: the deduplicated
//! case).
//!
//! Seeding: the first `--http N` companies (default 100) go through the HTTP API (company,
//! department, number, upload, activation), each distinct upload compiled, timed; the rest are
//! written into the stopped server's database through the same library calls (`Directory`,
//! `PolicyStore::upload` and `activate`), two at a time. A distinct component differs from its
//! plugin only in a custom section, so its compiled code is its plugin's: the direct seeding
//! compiles each plugin once and stores every company's own artifact file (the plugin's code
//! under the company's content hash) before its upload, which then skips the compile as for
//! any stored bytes (`--compile-all` compiles every one instead: ~0.2 s each). Files, memory
//! and loads are then exactly as if each had been compiled. One more company has a number
//! but no policy: its call after the restart takes the server-wide first-call costs, so that
//! the cold figures are the policies' own.
//!
//! Run: `cargo bench -p switchyard --bench scale` (1,000 then 10,000 companies, distinct);
//! `-- --companies 200` for a quick run; `--shared`; `--http N`; `--cold N` cold calls sampled
//! (default 300); `--bin PATH` for another server binary; extra `--serve-arg A` are passed to
//! `switchyard serve` (e.g. `--serve-arg --policy-cache --serve-arg 64`).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchyard::policy::store::{Kind, PolicyFiles};
use switchyard::policy::{DEFAULT_MAX_POLICY_BYTES, PolicyStore};
use switchyard_directory::input::{NewCompany, NewDepartment, NumberTarget};
use switchyard_directory::{Directory, Principal, RecordStore};
use switchyard_runtime::{EngineConfig, PolicyEngine};

const OPERATOR: &str = "sy_bench-operator-token-0123456789";
/// Companies seeded over HTTP at once.
const SEED_TASKS: usize = 4;
/// Companies seeded directly at once (each upload compiles on its own thread).
const DIRECT_THREADS: usize = 2;
/// Numbers per telephony token (the directory's limit).
const NUMBERS_PER_TOKEN: usize = 1000;
/// Generous: an upload's smoke decision must not miss its deadline on a machine busy
/// compiling other uploads.
const DEADLINE_MS: u64 = 100;

struct Args {
    companies: Vec<usize>,
    http: usize,
    shared: bool,
    compile_all: bool,
    cold: usize,
    bin: PathBuf,
    serve_args: Vec<String>,
}

fn args() -> Args {
    let mut a = Args {
        companies: vec![1_000, 10_000],
        http: 100,
        shared: false,
        compile_all: false,
        cold: 300,
        bin: PathBuf::from(env!("CARGO_BIN_EXE_switchyard")),
        serve_args: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--companies" => {
                let v = it.next().expect("--companies N[,M...]");
                a.companies = v.split(',').map(|n| n.parse().unwrap()).collect();
            }
            "--http" => a.http = it.next().expect("--http N").parse().unwrap(),
            "--cold" => a.cold = it.next().expect("--cold N").parse().unwrap(),
            "--shared" => a.shared = true,
            "--compile-all" => a.compile_all = true,
            "--bin" => a.bin = it.next().expect("--bin PATH").into(),
            "--serve-arg" => a.serve_args.push(it.next().expect("--serve-arg ARG")),
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    a
}

fn number(i: usize) -> String {
    format!("+9180{:08}", i + 1)
}

/// The plugin of company index `i`: the shipped ones in turn.
fn plugin(i: usize) -> &'static str {
    let shipped = switchyard_artifacts::SHIPPED;
    shipped[i % shipped.len()].0
}

/// The component company `i` uploads: its plugin, with (distinct) a custom section naming
/// the company appended, so that its bytes and content hash are its own.
fn component(shipped: &[Vec<u8>], i: usize, distinct: bool) -> Vec<u8> {
    let mut bytes = shipped[i % shipped.len()].clone();
    if distinct {
        let name = b"switchyard-bench-tenant";
        let payload = format!("company {i}");
        let mut section = Vec::new();
        leb128(&mut section, name.len());
        section.extend_from_slice(name);
        section.extend_from_slice(payload.as_bytes());
        bytes.push(0); // custom section id
        leb128(&mut bytes, section.len());
        bytes.extend_from_slice(&section);
    }
    bytes
}

fn leb128(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = u8::try_from(n & 0x7f).unwrap();
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The shipped plugins' bytes, in `SHIPPED` order.
fn shipped_bytes() -> Vec<Vec<u8>> {
    switchyard_artifacts::SHIPPED
        .iter()
        .map(|(_, path)| std::fs::read(path).unwrap())
        .collect()
}

/// The server as a child process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Spawns the binary and waits for `/ready`; returns it and the time that took.
    async fn start(args: &Args, data: &Path, http: &reqwest::Client) -> (Server, Duration) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(data.with_extension("log"))
            .unwrap();
        let started = Instant::now();
        let child = Command::new(&args.bin)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .args(&args.serve_args)
            .env("SWITCHYARD_OPERATOR_TOKEN", OPERATOR)
            .env("RUST_LOG", "warn")
            .env("SWITCHYARD_POLICY_DEADLINE_MS", DEADLINE_MS.to_string())
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

    /// The value of an unlabelled metric.
    async fn metric(&self, http: &reqwest::Client, name: &str) -> u64 {
        let req = http.get(format!("{}/metrics", self.base));
        let text = req.bearer_auth(OPERATOR).send().await.unwrap();
        let text = text.text().await.unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /metrics"))
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
async fn seed_http(
    base: &str,
    http: &reqwest::Client,
    range: std::ops::Range<usize>,
    shipped: Arc<Vec<Vec<u8>>>,
    distinct: bool,
) {
    let next = Arc::new(AtomicUsize::new(range.start));
    let mut tasks = Vec::new();
    for _ in 0..SEED_TASKS {
        let (http, base, next, shipped) =
            (http.clone(), base.to_owned(), next.clone(), shipped.clone());
        let end = range.end;
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                let c = seed_plain(&base, &http, i).await;
                let post = |path: String| http.post(format!("{base}{path}")).bearer_auth(OPERATOR);
                let upload = post(format!("/v1/companies/{c}/policies?name={}", plugin(i)))
                    .header("content-type", "application/wasm")
                    .body(component(&shipped, i, distinct));
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

/// One company (index `i`) with a department and a number but no policy; its id.
async fn seed_plain(base: &str, http: &reqwest::Client, i: usize) -> u64 {
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
    c
}

/// Seeds companies `range` directly into the (stopped) server's database with the library
/// calls the API makes: the company, its department and number, then the upload (checked and,
/// for new bytes, compiled, as over HTTP) and the activation of its component.
fn seed_direct(
    data: &Path,
    range: std::ops::Range<usize>,
    shipped: &[Vec<u8>],
    distinct: bool,
    precompile: bool,
) {
    let (directory, records) = Directory::open_with_records(&data.join("db")).unwrap();
    let records: Arc<dyn RecordStore> = Arc::new(records);
    let engine = PolicyEngine::new(EngineConfig {
        deadline: Duration::from_millis(DEADLINE_MS),
        ..EngineConfig::default()
    })
    .unwrap();
    let files = PolicyFiles::open(&data.join("policies")).unwrap();
    let files = Arc::new(files);
    let payloads: Vec<Vec<u8>> = if precompile {
        shipped
            .iter()
            .map(|bytes| artifact_payload(&engine, bytes))
            .collect()
    } else {
        Vec::new()
    };
    let store = PolicyStore::new(
        records,
        Some(files.clone()),
        engine,
        DEFAULT_MAX_POLICY_BYTES,
    );
    let next = AtomicUsize::new(range.start);
    let now = switchyard_directory::now_ms();
    std::thread::scope(|s| {
        for _ in 0..DIRECT_THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
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
                        sip_domain: None,
                    };
                    let c = directory.create_company(&op, company).unwrap().id;
                    let department = NewDepartment {
                        name: "Support".into(),
                    };
                    let d = directory.create_department(&op, c, department).unwrap().id;
                    let target = NumberTarget { department_id: d };
                    directory.map_number(&op, c, &number(i), target).unwrap();
                    let bytes = component(shipped, i, distinct);
                    if precompile {
                        let payload = &payloads[i % payloads.len()];
                        store_artifact(&files, plugin(i), &bytes, payload);
                    }
                    let version = store
                        .upload(c, plugin(i), &bytes, "operator", now)
                        .unwrap()
                        .version;
                    store
                        .activate(c, version, String::new(), "operator", now, |_| {})
                        .unwrap();
                }
            });
        }
    });
    directory.flush().unwrap();
}

/// The compiled code of `bytes` (the payload of its artifact envelope, see
/// `switchyard_runtime::Policy::serialize`).
fn artifact_payload(engine: &PolicyEngine, bytes: &[u8]) -> Vec<u8> {
    let envelope = engine
        .load("plugin", "1", bytes)
        .unwrap()
        .serialize()
        .unwrap();
    let rest = envelope.strip_prefix(b"SWYDPOL1".as_slice()).unwrap();
    let len = u32::from_le_bytes(rest[..4].try_into().unwrap());
    rest[4 + usize::try_from(len).unwrap()..].to_vec()
}

/// Stores the artifact of a company's distinct `bytes`: `payload` (its plugin's code) in an
/// envelope naming its own content hash, packed, in its own file.
fn store_artifact(files: &PolicyFiles, name: &str, bytes: &[u8], payload: &[u8]) {
    let hash = switchyard_runtime::content_hash(bytes);
    let header = json!({
        "meta": {"name": name, "version": "1", "content_hash": hash},
        "payload_sha256": switchyard_runtime::content_hash(payload),
    });
    let header = serde_json::to_vec(&header).unwrap();
    let mut envelope = b"SWYDPOL1".to_vec();
    envelope.extend_from_slice(&u32::try_from(header.len()).unwrap().to_le_bytes());
    envelope.extend_from_slice(&header);
    envelope.extend_from_slice(payload);
    let packed = switchyard::policy::store::pack(&envelope).unwrap();
    files.put(&hash, Kind::Artifact, &packed).unwrap();
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

/// Every company in `0..n` decides once, 8 in flight; the decision times.
async fn sweep(
    base: &str,
    http: &reqwest::Client,
    tokens: Arc<Vec<String>>,
    n: usize,
) -> Vec<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (http, base, next, tokens) =
            (http.clone(), base.to_owned(), next.clone(), tokens.clone());
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break took;
                }
                took.push(call(&base, &http, &tokens, i, 1).await);
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    all
}

/// Bytes of the files under `dir`: (apparent, allocated on disk).
fn disk_usage(dir: &Path) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let mut total = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        if meta.is_dir() {
            let (a, b) = disk_usage(&entry.path());
            total = (total.0 + a, total.1 + b);
        } else {
            total = (total.0 + meta.len(), total.1 + meta.blocks() * 512);
        }
    }
    total
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// p50 / p99 / max of sorted durations.
fn spread(sorted: &[Duration]) -> String {
    let at = |q: f64| sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)];
    format!(
        "{} / {} / {}",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*sorted.last().unwrap())
    )
}

async fn run(args: &Args, n: usize, http: &reqwest::Client) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let distinct = !args.shared;
    let shipped = Arc::new(shipped_bytes());
    let over_http = args.http.min(n);

    let (server, first_start) = Server::start(args, &data, http).await;
    let (rss_empty, _) = server.memory();
    let seeding = Instant::now();
    seed_http(&server.base, http, 0..over_http, shipped.clone(), distinct).await;
    let http_seed = seeding.elapsed();
    seed_plain(&server.base, http, n).await;
    let (rss_seeded, hwm_seeded) = server.memory();
    server.stop();
    let seeding = Instant::now();
    seed_direct(
        &data,
        over_http..n,
        &shipped,
        distinct,
        distinct && !args.compile_all,
    );
    let direct_seed = seeding.elapsed();
    eprintln!(
        "[{n}] empty start {}; {over_http} companies over HTTP in {:.1} s ({:.1} ms each, RSS after: {rss_seeded:.0} MiB); {} directly in {:.1} s",
        ms(first_start),
        http_seed.as_secs_f64(),
        http_seed.as_secs_f64() * 1e3 / over_http.max(1) as f64,
        n - over_http,
        direct_seed.as_secs_f64()
    );

    let (server, restart) = Server::start(args, &data, http).await;
    let (rss_idle, hwm_idle) = server.memory();
    let (disk, disk_allocated) = disk_usage(&data);
    let tokens = telephony(&server.base, http, n + 1).await;
    let first_call = call(&server.base, http, &tokens, n, 0).await;
    // Cold: the first call of a company after the restart, companies spread over the range.
    let sample = args.cold.min(n);
    let picked: Vec<usize> = (0..sample).map(|k| k * n / sample).collect();
    let mut cold = Vec::new();
    for &i in &picked {
        cold.push(call(&server.base, http, &tokens, i, 100).await);
    }
    cold.sort_unstable();
    // Warm: a company that just decided, again.
    let mut warm = Vec::new();
    for k in 0..30 {
        let i = picked[picked.len() - 1];
        warm.push(call(&server.base, http, &tokens, i, 200 + k).await);
    }
    warm.sort_unstable();
    // Every company decides once: all policies in use, through the bounded cache.
    let touching = Instant::now();
    let swept = sweep(&server.base, http, Arc::new(tokens), n).await;
    let touch = touching.elapsed();
    let (rss_all, hwm_all) = server.memory();
    let mut cache = Vec::new();
    for name in [
        "capacity",
        "entries",
        "hits_total",
        "misses_total",
        "evictions_total",
    ] {
        let metric = format!("switchyard_policy_cache_{name}");
        cache.push(format!("{name} {}", server.metric(http, &metric).await));
    }
    server.stop();
    let (server, restart2) = Server::start(args, &data, http).await;
    server.stop();

    let kib_per = |mib: f64| mib * 1024.0 / n as f64;
    println!(
        "\n### {n} companies, {} components\n",
        if distinct {
            "distinct"
        } else {
            "shared (6 distinct)"
        }
    );
    println!("| measure | value |\n|---|---|");
    println!(
        "| upload + activate over HTTP ({over_http} companies, {SEED_TASKS} in flight), per company | {:.1} ms |",
        http_seed.as_secs_f64() * 1e3 / over_http.max(1) as f64
    );
    println!(
        "| seeding directly ({} companies, {DIRECT_THREADS} threads) | {:.1} s |",
        n - over_http,
        direct_seed.as_secs_f64()
    );
    println!(
        "| data directory after seeding: apparent / allocated, per company | {:.0} / {:.0} KB |",
        disk as f64 / 1e3 / n as f64,
        disk_allocated as f64 / 1e3 / n as f64
    );
    println!(
        "| restart with {n} active policies (spawn → /ready) | {} (again: {}) |",
        ms(restart),
        ms(restart2)
    );
    println!("| VmRSS empty (first start, nothing stored) | {rss_empty:.0} MiB |");
    if over_http == n {
        println!(
            "| VmRSS / VmHWM after seeding over HTTP | {rss_seeded:.0} / {hwm_seeded:.0} MiB |"
        );
    }
    println!(
        "| VmRSS / VmHWM after restart, idle | {rss_idle:.0} / {hwm_idle:.0} MiB ({:.1} KiB per company above empty) |",
        kib_per(rss_idle - rss_empty)
    );
    println!(
        "| VmRSS / VmHWM after one decision per company ({:.1} s, 8 in flight) | {rss_all:.0} / {hwm_all:.0} MiB |",
        touch.as_secs_f64()
    );
    println!("| policy cache after it | {} |", cache.join(", "));
    println!(
        "| first call after the restart (company without a policy) | {} |",
        ms(first_call)
    );
    println!(
        "| cold decision, a company's first after the restart, p50 / p99 / max of {} | {} |",
        cold.len(),
        spread(&cold)
    );
    println!(
        "| one decision per company at 8 in flight, p50 / p99 / max of {} | {} |",
        swept.len(),
        spread(&swept)
    );
    println!(
        "| warm decision, p50 / p99 / max of 30 | {} |",
        spread(&warm)
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
