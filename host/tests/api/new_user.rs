//! Defects found trying the service as a new user would (issue #10, section 4), one test
//! each: token scopes refuse unknown fields in every variant, call-log listings validate
//! `limit` and `outcome` like every other list, path ids are canonical decimals only,
//! diagnosing a non-member says so, and the data directory is private.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::json;

use crate::calls_support::{call, company, hire, telephony};
use crate::support::{Server, activated_agent};

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

#[tokio::test]
async fn call_logs_refuse_out_of_range_limits_like_every_other_list() {
    let server = Server::start().await;
    let account = server.operator().account("Logs").await;
    let co = company(&server, account, "Company Logs", "+918000000701").await;
    let tel = telephony(&server, &[&co.number]).await;
    // Nobody works there: the call goes to voicemail and is logged at once.
    let update = call(&tel, "logs-1", &co.number).await;
    assert_eq!(update["instruction"]["action"], "voicemail", "{update}");
    let logs = format!("/v1/companies/{}/call-logs", co.id);
    let members = format!("/v1/companies/{}/members", co.id);

    for limit in [0, 201, 100_000] {
        let ours = co
            .admin
            .get(&format!("{logs}?limit={limit}"))
            .await
            .expect_error(422, "invalid_limit");
        let theirs = co
            .admin
            .get(&format!("{members}?limit={limit}"))
            .await
            .expect_error(422, "invalid_limit");
        assert_eq!(ours, theirs, "limit {limit}");
    }
    for limit in [1, 200] {
        let page = co
            .admin
            .get(&format!("{logs}?limit={limit}"))
            .await
            .expect(200);
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn call_logs_refuse_unknown_outcomes_naming_the_accepted_ones() {
    let server = Server::start().await;
    let account = server.operator().account("Outcomes").await;
    let co = company(&server, account, "Company Outcomes", "+918000000703").await;
    let tel = telephony(&server, &[&co.number]).await;
    let update = call(&tel, "outcome-1", &co.number).await;
    assert_eq!(update["instruction"]["action"], "voicemail", "{update}");
    let logs = format!("/v1/companies/{}/call-logs", co.id);

    let refused = co
        .admin
        .get(&format!("{logs}?outcome=exploded"))
        .await
        .expect_error(422, "invalid_outcome");
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("exploded"), "{refused}");
    for allowed in [
        "answered",
        "abandoned",
        "voicemail",
        "forwarded",
        "rejected",
        "expired",
        "reconciled",
        "released",
    ] {
        assert!(message.contains(allowed), "{allowed} missing: {refused}");
        let page = co
            .admin
            .get(&format!("{logs}?outcome={allowed}"))
            .await
            .expect(200);
        let expected = usize::from(allowed == "voicemail");
        assert_eq!(
            page["items"].as_array().unwrap().len(),
            expected,
            "{allowed}"
        );
    }
}

#[tokio::test]
async fn path_ids_are_canonical_decimals_only() {
    let server = Server::start().await;
    let op = server.operator();
    let account = op.account("Ids").await;
    let a = op.company(Some(account), "Ids A", "shared").await;
    let admin = server.client(&op.admin_key(a).await);
    let (agent, _) = activated_agent(&server, &admin, a, "ids@example.com", "agent").await;
    let dept = admin.department(a, "Sales").await;

    op.get(&format!("/v1/companies/{a}")).await.expect(200);
    for path in [
        format!("/v1/companies/+{a}"),
        format!("/v1/companies/0{a}"),
        format!("/v1/companies/-{a}"),
        format!("/v1/companies/{a}/members/+{agent}"),
        format!("/v1/companies/+{a}/members/{agent}"),
        format!("/v1/companies/{a}/departments/00{dept}"),
        format!("/v1/companies/{a}/policies/+1/replay"),
    ] {
        let method = if path.ends_with("/replay") {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let body = json!({});
        op.send(method, &path, Some(&body))
            .await
            .expect_error(400, "invalid_path");
    }
    // E.164 numbers in paths keep their `+`.
    admin
        .put(
            &format!("/v1/companies/{a}/numbers/+918000000702"),
            json!({ "department_id": dept }),
        )
        .await
        .expect(201);
    admin
        .delete(&format!("/v1/companies/{a}/numbers/+918000000702"))
        .await
        .expect(204);
}

#[tokio::test]
async fn diagnosing_a_non_member_says_it_is_not_a_member_of_this_company() {
    let server = Server::start().await;
    let account = server.operator().account("Diagnose").await;
    let a = company(&server, account, "Company DA", "+918000000711").await;
    let b = company(&server, account, "Company DB", "+918000000712").await;
    // Asha works for A only; 999999999 is nobody's id.
    let asha = hire(&server, &a, "asha.d@example.com", "agent", "211").await;
    let diagnose = |agent: u64| {
        let admin = b.admin.clone();
        let path = format!(
            "/v1/companies/{}/diagnose?number=%2B{}&agent_id={agent}",
            b.id,
            &b.number[1..]
        );
        async move { admin.get(&path).await.expect(200) }
    };
    let elsewhere = diagnose(asha.id).await;
    assert_eq!(elsewhere["reason"], "not-a-member", "{elsewhere}");
    assert_eq!(elsewhere["would_ring"], false);
    let hint = elsewhere["hint"].as_str().unwrap();
    assert!(
        hint.contains(&format!("not a member of company {}", b.id)),
        "{elsewhere}"
    );
    assert!(!hint.contains("Add the member to the department"), "{hint}");

    // A nobody gets the same answer: nothing tells that Asha exists in another company.
    let nobody = diagnose(999_999_999).await;
    assert_eq!(nobody["reason"], elsewhere["reason"]);
    assert_eq!(
        nobody["hint"].as_str().unwrap(),
        hint.replace(&format!("Agent {} ", asha.id), "Agent 999999999 ")
    );

    // A member of B outside the department still gets the department advice.
    let pat = hire(&server, &b, "pat.d@example.com", "agent", "212").await;
    b.admin
        .delete(&format!(
            "/v1/companies/{}/departments/{}/members/{}",
            b.id, b.dept, pat.id
        ))
        .await
        .expect(200);
    let outside = diagnose(pat.id).await;
    assert_eq!(outside["reason"], "not-in-department", "{outside}");
    assert!(outside["hint"].as_str().unwrap().contains("department"));
}

/// The permission bits, in octal as `ls` shows them.
fn mode(path: &Path) -> String {
    format!(
        "{:o}",
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    )
}

#[tokio::test]
async fn the_data_directory_and_database_are_private() {
    let temp = tempfile::tempdir().unwrap();

    // Created by the service.
    let fresh = temp.path().join("fresh");
    let server = Server::start_in(&fresh).await;
    assert_eq!(mode(&fresh), "700", "data directory");
    assert_eq!(mode(&fresh.join("db")), "700", "database directory");
    server.stop().await;

    // Left world-readable by an earlier version (or an operator): tightened at start-up.
    let old = temp.path().join("old");
    std::fs::create_dir_all(old.join("db")).unwrap();
    for dir in [old.clone(), old.join("db")] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let server = Server::start_in(&old).await;
    assert_eq!(mode(&old), "700", "data directory");
    assert_eq!(mode(&old.join("db")), "700", "database directory");
    server.stop().await;
}
