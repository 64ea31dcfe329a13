//! [`AppState`]: what every request handler shares (the directory today; the call flow will
//! join it). Cheap to clone: one `Arc` inside.

use std::sync::Arc;

use switchyard_directory::{Directory, DirectoryError};

use crate::http::ApiError;

/// Shared state of the service.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    directory: Arc<Directory>,
}

impl AppState {
    /// State over an open directory.
    pub fn new(directory: Arc<Directory>) -> Self {
        Self {
            inner: Arc::new(Inner { directory }),
        }
    }

    /// The tenant directory.
    pub fn directory(&self) -> &Arc<Directory> {
        &self.inner.directory
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
