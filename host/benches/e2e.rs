//! End-to-end load over HTTP on loopback: a seeded world (companies, agents, a third of them
//! shared by 2–3 companies, each company on a shipped policy), full call lifecycles (incoming →
//! answered → ended, durable call log) at several concurrencies, against the real server
//! in-process; and the same load on a do-nothing handler (`GET /health`) of the same server as
//! the ceiling. Prints decisions per second and latency percentiles of `POST /v1/calls`.
//!
//! Then the hostile-tenant section: a tenth of the companies switch to a policy that loops on
//! every decision, and the others' load is measured alone and next to it.
//!
//! Run: `cargo bench -p switchyard --bench e2e` (defaults: 50 companies, 2,000 agents,
//! 3,000 lifecycles per concurrency level); `-- --quick` for a small world, `-- --only N` for
//! one concurrency level, `-- --no-hostile` to skip the hostile section. `E2E_VOLATILE=1` runs
//! the server with live state volatile (`--volatile-live-state`), to compare with the default.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchyard::config::ServeConfig;

/// The same allocator as the `switchyard` binary (the server runs in this process).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const OPERATOR: &str = "sy_bench-operator-token-0123456789";

struct World {
    base: String,
    http: reqwest::Client,
    numbers: Vec<String>,
    companies: Vec<u64>,
    telephony: String,
}

impl World {
    /// The same world, calling only the companies at `range` (by seeding order).
    fn only(&self, range: std::ops::Range<usize>) -> World {
        World {
            base: self.base.clone(),
            http: self.http.clone(),
            numbers: self.numbers[range.clone()].to_vec(),
            companies: self.companies[range].to_vec(),
            telephony: self.telephony.clone(),
        }
    }
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request failed");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn ok(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> Value {
    let (status, v) = send(http, method, url.clone(), token, body).await;
    assert!((200..300).contains(&status), "{url}: {status} {v}");
    v
}

async fn seed(base: &str, companies: usize, agents: usize) -> World {
    use reqwest::Method as M;
    let http = reqwest::Client::new();
    let acc = ok(
        &http,
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
        let c = ok(&http, M::POST, format!("{base}/v1/companies"), OPERATOR,
            Some(json!({"name": format!("Company {i}"), "time_zone": "UTC", "account_id": acc, "wrap_up_secs": 0}))).await["id"].as_u64().unwrap();
        let d = ok(
            &http,
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
            &http,
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
        let up = http
            .post(format!("{base}/v1/companies/{c}/policies?name={name}"))
            .bearer_auth(OPERATOR)
            .header("content-type", "application/wasm")
            .body(wasm)
            .send()
            .await
            .unwrap();
        assert_eq!(up.status().as_u16(), 201);
        ok(
            &http,
            M::PUT,
            format!("{base}/v1/companies/{c}/policy"),
            OPERATOR,
            Some(json!({"version": 1})),
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
                let (c, d) = cos[a % cos.len()];
                let email = format!("agent{a}@bench.example");
                let added = ok(
                    &http,
                    M::POST,
                    format!("{base}/v1/companies/{c}/members"),
                    OPERATOR,
                    Some(json!({"name": format!("Agent {a}"), "email": email})),
                )
                .await;
                let id = added["agent"]["id"].as_u64().unwrap();
                let token = added["agent_token"].as_str().unwrap().to_owned();
                ok(
                    &http,
                    M::POST,
                    format!("{base}/v1/me/activate"),
                    &token,
                    None,
                )
                .await;
                ok(
                    &http,
                    M::PUT,
                    format!("{base}/v1/companies/{c}/departments/{d}/members/{id}"),
                    OPERATOR,
                    Some(json!({"tier": 1})),
                )
                .await;
                // A third of the agents also work for one or two more companies.
                if a % 3 == 0 {
                    for k in 1..=(1 + a % 2) {
                        let (c2, d2) = cos[(a + k * 7) % cos.len()];
                        if c2 == c {
                            continue;
                        }
                        ok(
                            &http,
                            M::POST,
                            format!("{base}/v1/companies/{c2}/members"),
                            OPERATOR,
                            Some(json!({"email": email})),
                        )
                        .await;
                        ok(
                            &http,
                            M::PUT,
                            format!("{base}/v1/companies/{c2}/departments/{d2}/members/{id}"),
                            OPERATOR,
                            Some(json!({"tier": 1})),
                        )
                        .await;
                    }
                }
                ok(
                    &http,
                    M::PUT,
                    format!("{base}/v1/me/presence"),
                    &token,
                    Some(json!({"logged_in": true})),
                )
                .await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let telephony = ok(
        &http,
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
        base: base.to_owned(),
        http,
        numbers,
        companies: cos.iter().map(|(c, _)| *c).collect(),
        telephony,
    }
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
        format!("{}/v1/calls", w.base),
        &w.telephony,
        Some(json!({"call_id": id, "number": number, "caller": "+14155550100"})),
    )
    .await;
    let decided = start.elapsed();
    assert_eq!(status, 201, "{update}");
    let events = format!("{}/v1/calls/{id}/events", w.base);
    let mut phases = [decided, Duration::ZERO, Duration::ZERO];
    if update["instruction"]["action"] == "ring" {
        let agent = update["instruction"]["targets"][0]["agent_id"]
            .as_u64()
            .unwrap();
        let t = Instant::now();
        ok(
            &w.http,
            M::POST,
            events.clone(),
            &w.telephony,
            Some(json!({"type": "answered", "agent_id": agent})),
        )
        .await;
        phases[1] = t.elapsed();
        let t = Instant::now();
        ok(
            &w.http,
            M::POST,
            events,
            &w.telephony,
            Some(json!({"type": "ended"})),
        )
        .await;
        phases[2] = t.elapsed();
    } else if update["instruction"]["action"] == "queue" {
        ok(
            &w.http,
            M::POST,
            events,
            &w.telephony,
            Some(json!({"type": "abandoned"})),
        )
        .await;
    }
    phases
}

/// CPU time used by this process so far (server and load generator together), from
/// `/proc/self/stat` (user + system, in clock ticks of 10 ms).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn run(
    w: Arc<World>,
    concurrency: usize,
    total: usize,
    offset: usize,
    health: bool,
) -> (f64, [Vec<Duration>; 3], Duration) {
    let start = Instant::now();
    let cpu_start = cpu_time();
    let per = total.div_ceil(concurrency);
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let w = Arc::clone(&w);
        tasks.push(tokio::spawn(async move {
            let mut lat: [Vec<Duration>; 3] = Default::default();
            for i in 0..per {
                let n = offset + t * per + i;
                if health {
                    let s = Instant::now();
                    let r = w
                        .http
                        .get(format!("{}/health", w.base))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(r.status().as_u16(), 200);
                    let _ = r.bytes().await;
                    lat[0].push(s.elapsed());
                } else {
                    let phases = lifecycle(&w, n).await;
                    for (all, d) in lat.iter_mut().zip(phases) {
                        if !d.is_zero() {
                            all.push(d);
                        }
                    }
                }
            }
            lat
        }));
    }
    let mut all: [Vec<Duration>; 3] = Default::default();
    for t in tasks {
        for (into, from) in all.iter_mut().zip(t.await.unwrap()) {
            into.extend(from);
        }
    }
    let rate = all[0].len() as f64 / start.elapsed().as_secs_f64();
    let cpu = (cpu_time() - cpu_start) / u32::try_from(all[0].len().max(1)).unwrap();
    for phase in &mut all {
        phase.sort_unstable();
    }
    (rate, all, cpu)
}

/// Uploads the hostile test guest to `w`'s companies and activates it looping on every
/// decision (each one runs into the deadline and falls back).
async fn turn_hostile(w: &World) {
    let wasm = std::fs::read(switchyard_artifacts::HOSTILE).unwrap();
    for c in &w.companies {
        let up = w
            .http
            .post(format!("{}/v1/companies/{c}/policies?name=hostile", w.base))
            .bearer_auth(OPERATOR)
            .header("content-type", "application/wasm")
            .body(wasm.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(up.status().as_u16(), 201);
        let version = up.json::<Value>().await.unwrap()["version"].clone();
        ok(
            &w.http,
            reqwest::Method::PUT,
            format!("{}/v1/companies/{c}/policy", w.base),
            OPERATOR,
            Some(json!({"version": version, "config": {"mode": "loop"}})),
        )
        .await;
    }
}

/// Hostile-tenant section: the normal companies' load at concurrency 16 alone, then again
/// while 4 callers keep the hostile companies busy with decisions that loop until the deadline.
async fn hostile_section(world: &World, hostile: usize, total: usize, offset: usize) {
    let n = world.companies.len();
    let normal = Arc::new(world.only(0..n - hostile));
    let bad = Arc::new(world.only(n - hostile..n));
    turn_hostile(&bad).await;
    println!();
    println!(
        "| load on the other {} companies (16 in flight) | decisions/s | p50 | p99 | p99.9 | hostile decisions (p50) |",
        n - hostile
    );
    println!("|---|---|---|---|---|---|");
    let (rate, [lat, _, _], _) = run(Arc::clone(&normal), 16, total, offset, false).await;
    println!(
        "| alone | {rate:.0} | {:.2} ms | {:.2} ms | {:.2} ms | — |",
        pct(&lat, 0.50).as_secs_f64() * 1e3,
        pct(&lat, 0.99).as_secs_f64() * 1e3,
        pct(&lat, 0.999).as_secs_f64() * 1e3,
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut attackers = Vec::new();
    for t in 0..4 {
        let (bad, stop) = (Arc::clone(&bad), Arc::clone(&stop));
        attackers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                lat.push(lifecycle(&bad, 10_000_000 + t * 1_000_000 + i).await[0]);
                i += 1;
            }
            lat
        }));
    }
    let (rate, [lat, _, _], _) =
        run(Arc::clone(&normal), 16, total, offset + total + 16, false).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut bad_lat = Vec::new();
    for a in attackers {
        bad_lat.extend(a.await.unwrap());
    }
    bad_lat.sort_unstable();
    println!(
        "| with {hostile} hostile companies looping | {rate:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {} ({:.2} ms) |",
        pct(&lat, 0.50).as_secs_f64() * 1e3,
        pct(&lat, 0.99).as_secs_f64() * 1e3,
        pct(&lat, 0.999).as_secs_f64() * 1e3,
        bad_lat.len(),
        pct(&bad_lat, 0.50).as_secs_f64() * 1e3,
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (companies, agents, total) = if quick {
        (10, 200, 300)
    } else {
        (50, 2_000, 3_000)
    };
    // `--only N`: one concurrency level (for profiling).
    let args: Vec<String> = std::env::args().collect();
    let levels: Vec<usize> = match args.iter().position(|a| a == "--only") {
        Some(i) => vec![args[i + 1].parse().expect("--only takes a concurrency")],
        None => vec![1, 16, 64],
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
        config.operator_token = Some(OPERATOR.to_owned());
        // `E2E_VOLATILE=1`: live state in memory only (call logs still durable), so the same
        // build measures what making live state durable costs (issue #10).
        config.volatile_live_state = std::env::var("E2E_VOLATILE").is_ok_and(|v| v == "1");
        eprintln!("live state: {}", if config.volatile_live_state { "volatile" } else { "durable" });
        let server = switchyard::server::start(&config).await.unwrap();
        let base = format!("http://{}", server.addr());
        let seeding = Instant::now();
        let world = Arc::new(seed(&base, companies, agents).await);
        eprintln!("seeded {companies} companies, {agents} agents in {:.1} s", seeding.elapsed().as_secs_f64());
        println!("| concurrency | lifecycles | decisions/s | p50 | p99 | p99.9 | answered p50 | ended p50 | CPU per lifecycle | /health req/s | /health p50 | /health p99 | CPU per /health |");
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        let mut offset = 0;
        for concurrency in levels {
            let n = if concurrency == 1 { total / 3 } else { total };
            let (rate, [lat, answered, ended], cpu) =
                run(Arc::clone(&world), concurrency, n, offset, false).await;
            offset += n + concurrency;
            let (hrate, [hlat, _, _], hcpu) = run(Arc::clone(&world), concurrency, n * 3, 0, true).await;
            println!(
                "| {concurrency} | {} | {rate:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.0} µs | {hrate:.0} | {:.2} ms | {:.2} ms | {:.0} µs |",
                lat.len(),
                pct(&lat, 0.50).as_secs_f64() * 1e3,
                pct(&lat, 0.99).as_secs_f64() * 1e3,
                pct(&lat, 0.999).as_secs_f64() * 1e3,
                pct(&answered, 0.50).as_secs_f64() * 1e3,
                pct(&ended, 0.50).as_secs_f64() * 1e3,
                cpu.as_secs_f64() * 1e6,
                pct(&hlat, 0.50).as_secs_f64() * 1e3,
                pct(&hlat, 0.99).as_secs_f64() * 1e3,
                hcpu.as_secs_f64() * 1e6,
            );
        }
        if !args.iter().any(|a| a == "--no-hostile") {
            hostile_section(&world, companies / 10, total, offset).await;
        }
        server.stop().await.unwrap();
    });
}
