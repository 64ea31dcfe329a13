//! End-to-end load over HTTP on loopback: a seeded world (companies, agents, a third of them
//! shared by 2–3 companies, each company on a shipped policy), full call lifecycles (incoming →
//! answered → ended, durable call log) at several concurrencies, against the real server
//! in-process; and the same load on a do-nothing handler (`GET /health`) of the same server as
//! the ceiling. Prints decisions per second and latency percentiles of `POST /v1/calls`.
//!
//! Run: `cargo bench -p switchyard --bench e2e` (defaults: 50 companies, 2,000 agents,
//! 3,000 lifecycles per concurrency level); `-- --quick` for a small world.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use switchyard::config::ServeConfig;

const OPERATOR: &str = "sy_bench-operator-token-0123456789";

struct World {
    base: String,
    http: reqwest::Client,
    numbers: Vec<String>,
    telephony: String,
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
        telephony,
    }
}

/// One full lifecycle; returns the decision latency.
async fn lifecycle(w: &World, n: usize) -> Duration {
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
    if update["instruction"]["action"] == "ring" {
        let agent = update["instruction"]["targets"][0]["agent_id"]
            .as_u64()
            .unwrap();
        ok(
            &w.http,
            M::POST,
            events.clone(),
            &w.telephony,
            Some(json!({"type": "answered", "agent_id": agent})),
        )
        .await;
        ok(
            &w.http,
            M::POST,
            events,
            &w.telephony,
            Some(json!({"type": "ended"})),
        )
        .await;
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
    decided
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
) -> (f64, Vec<Duration>) {
    let start = Instant::now();
    let per = total.div_ceil(concurrency);
    let mut tasks = Vec::new();
    for t in 0..concurrency {
        let w = Arc::clone(&w);
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(per);
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
                    lat.push(s.elapsed());
                } else {
                    lat.push(lifecycle(&w, n).await);
                }
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let rate = all.len() as f64 / start.elapsed().as_secs_f64();
    all.sort_unstable();
    (rate, all)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (companies, agents, total) = if quick {
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
        let mut config = ServeConfig::new(dir.path(), "127.0.0.1:0".parse().unwrap());
        config.operator_token = Some(OPERATOR.to_owned());
        let server = switchyard::server::start(&config).await.unwrap();
        let base = format!("http://{}", server.addr());
        let seeding = Instant::now();
        let world = Arc::new(seed(&base, companies, agents).await);
        eprintln!("seeded {companies} companies, {agents} agents in {:.1} s", seeding.elapsed().as_secs_f64());
        println!("| concurrency | lifecycles | decisions/s | p50 | p99 | p99.9 | /health req/s | /health p50 | /health p99 |");
        println!("|---|---|---|---|---|---|---|---|---|");
        let mut offset = 0;
        for concurrency in [1, 16, 64] {
            let n = if concurrency == 1 { total / 3 } else { total };
            let (rate, lat) = run(Arc::clone(&world), concurrency, n, offset, false).await;
            offset += n + concurrency;
            let (hrate, hlat) = run(Arc::clone(&world), concurrency, n * 3, 0, true).await;
            println!(
                "| {concurrency} | {} | {rate:.0} | {:.2} ms | {:.2} ms | {:.2} ms | {hrate:.0} | {:.2} ms | {:.2} ms |",
                lat.len(),
                pct(&lat, 0.50).as_secs_f64() * 1e3,
                pct(&lat, 0.99).as_secs_f64() * 1e3,
                pct(&lat, 0.999).as_secs_f64() * 1e3,
                pct(&hlat, 0.50).as_secs_f64() * 1e3,
                pct(&hlat, 0.99).as_secs_f64() * 1e3,
            );
        }
        server.stop().await.unwrap();
    });
}
