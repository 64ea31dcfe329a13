//! Push channel: later decisions about a call (a queued call offered to a freed agent, a lapsed
//! offer moving on, a queue timing out) are published here and streamed to the telephony
//! platform as server-sent events; offers to an agent are streamed to that agent's own app
//! stream, for the companies whose notifications it has on.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use tokio::sync::broadcast;

use super::instruction::CallUpdate;

/// One published update.
#[derive(Debug, Clone, Serialize)]
pub struct PushEvent {
    /// Increasing sequence number (gaps mean a slow subscriber missed events).
    pub seq: u64,
    /// The number the call came in on (telephony subscribers are filtered by it).
    pub number: String,
    /// Agents this update concerns (offered, connected, withdrawn).
    pub agents: Vec<u64>,
    /// A later decision the platform has not been told yet (`false`: it was the answer to
    /// the platform's own request, published for agents' streams only).
    pub for_platform: bool,
    /// The update itself.
    pub update: CallUpdate,
}

/// Fan-out of call updates to every stream subscriber.
#[derive(Debug, Clone)]
pub struct PushHub {
    tx: broadcast::Sender<Arc<PushEvent>>,
    seq: Arc<AtomicU64>,
}

impl PushHub {
    /// A hub keeping up to `capacity` undelivered events per subscriber.
    pub fn new(capacity: usize) -> Self {
        let (tx, _) = broadcast::channel(capacity.max(16));
        Self {
            tx,
            seq: Arc::new(AtomicU64::new(1)),
        }
    }

    /// Publish an update (dropped silently when nobody listens).
    pub fn publish(&self, number: &str, agents: Vec<u64>, update: CallUpdate, for_platform: bool) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let event = PushEvent {
            seq,
            number: number.to_owned(),
            agents,
            for_platform,
            update,
        };
        let _ = self.tx.send(Arc::new(event));
    }

    /// A new subscription; it sees events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<PushEvent>> {
        self.tx.subscribe()
    }
}
