//! Events the telephony platform reports about a call (no answer, declined, answered, ended,
//! abandoned) and what follows from each: the next target, a new decision with attempt + 1,
//! the overflow rules, wrap-up, and the call log.

use super::registry::CallRef;
use serde::{Deserialize, Serialize};
use switchyard_directory::AgentId;
use switchyard_runtime::OverflowReason;

use super::center::{CallCenter, CallError, lock_call};
use super::instruction::{CallUpdate, Instruction};
use super::live::{LiveCall, Stage};
use super::log::{CallOutcome, OfferOutcome};
use super::routing::{MAX_ATTEMPTS, Start};

/// An event about a live call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum CallEvent {
    /// The agent's phone rang out.
    NoAnswer {
        /// The agent.
        agent_id: AgentId,
    },
    /// The agent declined.
    Declined {
        /// The agent.
        agent_id: AgentId,
    },
    /// The agent answered: it is now on this call; every other offer is withdrawn.
    Answered {
        /// The agent.
        agent_id: AgentId,
    },
    /// The connected call ended; the agent enters the company's wrap-up.
    Ended,
    /// The caller hung up before being connected.
    Abandoned,
}

impl CallCenter {
    /// Apply an event to `platform`'s live call `call_id` and answer with the next
    /// instruction, once every change it made is durable.
    pub fn event(
        &self,
        platform: u64,
        call_id: &str,
        event: CallEvent,
        now_ms: u64,
    ) -> Result<CallUpdate, CallError> {
        let shared = self
            .live(platform, call_id)
            .ok_or_else(|| CallError::UnknownCall(call_id.to_owned()))?;
        let mut freed = Vec::new();
        let update = {
            let mut call = lock_call(&shared);
            if call.stage == Stage::Finished {
                return Err(CallError::UnknownCall(call_id.to_owned()));
            }
            let instruction = self.apply(&mut call, event, now_ms, &mut freed)?;
            let update = self.conclude(&mut call, instruction, now_ms)?;
            self.publish(&call, update.clone(), false);
            update
        };
        self.dispatch(&freed, now_ms);
        self.commit()?;
        Ok(update)
    }

    /// An offer ended without an event from the platform (it lapsed, the agent logged out, an
    /// administrator released the agent): move the call on and push the next instruction to
    /// the platform. The caller commits.
    pub(crate) fn offer_gone(
        &self,
        agent: AgentId,
        call_ref: CallRef,
        outcome: OfferOutcome,
        now_ms: u64,
    ) {
        let Some(shared) = self.live_by_ref(call_ref) else {
            return;
        };
        let mut call = lock_call(&shared);
        if !call.ringing.contains(&agent) {
            return;
        }
        self.registry.release(agent, call_ref, now_ms);
        call.ringing.retain(|a| *a != agent);
        call.log.close_offer(agent, outcome, now_ms);
        let instruction = self.after_offer_failed(&mut call, now_ms);
        match self.conclude(&mut call, instruction, now_ms) {
            Ok(update) => {
                let mut agents = update.agents();
                agents.push(agent);
                self.push
                    .publish(&call.number, call.platform, agents, update, true);
            }
            Err(e) => tracing::error!(error = %e, "could not finish a call after a lost offer"),
        }
        drop(call);
        self.dispatch(&[agent], now_ms);
    }

    /// End a connected call on the host's side (expired, reconciled, released by an
    /// administrator): the agent enters wrap-up, today's counters move, the call is logged.
    pub(crate) fn end_connected(
        &self,
        call: &mut LiveCall,
        outcome: CallOutcome,
        now_ms: u64,
        freed: &mut Vec<AgentId>,
    ) -> Result<Instruction, CallError> {
        let Stage::Connected { agent } = call.stage else {
            return Err(CallError::Conflict(format!(
                "call {} is not connected",
                call.call_id
            )));
        };
        let (wrap_ms, day) = match self.roster.company(call.company) {
            Some(company) => (
                u64::from(company.wrap_up_secs) * 1_000,
                super::clock::local_time(&company.time_zone, now_ms).day,
            ),
            // The company is gone: no wrap-up in it, and its counters no longer matter.
            None => (0, 0),
        };
        match self
            .registry
            .end(agent, call.call_ref, now_ms, wrap_ms, day)
        {
            Ok(talk) => {
                call.log.talk_ms = talk;
                if wrap_ms == 0 {
                    freed.push(agent);
                }
            }
            // Released by an administrator already: the talk time is up to now.
            Err(_) => {
                call.log.talk_ms = now_ms.saturating_sub(call.answered_ms.unwrap_or(now_ms));
            }
        }
        self.finish(call, outcome, now_ms)?;
        Ok(Instruction::Done)
    }

    fn apply(
        &self,
        call: &mut LiveCall,
        event: CallEvent,
        now_ms: u64,
        freed: &mut Vec<AgentId>,
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
                call.log.close_offer(agent_id, outcome, now_ms);
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
                        call.log.close_offer(other, OfferOutcome::Answered, now_ms);
                    } else {
                        self.registry.release(other, call.call_ref, now_ms);
                        call.log.close_offer(other, OfferOutcome::Withdrawn, now_ms);
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
                Stage::Connected { .. } => {
                    self.end_connected(call, CallOutcome::Answered, now_ms, freed)
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
        freed: &mut Vec<AgentId>,
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
        let mode = call.plan.as_ref().map(|p| p.mode);
        let (offered, _) = self.offer_next(call, now_ms);
        if let (false, Some(mode)) = (offered.is_empty(), mode) {
            return Instruction::Ring {
                mode: mode.into(),
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
