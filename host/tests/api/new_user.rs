//! Defects found trying the service as a new user would (issue #10, section 4), one test
//! each: token scopes refuse unknown fields in every variant, call-log listings validate
//! `limit` and `outcome` like every other list, path ids are canonical decimals only,
//! diagnosing a non-member says so, and the data directory is private.

use serde_json::json;

use crate::support::Server;

#[tokio::test]
async fn every_token_scope_refuses_unknown_fields() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Scopes").await;
    let company = op.company(Some(account), "Scoped", "shared").await;
    let scopes = [
        json!({ "kind": "operator", "x": 1 }),
        json!({ "kind": "manager", "account_id": account, "x": 1 }),
        json!({ "kind": "company_admin", "company_id": company, "x": 1 }),
        json!({ "kind": "telephony", "numbers": ["+918000000001"], "x": 1 }),
    ];
    for scope in scopes {
        let body = op
            .post("/v1/tokens", json!({ "scope": scope }))
            .await
            .expect_error(422, "invalid_body");
        assert!(
            body["message"].as_str().unwrap().contains('x'),
            "{scope}: {body}"
        );
    }
    // Without the extra field each is issued (the operator one with its plain JSON shape).
    op.post("/v1/tokens", json!({ "scope": { "kind": "operator" } }))
        .await
        .expect(201);
    let listed = op.get("/v1/tokens?limit=200").await.expect(200);
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["scope"] == json!({ "kind": "operator" })),
        "{listed}"
    );
}
