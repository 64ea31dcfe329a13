//! Applying one [`Change`] inside the directory's transaction: the row and the columns its
//! constraints read. A unique key held by another record is refused with a readable
//! [`StoreError::IndexConflict`] (checked first; the constraint still decides a race).

use std::collections::HashMap;

use tokio_postgres::types::ToSql;
use tokio_postgres::{Statement, Transaction};

use super::pool::prepared;
use super::store::{encode, to_db};
use crate::model::{Account, Agent, Company, Department, Identity, Membership, NumberMapping};
use crate::principal::Scope;
use crate::store::{Change, StoreError};
use crate::token::{TokenHash, TokenRecord};

type Refusal = Result<(), StoreError>;

/// Applies `change` in `tx`; `Ok(Err(_))` refuses the whole transaction.
pub(super) async fn apply(
    tx: &Transaction<'_>,
    statements: &mut HashMap<&'static str, Statement>,
    change: &Change,
) -> Result<Refusal, tokio_postgres::Error> {
    let mut run = Run { tx, statements };
    match change {
        Change::PutAccount(a) => put_account(&mut run, a).await,
        Change::PutCompany(c) => put_company(&mut run, c).await,
        Change::PutAgent(a) => put_agent(&mut run, a).await,
        Change::PutMembership(m) => put_membership(&mut run, m).await,
        Change::DeleteMembership { company, agent } => {
            run.execute(
                "DELETE FROM memberships WHERE company_id = $1 AND agent_id = $2",
                &[&to_db(*company), &to_db(*agent)],
            )
            .await?;
            Ok(Ok(()))
        }
        Change::PutDepartment(d) => put_department(&mut run, d).await,
        Change::DeleteDepartment(id) => {
            run.execute("DELETE FROM departments WHERE id = $1", &[&to_db(*id)])
                .await?;
            Ok(Ok(()))
        }
        Change::PutNumber(n) => put_number(&mut run, n).await,
        Change::DeleteNumber(number) => {
            run.execute(
                "DELETE FROM numbers WHERE number = $1",
                &[&number.as_bytes()],
            )
            .await?;
            Ok(Ok(()))
        }
        Change::PutToken(hash, record) => put_token(&mut run, hash, record).await,
        Change::DeleteToken(hash) => {
            run.execute("DELETE FROM tokens WHERE hash = $1", &[&hash.0.as_slice()])
                .await?;
            Ok(Ok(()))
        }
    }
}

/// Creates or replaces an account row.
async fn put_account(run: &mut Run<'_, '_>, a: &Account) -> Result<Refusal, tokio_postgres::Error> {
    let body = match encode("accounts", a) {
        Ok(body) => body,
        Err(e) => return Ok(Err(e)),
    };
    run.execute(
        "INSERT INTO accounts (id, body) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body",
        &[&to_db(a.id), &body],
    )
    .await?;
    Ok(Ok(()))
}

/// Creates or replaces a company row; refuses a SIP domain another company holds.
async fn put_company(run: &mut Run<'_, '_>, c: &Company) -> Result<Refusal, tokio_postgres::Error> {
    let body = match encode("companies", c) {
        Ok(body) => body,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(domain) = &c.sip_domain
        && let Some(owner) = run
            .owner("SELECT id FROM companies WHERE sip_domain = $1", &[domain])
            .await?
        && owner != to_db(c.id)
    {
        return Ok(Err(conflict(
            "idx_sip_domain",
            format!("SIP domain {domain}"),
        )));
    }
    run.execute(
        "INSERT INTO companies (id, account_id, sip_domain, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id, \
         sip_domain = EXCLUDED.sip_domain, body = EXCLUDED.body",
        &[&to_db(c.id), &c.account_id.map(to_db), &c.sip_domain, &body],
    )
    .await?;
    Ok(Ok(()))
}

/// Creates or replaces an agent row: drops the identities it no longer has, claims the ones
/// it has (refusing one another agent holds), then writes the record.
async fn put_agent(run: &mut Run<'_, '_>, a: &Agent) -> Result<Refusal, tokio_postgres::Error> {
    let body = match encode("agents", a) {
        Ok(body) => body,
        Err(e) => return Ok(Err(e)),
    };
    let id = to_db(a.id);
    let identities = a.identities();
    let keys: Vec<Vec<u8>> = identities.iter().map(Identity::key).collect();
    run.execute(
        "DELETE FROM agent_identities WHERE agent_id = $1 AND NOT (identity = ANY($2))",
        &[&id, &keys],
    )
    .await?;
    for identity in &identities {
        let key = identity.key();
        if let Some(owner) = run
            .owner(
                "SELECT agent_id FROM agent_identities WHERE identity = $1",
                &[&key],
            )
            .await?
        {
            if owner != id {
                return Ok(Err(conflict("idx_identity", identity.to_string())));
            }
            continue;
        }
        run.execute(
            "INSERT INTO agent_identities (identity, agent_id) VALUES ($1, $2)",
            &[&key, &id],
        )
        .await?;
    }
    run.execute(
        "INSERT INTO agents (id, body) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body",
        &[&id, &body],
    )
    .await?;
    Ok(Ok(()))
}

/// Creates or replaces a membership row; refuses an extension another agent holds in the
/// company.
async fn put_membership(
    run: &mut Run<'_, '_>,
    m: &Membership,
) -> Result<Refusal, tokio_postgres::Error> {
    let body = match encode("memberships", m) {
        Ok(body) => body,
        Err(e) => return Ok(Err(e)),
    };
    let (company, agent) = (to_db(m.company_id), to_db(m.agent_id));
    if let Some(owner) = run
        .owner(
            "SELECT agent_id FROM memberships WHERE company_id = $1 AND extension = $2",
            &[&company, &m.extension.as_bytes()],
        )
        .await?
        && owner != agent
    {
        return Ok(Err(conflict(
            "idx_extension",
            format!("company {} extension {}", m.company_id, m.extension),
        )));
    }
    run.execute(
        "INSERT INTO memberships (company_id, agent_id, extension, body) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (company_id, agent_id) DO UPDATE \
         SET extension = EXCLUDED.extension, body = EXCLUDED.body",
        &[&company, &agent, &m.extension.as_bytes(), &body],
    )
    .await?;
    Ok(Ok(()))
}

/// Creates or replaces a department row.
async fn put_department(
    run: &mut Run<'_, '_>,
    d: &Department,
) -> Result<Refusal, tokio_postgres::Error> {
    let body = match encode("departments", d) {
        Ok(body) => body,
        Err(e) => return Ok(Err(e)),
    };
    run.execute(
        "INSERT INTO departments (id, company_id, body) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET company_id = EXCLUDED.company_id, \
         body = EXCLUDED.body",
        &[&to_db(d.id), &to_db(d.company_id), &body],
    )
    .await?;
    Ok(Ok(()))
}

/// Creates or replaces a number row.
async fn put_number(
    run: &mut Run<'_, '_>,
    n: &NumberMapping,
) -> Result<Refusal, tokio_postgres::Error> {
    let body = match encode("numbers", n) {
        Ok(body) => body,
        Err(e) => return Ok(Err(e)),
    };
    run.execute(
        "INSERT INTO numbers (number, company_id, body) VALUES ($1, $2, $3) \
         ON CONFLICT (number) DO UPDATE SET company_id = EXCLUDED.company_id, \
         body = EXCLUDED.body",
        &[&n.number.as_bytes(), &to_db(n.company_id), &body],
    )
    .await?;
    Ok(Ok(()))
}

/// Stores a token row under its hash; refuses a token id, or an agent's token, that another
/// hash holds.
async fn put_token(
    run: &mut Run<'_, '_>,
    hash: &TokenHash,
    record: &TokenRecord,
) -> Result<Refusal, tokio_postgres::Error> {
    let body = match encode("tokens", record) {
        Ok(body) => body,
        Err(e) => return Ok(Err(e)),
    };
    let agent = match record.scope {
        Scope::Agent { agent_id } => Some(to_db(agent_id)),
        _ => None,
    };
    let held = run
        .owner_hash(
            "SELECT hash FROM tokens WHERE id = $1 AND hash <> $2",
            &[&to_db(record.id), &hash.0.as_slice()],
        )
        .await?;
    if held {
        return Ok(Err(conflict(
            "idx_token_ids",
            format!("token id {}", record.id),
        )));
    }
    if let Some(agent_id) = agent
        && run
            .owner_hash(
                "SELECT hash FROM tokens WHERE agent_id = $1 AND hash <> $2",
                &[&agent_id, &hash.0.as_slice()],
            )
            .await?
    {
        return Ok(Err(conflict(
            "idx_agent_token",
            format!("token of agent {agent_id}"),
        )));
    }
    run.execute(
        "INSERT INTO tokens (hash, id, agent_id, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (hash) DO UPDATE SET id = EXCLUDED.id, \
         agent_id = EXCLUDED.agent_id, body = EXCLUDED.body",
        &[&hash.0.as_slice(), &to_db(record.id), &agent, &body],
    )
    .await?;
    Ok(Ok(()))
}

/// Statements run in one transaction with the connection's statement cache.
struct Run<'t, 'c> {
    tx: &'t Transaction<'c>,
    statements: &'t mut HashMap<&'static str, Statement>,
}

impl Run<'_, '_> {
    async fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, tokio_postgres::Error> {
        let statement = prepared(self.statements, self.tx, sql).await?;
        self.tx.execute(&statement, params).await
    }

    /// The id in the first column of the first row, if any.
    async fn owner(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<i64>, tokio_postgres::Error> {
        let statement = prepared(self.statements, self.tx, sql).await?;
        match self.tx.query_opt(&statement, params).await? {
            Some(row) => row.try_get(0).map(Some),
            None => Ok(None),
        }
    }

    /// Whether any row matches.
    async fn owner_hash(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<bool, tokio_postgres::Error> {
        let statement = prepared(self.statements, self.tx, sql).await?;
        Ok(!self.tx.query(&statement, params).await?.is_empty())
    }
}

fn conflict(index: &'static str, key: String) -> StoreError {
    StoreError::IndexConflict { index, key }
}
