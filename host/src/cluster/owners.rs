//! [`CallOwners`]: which node holds each live call (`call_owners`). A node claims a call when it
//! takes it (so a platform's call id is live at most once in the cluster), releases it when
//! the call's log is durable, and the node that adopts a dead node's calls takes its rows over
//! (`super::adoption`).

use std::collections::HashSet;
use std::sync::Arc;

use switchyard_directory::StoreError;

use super::{db, id};
use switchyard_directory::pg::Pg;

use crate::calls::registry::CallRef;

/// Which node holds a call ([`CallOwners::holder`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// This node.
    Here,
    /// Another node, at the URL it advertises.
    Elsewhere(String),
}

/// The live calls' owners, as one node sees and changes them.
#[derive(Debug, Clone)]
pub struct CallOwners {
    pg: Arc<Pg>,
    /// Claims and their releases commit here without waiting for the WAL flush.
    lazy: Arc<Pg>,
    node: i64,
}

impl CallOwners {
    /// The owners table as node `node` uses it.
    pub fn new(pg: Arc<Pg>, lazy: Arc<Pg>, node: u64) -> Self {
        Self {
            pg,
            lazy,
            node: db(node),
        }
    }

    /// This node's id.
    pub fn node(&self) -> u64 {
        id(self.node)
    }

    /// Claims `call_id` of `platform` for `call` on this node; `false` when another live call
    /// of the cluster holds that id. Claiming the same call again (a restore) is a success.
    pub fn claim(&self, platform: u64, call_id: &str, call: CallRef) -> Result<bool, StoreError> {
        let (platform, call) = (db(platform), db(call));
        let row = super::write_lazily(&self.lazy, async |conn| {
            let st = conn
                .prepared(
                    "INSERT INTO call_owners (platform, call_id, call_ref, node)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (platform, call_id) DO UPDATE SET node = EXCLUDED.node
                         WHERE call_owners.call_ref = EXCLUDED.call_ref
                     RETURNING call_ref",
                )
                .await?;
            conn.client()
                .query_opt(&st, &[&platform, &call_id, &call, &self.node])
                .await
        })?;
        Ok(row.is_some())
    }

    /// Forgets the owners of `calls` (finished, their logs durable).
    pub fn release(&self, calls: &[CallRef]) -> Result<(), StoreError> {
        if calls.is_empty() {
            return Ok(());
        }
        let refs: Vec<i64> = calls.iter().map(|c| db(*c)).collect();
        self.lazy.run(async |conn| {
            let st = conn
                .prepared("DELETE FROM call_owners WHERE call_ref = ANY($1::BIGINT[])")
                .await?;
            conn.client().execute(&st, &[&refs]).await.map(|_| ())
        })
    }

    /// Forgets this node's claims but those of `kept`.
    pub fn keep_only(&self, kept: &[CallRef]) -> Result<(), StoreError> {
        let kept: Vec<i64> = kept.iter().map(|c| db(*c)).collect();
        self.pg.run(async |conn| {
            let st = conn
                .prepared(
                    "DELETE FROM call_owners WHERE node = $1 AND call_ref <> ALL($2::BIGINT[])",
                )
                .await?;
            conn.client()
                .execute(&st, &[&self.node, &kept])
                .await
                .map(|_| ())
        })
    }

    /// The calls this node holds.
    pub fn owned(&self) -> Result<HashSet<CallRef>, StoreError> {
        let rows = self.pg.run(async |conn| {
            let st = conn
                .prepared("SELECT call_ref FROM call_owners WHERE node = $1")
                .await?;
            conn.client().query(&st, &[&self.node]).await
        })?;
        Ok(rows.iter().map(|r| id(r.get::<_, i64>(0))).collect())
    }

    /// Which node holds `call_id` of `platform`: `None` when no node does.
    pub fn holder(&self, platform: u64, call_id: &str) -> Result<Option<Holder>, StoreError> {
        let platform = db(platform);
        let row = self.pg.run(async |conn| {
            let st = conn
                .prepared(
                    "SELECT o.node, n.url FROM call_owners o JOIN nodes n ON n.id = o.node
                     WHERE o.platform = $1 AND o.call_id = $2",
                )
                .await?;
            conn.client().query_opt(&st, &[&platform, &call_id]).await
        })?;
        Ok(row.map(|r| self.holder_of(&r)))
    }

    /// Which node holds call `call`: `None` when no node does.
    pub fn holder_by_ref(&self, call: CallRef) -> Result<Option<Holder>, StoreError> {
        let call = db(call);
        let row = self.pg.run(async |conn| {
            let st = conn
                .prepared(
                    "SELECT o.node, n.url FROM call_owners o JOIN nodes n ON n.id = o.node
                     WHERE o.call_ref = $1",
                )
                .await?;
            conn.client().query_opt(&st, &[&call]).await
        })?;
        Ok(row.map(|r| self.holder_of(&r)))
    }

    /// The holder a row of (node, url) names.
    fn holder_of(&self, row: &tokio_postgres::Row) -> Holder {
        if row.get::<_, i64>(0) == self.node {
            Holder::Here
        } else {
            Holder::Elsewhere(row.get(1))
        }
    }
}
