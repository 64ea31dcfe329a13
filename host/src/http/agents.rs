//! Agents as people: `GET /v1/agents/{agent_id}` (profile), `POST /v1/agents/{agent_id}/token`
//! (rotate), and `POST /v1/accounts/{account_id}/agents/{agent_id}/share` (a manager shares an
//! activated agent with several sub-accounts at once).

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::ShareRequest;
use switchyard_directory::view::IssuedToken;
use switchyard_directory::{Agent, Membership};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_agent))
        .routes(routes!(rotate_token))
        .routes(routes!(share_agent))
}

/// An agent's profile (itself, the operator, supervisors and admins of a company it belongs
/// to). It never lists the agent's other companies.
#[utoipa::path(get, path = "/v1/agents/{agent_id}", tag = "agents",
    params(("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorBody)))]
async fn get_agent(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(agent_id): Path<u64>,
) -> Result<axum::Json<Agent>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.get_agent(&p, agent_id)).await?,
    ))
}

/// Issue a new token for the agent; the old one stops working in every company (the operator,
/// managers and admins of a company it actively belongs to). The secret is shown once.
#[utoipa::path(post, path = "/v1/agents/{agent_id}/token", tag = "agents",
    params(("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 201, body = IssuedToken), (status = "4XX", body = ErrorBody)))]
async fn rotate_token(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(agent_id): Path<u64>,
) -> Result<(StatusCode, axum::Json<IssuedToken>), ApiError> {
    let issued = state
        .run(move |d| d.rotate_agent_token(&p, agent_id))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(issued)))
}

/// Share an activated agent of the account with one or more of its companies in one request
/// (the operator, managers of the account). The agent becomes an active member of each at
/// once, no consent step; all or nothing. Refused: an agent not activated (409
/// `agent_not_activated`), a company outside the account (422 `company_outside_account`).
#[utoipa::path(post, path = "/v1/accounts/{account_id}/agents/{agent_id}/share", tag = "agents", request_body = ShareRequest,
    params(("account_id" = u64, Path, description = "Main account id"), ("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 201, body = Vec<Membership>), (status = "4XX", body = ErrorBody)))]
async fn share_agent(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((account_id, agent_id)): Path<(u64, u64)>,
    Json(body): Json<ShareRequest>,
) -> Result<(StatusCode, axum::Json<Vec<Membership>>), ApiError> {
    let memberships = state
        .run(move |d| d.share_agent(&p, account_id, agent_id, body))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(memberships)))
}
