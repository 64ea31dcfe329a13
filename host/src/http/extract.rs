//! `Json`, `Path` and `Query` extractors that reject through [`ApiError`], so a malformed
//! request gets our JSON error body instead of axum's plain-text default. Integer path
//! parameters (ids, versions) must be canonical decimals: digits only, no sign, no leading
//! zero (`0` itself is canonical), so `/v1/companies/+3` and `/v1/companies/03` are a 400
//! `invalid_path`, not company 3. Text parameters (E.164 numbers, call ids) keep their `+`.

use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::{ApiError, PATH_HINT};

mod canonical;

/// A JSON request body (`Content-Type: application/json`, unknown fields refused by the
/// target type, size bounded by the router's body limit).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// A JSON request body whatever its `Content-Type` (none included), for SIP servers whose HTTP
/// client sends a single custom header line, which the bearer token takes. Otherwise as
/// [`Json`].
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AnyJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state).await?;
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(Self(value))
    }
}

/// Path parameters; integers among them must be canonical decimals (see the module doc).
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        // Parsed: the raw parameters are there. `T` says which of them are integers.
        if let Ok(raw) = RawPathParams::from_request_parts(parts, state).await {
            let params: Vec<(&str, &str)> = raw.iter().collect();
            canonical::check::<T>(&params).map_err(|e| ApiError::BadRequest {
                status: StatusCode::BAD_REQUEST,
                code: "invalid_path",
                message: e.to_string(),
                hint: PATH_HINT,
            })?;
        }
        Ok(Self(value))
    }
}

/// Query parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}
