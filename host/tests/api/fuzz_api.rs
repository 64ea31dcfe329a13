//! Input fuzzing with proptest: for every operation of `/v1/openapi.json`, random paths (real
//! ids, numbers, garbage segments), query strings and bodies (schema-shaped with random
//! values, arbitrary JSON, random bytes, wrong content types), each sent with the operator's
//! token, a company admin's key and no token. No answer is a 5xx, every 4xx is our JSON error
//! body, and the server stays healthy and consistent. Bodies over the limits are refused with
//! 413 and the JSON error body. The run is seeded (`SWITCHYARD_FUZZ_SEED` picks another seed)
//! and bounded (`CASES` requests, three callers each).

use std::time::Duration;

use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use reqwest::Method;
use serde_json::{Value, json};

use crate::calls_support::{call, company, hire, log_in, telephony};
use crate::fuzz_support::{Body, Pool, Request, encode, operations, requests};
use crate::support::{OPERATOR, Server};

const CASES: u32 = 400;
const SEED: u64 = 0xF022_0000_0000_0006;
/// `switchyard::http::BODY_LIMIT` (64 KiB) and the policy upload limit (64 MiB).
const BODY_LIMIT: usize = 64 * 1024;
const UPLOAD_BODY_LIMIT: usize = 64 << 20;

/// The tenant the fuzzer aims at, the values its path parameters may take, and its admin key.
struct Target {
    pool: Pool,
    admin: String,
}

/// A company with a department, a number, an agent logged in, an active policy, a finished
/// and a live call; a second company of another account.
async fn target(server: &Server) -> Target {
    let op = server.operator();
    let account = op.account("Fuzz").await;
    let number = "+918000000901";
    let co = company(server, account, "Fuzz A", number).await;
    let other = op.account("Other").await;
    let b = op.company(Some(other), "Fuzz B", "shared").await;
    let agent = hire(server, &co, "fuzz@example.com", "agent", "901").await;
    log_in(&agent, true).await;
    let wasm = std::fs::read(switchyard_artifacts::RING_ALL).unwrap();
    let policies = format!("/v1/companies/{}/policies?name=ring-all", co.id);
    co.admin
        .send_raw(Method::POST, &policies, "application/wasm", wasm)
        .await
        .expect(201);
    co.admin
        .put(
            &format!("/v1/companies/{}/policy", co.id),
            json!({ "version": 1 }),
        )
        .await
        .expect(200);
    let tel = telephony(server, &[number]).await;
    let done = call(&tel, "fuzz-done", number).await;
    tel.post("/v1/calls/fuzz-done/events", json!({ "type": "abandoned" }))
        .await
        .expect(200);
    call(&tel, "fuzz-live", number).await;
    // A token of its own to revoke (revoking the callers' would end the run early).
    let spare = json!({ "scope": { "kind": "telephony", "numbers": [number] } });
    let token_id = op.post("/v1/tokens", spare).await.expect(201)["record"]["id"]
        .as_u64()
        .unwrap();
    let admin = server.operator().admin_key(co.id).await;
    let pool = [
        ("company_id", vec![co.id.to_string(), b.to_string()]),
        ("account_id", vec![account.to_string()]),
        ("agent_id", vec![agent.id.to_string()]),
        ("department_id", vec![co.dept.to_string()]),
        ("number", vec![number.to_owned(), encode(number)]),
        ("token_id", vec![token_id.to_string()]),
        ("version", vec!["1".to_owned()]),
        (
            "call_id",
            vec!["fuzz-live".to_owned(), "fuzz-done".to_owned()],
        ),
        (
            "trace_id",
            vec![done["trace_id"].as_str().unwrap().to_owned()],
        ),
    ];
    Target {
        pool: pool.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        admin,
    }
}

/// Status and body text (empty for an event stream, which is closed at once).
async fn send(
    http: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    req: &Request,
) -> (u16, String) {
    let mut builder = http.request(req.method.clone(), format!("{base}{}", req.path));
    if let Some(token) = token {
        builder = builder.bearer_auth(token);
    }
    if let Some((content_type, bytes)) = &req.body {
        if !content_type.is_empty() {
            builder = builder.header("content-type", content_type);
        }
        builder = builder.body(bytes.clone());
    }
    let resp = builder.send().await.unwrap();
    let status = resp.status().as_u16();
    let stream = resp
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if stream {
        return (status, String::new());
    }
    (status, resp.text().await.unwrap())
}

/// Our error body: `{error, message, hint}`, all strings.
fn is_error_body(text: &str) -> bool {
    serde_json::from_str::<Value>(text).is_ok_and(|v| {
        ["error", "message", "hint"]
            .iter()
            .all(|k| v[*k].as_str().is_some_and(|s| !s.is_empty()))
    })
}

#[test]
fn fuzzed_requests_never_get_a_5xx() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (server, target, doc) = rt.block_on(async {
        let server = Server::start().await;
        let target = target(&server).await;
        let doc = server.anonymous().get("/v1/openapi.json").await.expect(200);
        (server, target, doc)
    });
    let ops = operations(&doc);
    assert!(ops.len() >= 40, "only {} operations", ops.len());
    let strategy = requests(&ops, &doc, &target.pool);
    let seed = std::env::var("SWITCHYARD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        max_shrink_iters: 256,
        ..Config::default()
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let base = server.base();
    let callers = [
        ("operator", Some(OPERATOR)),
        ("company admin", Some(target.admin.as_str())),
        ("no token", None),
    ];
    let statuses = std::sync::Mutex::new(std::collections::BTreeMap::<u16, u32>::new());
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |req| {
        rt.block_on(async {
            for (who, token) in callers {
                let (status, text) = send(&http, &base, token, &req).await;
                *statuses.lock().unwrap().entry(status).or_default() += 1;
                let what = format!("{who}: {} {} -> {status}: {text}", req.method, req.path);
                if status >= 500 {
                    return Err(TestCaseError::fail(format!("server error; {what}")));
                }
                if status >= 400 && !is_error_body(&text) {
                    return Err(TestCaseError::fail(format!("not our error body; {what}")));
                }
            }
            Ok(())
        })
    });
    eprintln!("fuzz_api: answers by status {:?}", statuses.lock().unwrap());
    if let Err(failure) = result {
        panic!("{failure}");
    }

    rt.block_on(async {
        let anonymous = server.anonymous();
        assert_eq!(anonymous.get("/health").await.expect(200)["status"], "ok");
        assert_eq!(anonymous.get("/ready").await.expect(200)["status"], "ready");
        server.operator().account("Still working").await;
        assert!(server.inconsistencies().is_empty());
        server.stop().await;
    });
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413_and_our_error_body() {
    let server = Server::start().await;
    let target = target(&server).await;
    let doc = server.anonymous().get("/v1/openapi.json").await.expect(200);
    let http = reqwest::Client::new();
    let fill = |path: &str| {
        path.split('/')
            .map(
                |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => target.pool[name][0].clone(),
                    None => seg.to_owned(),
                },
            )
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut checked = 0;
    for op in operations(&doc) {
        let (content_type, bytes, limit) = match op.body {
            Body::Json(_) => {
                let filler = "x".repeat(BODY_LIMIT);
                let bytes = serde_json::to_vec(&json!({ "name": filler })).unwrap();
                ("application/json", bytes, BODY_LIMIT)
            }
            Body::Wasm => (
                "application/wasm",
                vec![0u8; UPLOAD_BODY_LIMIT + 1],
                UPLOAD_BODY_LIMIT,
            ),
            Body::None => continue,
        };
        assert!(bytes.len() > limit);
        let mut path = fill(&op.template);
        if matches!(op.body, Body::Wasm) {
            path.push_str("?name=big");
        }
        let req = Request {
            method: op.method.clone(),
            path,
            body: Some((content_type.to_owned(), bytes)),
        };
        let (status, text) = send(&http, &server.base(), Some(OPERATOR), &req).await;
        let what = format!("{} {}", op.method, op.template);
        assert_eq!(status, 413, "{what}: {text}");
        assert!(is_error_body(&text), "{what}: {text}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} operations take a body");
    server.stop().await;
}
