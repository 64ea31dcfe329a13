//! [`GroupCommit`]: the service's record store (call logs, live state, policy records) with one
//! fsync at a time and no write waiting for it.
//!
//! Why: sled 0.34's `flush` holds the database's concurrency-control lock (shared) for the
//! whole fsync (`iobuf::flush` → `make_stable`, which waits for the log writes and their
//! `sync_file_range`), and every atomic batch or transaction takes that lock exclusively. A
//! staged write issued while an fsync is in progress therefore waited for it, and every read
//! (`get`, `generate_id`) queued behind that waiting writer (the lock is task-fair). The call
//! flow stages agents' live state under the registry's lock, call logs under a call's lock,
//! policy state under the company's policy lock, and numbers pushed updates under the push
//! hub's lock: under load each of those locks was held for the rest of an fsync, and every
//! request waited in that convoy (the tail of hundreds of milliseconds at 64 in flight; see
//! BENCHMARKS.md, section 2, #13).
//!
//! Here a write that arrives while an fsync is in progress is appended to an in-memory queue,
//! in order, and the thread that ran the fsync applies the whole queue as one atomic write as
//! soon as the fsync has returned (before anyone can start the next one). A write that arrives
//! when no fsync is in progress is applied at once, as before. So sled never sees a write
//! during one of our fsyncs, and the queue is empty whenever no fsync is in progress. (The
//! directory's own writes, rare and administrative, still flush through sled directly: a write
//! here can wait for one of those.)
//!
//! Durability is unchanged: [`RecordStore::sync`] returns once every write made before it was
//! applied and an fsync that started after that returned (the writes queued during an fsync are
//! covered by the next one). A queued write is not yet visible to [`RecordStore::scan`]: only
//! until the fsync in progress returns, and it belongs to a use case that has not answered yet
//! (it syncs before it does). [`RecordStore::get`] sees it.

use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use switchyard_directory::{Entry, RecordStore, RecordTree, RecordWrite, StoreError};

/// How many failed queued writes are remembered for the syncs of the threads that made them.
const FAILURES_KEPT: usize = 1024;

thread_local! {
    /// The first write (ticket) this thread made since its last sync, if any: its sync reports
    /// a failure of any queued write from there on.
    static FIRST_UNSYNCED: Cell<Option<u64>> = const { Cell::new(None) };
}

/// A [`RecordStore`] whose writes never wait for an fsync in progress (see the module
/// documentation).
pub struct GroupCommit {
    inner: Arc<dyn RecordStore>,
    state: Mutex<State>,
    /// Signalled when an fsync ends.
    synced: Condvar,
}

#[derive(Default)]
struct State {
    /// Tickets handed out so far (one per write call).
    issued: u64,
    /// Every ticket up to this one was applied to the backend (or failed).
    applied: u64,
    /// Every ticket up to this one is durable (or failed).
    durable: u64,
    /// A thread is running the fsync now; writes are queued meanwhile.
    syncing: bool,
    /// Writes queued during the fsync in progress, in order (tickets `applied + 1..=issued`).
    queued: Vec<RecordWrite>,
    /// Ticket ranges whose queued writes could not be applied (oldest first, bounded).
    failed: Vec<(u64, u64)>,
}

impl GroupCommit {
    /// Group commit over `inner`.
    pub fn new(inner: Arc<dyn RecordStore>) -> Self {
        Self {
            inner,
            state: Mutex::default(),
            synced: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Applies the queued writes as one atomic write (called under the lock, with no fsync in
    /// progress). A failure is remembered for the syncs of the threads that queued them.
    fn apply_queued(&self, state: &mut State) {
        if state.queued.is_empty() {
            state.applied = state.issued;
            return;
        }
        let writes = std::mem::take(&mut state.queued);
        let (first, last) = (state.applied + 1, state.issued);
        if let Err(e) = self.inner.write_lazily(&writes) {
            tracing::error!(error = %e, writes = writes.len(), "could not apply queued writes");
            if state.failed.len() >= FAILURES_KEPT {
                state.failed.remove(0);
            }
            state.failed.push((first, last));
        }
        state.applied = last;
    }

    /// Ends the fsync in progress: what arrived during it goes to the backend now, before the
    /// next one starts, and the waiting threads wake.
    fn end_sync(&self, state: &mut State) {
        self.apply_queued(state);
        state.syncing = false;
        self.synced.notify_all();
    }
}

/// Ends the fsync in progress if the backend's sync panics, so that writers do not queue and
/// syncs do not wait forever.
struct EndOnUnwind<'a>(&'a GroupCommit);

impl Drop for EndOnUnwind<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let mut state = self.0.lock();
            self.0.end_sync(&mut state);
        }
    }
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("GroupCommit")
            .field("issued", &state.issued)
            .field("durable", &state.durable)
            .field("syncing", &state.syncing)
            .finish_non_exhaustive()
    }
}

impl RecordStore for GroupCommit {
    fn next_seq(&self) -> Result<u64, StoreError> {
        self.inner.next_seq()
    }

    fn get(&self, tree: RecordTree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        {
            let state = self.lock();
            let queued = state
                .queued
                .iter()
                .rev()
                .find(|(t, k, _)| *t == tree && k.as_slice() == key);
            if let Some((_, _, value)) = queued {
                return Ok(value.clone());
            }
        }
        self.inner.get(tree, key)
    }

    fn scan(
        &self,
        tree: RecordTree,
        prefix: &[u8],
        from: Option<&[u8]>,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        self.inner.scan(tree, prefix, from, reverse, limit)
    }

    fn write_lazily(&self, writes: &[RecordWrite]) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut state = self.lock();
        state.issued += 1;
        let ticket = state.issued;
        FIRST_UNSYNCED.with(|first| {
            if first.get().is_none() {
                first.set(Some(ticket));
            }
        });
        if state.syncing {
            state.queued.extend_from_slice(writes);
            return Ok(());
        }
        // No fsync in progress, so nothing is queued: apply now, in order, under the lock so
        // that no fsync starts meanwhile.
        debug_assert!(state.queued.is_empty());
        let applied = self.inner.write_lazily(writes);
        state.applied = ticket;
        applied
    }

    fn sync(&self) -> Result<(), StoreError> {
        let from = FIRST_UNSYNCED.with(Cell::take);
        let mut state = self.lock();
        let target = state.issued;
        while state.durable < target {
            if state.syncing {
                state = self
                    .synced
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Nothing is queued when no fsync is in progress: every ticket issued so far is
            // applied, so this fsync covers them all.
            let covers = state.applied;
            state.syncing = true;
            drop(state);
            let flushed = {
                let _unwinding = EndOnUnwind(self);
                self.inner.sync()
            };
            state = self.lock();
            if flushed.is_ok() {
                state.durable = state.durable.max(covers);
            }
            self.end_sync(&mut state);
            // As the backend's group flush does: the thread that ran a failed fsync reports
            // it; the others retry with one of their own, so an error is never a success.
            flushed?;
        }
        let lost = from.is_some_and(|first| {
            state
                .failed
                .iter()
                .any(|&(lo, hi)| hi >= first && lo <= target)
        });
        if lost {
            return Err(StoreError::EarlierWriteFailed);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use switchyard_directory::{Directory, RecordStore, RecordTree, StoreError};

    use super::GroupCommit;

    /// Concurrent writers, each syncing after every write: everything acknowledged is in the
    /// database after a reopen, and nothing stays queued.
    #[test]
    fn concurrent_writes_are_durable_and_none_stay_queued() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (_directory, records) = Directory::open_with_records(dir.path()).unwrap();
            let store = Arc::new(GroupCommit::new(Arc::new(records)));
            std::thread::scope(|s| {
                for t in 0..8u64 {
                    let store = Arc::clone(&store);
                    s.spawn(move || {
                        for i in 0..50u64 {
                            let key = (t * 1000 + i).to_be_bytes().to_vec();
                            let write = (RecordTree::LiveAgents, key.clone(), Some(vec![1u8]));
                            store.write_lazily(&[write]).unwrap();
                            assert_eq!(
                                store.get(RecordTree::LiveAgents, &key).unwrap(),
                                Some(vec![1u8]),
                                "a write is visible to get at once"
                            );
                            store.sync().unwrap();
                        }
                    });
                }
            });
            let state = store.lock();
            assert!(state.queued.is_empty());
            assert!(!state.syncing);
            assert_eq!(state.issued, 400);
            assert_eq!(state.durable, 400);
        }
        let (_directory, records) = Directory::open_with_records(dir.path()).unwrap();
        let all = records
            .scan(RecordTree::LiveAgents, &[], None, false, usize::MAX)
            .unwrap();
        assert_eq!(all.len(), 400);
    }

    /// A record store whose writes fail while `fail` is set.
    struct Flaky {
        inner: switchyard_directory::SledRecords,
        fail: std::sync::atomic::AtomicBool,
    }

    impl RecordStore for Flaky {
        fn next_seq(&self) -> Result<u64, StoreError> {
            self.inner.next_seq()
        }
        fn get(&self, tree: RecordTree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
            self.inner.get(tree, key)
        }
        fn scan(
            &self,
            tree: RecordTree,
            prefix: &[u8],
            from: Option<&[u8]>,
            reverse: bool,
            limit: usize,
        ) -> Result<Vec<switchyard_directory::Entry>, StoreError> {
            self.inner.scan(tree, prefix, from, reverse, limit)
        }
        fn write_lazily(
            &self,
            writes: &[switchyard_directory::RecordWrite],
        ) -> Result<(), StoreError> {
            if self.fail.load(std::sync::atomic::Ordering::Relaxed) {
                return Err(StoreError::EarlierWriteFailed);
            }
            self.inner.write_lazily(writes)
        }
        fn sync(&self) -> Result<(), StoreError> {
            self.inner.sync()
        }
    }

    /// A queued write that cannot be applied fails the sync of the thread that made it, and
    /// only that one.
    #[test]
    fn a_lost_queued_write_fails_its_own_sync_only() {
        let dir = tempfile::tempdir().unwrap();
        let (_directory, records) = Directory::open_with_records(dir.path()).unwrap();
        let flaky = Arc::new(Flaky {
            inner: records,
            fail: std::sync::atomic::AtomicBool::new(false),
        });
        let store = GroupCommit::new(Arc::clone(&flaky) as Arc<dyn RecordStore>);
        store.lock().syncing = true;
        std::thread::scope(|s| {
            s.spawn(|| {
                let write = (RecordTree::LiveAgents, b"a".to_vec(), Some(b"1".to_vec()));
                store.write_lazily(&[write]).unwrap();
                flaky.fail.store(true, std::sync::atomic::Ordering::Relaxed);
                {
                    let mut state = store.lock();
                    store.end_sync(&mut state);
                }
                flaky
                    .fail
                    .store(false, std::sync::atomic::Ordering::Relaxed);
                assert!(matches!(store.sync(), Err(StoreError::EarlierWriteFailed)));
            });
        });
        // This thread wrote nothing: its sync waits for durability and succeeds.
        store.sync().unwrap();
        assert_eq!(store.get(RecordTree::LiveAgents, b"a").unwrap(), None);
    }

    /// A write made while an fsync is in progress is queued, seen by `get`, applied when that
    /// fsync ends, and durable with the next.
    #[test]
    fn a_write_during_an_fsync_is_queued_then_applied() {
        let dir = tempfile::tempdir().unwrap();
        let (_directory, records) = Directory::open_with_records(dir.path()).unwrap();
        let store = GroupCommit::new(Arc::new(records));
        store.lock().syncing = true;
        let write = (RecordTree::PolicyState, b"k".to_vec(), Some(b"v".to_vec()));
        store.write_lazily(&[write]).unwrap();
        assert_eq!(store.lock().queued.len(), 1);
        assert_eq!(
            store.get(RecordTree::PolicyState, b"k").unwrap(),
            Some(b"v".to_vec())
        );
        {
            let mut state = store.lock();
            store.end_sync(&mut state);
        }
        assert!(store.lock().queued.is_empty());
        store.sync().unwrap();
        assert_eq!(store.lock().durable, 1);
        assert_eq!(
            store.inner.get(RecordTree::PolicyState, b"k").unwrap(),
            Some(b"v".to_vec())
        );
    }
}
