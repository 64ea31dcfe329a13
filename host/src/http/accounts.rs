//! `/v1/accounts`: main accounts (operator creates; managers read and rename their own), their
//! companies and their agent pool.

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::{AccountPatch, NewAccount};
use switchyard_directory::{Account, Agent, Company, Page, PageRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_accounts, create_account))
        .routes(routes!(get_account, update_account))
        .routes(routes!(account_companies))
        .routes(routes!(account_agents))
}

/// Create a main account (operator).
#[utoipa::path(post, path = "/v1/accounts", tag = "accounts", request_body = NewAccount,
    responses((status = 201, body = Account), (status = "4XX", body = ErrorBody)))]
async fn create_account(
    State(state): State<AppState>,
    Caller(p): Caller,
    Json(body): Json<NewAccount>,
) -> Result<(StatusCode, axum::Json<Account>), ApiError> {
    let account = state.run(move |d| d.create_account(&p, body)).await?;
    Ok((StatusCode::CREATED, axum::Json(account)))
}

/// List main accounts (operator).
#[utoipa::path(get, path = "/v1/accounts", tag = "accounts", params(PageRequest),
    responses((status = 200, body = Page<Account>), (status = "4XX", body = ErrorBody)))]
async fn list_accounts(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<Account>>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.list_accounts(&p, &page)).await?,
    ))
}

/// A main account (operator, its managers).
#[utoipa::path(get, path = "/v1/accounts/{account_id}", tag = "accounts",
    params(("account_id" = u64, Path, description = "Main account id")),
    responses((status = 200, body = Account), (status = "4XX", body = ErrorBody)))]
async fn get_account(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(account_id): Path<u64>,
) -> Result<axum::Json<Account>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.get_account(&p, account_id)).await?,
    ))
}

/// Rename a main account (operator, its managers).
#[utoipa::path(patch, path = "/v1/accounts/{account_id}", tag = "accounts", request_body = AccountPatch,
    params(("account_id" = u64, Path, description = "Main account id")),
    responses((status = 200, body = Account), (status = "4XX", body = ErrorBody)))]
async fn update_account(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(account_id): Path<u64>,
    Json(body): Json<AccountPatch>,
) -> Result<axum::Json<Account>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.update_account(&p, account_id, body))
            .await?,
    ))
}

/// The companies (sub-accounts) of a main account (operator, its managers).
#[utoipa::path(get, path = "/v1/accounts/{account_id}/companies", tag = "accounts",
    params(("account_id" = u64, Path, description = "Main account id"), PageRequest),
    responses((status = 200, body = Page<Company>), (status = "4XX", body = ErrorBody)))]
async fn account_companies(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(account_id): Path<u64>,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<Company>>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.account_companies(&p, account_id, &page))
            .await?,
    ))
}

/// The agents working for the account's companies, with their state: the pool a manager
/// shares from (operator, its managers).
#[utoipa::path(get, path = "/v1/accounts/{account_id}/agents", tag = "accounts",
    params(("account_id" = u64, Path, description = "Main account id"), PageRequest),
    responses((status = 200, body = Page<Agent>), (status = "4XX", body = ErrorBody)))]
async fn account_agents(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(account_id): Path<u64>,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<Agent>>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.account_agents(&p, account_id, &page))
            .await?,
    ))
}
