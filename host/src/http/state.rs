//! How request handlers run work on the shared [`AppState`]: blocking work (policy calls,
//! sled) on tokio's blocking pool with the request's span, directory operations with their
//! errors mapped into [`ApiError`], and point reads on the calling task.

use std::sync::Arc;

use switchyard_directory::{Directory, DirectoryError};

use super::ApiError;
use crate::app::AppState;

impl AppState {
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

    /// Runs a point read of the directory on the calling task: sled serves it from its page
    /// cache in microseconds, less than a hand-off to the blocking pool costs. Only for reads
    /// of a few keys (authentication); scans and writes go through [`AppState::run`].
    pub fn read_now<T>(
        &self,
        op: impl FnOnce(&Directory) -> Result<T, DirectoryError>,
    ) -> Result<T, ApiError> {
        op(self.directory()).map_err(ApiError::from)
    }

    /// Runs a directory operation on the blocking pool (sled reads and flushes block) and maps
    /// its error into the API's.
    pub async fn run<T, F>(&self, op: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Directory) -> Result<T, DirectoryError> + Send + 'static,
    {
        let directory = Arc::clone(self.directory());
        tokio::task::spawn_blocking(move || op(&directory))
            .await
            .map_err(|e| ApiError::Internal(format!("directory task failed: {e}")))?
            .map_err(ApiError::from)
    }
}
