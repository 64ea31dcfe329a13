//! `/v1/companies/{company_id}/members`: adding a person to a company (new agent, existing
//! agent, or invitation across main accounts), listing, reading, changing and removing
//! members. Each membership is independent of the agent's other companies.

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::{MemberPatch, NewMember};
use switchyard_directory::view::{AddedMember, Member};
use switchyard_directory::{Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, add_member))
        .routes(routes!(get_member, update_member, remove_member))
}

/// Add a person (admins). A new e-mail/phone creates an agent in state `invited` and returns
/// its token once (`agent_token`); a known one adds that agent: at once if it works for a
/// company of the same main account (`added`), as a `pending` invitation it must accept
/// otherwise (`invited`). With `identity_policy: exclusive`, a person who works elsewhere is
/// refused with 409 `already_in_use`.
#[utoipa::path(post, path = "/v1/companies/{company_id}/members", tag = "members", request_body = NewMember,
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 201, body = AddedMember), (status = "4XX", body = ErrorBody)))]
async fn add_member(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Json(body): Json<NewMember>,
) -> Result<(StatusCode, axum::Json<AddedMember>), ApiError> {
    let added = state
        .run(move |d| d.add_member(&p, company_id, body))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(added)))
}

/// Members with their memberships here (supervisors and admins).
#[utoipa::path(get, path = "/v1/companies/{company_id}/members", tag = "members",
    params(("company_id" = u64, Path, description = "Company id"), PageRequest),
    responses((status = 200, body = Page<Member>), (status = "4XX", body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<Member>>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.list_members(&p, company_id, &page))
            .await?,
    ))
}

/// One member: departments, status, Take Calls, Panel Access... (supervisors and admins; an
/// agent-role member only itself).
#[utoipa::path(get, path = "/v1/companies/{company_id}/members/{agent_id}", tag = "members",
    params(("company_id" = u64, Path, description = "Company id"), ("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 200, body = Member), (status = "4XX", body = ErrorBody)))]
async fn get_member(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, agent_id)): Path<(u64, u64)>,
) -> Result<axum::Json<Member>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.get_member(&p, company_id, agent_id))
            .await?,
    ))
}

/// Change a membership: role, extension, departments, schedule, Take Calls, Panel Access,
/// notifications, status (admins).
#[utoipa::path(patch, path = "/v1/companies/{company_id}/members/{agent_id}", tag = "members", request_body = MemberPatch,
    params(("company_id" = u64, Path, description = "Company id"), ("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 200, body = Member), (status = "4XX", body = ErrorBody)))]
async fn update_member(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, agent_id)): Path<(u64, u64)>,
    Json(body): Json<MemberPatch>,
) -> Result<axum::Json<Member>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.update_member(&p, company_id, agent_id, body))
            .await?,
    ))
}

/// Remove an agent from this company only (admins); its other memberships and its login stay.
#[utoipa::path(delete, path = "/v1/companies/{company_id}/members/{agent_id}", tag = "members",
    params(("company_id" = u64, Path, description = "Company id"), ("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 204, description = "Removed"), (status = "4XX", body = ErrorBody)))]
async fn remove_member(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, agent_id)): Path<(u64, u64)>,
) -> Result<StatusCode, ApiError> {
    state
        .run(move |d| d.remove_member(&p, company_id, agent_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
