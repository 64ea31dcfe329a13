//! [`PgRecords`]: the service's record trees in one PostgreSQL table, `records (tree, key,
//! value)`, keys compared as bytes. A batch is one statement (atomic, one round trip), durable
//! when it returns; a lazy batch runs on sessions that commit without waiting for the WAL flush
//! (`synchronous_commit = off`), and the next [`RecordStore::sync`] on the same thread waits for
//! a commit that does (the WAL is one sequence: flushing a later commit flushes every earlier
//! one).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;

use super::pool::Pg;
use super::store::limit_db;
use crate::records::{Entry, RecordStore, RecordTree, RecordWrite, successor};
use crate::store::StoreError;

thread_local! {
    /// Whether this thread committed a lazy batch since its last sync.
    static LAZY_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Notes that this thread committed a write without waiting for the WAL flush (on a session
/// with `synchronous_commit = off`, like the lazy batches): the next [`RecordStore::sync`] of
/// [`PgRecords`] on this thread makes it durable. For other tables written the same way (a
/// cluster's shared agents' state).
pub fn note_lazy_write() {
    LAZY_HERE.set(true);
}

/// Whether this thread committed a write without waiting for the WAL flush since its last
/// [`RecordStore::sync`].
pub fn lazy_write_pending() -> bool {
    LAZY_HERE.get()
}

/// [`RecordStore`] in a PostgreSQL database (schema migrated by [`super::migrate`]).
pub struct PgRecords {
    pg: Arc<Pg>,
    /// The rest of the block of sequence numbers last reserved: (next, end exclusive).
    seqs: std::sync::Mutex<(u64, u64)>,
    /// Sessions that commit without waiting for the WAL flush, for lazy batches.
    lazy: Pg,
}

impl PgRecords {
    /// The record trees over `pg` (and a second pool to the same database for lazy batches).
    pub fn new(pg: Arc<Pg>) -> Result<Self, StoreError> {
        let lazy = pg.with_session_options("-c synchronous_commit=off")?;
        Ok(Self {
            pg,
            lazy,
            seqs: std::sync::Mutex::new((0, 0)),
        })
    }

    /// One statement, so one round trip and atomic without a transaction: the batch's last
    /// write of each key, puts upserted and deletes deleted.
    fn apply(&self, writes: &[RecordWrite], durable: bool) -> Result<(), StoreError> {
        let mut last: HashMap<(i16, &[u8]), Option<&[u8]>> = HashMap::with_capacity(writes.len());
        for (tree, key, value) in writes {
            last.insert((tree_db(*tree), key.as_slice()), value.as_deref());
        }
        let (mut put_trees, mut put_keys, mut put_values) = (Vec::new(), Vec::new(), Vec::new());
        let (mut del_trees, mut del_keys) = (Vec::new(), Vec::new());
        for ((tree, key), value) in last {
            match value {
                Some(value) => {
                    put_trees.push(tree);
                    put_keys.push(key);
                    put_values.push(value);
                }
                None => {
                    del_trees.push(tree);
                    del_keys.push(key);
                }
            }
        }
        let pg = if durable { &*self.pg } else { &self.lazy };
        match (put_trees.is_empty(), del_trees.is_empty()) {
            (true, true) => Ok(()),
            (false, true) => pg.run(async |conn| {
                let statement = conn.prepared(PUT).await?;
                conn.client()
                    .execute(&statement, &[&put_trees, &put_keys, &put_values])
                    .await
                    .map(|_| ())
            }),
            (true, false) => pg.run(async |conn| {
                let statement = conn.prepared(DELETE).await?;
                conn.client()
                    .execute(&statement, &[&del_trees, &del_keys])
                    .await
                    .map(|_| ())
            }),
            (false, false) => pg.run(async |conn| {
                let statement = conn.prepared(PUT_AND_DELETE).await?;
                conn.client()
                    .execute(
                        &statement,
                        &[&put_trees, &put_keys, &put_values, &del_trees, &del_keys],
                    )
                    .await
                    .map(|_| ())
            }),
        }
    }
}

/// Upserts: $1 trees, $2 keys, $3 values (no key twice).
const PUT: &str = "INSERT INTO records (tree, key, value) \
    SELECT * FROM unnest($1::SMALLINT[], $2::BYTEA[], $3::BYTEA[]) \
    ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value";

/// Deletes: $1 trees, $2 keys.
const DELETE: &str = "DELETE FROM records r \
    USING unnest($1::SMALLINT[], $2::BYTEA[]) AS d(tree, key) \
    WHERE r.tree = d.tree AND r.key = d.key";

/// Both in one statement (the keys of the two sets differ): $1–$3 upserts, $4–$5 deletes.
const PUT_AND_DELETE: &str = "WITH gone AS (DELETE FROM records r \
    USING unnest($4::SMALLINT[], $5::BYTEA[]) AS d(tree, key) \
    WHERE r.tree = d.tree AND r.key = d.key) \
    INSERT INTO records (tree, key, value) \
    SELECT * FROM unnest($1::SMALLINT[], $2::BYTEA[], $3::BYTEA[]) \
    ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value";

impl RecordStore for PgRecords {
    fn next_seq(&self) -> Result<u64, StoreError> {
        let mut seqs = self
            .seqs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seqs.0 >= seqs.1 {
            // `nextval` reserves the block of SEQ_BLOCK numbers ending at the value it returns.
            let end = self.pg.run(async |conn| {
                let statement = conn.prepared("SELECT nextval('record_seqs')").await?;
                let row = conn.client().query_one(&statement, &[]).await?;
                Ok(u64::try_from(row.try_get::<_, i64>(0)?).unwrap_or(0))
            })?;
            *seqs = (end.saturating_sub(SEQ_BLOCK - 1).max(1), end + 1);
        }
        let seq = seqs.0;
        seqs.0 += 1;
        Ok(seq)
    }

    fn get(&self, tree: RecordTree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.pg.run(async |conn| {
            let statement = conn
                .prepared("SELECT value FROM records WHERE tree = $1 AND key = $2")
                .await?;
            match conn
                .client()
                .query_opt(&statement, &[&tree_db(tree), &key])
                .await?
            {
                Some(row) => row.try_get(0).map(Some),
                None => Ok(None),
            }
        })
    }

    fn scan(
        &self,
        tree: RecordTree,
        prefix: &[u8],
        from: Option<&[u8]>,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let upper = successor(prefix);
        let sql = scan_sql(reverse, from.is_some(), upper.is_some());
        let tree = tree_db(tree);
        let limit = limit_db(limit);
        self.pg.run(async |conn| {
            let statement = conn.prepared(sql).await?;
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = vec![&tree, &prefix];
            if let Some(from) = &from {
                params.push(from);
            }
            if let Some(upper) = &upper {
                params.push(upper);
            }
            params.push(&limit);
            let rows = conn.client().query(&statement, &params).await?;
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect()
        })
    }

    fn write(&self, writes: &[RecordWrite]) -> Result<(), StoreError> {
        self.apply(writes, true)
    }

    fn write_lazily(&self, writes: &[RecordWrite]) -> Result<(), StoreError> {
        self.apply(writes, false)?;
        if !writes.is_empty() {
            LAZY_HERE.set(true);
        }
        Ok(())
    }

    fn sync(&self) -> Result<(), StoreError> {
        if !LAZY_HERE.get() {
            return Ok(());
        }
        // A transaction given an id commits a WAL record and, synchronous, waits for the
        // flush that also covers this thread's lazy commits.
        self.pg.run(async |conn| {
            let statement = conn.prepared("SELECT txid_current()").await?;
            conn.client().query_one(&statement, &[]).await.map(|_| ())
        })?;
        LAZY_HERE.set(false);
        Ok(())
    }
}

/// Sequence numbers reserved per `nextval` (the sequence's increment, migration 2).
const SEQ_BLOCK: u64 = 64;

/// A tree's number in the `records` table.
fn tree_db(tree: RecordTree) -> i16 {
    i16::try_from(tree.index()).unwrap_or(i16::MAX)
}

/// The scan's statement: $1 tree, $2 prefix, then `from`, the prefix's successor and the limit
/// when present.
fn scan_sql(reverse: bool, from: bool, upper: bool) -> &'static str {
    match (reverse, from, upper) {
        (false, false, false) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 ORDER BY key LIMIT $3"
        }
        (false, false, true) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 AND key < $3 \
             ORDER BY key LIMIT $4"
        }
        (false, true, false) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 AND key > $3 \
             ORDER BY key LIMIT $4"
        }
        (false, true, true) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 AND key > $3 \
             AND key < $4 ORDER BY key LIMIT $5"
        }
        (true, false, false) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 \
             ORDER BY key DESC LIMIT $3"
        }
        (true, false, true) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 AND key < $3 \
             ORDER BY key DESC LIMIT $4"
        }
        (true, true, false) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 AND key < $3 \
             ORDER BY key DESC LIMIT $4"
        }
        (true, true, true) => {
            "SELECT key, value FROM records WHERE tree = $1 AND key >= $2 AND key < $3 \
             AND key < $4 ORDER BY key DESC LIMIT $5"
        }
    }
}
