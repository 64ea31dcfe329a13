//! What the benches that drive the real server over HTTP share (`e2e`, `sip`): the operator
//! token they start it with, JSON requests, and the machine's load average for their reports.

use serde_json::Value;

/// The operator token the benches start the server with.
pub const OPERATOR: &str = "sy_bench-operator-token-0123456789";

/// `/proc/loadavg`'s three averages, "1 / 5 / 15 min".
pub fn load_average() -> String {
    let line = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    line.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Sends a JSON request as `token`: the status and the JSON answer (null if none).
pub async fn send(
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

/// As [`send`], failing the bench unless the answer is a 2xx; returns its JSON.
pub async fn ok(
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
