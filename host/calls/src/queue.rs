//! Calls waiting in a department's queue for an agent to become free. When an agent frees up,
//! the waiting calls it could serve are tried highest priority first, then oldest first, across
//! every company that shares the agent, so no company's callers starve another's.

use std::collections::HashMap;
use std::sync::Mutex;

use super::registry::{CallRef, CompanyId};

pub use switchyard_directory::DepartmentId;

/// One waiting call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// The call.
    pub call: CallRef,
    /// Its company.
    pub company: CompanyId,
    /// The department whose members may take it.
    pub department: DepartmentId,
    /// Higher first.
    pub priority: u8,
    /// When it joined the queue (unix ms); older first within a priority.
    pub since_ms: u64,
    /// When its maximum wait runs out (unix ms).
    pub deadline_ms: u64,
}

/// All queued calls of all companies.
#[derive(Debug, Default)]
pub struct Queues {
    inner: Mutex<HashMap<CallRef, Waiting>>,
    /// Calls left waiting for another node to serve a call ahead of them (a cluster): since
    /// when.
    deferred: Mutex<HashMap<CallRef, u64>>,
}

impl Queues {
    /// No call waiting.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CallRef, Waiting>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Put a call in its department's queue (replacing an earlier entry of the same call).
    pub fn push(&self, waiting: Waiting) {
        self.lock().insert(waiting.call, waiting);
    }

    /// Take a call out of the queue (served, abandoned or overflowed). Returns its entry.
    pub fn remove(&self, call: CallRef) -> Option<Waiting> {
        self.deferred
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&call);
        self.lock().remove(&call)
    }

    /// Whether `call` may keep waiting for another node to serve a call ahead of it: for
    /// `grace_ms` from the first time it did (at `now_ms`), so a call that node's policy does
    /// not give the agent to holds nobody up for longer.
    pub fn may_defer(&self, call: CallRef, now_ms: u64, grace_ms: u64) -> bool {
        let mut deferred = self.deferred.lock().unwrap_or_else(|p| p.into_inner());
        let since = *deferred.entry(call).or_insert(now_ms);
        now_ms.saturating_sub(since) < grace_ms
    }

    /// Whether the call is waiting.
    pub fn contains(&self, call: CallRef) -> bool {
        self.lock().contains_key(&call)
    }

    /// Calls waiting in any of `departments` (company, department pairs), in serving order:
    /// priority descending, then oldest first, then call handle for a stable order.
    pub fn candidates_for(&self, departments: &[(CompanyId, DepartmentId)]) -> Vec<Waiting> {
        let mut v: Vec<Waiting> = self
            .lock()
            .values()
            .filter(|w| departments.contains(&(w.company, w.department)))
            .copied()
            .collect();
        sort_serving_order(&mut v);
        v
    }

    /// Every waiting call, in serving order.
    pub fn all(&self) -> Vec<Waiting> {
        let mut v: Vec<Waiting> = self.lock().values().copied().collect();
        sort_serving_order(&mut v);
        v
    }

    /// Remove and return the calls whose maximum wait has run out at `now_ms`.
    pub fn take_expired(&self, now_ms: u64) -> Vec<Waiting> {
        let mut inner = self.lock();
        let mut expired: Vec<Waiting> = inner
            .values()
            .filter(|w| w.deadline_ms <= now_ms)
            .copied()
            .collect();
        for w in &expired {
            inner.remove(&w.call);
        }
        sort_serving_order(&mut expired);
        expired
    }

    /// Number of waiting calls per (company, department).
    pub fn lengths(&self) -> HashMap<(CompanyId, DepartmentId), usize> {
        let mut out = HashMap::new();
        for w in self.lock().values() {
            *out.entry((w.company, w.department)).or_insert(0) += 1;
        }
        out
    }
}

fn sort_serving_order(v: &mut [Waiting]) {
    v.sort_unstable_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(a.since_ms.cmp(&b.since_ms))
            .then(a.call.cmp(&b.call))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(call: u64, company: u64, priority: u8, since_ms: u64) -> Waiting {
        Waiting {
            call: CallRef(call),
            company: CompanyId(company),
            department: DepartmentId(10),
            priority,
            since_ms,
            deadline_ms: since_ms + 100,
        }
    }

    #[test]
    fn serves_priority_then_oldest_across_companies() {
        let q = Queues::new();
        q.push(w(1, 1, 0, 30));
        q.push(w(2, 2, 0, 10));
        q.push(w(3, 1, 5, 50));
        q.push(w(4, 3, 0, 5));
        let order: Vec<_> = q
            .candidates_for(&[
                (CompanyId(1), DepartmentId(10)),
                (CompanyId(2), DepartmentId(10)),
            ])
            .into_iter()
            .map(|w| w.call)
            .collect();
        assert_eq!(
            order,
            vec![CallRef(3), CallRef(2), CallRef(1)],
            "company 3's call is not this agent's to serve"
        );
    }

    #[test]
    fn expired_calls_leave_the_queue() {
        let q = Queues::new();
        q.push(w(1, 1, 0, 0));
        q.push(w(2, 1, 0, 500));
        let expired: Vec<_> = q.take_expired(150).into_iter().map(|w| w.call).collect();
        assert_eq!(expired, vec![CallRef(1)]);
        assert!(!q.contains(CallRef(1)));
        assert!(q.contains(CallRef(2)));
        assert_eq!(q.lengths().get(&(CompanyId(1), DepartmentId(10))), Some(&1));
    }

    #[test]
    fn a_call_defers_to_another_nodes_call_for_the_grace_only() {
        let q = Queues::new();
        q.push(w(1, 1, 0, 0));
        assert!(q.may_defer(CallRef(1), 1_000, 1_000), "first deferral");
        assert!(q.may_defer(CallRef(1), 1_999, 1_000), "within the grace");
        assert!(
            !q.may_defer(CallRef(1), 2_000, 1_000),
            "the grace is over: served here"
        );
        // Leaving the queue forgets it: queued again, it may defer again.
        q.remove(CallRef(1));
        q.push(w(1, 1, 0, 0));
        assert!(q.may_defer(CallRef(1), 5_000, 1_000));
    }
}
