//! A call in progress: where it is in its life (ringing, connected, queued), its current ring
//! plan and offers, and the log record being built for it.

use switchyard_directory::{AgentId, CompanyId, DepartmentId};
use switchyard_runtime::{Attribute, RingMode};

use std::sync::Arc;

use super::instruction::Target;
use super::log::{CallLog, CallOutcome, Offer, OfferOutcome};
use super::policies::ActivePolicy;
use super::queue::Waiting;
use super::registry::CallRef;

/// Where a live call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Offered to agents (the current offers are in `ringing`).
    Ringing,
    /// Connected to an agent.
    Connected {
        /// Who answered.
        agent: AgentId,
    },
    /// Waiting in its department's queue.
    Queued,
    /// Finished; the log is written.
    Finished,
}

/// The remaining plan of the current decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// How targets are rung.
    pub mode: RingMode,
    /// Targets not yet offered, in order.
    pub pending: Vec<Target>,
    /// Trace id of the decision that made the plan.
    pub trace_id: String,
}

/// A call in progress.
#[derive(Debug, Clone)]
pub struct LiveCall {
    /// Host handle.
    pub call_ref: CallRef,
    /// The telephony platform that posted the call (its token id; 0 for the operator): call
    /// ids are the platform's own, unique only among its calls.
    pub platform: u64,
    /// Telephony platform's call id.
    pub call_id: String,
    /// Company.
    pub company: CompanyId,
    /// Dialled number.
    pub number: String,
    /// Caller id.
    pub caller: String,
    /// Department currently handling the call.
    pub department: DepartmentId,
    /// Attributes from the telephony platform.
    pub attributes: Vec<Attribute>,
    /// The most agents the platform can ring at once for this call (its SIP server's fork
    /// limit): a simultaneous plan offers at most this many. `None`: no limit.
    pub max_targets: Option<u16>,
    /// Current decision attempt (1-based).
    pub attempt: u32,
    /// Agents already offered the call.
    pub tried: Vec<AgentId>,
    /// Forwards between departments so far (bounded to stop loops).
    pub forwards: u8,
    /// Where the call is.
    pub stage: Stage,
    /// Remaining plan.
    pub plan: Option<Plan>,
    /// Agents currently ringing for this call.
    pub ringing: Vec<AgentId>,
    /// Its place in the queue, while queued.
    pub waiting: Option<Waiting>,
    /// When the call arrived (unix ms).
    pub started_ms: u64,
    /// When it was answered.
    pub answered_ms: Option<u64>,
    /// Random seed for the policy (derived from the call).
    pub seed: u64,
    /// The policy the call is pinned to: the one active when it arrived. Every decision of
    /// the call is made by it.
    pub policy: Pinned,
    /// Trace id of the latest decision.
    pub last_trace: Option<String>,
    /// Instructions given for the call so far (the latest one's `step`).
    pub steps: u32,
    /// How many of `log.decisions` are staged in the journal already.
    pub staged_decisions: u32,
    /// The log record being built.
    pub log: CallLog,
}

/// The policy a call is pinned to.
#[derive(Clone)]
pub enum Pinned {
    /// The company had no policy when the call arrived: the built-in default decides.
    BuiltIn,
    /// This version decides.
    Policy(Arc<ActivePolicy>),
    /// Restored after a restart: version `0` is loaded on the call's next decision (if it
    /// is no longer active, the active version decides, and the trace says which).
    Restored(u32),
}

impl Pinned {
    /// The pinned version (0: the built-in default).
    pub fn version(&self) -> u32 {
        match self {
            Pinned::BuiltIn => 0,
            Pinned::Policy(p) => p.version,
            Pinned::Restored(v) => *v,
        }
    }
}

impl std::fmt::Debug for Pinned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pinned::BuiltIn => f.write_str("BuiltIn"),
            Pinned::Policy(p) => write!(f, "Policy({}@{})", p.name, p.version),
            Pinned::Restored(v) => write!(f, "Restored({v})"),
        }
    }
}

/// Where a new call comes from and goes to.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// The platform that posted it.
    pub platform: u64,
    /// Telephony call id.
    pub call_id: String,
    /// Company holding the number.
    pub company: CompanyId,
    /// Dialled number.
    pub number: String,
    /// Caller id.
    pub caller: String,
    /// Entry department.
    pub department: DepartmentId,
    /// Platform attributes.
    pub attributes: Vec<Attribute>,
    /// The platform's fork limit for this call (see [`LiveCall::max_targets`]).
    pub max_targets: Option<u16>,
}

impl LiveCall {
    /// A call that just arrived, not yet decided.
    pub fn new(
        call_ref: CallRef,
        arrival: Arrival,
        now_ms: u64,
        seed: u64,
        policy: Option<Arc<ActivePolicy>>,
    ) -> Self {
        let log = CallLog {
            seq: 0,
            call_id: arrival.call_id.clone(),
            company_id: arrival.company,
            number: arrival.number.clone(),
            caller: arrival.caller.clone(),
            department_id: arrival.department,
            started_ms: now_ms,
            ended_ms: now_ms,
            outcome: CallOutcome::Abandoned,
            answered_by: None,
            answered_extension: None,
            released_by: None,
            wait_ms: 0,
            ring_ms: 0,
            talk_ms: 0,
            offers: Vec::new(),
            overflows: Vec::new(),
            decisions: Vec::new(),
        };
        Self {
            call_ref,
            platform: arrival.platform,
            call_id: arrival.call_id,
            company: arrival.company,
            number: arrival.number,
            caller: arrival.caller,
            department: arrival.department,
            attributes: arrival.attributes,
            max_targets: arrival.max_targets,
            attempt: 1,
            tried: Vec::new(),
            forwards: 0,
            stage: Stage::Ringing,
            plan: None,
            ringing: Vec::new(),
            waiting: None,
            started_ms: now_ms,
            answered_ms: None,
            seed,
            policy: policy.map_or(Pinned::BuiltIn, Pinned::Policy),
            last_trace: None,
            steps: 0,
            staged_decisions: 0,
            log,
        }
    }

    /// Notes the call `offered` to these targets at `at_ms`: ringing them, tried, and an offer
    /// each in the log; the call rings when any was offered.
    pub(crate) fn note_offered(&mut self, offered: &[Target], at_ms: u64) {
        for t in offered {
            self.ringing.push(t.agent_id);
            if !self.tried.contains(&t.agent_id) {
                self.tried.push(t.agent_id);
            }
            self.log.offers.push(Offer {
                agent_id: t.agent_id,
                extension: t.extension.clone(),
                attempt: self.attempt,
                at_ms,
                ring_ms: 0,
                outcome: OfferOutcome::Ringing,
            });
        }
        if !offered.is_empty() {
            self.stage = Stage::Ringing;
        }
    }
}
