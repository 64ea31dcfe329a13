//! The [`Caller`] extractor: `Authorization: Bearer <token>` → the [`Principal`] the token
//! stands for. Missing or unknown tokens get a 401; what the principal may do is decided by
//! the directory's operations.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use switchyard_directory::Principal;

use super::error::ApiError;
use crate::app::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthenticated {
                message: "missing Authorization header",
            })?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .ok_or(ApiError::Unauthenticated {
                message: "the Authorization header is not `Bearer <token>`",
            })?;
        let principal = state
            .read_now(|directory| directory.authenticate(secret))?
            .ok_or(ApiError::Unauthenticated {
                message: "unknown or revoked token",
            })?;
        tracing::Span::current().record("principal", principal.kind());
        Ok(Self(principal))
    }
}
