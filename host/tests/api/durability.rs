//! Durability: data survives a graceful restart, and every acknowledged write survives a
//! SIGKILL of the real `switchyard` binary right after a burst; records and indexes agree
//! afterwards. Also the operator-token bootstrap on an empty database.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use serde_json::{Value, json};
use switchyard::config::ServeConfig;
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::{OPERATOR, Server, activated_agent};

#[tokio::test]
async fn data_survives_a_restart() {
    let server = Server::start().await;
    let op = server.operator();
    let p = op.account("P").await;
    let a = op.company(Some(p), "A", "shared").await;
    let admin_key = op.admin_key(a).await;
    let admin = server.client(&admin_key);
    let (agent, token) =
        activated_agent(&server, &admin, a, "keep@example.com", "supervisor").await;
    let dept = admin.department(a, "Sales").await;
    admin
        .put(
            &format!("/v1/companies/{a}/departments/{dept}/members/{agent}"),
            json!({ "tier": 2, "skills": ["x"] }),
        )
        .await
        .expect(200);
    admin
        .put(
            &format!("/v1/companies/{a}/numbers/+918000000042"),
            json!({ "department_id": dept }),
        )
        .await
        .expect(201);
    let paths = [
        format!("/v1/accounts/{p}"),
        format!("/v1/companies/{a}"),
        format!("/v1/companies/{a}/members"),
        format!("/v1/companies/{a}/departments/{dept}/members"),
        format!("/v1/companies/{a}/numbers"),
        "/v1/tokens".to_owned(),
    ];
    let mut before = Vec::new();
    for path in &paths {
        before.push(op.get(path).await.expect(200));
    }
    let temp = server.stop().await.unwrap();

    let server = Server::start_in(temp.path()).await;
    let op = server.operator();
    for (path, expected) in paths.iter().zip(&before) {
        assert_eq!(
            &op.get(path).await.expect(200),
            expected,
            "{path} changed across the restart"
        );
    }
    // Tokens still work after the restart.
    server
        .client(&token)
        .get("/v1/me/companies")
        .await
        .expect(200);
    server
        .client(&admin_key)
        .get(&format!("/v1/companies/{a}/members"))
        .await
        .expect(200);
    assert!(server.inconsistencies().is_empty());
    server.stop().await;
}

/// Starts the real binary on port 0 and returns it with its base URL (read from its log).
pub(crate) async fn spawn_binary(data: &std::path::Path) -> (tokio::process::Child, String) {
    spawn_binary_with(data, &[]).await
}

/// [`spawn_binary`] with extra `serve` flags.
pub(crate) async fn spawn_binary_with(
    data: &std::path::Path,
    flags: &[&str],
) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "json",
            "--data",
        ])
        .arg(data)
        .args(if flags.contains(&"--store") {
            Vec::new()
        } else {
            crate::pg_cluster::serve_args(data)
        })
        .args(flags)
        .env("SWITCHYARD_OPERATOR_TOKEN", OPERATOR)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("the server exited before listening");
        let Ok(event) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if event["message"] == "listening" {
            break event["addr"].as_str().unwrap().to_owned();
        }
    };
    // Keep draining the log so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, format!("http://{addr}"))
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let temp = tempfile::tempdir().unwrap();
    let (mut child, base) = spawn_binary(temp.path()).await;
    let http = reqwest::Client::new();
    let post = |path: String, body: Value, token: String| {
        let http = http.clone();
        let url = format!("{base}{path}");
        async move {
            let resp = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), 201);
            resp.json::<Value>().await.unwrap()
        }
    };
    let account = post(
        "/v1/accounts".into(),
        json!({ "name": "Burst" }),
        OPERATOR.into(),
    )
    .await["id"]
        .as_u64()
        .unwrap();
    let company = post(
        "/v1/companies".into(),
        json!({ "name": "Burst Co", "time_zone": "UTC", "account_id": account }),
        OPERATOR.into(),
    )
    .await;
    let company = company["id"].as_u64().unwrap();

    // A burst of concurrent writes; remember what was acknowledged.
    let mut tasks = Vec::new();
    for i in 0..48 {
        let fut = if i % 2 == 0 {
            post(
                format!("/v1/companies/{company}/departments"),
                json!({ "name": format!("dept-{i}") }),
                OPERATOR.into(),
            )
        } else {
            post(
                format!("/v1/companies/{company}/members"),
                json!({ "name": format!("agent {i}"), "email": format!("a{i}@burst.test") }),
                OPERATOR.into(),
            )
        };
        tasks.push(tokio::spawn(fut));
    }
    let mut acknowledged = Vec::new();
    for task in tasks {
        acknowledged.push(task.await.unwrap());
    }
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();

    // Records and indexes agree, straight from the files.
    let data = temp.path().to_owned();
    let problems =
        tokio::task::spawn_blocking(move || crate::pg_cluster::stored_inconsistencies(&data))
            .await
            .unwrap();
    assert!(problems.is_empty(), "{problems:#?}");

    // Every acknowledged write is there.
    let server = Server::start_in(temp.path()).await;
    let op = server.operator();
    let departments = op
        .get(&format!("/v1/companies/{company}/departments?limit=200"))
        .await
        .expect(200);
    let members = op
        .get(&format!("/v1/companies/{company}/members?limit=200"))
        .await
        .expect(200);
    for ack in &acknowledged {
        if let Some(agent) = ack.get("agent") {
            let found = members["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["agent"] == *agent);
            assert!(found, "acknowledged member {agent} lost");
            // Its token works: the agent → token index survived too.
            server
                .client(ack["agent_token"].as_str().unwrap())
                .get("/v1/me")
                .await
                .expect(200);
        } else {
            assert!(
                departments["items"].as_array().unwrap().contains(ack),
                "acknowledged department {ack} lost"
            );
        }
    }
    assert!(server.inconsistencies().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn first_start_writes_an_operator_token_file() {
    let temp = tempfile::tempdir().unwrap();
    let config = ServeConfig::new(temp.path(), "127.0.0.1:0".parse().unwrap());
    let running = switchyard::server::start(&config).await.unwrap();
    let file = temp.path().join(switchyard::server::OPERATOR_TOKEN_FILE);
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let token = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    let client = reqwest::Client::new();
    let base = format!("http://{}", running.addr());
    let me: Value = client
        .get(format!("{base}/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["kind"], "operator");
    running.stop().await.unwrap();

    // A second start on the same database keeps the token and writes no new one.
    std::fs::remove_file(&file).unwrap();
    let running = switchyard::server::start(&config).await.unwrap();
    assert!(!file.exists());
    let base = format!("http://{}", running.addr());
    let status = client
        .get(format!("{base}/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 200);
    running.stop().await.unwrap();
}
