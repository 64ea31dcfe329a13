//! Adopting the calls of a node that stopped answering. The watch reads what each heartbeat saw
//! ([`super::members::Beaten`]): a node whose heartbeat stood still for [`DEAD_AFTER`] of this
//! node's uninterrupted contact with the database is claimed, and in the same transaction its
//! calls (marked `adopted_from`), engaged agents and queued calls become this node's; every
//! beat, calls still marked are carried on here ([`crate::calls::CallCenter::adopt`]) and the
//! mark cleared. The mark is what makes adoption durable: an adoption whose commit answer was
//! lost, or whose adopter died midway, is finished at the next beat by the adopter, or by
//! whoever adopts the adopter; rows a dead node wrote after it was claimed are taken over too.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use switchyard_directory::StoreError;
use switchyard_directory::pg::Pg;

use super::members::{Beaten, DEAD_AFTER};
use super::{ClusterError, ClusterNode, Served, db, id};
use crate::calls::clock::now_ms;
use crate::calls::registry::CallRef;

/// How many beats apart the watch looks for rows that nodes this one adopted wrote late.
const STRAGGLERS_EVERY: u64 = 4;

/// Watches the beats `watching` reports until the service stops, adopting dead nodes' calls
/// into `served`'s call flow.
pub fn spawn(
    node: ClusterNode,
    served: Served,
    mut watching: tokio::sync::watch::Receiver<Beaten>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Other nodes' heartbeats as last seen, and since when (by this node's clock).
        let mut seen: HashMap<u64, (i64, Instant)> = HashMap::new();
        let mut interrupted = 0;
        let mut beats: u64 = 0;
        while watching.changed().await.is_ok() {
            let beaten = watching.borrow_and_update().clone();
            if beaten.interrupted != interrupted {
                // Contact was interrupted: nobody is judged on what this node missed.
                interrupted = beaten.interrupted;
                seen.clear();
                continue;
            }
            beats += 1;
            // Between requests too (the sweeper offers queued calls): catch up with changes
            // other nodes made.
            let (catching, at) = (served.clone(), node.clone());
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || catching.catch_up(&at)).await {
                tracing::warn!(error = %e, "could not catch up with the cluster's changes");
            }
            let dead = judge(&mut seen, beaten.others);
            let claimed = !dead.is_empty();
            if claimed {
                node.standing.set_adopting(true);
            }
            for (other, heartbeat) in dead {
                let claiming = node.clone();
                let won = tokio::task::spawn_blocking(move || {
                    let _apart = claiming.standing.exclusive();
                    claim(&claiming.pg, claiming.id, other, heartbeat)
                })
                .await;
                match won {
                    Ok(Ok(true)) => {
                        tracing::warn!(dead = other, "claimed a node that stopped answering")
                    }
                    Ok(Ok(false)) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(dead = other, error = %e, "could not claim a dead node")
                    }
                    Err(e) => tracing::error!(error = %e, "claiming a dead node panicked"),
                }
            }
            if !claimed && beats.is_multiple_of(STRAGGLERS_EVERY) {
                let taking = node.clone();
                let taken = tokio::task::spawn_blocking(move || {
                    let _apart = taking.standing.exclusive();
                    take_stragglers(&taking.pg, taking.id)
                })
                .await;
                if let Ok(Err(e)) = taken {
                    tracing::warn!(error = %e, "could not look for adopted nodes' late rows");
                }
            }
            let carried = carry_on(&node, &served).await;
            node.standing.set_adopting(!carried);
        }
    })
}

/// Notes `others`' heartbeats in `seen`; the nodes to claim (gone, or silent for
/// [`DEAD_AFTER`]), each with the heartbeat it must still have.
fn judge(seen: &mut HashMap<u64, (i64, Instant)>, others: HashMap<u64, i64>) -> Vec<(u64, i64)> {
    let now = Instant::now();
    seen.retain(|n, _| others.contains_key(n));
    let mut dead = Vec::new();
    for (other, heartbeat) in others {
        let entry = seen.entry(other).or_insert((heartbeat, now));
        if entry.0 != heartbeat {
            *entry = (heartbeat, now);
        }
        if heartbeat < 0 || now.duration_since(entry.1) >= DEAD_AFTER {
            dead.push((other, heartbeat));
        }
    }
    for (other, _) in &dead {
        seen.remove(other);
    }
    dead
}

/// Moves to `node` the rows of every node it adopted: calls (marked `adopted_from`), engaged
/// agents (locked in agent order, as reservations lock them) and queued calls.
const TAKE_OVER: [&str; 3] = [
    "UPDATE call_owners o SET node = $1, adopted_from = o.node
     FROM nodes n WHERE n.adopted_by = $1 AND o.node = n.id",
    "WITH taken AS (SELECT a.agent FROM agent_live a JOIN nodes n ON a.node = n.id
                    WHERE n.adopted_by = $1 ORDER BY a.agent FOR UPDATE OF a)
     UPDATE agent_live a SET node = $1 FROM taken WHERE a.agent = taken.agent",
    "UPDATE cluster_queue q SET node = $1 FROM nodes n WHERE n.adopted_by = $1 AND q.node = n.id",
];

/// Claims `dead` for `node` if no other node did and its heartbeat is still `seen`, taking
/// its rows over in the same transaction (see [`TAKE_OVER`]): `false` when another node won
/// it (or it beat again). The watch of `node` carries the calls on at its next beat, whether
/// or not this answer reached it.
pub fn claim(pg: &Pg, node: u64, dead: u64, seen: i64) -> Result<bool, StoreError> {
    let (node, dead) = (db(node), db(dead));
    pg.run(async |conn| {
        let tx = conn.client().transaction().await?;
        let won = tx
            .query_opt(
                "UPDATE nodes SET adopted_by = $1
                 WHERE id = $2 AND adopted_by IS NULL AND heartbeat_ms = $3 RETURNING id",
                &[&node, &dead, &seen],
            )
            .await?;
        if won.is_none() {
            return Ok(false);
        }
        for statement in TAKE_OVER {
            tx.execute(statement, &[&node]).await?;
        }
        tx.commit().await?;
        Ok(true)
    })
}

/// Takes over rows that nodes `node` adopted wrote after it claimed them (a node cut off
/// that finished a request as it was adopted).
fn take_stragglers(pg: &Pg, node: u64) -> Result<(), StoreError> {
    let node = db(node);
    pg.run(async |conn| {
        let tx = conn.client().transaction().await?;
        for statement in TAKE_OVER {
            tx.execute(statement, &[&node]).await?;
        }
        tx.commit().await
    })
}

/// The calls `node` took over and has not carried on yet, with the nodes they came from.
fn marked(pg: &Pg, node: u64) -> Result<Vec<(CallRef, u64)>, StoreError> {
    let node = db(node);
    let rows = pg.run(async |conn| {
        let st = conn
            .prepared(
                "SELECT call_ref, adopted_from FROM call_owners
                 WHERE node = $1 AND adopted_from IS NOT NULL",
            )
            .await?;
        conn.client().query(&st, &[&node]).await
    })?;
    Ok(rows
        .iter()
        .map(|r| (id(r.get::<_, i64>(0)), id(r.get::<_, i64>(1))))
        .collect())
}

/// Clears the mark of `calls`, carried on here now.
fn unmark(pg: &Pg, node: u64, calls: &[CallRef]) -> Result<(), StoreError> {
    let node = db(node);
    let calls: Vec<i64> = calls.iter().map(|c| db(*c)).collect();
    pg.run(async |conn| {
        conn.client()
            .execute(
                "UPDATE call_owners SET adopted_from = NULL
                 WHERE node = $1 AND call_ref = ANY($2::BIGINT[])",
                &[&node, &calls],
            )
            .await
            .map(|_| ())
    })
}

/// Carries on here every call this node took over and has not carried on yet; `true` when
/// none is left.
async fn carry_on(node: &ClusterNode, served: &Served) -> bool {
    let (node, center) = (node.clone(), served.calls.get());
    let done = tokio::task::spawn_blocking(move || {
        let _apart = node.standing.exclusive();
        let marked = marked(&node.pg, node.id).map_err(ClusterError::Store)?;
        if marked.is_empty() {
            return Ok(());
        }
        let from: HashSet<u64> = marked.iter().map(|(_, dead)| *dead).collect();
        let calls: HashSet<CallRef> = marked.iter().map(|(call, _)| *call).collect();
        let restored = center
            .adopt(&calls, now_ms())
            .map_err(ClusterError::Adopt)?;
        // Claims of calls whose live record never became durable name nothing: drop them.
        let (live, empty): (Vec<CallRef>, Vec<CallRef>) = calls
            .iter()
            .copied()
            .partition(|r| center.live_by_ref(*r).is_some());
        if let Err(e) = node.owners.release(&empty) {
            tracing::warn!(error = %e, "could not drop a dead node's empty claims");
        }
        unmark(&node.pg, node.id, &live).map_err(ClusterError::Store)?;
        tracing::warn!(
            from = ?from,
            calls = restored.calls,
            repaired = restored.repaired,
            "carried on the calls of nodes that stopped answering"
        );
        Ok::<(), ClusterError>(())
    })
    .await;
    match done {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "could not carry on adopted calls yet; retrying");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, "carrying on adopted calls panicked; retrying");
            false
        }
    }
}
