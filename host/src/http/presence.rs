//! `/v1/me/presence` and `/v1/me/events`: the agent app logs the agent in or out (globally:
//! one person, one live call across companies) and follows its own offers, only for the
//! companies whose app notifications it has switched on.

use std::convert::Infallible;
use std::time::Duration;
use switchyard_directory::AgentId;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use switchyard_directory::Principal;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::Json;
use crate::app::AppState;
use crate::calls::PresenceView;
use crate::calls::clock::now_ms;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_presence))
        .routes(routes!(my_events))
}

/// Log in to or out of the agent app.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PresenceBody {
    /// `true` to log in (ready for calls in every company where status and Take Calls allow).
    pub logged_in: bool,
}

fn agent_of(p: &Principal) -> Result<AgentId, ApiError> {
    match p {
        Principal::Agent { agent } => Ok(AgentId(*agent)),
        _ => Err(ApiError::Forbidden {
            code: "agents_only",
            message: "only an activated agent's token has a presence".into(),
            hint: "use the agent's own token (activate it with POST /v1/me/activate first)".into(),
        }),
    }
}

/// Log the agent in or out; logging in may serve a waiting call at once.
#[utoipa::path(put, path = "/v1/me/presence", tag = "me", request_body = PresenceBody,
    responses((status = 200, body = PresenceView), (status = "4XX", body = ErrorBody)))]
async fn set_presence(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: axum::http::HeaderMap,
    Json(body): Json<PresenceBody>,
) -> Result<axum::Json<PresenceView>, ApiError> {
    let agent = agent_of(&p)?;
    // On a cluster, logging out while offered another node's call: that node withdraws the
    // offer and moves its call on.
    if !body.logged_in {
        let forward = (reqwest::Method::PUT, "/v1/me/presence", &body);
        if let Some(view) =
            super::forward::to_owner_of_agents_call(&state, &headers, agent, true, forward).await?
        {
            return Ok(axum::Json(view));
        }
    }
    let view = state
        .blocking(move |s| Ok(s.calls().set_presence(agent, body.logged_in, now_ms())?))
        .await?;
    Ok(axum::Json(view))
}

/// The agent's own call events (offers, connections, withdrawals) as server-sent events, for
/// the companies where its app notifications are on.
#[utoipa::path(get, path = "/v1/me/events", tag = "me",
    responses((status = 200, description = "text/event-stream of call updates"), (status = "4XX", body = ErrorBody)))]
async fn my_events(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let agent = agent_of(&p)?;
    let subscription = state.calls().push().subscribe_after(None);
    let directory = std::sync::Arc::clone(state.directory());
    let stream = super::stream::events(subscription, move |e| {
        e.agents.contains(&agent)
            && directory
                .memberships_of(agent.0)
                .ok()
                .and_then(|ms| {
                    ms.into_iter()
                        .find(|m| m.company_id == e.update.company_id.0)
                })
                .is_some_and(|m| m.is_active() && m.notifications)
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
