//! Shortcuts of the crash test (`crash_load.rs`): a client of the real binary whose requests
//! fail only when the process is gone, the world it sets up (two companies, call takers, a
//! telephony token), the on-disk consistency check, and whole-list reads.

use std::path::Path;
use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::OPERATOR;

/// Agents that take the calls.
const CALL_AGENTS: usize = 3;

/// The binary's address and a client (the request failed: the process is gone).
#[derive(Clone)]
pub(crate) struct Api {
    http: reqwest::Client,
    base: String,
}

/// A request body.
pub(crate) enum Payload {
    None,
    Json(Value),
    Wasm(Arc<Vec<u8>>),
}

impl Api {
    pub(crate) fn new(base: String) -> Self {
        Self {
            http: reqwest::Client::new(),
            base,
        }
    }

    /// Sends a request; `Err` only when the connection failed (the process was killed). A
    /// non-2xx answer from a live process fails the test.
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Payload,
    ) -> Result<Value, ()> {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(token);
        req = match body {
            Payload::None => req,
            Payload::Json(v) => req.json(&v),
            Payload::Wasm(bytes) => req
                .header("content-type", "application/wasm")
                .body(bytes.to_vec()),
        };
        let resp = req.send().await.map_err(drop)?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(drop)?;
        assert!(
            (200..300).contains(&status),
            "{method} {path} answered {status}: {text}"
        );
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub(crate) async fn post(&self, path: &str, token: &str, body: Value) -> Result<Value, ()> {
        self.send(Method::POST, path, token, Payload::Json(body))
            .await
    }
}

/// What the test set up once: two companies of one account (A takes the calls and the
/// policies), the agents taking calls (with their tokens) and the telephony token.
pub(crate) struct World {
    pub a: u64,
    pub b: u64,
    pub number: String,
    /// Tokens of the agents taking calls.
    pub callers: Vec<String>,
    pub telephony: String,
    /// The round-robin component, uploaded again and again.
    pub wasm: Arc<Vec<u8>>,
}

/// Records and indexes agree, straight from the files of the killed process.
pub(crate) async fn consistent_on_disk(data: &Path) {
    let data = data.to_owned();
    let problems =
        tokio::task::spawn_blocking(move || crate::pg_cluster::stored_inconsistencies(&data))
            .await
            .unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

pub(crate) async fn set_up(api: &Api) -> World {
    let op = OPERATOR;
    let account = api
        .post("/v1/accounts", op, json!({ "name": "Crash BPO" }))
        .await
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let mut ids = Vec::new();
    for name in ["Crash A", "Crash B"] {
        let body = json!({ "name": name, "time_zone": "UTC", "account_id": account,
            "identity_policy": "shared", "wrap_up_secs": 0 });
        let co = api.post("/v1/companies", op, body).await.unwrap();
        ids.push(co["id"].as_u64().unwrap());
    }
    let (a, b) = (ids[0], ids[1]);
    let dept = api
        .post(
            &format!("/v1/companies/{a}/departments"),
            op,
            json!({ "name": "Support" }),
        )
        .await
        .unwrap()["id"]
        .as_u64()
        .unwrap();
    let number = "+918000000606".to_owned();
    let body = Payload::Json(json!({ "department_id": dept }));
    let path = format!("/v1/companies/{a}/numbers/{number}");
    api.send(Method::PUT, &path, op, body).await.unwrap();
    let mut callers = Vec::new();
    for i in 0..CALL_AGENTS {
        let email = format!("caller{i}@crash.test");
        let added = api
            .post(
                &format!("/v1/companies/{a}/members"),
                op,
                json!({ "name": email, "email": email, "extension": format!("70{i}") }),
            )
            .await
            .unwrap();
        let token = added["agent_token"].as_str().unwrap().to_owned();
        let agent = added["agent"]["id"].as_u64().unwrap();
        api.send(Method::POST, "/v1/me/activate", &token, Payload::None)
            .await
            .unwrap();
        let path = format!("/v1/companies/{a}/departments/{dept}/members/{agent}");
        let body = Payload::Json(json!({ "tier": 1, "skills": [] }));
        api.send(Method::PUT, &path, op, body).await.unwrap();
        callers.push(token);
    }
    let scope = json!({ "scope": { "kind": "telephony", "numbers": [number] } });
    let telephony = api.post("/v1/tokens", op, scope).await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    World {
        a,
        b,
        number,
        callers,
        telephony,
        wasm: Arc::new(std::fs::read(switchyard_artifacts::ROUND_ROBIN).unwrap()),
    }
}

/// Every item of a paged directory list.
pub(crate) async fn pages(api: &Api, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = api
            .send(
                Method::GET,
                &format!("{path}?limit=200{after}"),
                OPERATOR,
                Payload::None,
            )
            .await
            .unwrap();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => return out,
        }
    }
}

/// Every call log of `company`.
pub(crate) async fn call_logs(api: &Api, company: u64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let path = format!("/v1/companies/{company}/call-logs?limit=200{after}");
        let page = api
            .send(Method::GET, &path, OPERATOR, Payload::None)
            .await
            .unwrap();
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_u64() {
            Some(next) => after = format!("&after={next}"),
            None => return out,
        }
    }
}
