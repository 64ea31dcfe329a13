//! [`AppState`]: what every request handler shares: the directory, the call centre, the call
//! log book and the policy store. Cheap to clone: one `Arc` inside.

use std::sync::Arc;

use switchyard_directory::{Directory, DirectoryError};

use crate::calls::CallCenter;
use crate::http::ApiError;
use crate::logbook::LogBook;
use crate::policy_store::PolicyStore;

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
    http_metrics: crate::http::ops::HttpMetrics,
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
                http_metrics: crate::http::ops::HttpMetrics::default(),
            }),
        }
    }

    /// The call flow.
    pub fn calls(&self) -> &Arc<CallCenter> {
        &self.inner.calls
    }

    /// HTTP request counters.
    pub fn http_metrics(&self) -> &crate::http::ops::HttpMetrics {
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

    /// Runs blocking work (policy calls, sled) on the blocking pool.
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        // Keep the request's span (method, path, request id) on the blocking thread, so a
        // policy's log lines and failures are tied to the request that caused them.
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| work(&state)))
            .await
            .map_err(|e| ApiError::Internal(format!("task failed: {e}")))?
    }

    /// The tenant directory.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.inner.directory
    }

    /// Runs a point read of the directory on the calling task: sled serves it from its page
    /// cache in microseconds, less than a hand-off to the blocking pool costs. Only for reads
    /// of a few keys (authentication); scans and writes go through [`AppState::run`].
    pub fn read_now<T>(
        &self,
        op: impl FnOnce(&Directory) -> Result<T, DirectoryError>,
    ) -> Result<T, ApiError> {
        op(&self.inner.directory).map_err(ApiError::from)
    }

    /// Runs a directory operation on the blocking pool (sled reads and flushes block) and maps
    /// its error into the API's.
    pub async fn run<T, F>(&self, op: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Directory) -> Result<T, DirectoryError> + Send + 'static,
    {
        let directory = Arc::clone(&self.inner.directory);
        tokio::task::spawn_blocking(move || op(&directory))
            .await
            .map_err(|e| ApiError::Internal(format!("directory task failed: {e}")))?
            .map_err(ApiError::from)
    }
}
