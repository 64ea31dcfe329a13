//! A company's view of its calls: call logs with filters, decision traces, "would agent X
//! ring for number N now, and if not why?", and the presence board. Everything is scoped to
//! the company in the path: another company's calls and details never appear.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use switchyard_directory::{AgentId, CompanyId};
use switchyard_directory::{CompanyAccess, Principal};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Path, Query};
use crate::app::AppState;
use crate::calls::{BoardEntry, BoardViewer, DecisionRecord, Diagnosis, clock::now_ms};
use crate::logbook::{LogError, LogFilter, LogPage};

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(call_logs))
        .routes(routes!(get_trace))
        .routes(routes!(diagnose))
        .routes(routes!(board))
}

impl From<LogError> for ApiError {
    /// A refused filter is the caller's 422; a storage or decoding failure is ours.
    fn from(e: LogError) -> Self {
        match e {
            LogError::Filter(e) => ApiError::Directory(e),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// What `p` may do in `company`; 404 when it has no relation to it.
pub(super) fn access(
    state: &AppState,
    p: &Principal,
    company: u64,
) -> Result<CompanyAccess, ApiError> {
    let dir = state.directory();
    let found = dir.company(company)?;
    let not_found = || {
        ApiError::Directory(switchyard_directory::DirectoryError::not_found(
            "company", company,
        ))
    };
    let company = found.ok_or_else(not_found)?;
    dir.company_access(p, &company)?.ok_or_else(not_found)
}

fn supervise(state: &AppState, p: &Principal, company: u64) -> Result<CompanyAccess, ApiError> {
    let a = access(state, p, company)?;
    if a.can_supervise() {
        Ok(a)
    } else {
        Err(ApiError::Forbidden {
            code: "supervisors_only",
            message: "only supervisors and admins of this company may do this".into(),
            hint: "ask an admin of this company for the supervisor role".into(),
        })
    }
}

/// Call logs of a company, newest first. Agents (role `agent`) see only calls they took part in.
/// `limit` is checked as in every list (422 `invalid_limit`), and an unknown `outcome` is
/// refused with 422 `invalid_outcome` naming the accepted ones.
#[utoipa::path(get, path = "/v1/companies/{company_id}/call-logs", tag = "reports",
    params(("company_id" = u64, Path, description = "Company id"), LogFilter),
    responses((status = 200, body = Object, description = "{items: [CallLog], next}"), (status = "4XX", body = ErrorBody)))]
async fn call_logs(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Query(mut filter): Query<LogFilter>,
) -> Result<axum::Json<LogPage>, ApiError> {
    let page = state
        .blocking(move |s| {
            let a = access(s, &p, company_id)?;
            if let CompanyAccess::Member { agent } = a {
                filter.agent = Some(AgentId(agent));
            }
            Ok(s.logbook().list(CompanyId(company_id), &filter)?)
        })
        .await?;
    Ok(axum::Json(page))
}

/// One decision's trace: every member of the department, offered or why not.
#[utoipa::path(get, path = "/v1/companies/{company_id}/traces/{trace_id}", tag = "reports",
    params(("company_id" = u64, Path, description = "Company id"), ("trace_id" = String, Path, description = "Trace id from a decision")),
    responses((status = 200, body = Object, description = "DecisionRecord"), (status = "4XX", body = ErrorBody)))]
async fn get_trace(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path((company_id, trace_id)): Path<(u64, String)>,
) -> Result<axum::Json<DecisionRecord>, ApiError> {
    let record = state
        .blocking(move |s| {
            supervise(s, &p, company_id)?;
            match s.calls().trace(&trace_id) {
                Some((company, record)) if company.0 == company_id => Ok(record),
                _ => Err(ApiError::Directory(
                    switchyard_directory::DirectoryError::not_found("trace", trace_id),
                )),
            }
        })
        .await?;
    Ok(axum::Json(record))
}

/// Query of the diagnose endpoint.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DiagnoseQuery {
    /// The number a call would come in on (E.164).
    pub number: String,
    /// The agent to ask about.
    pub agent_id: u64,
}

/// The diagnose answer: either the full diagnosis, or "this number belongs elsewhere".
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum DiagnoseAnswer {
    /// The number rings in this company.
    Here(Box<Diagnosis>),
    /// The number is mapped to another company (not named).
    Elsewhere {
        /// The number.
        number: String,
        /// Always false.
        routes_to_this_company: bool,
        /// Always false.
        would_ring: bool,
        /// `number-mapped-elsewhere`.
        reason: String,
        /// What to do.
        hint: String,
    },
}

/// "If a call came to `number` now, would `agent_id` ring, and if not why?" — no call placed.
#[utoipa::path(get, path = "/v1/companies/{company_id}/diagnose", tag = "reports",
    params(("company_id" = u64, Path, description = "Company id"), DiagnoseQuery),
    responses((status = 200, body = Object, description = "Diagnosis, or {routes_to_this_company: false, ...}"), (status = "4XX", body = ErrorBody)))]
async fn diagnose(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
    Query(q): Query<DiagnoseQuery>,
) -> Result<axum::Json<DiagnoseAnswer>, ApiError> {
    let number = switchyard_directory::validate::e164(&q.number)?;
    let answer = state
        .blocking(move |s| {
            supervise(s, &p, company_id)?;
            let d = s.calls().diagnose(&number, AgentId(q.agent_id), now_ms())?;
            if d.company_id.0 == company_id {
                Ok(DiagnoseAnswer::Here(Box::new(d)))
            } else {
                Ok(DiagnoseAnswer::Elsewhere {
                    number,
                    routes_to_this_company: false,
                    would_ring: false,
                    reason: "number-mapped-elsewhere".into(),
                    hint: "Calls to this number are routed to another company (IVR / number mapping mixed). \
                           Correct each company's routing in Numbers -> Call Flow: map the number to this \
                           company's department, or dial this company's own number."
                        .into(),
                })
            }
        })
        .await?;
    Ok(axum::Json(answer))
}

/// The presence board: each member as the company's visibility policy lets the caller see it.
/// A member whose Panel Access is off here gets 403 `panel_access_off`.
#[utoipa::path(get, path = "/v1/companies/{company_id}/board", tag = "reports",
    params(("company_id" = u64, Path, description = "Company id")),
    responses((status = 200, body = Object, description = "[BoardEntry]"), (status = "4XX", body = ErrorBody)))]
async fn board(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(company_id): Path<u64>,
) -> Result<axum::Json<Vec<BoardEntry>>, ApiError> {
    let board = state
        .blocking(move |s| {
            access(s, &p, company_id)?;
            // A person always sees the board as the member it is (panel access applies even
            // to admin-role members); keys, managers and the operator see it as admins.
            let viewer = match p {
                Principal::Agent { agent } => BoardViewer::Member(AgentId(agent)),
                _ => BoardViewer::Administrator,
            };
            Ok(s.calls().board(CompanyId(company_id), viewer, now_ms())?)
        })
        .await?;
    Ok(axum::Json(board))
}
