//! The cluster's members (`nodes`): a node joins with its advertised URL, beats every
//! [`BEAT`] on the database's clock, and watches the others. A node whose heartbeat this node
//! saw unchanged for [`DEAD_AFTER`] of its own uninterrupted contact with the database (so an
//! outage of the database declares nobody dead) is adopted: one conditional update decides
//! which live node takes it, and that node takes over its calls and engaged agents
//! ([`super::CallOwners::take_over`]) and carries them on ([`crate::calls::CallCenter::adopt`]),
//! sweeper duty included. A node that finds itself adopted (it was cut off that long) exits at
//! once rather than act on calls another node now holds. A node that stops cleanly marks itself
//! gone, so the others adopt it at their next beat.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_directory::StoreError;
use switchyard_directory::pg::Pg;

use super::{ClusterError, ClusterNode, db, id};
use crate::app::AppState;
use crate::calls::clock::now_ms;
use crate::calls::registry::CallRef;

/// How often a node beats and looks at the others.
pub const BEAT: Duration = Duration::from_millis(500);

/// How long a node's heartbeat must stand still before another node adopts its calls.
pub const DEAD_AFTER: Duration = Duration::from_secs(3);

/// The database's clock in milliseconds since the epoch.
const DB_NOW: &str = "(extract(epoch from clock_timestamp()) * 1000)::BIGINT";

/// A new node id, unique for the life of the database (the node joins with it later).
pub fn new_id(pg: &Pg) -> Result<u64, StoreError> {
    let row = pg.run(async |conn| {
        conn.client()
            .query_one("SELECT nextval('record_seqs')", &[])
            .await
    })?;
    Ok(id(row.get::<_, i64>(0)))
}

/// Joins the cluster as `node`, advertising its URL: the others see it from now on, and it
/// must beat from now on ([`spawn`] right after).
pub fn join(node: &ClusterNode) -> Result<(), StoreError> {
    let (id, url, sent) = (db(node.id), node.url.as_str(), Instant::now());
    node.pg.run(async |conn| {
        conn.client()
            .execute(
                &format!(
                    "INSERT INTO nodes (id, url, started_ms, heartbeat_ms)
                     VALUES ($1, $2, {DB_NOW}, {DB_NOW})"
                ),
                &[&id, &url],
            )
            .await
            .map(|_| ())
    })?;
    node.standing.renewed(sent);
    Ok(())
}

/// The URLs of the other nodes serving now (not gone, not adopted).
pub fn peers(pg: &Pg, node: u64) -> Result<Vec<String>, StoreError> {
    let node = db(node);
    let rows = pg.run(async |conn| {
        let st = conn
            .prepared(
                "SELECT url FROM nodes
                 WHERE id <> $1 AND adopted_by IS NULL AND heartbeat_ms >= 0 ORDER BY id",
            )
            .await?;
        conn.client().query(&st, &[&node]).await
    })?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// One member of the cluster as `GET /v1/cluster/nodes` shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Member {
    /// Node id (a new one each time a node starts).
    pub id: u64,
    /// The URL it advertises (other nodes forward requests there).
    pub url: String,
    /// When it joined (unix ms, the database's clock).
    pub started_ms: u64,
    /// `serving` (beating), `silent` (no heartbeat for the failure timeout: about to be
    /// adopted), `gone` (stopped cleanly, its calls about to be adopted) or `adopted` (another
    /// node carries its calls on).
    pub state: String,
    /// Milliseconds since its last heartbeat (`null` once it is gone or adopted).
    pub heartbeat_age_ms: Option<u64>,
    /// The node that adopted its calls.
    pub adopted_by: Option<u64>,
}

/// Every node that joined the cluster on `pg`, oldest first.
pub fn list(pg: &Pg) -> Result<Vec<Member>, StoreError> {
    let rows = pg.run(async |conn| {
        conn.client()
            .query(
                &format!(
                    "SELECT id, url, started_ms, heartbeat_ms, adopted_by,
                            {DB_NOW} - heartbeat_ms FROM nodes ORDER BY id"
                ),
                &[],
            )
            .await
    })?;
    let dead_after = u64::try_from(DEAD_AFTER.as_millis()).unwrap_or(u64::MAX);
    Ok(rows
        .iter()
        .map(|r| {
            let adopted_by = r.get::<_, Option<i64>>(4).map(id);
            let beating = r.get::<_, i64>(3) >= 0 && adopted_by.is_none();
            let age = beating.then(|| id(r.get::<_, i64>(5)));
            let state = match (adopted_by, age) {
                (Some(_), _) => "adopted",
                (None, None) => "gone",
                (None, Some(age)) if age >= dead_after => "silent",
                (None, Some(_)) => "serving",
            };
            Member {
                id: id(r.get::<_, i64>(0)),
                url: r.get(1),
                started_ms: id(r.get::<_, i64>(2)),
                state: state.to_owned(),
                heartbeat_age_ms: age,
                adopted_by,
            }
        })
        .collect())
}

/// Marks `node` gone (a clean stop): the others adopt its calls at their next beat.
pub fn leave(pg: &Pg, node: u64) -> Result<(), StoreError> {
    let node = db(node);
    pg.run(async |conn| {
        conn.client()
            .execute("UPDATE nodes SET heartbeat_ms = -1 WHERE id = $1", &[&node])
            .await
            .map(|_| ())
    })
}

/// One beat: this node's heartbeat, then the others' (id → heartbeat). `Ok(None)` when
/// another node adopted this one.
fn beat(pg: &Pg, node: u64) -> Result<Option<HashMap<u64, i64>>, StoreError> {
    let node = db(node);
    pg.run(async |conn| {
        let mine = conn
            .client()
            .query_opt(
                &format!(
                    "UPDATE nodes SET heartbeat_ms = {DB_NOW}
                     WHERE id = $1 AND adopted_by IS NULL RETURNING id"
                ),
                &[&node],
            )
            .await?;
        if mine.is_none() {
            return Ok(None);
        }
        let others = conn
            .client()
            .query(
                "SELECT id, heartbeat_ms FROM nodes WHERE id <> $1 AND adopted_by IS NULL",
                &[&node],
            )
            .await?;
        Ok(Some(
            others
                .iter()
                .map(|r| (id(r.get::<_, i64>(0)), r.get::<_, i64>(1)))
                .collect(),
        ))
    })
}

/// Claims `dead` for this node if no other node did and its heartbeat is still `seen`, and
/// in the same transaction takes over its calls, engaged agents and queued calls: the calls
/// it held, or `None` when another node won it (or it beat again). Being one transaction, a
/// claim is never left without the calls moving with it: if this node dies before carrying
/// them on, whoever adopts it adopts them too.
fn claim(pg: &Pg, node: u64, dead: u64, seen: i64) -> Result<Option<HashSet<CallRef>>, StoreError> {
    let (node, dead) = (db(node), db(dead));
    let rows = pg.run(async |conn| {
        let tx = conn.client().transaction().await?;
        let won = tx
            .query_opt(
                "UPDATE nodes SET adopted_by = $1
                 WHERE id = $2 AND adopted_by IS NULL AND heartbeat_ms = $3 RETURNING id",
                &[&node, &dead, &seen],
            )
            .await?;
        if won.is_none() {
            return Ok(None);
        }
        let calls = tx
            .query(
                "UPDATE call_owners SET node = $1 WHERE node = $2 RETURNING call_ref",
                &[&node, &dead],
            )
            .await?;
        // Agents' rows locked in agent order, as reservations lock them.
        tx.execute(
            "WITH taken AS (
                 SELECT agent FROM agent_live WHERE node = $2 ORDER BY agent FOR UPDATE
             )
             UPDATE agent_live a SET node = $1 FROM taken WHERE a.agent = taken.agent",
            &[&node, &dead],
        )
        .await?;
        tx.execute(
            "UPDATE cluster_queue SET node = $1 WHERE node = $2",
            &[&node, &dead],
        )
        .await?;
        tx.commit().await?;
        Ok(Some(calls))
    })?;
    Ok(rows.map(|rows| rows.iter().map(|r| id(r.get::<_, i64>(0))).collect()))
}

/// Beats and watches until the service stops; adopts dead nodes' calls into `state`'s call
/// flow.
pub fn spawn(node: ClusterNode, state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Other nodes' heartbeats as last seen, and since when (by this node's clock).
        let mut seen: HashMap<u64, (i64, Instant)> = HashMap::new();
        // Dead nodes this node won, with their calls, until they are carried on here.
        let mut adopting: HashMap<u64, HashSet<CallRef>> = HashMap::new();
        let mut failing = false;
        loop {
            tokio::time::sleep(BEAT).await;
            let pg = Arc::clone(&node.pg);
            let me = node.id;
            let sent = Instant::now();
            let beaten = tokio::task::spawn_blocking(move || beat(&pg, me)).await;
            let others = match beaten {
                Ok(Ok(Some(others))) => {
                    node.standing.renewed(sent);
                    failing = false;
                    others
                }
                Ok(Ok(None)) => {
                    tracing::error!(
                        node = me,
                        "another node adopted this node's calls (it was cut off from the \
                         database too long): exiting rather than act on them"
                    );
                    std::process::exit(75);
                }
                Ok(Err(e)) => {
                    if !failing {
                        tracing::warn!(error = %e, "cluster heartbeat failed; retrying");
                    }
                    failing = true;
                    // Contact was interrupted: nobody is judged on what this node missed.
                    seen.clear();
                    continue;
                }
                Err(e) => {
                    tracing::error!(error = %e, "cluster heartbeat panicked");
                    continue;
                }
            };
            // Between requests too (the sweeper offers queued calls): catch up with changes
            // other nodes made.
            let catching = state.clone();
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || catching.catch_up()).await {
                tracing::warn!(error = %e, "could not catch up with the cluster's changes");
            }
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
            if !dead.is_empty() {
                node.standing.set_adopting(true);
            }
            for (other, heartbeat) in dead {
                seen.remove(&other);
                let claiming = node.clone();
                let won = tokio::task::spawn_blocking(move || {
                    let _apart = claiming.standing.exclusive();
                    claim(&claiming.pg, me, other, heartbeat)
                })
                .await;
                match won {
                    Ok(Ok(Some(calls))) => {
                        adopting.insert(other, calls);
                    }
                    Ok(Ok(None)) => {}
                    Ok(Err(e)) => {
                        tracing::warn!(dead = other, error = %e, "could not claim a dead node")
                    }
                    Err(e) => tracing::error!(error = %e, "claiming a dead node panicked"),
                }
            }
            let pending: Vec<u64> = adopting.keys().copied().collect();
            for dead in pending {
                let calls = adopting.remove(&dead).unwrap_or_default();
                if let Err((e, calls)) = adopt(&node, &state, dead, calls).await {
                    tracing::error!(dead, error = %e, "could not adopt a dead node's calls yet; retrying");
                    adopting.insert(dead, calls);
                }
            }
            node.standing.set_adopting(!adopting.is_empty());
        }
    })
}

/// Carries on here `calls`, those this node claimed from `dead`; on failure they come back
/// for the next try.
async fn adopt(
    node: &ClusterNode,
    state: &AppState,
    dead: u64,
    calls: HashSet<CallRef>,
) -> Result<(), (ClusterError, HashSet<CallRef>)> {
    let node = node.clone();
    let center = state.calls();
    let retry = calls.clone();
    let done = tokio::task::spawn_blocking(move || {
        let _apart = node.standing.exclusive();
        let restored = match center.adopt(&calls, now_ms()) {
            Ok(restored) => restored,
            Err(e) => return Err((ClusterError::Adopt(e), calls)),
        };
        // Claims of calls whose live record never became durable name nothing: drop them.
        let empty: Vec<CallRef> = calls
            .iter()
            .copied()
            .filter(|r| center.live_by_ref(*r).is_none())
            .collect();
        if let Err(e) = node.owners.release(&empty) {
            tracing::warn!(dead, error = %e, "could not drop a dead node's empty claims");
        }
        tracing::warn!(
            dead,
            calls = restored.calls,
            repaired = restored.repaired,
            "adopted the calls of a node that stopped answering"
        );
        Ok(())
    })
    .await;
    match done {
        Ok(result) => result,
        Err(e) => Err((ClusterError::Panicked(e.to_string()), retry)),
    }
}
