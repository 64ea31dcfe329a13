//! The `Store` suite, part one: ids, every entity kind read back as put, the lookups by
//! secondary key, and what was committed and flushed still there after a reopen. Listings:
//! `store_listings.rs`; unique indexes, moved and deleted records: `store_indexes.rs`.

use std::collections::HashSet;

use switchyard_directory::{Change, Identity, Scope, Store, TokenHash};

use super::fixtures::{Tenant, agent_with, member, tenant};
use super::{Backend, assert_consistent, eq};

conformance! {
    next_id_is_never_zero_and_never_repeats: sled, postgres;
    every_kind_reads_back_as_put: sled, postgres;
    lookups_find_records_by_secondary_key: sled, postgres;
    committed_and_flushed_records_survive_a_reopen: sled, postgres;
}

/// `next_id`: never 0 and never handed out twice, from one thread, from several at once, and
/// across a reopen. (The trait promises fresh ids, not increasing ones: no order is asserted.)
fn next_id_is_never_zero_and_never_repeats(backend: &Backend) {
    let store = backend.store();
    let mut seen = HashSet::new();
    let mut take = |id: u64, when: &str| {
        assert_ne!(id, 0, "{}: next_id handed out 0 {when}", backend.name());
        assert!(
            seen.insert(id),
            "{}: id {id} handed out twice {when}",
            backend.name()
        );
    };
    for _ in 0..500 {
        take(store.next_id().unwrap(), "in a row");
    }
    let concurrent: Vec<u64> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    (0..100)
                        .map(|_| store.next_id().unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    for id in concurrent {
        take(id, "from 4 threads at once");
    }
    drop(store);
    let store = backend.store();
    for _ in 0..500 {
        take(store.next_id().unwrap(), "after a reopen");
    }
}

/// Every kind of record reads back exactly as put (every optional field set), a put again
/// replaces it, and what was never stored reads as absent.
fn every_kind_reads_back_as_put(backend: &Backend) {
    let store = backend.store();
    let t = tenant(10);
    store.commit(&t.changes()).unwrap();
    assert_stored(backend, &*store, &t);

    let mut changed = tenant(10);
    changed.account.name = "Renamed account".to_owned();
    changed.company.wrap_up_secs = 90;
    changed.company.sip_domain = None;
    changed.agent.name = "Renamed agent".to_owned();
    changed.department.name = "Renamed department".to_owned();
    changed.membership.schedule = None;
    changed.membership.departments.clear();
    changed.tokens[0].1.label = None;
    store.commit(&changed.changes()).unwrap();
    assert_stored(backend, &*store, &changed);

    eq(
        backend,
        "an unknown account",
        store.account(999).unwrap(),
        None,
    );
    eq(
        backend,
        "an unknown company",
        store.company(999).unwrap(),
        None,
    );
    eq(backend, "an unknown agent", store.agent(999).unwrap(), None);
    eq(
        backend,
        "an unknown membership",
        store.membership(t.company.id, 999).unwrap(),
        None,
    );
    eq(
        backend,
        "an unknown department",
        store.department(999).unwrap(),
        None,
    );
    eq(
        backend,
        "an unknown number",
        store.number("+499999").unwrap(),
        None,
    );
    eq(
        backend,
        "an unknown token",
        store.token(&TokenHash::of("never")).unwrap(),
        None,
    );
    eq(
        backend,
        "an unknown token id",
        store.token_by_id(999).unwrap(),
        None,
    );
    assert_consistent(backend, &*store);
}

/// Asserts that every record of `t` reads back equal, by its key and each token by its hash
/// and by its id.
fn assert_stored(backend: &Backend, store: &dyn Store, t: &Tenant) {
    let m = &t.membership;
    eq(
        backend,
        "account",
        store.account(t.account.id).unwrap(),
        Some(t.account.clone()),
    );
    eq(
        backend,
        "company",
        store.company(t.company.id).unwrap(),
        Some(t.company.clone()),
    );
    eq(
        backend,
        "agent",
        store.agent(t.agent.id).unwrap(),
        Some(t.agent.clone()),
    );
    let dept = store.department(t.department.id).unwrap();
    eq(backend, "department", dept, Some(t.department.clone()));
    let membership = store.membership(m.company_id, m.agent_id).unwrap();
    eq(backend, "membership", membership, Some(m.clone()));
    eq(
        backend,
        "number",
        store.number(&t.number.number).unwrap(),
        Some(t.number.clone()),
    );
    for (hash, record) in &t.tokens {
        eq(
            backend,
            "token",
            store.token(hash).unwrap(),
            Some(record.clone()),
        );
        let by_id = store.token_by_id(record.id).unwrap();
        eq(backend, "token by id", by_id, Some((*hash, record.clone())));
    }
}

/// `agent_by_identity` (e-mail and phone, the two kinds apart), `member_by_extension` (per
/// company), `number`, `token`, `token_by_id` and `agent_token`.
fn lookups_find_records_by_secondary_key(backend: &Backend) {
    let store = backend.store();
    let (a, b) = (tenant(10), tenant(30));
    store.commit(&a.changes()).unwrap();
    store.commit(&b.changes()).unwrap();
    // Agent 50, with a phone only, holds tenant a's extension in tenant b's company.
    let ext = &a.membership.extension;
    store
        .commit(&[
            Change::PutAgent(agent_with(50, None, Some("+15550050"))),
            Change::PutMembership(member(b.company.id, 50, ext)),
        ])
        .unwrap();
    let by = |identity: Identity| store.agent_by_identity(&identity).unwrap();
    for t in [&a, &b] {
        let email = t.agent.email.clone().unwrap();
        let phone = t.agent.phone.clone().unwrap();
        eq(
            backend,
            "by e-mail",
            by(Identity::Email(email.clone())),
            Some(t.agent.id),
        );
        eq(
            backend,
            "by phone",
            by(Identity::Phone(phone.clone())),
            Some(t.agent.id),
        );
        eq(
            backend,
            "an e-mail as a phone",
            by(Identity::Phone(email)),
            None,
        );
        eq(
            backend,
            "a phone as an e-mail",
            by(Identity::Email(phone)),
            None,
        );
        let n = store.number(&t.number.number).unwrap();
        eq(backend, "number", n, Some(t.number.clone()));
        for (hash, record) in &t.tokens {
            eq(
                backend,
                "token",
                store.token(hash).unwrap(),
                Some(record.clone()),
            );
            let by_id = store.token_by_id(record.id).unwrap();
            eq(backend, "token by id", by_id, Some((*hash, record.clone())));
        }
        let agents = t
            .tokens
            .iter()
            .find(|(_, r)| matches!(r.scope, Scope::Agent { .. }));
        let token = store.agent_token(t.agent.id).unwrap();
        eq(backend, "the agent's token", token, agents.map(|(h, _)| *h));
    }
    eq(
        backend,
        "by phone only",
        by(Identity::Phone("+15550050".into())),
        Some(50),
    );
    eq(
        backend,
        "unknown e-mail",
        by(Identity::Email("no@example.com".into())),
        None,
    );
    eq(
        backend,
        "an agent without a token",
        store.agent_token(50).unwrap(),
        None,
    );
    let holder = |co| store.member_by_extension(co, ext).unwrap();
    eq(
        backend,
        "the extension in company a",
        holder(a.company.id),
        Some(a.agent.id),
    );
    eq(
        backend,
        "the same extension in company b",
        holder(b.company.id),
        Some(50),
    );
    eq(backend, "the extension in no company", holder(999), None);
    let unknown = store.member_by_extension(a.company.id, "999").unwrap();
    eq(backend, "an unknown extension", unknown, None);
    eq(
        backend,
        "an unknown number",
        store.number("+15559999").unwrap(),
        None,
    );
    assert_consistent(backend, &*store);
}

/// What was committed and flushed reads back the same after the store is dropped and opened
/// again: records, deletes, listings and every lookup.
fn committed_and_flushed_records_survive_a_reopen(backend: &Backend) {
    let (a, b) = (tenant(10), tenant(30));
    let store = backend.store();
    store.commit(&a.changes()).unwrap();
    store.commit(&b.changes()).unwrap();
    store
        .commit(&[Change::DeleteNumber(b.number.number.clone())])
        .unwrap();
    store.flush().unwrap();
    let before = everything(&*store, &[&a, &b]);
    assert!(
        before.contains(&a.number.number),
        "{}: the snapshot misses",
        backend.name()
    );
    drop(store);

    let store = backend.store();
    assert_stored(backend, &*store, &a);
    eq(
        backend,
        "a deleted number",
        store.number(&b.number.number).unwrap(),
        None,
    );
    eq(
        backend,
        "every read after a reopen",
        everything(&*store, &[&a, &b]),
        before,
    );
    assert_consistent(backend, &*store);
}

/// Every listing and lookup of the tenants `ts`, one per line.
fn everything(store: &dyn Store, ts: &[&Tenant]) -> String {
    let mut out = vec![
        format!("{:?}", store.accounts(0, 1000).unwrap()),
        format!("{:?}", store.companies(0, 1000).unwrap()),
        format!("{:?}", store.tokens(0, 1000).unwrap()),
    ];
    for t in ts {
        let (co, agent) = (t.company.id, t.agent.id);
        let identities = t.agent.identities();
        let by: Vec<_> = identities
            .iter()
            .map(|i| store.agent_by_identity(i).unwrap())
            .collect();
        out.extend([
            format!(
                "{:?}",
                store.account_companies(t.account.id, 0, 1000).unwrap()
            ),
            format!("{:?} {by:?}", store.agent(agent).unwrap()),
            format!("{:?}", store.company_members(co, 0, 1000).unwrap()),
            format!("{:?}", store.agent_memberships(agent).unwrap()),
            format!(
                "{:?}",
                store
                    .member_by_extension(co, &t.membership.extension)
                    .unwrap()
            ),
            format!("{:?}", store.company_departments(co, 0, 1000).unwrap()),
            format!("{:?}", store.company_numbers(co, "", 1000).unwrap()),
            format!("{:?}", store.number(&t.number.number).unwrap()),
            format!("{:?}", store.agent_token(agent).unwrap()),
        ]);
        for (hash, record) in &t.tokens {
            let (by_hash, by_id) = (store.token(hash), store.token_by_id(record.id));
            out.push(format!("{:?} {:?}", by_hash.unwrap(), by_id.unwrap()));
        }
    }
    out.join("\n")
}
