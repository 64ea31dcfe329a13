//! [`Directory`]: the domain operations over a [`Store`]. Writes are serialised by one lock
//! (decide, then commit all changes atomically) and return only once they are on disk.
//! The operations themselves live in `ops/`, one file per resource.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::sled_store::SledStore;
use crate::store::{Change, Store};

/// When a write is made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Commit, then flush while still holding the write lock: writes are durable one by one.
    FlushEachWrite,
    /// Commit, release the write lock, then flush: concurrent writers share one fsync (sled
    /// flushes everything committed so far). Each write still returns only after a flush that
    /// covers it.
    #[default]
    GroupCommit,
}

/// The tenant directory.
pub struct Directory {
    pub(crate) store: Arc<dyn Store>,
    write_lock: Mutex<()>,
    durability: Durability,
    generation: AtomicU64,
    /// Recently authenticated tokens (`auth.rs`), valid for one generation.
    pub(crate) principals: Mutex<crate::auth_cache::PrincipalCache>,
}

impl Directory {
    /// A directory over `store`.
    pub fn new(store: Arc<dyn Store>, durability: Durability) -> Self {
        Self {
            store,
            write_lock: Mutex::new(()),
            durability,
            generation: AtomicU64::new(0),
            principals: Mutex::default(),
        }
    }

    /// Opens (or creates) a sled directory at `path`, with group commit.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::new(
            Arc::new(SledStore::open(path)?),
            Durability::default(),
        ))
    }

    /// Opens (or creates) a sled directory at `path` together with the service's record trees
    /// in the same database.
    pub fn open_with_records(path: &Path) -> Result<(Self, crate::records::SledRecords)> {
        let store = SledStore::open(path)?;
        let records = crate::records::SledRecords::open(store.db(), store.flusher())?;
        Ok((Self::new(Arc::new(store), Durability::default()), records))
    }

    /// The underlying store (reads only; writes go through the operations).
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// A number that grows with every committed write. A cache of directory reads stays valid
    /// while it is unchanged; read it *before* reading what is cached.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Drops everything cached from the directory (another node of a cluster changed it):
    /// the generation moves on, so caches keyed by it read the store again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// Makes everything written so far durable.
    pub fn flush(&self) -> Result<()> {
        Ok(self.store.flush()?)
    }

    /// Compares every record with every index entry; one line per disagreement.
    pub fn check_consistency(&self) -> Result<Vec<String>> {
        Ok(self.store.check_consistency()?)
    }

    /// Runs `decide` under the write lock; commits the changes it collected in one atomic
    /// commit and returns once they are on disk.
    pub(crate) fn write<T>(
        &self,
        decide: impl FnOnce(&dyn Store, &mut Vec<Change>) -> Result<T>,
    ) -> Result<T> {
        let guard = self
            .write_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut changes = Vec::new();
        let out = decide(&*self.store, &mut changes)?;
        if changes.is_empty() {
            return Ok(out);
        }
        self.store.commit(&changes)?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        match self.durability {
            Durability::FlushEachWrite => {
                self.store.flush()?;
                drop(guard);
            }
            Durability::GroupCommit => {
                drop(guard);
                self.store.flush()?;
            }
        }
        Ok(out)
    }
}
