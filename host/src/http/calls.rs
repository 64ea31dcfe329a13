//! `/v1/calls`: the telephony platform's side of the call flow. It posts a new call and gets
//! the first instruction; posts each outcome and gets the next; reads a live call; and follows
//! later decisions (queued calls being served, lapsed offers, queue timeouts) on
//! `GET /v1/telephony/stream`, a server-sent-events stream filtered to its own numbers.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use switchyard_directory::Principal;
use switchyard_runtime::Attribute;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::extract::{Json, Path};
use crate::app::AppState;
use crate::calls::{CallEvent, CallUpdate, IncomingCall, clock::now_ms};

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(incoming_call))
        .routes(routes!(get_call))
        .routes(routes!(call_event))
        .routes(routes!(telephony_stream))
}

/// A new call.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCall {
    /// The platform's call id (unique among live calls, at most 128 characters).
    pub call_id: String,
    /// Dialled number, E.164.
    pub number: String,
    /// Caller id.
    #[serde(default)]
    pub caller: String,
    /// Free-form attributes passed to the policy (at most 32, keys and values ≤ 256 bytes).
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Where a live call is.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallStatus {
    /// The platform's call id.
    pub call_id: String,
    /// Company.
    pub company_id: u64,
    /// Current department.
    pub department_id: u64,
    /// `ringing`, `connected`, `queued` or `finished`.
    pub stage: String,
    /// Agents ringing now.
    pub ringing: Vec<u64>,
    /// Connected agent.
    pub connected_to: Option<u64>,
    /// Latest decision's trace id.
    pub trace_id: Option<String>,
}

fn telephony_may_post(p: &Principal, number: &str) -> Result<(), ApiError> {
    if matches!(p, Principal::Telephony { .. } | Principal::Operator) {
        if p.can_post_for(number) {
            return Ok(());
        }
        return Err(ApiError::Forbidden {
            code: "number_not_bound",
            message: format!("this telephony token is not bound to {number}"),
            hint: "ask the operator to bind the number to this token (PUT /v1/tokens/{token_id}/numbers)".into(),
        });
    }
    Err(ApiError::Forbidden {
        code: "telephony_only",
        message: "only telephony tokens post call events".into(),
        hint: "use the token issued to your SIP server or PBX".into(),
    })
}

fn validate(call: &NewCall) -> Result<(), ApiError> {
    let bad = |message: String, hint: &'static str| ApiError::BadRequest {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_call",
        message,
        hint,
    };
    if call.call_id.is_empty() || call.call_id.len() > 128 {
        return Err(bad(
            "call_id must be 1 to 128 characters".into(),
            "send the platform's own call id",
        ));
    }
    if call.caller.len() > 64 {
        return Err(bad(
            "caller is longer than 64 characters".into(),
            "send the caller id as E.164 or empty",
        ));
    }
    if call.attributes.len() > 32
        || call
            .attributes
            .iter()
            .any(|(k, v)| k.len() > 256 || v.len() > 256)
    {
        return Err(bad(
            "too many or too long attributes".into(),
            "send at most 32 attributes, keys and values at most 256 bytes",
        ));
    }
    switchyard_directory::validate::e164(&call.number)?;
    Ok(())
}

/// A new call: answers with the first instruction (ring, queue, voicemail, ...) and a trace id.
#[utoipa::path(post, path = "/v1/calls", tag = "calls", request_body = NewCall,
    responses((status = 201, body = Object, description = "The first instruction (CallUpdate)"), (status = "4XX", body = ErrorBody)))]
async fn incoming_call(
    State(state): State<AppState>,
    Caller(p): Caller,
    Json(body): Json<NewCall>,
) -> Result<(StatusCode, axum::Json<CallUpdate>), ApiError> {
    validate(&body)?;
    telephony_may_post(&p, &body.number)?;
    let update = state
        .blocking(move |s| {
            let req = IncomingCall {
                call_id: body.call_id,
                number: body.number,
                caller: body.caller,
                attributes: body
                    .attributes
                    .into_iter()
                    .map(|(key, value)| Attribute { key, value })
                    .collect(),
            };
            Ok(s.calls().incoming(req, now_ms())?)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(update)))
}

/// The live call's number, checked against the caller's binding.
fn bound_call(state: &AppState, p: &Principal, call_id: &str) -> Result<(), ApiError> {
    let unknown = || ApiError::Call(crate::calls::CallError::UnknownCall(call_id.to_owned()));
    let live = state.calls().live(call_id).ok_or_else(unknown)?;
    let number = live
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .number
        .clone();
    match telephony_may_post(p, &number) {
        Ok(()) => Ok(()),
        // Another platform's call: do not reveal that it exists.
        Err(ApiError::Forbidden {
            code: "number_not_bound",
            ..
        }) => Err(unknown()),
        Err(e) => Err(e),
    }
}

/// Where a live call is.
#[utoipa::path(get, path = "/v1/calls/{call_id}", tag = "calls",
    params(("call_id" = String, Path, description = "The platform's call id")),
    responses((status = 200, body = CallStatus), (status = "4XX", body = ErrorBody)))]
async fn get_call(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(call_id): Path<String>,
) -> Result<axum::Json<CallStatus>, ApiError> {
    bound_call(&state, &p, &call_id)?;
    let live = state
        .calls()
        .live(&call_id)
        .ok_or_else(|| ApiError::Call(crate::calls::CallError::UnknownCall(call_id.clone())))?;
    let call = live.lock().unwrap_or_else(|e| e.into_inner());
    let (stage, connected_to) = match call.stage {
        crate::calls::Stage::Ringing => ("ringing", None),
        crate::calls::Stage::Connected { agent } => ("connected", Some(agent)),
        crate::calls::Stage::Queued => ("queued", None),
        crate::calls::Stage::Finished => ("finished", None),
    };
    Ok(axum::Json(CallStatus {
        call_id: call.call_id.clone(),
        company_id: call.company,
        department_id: call.department,
        stage: stage.to_owned(),
        ringing: call.ringing.clone(),
        connected_to,
        trace_id: call.last_trace.clone(),
    }))
}

/// An outcome of the call: answers with the next instruction.
#[utoipa::path(post, path = "/v1/calls/{call_id}/events", tag = "calls", request_body = CallEvent,
    params(("call_id" = String, Path, description = "The platform's call id")),
    responses((status = 200, body = Object, description = "The next instruction (CallUpdate)"), (status = "4XX", body = ErrorBody)))]
async fn call_event(
    State(state): State<AppState>,
    Caller(p): Caller,
    Path(call_id): Path<String>,
    Json(event): Json<CallEvent>,
) -> Result<axum::Json<CallUpdate>, ApiError> {
    bound_call(&state, &p, &call_id)?;
    let update = state
        .blocking(move |s| Ok(s.calls().event(&call_id, event, now_ms())?))
        .await?;
    Ok(axum::Json(update))
}

/// Later decisions about this platform's calls, as server-sent events (`event: call`, data: a
/// CallUpdate with `seq`). A gap in `seq` means events were missed: read `GET /v1/calls/{id}`.
#[utoipa::path(get, path = "/v1/telephony/stream", tag = "calls",
    responses((status = 200, description = "text/event-stream of call updates"), (status = "4XX", body = ErrorBody)))]
async fn telephony_stream(
    State(state): State<AppState>,
    Caller(p): Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    if !matches!(p, Principal::Telephony { .. } | Principal::Operator) {
        return Err(ApiError::Forbidden {
            code: "telephony_only",
            message: "only telephony tokens follow the call stream".into(),
            hint: "agents follow GET /v1/me/events".into(),
        });
    }
    let rx = state.calls().push().subscribe();
    let stream = super::stream::events(rx, move |e| e.for_platform && p.can_post_for(&e.number));
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
