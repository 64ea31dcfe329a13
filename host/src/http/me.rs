//! `/v1/me`: the caller's own view. For an agent: its profile, activation, its token, every
//! company it belongs to (the organisation switcher), its status per company, and accepting or
//! declining invitations from other main accounts.

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::{ProfilePatch, SelfPatch};
use switchyard_directory::view::{IssuedToken, MyCompany, Whoami};
use switchyard_directory::{Agent, Membership, Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(whoami, update_profile))
        .routes(routes!(activate))
        .routes(routes!(rotate_own_token))
        .routes(routes!(my_companies))
        .routes(routes!(my_company, update_my_company))
        .routes(routes!(accept_invitation))
        .routes(routes!(decline_invitation))
}

/// Who the caller is (every token, including a not yet activated agent's).
#[utoipa::path(get, path = "/v1/me", tag = "me",
    responses((status = 200, body = Whoami), (status = "4XX", body = ErrorBody)))]
async fn whoami(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<axum::Json<Whoami>, ApiError> {
    Ok(axum::Json(state.run(move |d| d.whoami(&p)).await?))
}

/// Change the agent's own name, e-mail or phone.
#[utoipa::path(patch, path = "/v1/me", tag = "me", request_body = ProfilePatch,
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorBody)))]
async fn update_profile(
    State(state): State<AppState>,
    Caller(p): Caller,
    Json(body): Json<ProfilePatch>,
) -> Result<axum::Json<Agent>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.update_profile(&p, body)).await?,
    ))
}

/// Activate the agent's login with the token it got when it was added (idempotent).
#[utoipa::path(post, path = "/v1/me/activate", tag = "me",
    responses((status = 200, body = Agent), (status = "4XX", body = ErrorBody)))]
async fn activate(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<axum::Json<Agent>, ApiError> {
    Ok(axum::Json(state.run(move |d| d.activate(&p)).await?))
}

/// Replace the agent's own token; the old one stops working. The secret is shown once.
#[utoipa::path(post, path = "/v1/me/token", tag = "me",
    responses((status = 201, body = IssuedToken), (status = "4XX", body = ErrorBody)))]
async fn rotate_own_token(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<(StatusCode, axum::Json<IssuedToken>), ApiError> {
    let issued = state.run(move |d| d.rotate_own_token(&p)).await?;
    Ok((StatusCode::CREATED, axum::Json(issued)))
}

/// Every company the agent belongs to, with its membership there (the organisation switcher);
/// `pending` memberships are invitations to accept.
#[utoipa::path(get, path = "/v1/me/companies", tag = "me", params(PageRequest),
    responses((status = 200, body = Page<MyCompany>), (status = "4XX", body = ErrorBody)))]
async fn my_companies(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<MyCompany>>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.my_companies(&p, &page)).await?,
    ))
}

/// The agent's membership in one company.
#[utoipa::path(get, path = "/v1/me/companies/{company_id}", tag = "me",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = MyCompany), (status = "4XX", body = ErrorBody)))]
async fn my_company(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<axum::Json<MyCompany>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.my_company(&p, company_id)).await?,
    ))
}

/// Set the agent's own status, Take Calls or notifications in one company.
#[utoipa::path(patch, path = "/v1/me/companies/{company_id}", tag = "me", request_body = SelfPatch,
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Membership), (status = "4XX", body = ErrorBody)))]
async fn update_my_company(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Json(body): Json<SelfPatch>,
) -> Result<axum::Json<Membership>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.update_my_company(&p, company_id, body))
            .await?,
    ))
}

/// Accept an invitation from a company of another main account (data-sharing consent).
#[utoipa::path(post, path = "/v1/me/companies/{company_id}/accept", tag = "me",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Membership), (status = "4XX", body = ErrorBody)))]
async fn accept_invitation(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<axum::Json<Membership>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.accept_invitation(&p, company_id))
            .await?,
    ))
}

/// Decline an invitation; the pending membership is removed.
#[utoipa::path(post, path = "/v1/me/companies/{company_id}/decline", tag = "me",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 204, description = "Declined"), (status = "4XX", body = ErrorBody)))]
async fn decline_invitation(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    state
        .run(move |d| d.decline_invitation(&p, company_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
