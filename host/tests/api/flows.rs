//! Flows 1–5 of issue 3, end to end over HTTP against the real server.

use serde_json::json;

use crate::support::{Server, activated_agent};

/// Flow 1 (MyOperator): an admin of A adds an agent; an admin of B (same main account, shared
/// policy) adds the same person and gets an independent second membership; an exclusive company
/// refuses with "already in use"; a company of another main account creates an invitation the
/// agent accepts with its own token.
#[tokio::test]
async fn flow1_same_person_in_two_companies() {
    let server = Server::start().await;
    let op = server.operator();
    let bpo = op.account("BPO").await;
    let a = op.company(Some(bpo), "Company A", "shared").await;
    let b = op.company(Some(bpo), "Company B", "shared").await;
    let x = op.company(Some(bpo), "Company X", "exclusive").await;
    let other = op.account("Other Group").await;
    let c = op.company(Some(other), "Company C", "shared").await;
    let admin_a = server.client(&op.admin_key(a).await);
    let admin_b = server.client(&op.admin_key(b).await);
    let admin_x = server.client(&op.admin_key(x).await);
    let admin_c = server.client(&op.admin_key(c).await);

    let schedule = json!([{ "day": "mon", "start": "09:00", "end": "13:00" }, { "day": "mon", "start": "14:00", "end": "18:00" }]);
    let added = admin_a
        .add_member(a, json!({
            "name": "Asha Rao", "phone": "+919876543210", "email": "Asha@Example.com",
            "role": "supervisor", "extension": "221", "panel_access": true, "schedule": schedule,
        }))
        .await;
    assert_eq!(added["outcome"], "created");
    assert_eq!(added["agent"]["state"], "invited");
    assert_eq!(added["agent"]["email"], "asha@example.com");
    let agent = added["agent"]["id"].as_u64().unwrap();
    let token = added["agent_token"].as_str().unwrap().to_owned();

    // Same person (same e-mail) in B: an independent membership, active at once.
    let in_b = admin_b
        .add_member(
            b,
            json!({ "email": "asha@example.com", "role": "agent", "extension": "305" }),
        )
        .await;
    assert_eq!(in_b["outcome"], "added");
    assert_eq!(in_b["agent"]["id"], agent);
    assert!(
        in_b["agent_token"].is_null(),
        "an existing agent keeps its one token"
    );
    assert_eq!(in_b["membership"]["state"], "active");

    let m_a = admin_a
        .get(&format!("/v1/companies/{a}/members/{agent}"))
        .await
        .expect(200);
    let m_b = admin_b
        .get(&format!("/v1/companies/{b}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(
        (
            m_a["membership"]["role"].clone(),
            m_a["membership"]["extension"].clone()
        ),
        (json!("supervisor"), json!("221"))
    );
    assert_eq!(
        (
            m_b["membership"]["role"].clone(),
            m_b["membership"]["extension"].clone()
        ),
        (json!("agent"), json!("305"))
    );
    assert_eq!(m_a["membership"]["schedule"], schedule);
    assert!(m_b["membership"]["schedule"].is_null());

    // Changing B's membership leaves A's alone.
    admin_b
        .patch(
            &format!("/v1/companies/{b}/members/{agent}"),
            json!({ "take_calls": false, "extension": "221" }),
        )
        .await
        .expect(200);
    let m_a2 = admin_a
        .get(&format!("/v1/companies/{a}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(m_a2, m_a);

    // Exclusive policy: "already in use" with the seed's fix in the hint.
    let refused = admin_x
        .post(
            &format!("/v1/companies/{x}/members"),
            json!({ "name": "Asha", "phone": "+919876543210" }),
        )
        .await;
    let body = refused.expect_error(409, "already_in_use");
    let hint = body["hint"].as_str().unwrap();
    assert!(
        hint.contains("alternate e-mail or phone") && hint.contains("identity_policy"),
        "{hint}"
    );
    // ...and the alternate e-mail the hint suggests works (a separate login).
    let alt = admin_x
        .add_member(
            x,
            json!({ "name": "Asha (X)", "email": "asha.x@example.com" }),
        )
        .await;
    assert_eq!(alt["outcome"], "created");
    assert_ne!(alt["agent"]["id"], agent);

    // Another main account: an invitation, pending until the agent consents.
    let invited = admin_c
        .add_member(c, json!({ "email": "asha@example.com", "role": "admin" }))
        .await;
    assert_eq!(invited["outcome"], "invited");
    assert_eq!(invited["membership"]["state"], "pending");
    let me = server.client(&token);
    me.post_empty("/v1/me/activate").await.expect(200);
    me.get(&format!("/v1/companies/{c}"))
        .await
        .expect_error(404, "not_found");
    me.patch(
        &format!("/v1/me/companies/{c}"),
        json!({ "status": "available" }),
    )
    .await
    .expect_error(409, "invitation_pending");
    let switcher = me.get("/v1/me/companies").await.expect(200);
    let states: Vec<(u64, String)> = switcher["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["company"]["id"].as_u64().unwrap(),
                i["membership"]["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        vec![
            (a, "active".into()),
            (b, "active".into()),
            (c, "pending".into())
        ]
    );
    let accepted = me
        .post_empty(&format!("/v1/me/companies/{c}/accept"))
        .await
        .expect(200);
    assert_eq!(accepted["state"], "active");
    // Now an admin in C with the same token.
    me.get(&format!("/v1/companies/{c}/members"))
        .await
        .expect(200);
    assert!(server.inconsistencies().is_empty());
}

/// Flow 1, declining: the pending membership disappears.
#[tokio::test]
async fn flow1_declined_invitation_is_removed() {
    let server = Server::start().await;
    let op = server.operator();
    let a = op.company(Some(op.account("P").await), "A", "shared").await;
    let c = op.company(Some(op.account("Q").await), "C", "shared").await;
    let admin_c = server.client(&op.admin_key(c).await);
    let (agent, token) = activated_agent(
        &server,
        &server.client(&op.admin_key(a).await),
        a,
        "dev@example.com",
        "agent",
    )
    .await;
    admin_c
        .add_member(c, json!({ "email": "dev@example.com" }))
        .await;
    let me = server.client(&token);
    me.post_empty(&format!("/v1/me/companies/{a}/decline"))
        .await
        .expect_error(409, "not_pending");
    me.post_empty(&format!("/v1/me/companies/{c}/decline"))
        .await
        .expect(204);
    admin_c
        .get(&format!("/v1/companies/{c}/members/{agent}"))
        .await
        .expect_error(404, "not_found");
}

/// Flow 2 (CallHub): a manager shares one activated agent with several sub-accounts in one
/// request; refused for an agent not activated and for a company outside the account.
#[tokio::test]
async fn flow2_manager_shares_an_activated_agent() {
    let server = Server::start().await;
    let op = server.operator();
    let main = op.account("CallHub main").await;
    let elsewhere = op.account("Another customer").await;
    let foreign = op.company(Some(elsewhere), "Foreign", "shared").await;
    let manager = server.client(
        &op.token(json!({ "kind": "manager", "account_id": main }))
            .await,
    );
    let s1 = manager.company(None, "Campaign 1", "shared").await;
    let s2 = manager.company(None, "Campaign 2", "shared").await;
    let s3 = manager.company(None, "Campaign 3", "shared").await;
    let listed = manager
        .get(&format!("/v1/accounts/{main}/companies"))
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 3);

    let added = manager
        .add_member(s1, json!({ "name": "Pat", "email": "pat@example.com" }))
        .await;
    let agent = added["agent"]["id"].as_u64().unwrap();
    let share = format!("/v1/accounts/{main}/agents/{agent}/share");
    manager
        .post(&share, json!({ "companies": [s2, s3] }))
        .await
        .expect_error(409, "agent_not_activated");

    let me = server.client(added["agent_token"].as_str().unwrap());
    me.get("/v1/me/companies")
        .await
        .expect_error(403, "forbidden");
    me.post_empty("/v1/me/activate").await.expect(200);
    let pool = manager
        .get(&format!("/v1/accounts/{main}/agents"))
        .await
        .expect(200);
    assert_eq!(pool["items"][0]["state"], "activated");

    let refused = manager
        .post(&share, json!({ "companies": [s2, foreign] }))
        .await
        .expect_error(422, "company_outside_account");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains(&foreign.to_string())
    );
    // All or nothing: s2 was not joined by the refused request.
    manager
        .get(&format!("/v1/companies/{s2}/members/{agent}"))
        .await
        .expect_error(404, "not_found");

    let shared = manager
        .post(&share, json!({ "companies": [s2, s3], "role": "agent" }))
        .await
        .expect(201);
    assert_eq!(shared.as_array().unwrap().len(), 2);
    assert!(
        shared
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["state"] == "active")
    );
    let switcher = me.get("/v1/me/companies").await.expect(200);
    let ids: Vec<u64> = switcher["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["company"]["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![s1, s2, s3]);
    manager
        .post(&share, json!({ "companies": [s3] }))
        .await
        .expect_error(409, "already_member");
    // A manager of another account cannot share into this one.
    let other_manager = server.client(
        &op.token(json!({ "kind": "manager", "account_id": elsewhere }))
            .await,
    );
    other_manager
        .post(&share, json!({ "companies": [s2] }))
        .await
        .expect_error(404, "not_found");
    assert!(server.inconsistencies().is_empty());
}

/// Flow 3: one token, every company: the organisation switcher, acting with the role of each
/// company, status per company.
#[tokio::test]
async fn flow3_one_token_acts_in_every_company() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let b = op.company(Some(p), "B", "shared").await;
    let admin_b = server.client(&op.admin_key(b).await);
    let (agent, token) = activated_agent(
        &server,
        &server.client(&op.admin_key(a).await),
        a,
        "lee@example.com",
        "admin",
    )
    .await;
    admin_b
        .add_member(
            b,
            json!({ "email": "lee@example.com", "role": "supervisor" }),
        )
        .await;
    let me = server.client(&token);

    let switcher = me.get("/v1/me/companies").await.expect(200);
    let roles: Vec<(u64, String)> = switcher["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["company"]["id"].as_u64().unwrap(),
                i["membership"]["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(roles, vec![(a, "admin".into()), (b, "supervisor".into())]);
    let companies = me.get("/v1/companies").await.expect(200);
    assert_eq!(companies["items"].as_array().unwrap().len(), 2);

    // Admin in A, supervisor in B, with the same token.
    me.department(a, "Sales").await;
    me.post(
        &format!("/v1/companies/{b}/departments"),
        json!({ "name": "Support" }),
    )
    .await
    .expect_error(403, "forbidden");
    let members_b = me
        .get(&format!("/v1/companies/{b}/members"))
        .await
        .expect(200);
    assert_eq!(members_b["items"][0]["agent"]["id"], agent);

    me.patch(
        &format!("/v1/me/companies/{a}"),
        json!({ "status": "break" }),
    )
    .await
    .expect(200);
    me.patch(
        &format!("/v1/me/companies/{b}"),
        json!({ "status": "unavailable", "notifications": false }),
    )
    .await
    .expect(200);
    let in_a = me.get(&format!("/v1/me/companies/{a}")).await.expect(200);
    let in_b = me.get(&format!("/v1/me/companies/{b}")).await.expect(200);
    assert_eq!(
        (
            in_a["membership"]["status"].clone(),
            in_a["membership"]["notifications"].clone()
        ),
        (json!("break"), json!(true))
    );
    assert_eq!(
        (
            in_b["membership"]["status"].clone(),
            in_b["membership"]["notifications"].clone()
        ),
        (json!("unavailable"), json!(false))
    );
    // The admin of B sees the status the agent set there.
    let seen = admin_b
        .get(&format!("/v1/companies/{b}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(seen["membership"]["status"], "unavailable");

    // Rotating the token: the old one stops working everywhere, the new one works everywhere.
    let rotated = me.post_empty("/v1/me/token").await.expect(201);
    me.get("/v1/me/companies")
        .await
        .expect_error(401, "unauthenticated");
    let me2 = server.client(rotated["token"].as_str().unwrap());
    assert_eq!(
        me2.get("/v1/me/companies").await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// Flow 4: departments per company: add and remove members, tier and skills; A's department
/// says nothing about B's.
#[tokio::test]
async fn flow4_departments_are_per_company() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let b = op.company(Some(p), "B", "shared").await;
    let admin_a = server.client(&op.admin_key(a).await);
    let admin_b = server.client(&op.admin_key(b).await);
    let (agent, _) = activated_agent(&server, &admin_a, a, "kim@example.com", "agent").await;
    admin_b
        .add_member(b, json!({ "email": "kim@example.com" }))
        .await;
    let sales = admin_a.department(a, "Sales").await;
    let support = admin_b.department(b, "Support").await;

    let seat = format!("/v1/companies/{a}/departments/{sales}/members/{agent}");
    let m = admin_a
        .put(&seat, json!({ "tier": 1, "skills": ["hindi", "billing"] }))
        .await
        .expect(200);
    assert_eq!(
        m["departments"][sales.to_string()]["skills"],
        json!(["hindi", "billing"])
    );
    admin_a
        .put(&seat, json!({ "tier": 2, "skills": ["billing"] }))
        .await
        .expect(200);
    let listed = admin_a
        .get(&format!("/v1/companies/{a}/departments/{sales}/members"))
        .await
        .expect(200);
    assert_eq!(
        listed["items"][0]["membership"]["departments"][sales.to_string()],
        json!({ "tier": 2, "skills": ["billing"] })
    );

    // Nothing of it in B.
    let in_b = admin_b
        .get(&format!("/v1/companies/{b}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(in_b["membership"]["departments"], json!({}));
    let b_members = admin_b
        .get(&format!("/v1/companies/{b}/departments/{support}/members"))
        .await
        .expect(200);
    assert_eq!(b_members["items"], json!([]));
    // A's department cannot be used through B, nor B's through A.
    admin_b
        .put(
            &format!("/v1/companies/{b}/departments/{sales}/members/{agent}"),
            json!({ "tier": 1 }),
        )
        .await
        .expect_error(404, "not_found");
    admin_a
        .patch(
            &format!("/v1/companies/{a}/members/{agent}"),
            json!({ "departments": { support.to_string(): { "tier": 1 } } }),
        )
        .await
        .expect_error(422, "unknown_department");

    admin_a.delete(&seat).await.expect(200);
    let listed = admin_a
        .get(&format!("/v1/companies/{a}/departments/{sales}/members"))
        .await
        .expect(200);
    assert_eq!(listed["items"], json!([]));
    admin_a.delete(&seat).await.expect_error(404, "not_found");

    // Deleting a department clears its seats.
    admin_a.put(&seat, json!({ "tier": 1 })).await.expect(200);
    admin_a
        .delete(&format!("/v1/companies/{a}/departments/{sales}"))
        .await
        .expect(204);
    let m = admin_a
        .get(&format!("/v1/companies/{a}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(m["membership"]["departments"], json!({}));
    assert!(server.inconsistencies().is_empty());
}

/// Flow 5: removing an agent from one company leaves its other memberships untouched.
#[tokio::test]
async fn flow5_removal_is_per_company() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let b = op.company(Some(p), "B", "shared").await;
    let admin_a = server.client(&op.admin_key(a).await);
    let admin_b = server.client(&op.admin_key(b).await);
    let (agent, token) = activated_agent(&server, &admin_a, a, "sam@example.com", "agent").await;
    admin_b
        .add_member(
            b,
            json!({ "email": "sam@example.com", "extension": "305", "panel_access": false }),
        )
        .await;
    let support = admin_b.department(b, "Support").await;
    admin_b
        .put(
            &format!("/v1/companies/{b}/departments/{support}/members/{agent}"),
            json!({ "tier": 1 }),
        )
        .await
        .expect(200);
    let before = admin_b
        .get(&format!("/v1/companies/{b}/members/{agent}"))
        .await
        .expect(200);

    admin_a
        .delete(&format!("/v1/companies/{a}/members/{agent}"))
        .await
        .expect(204);
    admin_a
        .get(&format!("/v1/companies/{a}/members/{agent}"))
        .await
        .expect_error(404, "not_found");
    admin_a
        .delete(&format!("/v1/companies/{a}/members/{agent}"))
        .await
        .expect_error(404, "not_found");
    let after = admin_b
        .get(&format!("/v1/companies/{b}/members/{agent}"))
        .await
        .expect(200);
    assert_eq!(after, before);
    let me = server.client(&token);
    let switcher = me.get("/v1/me/companies").await.expect(200);
    let ids: Vec<u64> = switcher["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["company"]["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![b]);
    me.get(&format!("/v1/companies/{a}"))
        .await
        .expect_error(404, "not_found");
    assert!(server.inconsistencies().is_empty());
}
