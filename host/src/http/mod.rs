//! The HTTP API under `/v1`: one router per resource file, merged here with the OpenAPI
//! document they generate, plus the layers every request goes through (request id, tracing,
//! body limit) and JSON answers for unknown paths and methods.
//!
//! - `error`: [`ApiError`], the one error type; `extract`: `Json`/`Path`/`Query` rejecting
//!   through it; `auth`: the [`Caller`] extractor (bearer token → principal).
//! - `accounts`, `companies`, `members`, `departments`, `numbers`, `agents`, `me`, `tokens`:
//!   the resources; `openapi`: `GET /v1/openapi.json`.
//! - `calls` (telephony events and stream), `kamailio` (the same shaped for a SIP server's
//!   script), `reports` (call logs, traces, diagnose, board),
//!   `presence` (agent log-in and event stream), `release` (an admin frees a stuck agent),
//!   `policies` (upload and activation), `cluster` (the nodes of a cluster); `forward`: an
//!   event or a read about a call another node of a cluster holds, passed on to that node;
//!   `stream`: server-sent events from the push hub; `ops`: `/health`, `/ready`, `/metrics` (encoded
//!   in `metrics`).

mod accounts;
mod agents;
mod auth;
mod calls;
mod cluster;
mod companies;
mod departments;
mod error;
mod extract;
mod forward;
mod gate;
mod kamailio;
mod me;
mod members;
mod metrics;
mod numbers;
mod openapi;
pub mod ops;
mod policies;
mod presence;
mod release;
mod reports;
mod state;
mod stream;
mod tokens;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::{Extension, Router};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

pub use auth::Caller;
pub use error::{ApiError, ErrorBody};
pub use extract::{Json, Path, Query};

use crate::app::AppState;

/// Largest request body accepted, bytes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The API's routes (without state or layers) and the OpenAPI document describing exactly
/// those routes.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(accounts::router())
        .merge(companies::router())
        .merge(members::router())
        .merge(departments::router())
        .merge(numbers::router())
        .merge(agents::router())
        .merge(me::router())
        .merge(tokens::router())
        .merge(calls::router())
        .merge(kamailio::router())
        .merge(reports::router())
        .merge(release::router())
        .merge(cluster::router())
        .merge(presence::router())
        .merge(policies::router())
        .merge(openapi::router())
        .split_for_parts()
}

/// The whole service: routes, OpenAPI document, error fallbacks and layers.
pub fn router(state: AppState) -> Router {
    let (routes, doc) = api();
    routes
        .merge(ops::router())
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            gate::serving_only,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::count_requests,
        ))
        .layer(Extension(Arc::new(doc)))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let request_id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        method = %req.method(),
                        path = %req.uri().path(),
                        request_id = %request_id,
                        principal = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

async fn no_route() -> ApiError {
    ApiError::NoRoute
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
