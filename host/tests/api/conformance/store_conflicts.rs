//! The `Store` suite, part three: the unique indexes refuse. A change that would let one
//! (identity, company + extension, token id, agent's token, SIP domain) point at two records
//! is refused with `StoreError::IndexConflict`, and nothing of its batch is written: not the
//! valid changes beside it, not the refused record, and the record it would have replaced
//! keeps its own keys. `check_consistency` is empty after every scenario.

use switchyard_directory::{Change, Company, Scope, Store, StoreError, TokenHash};

use super::fixtures::{account, agent, agent_with, company, identity, member, put_token, token};
use super::{Backend, assert_consistent, eq};

conformance! {
    identity_conflicts_refuse_the_whole_batch: sled, postgres;
    extension_conflicts_refuse_the_whole_batch: sled, postgres;
    token_conflicts_refuse_the_whole_batch: sled, postgres;
    one_batch_claiming_a_key_twice_is_refused: sled, postgres;
    sip_domain_conflicts_refuse_the_whole_batch: sled, postgres;
}

/// An account id no scenario uses: written beside a refused change, it must not be stored.
const WITNESS: u64 = 9_000;

/// Commits `changes` between two new witness accounts and asserts the batch is refused with
/// [`StoreError::IndexConflict`] and neither witness was written.
#[track_caller]
fn assert_refused(backend: &Backend, store: &dyn Store, what: &str, changes: &[Change]) {
    let mut batch = vec![Change::PutAccount(account(WITNESS))];
    batch.extend_from_slice(changes);
    batch.push(Change::PutAccount(account(WITNESS + 1)));
    match store.commit(&batch) {
        Err(StoreError::IndexConflict { .. }) => {}
        other => panic!(
            "{}: {what}: expected IndexConflict, got {other:?}",
            backend.name()
        ),
    }
    let witnesses = [
        store.account(WITNESS).unwrap(),
        store.account(WITNESS + 1).unwrap(),
    ];
    eq(
        backend,
        &format!("{what}: the rest of the refused batch"),
        witnesses,
        [None, None],
    );
}

/// An agent's e-mail or phone held by another agent: refused for a new agent and for an
/// existing one (which keeps its record and its own identities).
fn identity_conflicts_refuse_the_whole_batch(backend: &Backend) {
    let store = backend.store();
    let ann = agent_with(1, Some("ann@example.com"), Some("+15550001"));
    let bob = agent_with(2, Some("bob@example.com"), Some("+15550002"));
    store
        .commit(&[Change::PutAgent(ann), Change::PutAgent(bob.clone())])
        .unwrap();
    let by = |s: &str| store.agent_by_identity(&identity(s)).unwrap();

    let email = agent_with(3, Some("ann@example.com"), None);
    assert_refused(
        backend,
        &*store,
        "a new agent, a held e-mail",
        &[Change::PutAgent(email)],
    );
    let phone = agent_with(3, Some("carl@example.com"), Some("+15550001"));
    assert_refused(
        backend,
        &*store,
        "a new agent, a held phone",
        &[Change::PutAgent(phone)],
    );
    eq(
        backend,
        "the refused new agent",
        store.agent(3).unwrap(),
        None,
    );
    eq(backend, "its own e-mail", by("carl@example.com"), None);

    let mut takes_phone = bob.clone();
    takes_phone.phone = Some("+15550001".to_owned());
    let mut takes_email = bob.clone();
    takes_email.email = Some("ann@example.com".to_owned());
    for (what, change) in [("phone", takes_phone), ("e-mail", takes_email)] {
        let what = format!("an agent taking another's {what}");
        assert_refused(backend, &*store, &what, &[Change::PutAgent(change)]);
        eq(backend, &what, store.agent(2).unwrap(), Some(bob.clone()));
    }
    eq(backend, "the held e-mail", by("ann@example.com"), Some(1));
    eq(backend, "the held phone", by("+15550001"), Some(1));
    eq(
        backend,
        "the refused agent's e-mail",
        by("bob@example.com"),
        Some(2),
    );
    eq(
        backend,
        "the refused agent's phone",
        by("+15550002"),
        Some(2),
    );
    assert_consistent(backend, &*store);
}

/// An extension held in the company: refused for a new member and for an existing one (which
/// keeps its own); the same extension in another company is no conflict.
fn extension_conflicts_refuse_the_whole_batch(backend: &Backend) {
    let store = backend.store();
    let mut setup = vec![
        Change::PutCompany(company(10, None)),
        Change::PutCompany(company(11, None)),
    ];
    setup.extend((1..=3).map(|a| Change::PutAgent(agent(a))));
    setup.push(Change::PutMembership(member(10, 1, "100")));
    setup.push(Change::PutMembership(member(10, 2, "200")));
    store.commit(&setup).unwrap();

    let new = Change::PutMembership(member(10, 3, "100"));
    assert_refused(backend, &*store, "a new member, a held extension", &[new]);
    eq(
        backend,
        "the refused member",
        store.membership(10, 3).unwrap(),
        None,
    );
    let taking = Change::PutMembership(member(10, 2, "100"));
    assert_refused(
        backend,
        &*store,
        "a member taking a held extension",
        &[taking],
    );
    let kept = store.membership(10, 2).unwrap();
    eq(
        backend,
        "the refused member",
        kept,
        Some(member(10, 2, "200")),
    );
    eq(
        backend,
        "the held extension",
        store.member_by_extension(10, "100").unwrap(),
        Some(1),
    );
    eq(
        backend,
        "the refused one's",
        store.member_by_extension(10, "200").unwrap(),
        Some(2),
    );

    store
        .commit(&[Change::PutMembership(member(11, 3, "100"))])
        .unwrap();
    eq(
        backend,
        "another company's",
        store.member_by_extension(11, "100").unwrap(),
        Some(3),
    );
    eq(
        backend,
        "the first company's",
        store.member_by_extension(10, "100").unwrap(),
        Some(1),
    );
    assert_consistent(backend, &*store);
}

/// A token id held under another hash, and a second token of an agent that has one: refused,
/// the stored tokens untouched.
fn token_conflicts_refuse_the_whole_batch(backend: &Backend) {
    let store = backend.store();
    let of_agent = Scope::Agent { agent_id: 1 };
    let (op_hash, op) = token("operator", 5, Scope::Operator);
    let (agent_hash, agents) = token("agent 1", 6, of_agent.clone());
    store
        .commit(&[
            Change::PutAgent(agent(1)),
            Change::PutToken(op_hash, op.clone()),
            Change::PutToken(agent_hash, agents.clone()),
        ])
        .unwrap();

    let same_id = put_token("another secret", 5, Scope::Operator);
    assert_refused(
        backend,
        &*store,
        "a token id held under another hash",
        &[same_id],
    );
    let second = put_token("agent 1 again", 7, of_agent);
    assert_refused(backend, &*store, "a second token of one agent", &[second]);
    for secret in ["another secret", "agent 1 again"] {
        eq(
            backend,
            "a refused token",
            store.token(&TokenHash::of(secret)).unwrap(),
            None,
        );
    }
    eq(
        backend,
        "token 5",
        store.token_by_id(5).unwrap(),
        Some((op_hash, op)),
    );
    eq(
        backend,
        "token 6",
        store.token_by_id(6).unwrap(),
        Some((agent_hash, agents)),
    );
    eq(
        backend,
        "the refused id",
        store.token_by_id(7).unwrap(),
        None,
    );
    eq(
        backend,
        "the agent's token",
        store.agent_token(1).unwrap(),
        Some(agent_hash),
    );
    eq(
        backend,
        "the tokens",
        store.tokens(0, 100).unwrap().len(),
        2,
    );
    assert_consistent(backend, &*store);
}

/// Two new records of one batch claiming the same unique key: refused, neither written.
fn one_batch_claiming_a_key_twice_is_refused(backend: &Backend) {
    let store = backend.store();
    store
        .commit(&[Change::PutCompany(company(10, None))])
        .unwrap();
    let twins = [
        Change::PutAgent(agent_with(1, Some("same@example.com"), None)),
        Change::PutAgent(agent_with(2, Some("same@example.com"), None)),
    ];
    assert_refused(backend, &*store, "two agents with one e-mail", &twins);
    eq(backend, "the first twin", store.agent(1).unwrap(), None);
    let email = store
        .agent_by_identity(&identity("same@example.com"))
        .unwrap();
    eq(backend, "the contested e-mail", email, None);

    store
        .commit(&[Change::PutAgent(agent(1)), Change::PutAgent(agent(2))])
        .unwrap();
    let twins = [
        Change::PutMembership(member(10, 1, "100")),
        Change::PutMembership(member(10, 2, "100")),
    ];
    assert_refused(backend, &*store, "two members with one extension", &twins);
    eq(
        backend,
        "the members",
        store.company_members(10, 0, 100).unwrap().len(),
        0,
    );
    eq(
        backend,
        "the contested extension",
        store.member_by_extension(10, "100").unwrap(),
        None,
    );
    assert_consistent(backend, &*store);
}

/// A company's SIP domain held by another company (`Company::sip_domain`: unique among
/// companies): refused for a new company and for an existing one; freed when its holder drops
/// it; a company keeps its own on a rewrite.
fn sip_domain_conflicts_refuse_the_whole_batch(backend: &Backend) {
    let store = backend.store();
    let with_domain = |id, domain: &str| -> Company {
        let mut c = company(id, None);
        c.sip_domain = Some(domain.to_owned());
        c
    };
    let (a, b) = (
        with_domain(10, "a.example.com"),
        with_domain(11, "b.example.com"),
    );
    store
        .commit(&[Change::PutCompany(a.clone()), Change::PutCompany(b.clone())])
        .unwrap();
    let mut renamed = a;
    renamed.name = "Renamed".to_owned();
    store.commit(&[Change::PutCompany(renamed)]).unwrap();

    let new = Change::PutCompany(with_domain(12, "a.example.com"));
    assert_refused(backend, &*store, "a new company, a held SIP domain", &[new]);
    eq(
        backend,
        "the refused company",
        store.company(12).unwrap(),
        None,
    );
    let taking = Change::PutCompany(with_domain(11, "a.example.com"));
    assert_refused(
        backend,
        &*store,
        "a company taking a held SIP domain",
        &[taking],
    );
    eq(
        backend,
        "the refused company",
        store.company(11).unwrap(),
        Some(b),
    );

    store
        .commit(&[Change::PutCompany(company(10, None))])
        .unwrap();
    store
        .commit(&[Change::PutCompany(with_domain(11, "a.example.com"))])
        .unwrap();
    assert_consistent(backend, &*store);
}
