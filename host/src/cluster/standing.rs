//! This node's standing in the cluster: whether its membership is recent enough for it to act
//! (a node whose heartbeats stopped reaching the database may be adopted by another node, so it
//! stops acting before that can happen), whether it is adopting another node's calls (they are
//! its own in the database but not yet live here), and the lock that keeps adopting apart from
//! restoring live state (each reads and rewrites this node's claims).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::members::{BEAT, DEAD_AFTER};

/// How long after sending its last successful heartbeat a node still acts. Another node adopts
/// it only after seeing that heartbeat unchanged for [`DEAD_AFTER`] of its own, and it cannot
/// have seen it before it was sent, so a node stops acting at least one [`BEAT`] before it can
/// be adopted: requests already past the gate have that long to finish.
pub const ACTS_FOR: Duration = DEAD_AFTER.saturating_sub(BEAT);

/// "Not joined yet": nobody can adopt a node that has not joined.
const NOT_JOINED: u64 = u64::MAX;

/// See the module's documentation.
#[derive(Debug)]
pub struct Standing {
    /// What `renewed_ms` counts from.
    base: Instant,
    /// When the latest heartbeat that reached the database was sent, in ms since `base`.
    renewed_ms: AtomicU64,
    /// Calls claimed from a dead node may not be live here yet.
    adopting: AtomicBool,
    /// The node is leaving: it acts on nothing any more.
    revoked: AtomicBool,
    /// Held while adopting or restoring.
    restoring: Mutex<()>,
}

impl Default for Standing {
    fn default() -> Self {
        Self {
            base: Instant::now(),
            renewed_ms: AtomicU64::new(NOT_JOINED),
            adopting: AtomicBool::new(false),
            revoked: AtomicBool::new(false),
            restoring: Mutex::new(()),
        }
    }
}

impl Standing {
    /// A heartbeat (or the join) sent at `sent` reached the database.
    pub fn renewed(&self, sent: Instant) {
        let ms = u64::try_from(sent.saturating_duration_since(self.base).as_millis())
            .unwrap_or(NOT_JOINED - 1);
        // Never moved back by an older heartbeat answered late.
        let _ = self
            .renewed_ms
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                (current == NOT_JOINED || current < ms).then_some(ms)
            });
    }

    /// Whether this node may act on live state now: it is not leaving, and it has not joined
    /// yet or its latest heartbeat that reached the database was sent less than [`ACTS_FOR`]
    /// ago.
    pub fn may_act(&self) -> bool {
        self.may_act_at(Instant::now())
    }

    fn may_act_at(&self, now: Instant) -> bool {
        if self.revoked.load(Ordering::Acquire) {
            return false;
        }
        let renewed = self.renewed_ms.load(Ordering::Acquire);
        if renewed == NOT_JOINED {
            return true;
        }
        let now =
            u64::try_from(now.saturating_duration_since(self.base).as_millis()).unwrap_or(u64::MAX);
        now.saturating_sub(renewed) < u64::try_from(ACTS_FOR.as_millis()).unwrap_or(u64::MAX)
    }

    /// The node is leaving the cluster: from now on it may not act.
    pub fn revoke(&self) {
        self.revoked.store(true, Ordering::Release);
    }

    /// Whether calls this node claimed from a dead node may not be live here yet.
    pub fn adopting(&self) -> bool {
        self.adopting.load(Ordering::Acquire)
    }

    /// Sets [`Standing::adopting`]: on before claiming a dead node, off once every claimed
    /// node's calls are live here.
    pub fn set_adopting(&self, on: bool) {
        self.adopting.store(on, Ordering::Release);
    }

    /// Keeps adopting and restoring apart while the guard lives.
    pub fn exclusive(&self) -> MutexGuard<'_, ()> {
        self.restoring.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_acts_until_join_then_only_while_its_heartbeats_are_recent() {
        let standing = Standing::default();
        let sent = Instant::now();
        assert!(
            standing.may_act_at(sent + ACTS_FOR * 10),
            "not joined: nobody can adopt it"
        );
        standing.renewed(sent);
        let just_under = ACTS_FOR - Duration::from_millis(1);
        assert!(standing.may_act_at(sent + just_under));
        assert!(!standing.may_act_at(sent + ACTS_FOR), "as after a freeze");
        // A later heartbeat renews it; an older one answered late does not move it back.
        let later = sent + Duration::from_secs(1);
        standing.renewed(later);
        standing.renewed(sent);
        assert!(standing.may_act_at(later + just_under));
        assert!(!standing.may_act_at(later + ACTS_FOR));
        standing.revoke();
        assert!(!standing.may_act_at(later), "leaving");
    }
}
