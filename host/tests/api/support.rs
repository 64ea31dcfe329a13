//! Shared test support: the real server (through the library) on `127.0.0.1:0` over a real
//! sled database in a temp dir (or, with `SWITCHYARD_TEST_STORE=postgres`, a fresh database of
//! the tests' own PostgreSQL: `pg_cluster`), a tiny JSON client, and shortcuts that build
//! tenants.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use switchyard::config::ServeConfig;
use switchyard::server::{self, RunningServer};

/// The operator token every test server is configured with.
pub const OPERATOR: &str = "sy_test-operator-token-0123456789";

/// A running server and the directory its data lives in.
pub struct Server {
    running: RunningServer,
    _temp: Option<tempfile::TempDir>,
}

impl Server {
    /// A server over a fresh temporary data directory.
    pub async fn start() -> Self {
        let temp = tempfile::tempdir().unwrap();
        let mut server = Self::start_in(temp.path()).await;
        server._temp = Some(temp);
        server
    }

    /// A server over `data` (kept after the server stops).
    pub async fn start_in(data: &Path) -> Self {
        Self::start_with(data, |_| {}).await
    }

    /// A server over `data` with the test defaults changed by `adjust`.
    pub async fn start_with(data: &Path, adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let mut config = ServeConfig::new(data, "127.0.0.1:0".parse().unwrap());
        config.operator_token = Some(OPERATOR.to_owned());
        // Generous policy deadline: these machines are shared and tests run in parallel, and a
        // decision that falls back for lack of CPU would make a policy test flaky. The
        // deadline itself is tested in the runtime's own tests.
        config.policy_deadline_ms = 250;
        if crate::pg_cluster::backend() == crate::pg_cluster::Backend::Postgres {
            config.store = Some(crate::pg_cluster::database_for(data));
        }
        adjust(&mut config);
        let running = server::start(&config).await.unwrap();
        Self {
            running,
            _temp: None,
        }
    }

    /// Base URL.
    pub fn base(&self) -> String {
        format!("http://{}", self.running.addr())
    }

    /// A client using `token`.
    pub fn client(&self, token: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: self.base(),
            token: Some(token.to_owned()),
        }
    }

    /// A client without a token.
    pub fn anonymous(&self) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: self.base(),
            token: None,
        }
    }

    /// The operator's client.
    pub fn operator(&self) -> Client {
        self.client(OPERATOR)
    }

    /// The server's shared state (the call centre's live state, for audits).
    pub fn state(&self) -> &switchyard::AppState {
        self.running.state()
    }

    /// Records versus indexes of the live database: must be empty.
    pub fn inconsistencies(&self) -> Vec<String> {
        self.running
            .state()
            .directory()
            .check_consistency()
            .unwrap()
    }

    /// Stops the server (graceful, flushes) and returns the temp dir, if it owns one, so the
    /// data outlives the server.
    pub async fn stop(self) -> Option<tempfile::TempDir> {
        self.running.stop().await.unwrap();
        self._temp
    }
}

/// A response: status and JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub body: Value,
    pub text: String,
}

impl Resp {
    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self.body
    }

    /// Asserts an error status and code, and that a message and a hint are present.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.body["error"], code,
            "unexpected code; body: {}",
            self.text
        );
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "no message: {}",
            self.text
        );
        assert!(
            self.body["hint"].as_str().is_some_and(|h| !h.is_empty()),
            "no hint: {}",
            self.text
        );
        self.body
    }
}

/// A tiny JSON client bound to one token.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

impl Client {
    /// A client with `token` for the server at `base` (such as a node the test spawned).
    pub fn to(base: &str, token: &str) -> Client {
        Client {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            token: Some(token.to_owned()),
        }
    }

    /// The same token against another (e.g. restarted) server.
    pub fn against(&self, server: &Server) -> Client {
        Client {
            http: self.http.clone(),
            base: server.base(),
            token: self.token.clone(),
        }
    }

    /// The same token against the server at `base` (e.g. a spawned binary).
    pub fn at(&self, base: &str) -> Client {
        Client {
            http: self.http.clone(),
            base: base.to_owned(),
            token: self.token.clone(),
        }
    }

    /// The bearer token it sends, if any.
    pub fn bearer(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Sends a request with an optional JSON body.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.unwrap();
        Self::read(resp).await
    }

    /// Sends raw bytes with a content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Resp {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        Self::read(req.send().await.unwrap()).await
    }

    async fn read(resp: reqwest::Response) -> Resp {
        let status = resp.status().as_u16();
        if is_event_stream(&resp) {
            // A stream never ends: answer with the status only (and close it).
            return Resp {
                status,
                body: Value::Null,
                text: String::new(),
            };
        }
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::Null)
        };
        Resp { status, body, text }
    }

    /// Opens a server-sent-events stream (asserts a 200 `text/event-stream` answer).
    pub async fn stream(&self, path: &str) -> EventStream {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path} did not open a stream");
        assert!(is_event_stream(&resp), "{path} is not an event stream");
        EventStream {
            resp,
            buf: Vec::new(),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(Method::POST, path, Some(&body)).await
    }

    pub async fn post_empty(&self, path: &str) -> Resp {
        self.send(Method::POST, path, None).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PATCH, path, Some(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.send(Method::PUT, path, Some(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.send(Method::DELETE, path, None).await
    }

    // ---- shortcuts that build tenants ----

    /// Creates a main account; returns its id.
    pub async fn account(&self, name: &str) -> u64 {
        id(self
            .post("/v1/accounts", json!({ "name": name }))
            .await
            .expect(201))
    }

    /// Creates a company (under `account`, or standalone); returns its id.
    pub async fn company(&self, account: Option<u64>, name: &str, policy: &str) -> u64 {
        let body = json!({ "name": name, "time_zone": "Asia/Kolkata", "account_id": account, "identity_policy": policy, "wrap_up_secs": 30 });
        id(self.post("/v1/companies", body).await.expect(201))
    }

    /// Issues a token of `scope`; returns the secret.
    pub async fn token(&self, scope: Value) -> String {
        let body = self
            .post("/v1/tokens", json!({ "scope": scope }))
            .await
            .expect(201);
        body["token"].as_str().unwrap().to_owned()
    }

    /// An admin key for `company`.
    pub async fn admin_key(&self, company: u64) -> String {
        self.token(json!({ "kind": "company_admin", "company_id": company }))
            .await
    }

    /// Adds a person to a company; returns the whole answer.
    pub async fn add_member(&self, company: u64, body: Value) -> Value {
        self.post(&format!("/v1/companies/{company}/members"), body)
            .await
            .expect(201)
    }

    /// Creates a department; returns its id.
    pub async fn department(&self, company: u64, name: &str) -> u64 {
        id(self
            .post(
                &format!("/v1/companies/{company}/departments"),
                json!({ "name": name }),
            )
            .await
            .expect(201))
    }
}

fn is_event_stream(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"))
}

/// A server-sent-events stream being read.
pub struct EventStream {
    resp: reqwest::Response,
    buf: Vec<u8>,
}

impl EventStream {
    /// A stream over a response already opened (e.g. against the real binary).
    pub fn from_response(resp: reqwest::Response) -> Self {
        Self {
            resp,
            buf: Vec::new(),
        }
    }

    /// The data of the next `event: call` within `wait`, or `None` if none came. A `lagged`
    /// event (the subscriber missed events) fails the test.
    pub async fn next_call(&mut self, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        loop {
            while let Some(end) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let bytes: Vec<u8> = self.buf.drain(..end + 2).collect();
                let frame = String::from_utf8(bytes).unwrap();
                let mut event = "message";
                let mut data = String::new();
                for line in frame.lines() {
                    if let Some(e) = line.strip_prefix("event:") {
                        event = e.trim();
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data.push_str(d.trim_start());
                    }
                }
                match event {
                    "call" => return Some(serde_json::from_str(&data).unwrap()),
                    "lagged" => panic!("the stream lagged by {data} events"),
                    _ => {}
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.resp.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.extend_from_slice(&bytes),
                Ok(Ok(None)) | Err(_) => return None,
                Ok(Err(e)) => panic!("stream failed: {e}"),
            }
        }
    }
}

/// The `id` field of a JSON object.
pub fn id(value: Value) -> u64 {
    value["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("no id in {value}"))
}

/// Adds a new agent to `company` with `admin`, activates it; returns (agent id, token).
pub async fn activated_agent(
    server: &Server,
    admin: &Client,
    company: u64,
    email: &str,
    role: &str,
) -> (u64, String) {
    let added = admin
        .add_member(
            company,
            json!({ "name": email, "email": email, "role": role }),
        )
        .await;
    let token = added["agent_token"].as_str().unwrap().to_owned();
    server
        .client(&token)
        .post_empty("/v1/me/activate")
        .await
        .expect(200);
    (added["agent"]["id"].as_u64().unwrap(), token)
}

/// xorshift64: a tiny seeded generator (no dependency).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
