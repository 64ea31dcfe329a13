//! The cluster's members (`nodes`): a node joins with its advertised URL and beats every
//! [`BEAT`] on the database's clock, on a connection of its own; what each beat sees of the
//! others goes to the watch that adopts nodes silent for [`DEAD_AFTER`]
//! ([`super::adoption`]). A node that finds itself adopted (it was cut off that long) exits at
//! once rather than act on calls another node now holds. A node that stops cleanly marks itself
//! gone, so the others adopt it at their next beat.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_directory::StoreError;
use switchyard_directory::pg::Pg;

use super::{ClusterNode, Served, db, id};

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

/// What the latest beat saw, for [`super::adoption`]'s watch.
#[derive(Debug, Clone, Default)]
pub struct Beaten {
    /// How many beats have failed so far: when it moved, this node's contact with the database
    /// was interrupted, and nobody is judged on what it missed.
    pub interrupted: u64,
    /// The other nodes not adopted yet, and their heartbeats.
    pub others: HashMap<u64, i64>,
}

/// Beats every [`BEAT`] on a connection of its own ([`ClusterNode::beats`]), so neither
/// requests nor adoption work ever hold a heartbeat up, and hands what it saw to the watch
/// ([`super::adoption::spawn`]). Exits the process when another node adopted this one.
pub fn spawn(node: ClusterNode, served: Served) -> Vec<tokio::task::JoinHandle<()>> {
    let (seen, watching) = tokio::sync::watch::channel(Beaten::default());
    let beating = tokio::spawn({
        let node = node.clone();
        async move {
            let mut beaten = Beaten::default();
            let mut failing = false;
            loop {
                tokio::time::sleep(BEAT).await;
                let (pg, me, sent) = (Arc::clone(&node.beats), node.id, Instant::now());
                match tokio::task::spawn_blocking(move || beat(&pg, me)).await {
                    Ok(Ok(Some(others))) => {
                        node.standing.renewed(sent);
                        failing = false;
                        beaten.others = others;
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
                        beaten.interrupted += 1;
                        beaten.others.clear();
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cluster heartbeat panicked");
                        continue;
                    }
                }
                seen.send_replace(beaten.clone());
            }
        }
    });
    vec![beating, super::adoption::spawn(node, served, watching)]
}
