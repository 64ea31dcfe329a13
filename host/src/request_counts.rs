//! [`RequestCounts`]: HTTP requests counted by method, route template and status, for
//! `/metrics`. Kept with the shared state so the HTTP layer's middleware feeds it and the
//! metrics endpoint reads it.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// HTTP requests by (method, route template, status).
#[derive(Debug, Default)]
pub struct RequestCounts {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
}

impl RequestCounts {
    /// Count one request (the route is its template, never the ids in it).
    pub fn count(&self, method: String, route: String, status: u16) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((method, route, status))
            .or_insert(0) += 1;
    }

    /// Every count so far, in (method, route, status) order.
    pub fn snapshot(&self) -> Vec<((String, String, u16), u64)> {
        let map = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }
}
