//! [`ApiError`]: the one error type of the HTTP API. Every 4xx answers
//! `{"error": code, "message": ..., "hint": ...}`; a 5xx logs the detail (with the request id
//! of the current span) and tells the client little. Extractor rejections (bad JSON, unknown
//! field, wrong content type, body too large, bad path or query) arrive here too.

use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use switchyard_directory::DirectoryError;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `already_in_use`.
    pub error: String,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// An error answered by the API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A directory operation failed.
    #[error(transparent)]
    Directory(#[from] DirectoryError),
    /// No or an unknown bearer token.
    #[error("{message}")]
    Unauthenticated {
        /// What was wrong with the credentials.
        message: &'static str,
    },
    /// The request itself is malformed (body, path or query).
    #[error("{message}")]
    BadRequest {
        /// Status to answer (400, 413, 415 or 422).
        status: StatusCode,
        /// Stable code.
        code: &'static str,
        /// What was wrong.
        message: String,
        /// How to fix it.
        hint: &'static str,
    },
    /// The call flow refused an event.
    #[error(transparent)]
    Call(#[from] crate::calls::CallError),
    /// A policy upload or activation was refused.
    #[error(transparent)]
    Policy(#[from] crate::policy::PolicyError),
    /// The presence board cannot be shown.
    #[error(transparent)]
    Board(#[from] crate::calls::BoardError),
    /// The caller may not do this (with a code and a hint).
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// What is refused.
        message: String,
        /// How to get access.
        hint: String,
    },
    /// No route matches the path.
    #[error("no route for this path")]
    NoRoute,
    /// The path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// This node does not serve at the moment: it does not hold its database's node lock
    /// (PostgreSQL), or it is restoring its live state from the database after a failed write.
    #[error("this node is not serving at the moment")]
    NotServing,
    /// A failure of ours; the detail is logged, not answered.
    #[error("internal error: {0}")]
    Internal(String),
    /// The node holding the call answered this error to the forwarded request (cluster).
    #[error("{message}")]
    Relayed {
        /// Its status.
        status: StatusCode,
        /// Its code.
        code: String,
        /// Its message.
        message: String,
        /// Its hint.
        hint: String,
    },
    /// The node holding the call (cluster) did not answer the forwarded request.
    #[error("the node holding this call did not answer: {0}")]
    OwnerUnavailable(String),
}

impl From<crate::cluster::ClusterError> for ApiError {
    fn from(e: crate::cluster::ClusterError) -> Self {
        use crate::cluster::ClusterError as C;
        match e {
            C::Store(e) => Self::Directory(DirectoryError::Storage(e)),
            C::Policies(e) => Self::Policy(e),
            C::Adopt(e) => Self::Call(e),
            C::Panicked(e) => Self::Internal(e),
        }
    }
}

impl From<crate::policy::replay::ReplayError> for ApiError {
    fn from(e: crate::policy::replay::ReplayError) -> Self {
        use crate::policy::replay::ReplayError as R;
        match e {
            R::Policy(e) => Self::Policy(e),
            R::Logs(e) => e.into(),
        }
    }
}

/// What to do about a store failure.
const STORE_HINT: &str = "retry in a moment: the service reconnects by itself and GET /ready answers 200 again once the database is back";

impl ApiError {
    fn parts(&self) -> (StatusCode, String, String, String) {
        match self {
            Self::Directory(DirectoryError::Storage(_)) | Self::Policy(crate::policy::PolicyError::Storage(_)) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable".to_owned(),
                "the database is unavailable or failed; nothing of this request was acknowledged".to_owned(),
                STORE_HINT.to_owned(),
            ),
            Self::Directory(e) => directory_parts(e),
            Self::Unauthenticated { message } => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated".to_owned(),
                (*message).to_owned(),
                "send the header `Authorization: Bearer <token>` with a token issued by this service".to_owned(),
            ),
            Self::BadRequest { status, code, message, hint } => (*status, (*code).to_owned(), message.clone(), (*hint).to_owned()),
            Self::Call(e) => call_parts(e),
            Self::Policy(e) => policy_parts(e),
            Self::Board(e) => board_parts(e),
            Self::Forbidden { code, message, hint } => {
                (StatusCode::FORBIDDEN, (*code).to_owned(), message.clone(), hint.clone())
            }
            Self::NoRoute => (
                StatusCode::NOT_FOUND,
                "no_route".to_owned(),
                "no endpoint has this path".to_owned(),
                "see GET /v1/openapi.json for the endpoints".to_owned(),
            ),
            Self::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed".to_owned(),
                "this endpoint does not accept this method".to_owned(),
                "see GET /v1/openapi.json for the methods of each endpoint".to_owned(),
            ),
            Self::NotServing => (
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable".to_owned(),
                "this node is not serving: a write to the database failed and it is restoring its live state from the database, or it lost the database's node lock".to_owned(),
                STORE_HINT.to_owned(),
            ),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal".to_owned(),
                "internal error".to_owned(),
                "retry later; the service log has the details".to_owned(),
            ),
            Self::Relayed { status, code, message, hint } => (*status, code.clone(), message.clone(), hint.clone()),
            Self::OwnerUnavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "call_owner_unavailable".to_owned(),
                self.to_string(),
                "retry in a moment: when a node stops answering, another node of the cluster adopts its calls within a few seconds (GET /v1/cluster/nodes, with the operator token, shows which)".to_owned(),
            ),
        }
    }
}

/// Status, code, message and hint of a refused directory operation.
fn directory_parts(e: &DirectoryError) -> (StatusCode, String, String, String) {
    let status = match e {
        DirectoryError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        DirectoryError::NotFound { .. } => StatusCode::NOT_FOUND,
        DirectoryError::Forbidden { .. } => StatusCode::FORBIDDEN,
        DirectoryError::Conflict { .. } => StatusCode::CONFLICT,
        DirectoryError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let message = if status.is_server_error() {
        "internal error".to_owned()
    } else {
        e.to_string()
    };
    (status, e.code().to_owned(), message, e.hint())
}

/// Status, code, message and hint of a refused policy upload or activation.
fn policy_parts(e: &crate::policy::PolicyError) -> (StatusCode, String, String, String) {
    use crate::policy::PolicyError as P;
    let status = match e {
        P::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        P::UnknownVersion { .. } => StatusCode::NOT_FOUND,
        P::VersionActive(_) | P::VersionNeededForRollback(_) | P::NothingToRollBack => {
            StatusCode::CONFLICT
        }
        P::Unloadable(_) | P::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let message = if status.is_server_error() {
        "internal error".to_owned()
    } else {
        e.to_string()
    };
    (status, e.code().to_owned(), message, e.hint().to_owned())
}

/// Status, code, message and hint of a presence board that cannot be shown.
fn board_parts(e: &crate::calls::BoardError) -> (StatusCode, String, String, String) {
    match e {
        crate::calls::BoardError::NotMember(_) => (
            StatusCode::NOT_FOUND,
            "not_found".to_owned(),
            "company not found".to_owned(),
            "list your companies with GET /v1/me/companies".to_owned(),
        ),
        crate::calls::BoardError::PanelAccessOff(company, name) => (
            StatusCode::FORBIDDEN,
            "panel_access_off".to_owned(),
            e.to_string(),
            format!(
                "Panel Access is OFF in company {name}: an admin of that company can turn it on \
                 (PATCH /v1/companies/{company}/members/{{agent_id}} with {{\"panel_access\": true}}); \
                 your other companies are not affected"
            ),
        ),
    }
}

/// Status, code, message and hint of an event the call flow refused.
fn call_parts(e: &crate::calls::CallError) -> (StatusCode, String, String, String) {
    use crate::calls::CallError as C;
    let (status, code, hint) = match e {
        C::UnknownNumber(_) => (
            StatusCode::NOT_FOUND,
            "unknown_number",
            "map the number to a company's department first (PUT /v1/companies/{company_id}/numbers/{number}); check Numbers -> Call Flow",
        ),
        C::MissingDepartment(_) => (
            StatusCode::CONFLICT,
            "missing_department",
            "point the number at an existing department of its company",
        ),
        C::DuplicateCall(_) => (
            StatusCode::CONFLICT,
            "duplicate_call",
            "each live call needs its own call_id; post events for it to /v1/calls/{call_id}/events",
        ),
        C::UnknownCall(_) => (
            StatusCode::NOT_FOUND,
            "unknown_call",
            "the call is not in progress (it ended, or was never posted to POST /v1/calls)",
        ),
        C::Conflict(_) => (
            StatusCode::CONFLICT,
            "event_conflict",
            "the event does not fit the call's state; GET /v1/calls/{call_id} shows it",
        ),
        C::Storage(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "store_unavailable",
            "the change may not be durable: retry in a moment; the service reconnects by itself and GET /ready answers 200 again once the database is back",
        ),
        C::NotEngaged(_) => (
            StatusCode::CONFLICT,
            "not_engaged",
            "the agent has no call, offer or wrap-up in this company; GET /v1/companies/{company_id}/board shows it",
        ),
    };
    let message = if status.is_server_error() {
        "internal error".to_owned()
    } else {
        e.to_string()
    };
    (status, code.to_owned(), message, hint.to_owned())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, message, hint) = self.parts();
        if status.is_server_error() {
            match &self {
                Self::Directory(DirectoryError::Storage(source)) => {
                    tracing::error!(error = %source, "storage failure")
                }
                other => tracing::error!(error = %other, "internal failure"),
            }
        }
        let mut response = (
            status,
            axum::Json(ErrorBody {
                error,
                message,
                hint,
            }),
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        let status = rejection.status();
        let (code, hint) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => {
                ("body_too_large", "request bodies are limited to 64 KiB")
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "send `Content-Type: application/json`",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => (
                "invalid_body",
                "check field names and types against GET /v1/openapi.json; unknown fields are refused",
            ),
            StatusCode::BAD_REQUEST => (
                "invalid_json",
                "the body must be one well-formed JSON object",
            ),
            _ => return Self::Internal(rejection.body_text()),
        };
        Self::BadRequest {
            status,
            code,
            message: rejection.body_text(),
            hint,
        }
    }
}

impl From<BytesRejection> for ApiError {
    /// A raw body (a policy upload) that could not be read: over the upload limit, or cut off.
    fn from(rejection: BytesRejection) -> Self {
        let status = rejection.status();
        let (code, hint) = match status {
            StatusCode::PAYLOAD_TOO_LARGE => (
                "body_too_large",
                "policy uploads are limited to 64 MiB (and to the service's maximum policy size)",
            ),
            s if s.is_client_error() => (
                "invalid_body",
                "send the component as the whole request body",
            ),
            _ => return Self::Internal(rejection.body_text()),
        };
        Self::BadRequest {
            status,
            code,
            message: rejection.body_text(),
            hint,
        }
    }
}

/// The hint of a refused path parameter.
pub(super) const PATH_HINT: &str = "ids in paths are decimal integers without sign or leading zeros, \
     such as 42; numbers are E.164 such as +919876543210";

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        if rejection.status().is_server_error() {
            return Self::Internal(rejection.body_text());
        }
        Self::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_path",
            message: rejection.body_text(),
            hint: PATH_HINT,
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_query",
            message: rejection.body_text(),
            hint: "lists take `after` (the previous page's `next`) and `limit` (1 to 200)",
        }
    }
}
