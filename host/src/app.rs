//! [`AppState`]: what every request handler shares: the directory, the call centre, the call
//! log book, the policy store and the request counters. Cheap to clone: one `Arc` inside. How
//! handlers run work on it (the blocking pool, errors as the API's) is the HTTP layer's, in
//! `http/state.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use switchyard_directory::Directory;

use crate::calls::CallCenter;
use crate::logbook::LogBook;
use crate::policy::PolicyStore;

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    directory: Arc<Directory>,
    calls: Arc<CallCenter>,
    logbook: LogBook,
    policies: PolicyStore,
    http_metrics: crate::request_counts::RequestCounts,
    /// Whether this node holds its store (always, on sled; PostgreSQL: its node lock).
    serving: Arc<AtomicBool>,
}

impl AppState {
    /// State over an open directory and the service's parts.
    pub fn new(
        directory: Arc<Directory>,
        calls: Arc<CallCenter>,
        logbook: LogBook,
        policies: PolicyStore,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                directory,
                calls,
                logbook,
                policies,
                http_metrics: crate::request_counts::RequestCounts::default(),
                serving: Arc::new(AtomicBool::new(true)),
            }),
        }
    }

    /// The call flow.
    pub fn calls(&self) -> &Arc<CallCenter> {
        &self.inner.calls
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
        crate::policy::PolicyAdmin::new(&self.inner.policies, self.inner.calls.policies())
    }

    /// Whether this node holds its store and serves requests (see `http/gate.rs`).
    pub fn is_serving(&self) -> bool {
        self.inner.serving.load(Ordering::Acquire)
    }

    /// The flag behind [`AppState::is_serving`], for whatever watches the store's node lock.
    pub fn serving_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.inner.serving)
    }

    /// The tenant directory.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.inner.directory
    }
}
