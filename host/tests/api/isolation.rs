//! Tenant isolation: every endpoint of the API (the table below must list exactly the
//! operations of the OpenAPI document, so a new route cannot be forgotten) × every foreign
//! scope (manager, company admin key, admin-role agent, supervisor, agent, telephony, invited
//! agent of another main account) is refused with 403/404 and shows none of tenant A's data;
//! afterwards A's data is unchanged.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Client, Server, activated_agent, id};

/// What a foreign caller must get.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    /// 403 or 404: the path names A's resources.
    Denied,
    /// The path names no tenant: the answer is about the caller itself (2xx) or a 403, and
    /// never contains A's data.
    OwnOnly,
}

struct Endpoint {
    method: Method,
    template: &'static str,
    path: String,
    body: Option<Value>,
    expect: Expect,
}

/// Tenant A: account P with companies A1 and A2.
struct TenantA {
    account: u64,
    a1: u64,
    a2: u64,
    alice: u64,
    dept: u64,
    number: &'static str,
    admin_key_id: u64,
    telephony_id: u64,
    /// The telephony token that posted A's call (its platform).
    telephony: String,
    manager_id: u64,
    /// A live call of A1 (ringing Alice) and its decision's trace.
    call_id: &'static str,
    trace_id: String,
}

/// Strings that only A's records contain.
const A_MARKERS: [&str; 9] = [
    "Acct-Alpha",
    "Alpha-One",
    "Alpha-Two",
    "alice@alpha.test",
    "ivy@alpha.test",
    "amy@alpha.test",
    "Alpha-Sales",
    "+911100000001",
    "alpha-call-1",
];

/// Error codes of a refusal: the generic ones, and the call flow's (not a telephony token, a
/// number bound to another platform, a call of another platform: it does not exist for it).
const REFUSALS: [&str; 6] = [
    "forbidden",
    "operator_only",
    "not_found",
    "telephony_only",
    "number_not_bound",
    "unknown_call",
];

fn ep(
    method: Method,
    template: &'static str,
    path: String,
    body: Option<Value>,
    expect: Expect,
) -> Endpoint {
    Endpoint {
        method,
        template,
        path,
        body,
        expect,
    }
}

/// One row per operation of the API, pointed at tenant A.
fn endpoints(a: &TenantA) -> Vec<Endpoint> {
    use Expect::{Denied, OwnOnly};
    let (p, c, ag, d, n) = (a.account, a.a1, a.alice, a.dept, a.number);
    vec![
        ep(
            Method::POST,
            "/v1/accounts",
            "/v1/accounts".into(),
            Some(json!({ "name": "Intruder" })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/accounts",
            "/v1/accounts".into(),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/accounts/{account_id}",
            format!("/v1/accounts/{p}"),
            None,
            Denied,
        ),
        ep(
            Method::PATCH,
            "/v1/accounts/{account_id}",
            format!("/v1/accounts/{p}"),
            Some(json!({ "name": "Pwned" })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/accounts/{account_id}/companies",
            format!("/v1/accounts/{p}/companies"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/accounts/{account_id}/agents",
            format!("/v1/accounts/{p}/agents"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/accounts/{account_id}/agents/{agent_id}/share",
            format!("/v1/accounts/{p}/agents/{ag}/share"),
            Some(json!({ "companies": [a.a2] })),
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/companies",
            "/v1/companies".into(),
            Some(json!({ "name": "Mole", "time_zone": "UTC", "account_id": p })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}",
            format!("/v1/companies/{c}"),
            None,
            Denied,
        ),
        ep(
            Method::PATCH,
            "/v1/companies/{company_id}",
            format!("/v1/companies/{c}"),
            Some(json!({ "name": "Pwned" })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/members",
            format!("/v1/companies/{c}/members"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/companies/{company_id}/members",
            format!("/v1/companies/{c}/members"),
            Some(json!({ "name": "Mole", "email": "mole@beta.test" })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/members/{agent_id}",
            format!("/v1/companies/{c}/members/{ag}"),
            None,
            Denied,
        ),
        ep(
            Method::PATCH,
            "/v1/companies/{company_id}/members/{agent_id}",
            format!("/v1/companies/{c}/members/{ag}"),
            Some(json!({ "status": "break" })),
            Denied,
        ),
        ep(
            Method::DELETE,
            "/v1/companies/{company_id}/members/{agent_id}",
            format!("/v1/companies/{c}/members/{ag}"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/departments",
            format!("/v1/companies/{c}/departments"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/companies/{company_id}/departments",
            format!("/v1/companies/{c}/departments"),
            Some(json!({ "name": "Mole" })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/departments/{department_id}",
            format!("/v1/companies/{c}/departments/{d}"),
            None,
            Denied,
        ),
        ep(
            Method::PATCH,
            "/v1/companies/{company_id}/departments/{department_id}",
            format!("/v1/companies/{c}/departments/{d}"),
            Some(json!({ "name": "Pwned" })),
            Denied,
        ),
        ep(
            Method::DELETE,
            "/v1/companies/{company_id}/departments/{department_id}",
            format!("/v1/companies/{c}/departments/{d}"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/departments/{department_id}/members",
            format!("/v1/companies/{c}/departments/{d}/members"),
            None,
            Denied,
        ),
        ep(
            Method::PUT,
            "/v1/companies/{company_id}/departments/{department_id}/members/{agent_id}",
            format!("/v1/companies/{c}/departments/{d}/members/{ag}"),
            Some(json!({ "tier": 9 })),
            Denied,
        ),
        ep(
            Method::DELETE,
            "/v1/companies/{company_id}/departments/{department_id}/members/{agent_id}",
            format!("/v1/companies/{c}/departments/{d}/members/{ag}"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/numbers",
            format!("/v1/companies/{c}/numbers"),
            None,
            Denied,
        ),
        ep(
            Method::PUT,
            "/v1/companies/{company_id}/numbers/{number}",
            format!("/v1/companies/{c}/numbers/{n}"),
            Some(json!({ "department_id": d })),
            Denied,
        ),
        ep(
            Method::DELETE,
            "/v1/companies/{company_id}/numbers/{number}",
            format!("/v1/companies/{c}/numbers/{n}"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/numbers/{number}",
            format!("/v1/numbers/{n}"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/agents/{agent_id}",
            format!("/v1/agents/{ag}"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/agents/{agent_id}/token",
            format!("/v1/agents/{ag}/token"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/me/companies/{company_id}",
            format!("/v1/me/companies/{c}"),
            None,
            Denied,
        ),
        ep(
            Method::PATCH,
            "/v1/me/companies/{company_id}",
            format!("/v1/me/companies/{c}"),
            Some(json!({ "status": "break" })),
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/me/companies/{company_id}/accept",
            format!("/v1/me/companies/{c}/accept"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/me/companies/{company_id}/decline",
            format!("/v1/me/companies/{c}/decline"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/tokens",
            "/v1/tokens".into(),
            Some(json!({ "scope": { "kind": "company_admin", "company_id": c } })),
            Denied,
        ),
        ep(Method::GET, "/v1/tokens", "/v1/tokens".into(), None, Denied),
        ep(
            Method::DELETE,
            "/v1/tokens/{token_id}",
            format!("/v1/tokens/{}", a.admin_key_id),
            None,
            Denied,
        ),
        ep(
            Method::PUT,
            "/v1/tokens/{token_id}/numbers",
            format!("/v1/tokens/{}/numbers", a.telephony_id),
            Some(json!({ "numbers": ["+912200000002"] })),
            Denied,
        ),
        // The call flow: the telephony side, reports and policies.
        ep(
            Method::POST,
            "/v1/calls",
            "/v1/calls".into(),
            Some(json!({ "call_id": "intruder-call", "number": n })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/calls/{call_id}",
            format!("/v1/calls/{}", a.call_id),
            None,
            Denied,
        ),
        // Every platform lists and reconciles only its own calls: A's call is untouched.
        ep(Method::GET, "/v1/calls", "/v1/calls".into(), None, OwnOnly),
        ep(
            Method::POST,
            "/v1/calls/reconcile",
            "/v1/calls/reconcile".into(),
            Some(json!({ "live_call_ids": [] })),
            OwnOnly,
        ),
        ep(
            Method::POST,
            "/v1/companies/{company_id}/agents/{agent_id}/release",
            format!("/v1/companies/{c}/agents/{ag}/release"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/calls/{call_id}/events",
            format!("/v1/calls/{}/events", a.call_id),
            Some(json!({ "type": "abandoned" })),
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/kamailio/calls",
            "/v1/kamailio/calls".into(),
            Some(json!({ "call_id": "intruder-sip-call", "number": n })),
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/kamailio/events",
            "/v1/kamailio/events".into(),
            Some(json!({ "call_id": a.call_id, "type": "abandoned" })),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/call-logs",
            format!("/v1/companies/{c}/call-logs"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/traces/{trace_id}",
            format!("/v1/companies/{c}/traces/{}", a.trace_id),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/diagnose",
            format!(
                "/v1/companies/{c}/diagnose?number=%2B{}&agent_id={ag}",
                &n[1..]
            ),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/board",
            format!("/v1/companies/{c}/board"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/companies/{company_id}/policies",
            format!("/v1/companies/{c}/policies?name=intruder"),
            Some(json!({})),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/policies",
            format!("/v1/companies/{c}/policies"),
            None,
            Denied,
        ),
        ep(
            Method::PUT,
            "/v1/companies/{company_id}/policy",
            format!("/v1/companies/{c}/policy"),
            Some(json!({ "version": 1 })),
            Denied,
        ),
        ep(
            Method::DELETE,
            "/v1/companies/{company_id}/policy",
            format!("/v1/companies/{c}/policy"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/companies/{company_id}/policy/rollback",
            format!("/v1/companies/{c}/policy/rollback"),
            None,
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/companies/{company_id}/policy/history",
            format!("/v1/companies/{c}/policy/history"),
            None,
            Denied,
        ),
        ep(
            Method::DELETE,
            "/v1/companies/{company_id}/policies/{version}",
            format!("/v1/companies/{c}/policies/1"),
            None,
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/companies/{company_id}/policies/{version}/replay",
            format!("/v1/companies/{c}/policies/1/replay"),
            Some(json!({})),
            Denied,
        ),
        ep(
            Method::POST,
            "/v1/companies/{company_id}/policies/{version}/simulate",
            format!("/v1/companies/{c}/policies/1/simulate"),
            Some(
                serde_json::from_str(
                    &std::fs::read_to_string(format!(
                        "{}/../tests/scenarios/basic.json",
                        env!("CARGO_MANIFEST_DIR")
                    ))
                    .unwrap(),
                )
                .unwrap(),
            ),
            Denied,
        ),
        ep(
            Method::GET,
            "/v1/cluster/nodes",
            "/v1/cluster/nodes".into(),
            None,
            Denied,
        ),
        // Paths without a tenant: about the caller itself. Token rotation comes last.
        ep(
            Method::GET,
            "/v1/telephony/stream",
            "/v1/telephony/stream".into(),
            None,
            OwnOnly,
        ),
        ep(
            Method::GET,
            "/v1/kamailio/stream",
            "/v1/kamailio/stream".into(),
            None,
            OwnOnly,
        ),
        ep(
            Method::GET,
            "/v1/me/events",
            "/v1/me/events".into(),
            None,
            OwnOnly,
        ),
        ep(
            Method::PUT,
            "/v1/me/presence",
            "/v1/me/presence".into(),
            Some(json!({ "logged_in": false })),
            OwnOnly,
        ),
        ep(
            Method::GET,
            "/v1/openapi.json",
            "/v1/openapi.json".into(),
            None,
            OwnOnly,
        ),
        ep(
            Method::GET,
            "/v1/companies",
            "/v1/companies".into(),
            None,
            OwnOnly,
        ),
        ep(Method::GET, "/v1/me", "/v1/me".into(), None, OwnOnly),
        ep(
            Method::GET,
            "/v1/me/companies",
            "/v1/me/companies".into(),
            None,
            OwnOnly,
        ),
        ep(
            Method::PATCH,
            "/v1/me",
            "/v1/me".into(),
            Some(json!({ "name": "Renamed" })),
            OwnOnly,
        ),
        ep(
            Method::POST,
            "/v1/me/activate",
            "/v1/me/activate".into(),
            None,
            OwnOnly,
        ),
        ep(
            Method::POST,
            "/v1/me/token",
            "/v1/me/token".into(),
            None,
            OwnOnly,
        ),
    ]
}

/// Builds tenant A (and the operator's view of it).
async fn tenant_a(server: &Server) -> TenantA {
    let op = server.operator();
    let account = op.account("Acct-Alpha").await;
    let a1 = op.company(Some(account), "Alpha-One", "shared").await;
    let a2 = op.company(Some(account), "Alpha-Two", "shared").await;
    let key = op
        .post(
            "/v1/tokens",
            json!({ "scope": { "kind": "company_admin", "company_id": a1 } }),
        )
        .await
        .expect(201);
    let admin = server.client(key["token"].as_str().unwrap());
    let (alice, alice_token) =
        activated_agent(server, &admin, a1, "alice@alpha.test", "admin").await;
    activated_agent(server, &admin, a1, "amy@alpha.test", "agent").await;
    admin
        .add_member(a1, json!({ "name": "Ivy", "email": "ivy@alpha.test" }))
        .await;
    let dept = admin.department(a1, "Alpha-Sales").await;
    admin
        .put(
            &format!("/v1/companies/{a1}/departments/{dept}/members/{alice}"),
            json!({ "tier": 1 }),
        )
        .await
        .expect(200);
    let number = "+911100000001";
    admin
        .put(
            &format!("/v1/companies/{a1}/numbers/{number}"),
            json!({ "department_id": dept }),
        )
        .await
        .expect(201);
    let tel = op
        .post(
            "/v1/tokens",
            json!({ "scope": { "kind": "telephony", "numbers": [number] } }),
        )
        .await
        .expect(201);
    // A live call: Alice is logged in and rings for it.
    server
        .client(&alice_token)
        .put("/v1/me/presence", json!({ "logged_in": true }))
        .await
        .expect(200);
    let call_id = "alpha-call-1";
    let ringing = server
        .client(tel["token"].as_str().unwrap())
        .post("/v1/calls", json!({ "call_id": call_id, "number": number }))
        .await
        .expect(201);
    assert_eq!(ringing["instruction"]["action"], "ring", "{ringing}");
    let mgr = op
        .post(
            "/v1/tokens",
            json!({ "scope": { "kind": "manager", "account_id": account } }),
        )
        .await
        .expect(201);
    TenantA {
        account,
        a1,
        a2,
        alice,
        dept,
        number,
        admin_key_id: key["record"]["id"].as_u64().unwrap(),
        telephony_id: tel["record"]["id"].as_u64().unwrap(),
        telephony: tel["token"].as_str().unwrap().to_owned(),
        manager_id: mgr["record"]["id"].as_u64().unwrap(),
        call_id,
        trace_id: ringing["trace_id"].as_str().unwrap().to_owned(),
    }
}

/// Tenant B's callers: one per scope.
async fn foreign_callers(server: &Server) -> Vec<(&'static str, Client)> {
    let op = server.operator();
    let q = op.account("Acct-Beta").await;
    let b = op.company(Some(q), "Beta-Co", "shared").await;
    let admin_key = op.admin_key(b).await;
    let admin = server.client(&admin_key);
    let (_, bob) = activated_agent(server, &admin, b, "bob@beta.test", "admin").await;
    let (_, sue) = activated_agent(server, &admin, b, "sue@beta.test", "supervisor").await;
    let (_, ann) = activated_agent(server, &admin, b, "ann@beta.test", "agent").await;
    let ian = admin
        .add_member(b, json!({ "name": "Ian", "email": "ian@beta.test" }))
        .await;
    let dept = admin.department(b, "Beta-Sales").await;
    admin
        .put(
            &format!("/v1/companies/{b}/numbers/+912200000002"),
            json!({ "department_id": dept }),
        )
        .await
        .expect(201);
    let telephony = op
        .token(json!({ "kind": "telephony", "numbers": ["+912200000002"] }))
        .await;
    let manager = op
        .token(json!({ "kind": "manager", "account_id": q }))
        .await;
    vec![
        ("manager of another account", server.client(&manager)),
        ("admin key of another company", admin),
        ("admin-role agent of another company", server.client(&bob)),
        ("supervisor of another company", server.client(&sue)),
        ("agent of another company", server.client(&ann)),
        (
            "telephony token of another company",
            server.client(&telephony),
        ),
        (
            "invited agent of another company",
            server.client(ian["agent_token"].as_str().unwrap()),
        ),
    ]
}

/// What the operator sees of tenant A.
async fn snapshot(op: &Client, a: &TenantA) -> Vec<Value> {
    let mut out = Vec::new();
    for path in [
        format!("/v1/accounts/{}", a.account),
        format!("/v1/accounts/{}/companies", a.account),
        format!("/v1/accounts/{}/agents", a.account),
        format!("/v1/companies/{}/members", a.a1),
        format!("/v1/companies/{}/departments", a.a1),
        format!("/v1/companies/{}/departments/{}/members", a.a1, a.dept),
        format!("/v1/companies/{}/numbers", a.a1),
        format!("/v1/agents/{}", a.alice),
        format!("/v1/companies/{}/members", a.a2),
    ] {
        out.push(op.get(&path).await.expect(200));
    }
    let tokens = op.get("/v1/tokens?limit=200").await.expect(200);
    let ours = [a.admin_key_id, a.telephony_id, a.manager_id];
    out.extend(
        tokens["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| ours.contains(&t["id"].as_u64().unwrap()))
            .cloned(),
    );
    out
}

/// (METHOD, path) of every operation of the OpenAPI document.
pub async fn documented_operations(server: &Server) -> BTreeSet<(String, String)> {
    let doc = server.anonymous().get("/v1/openapi.json").await.expect(200);
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                ops.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn every_endpoint_refuses_every_foreign_scope() {
    let server = Server::start().await;
    let a = tenant_a(&server).await;
    let callers = foreign_callers(&server).await;
    let table = endpoints(&a);

    let listed: BTreeSet<(String, String)> = table
        .iter()
        .map(|e| (e.method.to_string(), e.template.to_owned()))
        .collect();
    assert_eq!(listed.len(), table.len(), "an operation is listed twice");
    assert_eq!(
        listed,
        documented_operations(&server).await,
        "the isolation table and the API differ"
    );

    let before = snapshot(&server.operator(), &a).await;
    for (who, client) in &callers {
        for e in &table {
            let resp = client
                .send(e.method.clone(), &e.path, e.body.as_ref())
                .await;
            let what = format!("{who}: {} {}", e.method, e.path);
            match e.expect {
                Expect::Denied => {
                    assert!(
                        resp.status == 403 || resp.status == 404,
                        "{what} answered {}: {}",
                        resp.status,
                        resp.text
                    );
                    let code = resp.body["error"].as_str().unwrap_or_default();
                    assert!(REFUSALS.contains(&code), "{what}: code {code}");
                }
                Expect::OwnOnly => {
                    assert!(
                        resp.status < 300 || resp.status == 403,
                        "{what} answered {}: {}",
                        resp.status,
                        resp.text
                    );
                }
            }
            let sent = format!(
                "{} {}",
                e.path,
                e.body.as_ref().map(Value::to_string).unwrap_or_default()
            );
            for marker in A_MARKERS.iter().filter(|m| !sent.contains(*m)) {
                assert!(
                    !resp.text.contains(marker),
                    "{what} leaked {marker}: {}",
                    resp.text
                );
            }
        }
    }
    assert_eq!(
        snapshot(&server.operator(), &a).await,
        before,
        "a foreign caller changed tenant A"
    );
    let call = server
        .client(&a.telephony)
        .get(&format!("/v1/calls/{}", a.call_id))
        .await
        .expect(200);
    assert_eq!(
        call["stage"], "ringing",
        "a foreign caller moved A's call: {call}"
    );
    assert!(server.inconsistencies().is_empty());
}

/// Inside one company, an agent-role member sees only itself and changes nothing else; a
/// supervisor reads but does not change.
#[tokio::test]
async fn roles_inside_a_company() {
    let server = Server::start().await;
    let op = server.operator();
    let c = op.company(Some(op.account("P").await), "C", "shared").await;
    let admin = server.client(&op.admin_key(c).await);
    let (boss, _) = activated_agent(&server, &admin, c, "boss@example.com", "admin").await;
    let (amy, amy_token) = activated_agent(&server, &admin, c, "amy@example.com", "agent").await;
    let (_, sup_token) = activated_agent(&server, &admin, c, "sup@example.com", "supervisor").await;
    let amy_client = server.client(&amy_token);
    let sup = server.client(&sup_token);

    amy_client
        .get(&format!("/v1/companies/{c}/members"))
        .await
        .expect_error(403, "forbidden");
    amy_client
        .get(&format!("/v1/companies/{c}/members/{boss}"))
        .await
        .expect_error(404, "not_found");
    assert_eq!(
        amy_client
            .get(&format!("/v1/companies/{c}/members/{amy}"))
            .await
            .expect(200)["agent"]["id"],
        amy
    );
    amy_client
        .patch(
            &format!("/v1/companies/{c}/members/{amy}"),
            json!({ "role": "admin" }),
        )
        .await
        .expect_error(403, "forbidden");
    amy_client
        .get(&format!("/v1/agents/{boss}"))
        .await
        .expect_error(404, "not_found");
    amy_client
        .post_empty(&format!("/v1/agents/{boss}/token"))
        .await
        .expect_error(404, "not_found");

    assert_eq!(
        sup.get(&format!("/v1/companies/{c}/members"))
            .await
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    sup.get(&format!("/v1/agents/{amy}")).await.expect(200);
    sup.patch(
        &format!("/v1/companies/{c}/members/{amy}"),
        json!({ "status": "break" }),
    )
    .await
    .expect_error(403, "forbidden");
    sup.post_empty(&format!("/v1/agents/{amy}/token"))
        .await
        .expect_error(404, "not_found");
    let dept = id(admin
        .post(
            &format!("/v1/companies/{c}/departments"),
            json!({ "name": "D" }),
        )
        .await
        .expect(201));
    sup.delete(&format!("/v1/companies/{c}/departments/{dept}"))
        .await
        .expect_error(403, "forbidden");
}
