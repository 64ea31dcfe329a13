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
    let mut found = BTreeSet::new();
    for (ids, key, _) in rows(
        pg,
        "SELECT agent_id, 0::BIGINT, 0::BIGINT, identity, ''::BYTEA FROM agent_identities",
    )? {
        found.insert((key, ids[0].map_or(0, from_db)));
    }
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
    Ok(out)
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
