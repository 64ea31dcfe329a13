//! The troubleshooting rows of the MyOperator seed, each checked through the API: the symptom
//! can be diagnosed from what the API shows and fixed with what the hint says.

use serde_json::json;

use crate::support::{Server, activated_agent};

/// "Already in use" when adding to B: 409 with the hint (alternate e-mail or relax the policy),
/// and relaxing the policy indeed lets the person in.
#[tokio::test]
async fn already_in_use_names_both_fixes() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let b = op.company(Some(p), "B", "exclusive").await;
    let admin_b = server.client(&op.admin_key(b).await);
    activated_agent(
        &server,
        &server.client(&op.admin_key(a).await),
        a,
        "ravi@example.com",
        "agent",
    )
    .await;
    let body = admin_b
        .post(
            &format!("/v1/companies/{b}/members"),
            json!({ "email": "ravi@example.com" }),
        )
        .await
        .expect_error(409, "already_in_use");
    assert!(body["hint"].as_str().unwrap().contains("alternate"));
    admin_b
        .patch(
            &format!("/v1/companies/{b}"),
            json!({ "identity_policy": "shared" }),
        )
        .await
        .expect(200);
    assert_eq!(
        admin_b
            .add_member(b, json!({ "email": "ravi@example.com" }))
            .await["outcome"],
        "added"
    );
}

/// "Agent not getting B calls": B's department membership and B's status are readable per
/// company, and fixable there without touching A.
#[tokio::test]
async fn not_getting_b_calls_is_diagnosable_per_company() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let b = op.company(Some(p), "B", "shared").await;
    let admin_a = server.client(&op.admin_key(a).await);
    let admin_b = server.client(&op.admin_key(b).await);
    let (agent, token) = activated_agent(&server, &admin_a, a, "nia@example.com", "agent").await;
    let sales = admin_a.department(a, "Sales").await;
    admin_a
        .put(
            &format!("/v1/companies/{a}/departments/{sales}/members/{agent}"),
            json!({ "tier": 1 }),
        )
        .await
        .expect(200);
    admin_b
        .add_member(b, json!({ "email": "nia@example.com" }))
        .await;
    let support = admin_b.department(b, "Support").await;
    let me = server.client(&token);
    me.patch(
        &format!("/v1/me/companies/{b}"),
        json!({ "status": "unavailable" }),
    )
    .await
    .expect(200);

    // Diagnose in B: not in the department, status unavailable. A looks fine.
    let in_b = admin_b
        .get(&format!("/v1/companies/{b}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(in_b["membership"]["departments"], json!({}));
    assert_eq!(in_b["membership"]["status"], "unavailable");
    let in_a = admin_a
        .get(&format!("/v1/companies/{a}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(in_a["membership"]["status"], "available");
    assert!(
        in_a["membership"]["departments"]
            .get(sales.to_string())
            .is_some()
    );

    // Fix: add to B's department, set Available in B.
    admin_b
        .put(
            &format!("/v1/companies/{b}/departments/{support}/members/{agent}"),
            json!({ "tier": 1 }),
        )
        .await
        .expect(200);
    me.patch(
        &format!("/v1/me/companies/{b}"),
        json!({ "status": "available" }),
    )
    .await
    .expect(200);
    let listed = admin_b
        .get(&format!("/v1/companies/{b}/departments/{support}/members"))
        .await
        .expect(200);
    assert_eq!(listed["items"][0]["membership"]["status"], "available");
}

/// "Calls routed to the wrong company": mapping a number another company holds is a 409 naming
/// the holder (its name only for a caller who may see it); unmapping there then mapping here
/// works.
#[tokio::test]
async fn number_held_elsewhere_is_a_conflict_naming_the_holder() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "Alpha Ltd", "shared").await;
    let b = op.company(Some(p), "Beta Ltd", "shared").await;
    let admin_a = server.client(&op.admin_key(a).await);
    let admin_b = server.client(&op.admin_key(b).await);
    let manager = server.client(
        &op.token(json!({ "kind": "manager", "account_id": p }))
            .await,
    );
    let dept_a = admin_a.department(a, "Reception").await;
    let dept_b = admin_b.department(b, "Reception").await;
    let number = "+918000000001";
    assert_eq!(
        admin_a
            .put(
                &format!("/v1/companies/{a}/numbers/{number}"),
                json!({ "department_id": dept_a })
            )
            .await
            .status,
        201
    );

    let body = admin_b
        .put(
            &format!("/v1/companies/{b}/numbers/{number}"),
            json!({ "department_id": dept_b }),
        )
        .await
        .expect_error(409, "number_taken");
    let message = body["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("company {a}")) && !message.contains("Alpha"),
        "{message}"
    );
    let body = manager
        .put(
            &format!("/v1/companies/{b}/numbers/{number}"),
            json!({ "department_id": dept_b }),
        )
        .await
        .expect_error(409, "number_taken");
    assert!(body["message"].as_str().unwrap().contains("Alpha Ltd"));

    // The holder still routes it; fix per the hint.
    let route = op.get(&format!("/v1/numbers/{number}")).await.expect(200);
    assert_eq!(route["company_id"], a);
    admin_a
        .delete(&format!("/v1/companies/{a}/numbers/{number}"))
        .await
        .expect(204);
    admin_b
        .put(
            &format!("/v1/companies/{b}/numbers/{number}"),
            json!({ "department_id": dept_b }),
        )
        .await
        .expect(201);
    assert_eq!(
        op.get(&format!("/v1/numbers/{number}")).await.expect(200)["company_id"],
        b
    );
    // Moving it to another department of the same company is a 200, not a conflict.
    let dept_b2 = admin_b.department(b, "Sales").await;
    admin_b
        .put(
            &format!("/v1/companies/{b}/numbers/{number}"),
            json!({ "department_id": dept_b2 }),
        )
        .await
        .expect(200);
    admin_b
        .delete(&format!("/v1/companies/{b}/departments/{dept_b2}"))
        .await
        .expect_error(409, "department_in_use");
}

/// "Agent panel is empty in B": Panel Access is per company, readable and settable there.
#[tokio::test]
async fn panel_access_is_per_company() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let b = op.company(Some(p), "B", "shared").await;
    let admin_a = server.client(&op.admin_key(a).await);
    let admin_b = server.client(&op.admin_key(b).await);
    let (agent, token) = activated_agent(&server, &admin_a, a, "ola@example.com", "agent").await;
    admin_b
        .add_member(
            b,
            json!({ "email": "ola@example.com", "panel_access": false }),
        )
        .await;
    let me = server.client(&token);
    assert_eq!(
        me.get(&format!("/v1/me/companies/{b}")).await.expect(200)["membership"]["panel_access"],
        false
    );
    assert_eq!(
        me.get(&format!("/v1/me/companies/{a}")).await.expect(200)["membership"]["panel_access"],
        true
    );
    admin_b
        .patch(
            &format!("/v1/companies/{b}/members/{agent}"),
            json!({ "panel_access": true }),
        )
        .await
        .expect(200);
    assert_eq!(
        me.get(&format!("/v1/me/companies/{b}")).await.expect(200)["membership"]["panel_access"],
        true
    );
    // The agent cannot switch it on itself.
    me.patch(
        &format!("/v1/me/companies/{b}"),
        json!({ "panel_access": true }),
    )
    .await
    .expect_error(422, "invalid_body");
}
