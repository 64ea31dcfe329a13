//! `POST /v1/companies/{company_id}/agents/{agent_id}/release`: an administrator of the company
//! frees an agent stuck on one of the company's calls (an `ended` that never arrived), offers
//! or wrap-ups; the call is logged as `released` with who did it.

use axum::extract::State;
use switchyard_directory::Principal;
use switchyard_directory::{AgentId, CompanyId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::Path;
use crate::app::AppState;
use crate::calls::Released;
use crate::calls::clock::now_ms;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(release_agent))
}

/// Who an administrator is, for the log.
fn who(p: &Principal) -> String {
    match p {
        Principal::Operator => "operator".to_owned(),
        Principal::Manager { account } => format!("manager of account {account}"),
        Principal::CompanyAdmin { company } => format!("admin key of company {company}"),
        Principal::Agent { agent } => format!("agent {agent}"),
        Principal::InvitedAgent { agent } => format!("invited agent {agent}"),
        Principal::Telephony { token, .. } => format!("telephony token {token}"),
    }
}

/// Release the agent's engagement in this company (administrators): an offer is withdrawn
/// and the call moves on, a connected call is ended (`released`, pushed to the platform as
/// done), a wrap-up ends now. 409 `not_engaged` when the agent has none in this company.
#[utoipa::path(post, path = "/v1/companies/{company_id}/agents/{agent_id}/release", tag = "reports",
    params(("company_id" = u64, Path, description = "Company id"), ("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 200, body = Released), (status = "4XX", body = ErrorBody)))]
async fn release_agent(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: axum::http::HeaderMap,
    Path((company_id, agent_id)): Path<(CompanyId, AgentId)>,
) -> Result<axum::Json<Released>, ApiError> {
    let access = super::reports::access(&state, &p, company_id.0)?;
    if !access.is_admin() {
        return Err(ApiError::Forbidden {
            code: "admin_only",
            message: "only the company's administrators release agents".into(),
            hint: "ask an admin of this company, its manager or the operator".into(),
        });
    }
    // On a cluster, the node holding the agent's call releases it.
    let path = format!("/v1/companies/{company_id}/agents/{agent_id}/release");
    let forward = (reqwest::Method::POST, path.as_str(), &serde_json::json!({}));
    if let Some(released) =
        super::forward::to_owner_of_agents_call(&state, &headers, agent_id, false, forward).await?
    {
        return Ok(axum::Json(released));
    }
    let by = who(&p);
    let released = state
        .blocking(move |s| {
            Ok(s.calls()
                .release_agent(company_id, agent_id, &by, now_ms())?)
        })
        .await?;
    Ok(axum::Json(released))
}
