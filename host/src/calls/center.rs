//! `CallCenter`: the call flow's state (live calls, agents' live state, queues, policies, push
//! hub) and the errors it reports. The steps of a call live in `routing.rs` (deciding and
//! offering), `outcomes.rs` (events from the platform) and `dispatch.rs` (queues and expiry).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::live::LiveCall;
use super::log::{CallLog, DecisionRecord};
use super::policies::Policies;
use super::push::PushHub;
use super::queue::Queues;
use super::registry::{CallRef, Registry};
use super::roster::Roster;

/// Durable storage of call logs.
pub trait CallLogStore: Send + Sync + 'static {
    /// Store a finished call's log durably (on disk before returning); assigns `log.seq`.
    fn append(&self, log: &mut CallLog) -> Result<(), String>;
    /// A decision (with its trace) from a stored log, by trace id.
    fn decision(&self, trace_id: &str) -> Option<(u64, DecisionRecord)>;
}

/// Errors of the call flow, each meant for the telephony platform to act on.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No company holds the dialled number.
    #[error("number {0} is not mapped to any company")]
    UnknownNumber(String),
    /// The number's company has no such department any more.
    #[error("the number's department {0} does not exist")]
    MissingDepartment(u64),
    /// A call with this id is already in progress.
    #[error("call {0} is already in progress")]
    DuplicateCall(String),
    /// No live call has this id.
    #[error("no call {0} is in progress")]
    UnknownCall(String),
    /// The event does not fit the call's state (late, duplicate, or about an agent not offered).
    #[error("{0}")]
    Conflict(String),
    /// The log could not be written.
    #[error("storage failed: {0}")]
    Storage(String),
}

/// The call flow of the whole service.
pub struct CallCenter {
    pub(crate) roster: Arc<dyn Roster>,
    pub(crate) logs: Arc<dyn CallLogStore>,
    pub(crate) policies: Policies,
    pub(crate) registry: Registry,
    pub(crate) queues: Queues,
    pub(crate) push: PushHub,
    pub(crate) metrics: super::metrics::CallMetrics,
    pub(crate) calls: Mutex<HashMap<CallRef, Arc<Mutex<LiveCall>>>>,
    pub(crate) by_id: Mutex<HashMap<String, CallRef>>,
    next_ref: AtomicU64,
    next_trace: AtomicU64,
}

impl CallCenter {
    /// A call centre over the given directory, log store and policies.
    pub fn new(roster: Arc<dyn Roster>, logs: Arc<dyn CallLogStore>, policies: Policies) -> Self {
        Self {
            roster,
            logs,
            policies,
            registry: Registry::new(),
            queues: Queues::new(),
            push: PushHub::new(4096),
            metrics: super::metrics::CallMetrics::default(),
            calls: Mutex::default(),
            by_id: Mutex::default(),
            next_ref: AtomicU64::new(1),
            next_trace: AtomicU64::new(1),
        }
    }

    /// Live state of all agents.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Companies' policies.
    pub fn policies(&self) -> &Policies {
        &self.policies
    }

    /// The push hub that streams later decisions.
    pub fn push(&self) -> &PushHub {
        &self.push
    }

    /// Decision counters.
    pub fn metrics(&self) -> &super::metrics::CallMetrics {
        &self.metrics
    }

    /// Waiting calls.
    pub fn queues(&self) -> &Queues {
        &self.queues
    }

    pub(crate) fn new_call_ref(&self) -> CallRef {
        self.next_ref.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn new_trace_id(&self, call_ref: CallRef) -> String {
        format!(
            "t{}-{}",
            call_ref,
            self.next_trace.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// The live call with telephony id `call_id`.
    pub fn live(&self, call_id: &str) -> Option<Arc<Mutex<LiveCall>>> {
        let call_ref = *self
            .by_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(call_id)?;
        self.live_by_ref(call_ref)
    }

    pub(crate) fn live_by_ref(&self, call_ref: CallRef) -> Option<Arc<Mutex<LiveCall>>> {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&call_ref)
            .cloned()
    }

    pub(crate) fn forget(&self, call_ref: CallRef, call_id: &str) {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&call_ref);
        let mut by_id = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        if by_id.get(call_id) == Some(&call_ref) {
            by_id.remove(call_id);
        }
    }

    /// A decision trace by id: from a live call, or from the stored logs. Returns the company.
    pub fn trace(&self, trace_id: &str) -> Option<(u64, DecisionRecord)> {
        let live: Vec<_> = self
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        for call in live {
            let call = call.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(d) = call.log.decisions.iter().find(|d| d.trace_id == trace_id) {
                return Some((call.company, d.clone()));
            }
        }
        self.logs.decision(trace_id)
    }

    /// Number of live calls (for metrics and tests).
    pub fn live_count(&self) -> usize {
        self.calls.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// Lock a live call, recovering from a poisoned lock (a panic cannot leave it half-changed in a
/// way that matters more than losing the call).
pub(crate) fn lock_call(call: &Mutex<LiveCall>) -> std::sync::MutexGuard<'_, LiveCall> {
    call.lock().unwrap_or_else(|p| p.into_inner())
}
