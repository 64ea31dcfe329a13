//! Operational endpoints outside `/v1`: `GET /health` (the process answers), `GET /ready` (the
//! database reads), and `GET /metrics` (Prometheus text: decisions, policy failures by kind,
//! fallbacks, queue lengths, live calls). They carry no tenant data beyond company ids.

use std::fmt::Write;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
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
    let _ = writeln!(out, "# HELP switchyard_live_calls Calls in progress.");
    let _ = writeln!(out, "# TYPE switchyard_live_calls gauge");
    let _ = writeln!(out, "switchyard_live_calls {}", calls.live_count());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}
