//! The call flow in service: the one requests and background tasks use now, replaced by one
//! restored from the database after a failed commit (`crate::recovery`).

use std::sync::{Arc, PoisonError, RwLock};

use super::CallCenter;

/// The call flow in service, shared by whatever acts on it. Cheap to clone: one `Arc` inside.
#[derive(Clone)]
pub struct InService(Arc<RwLock<Arc<CallCenter>>>);

impl InService {
    /// `calls` in service.
    pub fn new(calls: Arc<CallCenter>) -> Self {
        Self(Arc::new(RwLock::new(calls)))
    }

    /// The call flow in service now.
    pub fn get(&self) -> Arc<CallCenter> {
        Arc::clone(&self.0.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Puts `calls` (restored from the database) in place of a poisoned call flow.
    pub fn replace(&self, calls: Arc<CallCenter>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = calls;
    }
}
