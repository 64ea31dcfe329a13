//! Deciding a call: ask the company's policy whom to ring, reserve those agents atomically
//! (one live call per agent across all companies), and when nobody can be rung ask the policy's
//! overflow rules and carry them out (queue, forward inside the company, voicemail, ...).

use std::sync::{Arc, Mutex};
use switchyard_directory::AgentId;

use switchyard_runtime::{Attribute, Decision, OverflowReason, RingMode, RingPlan};

use super::candidates::Prepared;
use super::center::{CallCenter, CallError, lock_call};
use super::decision_kind::DecisionKind;
use super::instruction::{CallUpdate, Instruction, Target};
use super::live::{Arrival, LiveCall, Plan, Stage};
use super::log::DecisionRecord;
use super::roster::CompanyInfo;
use super::trace::{MemberTrace, Reason, host_reason};

/// Extra time after a ring timeout before an offer with no reported outcome is released.
pub const OFFER_GRACE_MS: u64 = 5_000;
/// Decisions per department before the call overflows with `no-answer`.
pub const MAX_ATTEMPTS: u32 = 3;
/// Forwards between departments before the call goes to voicemail (stops loops).
pub const MAX_FORWARDS: u8 = 3;
/// Longest queue wait a policy may ask for.
pub const MAX_QUEUE_WAIT_MS: u32 = 3_600_000;

/// A new call from the telephony platform.
#[derive(Debug, Clone)]
pub struct IncomingCall {
    /// The platform posting it (its telephony token id; 0 for the operator).
    pub platform: u64,
    /// The platform's call id (unique among its live calls).
    pub call_id: String,
    /// Dialled E.164 number.
    pub number: String,
    /// Caller id.
    pub caller: String,
    /// Free-form attributes.
    pub attributes: Vec<Attribute>,
    /// The most phones the platform rings at once for one call (its fork limit): a
    /// simultaneous plan is offered to at most this many agents, the rest stay free for other
    /// calls. `None`: no limit.
    pub max_targets: Option<u16>,
}

/// How a decision starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// Ask the policy whom to ring; `after_failure` when earlier targets all failed.
    Route { after_failure: bool },
    /// Go straight to the overflow rules.
    Overflow(OverflowReason),
}

impl CallCenter {
    /// A new call: resolve the number to its company and department, decide, and answer with
    /// the first instruction.
    pub fn incoming(&self, req: IncomingCall, now_ms: u64) -> Result<CallUpdate, CallError> {
        let route = self
            .roster
            .resolve_number(&req.number)
            .ok_or_else(|| CallError::UnknownNumber(req.number.clone()))?;
        let company = self
            .roster
            .company(route.company)
            .ok_or_else(|| CallError::UnknownNumber(req.number.clone()))?;
        if !self
            .roster
            .department_exists(route.company, route.department)
        {
            return Err(CallError::MissingDepartment(route.department));
        }
        if self.live(req.platform, &req.call_id).is_some() {
            return Err(CallError::DuplicateCall(req.call_id));
        }
        let call_ref = self.new_call_ref()?;
        let seed = seed_of(&req.call_id, now_ms);
        let arrival = Arrival {
            platform: req.platform,
            call_id: req.call_id,
            company: route.company,
            number: req.number,
            caller: req.caller,
            department: route.department,
            attributes: req.attributes,
            max_targets: req.max_targets,
        };
        let pinned = self.policies.active(route.company);
        let shared = Arc::new(Mutex::new(LiveCall::new(
            call_ref, arrival, now_ms, seed, pinned,
        )));
        if !self.admit(&shared)? {
            let call_id = lock_call(&shared).call_id.clone();
            return Err(CallError::DuplicateCall(call_id));
        }
        let update = {
            let mut call = lock_call(&shared);
            let instruction = self.decide(
                &mut call,
                &company,
                Start::Route {
                    after_failure: false,
                },
                now_ms,
            );
            let update = self.conclude(&mut call, instruction, now_ms)?;
            self.publish(&call, update.clone(), false);
            update
        };
        self.commit()?;
        Ok(update)
    }

    /// Stage `update` for the streams (the platform's when `for_platform`, agents' always);
    /// a call still live is staged as it is now first.
    pub(crate) fn publish(&self, call: &LiveCall, update: CallUpdate, for_platform: bool) {
        let agents = update.agents();
        self.push
            .publish(&call.number, call.platform, agents, update, for_platform);
    }

    /// Run a decision for `call` and return what the platform must do. Handles forwards between
    /// departments of the same company itself.
    pub(crate) fn decide(
        &self,
        call: &mut LiveCall,
        company: &CompanyInfo,
        mut start: Start,
        now_ms: u64,
    ) -> Instruction {
        loop {
            let reason = match start {
                Start::Overflow(reason) => reason,
                Start::Route { after_failure } => match self.route_once(call, company, now_ms) {
                    Ok(instruction) => return instruction,
                    Err(reason) if after_failure && reason == OverflowReason::NoneAvailable => {
                        OverflowReason::NoAnswer
                    }
                    Err(reason) => reason,
                },
            };
            match self.overflow_once(call, company, reason, now_ms) {
                Ok(instruction) => return instruction,
                Err(department) => {
                    call.department = department;
                    call.log.department_id = department;
                    call.forwards += 1;
                    call.attempt = 1;
                    call.tried.clear();
                    start = Start::Route {
                        after_failure: false,
                    };
                }
            }
        }
    }

    /// Ask the policy whom to ring and offer the call. `Err` carries the overflow reason when
    /// nobody could be offered.
    pub(crate) fn route_once(
        &self,
        call: &mut LiveCall,
        company: &CompanyInfo,
        now_ms: u64,
    ) -> Result<Instruction, OverflowReason> {
        let prepared = self.prepare(call, company, now_ms);
        let answer = self.policies.route_pinned(
            call.company,
            &mut call.policy,
            &prepared.call,
            &prepared.candidates,
        );
        // Unique for the life of the database: call handles are never reused, and a call's
        // decisions are numbered in order (a queued retry that changes nothing is not kept).
        let trace_id = format!("t{}-{}", call.call_ref, call.log.decisions.len() + 1);
        let mut members: Vec<MemberTrace> = prepared
            .members
            .iter()
            .map(|m| {
                let reason = host_reason(m, &prepared.candidates, &call.tried)
                    .unwrap_or(Reason::NotChosenByPolicy);
                MemberTrace::new(m, reason)
            })
            .collect();
        let (result, decision) = match answer.value {
            Decision::Ring(plan) => {
                self.ring(call, &plan, &prepared, &mut members, &trace_id, now_ms)
            }
            Decision::Overflow(reason) => (Err(reason), DecisionKind::Overflow(reason)),
        };
        self.metrics.policy_latency(
            call.company,
            format!("{}@{}", answer.run.name, answer.run.version),
            answer.run.elapsed_us,
        );
        // Queued calls are retried whenever agents free up; a retry that changes nothing is
        // neither logged nor counted as a decision.
        if result.is_ok() || call.stage != Stage::Queued {
            let fallback = answer.run.source.is_fallback();
            self.metrics.decision(call.company, decision, fallback);
            call.last_trace = Some(trace_id.clone());
            call.log.decisions.push(DecisionRecord {
                trace_id,
                attempt: call.attempt,
                at_ms: now_ms,
                department_id: call.department,
                policy: answer.run,
                decision,
                members,
                input_call: prepared.call.into(),
                input_candidates: prepared.candidates.into_iter().map(Into::into).collect(),
            });
        }
        result
    }

    /// Carries out the policy's ring `plan`: offers the call to the targets still eligible
    /// in `members` and notes there who was offered, taken by another call meanwhile, or left
    /// over the platform's fork limit. The instruction (or `all-busy` when nobody could be
    /// reserved) and the decision's name for the log.
    fn ring(
        &self,
        call: &mut LiveCall,
        plan: &RingPlan,
        prepared: &Prepared,
        members: &mut [MemberTrace],
        trace_id: &str,
        now_ms: u64,
    ) -> (Result<Instruction, OverflowReason>, DecisionKind) {
        let eligible = |agent: AgentId| {
            members
                .iter()
                .any(|m| m.agent_id == agent && m.reason == Reason::NotChosenByPolicy)
        };
        let targets: Vec<Target> = plan
            .targets
            .iter()
            .filter(|t| eligible(AgentId(t.agent)))
            .filter_map(|t| {
                let m = prepared.members.iter().find(|m| m.agent.0 == t.agent)?;
                Some(Target {
                    agent_id: AgentId(t.agent),
                    extension: m.extension.clone(),
                    timeout_ms: t.timeout_ms,
                })
            })
            .collect();
        let chosen: Vec<AgentId> = if plan.mode == RingMode::Simultaneous {
            targets.iter().map(|t| t.agent_id).collect()
        } else {
            Vec::new()
        };
        call.plan = Some(Plan {
            mode: plan.mode,
            pending: targets,
            trace_id: trace_id.to_owned(),
        });
        let (offered, taken) = self.offer_next(call, now_ms);
        for m in members.iter_mut() {
            if offered.iter().any(|t| t.agent_id == m.agent_id) {
                m.set_reason(Reason::Offered);
            } else if taken.contains(&m.agent_id) {
                m.set_reason(Reason::TakenByAnotherCall);
            } else if over_limit(&chosen, m.agent_id, &offered, &taken) {
                m.set_reason(Reason::OverForkLimit);
            }
        }
        if offered.is_empty() {
            (Err(OverflowReason::AllBusy), DecisionKind::NobodyReservable)
        } else {
            (
                Ok(Instruction::Ring {
                    mode: plan.mode.into(),
                    targets: offered,
                }),
                DecisionKind::Ring,
            )
        }
    }

    /// Offer the call to the next targets of its plan: all of them (simultaneous) or the first
    /// one that can be reserved (sequential). Returns (offered, chosen but taken by another call).
    pub(crate) fn offer_next(
        &self,
        call: &mut LiveCall,
        now_ms: u64,
    ) -> (Vec<Target>, Vec<AgentId>) {
        let Some(plan) = call.plan.as_mut() else {
            return (Vec::new(), Vec::new());
        };
        let mut offered = Vec::new();
        let mut taken = Vec::new();
        // The registry's time of the reservation: never before the agents' previous calls
        // ended, even when another request changed them after this one read the clock.
        let mut offered_at = now_ms;
        match plan.mode {
            RingMode::Simultaneous => {
                // At most the platform's fork limit is offered: reserve in plan order, a
                // round for the places still open, until they are filled or the plan is out.
                // Targets past the limit are not offered and stay free for other calls.
                let limit = call.max_targets.map_or(usize::MAX, usize::from);
                let mut rest = std::mem::take(&mut plan.pending).into_iter();
                while offered.len() < limit {
                    let round: Vec<Target> = rest.by_ref().take(limit - offered.len()).collect();
                    if round.is_empty() {
                        break;
                    }
                    let ids: Vec<AgentId> = round.iter().map(|t| t.agent_id).collect();
                    let expiries: Vec<u64> = round
                        .iter()
                        .map(|t| now_ms + u64::from(t.timeout_ms) + OFFER_GRACE_MS)
                        .collect();
                    let reserved =
                        self.registry
                            .reserve(call.company, call.call_ref, &ids, now_ms, &expiries);
                    if !reserved.agents.is_empty() {
                        offered_at = reserved.at_ms;
                    }
                    for t in round {
                        if reserved.agents.contains(&t.agent_id) {
                            offered.push(t);
                        } else {
                            taken.push(t.agent_id);
                        }
                    }
                }
            }
            RingMode::Sequential => {
                while !plan.pending.is_empty() {
                    let t = plan.pending.remove(0);
                    let expiry = now_ms + u64::from(t.timeout_ms) + OFFER_GRACE_MS;
                    let reserved = self.registry.reserve(
                        call.company,
                        call.call_ref,
                        &[t.agent_id],
                        now_ms,
                        &[expiry],
                    );
                    if reserved.agents.is_empty() {
                        taken.push(t.agent_id);
                    } else {
                        offered_at = reserved.at_ms;
                        offered.push(t);
                        break;
                    }
                }
            }
        }
        call.note_offered(&offered, offered_at);
        (offered, taken)
    }
}

/// A per-call seed from the call id and arrival time (FNV-1a; stable across restarts).
fn seed_of(call_id: &str, now_ms: u64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in call_id.bytes().chain(now_ms.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Whether `agent`, chosen for a simultaneous plan, was left out by the platform's fork limit:
/// neither offered nor taken by another call.
fn over_limit(chosen: &[AgentId], agent: AgentId, offered: &[Target], taken: &[AgentId]) -> bool {
    chosen.contains(&agent)
        && !taken.contains(&agent)
        && !offered.iter().any(|t| t.agent_id == agent)
}
