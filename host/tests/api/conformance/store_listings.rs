//! The `Store` suite, part two: the listings, each in its documented order (ids numerically,
//! numbers in byte order), only the owner's records, `after` exclusive, at most `limit`, and
//! paging by the last key read yields everything once.

use std::fmt::Debug;

use switchyard_directory::{Change, Scope, Store};

use super::fixtures::{account, agent, company, department, member, number, put_token};
use super::{Backend, assert_consistent, eq};

conformance! {
    id_listings_are_in_id_order_and_page: sled, postgres;
    company_listings_are_in_order_and_page: sled, postgres;
    agent_memberships_are_in_company_order: sled, postgres;
}

/// Every item of a listing read `limit` at a time, each page after the last key of the one
/// before, until an empty page; asserts no page holds more than `limit`.
fn page_through<T, K>(
    backend: &Backend,
    limit: usize,
    first: K,
    fetch: impl Fn(&K, usize) -> Vec<T>,
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let (mut out, mut after) = (Vec::new(), first);
    for _ in 0..100 {
        let page = fetch(&after, limit);
        assert!(
            page.len() <= limit,
            "{}: a page beyond its limit",
            backend.name()
        );
        let Some(last) = page.last() else {
            return out;
        };
        after = key(last);
        out.extend(page);
    }
    panic!("{}: paging never reached an empty page", backend.name());
}

/// Asserts that a listing yields the keys `want`, in that order, read whole and paged 1, 2 and
/// 3 at a time, and nothing with limit 0.
fn assert_listing<T, K: PartialEq + Debug + Clone>(
    backend: &Backend,
    what: &str,
    first: K,
    fetch: impl Fn(&K, usize) -> Vec<T>,
    key: impl Fn(&T) -> K,
    want: &[K],
) {
    let whole: Vec<K> = fetch(&first, 1000).iter().map(&key).collect();
    eq(backend, what, whole, want);
    for limit in [1, 2, 3] {
        let paged = page_through(backend, limit, first.clone(), &fetch, &key);
        let paged: Vec<K> = paged.iter().map(&key).collect();
        eq(
            backend,
            &format!("{what}, paged {limit} at a time"),
            paged,
            want,
        );
    }
    let none = fetch(&first, 0).len();
    eq(backend, &format!("{what}, limit 0"), none, 0);
}

/// `accounts`, `companies`, `account_companies` and `tokens`: ids above `after` in numeric
/// order (stored out of order; ids whose decimal and byte orders differ), at most `limit`.
fn id_listings_are_in_id_order_and_page(backend: &Backend) {
    let store = backend.store();
    let s: &dyn Store = &*store;
    for id in [10u64, 2, 100, 9, 1_000_003, 256, 1] {
        s.commit(&[Change::PutAccount(account(id))]).unwrap();
    }
    let accounts = |a: &u64, l| s.accounts(*a, l).unwrap();
    let all = [1, 2, 9, 10, 100, 256, 1_000_003];
    assert_listing(backend, "accounts", 0, accounts, |a| a.id, &all);
    assert_listing(
        backend,
        "accounts after 9",
        9,
        accounts,
        |a| a.id,
        &all[3..],
    );
    assert_listing(
        backend,
        "accounts after 11",
        11,
        accounts,
        |a| a.id,
        &all[4..],
    );

    // Companies 30, 4 and 12 of account 1; 5 of account 2; 7 and 2000 standalone.
    let owned = [
        (30, Some(1)),
        (4, Some(1)),
        (2_000, None),
        (12, Some(1)),
        (5, Some(2)),
    ];
    for (id, acc) in owned.into_iter().chain([(7, None)]) {
        s.commit(&[Change::PutCompany(company(id, acc))]).unwrap();
    }
    let companies = |a: &u64, l| s.companies(*a, l).unwrap();
    let all = [4, 5, 7, 12, 30, 2_000];
    assert_listing(backend, "companies", 0, companies, |c| c.id, &all);
    let of = |acc| move |a: &u64, l| s.account_companies(acc, *a, l).unwrap();
    assert_listing(
        backend,
        "account 1's companies",
        0,
        of(1),
        |c| c.id,
        &[4, 12, 30],
    );
    assert_listing(
        backend,
        "account 1's after 4",
        4,
        of(1),
        |c| c.id,
        &[12, 30],
    );
    assert_listing(backend, "account 2's companies", 0, of(2), |c| c.id, &[5]);
    assert_listing(backend, "account 9's companies", 0, of(9), |c| c.id, &[]);

    for a in [3u64, 300, 20] {
        s.commit(&[Change::PutAgent(agent(a))]).unwrap();
    }
    let tokens = [
        ("t40", 40, Scope::Operator),
        ("t3", 3, Scope::Agent { agent_id: 300 }),
        ("t17", 17, Scope::CompanyAdmin { company_id: 4 }),
        ("t1000", 1_000, Scope::Manager { account_id: 2 }),
        ("t9", 9, Scope::Agent { agent_id: 3 }),
    ];
    for (secret, id, scope) in tokens {
        s.commit(&[put_token(secret, id, scope)]).unwrap();
    }
    let tokens = |a: &u64, l| s.tokens(*a, l).unwrap();
    assert_listing(
        backend,
        "tokens",
        0,
        tokens,
        |t| t.id,
        &[3, 9, 17, 40, 1_000],
    );
    assert_listing(
        backend,
        "tokens after 17",
        17,
        tokens,
        |t| t.id,
        &[40, 1_000],
    );
    assert_consistent(backend, s);
}

/// `company_members` (agent id order), `company_departments` (id order) and `company_numbers`
/// (byte order of the number): only the company's.
fn company_listings_are_in_order_and_page(backend: &Backend) {
    let store = backend.store();
    let s: &dyn Store = &*store;
    let (co, other) = (20, 21);
    let mut changes = vec![
        Change::PutCompany(company(co, None)),
        Change::PutCompany(company(other, None)),
    ];
    for (i, a) in [9u64, 100, 2, 10, 256].into_iter().enumerate() {
        changes.push(Change::PutAgent(agent(a)));
        changes.push(Change::PutMembership(member(
            co,
            a,
            &format!("{}", 200 + i),
        )));
    }
    changes.push(Change::PutMembership(member(other, 2, "200")));
    s.commit(&changes).unwrap();
    let members = |c| move |a: &u64, l| s.company_members(c, *a, l).unwrap();
    let all = [2, 9, 10, 100, 256];
    assert_listing(backend, "members", 0, members(co), |m| m.agent_id, &all);
    assert_listing(
        backend,
        "members after 9",
        9,
        members(co),
        |m| m.agent_id,
        &all[2..],
    );
    assert_listing(
        backend,
        "the other's members",
        0,
        members(other),
        |m| m.agent_id,
        &[2],
    );

    for d in [300u64, 31, 4_000, 32] {
        s.commit(&[Change::PutDepartment(department(d, co))])
            .unwrap();
    }
    s.commit(&[Change::PutDepartment(department(33, other))])
        .unwrap();
    let depts = |c| move |a: &u64, l| s.company_departments(c, *a, l).unwrap();
    let all = [31, 32, 300, 4_000];
    assert_listing(backend, "departments", 0, depts(co), |d| d.id, &all);
    assert_listing(
        backend,
        "departments after 32",
        32,
        depts(co),
        |d| d.id,
        &all[2..],
    );
    assert_listing(
        backend,
        "the other's departments",
        0,
        depts(other),
        |d| d.id,
        &[33],
    );

    // Byte order is not numeric order: "+10" sorts before "+2".
    for n in ["+2", "+4420", "+10", "+441", "+1"] {
        s.commit(&[Change::PutNumber(number(n, co, 31))]).unwrap();
    }
    s.commit(&[Change::PutNumber(number("+11", other, 33))])
        .unwrap();
    let numbers = |c| move |a: &String, l| s.company_numbers(c, a, l).unwrap();
    let all = ["+1", "+10", "+2", "+441", "+4420"].map(str::to_owned);
    let key = |n: &switchyard_directory::NumberMapping| n.number.clone();
    assert_listing(backend, "numbers", String::new(), numbers(co), key, &all);
    assert_listing(
        backend,
        "numbers after +10",
        "+10".into(),
        numbers(co),
        key,
        &all[2..],
    );
    assert_listing(
        backend,
        "numbers after +3",
        "+3".into(),
        numbers(co),
        key,
        &all[3..],
    );
    let others = ["+11".to_owned()];
    assert_listing(
        backend,
        "the other's numbers",
        String::new(),
        numbers(other),
        key,
        &others,
    );
    assert_consistent(backend, s);
}

/// `agent_memberships`: all of an agent's memberships, in company id order, no one else's.
fn agent_memberships_are_in_company_order(backend: &Backend) {
    let store = backend.store();
    let mut changes = vec![Change::PutAgent(agent(7)), Change::PutAgent(agent(8))];
    for co in [50u64, 6, 300, 41, 256] {
        changes.push(Change::PutCompany(company(co, None)));
    }
    for co in [50u64, 6, 300, 41] {
        changes.push(Change::PutMembership(member(co, 7, "100")));
    }
    changes.push(Change::PutMembership(member(6, 8, "101")));
    changes.push(Change::PutMembership(member(256, 8, "100")));
    store.commit(&changes).unwrap();
    let of = |agent: u64| -> Vec<(u64, u64)> {
        let ms = store.agent_memberships(agent).unwrap();
        ms.iter().map(|m| (m.company_id, m.agent_id)).collect()
    };
    eq(
        backend,
        "agent 7's",
        of(7),
        [(6, 7), (41, 7), (50, 7), (300, 7)],
    );
    eq(backend, "agent 8's", of(8), [(6, 8), (256, 8)]);
    eq(
        backend,
        "an agent without memberships",
        of(9),
        Vec::<(u64, u64)>::new(),
    );
    assert_consistent(backend, &*store);
}
