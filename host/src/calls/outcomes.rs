//! Events the telephony platform reports about a call (no answer, declined, answered, ended,
//! abandoned) and what follows from each: the next target, a new decision with attempt + 1,
//! the overflow rules, wrap-up, and the call log.

use serde::Deserialize;
use switchyard_runtime::OverflowReason;

use super::center::{CallCenter, CallError, lock_call};
use super::instruction::{CallUpdate, Instruction};
use super::live::{LiveCall, Stage};
use super::log::{CallOutcome, OfferOutcome};
use super::routing::{MAX_ATTEMPTS, Start, close_offer, mode_name};

/// An event about a live call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CallEvent {
    /// The agent's phone rang out.
    NoAnswer {
        /// The agent.
        agent_id: u64,
    },
    /// The agent declined.
    Declined {
        /// The agent.
        agent_id: u64,
    },
    /// The agent answered: it is now on this call; every other offer is withdrawn.
    Answered {
        /// The agent.
        agent_id: u64,
    },
    /// The connected call ended; the agent enters the company's wrap-up.
    Ended,
    /// The caller hung up before being connected.
    Abandoned,
}

impl CallCenter {
    /// Apply an event to the live call `call_id` and answer with the next instruction.
    pub fn event(
        &self,
        call_id: &str,
        event: CallEvent,
        now_ms: u64,
    ) -> Result<CallUpdate, CallError> {
        let shared = self
            .live(call_id)
            .ok_or_else(|| CallError::UnknownCall(call_id.to_owned()))?;
        let mut freed = Vec::new();
        let update = {
            let mut call = lock_call(&shared);
            if call.stage == Stage::Finished {
                return Err(CallError::UnknownCall(call_id.to_owned()));
            }
            let instruction = self.apply(&mut call, event, now_ms, &mut freed)?;
            let update = self.conclude(&mut call, instruction, now_ms)?;
            self.push
                .publish(&call.number, update_agents(&update), update.clone(), false);
            update
        };
        self.dispatch(&freed, now_ms);
        Ok(update)
    }

    /// The agent logged out while being offered a call: move the call on, as for a lapsed
    /// offer, and push the next instruction to the platform.
    pub fn offer_withdrawn_by_logout(&self, agent: u64, call_ref: u64, now_ms: u64) {
        self.offer_gone(agent, call_ref, OfferOutcome::Withdrawn, now_ms);
    }

    /// An offer ran out without any event (lost message): treat it as no answer and push the
    /// next instruction to the platform.
    pub(crate) fn offer_lapsed(&self, agent: u64, call_ref: u64, now_ms: u64) {
        self.offer_gone(agent, call_ref, OfferOutcome::Lapsed, now_ms);
    }

    fn offer_gone(&self, agent: u64, call_ref: u64, outcome: OfferOutcome, now_ms: u64) {
        let Some(shared) = self.live_by_ref(call_ref) else {
            return;
        };
        let mut freed = Vec::new();
        let mut call = lock_call(&shared);
        if !call.ringing.contains(&agent) {
            return;
        }
        call.ringing.retain(|a| *a != agent);
        close_offer(&mut call.log, agent, outcome, now_ms);
        freed.push(agent);
        let instruction = self.after_offer_failed(&mut call, now_ms);
        let number = call.number.clone();
        match self.conclude(&mut call, instruction, now_ms) {
            Ok(update) => {
                let mut agents = update_agents(&update);
                agents.push(agent);
                self.push.publish(&number, agents, update, true);
            }
            Err(e) => tracing::error!(error = %e, "could not finish a call after a lapsed offer"),
        }
        drop(call);
        self.dispatch(&freed, now_ms);
    }

    fn apply(
        &self,
        call: &mut LiveCall,
        event: CallEvent,
        now_ms: u64,
        freed: &mut Vec<u64>,
    ) -> Result<Instruction, CallError> {
        match event {
            CallEvent::NoAnswer { agent_id } | CallEvent::Declined { agent_id } => {
                if !call.ringing.contains(&agent_id) {
                    return Err(CallError::Conflict(format!(
                        "agent {agent_id} is not ringing for call {}",
                        call.call_id
                    )));
                }
                self.registry.release(agent_id, call.call_ref, now_ms);
                call.ringing.retain(|a| *a != agent_id);
                let outcome = if matches!(event, CallEvent::Declined { .. }) {
                    OfferOutcome::Declined
                } else {
                    OfferOutcome::NoAnswer
                };
                close_offer(&mut call.log, agent_id, outcome, now_ms);
                freed.push(agent_id);
                Ok(self.after_offer_failed(call, now_ms))
            }
            CallEvent::Answered { agent_id } => {
                if !call.ringing.contains(&agent_id) {
                    return Err(CallError::Conflict(format!(
                        "agent {agent_id} is not being offered call {}",
                        call.call_id
                    )));
                }
                self.registry
                    .connect(agent_id, call.call_ref, now_ms)
                    .map_err(|e| CallError::Conflict(e.to_string()))?;
                let mut withdraw = Vec::new();
                for other in std::mem::take(&mut call.ringing) {
                    if other == agent_id {
                        close_offer(&mut call.log, other, OfferOutcome::Answered, now_ms);
                    } else {
                        self.registry.release(other, call.call_ref, now_ms);
                        close_offer(&mut call.log, other, OfferOutcome::Withdrawn, now_ms);
                        withdraw.push(other);
                        freed.push(other);
                    }
                }
                call.plan = None;
                call.stage = Stage::Connected { agent: agent_id };
                call.answered_ms = Some(now_ms);
                let extension = call
                    .log
                    .offers
                    .iter()
                    .rev()
                    .find(|o| o.agent_id == agent_id)
                    .map(|o| o.extension.clone())
                    .unwrap_or_default();
                call.log.answered_by = Some(agent_id);
                call.log.answered_extension = Some(extension.clone());
                Ok(Instruction::Connected {
                    agent_id,
                    extension,
                    withdraw,
                })
            }
            CallEvent::Ended => match call.stage {
                Stage::Connected { agent } => {
                    let company = self.roster.company(call.company).ok_or_else(|| {
                        CallError::Conflict("the call's company was deleted".into())
                    })?;
                    let local = super::clock::local_time(&company.time_zone, now_ms);
                    let wrap_ms = u64::from(company.wrap_up_secs) * 1_000;
                    let talk = self
                        .registry
                        .end(agent, call.call_ref, now_ms, wrap_ms, local.day)
                        .map_err(|e| CallError::Conflict(e.to_string()))?;
                    call.log.talk_ms = talk;
                    if wrap_ms == 0 {
                        freed.push(agent);
                    }
                    self.finish(call, CallOutcome::Answered, now_ms)?;
                    Ok(Instruction::Done)
                }
                _ => self.abandon(call, now_ms, freed),
            },
            CallEvent::Abandoned => match call.stage {
                Stage::Connected { .. } => Err(CallError::Conflict(
                    "the call is connected: post `ended` when it ends".into(),
                )),
                _ => self.abandon(call, now_ms, freed),
            },
        }
    }

    fn abandon(
        &self,
        call: &mut LiveCall,
        now_ms: u64,
        freed: &mut Vec<u64>,
    ) -> Result<Instruction, CallError> {
        freed.extend(call.ringing.iter().copied());
        self.finish(call, CallOutcome::Abandoned, now_ms)?;
        Ok(Instruction::Done)
    }

    /// Every current offer failed: ring the next target of the plan, or decide again with
    /// attempt + 1, or overflow with `no-answer` after the last attempt.
    pub(crate) fn after_offer_failed(&self, call: &mut LiveCall, now_ms: u64) -> Instruction {
        if !call.ringing.is_empty() {
            return Instruction::KeepRinging {
                agents: call.ringing.clone(),
            };
        }
        let (offered, _) = self.offer_next(call, now_ms);
        if !offered.is_empty() {
            let mode = call
                .plan
                .as_ref()
                .map(|p| mode_name(p.mode))
                .unwrap_or("sequential");
            return Instruction::Ring {
                mode: mode.to_owned(),
                targets: offered,
            };
        }
        let Some(company) = self.roster.company(call.company) else {
            return Instruction::Reject {
                reason: "company no longer exists".into(),
            };
        };
        call.attempt += 1;
        let start = if call.attempt > MAX_ATTEMPTS {
            Start::Overflow(OverflowReason::NoAnswer)
        } else {
            Start::Route {
                after_failure: true,
            }
        };
        self.decide(call, &company, start, now_ms)
    }
}

/// Agents an update concerns: those to ring, the one connected and those withdrawn.
pub(crate) fn update_agents(update: &CallUpdate) -> Vec<u64> {
    match &update.instruction {
        Instruction::Ring { targets, .. } => targets.iter().map(|t| t.agent_id).collect(),
        Instruction::Connected {
            agent_id, withdraw, ..
        } => {
            let mut v = vec![*agent_id];
            v.extend(withdraw);
            v
        }
        Instruction::KeepRinging { agents } => agents.clone(),
        _ => Vec::new(),
    }
}
