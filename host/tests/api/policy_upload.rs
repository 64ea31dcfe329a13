//! Upload validation, in order, each failure with its own code: too large, not WebAssembly, a
//! core module instead of a component, the wrong world, does not compile, and a smoke decision
//! that traps or runs past its deadline. Nothing refused is stored.

use reqwest::Method;
use serde_json::Value;

use crate::calls_support::{Co, company};
use crate::support::{Resp, Server};

async fn upload(co: &Co, bytes: Vec<u8>) -> Resp {
    co.admin
        .send_raw(
            Method::POST,
            &format!("/v1/companies/{}/policies?name=candidate", co.id),
            "application/wasm",
            bytes,
        )
        .await
}

fn refused(resp: Resp, status: u16, code: &str) -> Value {
    let body = resp.expect_error(status, code);
    assert!(!body["hint"].as_str().unwrap().is_empty(), "{body}");
    body
}

#[tokio::test]
async fn each_validation_failure_has_its_own_code_and_nothing_is_stored() {
    let server = Server::start().await;
    let account = server.operator().account("Uploads").await;
    let co = company(&server, account, "Company U", "+918000000303").await;
    let read = |path: &str| std::fs::read(path).unwrap();

    refused(
        upload(&co, vec![0u8; 33 << 20]).await,
        413,
        "policy_too_large",
    );
    refused(upload(&co, b"hello, world".to_vec()).await, 422, "not_wasm");
    let core = refused(
        upload(&co, b"\0asm\x01\0\0\0".to_vec()).await,
        422,
        "core_module",
    );
    assert!(
        core["message"].as_str().unwrap().contains("wasm32-wasip2"),
        "{core}"
    );
    let world = refused(
        upload(&co, read(switchyard_artifacts::WRONG_WORLD)).await,
        422,
        "wrong_world",
    );
    assert!(
        world["message"]
            .as_str()
            .unwrap()
            .contains("missing export"),
        "{world}"
    );
    let mut garbage = b"\0asm\x0d\0\x01\0".to_vec();
    garbage.extend([0xff; 64]);
    refused(upload(&co, garbage).await, 422, "compile_failed");
    let traps = refused(
        upload(&co, read(switchyard_artifacts::ALWAYS_TRAPS)).await,
        422,
        "smoke_test_failed",
    );
    assert!(
        traps["message"].as_str().unwrap().contains("panic"),
        "{traps}"
    );
    let loops = refused(
        upload(&co, read(switchyard_artifacts::ALWAYS_LOOPS)).await,
        422,
        "smoke_test_failed",
    );
    assert!(
        loops["message"].as_str().unwrap().contains("deadline"),
        "{loops}"
    );

    let list = co
        .admin
        .get(&format!("/v1/companies/{}/policies", co.id))
        .await
        .expect(200);
    assert!(list["versions"].as_array().unwrap().is_empty(), "{list}");
    // A good one is accepted after all that, as version 1.
    let ok = upload(&co, read(switchyard_artifacts::RING_ALL))
        .await
        .expect(201);
    assert_eq!(ok["version"], 1);
}
