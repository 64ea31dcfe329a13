//! Recovery after a failed commit. When a change cannot be made durable (the database went
//! away in the middle of a request) the call flow's memory may hold changes that never reached
//! the database, and the request that made them was refused. The call flow is then poisoned: its
//! journal fenced, every request answered `503` (`http/gate.rs`). This task builds a successor
//! restored from the journal as soon as the database answers and puts it in place: every
//! acknowledged change was durable, so the successor holds all of them and none that was
//! refused. Streams of the old call flow end; platforms resume them (`Last-Event-ID`).

use std::sync::Arc;
use std::time::Duration;

use crate::app::AppState;
use crate::calls::clock::now_ms;

/// How often a poisoned call flow is checked for, and its restore retried.
const RETRY: Duration = Duration::from_millis(200);

/// Watches the state's call flow and replaces it once it is poisoned and the database answers.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut failing = false;
        loop {
            tokio::time::sleep(RETRY).await;
            let current = state.calls();
            // Restored only while this node holds its store (PostgreSQL: once its node lock
            // is taken again), so nothing is read from a database another node serves, and on
            // a cluster only while its heartbeats are recent (another node may be adopting its
            // calls otherwise).
            if !current.is_poisoned() || !state.holds_store() || !state.may_act() {
                continue;
            }
            let next = Arc::new(current.successor());
            drop(current);
            let (restoring, at) = (Arc::clone(&next), state.clone());
            match tokio::task::spawn_blocking(move || at.restore_calls(&restoring, now_ms())).await
            {
                Ok(Ok(restored)) => {
                    next.spawn_sweeper();
                    state.replace_calls(next);
                    failing = false;
                    tracing::info!(
                        agents = restored.agents,
                        calls = restored.calls,
                        repaired = restored.repaired,
                        "live state restored from the database after a failed commit: serving again"
                    );
                }
                Ok(Err(e)) => {
                    if !failing {
                        tracing::warn!(error = %e, "cannot restore live state yet; retrying");
                    }
                    failing = true;
                }
                Err(e) => tracing::error!(error = %e, "restoring live state panicked"),
            }
        }
    })
}
