//! [`RecordStore`]: durable records that are not directory entities — call logs and their trace
//! index, policy components, versions, activations and state, and the call flow's live state —
//! as ordered key/value trees.
//! The service owns their meaning; the backend only promises atomic batches and durability.
//! [`SledRecords`] keeps them in the same sled database as the directory.

use std::ops::Bound;
use std::sync::Arc;

use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use crate::group_flush::GroupFlush;
use crate::store::StoreError;

/// The record trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordTree {
    /// Call logs: company (8 bytes BE) ++ seq (8 bytes BE) → log JSON.
    CallLogs,
    /// Trace id → company ++ seq of the log holding it.
    TraceIndex,
    /// Policy component bytes by content hash.
    PolicyBlobs,
    /// Precompiled policy artifacts by content hash ++ engine fingerprint.
    PolicyArtifacts,
    /// Company ++ version (4 bytes BE) → policy version JSON.
    PolicyVersions,
    /// Company → active version record JSON.
    PolicyActive,
    /// Company → policy key/value state JSON.
    PolicyState,
    /// Company ++ seq → policy change record JSON.
    PolicyAudit,
    /// Agent → its live state (presence, engagement).
    LiveAgents,
    /// Company ++ agent → the agent's counters of today there.
    LiveStats,
    /// Call handle → a live call.
    LiveCalls,
    /// Call handle ++ index (4 bytes BE) → a decision of a live call.
    LiveDecisions,
}

impl RecordTree {
    /// Every tree.
    pub const ALL: [RecordTree; 12] = [
        RecordTree::CallLogs,
        RecordTree::TraceIndex,
        RecordTree::PolicyBlobs,
        RecordTree::PolicyArtifacts,
        RecordTree::PolicyVersions,
        RecordTree::PolicyActive,
        RecordTree::PolicyState,
        RecordTree::PolicyAudit,
        RecordTree::LiveAgents,
        RecordTree::LiveStats,
        RecordTree::LiveCalls,
        RecordTree::LiveDecisions,
    ];

    /// The tree's name in storage.
    pub fn name(self) -> &'static str {
        match self {
            RecordTree::CallLogs => "rec_call_logs",
            RecordTree::TraceIndex => "rec_trace_index",
            RecordTree::PolicyBlobs => "rec_policy_blobs",
            RecordTree::PolicyArtifacts => "rec_policy_artifacts",
            RecordTree::PolicyVersions => "rec_policy_versions",
            RecordTree::PolicyActive => "rec_policy_active",
            RecordTree::PolicyState => "rec_policy_state",
            RecordTree::PolicyAudit => "rec_policy_audit",
            RecordTree::LiveAgents => "live_agents",
            RecordTree::LiveStats => "live_stats",
            RecordTree::LiveCalls => "live_calls",
            RecordTree::LiveDecisions => "live_decisions",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// A key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// One write of a batch: `Some` puts, `None` deletes.
pub type RecordWrite = (RecordTree, Vec<u8>, Option<Vec<u8>>);

/// Ordered key/value trees with atomic, durable batches.
pub trait RecordStore: Send + Sync + 'static {
    /// A fresh sequence number, increasing, never reused (also across restarts).
    fn next_seq(&self) -> Result<u64, StoreError>;
    /// A value.
    fn get(&self, tree: RecordTree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Entries with keys starting with `prefix`, in key order (`reverse`: descending), starting
    /// strictly after (or before, in reverse) `from` when given, at most `limit`.
    fn scan(
        &self,
        tree: RecordTree,
        prefix: &[u8],
        from: Option<&[u8]>,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError>;
    /// Applies every write atomically and returns once it is on disk.
    fn write(&self, writes: &[RecordWrite]) -> Result<(), StoreError> {
        self.write_lazily(writes)?;
        self.sync()
    }
    /// Applies every write atomically; it reaches the disk with the next flush (a later
    /// [`RecordStore::write`] or [`RecordStore::sync`], the backend's periodic flush, or
    /// shutdown). For state whose latest value may be lost in a crash without harm.
    fn write_lazily(&self, writes: &[RecordWrite]) -> Result<(), StoreError>;
    /// Returns once everything written so far is on disk.
    fn sync(&self) -> Result<(), StoreError>;
}

/// [`RecordStore`] in a sled database.
pub struct SledRecords {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    flusher: Arc<GroupFlush>,
}

impl SledRecords {
    /// Record trees inside `db` (the directory's database), made durable through `flusher`
    /// (the database's one group-commit flusher).
    pub fn open(db: &sled::Db, flusher: Arc<GroupFlush>) -> Result<Self, StoreError> {
        let trees = RecordTree::ALL
            .iter()
            .map(|t| db.open_tree(t.name()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::Backend)?;
        Ok(Self {
            db: db.clone(),
            trees,
            flusher,
        })
    }

    fn tree(&self, tree: RecordTree) -> &sled::Tree {
        &self.trees[tree.index()]
    }
}

impl RecordStore for SledRecords {
    fn next_seq(&self) -> Result<u64, StoreError> {
        self.db
            .generate_id()
            .map(|id| id + 1)
            .map_err(StoreError::Backend)
    }

    fn get(&self, tree: RecordTree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tree(tree)
            .get(key)
            .map_err(StoreError::Backend)?
            .map(|v| v.to_vec()))
    }

    fn scan(
        &self,
        tree: RecordTree,
        prefix: &[u8],
        from: Option<&[u8]>,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<Entry>, StoreError> {
        let Some(range) = scan_range(prefix, from, reverse) else {
            return Ok(Vec::new());
        };
        let entries = self.tree(tree).range::<Vec<u8>, _>(range);
        let iter: Box<dyn Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>>> = if reverse {
            Box::new(entries.rev())
        } else {
            Box::new(entries)
        };
        iter.take(limit)
            .map(|entry| {
                let (k, v) = entry.map_err(StoreError::Backend)?;
                Ok((k.to_vec(), v.to_vec()))
            })
            .collect()
    }

    fn write_lazily(&self, writes: &[RecordWrite]) -> Result<(), StoreError> {
        // Only the trees the batch touches take part: a transaction's cost grows with the
        // trees in it, and one tree's batch is atomic without one.
        let mut touched: Vec<usize> = writes.iter().map(|(t, _, _)| t.index()).collect();
        touched.sort_unstable();
        touched.dedup();
        match touched.as_slice() {
            [] => return Ok(()),
            [one] => {
                let mut batch = sled::Batch::default();
                for (_, key, value) in writes {
                    match value {
                        Some(v) => batch.insert(key.as_slice(), v.as_slice()),
                        None => batch.remove(key.as_slice()),
                    }
                }
                return self.trees[*one]
                    .apply_batch(batch)
                    .map_err(StoreError::Backend);
            }
            _ => {}
        }
        let trees: Vec<sled::Tree> = touched.iter().map(|i| self.trees[*i].clone()).collect();
        let result: Result<(), TransactionError<StoreError>> =
            trees.as_slice().transaction(|trees| {
                for (tree, key, value) in writes {
                    let Ok(at) = touched.binary_search(&tree.index()) else {
                        continue;
                    };
                    let t = &trees[at];
                    match value {
                        Some(v) => {
                            t.insert(key.as_slice(), v.as_slice())?;
                        }
                        None => {
                            t.remove(key.as_slice())?;
                        }
                    }
                }
                Ok::<(), ConflictableTransactionError<StoreError>>(())
            });
        result.map_err(|e| match e {
            TransactionError::Abort(e) => e,
            TransactionError::Storage(e) => StoreError::Backend(e),
        })
    }

    fn sync(&self) -> Result<(), StoreError> {
        self.flusher.sync().map_err(StoreError::Backend)
    }
}

/// A range of keys, its low and high bound.
type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The keys [`RecordStore::scan`] may return: those starting with `prefix` (from `prefix` up to
/// its [`successor`]) and, with `from`, strictly after it (in `reverse`: strictly before). A
/// `from` outside the prefix's range leaves the whole prefix or none of it; `None` when the
/// range is empty.
fn scan_range(prefix: &[u8], from: Option<&[u8]>, reverse: bool) -> Option<KeyRange> {
    let low = match from {
        Some(from) if !reverse && from >= prefix => Bound::Excluded(from.to_vec()),
        _ => Bound::Included(prefix.to_vec()),
    };
    let end = successor(prefix);
    let high = match (from, end) {
        (Some(from), Some(end)) if reverse && from < end.as_slice() => {
            Bound::Excluded(from.to_vec())
        }
        (Some(from), None) if reverse => Bound::Excluded(from.to_vec()),
        (_, Some(end)) => Bound::Excluded(end),
        (_, None) => Bound::Unbounded,
    };
    let empty = match (&low, &high) {
        (Bound::Included(l), Bound::Excluded(h)) | (Bound::Excluded(l), Bound::Excluded(h)) => {
            l >= h
        }
        _ => false,
    };
    (!empty).then_some((low, high))
}

/// The smallest key greater than every key starting with `prefix`; `None` when there is none
/// (an empty prefix, or one of 0xff bytes only).
pub(crate) fn successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut upper = prefix.to_vec();
    while let Some(last) = upper.pop() {
        if last < u8::MAX {
            upper.push(last + 1);
            return Some(upper);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_atomic_and_scans_ordered() {
        let dir = tempfile::tempdir().unwrap();
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let r = SledRecords::open(&db, Arc::new(GroupFlush::new(db.clone()))).unwrap();
        let key = |c: u64, s: u64| [c.to_be_bytes(), s.to_be_bytes()].concat();
        r.write(&[
            (RecordTree::CallLogs, key(1, 1), Some(b"a".to_vec())),
            (RecordTree::CallLogs, key(1, 2), Some(b"b".to_vec())),
            (RecordTree::CallLogs, key(2, 3), Some(b"c".to_vec())),
            (RecordTree::TraceIndex, b"t1".to_vec(), Some(key(1, 2))),
        ])
        .unwrap();
        let newest: Vec<_> = r
            .scan(RecordTree::CallLogs, &1u64.to_be_bytes(), None, true, 10)
            .unwrap()
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(newest, vec![b"b".to_vec(), b"a".to_vec()]);
        let older = r
            .scan(
                RecordTree::CallLogs,
                &1u64.to_be_bytes(),
                Some(&key(1, 2)),
                true,
                10,
            )
            .unwrap();
        assert_eq!(older.len(), 1);
        assert_eq!(
            r.get(RecordTree::TraceIndex, b"t1").unwrap(),
            Some(key(1, 2))
        );
        assert!(r.next_seq().unwrap() < r.next_seq().unwrap());
    }

    #[test]
    fn a_prefix_successor_bounds_the_prefix() {
        assert_eq!(successor(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(successor(&[1, 0xff]), Some(vec![2]));
        assert_eq!(successor(&[0xff, 0xff]), None);
        assert_eq!(successor(b""), None);
    }

    #[test]
    fn a_from_outside_the_prefix_keeps_all_of_it_or_none() {
        let whole = Some((
            Bound::Included(b"b".to_vec()),
            Bound::Excluded(b"c".to_vec()),
        ));
        assert_eq!(scan_range(b"b", Some(b"a"), false), whole);
        assert_eq!(scan_range(b"b", Some(b"d"), true), whole);
        assert_eq!(scan_range(b"b", Some(b"d"), false), None);
        assert_eq!(scan_range(b"b", Some(b"a"), true), None);
        assert_eq!(scan_range(b"b", Some(b"b"), true), None);
    }
}
