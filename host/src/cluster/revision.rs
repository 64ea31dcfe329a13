//! [`Revision`]: how a cluster node notices that another node changed the directory or a
//! policy activation. Every such change moves `cluster_revision` on (a directory write in its
//! own transaction); a node reads it before each decision (one indexed single-row read) and,
//! when it moved, drops its directory caches and reloads the active policies, so the change
//! is seen by every node's next decision. Presence needs none of this: agents' live state is
//! read from the database by every decision (`SharedAgents`).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use switchyard_directory::CompanyId;

use switchyard_directory::pg::Pg;
use switchyard_directory::{Directory, StoreError};

use super::ClusterError;
use crate::calls::{ActivePolicy, Policies};
use crate::policy::PolicyStore;

/// The cluster's revision as this node last acted on it.
#[derive(Debug)]
pub struct Revision {
    pg: Arc<Pg>,
    /// The revision this node's caches reflect (-1: none yet).
    seen: AtomicI64,
}

impl Revision {
    /// Not yet read: the first [`Revision::catch_up`] reloads.
    pub fn new(pg: Arc<Pg>) -> Self {
        Self {
            pg,
            seen: AtomicI64::new(-1),
        }
    }

    /// Moves the revision on (after a policy activation this node made).
    pub fn bump(&self) -> Result<(), StoreError> {
        self.pg.run(async |conn| {
            let st = conn
                .prepared(switchyard_directory::pg::BUMP_REVISION)
                .await?;
            conn.client().execute(&st, &[]).await.map(|_| ())
        })
    }

    /// Reads the revision; when another node moved it, drops `directory`'s caches and makes
    /// `policies` the activations `store` holds. Returns whether it did.
    pub fn catch_up(
        &self,
        directory: &Directory,
        store: &PolicyStore,
        policies: &Policies,
    ) -> Result<bool, ClusterError> {
        let current: i64 = self
            .pg
            .run(async |conn| {
                let st = conn
                    .prepared("SELECT n FROM cluster_revision WHERE id = 1")
                    .await?;
                conn.client().query_one(&st, &[]).await?.try_get(0)
            })
            .map_err(ClusterError::Store)?;
        if current == self.seen.load(Ordering::Acquire) {
            return Ok(false);
        }
        // Read before the data: a change after this read moves it again, and is caught next.
        directory.invalidate();
        let activations = store.activations().map_err(ClusterError::Policies)?;
        policies.reconcile(
            activations
                .into_iter()
                .map(|a| {
                    (
                        CompanyId(a.company_id),
                        ActivePolicy {
                            name: a.name,
                            version: a.version,
                            config: a.config,
                        },
                    )
                })
                .collect(),
        );
        self.seen.fetch_max(current, Ordering::AcqRel);
        Ok(true)
    }
}
