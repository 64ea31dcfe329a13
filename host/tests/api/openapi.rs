//! The OpenAPI document stays in sync with the router: every documented operation is routed
//! (it answers something other than our "no route"/"method not allowed"), every operation
//! documents its error body, and the isolation table lists exactly the documented operations
//! (see `isolation.rs`).

use reqwest::Method;
use serde_json::json;

use crate::isolation::documented_operations;
use crate::support::Server;

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let server = Server::start().await;
    let op = server.operator();
    let operations = documented_operations(&server).await;
    assert!(
        operations.len() >= 40,
        "only {} operations documented",
        operations.len()
    );
    for (method, template) in &operations {
        let path = template
            .replace("{number}", "+919999999999")
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "999999999"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let resp = op.send(method.clone(), &path, Some(&json!({}))).await;
        let code = resp.body["error"].as_str().unwrap_or_default();
        assert!(
            code != "no_route" && code != "method_not_allowed",
            "{method} {template} is documented but not routed: {}",
            resp.text
        );
        assert!(resp.status < 500, "{method} {path}: {}", resp.text);
    }
    // The check above can fail: an undocumented path and a wrong method are told apart.
    op.get("/v1/undocumented")
        .await
        .expect_error(404, "no_route");
    op.send(Method::DELETE, "/v1/me", None)
        .await
        .expect_error(405, "method_not_allowed");
}

#[tokio::test]
async fn every_operation_documents_its_errors_and_auth() {
    let server = Server::start().await;
    let doc = server.anonymous().get("/v1/openapi.json").await.expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('2')),
                "{method} {path}: no success response"
            );
            if path != "/v1/openapi.json" {
                assert!(
                    responses.contains_key("4XX"),
                    "{method} {path}: no documented error body"
                );
            }
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{method} {path}: no tag"
            );
        }
    }
}
