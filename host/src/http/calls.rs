//! `/v1/calls`: the telephony platform's side of the call flow. It posts a new call and gets
//! the first instruction; posts each outcome and gets the next; reads a live call; and follows
//! later decisions (queued calls being served, lapsed offers, queue timeouts) on
//! `GET /v1/telephony/stream`, a server-sent-events stream of its own calls that resumes after
//! `Last-Event-ID`. Call ids are the platform's own: each telephony token is its own platform,
//! so two platforms never see or block each other's calls. After its own restart a platform
//! reads its live calls (`GET /v1/calls`) and reconciles (`POST /v1/calls/reconcile`).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
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
use super::extract::{Json, Path, Query};
use super::forward::{ToOwner, ask_peers};
use crate::app::AppState;
use crate::calls::{CallEvent, CallStatus, CallUpdate, IncomingCall, clock::now_ms};

/// Query of the telephony stream.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Replay the retained updates after this `seq` (like the `Last-Event-ID` header).
    pub after: Option<u64>,
}

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(incoming_call, list_calls))
        .routes(routes!(reconcile))
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
    /// The most phones the platform rings at once for this call (its fork limit, 1 to 1000):
    /// a simultaneous plan is offered to at most this many agents; the others stay free for
    /// other calls. Omitted: no limit.
    #[serde(default)]
    pub max_targets: Option<u16>,
}

/// The calls a platform still has, after its own restart.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReconcileBody {
    /// Every call id the platform still has up (at most 100 000).
    pub live_call_ids: Vec<String>,
}

/// What reconciliation ended.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Reconciled {
    /// Calls Switchyard held live that the platform no longer has: ended as `reconciled`.
    pub ended: Vec<String>,
}

/// The platform a caller posts for: a telephony token is its own platform (its id), the
/// operator is platform 0.
pub(super) fn platform_of(p: &Principal) -> Result<u64, ApiError> {
    match p {
        Principal::Telephony { token, .. } => Ok(*token),
        Principal::Operator => Ok(0),
        _ => Err(ApiError::Forbidden {
            code: "telephony_only",
            message: "only telephony tokens post and read calls".into(),
            hint: "use the token issued to your SIP server or PBX".into(),
        }),
    }
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
    if call.max_targets.is_some_and(|n| n == 0 || n > 1000) {
        return Err(bad(
            "max_targets must be 1 to 1000".into(),
            "send the most phones your platform rings at once for one call, or omit it",
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
    let update = take_call(&state, &p, body).await?;
    Ok((StatusCode::CREATED, axum::Json(update)))
}

/// Validates a new call from `p` and decides its first instruction (shared with the Kamailio
/// adapter).
pub(super) async fn take_call(
    state: &AppState,
    p: &Principal,
    body: NewCall,
) -> Result<CallUpdate, ApiError> {
    validate(&body)?;
    telephony_may_post(p, &body.number)?;
    let platform = platform_of(p)?;
    state
        .blocking(move |s| {
            s.catch_up()?;
            let req = IncomingCall {
                platform,
                call_id: body.call_id,
                number: body.number,
                caller: body.caller,
                attributes: body
                    .attributes
                    .into_iter()
                    .map(|(key, value)| Attribute { key, value })
                    .collect(),
                max_targets: body.max_targets,
            };
            Ok(s.calls().incoming(req, now_ms())?)
        })
        .await
}

fn unknown_call(call_id: &str) -> ApiError {
    ApiError::Call(crate::calls::CallError::UnknownCall(call_id.to_owned()))
}

/// Where a live call is.
#[utoipa::path(get, path = "/v1/calls/{call_id}", tag = "calls",
    params(("call_id" = String, Path, description = "The platform's call id")),
    responses((status = 200, body = CallStatus), (status = "4XX", body = ErrorBody)))]
async fn get_call(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(call_id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let platform = platform_of(&p)?;
    let elsewhere = ToOwner::<()> {
        platform,
        call_id: &call_id,
        headers: &headers,
        body: None,
        path: format!("/v1/calls/{}", encode_segment(&call_id)),
    };
    if let Some(status) = elsewhere.send::<serde_json::Value>(&state).await? {
        return Ok(axum::Json(status).into_response());
    }
    let status = state
        .calls()
        .status(platform, &call_id)
        .ok_or_else(|| unknown_call(&call_id))?;
    Ok(axum::Json(status).into_response())
}

/// This platform's live calls, oldest first (to compare with its own after a restart).
#[utoipa::path(get, path = "/v1/calls", tag = "calls",
    responses((status = 200, body = Vec<CallStatus>), (status = "4XX", body = ErrorBody)))]
async fn list_calls(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
) -> Result<axum::Json<Vec<CallStatus>>, ApiError> {
    let platform = platform_of(&p)?;
    let mut calls = state
        .blocking(move |s| Ok(s.calls().live_calls(platform)))
        .await?;
    // On a cluster, the other nodes' calls too.
    for theirs in ask_peers::<(), Vec<CallStatus>>(&state, &headers, "/v1/calls", None).await? {
        calls.extend(theirs);
    }
    calls.sort_by(|a, b| {
        a.started_ms
            .cmp(&b.started_ms)
            .then_with(|| a.call_id.cmp(&b.call_id))
    });
    Ok(axum::Json(calls))
}

/// After its own restart the platform lists the calls it still has: every other live call of
/// this platform is ended (logged as `reconciled`) and its agents are freed.
#[utoipa::path(post, path = "/v1/calls/reconcile", tag = "calls", request_body = ReconcileBody,
    responses((status = 200, body = Reconciled), (status = "4XX", body = ErrorBody)))]
async fn reconcile(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Json(body): Json<ReconcileBody>,
) -> Result<axum::Json<Reconciled>, ApiError> {
    let platform = platform_of(&p)?;
    if body.live_call_ids.len() > 100_000 {
        return Err(ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_call",
            message: format!("{} call ids is more than 100 000", body.live_call_ids.len()),
            hint: "list only the calls the platform still has up",
        });
    }
    // On a cluster, each node ends its own calls the platform no longer has.
    let theirs: Vec<Reconciled> =
        ask_peers(&state, &headers, "/v1/calls/reconcile", Some(&body)).await?;
    let mut ended = state
        .blocking(move |s| {
            Ok(s.calls()
                .reconcile(platform, &body.live_call_ids, now_ms())?)
        })
        .await?;
    ended.extend(theirs.into_iter().flat_map(|r| r.ended));
    Ok(axum::Json(Reconciled { ended }))
}

/// An outcome of the call: answers with the next instruction.
#[utoipa::path(post, path = "/v1/calls/{call_id}/events", tag = "calls", request_body = CallEvent,
    params(("call_id" = String, Path, description = "The platform's call id")),
    responses((status = 200, body = Object, description = "The next instruction (CallUpdate)"), (status = "4XX", body = ErrorBody)))]
async fn call_event(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Path(call_id): Path<String>,
    Json(event): Json<CallEvent>,
) -> Result<axum::Json<CallUpdate>, ApiError> {
    Ok(axum::Json(
        apply_event(&state, &p, &headers, call_id, event).await?,
    ))
}

/// Applies an outcome `p` posts about its call and decides the next instruction (shared with
/// the Kamailio adapter); on a cluster, the node holding the call does (`headers` carry the
/// caller's credentials to it).
pub(super) async fn apply_event(
    state: &AppState,
    p: &Principal,
    headers: &HeaderMap,
    call_id: String,
    event: CallEvent,
) -> Result<CallUpdate, ApiError> {
    let platform = platform_of(p)?;
    let elsewhere = ToOwner {
        platform,
        call_id: &call_id,
        headers,
        body: Some(&event),
        path: format!("/v1/calls/{}/events", encode_segment(&call_id)),
    };
    if let Some(update) = elsewhere.send(state).await? {
        return Ok(update);
    }
    state
        .blocking(move |s| {
            s.catch_up()?;
            Ok(s.calls().event(platform, &call_id, event, now_ms())?)
        })
        .await
}

/// Later decisions about this platform's calls, as server-sent events (`event: call`, `id:`
/// the update's `seq`, data: a CallUpdate with `seq`). `seq` increases but is not contiguous.
/// Reconnecting with `Last-Event-ID` (or `?after=`) first replays the retained updates after
/// it, including those decided at start-up for deadlines that passed while the service was
/// down; `event: lagged` says a slow subscriber missed some (read `GET /v1/calls`).
#[utoipa::path(get, path = "/v1/telephony/stream", tag = "calls",
    params(("after" = Option<u64>, Query, description = "Replay retained updates after this seq (as Last-Event-ID)")),
    responses((status = 200, description = "text/event-stream of call updates"), (status = "4XX", body = ErrorBody)))]
async fn telephony_stream(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: axum::http::HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    if !matches!(p, Principal::Telephony { .. } | Principal::Operator) {
        return Err(ApiError::Forbidden {
            code: "telephony_only",
            message: "only telephony tokens follow the call stream".into(),
            hint: "agents follow GET /v1/me/events".into(),
        });
    }
    let platform = platform_of(&p)?;
    let after = super::stream::resume_point(&headers, query.after)?;
    let subscription = state.calls().push().subscribe_after(after);
    let stream = super::stream::events(subscription, move |e| {
        e.for_platform && e.platform == platform && p.can_post_for(&e.number)
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// `segment` percent-encoded for a URL path (a platform's call id may hold any character).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
