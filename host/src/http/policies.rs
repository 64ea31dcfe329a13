//! `/v1/companies/{company_id}/policies` and `/policy`: a company admin uploads a routing
//! policy component (validated before it is stored), lists versions, and activates one with
//! its JSON configuration; the next call uses it. Deleting the activation returns the company
//! to the built-in default (longest idle).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use switchyard_directory::CompanyId;
use switchyard_directory::Principal;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path, Query};
use super::reports::access;
use crate::app::AppState;
use crate::calls::clock::now_ms;
use crate::policy::replay::{ReplaySources, replay};
use crate::policy::{Activation, PolicyChange, PolicyVersion};

/// Upload bodies may be this large at most (the store's own limit, configurable, applies too).
const UPLOAD_BODY_LIMIT: usize = 64 << 20;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    // Only uploads take the larger limit; the JSON bodies here keep the API's.
    let (schemas, paths, uploads) = routes!(upload_policy, list_policies);
    let uploads = uploads.layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT));
    OpenApiRouter::new()
        .routes((schemas, paths, uploads))
        .routes(routes!(activate_policy, deactivate_policy))
        .routes(routes!(rollback_policy))
        .routes(routes!(policy_history))
        .routes(routes!(delete_version))
        .routes(routes!(replay_version))
        .routes(routes!(simulate_version))
}

/// Query of an upload.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// Policy name, e.g. `round-robin` (1–64 characters: letters, digits, `-`, `_`, `.`).
    pub name: String,
}

/// Versions and the active one.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyList {
    /// Every version, oldest first.
    pub versions: Vec<PolicyVersion>,
    /// The active version, if any (otherwise the built-in default decides).
    pub active: Option<Activation>,
}

/// Which version to activate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivateBody {
    /// Version number.
    pub version: u32,
    /// Configuration: any JSON value the policy documents (an object, usually).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: Option<serde_json::Value>,
}

fn admin(state: &AppState, p: &Principal, company: u64) -> Result<(), ApiError> {
    if access(state, p, company)?.is_admin() {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "admins_only",
            message: "only admins of this company manage its routing policy".into(),
            hint: "ask an admin of this company".into(),
        })
    }
}

fn who(p: &Principal) -> String {
    match p {
        Principal::Agent { agent } => format!("agent:{agent}"),
        Principal::CompanyAdmin { company } => format!("company-admin:{company}"),
        Principal::Manager { account } => format!("manager:{account}"),
        other => other.kind().to_owned(),
    }
}

/// Upload a policy component (raw body, `Content-Type: application/wasm`). It is checked in
/// order: size, WebAssembly component (not a core module), implements world `routing-policy`,
/// compiles, and a smoke decision succeeds.
#[utoipa::path(post, path = "/v1/companies/{company_id}/policies", tag = "policies",
    params(("company_id" = u64, Path, description = "Company id"), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/wasm"),
    responses((status = 201, body = PolicyVersion), (status = "4XX", body = ErrorBody)))]
async fn upload_policy(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Query(q): Query<UploadQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, axum::Json<PolicyVersion>), ApiError> {
    let body = body?;
    let valid_name = !q.name.is_empty()
        && q.name.len() <= 64
        && q.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid_name {
        return Err(ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_name",
            message: format!("policy name {:?} is not allowed", q.name),
            hint: "use 1 to 64 letters, digits, `-`, `_` or `.`",
        });
    }
    let version = state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            Ok(s.policy_store()
                .upload(company_id, &q.name, &body, &who(&p), now_ms())?)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(version)))
}

/// Versions of the company's policy and the active one (admins).
#[utoipa::path(get, path = "/v1/companies/{company_id}/policies", tag = "policies",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = PolicyList), (status = "4XX", body = ErrorBody)))]
async fn list_policies(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<axum::Json<PolicyList>, ApiError> {
    let list = state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            let store = s.policy_store();
            Ok(PolicyList {
                versions: store.versions(company_id)?,
                active: store.activation(company_id)?,
            })
        })
        .await?;
    Ok(axum::Json(list))
}

/// Activate a version with its configuration; the next call uses it.
#[utoipa::path(put, path = "/v1/companies/{company_id}/policy", tag = "policies", request_body = ActivateBody,
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Activation), (status = "4XX", body = ErrorBody)))]
async fn activate_policy(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Json(body): Json<ActivateBody>,
) -> Result<axum::Json<Activation>, ApiError> {
    let activation = state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            let config = body.config.map(|c| c.to_string()).unwrap_or_default();
            let activation =
                s.policy_admin()
                    .activate(company_id, body.version, config, &who(&p), now_ms())?;
            s.announce_policy_change().map_err(storage)?;
            Ok(activation)
        })
        .await?;
    Ok(axum::Json(activation))
}

/// Deactivate the company's policy: the built-in default (longest idle) decides again.
#[utoipa::path(delete, path = "/v1/companies/{company_id}/policy", tag = "policies",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
async fn deactivate_policy(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<StatusCode, ApiError> {
    state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            s.policy_admin()
                .deactivate(company_id, &who(&p), now_ms())?;
            s.announce_policy_change().map_err(storage)?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Roll back to the activation before the current one (its version and configuration).
#[utoipa::path(post, path = "/v1/companies/{company_id}/policy/rollback", tag = "policies",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Activation), (status = "4XX", body = ErrorBody)))]
async fn rollback_policy(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<axum::Json<Activation>, ApiError> {
    let activation = state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            let activation = s.policy_admin().rollback(company_id, &who(&p), now_ms())?;
            s.announce_policy_change().map_err(storage)?;
            Ok(activation)
        })
        .await?;
    Ok(axum::Json(activation))
}

/// Every change of the company's policy: who, when, what, from which version to which.
#[utoipa::path(get, path = "/v1/companies/{company_id}/policy/history", tag = "policies",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Vec<PolicyChange>), (status = "4XX", body = ErrorBody)))]
async fn policy_history(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<axum::Json<Vec<PolicyChange>>, ApiError> {
    let history = state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            Ok(s.policy_store().history(company_id)?)
        })
        .await?;
    Ok(axum::Json(history))
}

/// Delete a version that is neither active (409 `version_active`) nor the one a rollback
/// returns to (409 `version_needed_for_rollback`), so a rollback always works.
#[utoipa::path(delete, path = "/v1/companies/{company_id}/policies/{version}", tag = "policies",
    params(("company_id" = u64, Path, description = "Company id"), ("version" = u32, Path, description = "Version number")),
    responses((status = 204), (status = "4XX", body = ErrorBody)))]
async fn delete_version(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, version)): Path<(u64, u32)>,
) -> Result<StatusCode, ApiError> {
    state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            s.policy_store()
                .delete_version(company_id, version, &who(&p), now_ms())?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of a replay.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReplayQuery {
    /// How many of the latest calls to replay (1..=200, default 50).
    pub last: Option<usize>,
}

/// Configuration for the replayed version.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayBody {
    /// The candidate's configuration (absent: empty).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: Option<serde_json::Value>,
}

/// Replay a version over the company's last logged calls next to the active policy; nothing
/// changes (state is copied, nothing is logged).
#[utoipa::path(post, path = "/v1/companies/{company_id}/policies/{version}/replay", tag = "policies",
    request_body = ReplayBody,
    params(("company_id" = u64, Path, description = "Company id"), ("version" = u32, Path, description = "Version number"), ReplayQuery),
    responses((status = 200, body = crate::policy::replay::ReplayReport), (status = "4XX", body = ErrorBody)))]
async fn replay_version(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, version)): Path<(u64, u32)>,
    Query(q): Query<ReplayQuery>,
    Json(body): Json<ReplayBody>,
) -> Result<axum::Json<crate::policy::replay::ReplayReport>, ApiError> {
    let report = state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            let config = body.config.map(|c| c.to_string()).unwrap_or_default();
            let sources = ReplaySources {
                store: s.policy_store(),
                calls: &s.calls(),
                logbook: s.logbook(),
            };
            Ok(replay(
                sources,
                CompanyId(company_id),
                version,
                &config,
                q.last.unwrap_or(50),
            )?)
        })
        .await?;
    Ok(axum::Json(report))
}

/// Simulate one decision of a version on a scenario (call, candidates, config, state) with the
/// service's runtime and limits: the decision, how it was reached, the policy's logs, time and
/// fuel. No side effects (the company's state is copied, nothing is logged).
#[utoipa::path(post, path = "/v1/companies/{company_id}/policies/{version}/simulate", tag = "policies",
    request_body = crate::policy::simulate::Scenario,
    params(("company_id" = u64, Path, description = "Company id"), ("version" = u32, Path, description = "Version number")),
    responses((status = 200, body = crate::policy::simulate::Simulation), (status = "4XX", body = ErrorBody)))]
async fn simulate_version(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, version)): Path<(u64, u32)>,
    Json(scenario): Json<crate::policy::simulate::Scenario>,
) -> Result<axum::Json<crate::policy::simulate::Simulation>, ApiError> {
    let simulation = state
        .blocking(move |s| {
            admin(s, &p, company_id)?;
            let policy = s.policy_store().load_version(company_id, version)?;
            let calls = s.calls();
            let policies = calls.policies();
            scenario
                .run(
                    policies.engine(),
                    &policy,
                    policies.state_snapshot(CompanyId(company_id)),
                )
                .map_err(|e| ApiError::BadRequest {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "invalid_scenario",
                    message: e.to_string(),
                    hint: "state keys are at most 128 bytes and values at most 4 KiB",
                })
        })
        .await?;
    Ok(axum::Json(simulation))
}

/// A store failure after the change was made: 503, the request may be retried.
fn storage(e: switchyard_directory::StoreError) -> ApiError {
    ApiError::Directory(switchyard_directory::DirectoryError::Storage(e))
}
