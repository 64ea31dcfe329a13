//! The `RecordStore` suite, part one: `next_seq` unique and increasing (also across a reopen);
//! get, put and delete in every tree; trees apart; batches applied whole across trees, each key
//! ending with the batch's last write of it; and what `write`, or `write_lazily` then `sync`,
//! stored still there after a reopen. Scans: `records_scan.rs`.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use switchyard_directory::{Entry, RecordStore, RecordTree, RecordWrite};

use super::{Backend, eq};

conformance! {
    next_seq_is_unique_and_increasing: sled, postgres;
    get_put_and_delete_in_every_tree: sled, postgres;
    trees_are_separate: sled, postgres;
    a_batch_applies_whole_across_trees: sled, postgres;
    written_records_survive_a_reopen: sled, postgres;
}

/// The call-log style key: company (8 bytes BE) ++ seq (8 bytes BE).
pub fn key(company: u64, seq: u64) -> Vec<u8> {
    [company.to_be_bytes(), seq.to_be_bytes()].concat()
}

/// A key as `company/seq` (or `company` for a bare 8-byte key), for readable assertions.
pub fn label(key: &[u8]) -> String {
    let word = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap());
    match key.len() {
        8 => word(key).to_string(),
        16 => format!("{}/{}", word(&key[..8]), word(&key[8..])),
        _ => String::from_utf8_lossy(key).into_owned(),
    }
}

/// The value the checks store under `key`.
pub fn value(key: &[u8]) -> Vec<u8> {
    format!("value of {}", label(key)).into_bytes()
}

/// A put of `key` with its [`value`] in `tree`.
pub fn put(tree: RecordTree, key: Vec<u8>) -> RecordWrite {
    let v = value(&key);
    (tree, key, Some(v))
}

/// A scan's keys as labels, after checking each entry carries its key's value.
pub fn labels(backend: &Backend, entries: &[Entry]) -> Vec<String> {
    for (k, v) in entries {
        eq(backend, &format!("the value of {}", label(k)), v, &value(k));
    }
    entries.iter().map(|(k, _)| label(k)).collect()
}

/// `next_seq`: increasing call after call (also within each of several threads at once),
/// never handed out twice, and above every earlier one after a reopen.
fn next_seq_is_unique_and_increasing(backend: &Backend) {
    let records = backend.records();
    let mut seen = HashSet::new();
    let mut last = 0;
    for _ in 0..300 {
        let seq = records.next_seq().unwrap();
        assert!(seq > last, "{}: {seq} after {last}", backend.name());
        assert!(
            seen.insert(seq),
            "{}: {seq} handed out twice",
            backend.name()
        );
        last = seq;
    }
    let per_thread: Vec<Vec<u64>> = std::thread::scope(|s| {
        let seqs = || {
            (0..100)
                .map(|_| records.next_seq().unwrap())
                .collect::<Vec<u64>>()
        };
        let workers: Vec<_> = (0..4).map(|_| s.spawn(seqs)).collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for seqs in per_thread {
        assert!(
            seqs.is_sorted_by(|a, b| a < b),
            "{}: {seqs:?}",
            backend.name()
        );
        for seq in seqs {
            assert!(
                seen.insert(seq),
                "{}: {seq} handed out twice",
                backend.name()
            );
        }
    }
    let max = seen.iter().copied().max().unwrap_or_default();
    drop(records);
    let seq = backend.records().next_seq().unwrap();
    assert!(
        seq > max,
        "{}: {seq} after a reopen, {max} before",
        backend.name()
    );
}

/// In every tree: a put reads back (an empty value too), a put again replaces it, a delete
/// removes it, a key never written is absent.
fn get_put_and_delete_in_every_tree(backend: &Backend) {
    let records = backend.records();
    let k = b"some key".to_vec();
    for tree in RecordTree::ALL {
        let get = |what: &str, want: Option<&[u8]>| {
            let got = records.get(tree, &k).unwrap();
            eq(backend, &format!("{tree:?}: {what}"), got.as_deref(), want);
        };
        get("before", None);
        records
            .write(&[(tree, k.clone(), Some(b"one".to_vec()))])
            .unwrap();
        get("put", Some(b"one"));
        records
            .write(&[(tree, k.clone(), Some(b"two".to_vec()))])
            .unwrap();
        get("put again", Some(b"two"));
        records.write(&[(tree, k.clone(), None)]).unwrap();
        get("deleted", None);
        records
            .write(&[(tree, k.clone(), Some(Vec::new()))])
            .unwrap();
        get("an empty value", Some(b""));
        let never = records.get(tree, b"never written").unwrap();
        eq(backend, &format!("{tree:?}: never written"), never, None);
    }
}

/// One key in every tree holds each tree's own value; a scan of one tree sees only its entry;
/// a delete in one tree leaves the others.
fn trees_are_separate(backend: &Backend) {
    let records = backend.records();
    let k = key(7, 7);
    let own = |tree: RecordTree| tree.name().as_bytes().to_vec();
    let writes: Vec<RecordWrite> = RecordTree::ALL
        .iter()
        .map(|t| (*t, k.clone(), Some(own(*t))))
        .collect();
    records.write(&writes).unwrap();
    for tree in RecordTree::ALL {
        eq(
            backend,
            &format!("{tree:?}"),
            records.get(tree, &k).unwrap(),
            Some(own(tree)),
        );
        let all = records.scan(tree, &[], None, false, 100).unwrap();
        eq(
            backend,
            &format!("a scan of {tree:?}"),
            all,
            [(k.clone(), own(tree))],
        );
    }
    records
        .write(&[(RecordTree::LiveCalls, k.clone(), None)])
        .unwrap();
    for tree in RecordTree::ALL {
        let want = (tree != RecordTree::LiveCalls).then(|| own(tree));
        let what = format!("{tree:?} after a delete in LiveCalls");
        eq(backend, &what, records.get(tree, &k).unwrap(), want);
    }
}

/// A batch of puts and deletes across several trees: applied whole, each key ending with the
/// batch's last write of it; a reader never sees one tree's half of a batch without the other.
fn a_batch_applies_whole_across_trees(backend: &Backend) {
    let records = backend.records();
    let state = |k: &str, v: Option<&str>| {
        (
            RecordTree::PolicyState,
            k.as_bytes().to_vec(),
            v.map(|v| v.as_bytes().to_vec()),
        )
    };
    records
        .write(&[
            put(RecordTree::CallLogs, key(1, 1)),
            put(RecordTree::TraceIndex, b"trace-1".to_vec()),
            put(RecordTree::LiveCalls, b"call-1".to_vec()),
        ])
        .unwrap();
    records.write(&[]).unwrap();
    records
        .write(&[
            put(RecordTree::CallLogs, key(1, 2)),
            (RecordTree::TraceIndex, b"trace-1".to_vec(), None),
            put(RecordTree::TraceIndex, b"trace-2".to_vec()),
            (
                RecordTree::LiveCalls,
                b"call-1".to_vec(),
                Some(b"connected".to_vec()),
            ),
            (RecordTree::LiveAgents, b"never written".to_vec(), None),
            state("put, deleted", Some("x")),
            state("put, deleted", None),
            state("deleted, put", None),
            state("deleted, put", Some("y")),
            state("put twice", Some("1")),
            state("put twice", Some("2")),
        ])
        .unwrap();
    let get = |tree, k: &[u8]| records.get(tree, k).unwrap();
    eq(
        backend,
        "a log",
        get(RecordTree::CallLogs, &key(1, 1)),
        Some(value(&key(1, 1))),
    );
    eq(
        backend,
        "a new log",
        get(RecordTree::CallLogs, &key(1, 2)),
        Some(value(&key(1, 2))),
    );
    eq(
        backend,
        "a deleted trace",
        get(RecordTree::TraceIndex, b"trace-1"),
        None,
    );
    eq(
        backend,
        "a new trace",
        get(RecordTree::TraceIndex, b"trace-2"),
        Some(value(b"trace-2")),
    );
    let call = get(RecordTree::LiveCalls, b"call-1");
    eq(
        backend,
        "a replaced call",
        call,
        Some(b"connected".to_vec()),
    );
    eq(
        backend,
        "a deleted absent key",
        get(RecordTree::LiveAgents, b"never written"),
        None,
    );
    let last = |k: &str| get(RecordTree::PolicyState, k.as_bytes());
    eq(backend, "put, then deleted", last("put, deleted"), None);
    eq(
        backend,
        "deleted, then put",
        last("deleted, put"),
        Some(b"y".to_vec()),
    );
    eq(backend, "put twice", last("put twice"), Some(b"2".to_vec()));
    halves_are_never_seen_apart(backend, &*records);
}

/// Batches of a log and its trace (two trees) written, by `write` and by `write_lazily`, while
/// this thread reads them, the trace first for even batches and the log first for odd ones:
/// whichever half it sees first, the other half is there too.
fn halves_are_never_seen_apart(backend: &Backend, records: &dyn RecordStore) {
    const BATCHES: u64 = 100;
    let trace = |i: u64| format!("trace-of-{i}").into_bytes();
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..BATCHES {
                let batch = [
                    put(RecordTree::CallLogs, key(9, i)),
                    (RecordTree::TraceIndex, trace(i), Some(key(9, i))),
                ];
                if i % 2 == 0 {
                    records.write(&batch).unwrap();
                } else {
                    records.write_lazily(&batch).unwrap();
                }
            }
            records.sync().unwrap();
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut i = 0;
        while i < BATCHES {
            assert!(
                Instant::now() < deadline,
                "{}: batch {i} never seen",
                backend.name()
            );
            let (log, trace) = (
                (RecordTree::CallLogs, key(9, i)),
                (RecordTree::TraceIndex, trace(i)),
            );
            let (first, second) = if i % 2 == 0 {
                (trace, log)
            } else {
                (log, trace)
            };
            if records.get(first.0, &first.1).unwrap().is_none() {
                std::thread::yield_now();
                continue;
            }
            let other = records.get(second.0, &second.1).unwrap();
            assert!(
                other.is_some(),
                "{}: batch {i} seen in half",
                backend.name()
            );
            i += 1;
        }
    });
}

/// What `write` stored, and what `write_lazily` stored before a `sync`, is there after the
/// store is dropped and opened again; so are deletes.
fn written_records_survive_a_reopen(backend: &Backend) {
    let records = backend.records();
    records.sync().unwrap();
    records
        .write(&[
            put(RecordTree::CallLogs, key(1, 1)),
            put(RecordTree::PolicyBlobs, b"blob".to_vec()),
            put(RecordTree::PolicyState, b"gone".to_vec()),
        ])
        .unwrap();
    records
        .write_lazily(&[
            put(RecordTree::PolicyState, b"pointer".to_vec()),
            put(RecordTree::LiveAgents, key(0, 3)),
            (RecordTree::PolicyState, b"gone".to_vec(), None),
        ])
        .unwrap();
    records.sync().unwrap();
    drop(records);

    let records = backend.records();
    let get = |tree, k: &[u8]| records.get(tree, k).unwrap();
    eq(
        backend,
        "written",
        get(RecordTree::CallLogs, &key(1, 1)),
        Some(value(&key(1, 1))),
    );
    eq(
        backend,
        "written",
        get(RecordTree::PolicyBlobs, b"blob"),
        Some(value(b"blob")),
    );
    let lazy = get(RecordTree::PolicyState, b"pointer");
    eq(
        backend,
        "written lazily, synced",
        lazy,
        Some(value(b"pointer")),
    );
    let lazy = get(RecordTree::LiveAgents, &key(0, 3));
    eq(
        backend,
        "written lazily, synced",
        lazy,
        Some(value(&key(0, 3))),
    );
    eq(
        backend,
        "deleted lazily, synced",
        get(RecordTree::PolicyState, b"gone"),
        None,
    );
    let logs = records
        .scan(RecordTree::CallLogs, &[], None, false, 10)
        .unwrap();
    eq(
        backend,
        "scanned after a reopen",
        labels(backend, &logs),
        ["1/1"],
    );
}
