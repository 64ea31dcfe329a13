//! Operational endpoints outside `/v1`: `GET /health` (the process answers), `GET /ready` (the
//! database reads), and `GET /metrics` (OpenMetrics text, encoded in `metrics`: decisions,
//! policy failures by kind, fallbacks, policy latency, queue lengths, live calls, HTTP requests
//! by route and status).
//! Metrics carry company ids and per-company figures, so they need the operator's token
//! (Prometheus: `authorization: {credentials: <token>}`); `/health` and `/ready` are open.
//! [`count_requests`] is the middleware that feeds the HTTP counters.

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
    let text = super::metrics::render(&state)
        .map_err(|e| ApiError::Internal(format!("encoding the metrics: {e}")))?;
    Ok(([(header::CONTENT_TYPE, super::metrics::CONTENT_TYPE)], text))
}
