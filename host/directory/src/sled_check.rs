//! `check_consistency` for the sled backend: every record against every index entry, both
//! ways, plus references between records (a membership's company, agent and departments, a
//! number's department, a token's subject). Tests run it after restarts and crashes.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Account, Agent, Company, Department, Membership, NumberMapping};
use crate::principal::Scope;
use crate::sled_store::{SledStore, be, ext_key, number_key, pair};
use crate::store::StoreError;
use crate::token::TokenRecord;

/// One line per disagreement; empty when the database is consistent.
pub(crate) fn check(store: &SledStore) -> Result<Vec<String>, StoreError> {
    let mut problems = Vec::new();
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
    let memberships = store.records::<Membership>("memberships")?;
    let numbers = store.records::<NumberMapping>("numbers")?;
    let tokens = store.records::<TokenRecord>("tokens")?;

    // Companies ↔ account index.
    let idx: BTreeSet<Vec<u8>> = store
        .entries("idx_account_companies")?
        .into_iter()
        .map(|(k, _)| k.to_vec())
        .collect();
    let mut expected = BTreeSet::new();
    for c in companies.values() {
        if let Some(acc) = c.account_id {
            if !accounts.contains(&acc) {
                problems.push(format!("company {} names missing account {acc}", c.id));
            }
            expected.insert(pair(acc, c.id).to_vec());
        }
    }
    diff(&mut problems, "idx_account_companies", &expected, &idx);

    // Agents ↔ identity index.
    let mut expected = BTreeMap::new();
    for a in agents.values() {
        if a.email.is_none() && a.phone.is_none() {
            problems.push(format!("agent {} has no identity", a.id));
        }
        for identity in a.identities() {
            expected.insert(identity.key(), be(a.id).to_vec());
        }
    }
    let idx: BTreeMap<Vec<u8>, Vec<u8>> = store
        .entries("idx_identity")?
        .into_iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect();
    diff_map(&mut problems, "idx_identity", &expected, &idx);

    // Memberships ↔ extension and agent → companies indexes.
    let mut ext_expected = BTreeMap::new();
    let mut agent_companies = BTreeSet::new();
    for (key, m) in &memberships {
        if key.as_ref() != pair(m.company_id, m.agent_id) {
            problems.push(format!(
                "membership {}×{} stored under a wrong key",
                m.company_id, m.agent_id
            ));
        }
        if !companies.contains_key(&m.company_id) {
            problems.push(format!(
                "membership {}×{} names a missing company",
                m.company_id, m.agent_id
            ));
        }
        if !agents.contains_key(&m.agent_id) {
            problems.push(format!(
                "membership {}×{} names a missing agent",
                m.company_id, m.agent_id
            ));
        }
        for dept in m.departments.keys() {
            if departments
                .get(dept)
                .is_none_or(|d| d.company_id != m.company_id)
            {
                problems.push(format!(
                    "membership {}×{} names department {dept} of no such company",
                    m.company_id, m.agent_id
                ));
            }
        }
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
    let idx: BTreeMap<Vec<u8>, Vec<u8>> = store
        .entries("idx_extension")?
        .into_iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect();
    diff_map(&mut problems, "idx_extension", &ext_expected, &idx);
    let idx: BTreeSet<Vec<u8>> = store
        .entries("idx_agent_companies")?
        .into_iter()
        .map(|(k, _)| k.to_vec())
        .collect();
    diff(&mut problems, "idx_agent_companies", &agent_companies, &idx);

    // Departments ↔ company index.
    let mut expected = BTreeSet::new();
    for d in departments.values() {
        if !companies.contains_key(&d.company_id) {
            problems.push(format!("department {} names a missing company", d.id));
        }
        expected.insert(pair(d.company_id, d.id).to_vec());
    }
    let idx: BTreeSet<Vec<u8>> = store
        .entries("idx_company_departments")?
        .into_iter()
        .map(|(k, _)| k.to_vec())
        .collect();
    diff(&mut problems, "idx_company_departments", &expected, &idx);

    // Numbers ↔ company index.
    let mut expected = BTreeSet::new();
    for (key, n) in &numbers {
        if key.as_ref() != n.number.as_bytes() {
            problems.push(format!("number {} stored under a wrong key", n.number));
        }
        if departments
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
    let idx: BTreeSet<Vec<u8>> = store
        .entries("idx_company_numbers")?
        .into_iter()
        .map(|(k, _)| k.to_vec())
        .collect();
    diff(&mut problems, "idx_company_numbers", &expected, &idx);

    // Tokens ↔ id and agent indexes.
    let mut ids = BTreeMap::new();
    let mut agent_tokens = BTreeMap::new();
    for (hash, t) in &tokens {
        ids.insert(be(t.id).to_vec(), hash.to_vec());
        match &t.scope {
            Scope::Agent { agent_id } => {
                if !agents.contains_key(agent_id) {
                    problems.push(format!("token {} names missing agent {agent_id}", t.id));
                }
                if agent_tokens
                    .insert(be(*agent_id).to_vec(), hash.to_vec())
                    .is_some()
                {
                    problems.push(format!("agent {agent_id} has two tokens"));
                }
            }
            Scope::Manager { account_id } if !accounts.contains(account_id) => {
                problems.push(format!("token {} names missing account {account_id}", t.id));
            }
            Scope::CompanyAdmin { company_id } if !companies.contains_key(company_id) => {
                problems.push(format!("token {} names missing company {company_id}", t.id));
            }
            _ => {}
        }
    }
    let idx: BTreeMap<Vec<u8>, Vec<u8>> = store
        .entries("idx_token_ids")?
        .into_iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect();
    diff_map(&mut problems, "idx_token_ids", &ids, &idx);
    let idx: BTreeMap<Vec<u8>, Vec<u8>> = store
        .entries("idx_agent_token")?
        .into_iter()
        .map(|(k, v)| (k.to_vec(), v.to_vec()))
        .collect();
    diff_map(&mut problems, "idx_agent_token", &agent_tokens, &idx);

    Ok(problems)
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
