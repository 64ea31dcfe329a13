//! One lock per company for the policy store's read-modify-write changes: numbering an upload
//! (read the last version, write the next), activating, rolling back, deactivating and
//! deleting (read the activation, write the new one). Held across the read and the write, so two
//! concurrent changes of one company never both read the same state; other companies are not
//! held up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The companies' locks (created on a company's first change and kept: a few bytes each).
#[derive(Clone, Default)]
pub(super) struct CompanyLocks {
    by_company: Arc<Mutex<HashMap<u64, Arc<Mutex<()>>>>>,
}

impl CompanyLocks {
    /// Runs `f` holding `company`'s lock.
    pub(super) fn with<R>(&self, company: u64, f: impl FnOnce() -> R) -> R {
        let lock = {
            let mut map = self.by_company.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(map.entry(company).or_default())
        };
        let _held = lock.lock().unwrap_or_else(|p| p.into_inner());
        f()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn one_company_at_a_time_others_in_parallel() {
        let locks = CompanyLocks::default();
        let inside = AtomicU32::new(0);
        let most = AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..50 {
                        locks.with(7, || {
                            let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                            most.fetch_max(now, Ordering::SeqCst);
                            std::thread::yield_now();
                            inside.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                });
            }
        });
        assert_eq!(most.load(Ordering::SeqCst), 1);
        // Another company's lock is free while company 7's is held.
        locks.with(7, || locks.with(8, || ()));
    }
}
