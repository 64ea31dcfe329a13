//! `/v1/tokens`: issuing tokens (operator: any scope; managers: manager tokens of their
//! account and admin keys of its companies), listing, rebinding telephony tokens to numbers and
//! revoking (operator). Secrets are shown once and stored only as hashes.

use axum::extract::State;
use axum::http::StatusCode;
use switchyard_directory::input::{NewToken, TelephonyNumbers};
use switchyard_directory::view::IssuedToken;
use switchyard_directory::{Page, PageRequest, TokenRecord};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use crate::app::AppState;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(set_numbers))
}

/// Issue a token: `operator`, `manager` (account), `company_admin` (company) or `telephony`
/// (numbers). The secret is shown once.
#[utoipa::path(post, path = "/v1/tokens", tag = "tokens", request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = "4XX", body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    Caller(p): Caller,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, axum::Json<IssuedToken>), ApiError> {
    let issued = state.run(move |d| d.create_token(&p, body)).await?;
    Ok((StatusCode::CREATED, axum::Json(issued)))
}

/// List tokens (operator); never their secrets.
#[utoipa::path(get, path = "/v1/tokens", tag = "tokens", params(PageRequest),
    responses((status = 200, body = Page<TokenRecord>), (status = "4XX", body = ErrorBody)))]
async fn list_tokens(
    State(state): State<AppState>,
    Caller(p): Caller,
    Query(page): Query<PageRequest>,
) -> Result<axum::Json<Page<TokenRecord>>, ApiError> {
    Ok(axum::Json(
        state.run(move |d| d.list_tokens(&p, &page)).await?,
    ))
}

/// Revoke a token (operator); the last operator token cannot be revoked.
#[utoipa::path(delete, path = "/v1/tokens/{token_id}", tag = "tokens",
    params(("token_id" = u64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = "4XX", body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(token_id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    state.run(move |d| d.revoke_token(&p, token_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rebind a telephony token to a new set of numbers (operator).
#[utoipa::path(put, path = "/v1/tokens/{token_id}/numbers", tag = "tokens", request_body = TelephonyNumbers,
    params(("token_id" = u64, Path, description = "Token id")),
    responses((status = 200, body = TokenRecord), (status = "4XX", body = ErrorBody)))]
async fn set_numbers(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(token_id): Path<u64>,
    Json(body): Json<TelephonyNumbers>,
) -> Result<axum::Json<TokenRecord>, ApiError> {
    Ok(axum::Json(
        state
            .run(move |d| d.set_token_numbers(&p, token_id, &body.numbers))
            .await?,
    ))
}
