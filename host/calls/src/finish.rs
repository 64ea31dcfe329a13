//! Concluding a step of a call: the instruction becomes the platform's answer; a final one
//! (voicemail, forward to a number, reject) finishes the call, whose complete log is staged in
//! the same batch that forgets the live call; any other stages the call as it is now.

use super::center::{CallCenter, CallError};
use super::instruction::{CallUpdate, Instruction};
use super::journal::LiveChange;
use super::live::{LiveCall, Stage};
use super::log::{CallOutcome, OfferOutcome};

impl CallCenter {
    /// Turn an instruction into the platform's answer; a final instruction finishes the call
    /// and writes its log durably first.
    pub(crate) fn conclude(
        &self,
        call: &mut LiveCall,
        instruction: Instruction,
        now_ms: u64,
    ) -> Result<CallUpdate, CallError> {
        call.steps = call.steps.saturating_add(1);
        let update = CallUpdate {
            call_id: call.call_id.clone(),
            company_id: call.company,
            department_id: call.department,
            trace_id: call.last_trace.clone(),
            step: call.steps,
            instruction,
        };
        let outcome = match &update.instruction {
            Instruction::ForwardNumber { .. } => Some(CallOutcome::Forwarded),
            Instruction::Voicemail { .. } => Some(CallOutcome::Voicemail),
            Instruction::Reject { .. } => Some(CallOutcome::Rejected),
            _ => None,
        };
        match outcome {
            Some(outcome) => self.finish(call, outcome, now_ms)?,
            None if call.stage != Stage::Finished => self.stage_call(call),
            None => {}
        }
        Ok(update)
    }

    /// Finish the call: release whatever it still holds, complete its log and stage it in
    /// the same batch that forgets the live call (durable with the use case's commit).
    pub(crate) fn finish(
        &self,
        call: &mut LiveCall,
        outcome: CallOutcome,
        now_ms: u64,
    ) -> Result<(), CallError> {
        for agent in std::mem::take(&mut call.ringing) {
            self.registry.release(agent, call.call_ref, now_ms);
            call.log.close_offer(agent, OfferOutcome::Withdrawn, now_ms);
        }
        self.queues.remove(call.call_ref);
        call.waiting = None;
        call.plan = None;
        call.stage = Stage::Finished;
        let log = &mut call.log;
        log.outcome = outcome;
        log.ended_ms = now_ms;
        log.department_id = call.department;
        log.wait_ms = call
            .answered_ms
            .unwrap_or(now_ms)
            .saturating_sub(call.started_ms);
        log.ring_ms = log.offers.iter().map(|o| o.ring_ms).sum();
        let rest = call.log.without_decisions();
        let done = std::mem::replace(&mut call.log, rest);
        let mut change = [LiveChange::Finished {
            call: call.call_ref,
            decisions: call.staged_decisions,
            log: Box::new(done),
        }];
        let staged = self.journal.stage(&mut change);
        if let [LiveChange::Finished { log, .. }] = change {
            call.log.seq = log.seq;
            call.log.decisions = log.decisions;
        }
        self.forget(call.call_ref, call.platform, &call.call_id);
        staged.map_err(CallError::from)
    }
}
