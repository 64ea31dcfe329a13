//! Number mapping: `/v1/companies/{company_id}/numbers` (an E.164 number belongs to one
//! company and points at one department) and `GET /v1/numbers/{number}` for the operator and
//! telephony tokens bound to the number.

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::NumberTarget;
use switchyard_directory::{NumberMapping, Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_numbers))
        .routes(routes!(map_number, unmap_number))
        .routes(routes!(resolve_number))
}

/// The company's numbers (supervisors and admins).
#[utoipa::path(get, path = "/v1/companies/{company_id}/numbers", tag = "numbers",
    params(("company_id" = u64, Path, description = "Company id"), PageRequest),
    responses((status = 200, body = Page<NumberMapping>), (status = "4XX", body = ErrorBody)))]
async fn list_numbers(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<NumberMapping>>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.list_numbers(&p, company_id, &page))
            .await?,
    ))
}

/// Map a number to a department of this company, or move it to another department (admins).
/// A number held by another company is refused with 409 `number_taken` naming the holder.
#[utoipa::path(put, path = "/v1/companies/{company_id}/numbers/{number}", tag = "numbers", request_body = NumberTarget,
    params(("company_id" = u64, Path, description = "Company id"), ("number" = String, Path, description = "E.164 number, e.g. +919876543210")),
    responses((status = 201, body = NumberMapping, description = "Mapped"), (status = 200, body = NumberMapping, description = "Moved"), (status = "4XX", body = ErrorBody)))]
async fn map_number(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, number)): Path<(u64, String)>,
    Json(body): Json<NumberTarget>,
) -> Result<(StatusCode, axum::Json<NumberMapping>), ApiError> {
    let (mapping, created) = state
        .run(move |d| d.map_number(&p, company_id, &number, body))
        .await?;
    Ok((
        if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        axum::Json(mapping),
    ))
}

/// Unmap a number of this company (admins).
#[utoipa::path(delete, path = "/v1/companies/{company_id}/numbers/{number}", tag = "numbers",
    params(("company_id" = u64, Path, description = "Company id"), ("number" = String, Path, description = "E.164 number")),
    responses((status = 204, description = "Unmapped"), (status = "4XX", body = ErrorBody)))]
async fn unmap_number(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, number)): Path<(u64, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .run(move |d| d.unmap_number(&p, company_id, &number))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where a number's calls go (the operator, or a telephony token bound to the number).
#[utoipa::path(get, path = "/v1/numbers/{number}", tag = "numbers",
    params(("number" = String, Path, description = "E.164 number")),
    responses((status = 200, body = NumberMapping), (status = "4XX", body = ErrorBody)))]
async fn resolve_number(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(number): Path<String>,
) -> Result<axum::Json<NumberMapping>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.resolve_number(&p, &number)).await?,
    ))
}
