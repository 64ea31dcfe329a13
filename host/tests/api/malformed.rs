//! Malformed input: every row gets a 4xx with our JSON body `{error, message, hint}` and the
//! expected code.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Server, activated_agent};

enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

/// Who sends the request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The admin key of company A.
    Admin,
    /// The operator (for operator-only endpoints).
    Operator,
    /// Nobody: no token.
    Anonymous,
}

struct Case {
    what: &'static str,
    who: Who,
    method: Method,
    path: String,
    body: Body,
    status: u16,
    code: &'static str,
}

fn case(
    what: &'static str,
    method: Method,
    path: String,
    body: Body,
    status: u16,
    code: &'static str,
) -> Case {
    Case {
        what,
        who: Who::Admin,
        method,
        path,
        body,
        status,
        code,
    }
}

fn as_operator(c: Case) -> Case {
    Case {
        who: Who::Operator,
        ..c
    }
}

#[tokio::test]
async fn malformed_input_gets_a_4xx_with_code_and_hint() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let b = op.company(Some(p), "B", "shared").await;
    let admin = server.client(&op.admin_key(a).await);
    let (agent, _) = activated_agent(&server, &admin, a, "first@example.com", "agent").await;
    admin
        .patch(
            &format!("/v1/companies/{a}/members/{agent}"),
            json!({ "extension": "221" }),
        )
        .await
        .expect(200);
    let dept = admin.department(a, "Sales").await;
    let dept_b = server
        .client(&op.admin_key(b).await)
        .department(b, "B sales")
        .await;
    let members = format!("/v1/companies/{a}/members");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(70 * 1024)).into_bytes();

    let cases = vec![
        case(
            "bad JSON",
            Method::POST,
            members.clone(),
            Body::Raw("application/json", b"{\"name\": ".to_vec()),
            400,
            "invalid_json",
        ),
        case(
            "not an object",
            Method::POST,
            members.clone(),
            Body::Raw("application/json", b"[1, 2]".to_vec()),
            422,
            "invalid_body",
        ),
        case(
            "unknown field",
            Method::POST,
            members.clone(),
            Body::Json(json!({ "email": "x@example.com", "emial": "typo" })),
            422,
            "invalid_body",
        ),
        case(
            "wrong type",
            Method::POST,
            members.clone(),
            Body::Json(json!({ "email": "x@example.com", "take_calls": "yes" })),
            422,
            "invalid_body",
        ),
        case(
            "wrong content type",
            Method::POST,
            members.clone(),
            Body::Raw("text/plain", b"{}".to_vec()),
            415,
            "unsupported_media_type",
        ),
        case(
            "body too large",
            Method::POST,
            members.clone(),
            Body::Raw("application/json", huge),
            413,
            "body_too_large",
        ),
        case(
            "bad E.164 phone",
            Method::POST,
            members.clone(),
            Body::Json(json!({ "name": "N", "phone": "98765 43210" })),
            422,
            "invalid_number",
        ),
        case(
            "bad E.164 in path",
            Method::PUT,
            format!("/v1/companies/{a}/numbers/0800-FLOWERS"),
            Body::Json(json!({ "department_id": dept })),
            422,
            "invalid_number",
        ),
        case(
            "bad e-mail",
            Method::POST,
            members.clone(),
            Body::Json(json!({ "name": "N", "email": "not-an-email" })),
            422,
            "invalid_email",
        ),
        case(
            "missing identity",
            Method::POST,
            members.clone(),
            Body::Json(json!({ "name": "Nobody" })),
            422,
            "missing_identity",
        ),
        case(
            "new person without a name",
            Method::POST,
            members.clone(),
            Body::Json(json!({ "email": "new@example.com" })),
            422,
            "missing_name",
        ),
        as_operator(case(
            "bad time zone",
            Method::POST,
            "/v1/companies".to_owned(),
            Body::Json(json!({ "name": "Z", "time_zone": "Mars/Olympus", "account_id": p })),
            422,
            "invalid_time_zone",
        )),
        case(
            "bad time zone in patch",
            Method::PATCH,
            format!("/v1/companies/{a}"),
            Body::Json(json!({ "time_zone": "IST" })),
            422,
            "invalid_time_zone",
        ),
        case(
            "overlapping schedule windows",
            Method::PATCH,
            format!("{members}/{agent}"),
            Body::Json(
                json!({ "schedule": [{ "day": "tue", "start": "09:00", "end": "12:00" }, { "day": "tue", "start": "11:30", "end": "15:00" }] }),
            ),
            422,
            "schedule_overlap",
        ),
        case(
            "window ending before it starts",
            Method::POST,
            members.clone(),
            Body::Json(
                json!({ "name": "N", "email": "n@example.com", "schedule": [{ "day": "fri", "start": "22:00", "end": "02:00" }] }),
            ),
            422,
            "invalid_schedule",
        ),
        case(
            "bad time of day",
            Method::PATCH,
            format!("{members}/{agent}"),
            Body::Json(json!({ "schedule": [{ "day": "mon", "start": "25:00", "end": "26:00" }] })),
            422,
            "invalid_body",
        ),
        case(
            "duplicate extension",
            Method::POST,
            members.clone(),
            Body::Json(json!({ "name": "N", "email": "dup@example.com", "extension": "221" })),
            409,
            "extension_taken",
        ),
        case(
            "bad extension",
            Method::PATCH,
            format!("{members}/{agent}"),
            Body::Json(json!({ "extension": "22a" })),
            422,
            "invalid_extension",
        ),
        case(
            "tier 0",
            Method::PUT,
            format!("/v1/companies/{a}/departments/{dept}/members/{agent}"),
            Body::Json(json!({ "tier": 0 })),
            422,
            "invalid_tier",
        ),
        case(
            "unknown company",
            Method::GET,
            "/v1/companies/999999999".to_owned(),
            Body::None,
            404,
            "not_found",
        ),
        case(
            "unknown member",
            Method::GET,
            format!("{members}/999999999"),
            Body::None,
            404,
            "not_found",
        ),
        case(
            "unknown department in path",
            Method::GET,
            format!("/v1/companies/{a}/departments/999999999"),
            Body::None,
            404,
            "not_found",
        ),
        case(
            "another company's department",
            Method::PUT,
            format!("/v1/companies/{a}/numbers/+918000000009"),
            Body::Json(json!({ "department_id": dept_b })),
            422,
            "unknown_department",
        ),
        case(
            "unknown department in seats",
            Method::PATCH,
            format!("{members}/{agent}"),
            Body::Json(json!({ "departments": { "999999999": { "tier": 1 } } })),
            422,
            "unknown_department",
        ),
        as_operator(case(
            "unknown account",
            Method::POST,
            "/v1/companies".to_owned(),
            Body::Json(json!({ "name": "Z", "time_zone": "UTC", "account_id": 999999999 })),
            404,
            "not_found",
        )),
        case(
            "non-numeric id",
            Method::GET,
            "/v1/companies/abc".to_owned(),
            Body::None,
            400,
            "invalid_path",
        ),
        case(
            "zero limit",
            Method::GET,
            format!("{members}?limit=0"),
            Body::None,
            422,
            "invalid_limit",
        ),
        case(
            "unknown query parameter",
            Method::GET,
            format!("{members}?page=2"),
            Body::None,
            400,
            "invalid_query",
        ),
        case(
            "bad cursor",
            Method::GET,
            format!("{members}?after=xyz"),
            Body::None,
            422,
            "invalid_cursor",
        ),
        case(
            "no such path",
            Method::GET,
            "/v1/nothing-here".to_owned(),
            Body::None,
            404,
            "no_route",
        ),
        case(
            "wrong method",
            Method::PUT,
            "/v1/accounts".to_owned(),
            Body::None,
            405,
            "method_not_allowed",
        ),
        case(
            "bad wrap-up",
            Method::PATCH,
            format!("/v1/companies/{a}"),
            Body::Json(json!({ "wrap_up_secs": 99999 })),
            422,
            "invalid_wrap_up",
        ),
        case(
            "empty name",
            Method::POST,
            format!("/v1/companies/{a}/departments"),
            Body::Json(json!({ "name": "  " })),
            422,
            "invalid_name",
        ),
        as_operator(case(
            "bad telephony number",
            Method::POST,
            "/v1/tokens".to_owned(),
            Body::Json(json!({ "scope": { "kind": "telephony", "numbers": ["12345"] } })),
            422,
            "invalid_number",
        )),
        as_operator(case(
            "unknown token kind",
            Method::POST,
            "/v1/tokens".to_owned(),
            Body::Json(json!({ "scope": { "kind": "root" } })),
            422,
            "invalid_body",
        )),
        Case {
            who: Who::Anonymous,
            ..case(
                "no token",
                Method::GET,
                "/v1/me".to_owned(),
                Body::None,
                401,
                "unauthenticated",
            )
        },
    ];

    let bogus = server.client("sy_not-a-real-token");
    bogus
        .get("/v1/me")
        .await
        .expect_error(401, "unauthenticated");
    for c in cases {
        let client = match c.who {
            Who::Admin => admin.clone(),
            Who::Operator => op.clone(),
            Who::Anonymous => server.anonymous(),
        };
        let resp = match c.body {
            Body::None => client.send(c.method.clone(), &c.path, None).await,
            Body::Json(v) => client.send(c.method.clone(), &c.path, Some(&v)).await,
            Body::Raw(ct, bytes) => client.send_raw(c.method.clone(), &c.path, ct, bytes).await,
        };
        assert_eq!(resp.status, c.status, "{}: {}", c.what, resp.text);
        assert_eq!(resp.body["error"], c.code, "{}: {}", c.what, resp.text);
        assert!(
            resp.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}: no message",
            c.what
        );
        assert!(
            resp.body["hint"].as_str().is_some_and(|h| !h.is_empty()),
            "{}: no hint",
            c.what
        );
    }
    // Nothing of the refused requests was written.
    let listed = admin.get(&members).await.expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert!(server.inconsistencies().is_empty());
}
