//! [`ClusterJournal`]: a cluster node's live-state journal. It keeps live calls in the shared
//! record trees like the single-node journal it wraps, and adds what several nodes need: a new
//! call claims its platform's call id for this node (`call_owners`), a finished call's claim
//! is dropped once its log is durable, and loading reads only this node's calls.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use switchyard_directory::{CompanyId, DepartmentId};

use switchyard_directory::RecordStore;

use crate::calls::registry::CallRef;
use crate::calls::{DecisionRecord, JournalError, LiveChange, LiveJournal, LiveSnapshot};

use super::owners::CallOwners;
use super::queue::{ClusterQueue, Queued};

/// A cluster node's journal: `inner` (the record trees) plus the calls' owners and the
/// cluster's queue index.
pub struct ClusterJournal {
    inner: Arc<dyn LiveJournal>,
    /// The record trees: their sync also makes this thread's lazy cluster writes durable.
    records: Arc<dyn RecordStore>,
    owners: CallOwners,
    queue: ClusterQueue,
    /// What changed since the last sync, written once it is durable.
    pending: Mutex<Pending>,
}

/// Changes for the cluster's tables, waiting for the sync that makes their calls durable.
#[derive(Debug, Default)]
struct Pending {
    /// Calls finished: their claims go.
    finished: Vec<CallRef>,
    /// Calls queued (or queued again) here.
    queued: HashMap<CallRef, Queued>,
    /// Calls that left the queue (offered, finished).
    dequeued: HashSet<CallRef>,
    /// Calls this node has in the cluster's queue index.
    listed: HashSet<CallRef>,
}

impl Pending {
    /// Notes `call` queued (`Some`) or not.
    fn queue(&mut self, call: CallRef, queued: Option<Queued>) {
        match queued {
            Some(q) => {
                self.dequeued.remove(&call);
                self.listed.insert(call);
                self.queued.insert(call, q);
            }
            None => {
                self.queued.remove(&call);
                if self.listed.remove(&call) {
                    self.dequeued.insert(call);
                }
            }
        }
    }
}

impl ClusterJournal {
    /// `inner` with this node's call claims in `owners` and its queued calls in `queue`.
    pub fn new(
        inner: Arc<dyn LiveJournal>,
        records: Arc<dyn RecordStore>,
        owners: CallOwners,
        queue: ClusterQueue,
    ) -> Self {
        Self {
            inner,
            records,
            owners,
            queue,
            pending: Mutex::new(Pending::default()),
        }
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl LiveJournal for ClusterJournal {
    fn is_durable(&self) -> bool {
        self.inner.is_durable()
    }

    fn load(&self) -> Result<LiveSnapshot, JournalError> {
        let owned = self.owners.owned().map_err(JournalError::Store)?;
        let mut snapshot = self.inner.load()?;
        // Agents live in the shared database (`SharedAgents`), not in the journal.
        snapshot.agents.clear();
        snapshot.stats.clear();
        snapshot
            .calls
            .retain(|(call, _)| owned.contains(&call.call_ref));
        let mut pending = self.pending();
        for (call, _) in &snapshot.calls {
            if call.waiting.is_some() {
                pending.listed.insert(call.call_ref);
            }
        }
        Ok(snapshot)
    }

    fn stage(&self, changes: &mut [LiveChange]) -> Result<(), JournalError> {
        self.inner.stage(changes)?;
        let mut pending = self.pending();
        for change in changes.iter() {
            match change {
                LiveChange::Call(call) => {
                    let queued = call.waiting.as_ref().map(|w| Queued {
                        call: call.call_ref,
                        company: call.company,
                        department: call.department,
                        priority: w.priority,
                        since_ms: w.since_ms,
                    });
                    pending.queue(call.call_ref, queued);
                }
                LiveChange::Finished { call, .. } => {
                    pending.queue(*call, None);
                    pending.finished.push(*call);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn sync(&self) -> Result<(), JournalError> {
        self.inner.sync()?;
        // Agents' state and claims this use case wrote without waiting for the WAL flush: the
        // records' sync did not run (nothing staged there) or ran before them.
        if switchyard_directory::pg::lazy_write_pending() {
            self.records.sync().map_err(JournalError::Store)?;
        }
        let (finished, queued, dequeued) = {
            let mut pending = self.pending();
            (
                std::mem::take(&mut pending.finished),
                std::mem::take(&mut pending.queued),
                std::mem::take(&mut pending.dequeued),
            )
        };
        // A claim left behind (the release failed) names a call with no live record: an
        // adopting node drops it, and meanwhile it only keeps that call id from being reused.
        if let Err(e) = self.owners.release(&finished) {
            tracing::warn!(error = %e, calls = finished.len(), "could not drop finished calls' claims");
        }
        if !queued.is_empty() || !dequeued.is_empty() {
            let queued: Vec<Queued> = queued.into_values().collect();
            let dequeued: Vec<CallRef> = dequeued.into_iter().collect();
            // Only fairness across nodes depends on it: a failure is logged, not the request's.
            if let Err(e) = self.queue.apply(&queued, &dequeued) {
                tracing::warn!(error = %e, "could not update the cluster's queue index");
            }
        }
        Ok(())
    }

    fn staged_count(&self) -> u64 {
        self.inner.staged_count()
    }

    fn synced_count(&self) -> u64 {
        self.inner.synced_count()
    }

    fn next_id(&self) -> Result<u64, JournalError> {
        self.inner.next_id()
    }

    fn logged_decision(&self, trace_id: &str) -> Option<(CompanyId, DecisionRecord)> {
        self.inner.logged_decision(trace_id)
    }

    fn fence(&self) {
        self.inner.fence();
    }

    fn reopen(&self) -> Arc<dyn LiveJournal> {
        Arc::new(Self::new(
            self.inner.reopen(),
            Arc::clone(&self.records),
            self.owners.clone(),
            self.queue.clone(),
        ))
    }

    fn claim_call(
        &self,
        platform: u64,
        call_id: &str,
        call: CallRef,
    ) -> Result<bool, JournalError> {
        self.owners
            .claim(platform, call_id, call)
            .map_err(JournalError::Store)
    }

    fn prune_claims(&self, restored: &[CallRef]) -> Result<(), JournalError> {
        self.owners.keep_only(restored).map_err(JournalError::Store)
    }

    fn queued_ahead(
        &self,
        departments: &[(CompanyId, DepartmentId)],
        priority: u8,
        since_ms: u64,
    ) -> bool {
        self.queue
            .ahead_elsewhere(departments, priority, since_ms)
            .unwrap_or_else(|e| {
                // Serving here is never wrong, only possibly out of order.
                tracing::warn!(error = %e, "could not read the cluster's queue index");
                false
            })
    }
}
