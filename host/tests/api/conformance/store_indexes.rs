//! The `Store` suite, part four: the indexes follow their records. A record that changes its
//! key (an agent's e-mail or phone, a member's extension, a number's or department's company,
//! a company's account, a token's binding) moves its entries and frees the old ones for other
//! records; a delete frees its entries. `check_consistency` is empty after every scenario.

use std::collections::BTreeSet;

use switchyard_directory::{Change, Scope};

use super::fixtures::{
    account, agent, agent_with, company, department, identity, member, number, put_token, token,
};
use super::{Backend, assert_consistent, eq};

conformance! {
    changed_identities_and_extensions_move_their_entries: sled, postgres;
    moved_records_leave_their_old_listings: sled, postgres;
    a_rebound_token_reads_back_rebound: sled, postgres;
    deletes_free_their_entries: sled, postgres;
    a_token_given_another_id_and_agent_moves_its_entries: sled, postgres;
}

/// An agent's new e-mail and phone, a phone removed, a member's new extension: the new key is
/// held, the old one freed (another record can take it).
fn changed_identities_and_extensions_move_their_entries(backend: &Backend) {
    let store = backend.store();
    store
        .commit(&[
            Change::PutCompany(company(10, None)),
            Change::PutAgent(agent_with(1, Some("ann@example.com"), Some("+15550001"))),
            Change::PutAgent(agent(2)),
            Change::PutMembership(member(10, 1, "100")),
        ])
        .unwrap();
    let by = |s: &str| store.agent_by_identity(&identity(s)).unwrap();
    let moved = agent_with(1, Some("ann.new@example.com"), Some("+15550009"));
    store.commit(&[Change::PutAgent(moved)]).unwrap();
    eq(
        backend,
        "the new e-mail",
        by("ann.new@example.com"),
        Some(1),
    );
    eq(backend, "the new phone", by("+15550009"), Some(1));
    eq(backend, "the old e-mail", by("ann@example.com"), None);
    eq(backend, "the old phone", by("+15550001"), None);
    let without_phone = agent_with(1, Some("ann.new@example.com"), None);
    store.commit(&[Change::PutAgent(without_phone)]).unwrap();
    eq(backend, "a removed phone", by("+15550009"), None);
    let bob = agent_with(2, Some("ann@example.com"), Some("+15550009"));
    store.commit(&[Change::PutAgent(bob)]).unwrap();
    eq(
        backend,
        "a freed e-mail, taken again",
        by("ann@example.com"),
        Some(2),
    );
    eq(
        backend,
        "a freed phone, taken again",
        by("+15550009"),
        Some(2),
    );
    eq(
        backend,
        "the taker's old e-mail",
        by("agent2@example.com"),
        None,
    );

    let ext = |e| store.member_by_extension(10, e).unwrap();
    store
        .commit(&[Change::PutMembership(member(10, 1, "200"))])
        .unwrap();
    eq(backend, "the new extension", ext("200"), Some(1));
    eq(backend, "the old extension", ext("100"), None);
    store
        .commit(&[Change::PutMembership(member(10, 2, "100"))])
        .unwrap();
    eq(
        backend,
        "a freed extension, taken again",
        ext("100"),
        Some(2),
    );
    assert_consistent(backend, &*store);
}

/// A number mapped to another company, a department of another company, a company of another
/// account (or of none): each leaves the old owner's listing for the new one's.
fn moved_records_leave_their_old_listings(backend: &Backend) {
    let store = backend.store();
    store
        .commit(&[
            Change::PutAccount(account(1)),
            Change::PutAccount(account(2)),
            Change::PutCompany(company(10, Some(1))),
            Change::PutCompany(company(11, Some(1))),
            Change::PutDepartment(department(20, 10)),
            Change::PutDepartment(department(21, 11)),
            Change::PutDepartment(department(22, 10)),
            Change::PutNumber(number("+15550100", 10, 20)),
        ])
        .unwrap();
    let numbers = |co| -> Vec<String> {
        let ns = store.company_numbers(co, "", 100).unwrap();
        ns.into_iter().map(|n| n.number).collect()
    };
    let depts = |co| -> Vec<u64> {
        let ds = store.company_departments(co, 0, 100).unwrap();
        ds.iter().map(|d| d.id).collect()
    };
    let companies = |acc| -> Vec<u64> {
        let cs = store.account_companies(acc, 0, 100).unwrap();
        cs.iter().map(|c| c.id).collect()
    };

    let remapped = number("+15550100", 11, 21);
    store
        .commit(&[Change::PutNumber(remapped.clone())])
        .unwrap();
    eq(
        backend,
        "the remapped number",
        store.number("+15550100").unwrap(),
        Some(remapped),
    );
    eq(
        backend,
        "its old company's numbers",
        numbers(10),
        Vec::<String>::new(),
    );
    eq(
        backend,
        "its new company's numbers",
        numbers(11),
        ["+15550100"],
    );

    store
        .commit(&[Change::PutDepartment(department(22, 11))])
        .unwrap();
    eq(backend, "its old company's departments", depts(10), [20]);
    eq(
        backend,
        "its new company's departments",
        depts(11),
        [21, 22],
    );

    store
        .commit(&[Change::PutCompany(company(11, Some(2)))])
        .unwrap();
    eq(backend, "its old account's companies", companies(1), [10]);
    eq(backend, "its new account's companies", companies(2), [11]);
    store
        .commit(&[Change::PutCompany(company(11, None))])
        .unwrap();
    eq(backend, "made standalone", companies(2), Vec::<u64>::new());
    eq(
        backend,
        "all companies",
        store.companies(0, 100).unwrap().len(),
        2,
    );
    assert_consistent(backend, &*store);
}

/// A telephony scope of `numbers`.
fn telephony(numbers: &[&str]) -> Scope {
    Scope::Telephony {
        numbers: numbers
            .iter()
            .map(|n| (*n).to_owned())
            .collect::<BTreeSet<_>>(),
    }
}

/// A token stored again under its hash with other numbers (the service's rebinding): every
/// lookup reads the new record, listed once.
fn a_rebound_token_reads_back_rebound(backend: &Backend) {
    let store = backend.store();
    store
        .commit(&[put_token("phones", 5, telephony(&["+15550100"]))])
        .unwrap();
    let (hash, rebound) = token("phones", 5, telephony(&["+15550100", "+15550101"]));
    store
        .commit(&[Change::PutToken(hash, rebound.clone())])
        .unwrap();
    eq(
        backend,
        "by hash",
        store.token(&hash).unwrap(),
        Some(rebound.clone()),
    );
    eq(
        backend,
        "by id",
        store.token_by_id(5).unwrap(),
        Some((hash, rebound.clone())),
    );
    eq(backend, "listed", store.tokens(0, 100).unwrap(), [rebound]);
    assert_consistent(backend, &*store);
}

/// A token stored again under its hash with another id and another agent: its old id and
/// its old agent are freed (a new token may take them), the new ones lead to it.
fn a_token_given_another_id_and_agent_moves_its_entries(backend: &Backend) {
    let store = backend.store();
    let first = put_token("agent", 6, Scope::Agent { agent_id: 1 });
    store
        .commit(&[
            Change::PutAgent(agent(1)),
            Change::PutAgent(agent(2)),
            first,
        ])
        .unwrap();
    let (hash, moved) = token("agent", 8, Scope::Agent { agent_id: 2 });
    store
        .commit(&[Change::PutToken(hash, moved.clone())])
        .unwrap();
    eq(
        backend,
        "by its new id",
        store.token_by_id(8).unwrap(),
        Some((hash, moved)),
    );
    eq(
        backend,
        "by its old id",
        store.token_by_id(6).unwrap(),
        None,
    );
    eq(
        backend,
        "its new agent's token",
        store.agent_token(2).unwrap(),
        Some(hash),
    );
    eq(
        backend,
        "the agent it left",
        store.agent_token(1).unwrap(),
        None,
    );
    let ids: Vec<u64> = store.tokens(0, 100).unwrap().iter().map(|t| t.id).collect();
    eq(backend, "the listed ids", ids, [8]);
    assert_consistent(backend, &*store);
    store
        .commit(&[put_token("agent 1 anew", 6, Scope::Agent { agent_id: 1 })])
        .unwrap();
    assert_consistent(backend, &*store);
}

/// Deleting a membership, department, number or token removes it from every lookup and
/// listing and frees its unique keys for other records.
fn deletes_free_their_entries(backend: &Backend) {
    let store = backend.store();
    store
        .commit(&[
            Change::PutCompany(company(10, None)),
            Change::PutCompany(company(11, None)),
            Change::PutAgent(agent(1)),
            Change::PutAgent(agent(2)),
            Change::PutMembership(member(10, 1, "100")),
            Change::PutMembership(member(11, 1, "100")),
            Change::PutDepartment(department(20, 10)),
            Change::PutDepartment(department(21, 10)),
            Change::PutDepartment(department(22, 11)),
            Change::PutNumber(number("+15550100", 10, 20)),
            put_token("agent", 6, Scope::Agent { agent_id: 1 }),
            put_token("operator", 7, Scope::Operator),
        ])
        .unwrap();

    store
        .commit(&[Change::DeleteMembership {
            company: 10,
            agent: 1,
        }])
        .unwrap();
    eq(
        backend,
        "a deleted membership",
        store.membership(10, 1).unwrap(),
        None,
    );
    eq(
        backend,
        "its extension",
        store.member_by_extension(10, "100").unwrap(),
        None,
    );
    eq(
        backend,
        "its company's members",
        store.company_members(10, 0, 100).unwrap().len(),
        0,
    );
    let left: Vec<u64> = store
        .agent_memberships(1)
        .unwrap()
        .iter()
        .map(|m| m.company_id)
        .collect();
    eq(backend, "the agent's other membership", left, [11]);
    store
        .commit(&[Change::PutMembership(member(10, 2, "100"))])
        .unwrap();
    eq(
        backend,
        "its extension, taken again",
        store.member_by_extension(10, "100").unwrap(),
        Some(2),
    );

    store.commit(&[Change::DeleteDepartment(21)]).unwrap();
    eq(
        backend,
        "a deleted department",
        store.department(21).unwrap(),
        None,
    );
    let depts: Vec<u64> = store
        .company_departments(10, 0, 100)
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    eq(backend, "its company's departments", depts, [20]);

    store
        .commit(&[Change::DeleteNumber("+15550100".to_owned())])
        .unwrap();
    eq(
        backend,
        "a deleted number",
        store.number("+15550100").unwrap(),
        None,
    );
    eq(
        backend,
        "its company's numbers",
        store.company_numbers(10, "", 100).unwrap().len(),
        0,
    );
    store
        .commit(&[Change::PutNumber(number("+15550100", 11, 22))])
        .unwrap();
    eq(
        backend,
        "mapped again",
        store.company_numbers(11, "", 100).unwrap().len(),
        1,
    );

    let (hash, _) = token("agent", 6, Scope::Agent { agent_id: 1 });
    store.commit(&[Change::DeleteToken(hash)]).unwrap();
    eq(
        backend,
        "a deleted token",
        store.token(&hash).unwrap(),
        None,
    );
    eq(backend, "its id", store.token_by_id(6).unwrap(), None);
    eq(
        backend,
        "its agent's token",
        store.agent_token(1).unwrap(),
        None,
    );
    let ids: Vec<u64> = store.tokens(0, 100).unwrap().iter().map(|t| t.id).collect();
    eq(backend, "the tokens left", ids, [7]);
    let (anew, _) = token("agent anew", 6, Scope::Agent { agent_id: 1 });
    store
        .commit(&[put_token("agent anew", 6, Scope::Agent { agent_id: 1 })])
        .unwrap();
    eq(
        backend,
        "its id and agent, taken again",
        store.agent_token(1).unwrap(),
        Some(anew),
    );
    assert_consistent(backend, &*store);
}
