//! `/v1/companies`: creating companies (operator, managers), listing the ones the caller may
//! see, reading and changing a company's settings (name, time zone, wrap-up, identity policy).

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::{CompanyPatch, NewCompany};
use switchyard_directory::{Company, Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_companies, create_company))
        .routes(routes!(get_company, update_company))
}

/// Create a company: the operator (standalone or under any account), a manager (under its
/// account).
#[utoipa::path(post, path = "/v1/companies", tag = "companies", request_body = NewCompany,
    responses((status = 201, body = Company), (status = "4XX", body = ErrorBody)))]
async fn create_company(
    State(state): State<AppState>,
    Caller(p): Caller,
    Json(body): Json<NewCompany>,
) -> Result<(StatusCode, axum::Json<Company>), ApiError> {
    let company = state.run(move |d| d.create_company(&p, body)).await?;
    Ok((StatusCode::CREATED, axum::Json(company)))
}

/// The companies the caller may see: all (operator), its account's (manager), its own (company
/// admin key), those it is an active member of (agent).
#[utoipa::path(get, path = "/v1/companies", tag = "companies", params(PageRequest),
    responses((status = 200, body = Page<Company>), (status = "4XX", body = ErrorBody)))]
async fn list_companies(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<Company>>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.list_companies(&p, &page)).await?,
    ))
}

/// A company (anyone working there or administering it).
#[utoipa::path(get, path = "/v1/companies/{company_id}", tag = "companies",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Company), (status = "4XX", body = ErrorBody)))]
async fn get_company(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<axum::Json<Company>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.get_company(&p, company_id)).await?,
    ))
}

/// Change a company's settings (its admins).
#[utoipa::path(patch, path = "/v1/companies/{company_id}", tag = "companies", request_body = CompanyPatch,
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Company), (status = "4XX", body = ErrorBody)))]
async fn update_company(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Json(body): Json<CompanyPatch>,
) -> Result<axum::Json<Company>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.update_company(&p, company_id, body))
            .await?,
    ))
}
