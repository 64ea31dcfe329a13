//! Applying one [`Change`] inside the directory's transaction: the record and every index
//! entry it owns, a unique index claimed or refused, a stale entry removed only if it still
//! points at the record.

use serde::Serialize;
use serde::de::DeserializeOwned;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};

use super::*;

/// Applies `change` in `tx`: the record and the index entries it owns; an `Abort` refuses the
/// whole transaction.
pub(super) fn apply(tx: &[TransactionalTree], change: &Change) -> TxResult<()> {
    match change {
        Change::PutAccount(a) => put(tx, ACCOUNTS, &be(a.id), a),
        Change::PutCompany(c) => put_company(tx, c),
        Change::PutAgent(a) => put_agent(tx, a),
        Change::PutMembership(m) => put_membership(tx, m),
        Change::DeleteMembership { company, agent } => delete_membership(tx, *company, *agent),
        Change::PutDepartment(d) => put_department(tx, d),
        Change::DeleteDepartment(id) => delete_department(tx, *id),
        Change::PutNumber(n) => put_number(tx, n),
        Change::DeleteNumber(number) => delete_number(tx, number),
        Change::PutToken(hash, record) => put_token(tx, hash, record),
        Change::DeleteToken(hash) => delete_token(tx, hash),
    }
}

/// Stores a company: moves its entry in the account → companies index, releases the SIP
/// domain it no longer has and claims the one it has.
fn put_company(tx: &[TransactionalTree], c: &Company) -> TxResult<()> {
    let old: Option<Company> = tx_get(tx, COMPANIES, &be(c.id))?;
    let (old_account, old_domain) = old.map_or((None, None), |o| (o.account_id, o.sip_domain));
    if let Some(acc) = old_account.filter(|acc| Some(*acc) != c.account_id) {
        tx[IDX_ACCOUNT_COMPANIES].remove(pair(acc, c.id).to_vec())?;
    }
    if let Some(acc) = c.account_id {
        tx[IDX_ACCOUNT_COMPANIES].insert(pair(acc, c.id).to_vec(), Vec::<u8>::new())?;
    }
    if let Some(domain) = old_domain.filter(|d| Some(d) != c.sip_domain.as_ref()) {
        remove_if_points_to(tx, IDX_SIP_DOMAIN, domain.as_bytes(), &be(c.id))?;
    }
    if let Some(domain) = &c.sip_domain {
        claim(tx, IDX_SIP_DOMAIN, domain.as_bytes(), &be(c.id), || {
            format!("SIP domain {domain}")
        })?;
    }
    put(tx, COMPANIES, &be(c.id), c)
}

/// Stores an agent: releases the identities it no longer has and claims the ones it has.
fn put_agent(tx: &[TransactionalTree], a: &Agent) -> TxResult<()> {
    let old: Option<Agent> = tx_get(tx, AGENTS, &be(a.id))?;
    let new_ids = a.identities();
    for gone in old.map(|o| o.identities()).unwrap_or_default() {
        if !new_ids.contains(&gone) {
            remove_if_points_to(tx, IDX_IDENTITY, &gone.key(), &be(a.id))?;
        }
    }
    for identity in &new_ids {
        claim(tx, IDX_IDENTITY, &identity.key(), &be(a.id), || {
            identity.to_string()
        })?;
    }
    put(tx, AGENTS, &be(a.id), a)
}

/// Stores a membership: moves its extension claim and adds its agent → companies entry.
fn put_membership(tx: &[TransactionalTree], m: &Membership) -> TxResult<()> {
    let key = pair(m.company_id, m.agent_id);
    let old: Option<Membership> = tx_get(tx, MEMBERSHIPS, &key)?;
    if let Some(old) = old.filter(|o| o.extension != m.extension) {
        remove_if_points_to(
            tx,
            IDX_EXTENSION,
            &ext_key(m.company_id, &old.extension),
            &be(m.agent_id),
        )?;
    }
    claim(
        tx,
        IDX_EXTENSION,
        &ext_key(m.company_id, &m.extension),
        &be(m.agent_id),
        || format!("company {} extension {}", m.company_id, m.extension),
    )?;
    tx[IDX_AGENT_COMPANIES].insert(pair(m.agent_id, m.company_id).to_vec(), Vec::<u8>::new())?;
    put(tx, MEMBERSHIPS, &key, m)
}

/// Removes a membership with its extension claim and its agent → companies entry.
fn delete_membership(tx: &[TransactionalTree], company: u64, agent: u64) -> TxResult<()> {
    let key = pair(company, agent);
    if let Some(old) = tx_get::<Membership>(tx, MEMBERSHIPS, &key)? {
        remove_if_points_to(
            tx,
            IDX_EXTENSION,
            &ext_key(company, &old.extension),
            &be(agent),
        )?;
    }
    tx[IDX_AGENT_COMPANIES].remove(pair(agent, company).to_vec())?;
    tx[MEMBERSHIPS].remove(key.to_vec())?;
    Ok(())
}

/// Stores a department and moves its entry in the company → departments index.
fn put_department(tx: &[TransactionalTree], d: &Department) -> TxResult<()> {
    if let Some(old) =
        tx_get::<Department>(tx, DEPARTMENTS, &be(d.id))?.filter(|o| o.company_id != d.company_id)
    {
        tx[IDX_COMPANY_DEPARTMENTS].remove(pair(old.company_id, d.id).to_vec())?;
    }
    tx[IDX_COMPANY_DEPARTMENTS].insert(pair(d.company_id, d.id).to_vec(), Vec::<u8>::new())?;
    put(tx, DEPARTMENTS, &be(d.id), d)
}

/// Removes a department with its company → departments entry.
fn delete_department(tx: &[TransactionalTree], id: u64) -> TxResult<()> {
    if let Some(old) = tx_get::<Department>(tx, DEPARTMENTS, &be(id))? {
        tx[IDX_COMPANY_DEPARTMENTS].remove(pair(old.company_id, id).to_vec())?;
    }
    tx[DEPARTMENTS].remove(be(id).to_vec())?;
    Ok(())
}

/// Maps a number and moves its entry in the company → numbers index.
fn put_number(tx: &[TransactionalTree], n: &NumberMapping) -> TxResult<()> {
    if let Some(old) = tx_get::<NumberMapping>(tx, NUMBERS, n.number.as_bytes())?
        .filter(|o| o.company_id != n.company_id)
    {
        tx[IDX_COMPANY_NUMBERS].remove(number_key(old.company_id, &n.number))?;
    }
    tx[IDX_COMPANY_NUMBERS].insert(number_key(n.company_id, &n.number), Vec::<u8>::new())?;
    put(tx, NUMBERS, n.number.as_bytes(), n)
}

/// Unmaps a number with its company → numbers entry.
fn delete_number(tx: &[TransactionalTree], number: &str) -> TxResult<()> {
    if let Some(old) = tx_get::<NumberMapping>(tx, NUMBERS, number.as_bytes())? {
        tx[IDX_COMPANY_NUMBERS].remove(number_key(old.company_id, number))?;
    }
    tx[NUMBERS].remove(number.as_bytes())?;
    Ok(())
}

/// Stores a token under its hash, claiming its id and (for an agent's token) its agent; the
/// id and agent entries of the record it replaces that it no longer has are released.
fn put_token(tx: &[TransactionalTree], hash: &TokenHash, record: &TokenRecord) -> TxResult<()> {
    if let Some(old) = tx_get::<TokenRecord>(tx, TOKENS, &hash.0)? {
        if old.id != record.id {
            remove_if_points_to(tx, IDX_TOKEN_IDS, &be(old.id), &hash.0)?;
        }
        if let Some(agent_id) = token_agent(&old).filter(|a| Some(*a) != token_agent(record)) {
            remove_if_points_to(tx, IDX_AGENT_TOKEN, &be(agent_id), &hash.0)?;
        }
    }
    claim(tx, IDX_TOKEN_IDS, &be(record.id), &hash.0, || {
        format!("token id {}", record.id)
    })?;
    if let Scope::Agent { agent_id } = record.scope {
        claim(tx, IDX_AGENT_TOKEN, &be(agent_id), &hash.0, || {
            format!("token of agent {agent_id}")
        })?;
    }
    put(tx, TOKENS, &hash.0, record)
}

/// Removes a token with the id and agent entries that still point at it.
fn delete_token(tx: &[TransactionalTree], hash: &TokenHash) -> TxResult<()> {
    if let Some(old) = tx_get::<TokenRecord>(tx, TOKENS, &hash.0)? {
        remove_if_points_to(tx, IDX_TOKEN_IDS, &be(old.id), &hash.0)?;
        if let Scope::Agent { agent_id } = old.scope {
            remove_if_points_to(tx, IDX_AGENT_TOKEN, &be(agent_id), &hash.0)?;
        }
    }
    tx[TOKENS].remove(hash.0.to_vec())?;
    Ok(())
}

/// The agent a token belongs to, for an agent's token.
fn token_agent(record: &TokenRecord) -> Option<u64> {
    match record.scope {
        Scope::Agent { agent_id } => Some(agent_id),
        _ => None,
    }
}

fn tx_get<T: DeserializeOwned>(
    tx: &[TransactionalTree],
    tree: usize,
    key: &[u8],
) -> TxResult<Option<T>> {
    match tx[tree].get(key)? {
        Some(bytes) => decode(tree, &bytes)
            .map(Some)
            .map_err(ConflictableTransactionError::Abort),
        None => Ok(None),
    }
}

fn put<T: Serialize>(tx: &[TransactionalTree], tree: usize, key: &[u8], value: &T) -> TxResult<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| {
        ConflictableTransactionError::Abort(StoreError::Corrupt {
            tree: TREE_NAMES[tree],
            detail: e.to_string(),
        })
    })?;
    tx[tree].insert(key, bytes)?;
    Ok(())
}

/// Points a unique index entry at `owner`, refusing if another owner holds it.
fn claim(
    tx: &[TransactionalTree],
    index: usize,
    key: &[u8],
    owner: &[u8],
    describe: impl Fn() -> String,
) -> TxResult<()> {
    if let Some(current) = tx[index].get(key)?
        && current.as_ref() != owner
    {
        return Err(ConflictableTransactionError::Abort(
            StoreError::IndexConflict {
                index: TREE_NAMES[index],
                key: describe(),
            },
        ));
    }
    tx[index].insert(key, owner)?;
    Ok(())
}

fn remove_if_points_to(
    tx: &[TransactionalTree],
    index: usize,
    key: &[u8],
    owner: &[u8],
) -> TxResult<()> {
    if tx[index].get(key)?.is_some_and(|v| v.as_ref() == owner) {
        tx[index].remove(key)?;
    }
    Ok(())
}

// ---- encoding ----
