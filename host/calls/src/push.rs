//! Push channel: later decisions about a call (a queued call offered to a freed agent, a lapsed
//! offer moving on, a queue timing out) are published here and streamed to the telephony
//! platform as server-sent events; offers to an agent are streamed to that agent's own app
//! stream, for the companies whose notifications it has on.
//!
//! An update is first *staged* (it gets its sequence number, unique for the life of the
//! database, and the journal's count of staged batches, which covers the change it describes)
//! and *released* to subscribers, in order, once the journal has made that many batches
//! durable, so nobody is told about a change a crash could undo. The latest released updates are kept,
//! so a subscriber that reconnects (`Last-Event-ID`) gets what it missed, including what was
//! decided at start-up for deadlines that passed while the service was down.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use switchyard_directory::AgentId;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use super::instruction::CallUpdate;
use super::journal::LiveJournal;

/// How many released updates are kept for subscribers that reconnect.
pub const RETAINED: usize = 8192;

/// One published update.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushEvent {
    /// Sequence number: increasing, unique for the life of the database (not contiguous).
    pub seq: u64,
    /// The number the call came in on (telephony subscribers are filtered by it).
    pub number: String,
    /// The platform that posted the call (its telephony token id; 0 for the operator).
    pub platform: u64,
    /// Agents this update concerns (offered, connected, withdrawn).
    pub agents: Vec<AgentId>,
    /// A later decision the platform has not been told yet (`false`: it was the answer to
    /// the platform's own request, published for agents' streams only).
    pub for_platform: bool,
    /// The update itself.
    pub update: CallUpdate,
}

/// Where a cluster node's released updates go instead of straight to its own subscribers: the
/// cluster's feed, which puts every node's updates in one order and hands each of them to every
/// node's hub ([`PushHub::deliver`]), so a subscriber connected to any node gets what any node
/// decided.
pub trait PushRelay: Send + Sync + 'static {
    /// Takes `events`, released in this order (called under the hub's lock: must not block).
    fn relay(&self, events: Vec<Arc<PushEvent>>);
}

/// Fan-out of call updates to every stream subscriber.
#[derive(Clone)]
pub struct PushHub {
    tx: broadcast::Sender<Arc<PushEvent>>,
    inner: Arc<Mutex<Queued>>,
    journal: Arc<dyn LiveJournal>,
    /// A cluster's feed: released updates go there, and come back through `deliver`.
    relay: Option<Arc<dyn PushRelay>>,
}

#[derive(Default)]
struct Queued {
    /// Staged, waiting for durability, in sequence order, each with the count of staged
    /// batches that must be durable first (never decreasing along the queue).
    pending: VecDeque<(u64, Arc<PushEvent>)>,
    /// Released most recently, oldest first (at most [`RETAINED`]).
    recent: VecDeque<Arc<PushEvent>>,
    /// The latest sequence number handed out.
    last_seq: u64,
}

impl std::fmt::Debug for PushHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushHub").finish_non_exhaustive()
    }
}

/// What a new subscriber gets: the retained updates after its last one, then the live feed.
pub struct Subscription {
    /// Released updates it missed, in order.
    pub backlog: Vec<Arc<PushEvent>>,
    /// Updates released from now on.
    pub live: broadcast::Receiver<Arc<PushEvent>>,
}

impl PushHub {
    /// A hub keeping up to `capacity` undelivered events per subscriber, numbering updates
    /// with `journal`'s ids.
    pub fn new(capacity: usize, journal: Arc<dyn LiveJournal>) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(16));
        Self {
            tx,
            inner: Arc::default(),
            journal,
            relay: None,
        }
    }

    /// This hub with its released updates sent to `relay` (a cluster node's).
    #[must_use]
    pub fn relayed(mut self, relay: Option<Arc<dyn PushRelay>>) -> Self {
        self.relay = relay;
        self
    }

    /// Hands `event` (released by some node of the cluster, numbered in the cluster's order)
    /// to this node's subscribers and keeps it for those that reconnect.
    pub fn deliver(&self, event: Arc<PushEvent>) {
        let mut inner = self.lock();
        inner.last_seq = inner.last_seq.max(event.seq);
        Self::send(&self.tx, &mut inner, event);
    }

    /// Sends `event` to the subscribers and keeps it among the recent ones (under the lock,
    /// so a new subscriber's backlog and feed never overlap).
    fn send(tx: &broadcast::Sender<Arc<PushEvent>>, inner: &mut Queued, event: Arc<PushEvent>) {
        let _nobody_listening = tx.send(Arc::clone(&event));
        if inner.recent.len() >= RETAINED {
            inner.recent.pop_front();
        }
        inner.recent.push_back(event);
    }

    fn lock(&self) -> MutexGuard<'_, Queued> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stage an update; subscribers get it once [`PushHub::release`] covers it.
    pub fn publish(
        &self,
        number: &str,
        platform: u64,
        agents: Vec<AgentId>,
        update: CallUpdate,
        for_platform: bool,
    ) {
        let mut inner = self.lock();
        let seq = match self.journal.next_id() {
            Ok(id) => id.max(inner.last_seq + 1),
            Err(e) => {
                tracing::error!(error = %e, "no durable id for a pushed update; numbering on");
                inner.last_seq + 1
            }
        };
        inner.last_seq = seq;
        let ticket = self.journal.staged_count();
        inner.pending.push_back((
            ticket,
            Arc::new(PushEvent {
                seq,
                number: number.to_owned(),
                platform,
                agents,
                for_platform,
                update,
            }),
        ));
    }

    /// Release to subscribers, in order, every staged update whose change is durable now.
    pub fn release_durable(&self) {
        let durable = self.journal.synced_count();
        let mut inner = self.lock();
        let mut relayed = Vec::new();
        while inner
            .pending
            .front()
            .is_some_and(|(ticket, _)| *ticket <= durable)
        {
            let Some((_, event)) = inner.pending.pop_front() else {
                break;
            };
            match &self.relay {
                Some(_) => relayed.push(event),
                None => Self::send(&self.tx, &mut inner, event),
            }
        }
        // Under the lock too, so the feed gets this node's updates in their order.
        if let Some(relay) = &self.relay
            && !relayed.is_empty()
        {
            relay.relay(relayed);
        }
    }

    /// A new subscription: the retained updates numbered after `after` (none when `None`),
    /// then every update released from now on.
    pub fn subscribe_after(&self, after: Option<u64>) -> Subscription {
        let inner = self.lock();
        let backlog = match after {
            Some(after) => inner
                .recent
                .iter()
                .filter(|e| e.seq > after)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        Subscription {
            backlog,
            live: self.tx.subscribe(),
        }
    }

    /// A new subscription to updates released from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<PushEvent>> {
        self.subscribe_after(None).live
    }
}
