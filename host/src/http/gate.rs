//! While this node does not hold its database's node lock (PostgreSQL: the lock's connection
//! dropped and is not yet taken again), every request but `GET /health` answers
//! `503 store_unavailable`, so a node that may have lost the database to a standby never acts on
//! live state it no longer owns.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::app::AppState;

/// The gate, as a middleware.
pub async fn serving_only(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if state.is_serving() || req.uri().path() == "/health" {
        return next.run(req).await;
    }
    ApiError::NotServing.into_response()
}
