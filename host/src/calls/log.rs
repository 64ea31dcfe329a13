//! The call log: one record per call, under its company, with every offer and its outcome,
//! overflow actions, durations and every policy decision (with the inputs it was given, so a
//! decision can be replayed). Records are written durably when the call finishes.

use serde::{Deserialize, Serialize};
use switchyard_runtime::{Call, Candidate};

use super::trace::MemberTrace;
use crate::policy_input::{self, CandidateForm};

/// How one offer to one agent ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OfferOutcome {
    /// Still ringing (only in live views).
    Ringing,
    /// The agent answered.
    Answered,
    /// Rang out.
    NoAnswer,
    /// The agent declined.
    Declined,
    /// Another agent answered first, or the caller hung up.
    Withdrawn,
    /// No outcome arrived before the ring timeout (lost event); released by the host.
    Lapsed,
}

/// One offer of the call to one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The agent.
    pub agent_id: u64,
    /// Extension in this company.
    pub extension: String,
    /// Decision attempt that made the offer.
    pub attempt: u32,
    /// When it started ringing (unix ms).
    pub at_ms: u64,
    /// How long it rang.
    pub ring_ms: u64,
    /// How it ended.
    pub outcome: OfferOutcome,
}

/// An overflow decision taken for the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverflowRecord {
    /// When (unix ms).
    pub at_ms: u64,
    /// Why nobody could take the call (`all-busy`, `queue-timeout`, ...).
    pub reason: String,
    /// What was done (`queue`, `voicemail`, `forward-department`, ...).
    pub action: String,
    /// Detail of the action (mailbox, number, department id, max wait).
    pub detail: String,
    /// Policy answer or built-in fallback.
    pub source: String,
}

/// Which policy decided and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRun {
    /// Policy name (`built-in` when the company has none).
    pub name: String,
    /// Version number (0 for the built-in default).
    pub version: u32,
    /// `policy`, `built-in`, or `fallback:<failure-kind>`.
    pub source: String,
    /// Time spent in the policy, microseconds.
    pub elapsed_us: u64,
}

/// One routing decision with its inputs (for replay) and its trace.
///
/// Records logged under contract 0.1 (candidates with `extension` and skill names) are read
/// too: their skill names are interned into `input_call.skills` as the host does today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DecisionRecordForm")]
pub struct DecisionRecord {
    /// Trace id (`GET /v1/traces/{id}`).
    pub trace_id: String,
    /// Attempt number.
    pub attempt: u32,
    /// When (unix ms).
    pub at_ms: u64,
    /// The department decided for.
    pub department_id: u64,
    /// Policy and timing.
    pub policy: PolicyRun,
    /// `ring` or `overflow:<reason>`.
    pub decision: String,
    /// Every member of the department: offered or why not.
    pub members: Vec<MemberTrace>,
    /// The call exactly as given to the policy.
    pub input_call: Call,
    /// The candidates exactly as given to the policy.
    pub input_candidates: Vec<Candidate>,
}

/// A stored [`DecisionRecord`], of either contract version.
#[derive(Deserialize)]
struct DecisionRecordForm {
    trace_id: String,
    attempt: u32,
    at_ms: u64,
    department_id: u64,
    policy: PolicyRun,
    decision: String,
    members: Vec<MemberTrace>,
    #[serde(deserialize_with = "policy_input::call")]
    input_call: Call,
    input_candidates: Vec<CandidateForm>,
}

impl TryFrom<DecisionRecordForm> for DecisionRecord {
    type Error = String;

    fn try_from(form: DecisionRecordForm) -> Result<Self, String> {
        let (input_call, input_candidates) =
            policy_input::resolve(form.input_call, form.input_candidates)?;
        Ok(Self {
            trace_id: form.trace_id,
            attempt: form.attempt,
            at_ms: form.at_ms,
            department_id: form.department_id,
            policy: form.policy,
            decision: form.decision,
            members: form.members,
            input_call,
            input_candidates,
        })
    }
}

/// Final outcome of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CallOutcome {
    /// Answered and ended normally.
    Answered,
    /// The caller hung up before anyone answered.
    Abandoned,
    /// Sent to voicemail.
    Voicemail,
    /// Forwarded to an external number.
    Forwarded,
    /// Rejected by the overflow rules.
    Rejected,
    /// Connected longer than the maximum call duration without an `ended` event: ended by
    /// the host, the agent freed.
    Expired,
    /// Ended because the telephony platform's reconciliation no longer listed it.
    Reconciled,
    /// Ended by an administrator releasing the agent (see `released_by`).
    Released,
}

impl CallOutcome {
    /// Kebab-case name, as used in filters.
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Answered => "answered",
            CallOutcome::Abandoned => "abandoned",
            CallOutcome::Voicemail => "voicemail",
            CallOutcome::Forwarded => "forwarded",
            CallOutcome::Rejected => "rejected",
            CallOutcome::Expired => "expired",
            CallOutcome::Reconciled => "reconciled",
            CallOutcome::Released => "released",
        }
    }
}

/// The log record of one call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallLog {
    /// Sequence number, unique across the service (assigned when stored).
    pub seq: u64,
    /// Telephony call id.
    pub call_id: String,
    /// Company.
    pub company_id: u64,
    /// Dialled number.
    pub number: String,
    /// Caller id.
    pub caller: String,
    /// Department the call ended in.
    pub department_id: u64,
    /// When the call arrived (unix ms).
    pub started_ms: u64,
    /// When it finished (unix ms).
    pub ended_ms: u64,
    /// How it ended.
    pub outcome: CallOutcome,
    /// Who answered, with this company's extension.
    pub answered_by: Option<u64>,
    /// Extension of who answered.
    pub answered_extension: Option<String>,
    /// Who released the agent and so ended the call (outcome `released`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_by: Option<String>,
    /// Time from arrival to answer (or to the end if unanswered), ms.
    pub wait_ms: u64,
    /// Total ringing time across offers, ms.
    pub ring_ms: u64,
    /// Talk time, ms.
    pub talk_ms: u64,
    /// Every offer, in order.
    pub offers: Vec<Offer>,
    /// Every overflow decision, in order.
    pub overflows: Vec<OverflowRecord>,
    /// Every routing decision, in order.
    pub decisions: Vec<DecisionRecord>,
}

impl CallLog {
    /// A copy without the decisions (the stored form of a live call keeps them apart).
    pub fn without_decisions(&self) -> CallLog {
        CallLog {
            seq: self.seq,
            call_id: self.call_id.clone(),
            company_id: self.company_id,
            number: self.number.clone(),
            caller: self.caller.clone(),
            department_id: self.department_id,
            started_ms: self.started_ms,
            ended_ms: self.ended_ms,
            outcome: self.outcome,
            answered_by: self.answered_by,
            answered_extension: self.answered_extension.clone(),
            released_by: self.released_by.clone(),
            wait_ms: self.wait_ms,
            ring_ms: self.ring_ms,
            talk_ms: self.talk_ms,
            offers: self.offers.clone(),
            overflows: self.overflows.clone(),
            decisions: Vec::new(),
        }
    }

    /// Record how the latest ringing offer to `agent` ended.
    pub fn close_offer(&mut self, agent: u64, outcome: OfferOutcome, now_ms: u64) {
        if let Some(offer) = self
            .offers
            .iter_mut()
            .rev()
            .find(|o| o.agent_id == agent && o.outcome == OfferOutcome::Ringing)
        {
            offer.outcome = outcome;
            offer.ring_ms = now_ms.saturating_sub(offer.at_ms);
        }
    }

    /// Whether `agent` took part in this call (offered or answered).
    pub fn involves(&self, agent: u64) -> bool {
        self.answered_by == Some(agent) || self.offers.iter().any(|o| o.agent_id == agent)
    }
}
