//! The seed's troubleshooting rows reproduced over HTTP and diagnosed: "agent not getting B
//! calls" (department, status, then fixed), "calls routed to the wrong company" (a number
//! mapped elsewhere) and "agent panel is empty in B" (Panel Access off in B only).

use serde_json::{Value, json};

use crate::calls_support::{
    Co, Person, action, call, company, event, hire, log_in, rung, seat, telephony,
};
use crate::support::Server;

/// Companies A and B of one account; Asha is a member of both (extension 221 in A, 305 in B)
/// but seated only in A's department; logged in.
async fn setup(server: &Server) -> (Co, Co, Person) {
    let op = server.operator();
    let account = op.account("BPO").await;
    let a = company(server, account, "Company A", "+918000000101").await;
    let b = company(server, account, "Company B", "+918000000202").await;
    let asha = hire(server, &a, "asha@example.com", "agent", "221").await;
    let added = b
        .admin
        .add_member(
            b.id,
            json!({ "email": "asha@example.com", "role": "agent", "extension": "305" }),
        )
        .await;
    assert_eq!(added["outcome"], "added");
    log_in(&asha, true).await;
    (a, b, asha)
}

async fn diagnose(co: &Co, number: &str, agent: u64) -> Value {
    co.admin
        .get(&format!(
            "/v1/companies/{}/diagnose?number=%2B{}&agent_id={agent}",
            co.id,
            &number[1..]
        ))
        .await
        .expect(200)
}

#[tokio::test]
async fn agent_not_getting_b_calls_is_diagnosed_step_by_step_until_fixed() {
    let server = Server::start().await;
    let (a, b, asha) = setup(&server).await;
    let tel = telephony(&server, &[&a.number, &b.number]).await;

    // Not in B's department: B's calls never reach her (and B has nobody else).
    let d = diagnose(&b, &b.number, asha.id).await;
    assert_eq!(d["reason"], "not-in-department", "{d}");
    assert_eq!(d["would_ring"], false);
    assert!(d["hint"].as_str().unwrap().contains("department"));
    let vm = call(&tel, "call-b-1", &b.number).await;
    assert_eq!(action(&vm), "voicemail");

    // In the department, but Unavailable in B (still Available in A).
    seat(&b, asha.id, 1, &[]).await;
    asha.client
        .patch(
            &format!("/v1/me/companies/{}", b.id),
            json!({ "status": "unavailable" }),
        )
        .await
        .expect(200);
    let d = diagnose(&b, &b.number, asha.id).await;
    assert_eq!(d["reason"], "status-unavailable", "{d}");
    assert!(d["hint"].as_str().unwrap().contains("Available"));
    assert_eq!(diagnose(&a, &a.number, asha.id).await["reason"], "offered");

    // Fixed: Available in B.
    asha.client
        .patch(
            &format!("/v1/me/companies/{}", b.id),
            json!({ "status": "available" }),
        )
        .await
        .expect(200);
    let d = diagnose(&b, &b.number, asha.id).await;
    assert_eq!(d["reason"], "offered", "{d}");
    assert_eq!(d["would_ring"], true);
    assert_eq!(d["position"], 1);
    assert_eq!(d["company_id"], b.id);
    let ring = call(&tel, "call-b-2", &b.number).await;
    assert_eq!(rung(&ring), vec![asha.id]);
    assert_eq!(ring["instruction"]["targets"][0]["extension"], "305");
    event(&tel, "call-b-2", json!({ "type": "abandoned" })).await;
}

#[tokio::test]
async fn a_number_mapped_to_another_company_is_diagnosed_without_naming_it() {
    let server = Server::start().await;
    let (a, b, asha) = setup(&server).await;
    seat(&b, asha.id, 1, &[]).await;

    let resp = b
        .admin
        .get(&format!(
            "/v1/companies/{}/diagnose?number=%2B{}&agent_id={}",
            b.id,
            &a.number[1..],
            asha.id
        ))
        .await;
    let text = resp.text.clone();
    let d = resp.expect(200);
    assert_eq!(d["routes_to_this_company"], false, "{d}");
    assert_eq!(d["would_ring"], false);
    assert_eq!(d["reason"], "number-mapped-elsewhere");
    assert!(d["hint"].as_str().unwrap().contains("Call Flow"));
    assert!(!text.contains("Company A"), "{text}");
    assert!(
        d.get("members").is_none(),
        "another company's members leaked: {d}"
    );

    // From A the same number is A's.
    let d = diagnose(&a, &a.number, asha.id).await;
    assert_eq!(d["company_id"], a.id);
    assert_eq!(d["reason"], "offered");
}

#[tokio::test]
async fn an_empty_panel_in_b_is_panel_access_off_in_b_only() {
    let server = Server::start().await;
    let (a, b, asha) = setup(&server).await;
    seat(&b, asha.id, 1, &[]).await;
    b.admin
        .patch(
            &format!("/v1/companies/{}/members/{}", b.id, asha.id),
            json!({ "panel_access": false }),
        )
        .await
        .expect(200);

    let refused = asha
        .client
        .get(&format!("/v1/companies/{}/board", b.id))
        .await
        .expect_error(403, "panel_access_off");
    assert!(
        refused["hint"].as_str().unwrap().contains("Panel Access"),
        "{refused}"
    );
    let board = asha
        .client
        .get(&format!("/v1/companies/{}/board", a.id))
        .await
        .expect(200);
    assert!(
        board
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["agent_id"] == asha.id),
        "{board}"
    );
    // Panel Access does not block calls: B's calls still reach her, and the trace says so.
    let d = diagnose(&b, &b.number, asha.id).await;
    assert_eq!(d["reason"], "offered");
    let line = d["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["agent_id"] == asha.id)
        .unwrap();
    assert_eq!(line["panel_access"], false);
}
