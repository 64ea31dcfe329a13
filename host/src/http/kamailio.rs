//! `/v1/kamailio`: the call flow of `/v1/calls` shaped for a SIP server's configuration script
//! (Kamailio's `http_client` and `jansson`; see `integrations/kamailio/`). The same decisions,
//! the same telephony token (`Authorization: Bearer`), but:
//! - the body is JSON whatever its `Content-Type` (Kamailio's `http_client_query` sends one
//!   custom header line: the token's);
//! - the call id travels in the body, never in a path (a SIP Call-ID has `@` and other
//!   characters a script would have to escape);
//! - the answer is one flat JSON object a script reads by path (`action`, `routes[0].uri`), with
//!   each target as a SIP address of record, `sip:<extension>@<company's sip_domain>`, its ring
//!   time as `fr_inv_timer`, the agents also as one comma-separated string, and a rejection as
//!   a SIP status;
//! - `max_branches`, the SIP server's fork limit, caps how many agents one simultaneous plan
//!   offers (12 by default, as Kamailio's own default): an agent is never offered a call the
//!   SIP server cannot ring;
//! - later decisions (a queued call offered, a queue timing out) are served in the same shape on
//!   `GET /v1/kamailio/stream`, which `switchyard kamailio-bridge` relays to Kamailio's `evapi`.

use std::convert::Infallible;
use std::time::Duration;
use switchyard_directory::{AgentId, CompanyId};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::calls::{NewCall, StreamQuery, apply_event, platform_of, take_call};
use super::error::{ApiError, ErrorBody};
use super::extract::{AnyJson, Query};
use crate::app::AppState;
use crate::calls::policy_io::RingMode;
use crate::calls::{CallEvent, CallUpdate, Instruction, PushEvent};

/// Kamailio's default `max_branches` (its core parameter; at most 31).
const DEFAULT_MAX_BRANCHES: u16 = 12;
/// Kamailio's hard limit on branches per transaction.
const MAX_BRANCHES_LIMIT: u16 = 31;
/// The SIP status a rejection answers with unless its reason starts with one.
const DEFAULT_REJECT_CODE: u16 = 480;

/// Routes of this file.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(kamailio_call))
        .routes(routes!(kamailio_event))
        .routes(routes!(kamailio_stream))
}

/// A new call, as a SIP server posts it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SipCall {
    /// The SIP Call-ID (at most 128 characters).
    pub call_id: String,
    /// Dialled number, E.164 (the INVITE's Request-URI user).
    pub number: String,
    /// Caller id (the From user).
    #[serde(default)]
    pub caller: String,
    /// The most branches the SIP server forks for one call (`max_branches`; default 12, 1 to
    /// 31): a simultaneous plan is offered to at most this many agents.
    pub max_branches: Option<u16>,
}

/// An outcome, as a SIP server posts it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SipEvent {
    /// The SIP Call-ID of the call.
    pub call_id: String,
    /// `answered`, `declined`, `no-answer` (with `agent_id`), `ended` or `abandoned`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The agent whose branch it was (answered, declined, no-answer).
    pub agent_id: Option<AgentId>,
}

/// One agent to ring, as a routing document's route.
#[derive(Debug, Serialize, ToSchema)]
pub struct SipRoute {
    /// The agent's address of record in the company: `sip:<extension>@<sip_domain>`.
    pub uri: String,
    /// The agent (post it back with the branch's outcome).
    pub agent_id: AgentId,
    /// The agent's extension in this company.
    pub extension: String,
    /// How long to ring this branch, milliseconds (tm's `fr_inv_timer`).
    pub fr_inv_timer: u32,
}

/// What the configuration script does next with the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SipAction {
    /// Ring the routes.
    Ring,
    /// An agent answered: stop ringing the others.
    Connected,
    /// Keep ringing what rings; nothing new.
    KeepRinging,
    /// Hold the caller; a pushed update follows.
    Queue,
    /// Forward to `number`.
    Forward,
    /// Send the caller to voicemail.
    Voicemail,
    /// Reject the call.
    Reject,
    /// The call is over here: nothing more to do.
    Done,
}

/// How a ring's routes are rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SipRouting {
    /// Every route at once.
    Parallel,
    /// One route now; the next comes in the answer to its outcome.
    Serial,
}

/// The next instruction, flat, for a configuration script. Which fields are present depends on
/// `action`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SipAnswer {
    /// Always "1.0".
    pub version: &'static str,
    /// The SIP Call-ID.
    pub call_id: String,
    /// The company the call belongs to.
    pub company_id: CompanyId,
    /// The company's SIP domain (where its agents register).
    pub domain: String,
    /// The decision trace behind this instruction (`GET /v1/traces/{id}`).
    pub trace_id: Option<String>,
    /// This instruction's number in the call (answers and pushed updates alike): a pushed
    /// update whose step is not above the latest one acted on is stale.
    pub step: u32,
    /// `ring`, `connected`, `keep-ringing`, `queue`, `forward`, `voicemail`, `reject` or
    /// `done`.
    pub action: SipAction,
    /// ring: `parallel` (every route at once) or `serial` (one route now; the next comes in
    /// the answer to its outcome).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<SipRouting>,
    /// ring: how many routes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// ring: the agents to ring now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<SipRoute>>,
    /// ring: the routes' agents, comma-separated, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<String>,
    /// connected: who answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// queue: the longest wait before overflow is decided again, milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_wait_ms: Option<u32>,
    /// forward: the E.164 number to forward to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// voicemail: the mailbox (empty: the company's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mailbox: Option<String>,
    /// reject: the SIP status to answer the caller with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
    /// reject: the reason phrase (printable ASCII).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// On the stream only: the update's sequence number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl SipAnswer {
    /// `update` for a SIP server, its targets in `domain`.
    pub fn new(update: &CallUpdate, domain: String) -> Self {
        let mut answer = SipAnswer {
            version: "1.0",
            call_id: update.call_id.clone(),
            company_id: update.company_id,
            trace_id: update.trace_id.clone(),
            step: update.step,
            action: SipAction::Done,
            routing: None,
            count: None,
            routes: None,
            agents: None,
            agent_id: None,
            max_wait_ms: None,
            number: None,
            mailbox: None,
            code: None,
            reason: None,
            seq: None,
            domain,
        };
        match &update.instruction {
            Instruction::Ring { mode, targets } => {
                answer.action = SipAction::Ring;
                answer.routing = Some(if *mode == RingMode::Simultaneous {
                    SipRouting::Parallel
                } else {
                    SipRouting::Serial
                });
                let routes: Vec<SipRoute> = targets
                    .iter()
                    .map(|t| SipRoute {
                        uri: format!("sip:{}@{}", t.extension, answer.domain),
                        agent_id: t.agent_id,
                        extension: t.extension.clone(),
                        fr_inv_timer: t.timeout_ms,
                    })
                    .collect();
                let ids: Vec<String> = routes.iter().map(|r| r.agent_id.to_string()).collect();
                answer.agents = Some(ids.join(","));
                answer.count = Some(routes.len());
                answer.routes = Some(routes);
            }
            Instruction::Connected { agent_id, .. } => {
                answer.action = SipAction::Connected;
                answer.agent_id = Some(*agent_id);
            }
            Instruction::KeepRinging { .. } => answer.action = SipAction::KeepRinging,
            Instruction::Queue { max_wait_ms, .. } => {
                answer.action = SipAction::Queue;
                answer.max_wait_ms = Some(*max_wait_ms);
            }
            Instruction::ForwardNumber { number } => {
                answer.action = SipAction::Forward;
                answer.number = Some(number.clone());
            }
            Instruction::Voicemail { mailbox } => {
                answer.action = SipAction::Voicemail;
                answer.mailbox = Some(mailbox.clone());
            }
            Instruction::Reject { reason } => {
                let (code, phrase) = sip_status(reason);
                answer.action = SipAction::Reject;
                answer.code = Some(code);
                answer.reason = Some(phrase);
            }
            Instruction::Done => {}
        }
        answer
    }
}

/// The SIP status of a rejection: a reason that starts with a 4xx–6xx status ("486 Busy Here")
/// answers with it, any other with 480. The phrase keeps printable ASCII only (it goes into a
/// SIP status line), at most 64 characters.
fn sip_status(reason: &str) -> (u16, String) {
    let (code, rest) = match reason.split_once(' ') {
        Some((head, rest)) => match head.parse::<u16>() {
            Ok(c) if (400..700).contains(&c) => (c, rest),
            _ => (DEFAULT_REJECT_CODE, reason),
        },
        None => match reason.parse::<u16>() {
            Ok(c) if (400..700).contains(&c) => (c, ""),
            _ => (DEFAULT_REJECT_CODE, reason),
        },
    };
    let phrase: String = rest
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(64)
        .collect();
    let phrase = phrase.trim();
    let phrase = if phrase.is_empty() {
        "Temporarily Unavailable"
    } else {
        phrase
    };
    (code, phrase.to_owned())
}

/// The SIP domain of `company` (its placeholder when unset or unknown).
fn domain_of(state: &AppState, company: CompanyId) -> String {
    state
        .calls()
        .roster()
        .company(company)
        .map_or_else(|| format!("company-{company}.invalid"), |c| c.sip_domain)
}

fn answer(state: &AppState, update: &CallUpdate) -> SipAnswer {
    SipAnswer::new(update, domain_of(state, update.company_id))
}

fn bad_request(message: String, hint: &'static str) -> ApiError {
    ApiError::BadRequest {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "invalid_call",
        message,
        hint,
    }
}

/// A new call from a SIP server: answers with the first instruction.
#[utoipa::path(post, path = "/v1/kamailio/calls", tag = "kamailio", request_body = SipCall,
    responses((status = 201, body = SipAnswer), (status = "4XX", body = ErrorBody)))]
async fn kamailio_call(
    State(state): State<AppState>,
    Caller(p): Caller,
    AnyJson(body): AnyJson<SipCall>,
) -> Result<(StatusCode, axum::Json<SipAnswer>), ApiError> {
    let max_branches = body.max_branches.unwrap_or(DEFAULT_MAX_BRANCHES);
    if !(1..=MAX_BRANCHES_LIMIT).contains(&max_branches) {
        return Err(bad_request(
            format!("max_branches {max_branches} is not 1 to {MAX_BRANCHES_LIMIT}"),
            "send the SIP server's max_branches core parameter (Kamailio: 12 by default, at most 31)",
        ));
    }
    let call = NewCall {
        call_id: body.call_id,
        number: body.number,
        caller: body.caller,
        attributes: Default::default(),
        max_targets: Some(max_branches),
    };
    let update = take_call(&state, &p, call).await?;
    Ok((StatusCode::CREATED, axum::Json(answer(&state, &update))))
}

/// An outcome from a SIP server: answers with the next instruction.
#[utoipa::path(post, path = "/v1/kamailio/events", tag = "kamailio", request_body = SipEvent,
    responses((status = 200, body = SipAnswer), (status = "4XX", body = ErrorBody)))]
async fn kamailio_event(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: axum::http::HeaderMap,
    AnyJson(body): AnyJson<SipEvent>,
) -> Result<axum::Json<SipAnswer>, ApiError> {
    let agent = || {
        body.agent_id.ok_or_else(|| {
            bad_request(
                format!("a {} event names the agent", body.kind),
                "send agent_id: the agent of the branch (routes[i].agent_id of the answer)",
            )
        })
    };
    let event = match body.kind.as_str() {
        "answered" => CallEvent::Answered { agent_id: agent()? },
        "declined" => CallEvent::Declined { agent_id: agent()? },
        "no-answer" => CallEvent::NoAnswer { agent_id: agent()? },
        "ended" => CallEvent::Ended,
        "abandoned" => CallEvent::Abandoned,
        other => {
            return Err(bad_request(
                format!("unknown event type \"{other}\""),
                "send one of answered, declined, no-answer, ended, abandoned",
            ));
        }
    };
    let update = apply_event(&state, &p, &headers, body.call_id, event).await?;
    Ok(axum::Json(answer(&state, &update)))
}

/// Later decisions about this platform's calls, shaped as the answers (`event: call`, `id:`
/// the update's `seq`, data: a SipAnswer with `seq`); resumes after `Last-Event-ID`.
/// `switchyard kamailio-bridge` relays it to Kamailio's evapi.
#[utoipa::path(get, path = "/v1/kamailio/stream", tag = "kamailio",
    params(("after" = Option<u64>, Query, description = "Replay retained updates after this seq (as Last-Event-ID)")),
    responses((status = 200, description = "text/event-stream of SipAnswer"), (status = "4XX", body = ErrorBody)))]
async fn kamailio_stream(
    State(state): State<AppState>,
    Caller(p): Caller,
    headers: axum::http::HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let platform = platform_of(&p)?;
    let after = super::stream::resume_point(&headers, query.after)?;
    let subscription = state.calls().push().subscribe_after(after);
    let render_state = state.clone();
    let render = move |e: &PushEvent| {
        let mut shaped = answer(&render_state, &e.update);
        shaped.seq = Some(e.seq);
        let data = serde_json::to_string(&shaped).unwrap_or_default();
        Event::default()
            .event("call")
            .id(e.seq.to_string())
            .data(data)
    };
    let keep =
        move |e: &PushEvent| e.for_platform && e.platform == platform && p.can_post_for(&e.number);
    let stream = super::stream::events_as(subscription, keep, render);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

#[cfg(test)]
mod tests {
    use super::sip_status;

    #[test]
    fn a_rejection_answers_with_the_status_its_reason_starts_with() {
        assert_eq!(sip_status("486 Busy Here"), (486, "Busy Here".into()));
        assert_eq!(sip_status("603"), (603, "Temporarily Unavailable".into()));
        assert_eq!(sip_status("closed"), (480, "closed".into()));
        assert_eq!(sip_status("200 OK"), (480, "200 OK".into()));
        assert_eq!(
            sip_status("bad\r\nInjected: x"),
            (480, "badInjected: x".into())
        );
    }
}
