//! [`ClusterQueue`]: every node's queued calls (`cluster_queue`), so queues stay fair across
//! nodes: before a node offers a freed agent one of its own queued calls it asks whether any
//! node holds a call ahead of it (higher priority, then older) in the departments that agent
//! serves; if so it leaves the agent to that call, which its own node offers (a node whose
//! sweeper sees an agent freed elsewhere serves its queues at once).

use std::sync::Arc;
use switchyard_directory::{CompanyId, DepartmentId};

use switchyard_directory::StoreError;
use switchyard_directory::pg::Pg;

use super::{db, id};
use crate::calls::registry::CallRef;

/// A queued call as the cluster sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    /// The call.
    pub call: CallRef,
    /// Its company.
    pub company: CompanyId,
    /// Its department.
    pub department: DepartmentId,
    /// Higher first.
    pub priority: u8,
    /// When it joined the queue (unix ms).
    pub since_ms: u64,
}

/// The cluster's queued calls, as one node keeps its own and reads the others'.
#[derive(Debug, Clone)]
pub struct ClusterQueue {
    pg: Arc<Pg>,
    /// The index's updates commit here without waiting for the WAL flush (fairness only
    /// depends on it; a later commit makes them durable).
    lazy: Arc<Pg>,
    node: i64,
}

impl ClusterQueue {
    /// The queue index as node `node` uses it.
    pub fn new(pg: Arc<Pg>, lazy: Arc<Pg>, node: u64) -> Self {
        Self {
            pg,
            lazy,
            node: db(node),
        }
    }

    /// Records `queued` calls of this node and forgets `gone` ones (offered, finished).
    pub fn apply(&self, queued: &[Queued], gone: &[CallRef]) -> Result<(), StoreError> {
        let calls: Vec<i64> = queued.iter().map(|q| db(q.call)).collect();
        let companies: Vec<i64> = queued.iter().map(|q| db(q.company)).collect();
        let departments: Vec<i64> = queued.iter().map(|q| db(q.department)).collect();
        let priorities: Vec<i16> = queued.iter().map(|q| i16::from(q.priority)).collect();
        let since: Vec<i64> = queued.iter().map(|q| db(q.since_ms)).collect();
        let gone: Vec<i64> = gone.iter().map(|c| db(*c)).collect();
        self.lazy.run(async |conn| {
            let put = conn
                .prepared(
                    "INSERT INTO cluster_queue (call_ref, node, company, department, priority, since_ms)
                     SELECT c, $1, co, d, p, s
                     FROM unnest($2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::SMALLINT[], $6::BIGINT[])
                         AS t(c, co, d, p, s)
                     ON CONFLICT (call_ref) DO UPDATE SET node = EXCLUDED.node,
                         priority = EXCLUDED.priority, since_ms = EXCLUDED.since_ms",
                )
                .await?;
            let delete = conn
                .prepared("DELETE FROM cluster_queue WHERE call_ref = ANY($1::BIGINT[])")
                .await?;
            if !calls.is_empty() {
                conn.client()
                    .execute(
                        &put,
                        &[&self.node, &calls, &companies, &departments, &priorities, &since],
                    )
                    .await?;
            }
            if !gone.is_empty() {
                conn.client().execute(&delete, &[&gone]).await?;
            }
            Ok(())
        })
    }

    /// Whether another node holds a queued call ahead of one with `priority` queued since
    /// `since_ms`, in one of `departments` (company, department).
    pub fn ahead_elsewhere(
        &self,
        departments: &[(CompanyId, DepartmentId)],
        priority: u8,
        since_ms: u64,
    ) -> Result<bool, StoreError> {
        let companies: Vec<i64> = departments.iter().map(|d| db(d.0)).collect();
        let depts: Vec<i64> = departments.iter().map(|d| db(d.1)).collect();
        let (priority, since) = (i16::from(priority), db(since_ms));
        let row = self.pg.run(async |conn| {
            let st = conn
                .prepared(
                    "SELECT EXISTS (
                         SELECT 1 FROM cluster_queue q
                         JOIN unnest($2::BIGINT[], $3::BIGINT[]) AS t(co, d)
                             ON q.company = t.co AND q.department = t.d
                         WHERE q.node <> $1
                           AND (q.priority > $4 OR (q.priority = $4 AND q.since_ms < $5)))",
                )
                .await?;
            conn.client()
                .query_one(&st, &[&self.node, &companies, &depts, &priority, &since])
                .await
        })?;
        Ok(row.get(0))
    }

    /// This node's id.
    pub fn node(&self) -> u64 {
        id(self.node)
    }
}
