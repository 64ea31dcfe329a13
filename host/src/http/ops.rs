//! Operational endpoints outside `/v1`: `GET /health` (the process answers), `GET /ready` (the
//! database reads), and `GET /metrics` (Prometheus text: decisions, policy failures by kind,
//! fallbacks, policy latency, queue lengths, live calls, HTTP requests by route and status).
//! Metrics carry company ids and per-company figures, so they need the operator's token
//! (Prometheus: `authorization: {credentials: <token>}`); `/health` and `/ready` are open.
//! [`count_requests`] is the middleware that feeds the HTTP counters.

use std::fmt::Write;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;

use super::auth::Caller;
use super::error::ApiError;
use crate::app::AppState;
use crate::calls::{Histogram, LATENCY_BUCKETS_US, QUEUE_BUCKETS_MS};

/// Routes of this file.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
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
    state
        .http_metrics()
        .count(method, route, response.status().as_u16());
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

async fn metrics(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<impl IntoResponse, ApiError> {
    if !matches!(p, switchyard_directory::Principal::Operator) {
        return Err(ApiError::Forbidden {
            code: "operator_only",
            message: "metrics show every company's figures; only the operator reads them".into(),
            hint: "scrape /metrics with the operator token as a bearer token".into(),
        });
    }
    let calls = state.calls();
    let m = calls.metrics();
    let mut out = String::new();
    header(
        &mut out,
        "switchyard_decisions_total",
        "counter",
        "Routing decisions by company and outcome.",
    );
    for ((company, outcome), n) in m.decisions() {
        line(
            &mut out,
            "switchyard_decisions_total",
            &format!("company=\"{company}\",outcome=\"{outcome}\""),
            n,
        );
    }
    header(
        &mut out,
        "switchyard_policy_fallbacks_total",
        "counter",
        "Decisions that used the built-in fallback because the policy failed.",
    );
    for (company, n) in m.fallbacks() {
        line(
            &mut out,
            "switchyard_policy_fallbacks_total",
            &format!("company=\"{company}\""),
            n,
        );
    }
    header(
        &mut out,
        "switchyard_policy_failures_total",
        "counter",
        "Policy failures by kind.",
    );
    for (kind, n) in calls.policies().engine().failure_counters().snapshot() {
        line(
            &mut out,
            "switchyard_policy_failures_total",
            &format!("kind=\"{}\"", kind.as_str()),
            n,
        );
    }
    let cache = calls.policies().cache_stats();
    for (name, kind, help, value) in [
        (
            "switchyard_policy_cache_hits_total",
            "counter",
            "Decisions whose policy was in memory.",
            cache.hits,
        ),
        (
            "switchyard_policy_cache_misses_total",
            "counter",
            "Decisions that loaded their policy (first use, or evicted before).",
            cache.misses,
        ),
        (
            "switchyard_policy_cache_evictions_total",
            "counter",
            "Policies dropped from memory to stay within --policy-cache.",
            cache.evictions,
        ),
        (
            "switchyard_policy_load_failures_total",
            "counter",
            "Policy loads that failed (those decisions got the built-in fallback).",
            cache.load_failures,
        ),
        (
            "switchyard_policy_cache_entries",
            "gauge",
            "Company policy versions in memory.",
            cache.entries,
        ),
        (
            "switchyard_policy_cache_capacity",
            "gauge",
            "The bound on company policy versions in memory (--policy-cache).",
            cache.capacity,
        ),
        (
            "switchyard_policy_cache_bytes",
            "gauge",
            "Bytes of the compiled policy images in memory.",
            cache.bytes,
        ),
        (
            "switchyard_policy_cache_budget_bytes",
            "gauge",
            "The bound on those bytes (--policy-cache-mib).",
            cache.budget,
        ),
    ] {
        header(&mut out, name, kind, help);
        let _ = writeln!(out, "{name} {value}");
    }
    header(
        &mut out,
        "switchyard_queue_length",
        "gauge",
        "Calls waiting per company and department.",
    );
    for ((company, department), n) in calls.queues().lengths() {
        let labels = format!("company=\"{company}\",department=\"{department}\"");
        line(&mut out, "switchyard_queue_length", &labels, n as u64);
    }
    header(
        &mut out,
        "switchyard_policy_latency_us",
        "histogram",
        "Policy invocation time by company and policy version, microseconds.",
    );
    for ((company, policy), h) in m.latencies() {
        let labels = format!("company=\"{company}\",policy=\"{policy}\"");
        histogram(
            &mut out,
            "switchyard_policy_latency_us",
            &labels,
            &LATENCY_BUCKETS_US,
            &h,
        );
    }
    header(
        &mut out,
        "switchyard_queue_wait_ms",
        "histogram",
        "Time queued calls waited until offered or timed out, milliseconds.",
    );
    for (company, h) in m.queue_waits() {
        histogram(
            &mut out,
            "switchyard_queue_wait_ms",
            &format!("company=\"{company}\""),
            &QUEUE_BUCKETS_MS,
            &h,
        );
    }
    header(
        &mut out,
        "switchyard_http_requests_total",
        "counter",
        "HTTP requests by method, route and status.",
    );
    for ((method, route, status), n) in state.http_metrics().snapshot() {
        let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
        line(&mut out, "switchyard_http_requests_total", &labels, n);
    }
    header(
        &mut out,
        "switchyard_live_calls",
        "gauge",
        "Calls in progress.",
    );
    let _ = writeln!(out, "switchyard_live_calls {}", calls.live_count());
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn line(out: &mut String, name: &str, labels: &str, value: u64) {
    let _ = writeln!(out, "{name}{{{labels}}} {value}");
}

fn histogram(out: &mut String, name: &str, labels: &str, bounds: &[u64], h: &Histogram) {
    let mut cumulative = 0;
    for (bound, n) in bounds.iter().zip(h.buckets) {
        cumulative += n;
        line(
            out,
            &format!("{name}_bucket"),
            &format!("{labels},le=\"{bound}\""),
            cumulative,
        );
    }
    line(
        out,
        &format!("{name}_bucket"),
        &format!("{labels},le=\"+Inf\""),
        h.count,
    );
    line(out, &format!("{name}_sum"), labels, h.sum_us);
    line(out, &format!("{name}_count"), labels, h.count);
}
