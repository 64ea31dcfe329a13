//! `check_consistency` for the sled backend: every record against every index entry, both
//! ways, plus references between records (a membership's company, agent and departments, a
//! number's department, a token's subject). Tests run it after restarts and crashes.

use std::collections::{BTreeMap, BTreeSet};

use sled::IVec;

use crate::model::{Account, Agent, Company, Department, Membership, NumberMapping};
use crate::principal::Scope;
use crate::sled_store::{SledStore, be, ext_key, number_key, pair};
use crate::store::StoreError;
use crate::token::TokenRecord;

/// One line per disagreement; empty when the database is consistent.
pub(crate) fn check(store: &SledStore) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
    let records = Records::load(store)?;
    check_companies(store, &records, &mut problems)?;
    check_sip_domains(store, &records, &mut problems)?;
    check_agents(store, &records, &mut problems)?;
    check_memberships(store, &records, &mut problems)?;
    check_departments(store, &records, &mut problems)?;
    check_numbers(store, &records, &mut problems)?;
    check_tokens(store, &records, &mut problems)?;
    Ok(problems)
}

/// Every record of the database, the ones other records name keyed by id.
struct Records {
    accounts: BTreeSet<u64>,
    companies: BTreeMap<u64, Company>,
    agents: BTreeMap<u64, Agent>,
    departments: BTreeMap<u64, Department>,
    memberships: Vec<(IVec, Membership)>,
    numbers: Vec<(IVec, NumberMapping)>,
    tokens: Vec<(IVec, TokenRecord)>,
}

impl Records {
    /// Reads every record tree, accounts first and tokens last.
    fn load(store: &SledStore) -> Result<Self, StoreError> {
        let accounts: BTreeSet<u64> = store
            .records::<Account>("accounts")?
            .into_iter()
            .map(|(_, a)| a.id)
            .collect();
        let companies: BTreeMap<u64, Company> = store
            .records::<Company>("companies")?
            .into_iter()
            .map(|(_, c)| (c.id, c))
            .collect();
        let agents: BTreeMap<u64, Agent> = store
            .records::<Agent>("agents")?
            .into_iter()
            .map(|(_, a)| (a.id, a))
            .collect();
        let departments: BTreeMap<u64, Department> = store
            .records::<Department>("departments")?
            .into_iter()
            .map(|(_, d)| (d.id, d))
            .collect();
        Ok(Self {
            accounts,
            companies,
            agents,
            departments,
            memberships: store.records::<Membership>("memberships")?,
            numbers: store.records::<NumberMapping>("numbers")?,
            tokens: store.records::<TokenRecord>("tokens")?,
        })
    }
}

/// The keys of an index without values.
fn index_keys(store: &SledStore, index: &'static str) -> Result<BTreeSet<Vec<u8>>, StoreError> {
    Ok(store
        .entries(index)?
        .into_iter()
        .map(|(k, _)| k.to_vec())
        .collect())
}

/// The entries of an index whose values point at records.
fn index_map(
    store: &SledStore,
    index: &'static str,
) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, StoreError> {
    Ok(store
        .entries(index)?
        .into_iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect())
}

/// Companies ↔ account index, and each company's account exists.
fn check_companies(
    store: &SledStore,
    records: &Records,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let idx = index_keys(store, "idx_account_companies")?;
    let mut expected = BTreeSet::new();
    for c in records.companies.values() {
        if let Some(acc) = c.account_id {
            if !records.accounts.contains(&acc) {
                problems.push(format!("company {} names missing account {acc}", c.id));
            }
            expected.insert(pair(acc, c.id).to_vec());
        }
    }
    diff(problems, "idx_account_companies", &expected, &idx);
    Ok(())
}

/// Companies ↔ SIP-domain index, and no domain held by two companies (the lower id is
/// expected in the index).
fn check_sip_domains(
    store: &SledStore,
    records: &Records,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut holders: BTreeMap<&str, u64> = BTreeMap::new();
    for c in records.companies.values() {
        let Some(domain) = c.sip_domain.as_deref() else {
            continue;
        };
        if let Some(holder) = holders.get(domain) {
            problems.push(format!(
                "SIP domain {domain} used by companies {holder} and {}",
                c.id
            ));
        } else {
            holders.insert(domain, c.id);
        }
    }
    let expected = holders
        .into_iter()
        .map(|(domain, id)| (domain.as_bytes().to_vec(), be(id).to_vec()))
        .collect();
    let idx = index_map(store, "idx_sip_domain")?;
    diff_map(problems, "idx_sip_domain", &expected, &idx);
    Ok(())
}

/// Agents ↔ identity index, and each agent has an identity.
fn check_agents(
    store: &SledStore,
    records: &Records,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut expected = BTreeMap::new();
    for a in records.agents.values() {
        if a.email.is_none() && a.phone.is_none() {
            problems.push(format!("agent {} has no identity", a.id));
        }
        for identity in a.identities() {
            expected.insert(identity.key(), be(a.id).to_vec());
        }
    }
    let idx = index_map(store, "idx_identity")?;
    diff_map(problems, "idx_identity", &expected, &idx);
    Ok(())
}

/// Memberships ↔ extension and agent → companies indexes, plus each membership's key and
/// references.
fn check_memberships(
    store: &SledStore,
    records: &Records,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut ext_expected = BTreeMap::new();
    let mut agent_companies = BTreeSet::new();
    for (key, m) in &records.memberships {
        check_membership_references(key, m, records, problems);
        if ext_expected
            .insert(ext_key(m.company_id, &m.extension), be(m.agent_id).to_vec())
            .is_some()
        {
            problems.push(format!(
                "extension {} used twice in company {}",
                m.extension, m.company_id
            ));
        }
        agent_companies.insert(pair(m.agent_id, m.company_id).to_vec());
    }
    let idx = index_map(store, "idx_extension")?;
    diff_map(problems, "idx_extension", &ext_expected, &idx);
    let idx = index_keys(store, "idx_agent_companies")?;
    diff(problems, "idx_agent_companies", &agent_companies, &idx);
    Ok(())
}

/// A membership's key, company, agent and departments.
fn check_membership_references(
    key: &IVec,
    m: &Membership,
    records: &Records,
    problems: &mut Vec<String>,
) {
    if key.as_ref() != pair(m.company_id, m.agent_id) {
        problems.push(format!(
            "membership {}×{} stored under a wrong key",
            m.company_id, m.agent_id
        ));
    }
    if !records.companies.contains_key(&m.company_id) {
        problems.push(format!(
            "membership {}×{} names a missing company",
            m.company_id, m.agent_id
        ));
    }
    if !records.agents.contains_key(&m.agent_id) {
        problems.push(format!(
            "membership {}×{} names a missing agent",
            m.company_id, m.agent_id
        ));
    }
    for dept in m.departments.keys() {
        if records
            .departments
            .get(dept)
            .is_none_or(|d| d.company_id != m.company_id)
        {
            problems.push(format!(
                "membership {}×{} names department {dept} of no such company",
                m.company_id, m.agent_id
            ));
        }
    }
}

/// Departments ↔ company index, and each department's company exists.
fn check_departments(
    store: &SledStore,
    records: &Records,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut expected = BTreeSet::new();
    for d in records.departments.values() {
        if !records.companies.contains_key(&d.company_id) {
            problems.push(format!("department {} names a missing company", d.id));
        }
        expected.insert(pair(d.company_id, d.id).to_vec());
    }
    let idx = index_keys(store, "idx_company_departments")?;
    diff(problems, "idx_company_departments", &expected, &idx);
    Ok(())
}

/// Numbers ↔ company index, plus each number's key and department.
fn check_numbers(
    store: &SledStore,
    records: &Records,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut expected = BTreeSet::new();
    for (key, n) in &records.numbers {
        if key.as_ref() != n.number.as_bytes() {
            problems.push(format!("number {} stored under a wrong key", n.number));
        }
        if records
            .departments
            .get(&n.department_id)
            .is_none_or(|d| d.company_id != n.company_id)
        {
            problems.push(format!(
                "number {} points at department {} outside company {}",
                n.number, n.department_id, n.company_id
            ));
        }
        expected.insert(number_key(n.company_id, &n.number));
    }
    let idx = index_keys(store, "idx_company_numbers")?;
    diff(problems, "idx_company_numbers", &expected, &idx);
    Ok(())
}

/// Tokens ↔ id and agent indexes, plus each token's subject and one token per agent.
fn check_tokens(
    store: &SledStore,
    records: &Records,
    problems: &mut Vec<String>,
) -> Result<(), StoreError> {
    let mut ids = BTreeMap::new();
    let mut agent_tokens = BTreeMap::new();
    for (hash, t) in &records.tokens {
        ids.insert(be(t.id).to_vec(), hash.to_vec());
        match &t.scope {
            Scope::Agent { agent_id } => {
                if !records.agents.contains_key(agent_id) {
                    problems.push(format!("token {} names missing agent {agent_id}", t.id));
                }
                if agent_tokens
                    .insert(be(*agent_id).to_vec(), hash.to_vec())
                    .is_some()
                {
                    problems.push(format!("agent {agent_id} has two tokens"));
                }
            }
            Scope::Manager { account_id } if !records.accounts.contains(account_id) => {
                problems.push(format!("token {} names missing account {account_id}", t.id));
            }
            Scope::CompanyAdmin { company_id } if !records.companies.contains_key(company_id) => {
                problems.push(format!("token {} names missing company {company_id}", t.id));
            }
            _ => {}
        }
    }
    let idx = index_map(store, "idx_token_ids")?;
    diff_map(problems, "idx_token_ids", &ids, &idx);
    let idx = index_map(store, "idx_agent_token")?;
    diff_map(problems, "idx_agent_token", &agent_tokens, &idx);
    Ok(())
}

fn diff(
    problems: &mut Vec<String>,
    index: &str,
    expected: &BTreeSet<Vec<u8>>,
    actual: &BTreeSet<Vec<u8>>,
) {
    for missing in expected.difference(actual) {
        problems.push(format!("{index}: missing entry {}", hex::encode(missing)));
    }
    for stale in actual.difference(expected) {
        problems.push(format!("{index}: stale entry {}", hex::encode(stale)));
    }
}

fn diff_map(
    problems: &mut Vec<String>,
    index: &str,
    expected: &BTreeMap<Vec<u8>, Vec<u8>>,
    actual: &BTreeMap<Vec<u8>, Vec<u8>>,
) {
    for (key, value) in expected {
        match actual.get(key) {
            None => problems.push(format!(
                "{index}: missing entry {}",
                String::from_utf8_lossy(key)
            )),
            Some(v) if v != value => problems.push(format!(
                "{index}: entry {} points elsewhere",
                String::from_utf8_lossy(key)
            )),
            Some(_) => {}
        }
    }
    for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
        problems.push(format!(
            "{index}: stale entry {}",
            String::from_utf8_lossy(key)
        ));
    }
}
