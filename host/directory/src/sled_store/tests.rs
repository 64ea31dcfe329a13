//! Unit tests of the sled backend: atomic batches, indexes following changes and
//! surviving a reopen, the consistency check, the SIP-domain index built on opening an older
//! database.

use super::*;
use crate::model::{AgentState, MemberState, MemberStatus, Role};

fn agent(id: u64, email: &str) -> Agent {
    Agent {
        id,
        name: format!("agent {id}"),
        email: Some(email.to_owned()),
        phone: None,
        state: AgentState::Activated,
    }
}

fn company(id: u64) -> Company {
    Company {
        id,
        account_id: None,
        name: format!("c{id}"),
        time_zone: "UTC".into(),
        wrap_up_secs: 0,
        identity_policy: Default::default(),
        sip_domain: None,
    }
}

fn membership(company_id: u64, agent_id: u64, extension: &str) -> Membership {
    Membership {
        company_id,
        agent_id,
        role: Role::Agent,
        extension: extension.to_owned(),
        departments: Default::default(),
        schedule: None,
        take_calls: true,
        panel_access: true,
        notifications: true,
        status: MemberStatus::Available,
        state: MemberState::Active,
    }
}

#[test]
fn a_refused_index_claim_writes_nothing_of_the_batch() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    store
        .commit(&[Change::PutAgent(agent(1, "a@x.com"))])
        .unwrap();
    let err = store
        .commit(&[
            Change::PutCompany(company(5)),
            Change::PutAgent(agent(2, "a@x.com")),
        ])
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::IndexConflict {
                index: "idx_identity",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        store.company(5).unwrap().is_none(),
        "the batch was applied in part"
    );
    assert!(store.agent(2).unwrap().is_none());
    assert_eq!(
        store
            .agent_by_identity(&Identity::Email("a@x.com".into()))
            .unwrap(),
        Some(1)
    );
    assert!(store.check_consistency().unwrap().is_empty());
}

#[test]
fn indexes_follow_changes_and_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        store
            .commit(&[
                Change::PutCompany(company(5)),
                Change::PutAgent(agent(1, "a@x.com")),
                Change::PutAgent(agent(2, "b@x.com")),
                Change::PutMembership(membership(5, 1, "221")),
                Change::PutMembership(membership(5, 2, "222")),
            ])
            .unwrap();
        // Moving an extension frees the old one; taking a held one is refused.
        store
            .commit(&[Change::PutMembership(membership(5, 1, "230"))])
            .unwrap();
        assert_eq!(store.member_by_extension(5, "221").unwrap(), None);
        assert!(
            store
                .commit(&[Change::PutMembership(membership(5, 1, "222"))])
                .is_err()
        );
        // A changed e-mail moves the identity index.
        store
            .commit(&[Change::PutAgent(agent(2, "b2@x.com"))])
            .unwrap();
        assert_eq!(
            store
                .agent_by_identity(&Identity::Email("b@x.com".into()))
                .unwrap(),
            None
        );
        store
            .commit(&[Change::DeleteMembership {
                company: 5,
                agent: 2,
            }])
            .unwrap();
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(store.member_by_extension(5, "230").unwrap(), Some(1));
    assert_eq!(store.agent_memberships(1).unwrap().len(), 1);
    assert!(store.agent_memberships(2).unwrap().is_empty());
    assert_eq!(
        store
            .agent_by_identity(&Identity::Email("b2@x.com".into()))
            .unwrap(),
        Some(2)
    );
    assert!(store.check_consistency().unwrap().is_empty());
    assert!(store.next_id().unwrap() > 0);
}

#[test]
fn the_check_reports_a_stale_index_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = SledStore::open(dir.path()).unwrap();
    store
        .commit(&[Change::PutAgent(agent(1, "a@x.com"))])
        .unwrap();
    store.trees[IDX_IDENTITY]
        .insert(b"email:ghost@x.com", &be(9))
        .unwrap();
    let problems = store.check_consistency().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("ghost@x.com"));
}

fn company_in(id: u64, domain: &str) -> Company {
    Company {
        sip_domain: Some(domain.to_owned()),
        ..company(id)
    }
}

/// The SIP-domain index's entries, domain → company.
fn sip_domains(store: &SledStore) -> Vec<(String, u64)> {
    store.trees[IDX_SIP_DOMAIN]
        .iter()
        .map(|e| {
            let (k, v) = e.unwrap();
            let id = read_id(IDX_SIP_DOMAIN, &v).unwrap();
            (String::from_utf8(k.to_vec()).unwrap(), id)
        })
        .collect()
}

#[test]
fn opening_a_database_without_the_sip_domain_index_builds_it_once() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        store
            .commit(&[
                Change::PutCompany(company_in(5, "a.example.com")),
                Change::PutCompany(company_in(6, "b.example.com")),
                Change::PutCompany(company(7)),
            ])
            .unwrap();
        // As written before the index existed.
        store.trees[IDX_SIP_DOMAIN].clear().unwrap();
        store.flush().unwrap();
        assert_eq!(store.check_consistency().unwrap().len(), 2);
    }
    let want = vec![
        ("a.example.com".to_owned(), 5),
        ("b.example.com".to_owned(), 6),
    ];
    {
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(sip_domains(&store), want);
        assert!(store.check_consistency().unwrap().is_empty());
        let err = store
            .commit(&[Change::PutCompany(company_in(8, "a.example.com"))])
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::IndexConflict {
                    index: "idx_sip_domain",
                    ..
                }
            ),
            "{err}"
        );
        assert!(store.company(8).unwrap().is_none());
    }
    // Opening again changes nothing; a moved domain frees the old one.
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(sip_domains(&store), want);
    store
        .commit(&[Change::PutCompany(company_in(5, "c.example.com"))])
        .unwrap();
    store
        .commit(&[Change::PutCompany(company_in(8, "a.example.com"))])
        .unwrap();
    assert!(store.check_consistency().unwrap().is_empty());
}

#[test]
fn a_domain_two_old_companies_share_goes_to_the_lower_id_and_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = SledStore::open(dir.path()).unwrap();
        for id in [6, 5] {
            let bytes = serde_json::to_vec(&company_in(id, "a.example.com")).unwrap();
            store.trees[COMPANIES].insert(be(id), bytes).unwrap();
        }
        store.flush().unwrap();
    }
    let store = SledStore::open(dir.path()).unwrap();
    assert_eq!(sip_domains(&store), vec![("a.example.com".to_owned(), 5)]);
    let problems = store.check_consistency().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("used by companies 5 and 6"),
        "{problems:?}"
    );
}
