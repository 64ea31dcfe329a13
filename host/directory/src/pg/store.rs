//! [`PgStore`]: the directory in PostgreSQL. One table per entity, records as the same JSON the
//! sled backend keeps, and the sled backend's unique indexes as unique constraints (identity,
//! company + extension, token id, agent's token, plus a company's SIP domain). `commit` runs an
//! operation's changes in one transaction; a unique key held by another record aborts it with
//! [`StoreError::IndexConflict`], also when another node claimed it a moment before.

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_postgres::types::ToSql;

use super::apply::apply;
use super::pool::Pg;
use crate::model::{Account, Agent, Company, Department, Identity, Membership, NumberMapping};
use crate::store::{Change, Store, StoreError};
use crate::token::{TokenHash, TokenRecord};

/// The directory in a PostgreSQL database (schema migrated by [`super::migrate`]).
pub struct PgStore {
    pg: std::sync::Arc<Pg>,
}

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

impl PgStore {
    /// The directory over `pg`.
    pub fn new(pg: std::sync::Arc<Pg>) -> Self {
        Self { pg }
    }

    /// The first column (BYTEA) of every row.
    fn column(&self, sql: &'static str, params: Params<'_>) -> Result<Vec<Vec<u8>>, StoreError> {
        self.pg.run(async |conn| {
            let statement = conn.prepared(sql).await?;
            let rows = conn.client().query(&statement, params).await?;
            rows.iter().map(|r| r.try_get::<_, Vec<u8>>(0)).collect()
        })
    }

    fn records<T: DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Vec<T>, StoreError> {
        self.column(sql, params)?
            .iter()
            .map(|body| decode(table, body))
            .collect()
    }

    fn record<T: DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &'static str,
        params: Params<'_>,
    ) -> Result<Option<T>, StoreError> {
        Ok(self.records(table, sql, params)?.into_iter().next())
    }

    fn id(&self, sql: &'static str, params: Params<'_>) -> Result<Option<u64>, StoreError> {
        let ids = self.pg.run(async |conn| {
            let statement = conn.prepared(sql).await?;
            let rows = conn.client().query(&statement, params).await?;
            rows.iter()
                .map(|r| r.try_get::<_, i64>(0))
                .collect::<Result<Vec<_>, _>>()
        })?;
        Ok(ids.first().map(|id| from_db(*id)))
    }
}

impl Store for PgStore {
    fn next_id(&self) -> Result<u64, StoreError> {
        self.id("SELECT nextval('directory_ids')", &[])
            .map(|id| id.unwrap_or(0))
    }

    fn account(&self, id: u64) -> Result<Option<Account>, StoreError> {
        self.record(
            "accounts",
            "SELECT body FROM accounts WHERE id = $1",
            &[&to_db(id)],
        )
    }

    fn accounts(&self, after: u64, limit: usize) -> Result<Vec<Account>, StoreError> {
        self.records(
            "accounts",
            "SELECT body FROM accounts WHERE id > $1 ORDER BY id LIMIT $2",
            &[&to_db(after), &limit_db(limit)],
        )
    }

    fn company(&self, id: u64) -> Result<Option<Company>, StoreError> {
        self.record(
            "companies",
            "SELECT body FROM companies WHERE id = $1",
            &[&to_db(id)],
        )
    }

    fn companies(&self, after: u64, limit: usize) -> Result<Vec<Company>, StoreError> {
        self.records(
            "companies",
            "SELECT body FROM companies WHERE id > $1 ORDER BY id LIMIT $2",
            &[&to_db(after), &limit_db(limit)],
        )
    }

    fn account_companies(
        &self,
        account: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Company>, StoreError> {
        self.records(
            "companies",
            "SELECT body FROM companies WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&to_db(account), &to_db(after), &limit_db(limit)],
        )
    }

    fn agent(&self, id: u64) -> Result<Option<Agent>, StoreError> {
        self.record(
            "agents",
            "SELECT body FROM agents WHERE id = $1",
            &[&to_db(id)],
        )
    }

    fn agent_by_identity(&self, identity: &Identity) -> Result<Option<u64>, StoreError> {
        self.id(
            "SELECT agent_id FROM agent_identities WHERE identity = $1",
            &[&identity.key()],
        )
    }

    fn membership(&self, company: u64, agent: u64) -> Result<Option<Membership>, StoreError> {
        self.record(
            "memberships",
            "SELECT body FROM memberships WHERE company_id = $1 AND agent_id = $2",
            &[&to_db(company), &to_db(agent)],
        )
    }

    fn company_members(
        &self,
        company: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Membership>, StoreError> {
        self.records(
            "memberships",
            "SELECT body FROM memberships WHERE company_id = $1 AND agent_id > $2 \
             ORDER BY agent_id LIMIT $3",
            &[&to_db(company), &to_db(after), &limit_db(limit)],
        )
    }

    fn agent_memberships(&self, agent: u64) -> Result<Vec<Membership>, StoreError> {
        self.records(
            "memberships",
            "SELECT body FROM memberships WHERE agent_id = $1 ORDER BY company_id",
            &[&to_db(agent)],
        )
    }

    fn member_by_extension(
        &self,
        company: u64,
        extension: &str,
    ) -> Result<Option<u64>, StoreError> {
        self.id(
            "SELECT agent_id FROM memberships WHERE company_id = $1 AND extension = $2",
            &[&to_db(company), &extension.as_bytes()],
        )
    }

    fn department(&self, id: u64) -> Result<Option<Department>, StoreError> {
        self.record(
            "departments",
            "SELECT body FROM departments WHERE id = $1",
            &[&to_db(id)],
        )
    }

    fn company_departments(
        &self,
        company: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Department>, StoreError> {
        self.records(
            "departments",
            "SELECT body FROM departments WHERE company_id = $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&to_db(company), &to_db(after), &limit_db(limit)],
        )
    }

    fn number(&self, number: &str) -> Result<Option<NumberMapping>, StoreError> {
        self.record(
            "numbers",
            "SELECT body FROM numbers WHERE number = $1",
            &[&number.as_bytes()],
        )
    }

    fn company_numbers(
        &self,
        company: u64,
        after: &str,
        limit: usize,
    ) -> Result<Vec<NumberMapping>, StoreError> {
        self.records(
            "numbers",
            "SELECT body FROM numbers WHERE company_id = $1 AND number > $2 \
             ORDER BY number LIMIT $3",
            &[&to_db(company), &after.as_bytes(), &limit_db(limit)],
        )
    }

    fn token(&self, hash: &TokenHash) -> Result<Option<TokenRecord>, StoreError> {
        self.record(
            "tokens",
            "SELECT body FROM tokens WHERE hash = $1",
            &[&hash.0.as_slice()],
        )
    }

    fn token_by_id(&self, id: u64) -> Result<Option<(TokenHash, TokenRecord)>, StoreError> {
        let rows = self.pg.run(async |conn| {
            let statement = conn
                .prepared("SELECT hash, body FROM tokens WHERE id = $1")
                .await?;
            let rows = conn.client().query(&statement, &[&to_db(id)]).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<_, Vec<u8>>(0)?, r.try_get::<_, Vec<u8>>(1)?)))
                .collect::<Result<Vec<_>, tokio_postgres::Error>>()
        })?;
        let Some((hash, body)) = rows.into_iter().next() else {
            return Ok(None);
        };
        let hash = <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| StoreError::Corrupt {
            tree: "tokens",
            detail: format!("expected a 32-byte hash, got {} bytes", hash.len()),
        })?;
        Ok(Some((TokenHash(hash), decode("tokens", &body)?)))
    }

    fn tokens(&self, after: u64, limit: usize) -> Result<Vec<TokenRecord>, StoreError> {
        self.records(
            "tokens",
            "SELECT body FROM tokens WHERE id > $1 ORDER BY id LIMIT $2",
            &[&to_db(after), &limit_db(limit)],
        )
    }

    fn agent_token(&self, agent: u64) -> Result<Option<TokenHash>, StoreError> {
        let hashes = self.column(
            "SELECT hash FROM tokens WHERE agent_id = $1",
            &[&to_db(agent)],
        )?;
        hashes
            .first()
            .map(|h| {
                <[u8; 32]>::try_from(h.as_slice())
                    .map(TokenHash)
                    .map_err(|_| StoreError::Corrupt {
                        tree: "tokens",
                        detail: format!("expected a 32-byte hash, got {} bytes", h.len()),
                    })
            })
            .transpose()
    }

    fn commit(&self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.pg
            .run(async |conn| {
                let (client, statements) = conn.split();
                let tx = client.transaction().await?;
                for change in changes {
                    if let Err(refused) = apply(&tx, statements, change).await? {
                        // Dropping the transaction rolls it back.
                        return Ok(Err(refused));
                    }
                }
                // Other nodes of a cluster see the directory moved (`cluster_revision`).
                let bump = super::pool::prepared(statements, &tx, BUMP_REVISION).await?;
                tx.execute(&bump, &[]).await?;
                tx.commit().await?;
                Ok(Ok(()))
            })
            .and_then(|refused| refused)
    }

    fn flush(&self) -> Result<(), StoreError> {
        // Every commit is durable when it returns (synchronous_commit).
        Ok(())
    }

    fn check_consistency(&self) -> Result<Vec<String>, StoreError> {
        super::check::check(&self.pg)
    }
}

/// Moves the cluster's revision on (see migration 0003).
pub const BUMP_REVISION: &str = "UPDATE cluster_revision SET n = n + 1 WHERE id = 1";

/// A stored id as the database keeps it. Ids are drawn from a sequence and stay far below
/// `i64::MAX`; a larger one (a cursor a client made up) sorts after every stored id.
pub(crate) fn to_db(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

/// An id read from the database.
pub(crate) fn from_db(id: i64) -> u64 {
    u64::try_from(id).unwrap_or(0)
}

/// A row limit.
pub(crate) fn limit_db(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A record as stored.
pub(crate) fn encode<T: Serialize>(table: &'static str, value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        tree: table,
        detail: e.to_string(),
    })
}

/// A stored record.
pub(crate) fn decode<T: DeserializeOwned>(
    table: &'static str,
    body: &[u8],
) -> Result<T, StoreError> {
    serde_json::from_slice(body).map_err(|e| StoreError::Corrupt {
        tree: table,
        detail: e.to_string(),
    })
}
