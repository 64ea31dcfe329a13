//! [`NodeLock`]: one node serves a PostgreSQL database at a time. The call flow keeps its
//! working copy of live state (who is on a call, queues) in the serving node's memory, so two
//! nodes serving one database could book one agent twice; the lock is a session-level advisory
//! lock on a connection of its own, which PostgreSQL releases the moment that node's connection
//! ends (a stop, a crash, a SIGKILL). Another node started on the database waits for it as a
//! standby, then restores live state from the database and serves.

use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::Client;

use super::pool::Pg;
use crate::store::StoreError;

/// The advisory lock's key ("SWYD" and 1). Advisory locks are per database.
const LOCK_KEY: i64 = 0x5357_5944_0000_0001;

/// How often a standby asks for the lock again.
const STANDBY_POLL: Duration = Duration::from_millis(500);

/// The database's node lock, held while this value lives (and its connection stays up).
pub struct NodeLock {
    pg: Arc<Pg>,
    client: Client,
    /// Held shared, by one of several cluster nodes (which exclude a single serving node,
    /// and are excluded by it, but not each other).
    shared: bool,
}

impl NodeLock {
    /// Takes the lock, waiting while another node holds it (`standby` is called once, when it
    /// first finds the lock taken). Fails only when the database cannot be reached.
    pub fn acquire(pg: &Arc<Pg>, standby: impl FnMut()) -> Result<Self, StoreError> {
        Self::acquire_as(pg, false, standby)
    }

    /// Takes the lock shared, as one node of a cluster (`--cluster`): any number of cluster
    /// nodes hold it together, while a node serving alone waits for them and they for it.
    pub fn acquire_shared(pg: &Arc<Pg>, standby: impl FnMut()) -> Result<Self, StoreError> {
        Self::acquire_as(pg, true, standby)
    }

    fn acquire_as(
        pg: &Arc<Pg>,
        shared: bool,
        mut standby: impl FnMut(),
    ) -> Result<Self, StoreError> {
        let mut told = false;
        loop {
            if let Some(lock) = Self::try_acquire_as(pg, shared)? {
                return Ok(lock);
            }
            if !told {
                standby();
                told = true;
            }
            std::thread::sleep(STANDBY_POLL);
        }
    }

    /// Takes the lock if it is free.
    pub fn try_acquire(pg: &Arc<Pg>) -> Result<Option<Self>, StoreError> {
        Self::try_acquire_as(pg, false)
    }

    fn try_acquire_as(pg: &Arc<Pg>, shared: bool) -> Result<Option<Self>, StoreError> {
        let client = pg.dedicated()?;
        let sql = if shared {
            "SELECT pg_try_advisory_lock_shared($1)"
        } else {
            "SELECT pg_try_advisory_lock($1)"
        };
        let taken: bool =
            pg.block(async { client.query_one(sql, &[&LOCK_KEY]).await?.try_get(0) })?;
        Ok(taken.then(|| Self {
            pg: Arc::clone(pg),
            client,
            shared,
        }))
    }

    /// Whether the lock's connection is still up (PostgreSQL released the lock when it
    /// dropped).
    pub fn is_held(&self) -> bool {
        !self.client.is_closed()
    }

    /// After the lock's connection dropped: takes the lock again. `Ok(false)` when another
    /// node took it meanwhile (this node must stop serving).
    pub fn retake(&mut self) -> Result<bool, StoreError> {
        match Self::try_acquire_as(&self.pg, self.shared)? {
            Some(fresh) => {
                self.client = fresh.client;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}
