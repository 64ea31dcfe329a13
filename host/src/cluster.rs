//! Several nodes serving one PostgreSQL database at once (`switchyard serve --store postgres://…
//! --cluster`), behind any HTTP load balancer.
//!
//! - `agents`: agents' live state in the database ([`SharedAgents`]); the one-live-call rule is
//!   a conditional update there, so two nodes never book one agent twice (`agent_rows`: that
//!   state as columns).
//! - `owners`: which node holds each live call ([`CallOwners`]); `journal`: the node's journal
//!   ([`ClusterJournal`]), which claims new calls and loads only this node's.
//! - `feed`: every node's pushed updates in one order, delivered to every node's subscribers.
//! - `queue`: every node's queued calls, so queues stay fair across nodes ([`ClusterQueue`]).
//! - `revision`: a directory change or a policy activation on one node is seen by every
//!   node's next decision ([`Revision`]).
//! - `handover`: the first cluster node on a database a single node served takes over what it
//!   left (agents' state, live calls).
//! - `members`: joining (`nodes`) and heartbeats; `adoption`: adopting the calls of a node
//!   that stopped answering (exactly one live node wins each dead node); `standing`: whether
//!   this node may act (its heartbeats are recent) and whether it is adopting.

pub mod adoption;
mod agent_rows;
pub mod agents;
pub mod feed;
pub mod handover;
pub mod journal;
pub mod members;
pub mod owners;
pub mod queue;
pub mod revision;
pub mod standing;

use std::sync::Arc;

use switchyard_directory::pg::Pg;

pub use agents::SharedAgents;
pub use journal::ClusterJournal;
pub use owners::CallOwners;
pub use queue::ClusterQueue;
pub use revision::Revision;
pub use standing::Standing;

/// How long a request forwarded to another node may take (a decision, a database write and
/// the way back); the forwarding itself is the HTTP layer's (`http/forward.rs`).
pub const FORWARD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// This node's place in the cluster: its id, its URL, and the database they share.
#[derive(Debug, Clone)]
pub struct ClusterNode {
    /// The shared database.
    pub pg: Arc<Pg>,
    /// Sessions on it that commit without waiting for the WAL flush: the writes of a use case
    /// there are made durable by its commit ([`write_lazily`]).
    pub lazy: Arc<Pg>,
    /// Heartbeats' own connection, so that neither requests nor adoption work hold one up.
    pub beats: Arc<Pg>,
    /// This node's id (unique for the life of the database).
    pub id: u64,
    /// The URL other nodes forward requests to.
    pub url: String,
    /// The live calls' owners.
    pub owners: CallOwners,
    /// Every node's queued calls.
    pub queue: ClusterQueue,
    /// The client requests are forwarded with.
    pub client: reqwest::Client,
    /// The cluster's revision as this node's caches reflect it.
    pub revision: Arc<Revision>,
    /// Whether this node may act now, and whether it is adopting another node's calls.
    pub standing: Arc<Standing>,
}

/// What this node's cluster tasks (heartbeats, adoption, the feed) act on: its call flow in
/// service and what catching up with other nodes' changes refreshes.
#[derive(Clone)]
pub struct Served {
    /// The call flow in service.
    pub calls: crate::calls::InService,
    /// The tenant directory (its caches follow other nodes' changes).
    pub directory: Arc<switchyard_directory::Directory>,
    /// Uploaded policies.
    pub policies: crate::policy::PolicyStore,
    /// The call flow's active policies.
    pub live_policies: Arc<crate::calls::Policies>,
}

impl Served {
    /// Catches up with directory changes and policy activations other nodes made (see
    /// [`Revision`]); whether there were any.
    pub fn catch_up(&self, node: &ClusterNode) -> Result<bool, ClusterError> {
        node.revision
            .catch_up(&self.directory, &self.policies, &self.live_policies)
    }
}

/// Why a cluster step failed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The cluster's tables could not be read or changed.
    #[error("the cluster's tables could not be read or changed")]
    Store(#[source] switchyard_directory::StoreError),
    /// The active policies could not be read.
    #[error("the active policies could not be read")]
    Policies(#[source] crate::policy::PolicyError),
    /// A dead node's calls could not be carried on here.
    #[error("a dead node's calls could not be restored here")]
    Adopt(#[source] crate::calls::CallError),
    /// A cluster step's task panicked.
    #[error("a cluster step panicked: {0}")]
    Panicked(String),
}

/// Runs the write `work` on `lazy` (a session that commits without waiting for the WAL flush)
/// and notes it on this thread, so the use case's commit (the journal's sync on the same thread)
/// waits for the flush once for all of them, as for the live calls' own records.
pub(crate) fn write_lazily<T>(
    lazy: &Pg,
    work: impl AsyncFn(&mut switchyard_directory::pg::Conn) -> Result<T, tokio_postgres::Error>,
) -> Result<T, switchyard_directory::StoreError> {
    let done = lazy.run(work);
    if done.is_ok() {
        switchyard_directory::pg::note_lazy_write();
    }
    done
}

/// An id or time as the database keeps it.
pub(crate) fn db(value: impl Into<u64>) -> i64 {
    i64::try_from(value.into()).unwrap_or(i64::MAX)
}

/// An id or time read from the database.
pub(crate) fn id<T: From<u64>>(value: i64) -> T {
    T::from(u64::try_from(value).unwrap_or(0))
}
