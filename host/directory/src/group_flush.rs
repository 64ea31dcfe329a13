//! Group commit for one sled database: many writers wait for durability, one of them runs the
//! fsync, and every write committed before that fsync started is covered by it.
//!
//! sled's own `flush` seals the current log buffer and writes it out for each caller, so 16
//! concurrent writers make 16 small writes and 16 syncs. Here a writer that finds a flush in
//! progress waits for the next one instead, which covers its write and every other write that
//! arrived meanwhile: under load one fsync serves a whole batch.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Shares fsyncs of one sled database among concurrent writers.
pub struct GroupFlush {
    db: sled::Db,
    state: Mutex<FlushState>,
    flushed: Condvar,
}

#[derive(Debug, Default)]
struct FlushState {
    /// Tickets handed out so far; a ticket is taken after the writer's commit.
    issued: u64,
    /// Every ticket below this is durable.
    durable: u64,
    /// A writer is running the fsync now.
    flushing: bool,
}

impl GroupFlush {
    /// A flusher for `db`.
    pub fn new(db: sled::Db) -> Self {
        Self {
            db,
            state: Mutex::new(FlushState::default()),
            flushed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, FlushState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns once everything committed to the database before this call is on disk.
    ///
    /// # Errors
    /// The fsync's error, when this caller ran it and it failed (waiters then retry with a
    /// flush of their own, so an error is never reported as success).
    pub fn sync(&self) -> Result<(), sled::Error> {
        let mut state = self.lock();
        let ticket = state.issued;
        state.issued += 1;
        loop {
            if state.durable > ticket {
                return Ok(());
            }
            if state.flushing {
                state = self
                    .flushed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Every ticket issued so far belongs to a commit that is already in sled's log,
            // so this flush covers all of them.
            let covers = state.issued;
            state.flushing = true;
            drop(state);
            let result = self.db.flush();
            state = self.lock();
            state.flushing = false;
            if result.is_ok() {
                state.durable = state.durable.max(covers);
            }
            self.flushed.notify_all();
            drop(state);
            return result.map(|_| ());
        }
    }
}

impl std::fmt::Debug for GroupFlush {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupFlush")
            .field("state", &*self.lock())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn concurrent_writers_are_all_durable_and_share_flushes() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let flush = Arc::new(GroupFlush::new(db.clone()));
        let threads: Vec<_> = (0..8u64)
            .map(|t| {
                let (db, flush) = (db.clone(), Arc::clone(&flush));
                std::thread::spawn(move || {
                    for i in 0..50u64 {
                        db.insert((t * 1000 + i).to_be_bytes(), &[1u8][..]).unwrap();
                        flush.sync().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let state = flush.lock();
        assert_eq!(state.issued, 400);
        assert_eq!(state.durable, 400, "the last flush covers every ticket");
        assert!(!state.flushing);
        drop(state);
        drop((db, flush));
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        assert_eq!(db.len(), 400);
    }
}
