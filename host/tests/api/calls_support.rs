//! Shortcuts of the call-flow tests: a company with one department and one number (wrap-up 0,
//! UTC), agents seated in departments and logged in, a telephony client, posting calls and
//! events, and reading a company's whole call log.

use serde_json::{Value, json};

use crate::support::{Client, Server, id};

/// A company with an admin key, one department and one number mapped to it.
#[derive(Clone)]
pub struct Co {
    pub id: u64,
    pub name: String,
    pub admin: Client,
    pub dept: u64,
    pub number: String,
}

/// A company of `account` named `name` (UTC, wrap-up 0, shared identities) whose department
/// `Support` answers `number`.
pub async fn company(server: &Server, account: u64, name: &str, number: &str) -> Co {
    let op = server.operator();
    let body = json!({
        "name": name, "time_zone": "UTC", "account_id": account,
        "identity_policy": "shared", "wrap_up_secs": 0,
    });
    let company = id(op.post("/v1/companies", body).await.expect(201));
    let admin = server.client(&op.admin_key(company).await);
    let dept = admin.department(company, "Support").await;
    admin
        .put(
            &format!("/v1/companies/{company}/numbers/{number}"),
            json!({ "department_id": dept }),
        )
        .await
        .expect(201);
    Co {
        id: company,
        name: name.to_owned(),
        admin,
        dept,
        number: number.to_owned(),
    }
}

/// An activated agent and its own client.
pub struct Person {
    pub id: u64,
    pub email: String,
    pub client: Client,
    /// The agent's own token.
    pub token: String,
}

/// A person new to Switchyard, added to `co` with `role` and `extension`, activated and
/// seated in `co`'s department (tier 1). Not logged in.
pub async fn hire(server: &Server, co: &Co, email: &str, role: &str, extension: &str) -> Person {
    let added = co
        .admin
        .add_member(
            co.id,
            json!({ "name": email, "email": email, "role": role, "extension": extension }),
        )
        .await;
    assert_eq!(added["outcome"], "created", "{added}");
    let token = added["agent_token"].as_str().unwrap().to_owned();
    let client = server.client(&token);
    client.post_empty("/v1/me/activate").await.expect(200);
    let person = Person {
        id: added["agent"]["id"].as_u64().unwrap(),
        email: email.to_owned(),
        client,
        token,
    };
    seat(co, person.id, 1, &[]).await;
    person
}

/// Adds an existing person to another company of the same main account (a member at once),
/// with that company's own role and extension, seated in its department (tier 1).
pub async fn share(co: &Co, person: &Person, role: &str, extension: &str) {
    let added = co
        .admin
        .add_member(
            co.id,
            json!({ "email": person.email, "role": role, "extension": extension }),
        )
        .await;
    assert_eq!(added["outcome"], "added", "{added}");
    seat(co, person.id, 1, &[]).await;
}

/// Puts `agent` in `co`'s department with a tier and skills.
pub async fn seat(co: &Co, agent: u64, tier: u8, skills: &[&str]) {
    co.admin
        .put(
            &format!(
                "/v1/companies/{}/departments/{}/members/{agent}",
                co.id, co.dept
            ),
            json!({ "tier": tier, "skills": skills }),
        )
        .await
        .expect(200);
}

/// Logs the person in to (or out of) the agent app.
pub async fn log_in(person: &Person, logged_in: bool) {
    let view = person
        .client
        .put("/v1/me/presence", json!({ "logged_in": logged_in }))
        .await
        .expect(200);
    assert_eq!(view["logged_in"], logged_in);
}

/// A telephony platform's client bound to `numbers`.
pub async fn telephony(server: &Server, numbers: &[&str]) -> Client {
    let token = server
        .operator()
        .token(json!({ "kind": "telephony", "numbers": numbers }))
        .await;
    server.client(&token)
}

/// Posts a new call; returns the first CallUpdate.
pub async fn call(tel: &Client, call_id: &str, number: &str) -> Value {
    call_with(tel, call_id, number, json!({})).await
}

/// Posts a new call with attributes; returns the first CallUpdate.
pub async fn call_with(tel: &Client, call_id: &str, number: &str, attributes: Value) -> Value {
    tel.post(
        "/v1/calls",
        json!({ "call_id": call_id, "number": number, "caller": "+919000000000", "attributes": attributes }),
    )
    .await
    .expect(201)
}

/// Posts an event about a call; returns the next CallUpdate.
pub async fn event(tel: &Client, call_id: &str, body: Value) -> Value {
    tel.post(&format!("/v1/calls/{call_id}/events"), body)
        .await
        .expect(200)
}

/// Polls `GET /v1/calls/{call_id}` on `tel` until `done` holds for it (a node restoring or
/// adopting the call may answer 503 meanwhile); fails after 30 s saying it never did `what`.
pub async fn status_until(
    tel: &Client,
    call_id: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let answer = tel.get(&format!("/v1/calls/{call_id}")).await;
        if answer.status == 200 && done(&answer.body) {
            return answer.body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{call_id}: never {what}: {} {}",
            answer.status,
            answer.body
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Three calls to `number` posted to `on`, with two agents on duty: `{prefix}-connected`
/// answered (its event posted to `answer_via`), `{prefix}-ringing` ringing the other agent and
/// `{prefix}-queued` queued. Returns the connected agent and the ringing one.
pub async fn connected_ringing_queued(
    on: &Client,
    answer_via: &Client,
    prefix: &str,
    number: &str,
) -> (u64, u64) {
    let connected_id = format!("{prefix}-connected");
    let connected = call(on, &connected_id, number).await;
    let connected_to = rung(&connected)[0];
    event(
        answer_via,
        &connected_id,
        json!({ "type": "answered", "agent_id": connected_to }),
    )
    .await;
    let ringing = call(on, &format!("{prefix}-ringing"), number).await;
    let ringing_to = rung(&ringing)[0];
    assert_ne!(connected_to, ringing_to, "{ringing}");
    let queued = call(on, &format!("{prefix}-queued"), number).await;
    assert_eq!(action(&queued), "queue", "{queued}");
    (connected_to, ringing_to)
}

/// The call ids of `logs`, sorted (one per call logged).
pub fn sorted_call_ids(logs: &[Value]) -> Vec<&str> {
    let mut ids: Vec<&str> = logs
        .iter()
        .map(|l| l["call_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// Whether a call's status (`GET /v1/calls/{id}`) shows it ringing `agent`.
pub fn rings(status: &Value, agent: u64) -> bool {
    status["ringing"]
        .as_array()
        .is_some_and(|r| r.iter().any(|a| a.as_u64() == Some(agent)))
}

/// The instruction's action.
pub fn action(update: &Value) -> &str {
    update["instruction"]["action"].as_str().unwrap()
}

/// The agents a `ring` instruction rings, in order.
pub fn rung(update: &Value) -> Vec<u64> {
    assert_eq!(action(update), "ring", "not a ring: {update}");
    update["instruction"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["agent_id"].as_u64().unwrap())
        .collect()
}

/// Every call log of `company` that `client` may read, newest first (all pages).
pub async fn all_logs(client: &Client, company: u64) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = client
            .get(&format!(
                "/v1/companies/{company}/call-logs?limit=200{after}"
            ))
            .await
            .expect(200);
        out.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next"].as_u64() {
            Some(next) => after = format!("&after={next}"),
            None => return out,
        }
    }
}

/// The call ids of `logs`, in order.
pub fn call_ids(logs: &[Value]) -> Vec<&str> {
    logs.iter()
        .map(|l| l["call_id"].as_str().unwrap())
        .collect()
}

/// The log of `call_id` among `logs`.
pub fn log_of<'a>(logs: &'a [Value], call_id: &str) -> &'a Value {
    logs.iter()
        .find(|l| l["call_id"] == call_id)
        .unwrap_or_else(|| panic!("no log of {call_id}"))
}

/// (agent, outcome) of every offer in a log.
pub fn offers(log: &Value) -> Vec<(u64, String)> {
    log["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["agent_id"].as_u64().unwrap(),
                o["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// No offer in `logs` was left open and no agent was engaged by two calls at once: each
/// agent's engagements (an offer while it rang, or the offer then the talk until the call
/// ended), across every company's logs, never overlap.
pub fn assert_never_double_booked<'a>(logs: impl IntoIterator<Item = &'a Value>) {
    let mut busy: std::collections::HashMap<u64, Vec<(u64, u64, String)>> = Default::default();
    for log in logs {
        let call_id = log["call_id"].as_str().unwrap_or_default();
        for offer in log["offers"].as_array().unwrap() {
            let agent = offer["agent_id"].as_u64().unwrap();
            let outcome = offer["outcome"].as_str().unwrap();
            assert_ne!(outcome, "ringing", "an offer of {call_id} was left open");
            let start = offer["at_ms"].as_u64().unwrap();
            let end = if outcome == "answered" {
                log["ended_ms"].as_u64().unwrap()
            } else {
                start + offer["ring_ms"].as_u64().unwrap()
            };
            busy.entry(agent)
                .or_default()
                .push((start, end, call_id.to_owned()));
        }
    }
    for (agent, spans) in &mut busy {
        spans.sort();
        for pair in spans.windows(2) {
            let ((_, end, first), (start, _, second)) = (&pair[0], &pair[1]);
            assert!(
                start >= end,
                "agent {agent} held {first} until {end} and {second} from {start}"
            );
        }
    }
}
