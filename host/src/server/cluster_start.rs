//! A cluster node's start (`--cluster`): taking over what a single node left in the database,
//! joining and starting its heartbeats and feed; and a single node's start on a database a
//! cluster served, taking back what the cluster left.

use std::sync::Arc;

use switchyard_directory::pg::Pg;
use tokio::task::JoinHandle;

use super::ServerError;
use crate::app::AppState;
use crate::cluster::ClusterNode;
use crate::cluster::feed::Outbox;
use crate::journal_store::RecordJournal;

/// Takes over a single node's live state, joins the cluster as `node` and starts its
/// heartbeats (with adoption) and, with `outbox`, its feed; the tasks started.
pub(super) async fn join(
    state: &AppState,
    node: ClusterNode,
    outbox: Option<Outbox>,
) -> Result<Vec<JoinHandle<()>>, ServerError> {
    let (handing, records) = (node.clone(), Arc::clone(state.logbook().records()));
    let handed = tokio::task::spawn_blocking(move || {
        let journal = RecordJournal::new(records, true);
        crate::cluster::handover::from_single_node(&handing.pg, handing.id, &journal)
    })
    .await
    .map_err(|e| ServerError::Task(e.to_string()))?
    .map_err(ServerError::Cluster)?;
    if handed.agents + handed.calls > 0 {
        tracing::info!(
            agents = handed.agents,
            calls = handed.calls,
            "took over the live state a single node left in this database"
        );
    }
    let joining = node.clone();
    tokio::task::spawn_blocking(move || crate::cluster::members::join(&joining))
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
        .map_err(|e| ServerError::Cluster(crate::cluster::ClusterError::Store(e)))?;
    tracing::info!(node = node.id, url = %node.url, "joined the cluster: serving");
    state.join_cluster(node.clone());
    let mut tasks = crate::cluster::members::spawn(node.clone(), state.served());
    if let Some(outbox) = outbox {
        tasks.extend(crate::cluster::feed::spawn(node, state.served(), outbox));
    }
    Ok(tasks)
}

/// On a single node over PostgreSQL: takes back the live state a cluster left in `pg`.
pub(super) async fn take_back(state: &AppState, pg: Arc<Pg>) -> Result<(), ServerError> {
    let records = Arc::clone(state.logbook().records());
    let taken = tokio::task::spawn_blocking(move || {
        let journal = RecordJournal::new(records, true);
        crate::cluster::handover::to_single_node(&pg, &journal)
    })
    .await
    .map_err(|e| ServerError::Task(e.to_string()))?
    .map_err(ServerError::Cluster)?;
    if taken.agents + taken.counters > 0 {
        tracing::info!(
            agents = taken.agents,
            counters = taken.counters,
            "took back the live state a cluster left in this database"
        );
    }
    Ok(())
}
