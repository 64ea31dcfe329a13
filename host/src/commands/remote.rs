//! `switchyard policy upload|activate|rollback|list` against a running server (`policy new`
//! is in [`super::template`]). Answers are printed as JSON; the
//! exit code is 0 on success, 2 when the server refused (4xx), 1 on any other error.

use super::policy::{EXIT_ERROR, EXIT_OK, EXIT_REFUSED, PolicyCommand, Remote};

/// Run a remote or template `policy` subcommand (`check` and `simulate` are local: see
/// [`super::policy`]); returns the exit code.
pub fn run(command: &PolicyCommand) -> u8 {
    let request = match command {
        PolicyCommand::Upload { file, name, remote } => {
            let bytes = match std::fs::read(file) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", file.display());
                    return EXIT_ERROR;
                }
            };
            let name = name
                .clone()
                .or_else(|| {
                    file.file_stem()
                        .and_then(|s| s.to_str())
                        .map(|s| s.replace('_', "-"))
                })
                .unwrap_or_else(|| "policy".to_owned());
            eprintln!(
                "uploading {} ({} bytes) as {name}...",
                file.display(),
                bytes.len()
            );
            let url = format!(
                "{}/v1/companies/{}/policies?name={name}",
                remote.url, remote.company
            );
            (
                remote,
                reqwest::Method::POST,
                url,
                Some(("application/wasm", bytes)),
            )
        }
        PolicyCommand::Activate {
            version,
            config,
            remote,
        } => {
            let config = match config
                .as_deref()
                .map(serde_json::from_str::<serde_json::Value>)
            {
                None => serde_json::Value::Null,
                Some(Ok(c)) => c,
                Some(Err(e)) => {
                    eprintln!("error: --config is not JSON: {e}");
                    return EXIT_REFUSED;
                }
            };
            let body = serde_json::json!({ "version": version, "config": config }).to_string();
            let url = format!("{}/v1/companies/{}/policy", remote.url, remote.company);
            (
                remote,
                reqwest::Method::PUT,
                url,
                Some(("application/json", body.into_bytes())),
            )
        }
        PolicyCommand::Rollback { remote } => {
            let url = format!(
                "{}/v1/companies/{}/policy/rollback",
                remote.url, remote.company
            );
            (remote, reqwest::Method::POST, url, None)
        }
        PolicyCommand::List { remote } => {
            let url = format!("{}/v1/companies/{}/policies", remote.url, remote.company);
            (remote, reqwest::Method::GET, url, None)
        }
        PolicyCommand::New { name, dir, lang } => {
            return super::template::create(name, dir.as_deref(), *lang);
        }
        PolicyCommand::Check { .. } | PolicyCommand::Simulate { .. } => {
            eprintln!("error: `check` and `simulate` run locally");
            return EXIT_ERROR;
        }
    };
    send(request)
}

type Request<'a> = (
    &'a Remote,
    reqwest::Method,
    String,
    Option<(&'static str, Vec<u8>)>,
);

fn send((remote, method, url, body): Request<'_>) -> u8 {
    // An upload waits for the server to compile the component: seconds for a large (Python,
    // JavaScript) one, so say what is happening while it does.
    let progress = body
        .as_ref()
        .is_some_and(|(content_type, _)| *content_type == "application/wasm");
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_ERROR;
        }
    };
    runtime.block_on(async {
        let mut req = reqwest::Client::new()
            .request(method, &url)
            .bearer_auth(&remote.token);
        if let Some((content_type, bytes)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        let resp = match with_progress(req.send(), progress).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot reach {url}: {e}");
                return EXIT_ERROR;
            }
        };
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        println!("{text}");
        if status.is_success() {
            EXIT_OK
        } else if status.is_client_error() {
            EXIT_REFUSED
        } else {
            EXIT_ERROR
        }
    })
}

/// How often [`with_progress`] reports that a request is still under way.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Awaits `request`; when `progress`, prints the time waited so far to stderr every
/// [`PROGRESS_EVERY`] until it answers.
async fn with_progress<T>(request: impl std::future::Future<Output = T>, progress: bool) -> T {
    if !progress {
        return request.await;
    }
    let started = std::time::Instant::now();
    let mut ticks =
        tokio::time::interval_at(tokio::time::Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
    tokio::pin!(request);
    loop {
        tokio::select! {
            answer = &mut request => {
                if started.elapsed() >= PROGRESS_EVERY {
                    eprintln!("answered after {:.1} s", started.elapsed().as_secs_f64());
                }
                return answer;
            }
            _ = ticks.tick() => eprintln!(
                "waiting for the server to check and compile the component... {} s",
                started.elapsed().as_secs()
            ),
        }
    }
}
