//! `/v1/companies/{company_id}/departments`: departments of a company and their members, with
//! a tier and skills per department.

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::{DepartmentPatch, NewDepartment};
use switchyard_directory::view::Member;
use switchyard_directory::{Department, Membership, Page, PageRequest, Seat};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(
            get_department,
            update_department,
            delete_department
        ))
        .routes(routes!(department_members))
        .routes(routes!(set_seat, remove_seat))
}

/// Create a department (admins).
#[utoipa::path(post, path = "/v1/companies/{company_id}/departments", tag = "departments", request_body = NewDepartment,
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 201, body = Department), (status = "4XX", body = ErrorBody)))]
async fn create_department(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Json(body): Json<NewDepartment>,
) -> Result<(StatusCode, axum::Json<Department>), ApiError> {
    let department = state
        .run(move |d| d.create_department(&p, company_id, body))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(department)))
}

/// Departments of a company (supervisors and admins).
#[utoipa::path(get, path = "/v1/companies/{company_id}/departments", tag = "departments",
    params(("company_id" = u64, Path, description = "Company id"), PageRequest),
    responses((status = 200, body = Page<Department>), (status = "4XX", body = ErrorBody)))]
async fn list_departments(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<Department>>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.list_departments(&p, company_id, &page))
            .await?,
    ))
}

/// One department (supervisors and admins).
#[utoipa::path(get, path = "/v1/companies/{company_id}/departments/{department_id}", tag = "departments",
    params(("company_id" = u64, Path, description = "Company id"), ("department_id" = u64, Path, description = "Department id")),
    responses((status = 200, body = Department), (status = "4XX", body = ErrorBody)))]
async fn get_department(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, department_id)): Path<(u64, u64)>,
) -> Result<axum::Json<Department>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.get_department(&p, company_id, department_id))
            .await?,
    ))
}

/// Rename a department (admins).
#[utoipa::path(patch, path = "/v1/companies/{company_id}/departments/{department_id}", tag = "departments", request_body = DepartmentPatch,
    params(("company_id" = u64, Path, description = "Company id"), ("department_id" = u64, Path, description = "Department id")),
    responses((status = 200, body = Department), (status = "4XX", body = ErrorBody)))]
async fn update_department(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, department_id)): Path<(u64, u64)>,
    Json(body): Json<DepartmentPatch>,
) -> Result<axum::Json<Department>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.update_department(&p, company_id, department_id, body))
            .await?,
    ))
}

/// Delete a department and its seats (admins); refused (409 `department_in_use`) while a
/// number points at it.
#[utoipa::path(delete, path = "/v1/companies/{company_id}/departments/{department_id}", tag = "departments",
    params(("company_id" = u64, Path, description = "Company id"), ("department_id" = u64, Path, description = "Department id")),
    responses((status = 204, description = "Deleted"), (status = "4XX", body = ErrorBody)))]
async fn delete_department(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, department_id)): Path<(u64, u64)>,
) -> Result<StatusCode, ApiError> {
    state
        .run(move |d| d.delete_department(&p, company_id, department_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Members of a department with their memberships (supervisors and admins); the seat is
/// `membership.departments[department_id]`.
#[utoipa::path(get, path = "/v1/companies/{company_id}/departments/{department_id}/members", tag = "departments",
    params(("company_id" = u64, Path, description = "Company id"), ("department_id" = u64, Path, description = "Department id"), PageRequest),
    responses((status = 200, body = Page<Member>), (status = "4XX", body = ErrorBody)))]
async fn department_members(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, department_id)): Path<(u64, u64)>,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<Member>>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.department_members(&p, company_id, department_id, &page))
            .await?,
    ))
}

/// Put a member in the department, or change its tier and skills there (admins).
#[utoipa::path(put, path = "/v1/companies/{company_id}/departments/{department_id}/members/{agent_id}", tag = "departments", request_body = Seat,
    params(("company_id" = u64, Path, description = "Company id"), ("department_id" = u64, Path, description = "Department id"), ("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 200, body = Membership), (status = "4XX", body = ErrorBody)))]
async fn set_seat(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, department_id, agent_id)): Path<(u64, u64, u64)>,
    Json(seat): Json<Seat>,
) -> Result<axum::Json<Membership>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.set_department_seat(&p, company_id, department_id, agent_id, seat))
            .await?,
    ))
}

/// Take a member out of the department (admins); its membership in the company stays.
#[utoipa::path(delete, path = "/v1/companies/{company_id}/departments/{department_id}/members/{agent_id}", tag = "departments",
    params(("company_id" = u64, Path, description = "Company id"), ("department_id" = u64, Path, description = "Department id"), ("agent_id" = u64, Path, description = "Agent id")),
    responses((status = 200, body = Membership), (status = "4XX", body = ErrorBody)))]
async fn remove_seat(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, department_id, agent_id)): Path<(u64, u64, u64)>,
) -> Result<axum::Json<Membership>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.remove_department_seat(&p, company_id, department_id, agent_id))
            .await?,
    ))
}
