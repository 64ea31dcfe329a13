//! `CallCenter`: the call flow's state (live calls, agents' live state, queues, policies, push
//! hub) and the errors it reports. The steps of a call live in `routing.rs` (deciding and
//! offering), `outcomes.rs` (events from the platform) and `dispatch.rs` (queues and expiry).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use switchyard_directory::{AgentId, CompanyId, DepartmentId};

use super::journal::{JournalError, LiveChange, LiveJournal};
use super::live::LiveCall;
use super::log::DecisionRecord;
use super::policies::Policies;
use super::push::{PushHub, PushRelay};
use super::queue::Queues;
use super::registry::{AgentBook, CallRef, Registry};
use super::roster::Roster;

/// Default longest a connected call may last without an `ended` event: 4 hours.
pub const DEFAULT_MAX_CALL_MS: u64 = 4 * 3_600_000;

/// Settings of the call flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallSettings {
    /// A connected call is ended as `expired` (and its agent freed) this long after it was
    /// answered, when no `ended` event arrived.
    pub max_call_ms: u64,
}

impl Default for CallSettings {
    fn default() -> Self {
        Self {
            max_call_ms: DEFAULT_MAX_CALL_MS,
        }
    }
}

/// Errors of the call flow, each meant for the telephony platform to act on.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// No company holds the dialled number.
    #[error("number {0} is not mapped to any company")]
    UnknownNumber(String),
    /// The number's company has no such department any more.
    #[error("the number's department {0} does not exist")]
    MissingDepartment(DepartmentId),
    /// This platform already has a live call with this id.
    #[error("call {0} is already in progress")]
    DuplicateCall(String),
    /// No live call has this id.
    #[error("no call {0} is in progress")]
    UnknownCall(String),
    /// The event does not fit the call's state (late, duplicate, or about an agent not offered).
    #[error("{0}")]
    Conflict(String),
    /// Live state or a log could not be stored.
    #[error("storage failed")]
    Storage(#[from] JournalError),
    /// The agent is not engaged with a call of this company.
    #[error("agent {0} is not engaged with a call of this company")]
    NotEngaged(AgentId),
}

/// The call flow of the whole service. Its use cases, each ending with one durable commit:
///
/// - a new call: [`CallCenter::incoming`] (`routing.rs`, which also decides and offers;
///   `overflow.rs` carries out the overflow rules, `finish.rs` concludes and logs);
/// - an event about a call: [`CallCenter::event`] (`outcomes.rs`);
/// - an agent logging in or out: [`CallCenter::set_presence`], and the by-value views
///   [`CallCenter::status`] and [`CallCenter::live_calls`] (`status.rs`);
/// - queues and expiry: [`CallCenter::dispatch`], [`CallCenter::sweep`] (`dispatch.rs`);
/// - stuck calls: [`CallCenter::reconcile`], [`CallCenter::release_agent`] (`stuck.rs`);
/// - start-up: [`CallCenter::restore`] (`restore.rs`);
/// - reading: [`CallCenter::trace`] (here), [`CallCenter::diagnose`] (`diagnose.rs`), the
///   presence board [`CallCenter::board`] (`board.rs`).
pub struct CallCenter {
    pub(crate) roster: Arc<dyn Roster>,
    pub(crate) journal: Arc<dyn LiveJournal>,
    pub(crate) policies: Arc<Policies>,
    pub(crate) registry: Registry,
    /// Agents' live state shared by the nodes of a cluster (kept by a successor); `None`: in
    /// this process's memory.
    shared_agents: Option<Arc<dyn AgentBook>>,
    /// A cluster's feed of pushed updates (kept by a successor); `None`: pushed here only.
    relay: Option<Arc<dyn PushRelay>>,
    pub(crate) queues: Queues,
    pub(crate) push: PushHub,
    pub(crate) metrics: super::metrics::CallMetrics,
    pub(crate) settings: CallSettings,
    calls: Mutex<HashMap<CallRef, Arc<Mutex<LiveCall>>>>,
    by_id: Mutex<HashMap<(u64, String), CallRef>>,
    /// A commit failed: memory may be ahead of what is durable. The journal is fenced and
    /// this call flow is replaced by one restored from it ([`CallCenter::successor`]).
    poisoned: AtomicBool,
}

impl CallCenter {
    /// A call centre over the given directory, live-state journal and policies.
    pub fn new(
        roster: Arc<dyn Roster>,
        journal: Arc<dyn LiveJournal>,
        policies: Policies,
        settings: CallSettings,
    ) -> Self {
        Self::with_shared(roster, journal, Arc::new(policies), settings, None, None)
    }

    /// A call centre of one node of several serving one database: agents' live state is
    /// `agents`, shared by every node (`crate::cluster::SharedAgents`), and pushed updates go
    /// through the cluster's feed `relay`.
    pub fn clustered(
        roster: Arc<dyn Roster>,
        journal: Arc<dyn LiveJournal>,
        policies: Policies,
        settings: CallSettings,
        agents: Arc<dyn AgentBook>,
        relay: Arc<dyn PushRelay>,
    ) -> Self {
        Self::with_shared(
            roster,
            journal,
            Arc::new(policies),
            settings,
            Some(agents),
            Some(relay),
        )
    }

    fn with_shared(
        roster: Arc<dyn Roster>,
        journal: Arc<dyn LiveJournal>,
        policies: Arc<Policies>,
        settings: CallSettings,
        shared_agents: Option<Arc<dyn AgentBook>>,
        relay: Option<Arc<dyn PushRelay>>,
    ) -> Self {
        Self {
            roster,
            registry: match &shared_agents {
                Some(book) => Registry::over(Arc::clone(book)),
                None => Registry::with_journal(Arc::clone(&journal)),
            },
            shared_agents,
            push: PushHub::new(4096, Arc::clone(&journal)).relayed(relay.clone()),
            relay,
            journal,
            policies,
            queues: Queues::new(),
            metrics: super::metrics::CallMetrics::default(),
            settings,
            calls: Mutex::default(),
            by_id: Mutex::default(),
            poisoned: AtomicBool::new(false),
        }
    }

    /// An empty call flow over the same directory, policies and storage, to be restored
    /// ([`CallCenter::restore`]) and to replace this one after a failed commit.
    pub fn successor(&self) -> Self {
        Self::with_shared(
            Arc::clone(&self.roster),
            self.journal.reopen(),
            Arc::clone(&self.policies),
            self.settings,
            self.shared_agents.clone(),
            self.relay.clone(),
        )
    }

    /// Whether a commit failed, so this call flow must be replaced (see
    /// [`CallCenter::successor`]); it refuses every change meanwhile.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    /// Marks the call flow as no longer matching the database (its node lost the database's
    /// node lock, so another node may have served): it is fenced and replaced by one restored
    /// from the database, as after a failed commit.
    pub fn invalidate(&self) {
        self.poison("the database's node lock was lost");
    }

    /// Marks the call flow as not matching what is durable (`why`) and fences its journal.
    fn poison(&self, why: &str) {
        if !self.poisoned.swap(true, Ordering::AcqRel) {
            self.journal.fence();
            tracing::error!(
                why,
                "refusing requests until live state is restored from the database"
            );
        }
    }

    /// What the call flow reads from the directory.
    pub fn roster(&self) -> &dyn Roster {
        &*self.roster
    }

    /// Live state of all agents.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Companies' policies, shared with the call flows that replace this one.
    pub fn shared_policies(&self) -> Arc<Policies> {
        Arc::clone(&self.policies)
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

    /// Whether live state survives a restart.
    pub fn is_durable(&self) -> bool {
        self.journal.is_durable()
    }

    /// Make every change this use case staged durable, then release the pushed updates whose
    /// changes are durable now (this one's, and any another use case's sync covered). Every
    /// use case ends with it, before its answer is sent. When it fails the call flow is
    /// poisoned (its memory may hold changes that are not durable) until it is replaced.
    pub(crate) fn commit(&self) -> Result<(), CallError> {
        let synced = self
            .journal
            .sync()
            .and_then(|()| match self.registry.take_failure() {
                Some(e) => Err(JournalError::Store(e)),
                None => Ok(()),
            });
        self.push.release_durable();
        synced.map_err(|e| {
            tracing::error!(error = %e, "could not make live state durable");
            self.poison("a change could not be made durable");
            CallError::Storage(e)
        })
    }

    /// Stage the call as it is now, with the decisions made since it was last staged.
    pub(crate) fn stage_call(&self, call: &mut LiveCall) {
        let mut changes = Vec::with_capacity(2);
        let staged = call.staged_decisions as usize;
        for (i, d) in call.log.decisions.iter().enumerate().skip(staged) {
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            changes.push(LiveChange::Decision(
                call.call_ref,
                index,
                Box::new(d.clone()),
            ));
        }
        changes.push(LiveChange::Call(Box::new(super::stored::StoredCall::from(
            &*call,
        ))));
        match self.journal.stage(&mut changes) {
            Ok(()) => {
                call.staged_decisions = u32::try_from(call.log.decisions.len()).unwrap_or(u32::MAX);
            }
            Err(e) => {
                tracing::error!(call = %call.call_id, error = %e, "could not stage a live call")
            }
        }
    }

    pub(crate) fn new_call_ref(&self) -> Result<CallRef, CallError> {
        Ok(CallRef(self.journal.next_id()?))
    }

    /// The live call with telephony id `call_id` of `platform`.
    pub fn live(&self, platform: u64, call_id: &str) -> Option<Arc<Mutex<LiveCall>>> {
        let call_ref = *self
            .by_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(platform, call_id.to_owned()))?;
        self.live_by_ref(call_ref)
    }

    /// Register a new live call under its platform's id; `false` when that platform already
    /// has a live call with this id (here, or on another node sharing the database).
    pub(crate) fn admit(&self, call: &Arc<Mutex<LiveCall>>) -> Result<bool, CallError> {
        let (key, call_ref) = {
            let c = lock_call(call);
            ((c.platform, c.call_id.clone()), c.call_ref)
        };
        let taken = |key: &(u64, String)| {
            self.by_id
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .contains_key(key)
        };
        if taken(&key) || !self.journal.claim_call(key.0, &key.1, call_ref)? {
            return Ok(false);
        }
        let mut by_id = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        if by_id.contains_key(&key) {
            return Ok(false);
        }
        by_id.insert(key, call_ref);
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(call_ref, Arc::clone(call));
        Ok(true)
    }

    /// The live call with this handle, if it is live here.
    pub fn live_by_ref(&self, call_ref: CallRef) -> Option<Arc<Mutex<LiveCall>>> {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&call_ref)
            .cloned()
    }

    /// Every live call (in no particular order).
    pub(crate) fn all_live(&self) -> Vec<Arc<Mutex<LiveCall>>> {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    pub(crate) fn forget(&self, call_ref: CallRef, platform: u64, call_id: &str) {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&call_ref);
        let mut by_id = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        let key = (platform, call_id.to_owned());
        if by_id.get(&key) == Some(&call_ref) {
            by_id.remove(&key);
        }
    }

    /// A decision trace by id: from a live call, or from the stored logs. Returns the company.
    pub fn trace(&self, trace_id: &str) -> Option<(CompanyId, DecisionRecord)> {
        for call in self.all_live() {
            let call = lock_call(&call);
            if let Some(d) = call.log.decisions.iter().find(|d| d.trace_id == trace_id) {
                return Some((call.company, d.clone()));
            }
        }
        self.journal.logged_decision(trace_id)
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
