//! The `RecordStore` suite, part two: `scan` returns the entries whose keys start with the
//! prefix, in key order (`reverse`: descending), strictly after `from` (in reverse: strictly
//! before) when given, at most `limit`; paging with the last key read yields every entry once.

use switchyard_directory::{RecordStore, RecordTree, RecordWrite};

use super::records::{key, labels, put};
use super::{Backend, eq};

conformance! {
    scan_keeps_to_the_prefix_in_key_order: sled, postgres;
    scan_starts_strictly_after_from: sled, postgres;
    scan_pages_through_a_prefix_both_ways: sled, postgres;
    scan_from_outside_the_prefix: sled, postgres;
}

/// Stores `seqs` of each of `companies` in the call-log tree, in one batch, in no order.
fn fill(records: &dyn RecordStore, companies: &[u64], seqs: &[u64]) {
    let mut writes: Vec<RecordWrite> = Vec::new();
    for s in seqs.iter().rev() {
        for c in companies {
            writes.push(put(RecordTree::CallLogs, key(*c, *s)));
        }
    }
    records.write(&writes).unwrap();
}

/// Labels `company/seq` for each of `seqs`, in that order.
fn expect(company: u64, seqs: &[u64]) -> Vec<String> {
    seqs.iter().map(|s| format!("{company}/{s}")).collect()
}

/// `scan` without `from`: exactly the keys starting with the prefix (one equal to it too), in
/// key order or reversed, at most `limit`; at the top of the key space (prefixes of 0xff
/// bytes), with a prefix shorter than a company, an empty one (the whole tree), or one that
/// matches nothing.
fn scan_keeps_to_the_prefix_in_key_order(backend: &Backend) {
    let records = backend.records();
    let top = u64::MAX;
    let seqs = [1, 2, 3, 255, 256];
    fill(&*records, &[0, 1, 2, 256, top - 1, top], &seqs);
    records
        .write(&[put(RecordTree::CallLogs, 1u64.to_be_bytes().to_vec())])
        .unwrap();
    let scan = |prefix: &[u8], reverse, limit| {
        let entries = records
            .scan(RecordTree::CallLogs, prefix, None, reverse, limit)
            .unwrap();
        labels(backend, &entries)
    };
    let p1 = 1u64.to_be_bytes();
    let mut one = vec!["1".to_owned()];
    one.extend(expect(1, &seqs));
    let back: Vec<String> = one.iter().rev().cloned().collect();
    eq(backend, "prefix 1", scan(&p1, false, 100), &one[..]);
    eq(
        backend,
        "prefix 1 in reverse",
        scan(&p1, true, 100),
        &back[..],
    );
    eq(backend, "prefix 1, limit 2", scan(&p1, false, 2), &one[..2]);
    eq(
        backend,
        "prefix 1 in reverse, limit 2",
        scan(&p1, true, 2),
        &back[..2],
    );
    eq(backend, "prefix 1, limit 0", scan(&p1, false, 0).len(), 0);
    for c in [top - 1, top] {
        let mut want = expect(c, &seqs);
        eq(
            backend,
            &format!("prefix {c}"),
            scan(&c.to_be_bytes(), false, 100),
            &want[..],
        );
        want.reverse();
        eq(
            backend,
            &format!("prefix {c} reversed"),
            scan(&c.to_be_bytes(), true, 100),
            &want[..],
        );
    }
    eq(
        backend,
        "7 zero bytes (companies 0-2)",
        scan(&[0; 7], false, 100).len(),
        3 * 5 + 1,
    );
    eq(
        backend,
        "7 0xff bytes, reversed",
        scan(&[0xff; 7], true, 100).len(),
        2 * 5,
    );
    let whole = scan(&[], false, 1000);
    eq(backend, "the whole tree", whole.len(), 6 * 5 + 1);
    eq(
        backend,
        "its first key",
        whole.first().map(String::as_str),
        Some("0/1"),
    );
    eq(
        backend,
        "its last key",
        whole.last().cloned(),
        Some(format!("{top}/256")),
    );
    let reversed: Vec<String> = whole.iter().rev().cloned().collect();
    eq(
        backend,
        "the whole tree reversed",
        scan(&[], true, 1000),
        reversed,
    );
    eq(
        backend,
        "a prefix of nothing",
        scan(&3u64.to_be_bytes(), false, 100).len(),
        0,
    );
    eq(
        backend,
        "a prefix of nothing",
        scan(&3u64.to_be_bytes(), true, 100).len(),
        0,
    );
}

/// `scan` with `from`: strictly after it going forward, strictly before it in reverse, whether
/// or not it is a stored key, never past the prefix, at most `limit`.
fn scan_starts_strictly_after_from(backend: &Backend) {
    let records = backend.records();
    let top = u64::MAX;
    fill(&*records, &[0, 1, 2, top], &[1, 2, 3, 4, 5]);
    let scan = |c: u64, from: &[u8], reverse, limit| {
        let prefix = c.to_be_bytes();
        let entries = records
            .scan(RecordTree::CallLogs, &prefix, Some(from), reverse, limit)
            .unwrap();
        labels(backend, &entries)
    };
    for c in [1, top] {
        let at = |what: &str| format!("prefix {c}, {what}");
        eq(
            backend,
            &at("after 2"),
            scan(c, &key(c, 2), false, 100),
            expect(c, &[3, 4, 5]),
        );
        eq(
            backend,
            &at("before 4"),
            scan(c, &key(c, 4), true, 100),
            expect(c, &[3, 2, 1]),
        );
        let between = [key(c, 2), vec![0]].concat();
        eq(
            backend,
            &at("after 2+0"),
            scan(c, &between, false, 100),
            expect(c, &[3, 4, 5]),
        );
        eq(
            backend,
            &at("before 2+0"),
            scan(c, &between, true, 100),
            expect(c, &[2, 1]),
        );
        eq(
            backend,
            &at("after 1, limit 2"),
            scan(c, &key(c, 1), false, 2),
            expect(c, &[2, 3]),
        );
        eq(
            backend,
            &at("before 5, limit 2"),
            scan(c, &key(c, 5), true, 2),
            expect(c, &[4, 3]),
        );
        eq(
            backend,
            &at("after the last"),
            scan(c, &key(c, 5), false, 100).len(),
            0,
        );
        eq(
            backend,
            &at("before the first"),
            scan(c, &key(c, 1), true, 100).len(),
            0,
        );
        eq(
            backend,
            &at("limit 0"),
            scan(c, &key(c, 3), false, 0).len(),
            0,
        );
    }
}

/// Paging as the service does, each page's `from` the last key of the page before: every
/// entry of the prefix exactly once, in order, forward and in reverse.
fn scan_pages_through_a_prefix_both_ways(backend: &Backend) {
    let records = backend.records();
    let seqs: Vec<u64> = (1..=11).collect();
    fill(&*records, &[4, 5, 6], &seqs);
    for reverse in [false, true] {
        let mut from: Option<Vec<u8>> = None;
        let mut seen = Vec::new();
        for _ in 0..20 {
            let prefix = 5u64.to_be_bytes();
            let page = records
                .scan(RecordTree::CallLogs, &prefix, from.as_deref(), reverse, 3)
                .unwrap();
            assert!(
                page.len() <= 3,
                "{}: a page beyond its limit",
                backend.name()
            );
            let Some((last, _)) = page.last() else { break };
            from = Some(last.clone());
            seen.extend(labels(backend, &page));
        }
        let mut want = expect(5, &seqs);
        if reverse {
            want.reverse();
        }
        eq(backend, &format!("paged, reverse {reverse}"), seen, want);
    }
}

/// `scan` with a `from` outside the prefix's range, between other keys: before it going
/// forward, or after it in reverse, every entry of the prefix follows; the other way round,
/// none.
fn scan_from_outside_the_prefix(backend: &Backend) {
    let records = backend.records();
    fill(&*records, &[0, 1, 2], &[1, 2, 3, 4, 5]);
    let scan = |from: Vec<u8>, reverse| {
        let prefix = 1u64.to_be_bytes();
        let entries = records
            .scan(RecordTree::CallLogs, &prefix, Some(&from), reverse, 100)
            .unwrap();
        labels(backend, &entries)
    };
    let all = expect(1, &[1, 2, 3, 4, 5]);
    let back: Vec<String> = all.iter().rev().cloned().collect();
    eq(backend, "prefix 1 after 0/3", scan(key(0, 3), false), all);
    eq(
        backend,
        "prefix 1 before 2/3, reversed",
        scan(key(2, 3), true),
        back,
    );
    eq(
        backend,
        "prefix 1 after 2/3",
        scan(key(2, 3), false).len(),
        0,
    );
    eq(
        backend,
        "prefix 1 before 0/3, reversed",
        scan(key(0, 3), true).len(),
        0,
    );
}
