//! [`AppState`]: what every request handler shares: the directory, the call centre, the call
//! log book, the policy store and the request counters. Cheap to clone: one `Arc` inside. How
//! handlers run work on it (the blocking pool, errors as the API's) is the HTTP layer's, in
//! `http/state.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use switchyard_directory::Directory;

use crate::calls::{CallCenter, InService};
use crate::logbook::LogBook;
use crate::policy::PolicyStore;

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    directory: Arc<Directory>,
    /// The call flow; replaced by one restored from the database after a failed commit.
    calls: InService,
    logbook: LogBook,
    policies: PolicyStore,
    /// The call flow's active policies (shared by every call flow that replaces another).
    live_policies: Arc<crate::calls::Policies>,
    http_metrics: crate::request_counts::RequestCounts,
    /// Whether this node holds its store (always, on sled; PostgreSQL: its node lock).
    serving: Arc<AtomicBool>,
    /// This node's place in a cluster (`--cluster`), set once at start.
    cluster: std::sync::OnceLock<crate::cluster::ClusterNode>,
}

impl AppState {
    /// State over an open directory and the service's parts.
    pub fn new(
        directory: Arc<Directory>,
        calls: Arc<CallCenter>,
        logbook: LogBook,
        policies: PolicyStore,
    ) -> Self {
        let live_policies = calls.shared_policies();
        Self {
            inner: Arc::new(Inner {
                live_policies,
                directory,
                calls: InService::new(calls),
                logbook,
                policies,
                http_metrics: crate::request_counts::RequestCounts::default(),
                serving: Arc::new(AtomicBool::new(true)),
                cluster: std::sync::OnceLock::new(),
            }),
        }
    }

    /// This node's place in a cluster, if it is one of several serving one database.
    pub fn cluster(&self) -> Option<&crate::cluster::ClusterNode> {
        self.inner.cluster.get()
    }

    /// Restores `calls` (this state's call flow, or the successor of a poisoned one) from the
    /// database; on a cluster, never while this node takes over a dead node's calls (each
    /// reads and rewrites this node's claims).
    pub fn restore_calls(
        &self,
        calls: &crate::calls::CallCenter,
        now_ms: u64,
    ) -> Result<crate::calls::Restored, crate::calls::CallError> {
        let _apart = self.cluster().map(|node| node.standing.exclusive());
        calls.restore(now_ms)
    }

    /// Makes this node one of a cluster (once, at start).
    pub fn join_cluster(&self, node: crate::cluster::ClusterNode) {
        if self.inner.cluster.set(node).is_err() {
            tracing::error!("this node already joined a cluster");
        }
    }

    /// On a cluster, before a decision: catches up with directory changes and policy
    /// activations another node made (see [`crate::cluster::Revision`]).
    pub fn catch_up(&self) -> Result<(), crate::cluster::ClusterError> {
        if let Some(node) = self.cluster() {
            node.revision.catch_up(
                &self.inner.directory,
                &self.inner.policies,
                &self.inner.live_policies,
            )?;
        }
        Ok(())
    }

    /// On a cluster, after this node changed a policy activation: tells the other nodes.
    pub fn announce_policy_change(&self) -> Result<(), switchyard_directory::StoreError> {
        match self.cluster() {
            Some(node) => node.revision.bump(),
            None => Ok(()),
        }
    }

    /// The call flow (the current one: see [`AppState::replace_calls`]).
    pub fn calls(&self) -> Arc<CallCenter> {
        self.inner.calls.get()
    }

    /// Puts `calls` (restored from the database) in place of a poisoned call flow.
    pub fn replace_calls(&self, calls: Arc<CallCenter>) {
        self.inner.calls.replace(calls);
    }

    /// What this node's cluster tasks act on (see [`crate::cluster::Served`]).
    pub fn served(&self) -> crate::cluster::Served {
        crate::cluster::Served {
            calls: self.inner.calls.clone(),
            directory: Arc::clone(&self.inner.directory),
            policies: self.inner.policies.clone(),
            live_policies: Arc::clone(&self.inner.live_policies),
        }
    }

    /// HTTP request counters.
    pub fn http_metrics(&self) -> &crate::request_counts::RequestCounts {
        &self.inner.http_metrics
    }

    /// Stored call logs.
    pub fn logbook(&self) -> &LogBook {
        &self.inner.logbook
    }

    /// Uploaded policies.
    pub fn policy_store(&self) -> &PolicyStore {
        &self.inner.policies
    }

    /// Policy changes that are stored and take effect for the call flow together.
    pub fn policy_admin(&self) -> crate::policy::PolicyAdmin<'_> {
        crate::policy::PolicyAdmin::new(&self.inner.policies, &self.inner.live_policies)
    }

    /// Whether this node serves requests (see `http/gate.rs`): it holds its store (always,
    /// on sled; PostgreSQL: its node lock), its call flow is not waiting to be restored
    /// after a failed commit, and on a cluster its heartbeats are recent enough that no other
    /// node can have adopted it (`cluster/standing.rs`).
    pub fn is_serving(&self) -> bool {
        self.holds_store() && !self.calls().is_poisoned() && self.may_act()
    }

    /// Whether this node may act on live state: always, but on a cluster only while its
    /// heartbeats are recent and it is not leaving (`cluster/standing.rs`).
    pub fn may_act(&self) -> bool {
        self.cluster().is_none_or(|node| node.standing.may_act())
    }

    /// Whether this node holds its store (always, on sled; PostgreSQL: its node lock).
    pub fn holds_store(&self) -> bool {
        self.inner.serving.load(Ordering::Acquire)
    }

    /// The flag behind [`AppState::holds_store`], for whatever watches the store's node lock.
    pub fn serving_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.inner.serving)
    }

    /// The tenant directory.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.inner.directory
    }
}
