//! Records versus the columns their constraints read: every company's account and SIP domain,
//! membership's extension, department's and number's company, token's id and agent, and every
//! agent's identities agree with the JSON record beside them. One line per disagreement.

use std::collections::BTreeSet;

use super::pool::Pg;
use super::store::{decode, from_db};
use crate::model::{Agent, Company, Department, Membership, NumberMapping};
use crate::principal::Scope;
use crate::store::StoreError;
use crate::token::TokenRecord;

type Rows = Vec<(Vec<Option<i64>>, Vec<u8>, Vec<u8>)>;

/// Compares every record with its columns.
pub(super) fn check(pg: &Pg) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    check_companies(pg, &mut out)?;
    check_memberships(pg, &mut out)?;
    check_departments(pg, &mut out)?;
    check_numbers(pg, &mut out)?;
    check_tokens(pg, &mut out)?;
    check_agent_identities(pg, &mut out)?;
    Ok(out)
}

/// Each company's account and SIP domain columns against its record.
fn check_companies(pg: &Pg, out: &mut Vec<String>) -> Result<(), StoreError> {
    for (ids, text, body) in rows(
        pg,
        "SELECT id, account_id, 0::BIGINT, convert_to(sip_domain, 'UTF8'), body FROM companies",
    )? {
        let c: Company = decode("companies", &body)?;
        if ids[1].map(from_db) != c.account_id
            || text != c.sip_domain.unwrap_or_default().into_bytes()
        {
            out.push(format!(
                "companies {}: columns disagree with the record",
                c.id
            ));
        }
    }
    Ok(())
}

/// Each membership's company, agent and extension columns against its record.
fn check_memberships(pg: &Pg, out: &mut Vec<String>) -> Result<(), StoreError> {
    for (ids, text, body) in rows(
        pg,
        "SELECT company_id, agent_id, 0::BIGINT, extension, body FROM memberships",
    )? {
        let m: Membership = decode("memberships", &body)?;
        if ids[0].map(from_db) != Some(m.company_id)
            || ids[1].map(from_db) != Some(m.agent_id)
            || text != m.extension.as_bytes()
        {
            out.push(format!(
                "memberships {}/{}: columns disagree with the record",
                m.company_id, m.agent_id
            ));
        }
    }
    Ok(())
}

/// Each department's company column against its record.
fn check_departments(pg: &Pg, out: &mut Vec<String>) -> Result<(), StoreError> {
    for (ids, _, body) in rows(
        pg,
        "SELECT id, company_id, 0::BIGINT, ''::BYTEA, body FROM departments",
    )? {
        let d: Department = decode("departments", &body)?;
        if ids[1].map(from_db) != Some(d.company_id) {
            out.push(format!(
                "departments {}: company disagrees with the record",
                d.id
            ));
        }
    }
    Ok(())
}

/// Each number's company and number columns against its record.
fn check_numbers(pg: &Pg, out: &mut Vec<String>) -> Result<(), StoreError> {
    for (ids, number, body) in rows(
        pg,
        "SELECT company_id, 0::BIGINT, 0::BIGINT, number, body FROM numbers",
    )? {
        let n: NumberMapping = decode("numbers", &body)?;
        if ids[0].map(from_db) != Some(n.company_id) || number != n.number.as_bytes() {
            out.push(format!(
                "numbers {}: columns disagree with the record",
                n.number
            ));
        }
    }
    Ok(())
}

/// Each token's id and agent columns against its record.
fn check_tokens(pg: &Pg, out: &mut Vec<String>) -> Result<(), StoreError> {
    for (ids, _, body) in rows(pg, "SELECT id, agent_id, 0::BIGINT, hash, body FROM tokens")? {
        let t: TokenRecord = decode("tokens", &body)?;
        let agent = match t.scope {
            Scope::Agent { agent_id } => Some(agent_id),
            _ => None,
        };
        if ids[0].map(from_db) != Some(t.id) || ids[1].map(from_db) != agent {
            out.push(format!("tokens {}: columns disagree with the record", t.id));
        }
    }
    Ok(())
}

/// The `agent_identities` rows against the identities the agents' records name, both ways.
fn check_agent_identities(pg: &Pg, out: &mut Vec<String>) -> Result<(), StoreError> {
    let expected = named_identities(pg)?;
    let found = stored_identities(pg)?;
    for (key, agent) in expected.difference(&found) {
        out.push(format!(
            "agent_identities: agent {agent}'s {} is missing",
            String::from_utf8_lossy(key)
        ));
    }
    for (key, agent) in found.difference(&expected) {
        out.push(format!(
            "agent_identities: {} points at agent {agent}, whose record does not name it",
            String::from_utf8_lossy(key)
        ));
    }
    Ok(())
}

/// Every (identity key, agent id) the agents' records name.
fn named_identities(pg: &Pg) -> Result<BTreeSet<(Vec<u8>, u64)>, StoreError> {
    let mut expected = BTreeSet::new();
    for (_, _, body) in rows(
        pg,
        "SELECT id, 0::BIGINT, 0::BIGINT, ''::BYTEA, body FROM agents",
    )? {
        let a: Agent = decode("agents", &body)?;
        for identity in a.identities() {
            expected.insert((identity.key(), a.id));
        }
    }
    Ok(expected)
}

/// Every (identity key, agent id) row of `agent_identities`.
fn stored_identities(pg: &Pg) -> Result<BTreeSet<(Vec<u8>, u64)>, StoreError> {
    let mut found = BTreeSet::new();
    for (ids, key, _) in rows(
        pg,
        "SELECT agent_id, 0::BIGINT, 0::BIGINT, identity, ''::BYTEA FROM agent_identities",
    )? {
        found.insert((key, ids[0].map_or(0, from_db)));
    }
    Ok(found)
}

/// Rows of three ids, a BYTEA key and a BYTEA body.
fn rows(pg: &Pg, sql: &'static str) -> Result<Rows, StoreError> {
    pg.run(async |conn| {
        let rows = conn.client().query(sql, &[]).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    vec![r.try_get(0)?, r.try_get(1)?, r.try_get(2)?],
                    r.try_get::<_, Option<Vec<u8>>>(3)?.unwrap_or_default(),
                    r.try_get(4)?,
                ))
            })
            .collect()
    })
}
