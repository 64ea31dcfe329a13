//! Operational endpoints outside `/v1`: `GET /health` (the process answers), `GET /ready` (the
//! database reads), and `GET /metrics` (Prometheus text: decisions, policy failures by kind,
//! fallbacks, policy latency, queue lengths, live calls, HTTP requests by route and status).
//! They carry no tenant data beyond company ids. [`count_requests`] is the middleware that
//! feeds the HTTP counters.

use std::fmt::Write;

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;

use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// HTTP requests by (method, route template, status).
#[derive(Debug, Default)]
pub struct HttpMetrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
}

/// Middleware: count every request by method, matched route (the template, never the ids) and
/// status.
pub async fn count_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.run(req).await;
    let key = (method, route, response.status().as_u16());
    *state
        .http_metrics()
        .requests
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_insert(0) += 1;
    response
}

async fn health() -> impl IntoResponse {
    axum::Json(serde_json::json!({"status": "ok"}))
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    match state.run(|d| d.company(0)).await {
        Ok(_) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ready"})),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "database unavailable"})),
        ),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let calls = state.calls();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP switchyard_decisions_total Routing decisions by company and outcome."
    );
    let _ = writeln!(out, "# TYPE switchyard_decisions_total counter");
    for ((company, outcome), n) in calls.metrics().decisions() {
        let _ = writeln!(
            out,
            "switchyard_decisions_total{{company=\"{company}\",outcome=\"{outcome}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP switchyard_policy_fallbacks_total Decisions that used the built-in fallback because the policy failed."
    );
    let _ = writeln!(out, "# TYPE switchyard_policy_fallbacks_total counter");
    for (company, n) in calls.metrics().fallbacks() {
        let _ = writeln!(
            out,
            "switchyard_policy_fallbacks_total{{company=\"{company}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP switchyard_policy_failures_total Policy failures by kind."
    );
    let _ = writeln!(out, "# TYPE switchyard_policy_failures_total counter");
    for (kind, n) in calls.policies().engine().failure_counters().snapshot() {
        let _ = writeln!(
            out,
            "switchyard_policy_failures_total{{kind=\"{}\"}} {n}",
            kind.as_str()
        );
    }
    let _ = writeln!(
        out,
        "# HELP switchyard_queue_length Calls waiting per company and department."
    );
    let _ = writeln!(out, "# TYPE switchyard_queue_length gauge");
    for ((company, department), n) in calls.queues().lengths() {
        let _ = writeln!(
            out,
            "switchyard_queue_length{{company=\"{company}\",department=\"{department}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP switchyard_policy_latency_us Policy invocation time by company and policy version, microseconds."
    );
    let _ = writeln!(out, "# TYPE switchyard_policy_latency_us histogram");
    for ((company, policy), h) in calls.metrics().latencies() {
        let labels = format!("company=\"{company}\",policy=\"{policy}\"");
        let mut cumulative = 0;
        for (bound, n) in crate::calls::LATENCY_BUCKETS_US.iter().zip(h.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "switchyard_policy_latency_us_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "switchyard_policy_latency_us_bucket{{{labels},le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "switchyard_policy_latency_us_sum{{{labels}}} {}",
            h.sum_us
        );
        let _ = writeln!(
            out,
            "switchyard_policy_latency_us_count{{{labels}}} {}",
            h.count
        );
    }
    let _ = writeln!(
        out,
        "# HELP switchyard_http_requests_total HTTP requests by method, route and status."
    );
    let _ = writeln!(out, "# TYPE switchyard_http_requests_total counter");
    let requests: Vec<_> = {
        let map = state
            .http_metrics()
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (k.clone(), *v)).collect()
    };
    for ((method, route, status), n) in requests {
        let _ = writeln!(
            out,
            "switchyard_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP switchyard_queue_wait_ms Time queued calls waited until offered or timed out, milliseconds."
    );
    let _ = writeln!(out, "# TYPE switchyard_queue_wait_ms histogram");
    for (company, h) in calls.metrics().queue_waits() {
        let labels = format!("company=\"{company}\"");
        let mut cumulative = 0;
        for (bound, n) in crate::calls::QUEUE_BUCKETS_MS.iter().zip(h.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "switchyard_queue_wait_ms_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "switchyard_queue_wait_ms_bucket{{{labels},le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(out, "switchyard_queue_wait_ms_sum{{{labels}}} {}", h.sum_us);
        let _ = writeln!(
            out,
            "switchyard_queue_wait_ms_count{{{labels}}} {}",
            h.count
        );
    }
    let _ = writeln!(out, "# HELP switchyard_live_calls Calls in progress.");
    let _ = writeln!(out, "# TYPE switchyard_live_calls gauge");
    let _ = writeln!(out, "switchyard_live_calls {}", calls.live_count());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
