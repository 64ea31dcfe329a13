//! The cluster's feed of pushed updates (`cluster_pushes`): every node's released updates (a
//! queued call offered, an offer lapsed, an offer for an agent's app) put in one order and
//! delivered to every node's subscribers, so a platform or an agent connected to any node gets
//! what any node decided, and resumes (`Last-Event-ID`) on any node.
//!
//! A node's updates leave its hub ([`PushFeed`], a [`PushRelay`]) in release order; one task
//! writes them in batches, numbering them under a transaction-level advisory lock, so rows
//! commit in the order of their numbers (`pos`) and a reader never sees a later one before an
//! earlier one; the write notifies the other nodes (`NOTIFY switchyard_feed`). Another task
//! reads the rows after the last it saw, as soon as a node wrote some (its own, or a
//! notification) or at the latest every [`TAIL_EVERY`], and hands each to the node's hub with
//! `pos` as its sequence number. The last [`crate::calls::RETAINED`] are loaded at start, for resuming subscribers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchyard_directory::StoreError;
use switchyard_directory::pg::Pg;
use tokio::sync::{Notify, mpsc};
use tokio_postgres::types::ToSql;

use super::{ClusterNode, Served, db, id};
use crate::calls::{PushEvent, PushRelay, RETAINED};

/// How often a node reads the feed at the latest, when no write woke it (a notification lost
/// with its connection): an idle cluster then costs the database a few reads a second.
pub const TAIL_EVERY: Duration = Duration::from_millis(250);

/// The channel a write to the feed notifies.
const CHANNEL: &str = "switchyard_feed";

/// How many updates the feed keeps (older ones are pruned).
const KEPT: i64 = 100_000;

/// The advisory lock key numbering the feed's rows ("SWYD" and 2).
const FEED_LOCK: i64 = 0x5357_5944_0000_0002;

/// Most updates written or read in one statement.
const BATCH: usize = 512;

/// A node's outlet into the feed: its hub's released updates, in order.
#[derive(Debug)]
pub struct PushFeed {
    tx: mpsc::UnboundedSender<Arc<PushEvent>>,
}

/// The other end of a [`PushFeed`], for [`spawn`].
#[derive(Debug)]
pub struct Outbox(mpsc::UnboundedReceiver<Arc<PushEvent>>);

impl PushFeed {
    /// A feed outlet and its outbox.
    pub fn new() -> (Self, Outbox) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Self { tx }, Outbox(rx))
    }
}

impl PushRelay for PushFeed {
    fn relay(&self, events: Vec<Arc<PushEvent>>) {
        for event in events {
            if self.tx.send(event).is_err() {
                tracing::error!("the cluster feed's writer stopped: a pushed update is lost");
            }
        }
    }
}

/// Writes `bodies` (encoded updates of `node`) after every row of the feed, in order.
fn write(pg: &Pg, node: u64, bodies: &[Vec<u8>]) -> Result<(), StoreError> {
    let node = db(node);
    pg.run(async |conn| {
        let lock = conn.prepared("SELECT pg_advisory_xact_lock($1)").await?;
        let insert = conn
            .prepared(
                "INSERT INTO cluster_pushes (pos, node, body)
                 SELECT (SELECT coalesce(max(pos), 0) FROM cluster_pushes) + t.i, $1, t.b
                 FROM unnest($2::BYTEA[]) WITH ORDINALITY AS t(b, i)",
            )
            .await?;
        let notify = conn
            .prepared("SELECT pg_notify('switchyard_feed', '')")
            .await?;
        let tx = conn.client().transaction().await?;
        // The feed's lock is held until commit: a commit that does not wait for the WAL flush
        // holds it for a round trip, not an fsync (the updates it carries describe changes that
        // are durable already; a database crash may lose the newest feed rows, as a node's
        // crash may lose updates it had not written yet).
        tx.batch_execute("SET LOCAL synchronous_commit = off")
            .await?;
        // Sent together (pipelined): the server runs them in order, the insert after the lock
        // is taken (its snapshot with it), and the lock is held one round trip less per step.
        // The notification is delivered at commit: the other nodes read at once.
        let (lock_args, insert_args): ([&(dyn ToSql + Sync); 1], [&(dyn ToSql + Sync); 2]) =
            ([&FEED_LOCK], [&node, &bodies]);
        tokio::try_join!(
            tx.execute(&lock, &lock_args),
            tx.execute(&insert, &insert_args),
            tx.execute(&notify, &[]),
        )?;
        tx.commit().await
    })
}

/// The rows after `after`, at most [`BATCH`], in order.
fn read(pg: &Pg, after: i64) -> Result<Vec<(i64, Vec<u8>)>, StoreError> {
    let limit = i64::try_from(BATCH).unwrap_or(i64::MAX);
    pg.run(async |conn| {
        let st = conn
            .prepared("SELECT pos, body FROM cluster_pushes WHERE pos > $1 ORDER BY pos LIMIT $2")
            .await?;
        let rows = conn.client().query(&st, &[&after, &limit]).await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    })
}

/// The newest row's number (0 for none).
fn newest(pg: &Pg) -> Result<i64, StoreError> {
    pg.run(async |conn| {
        conn.client()
            .query_one("SELECT coalesce(max(pos), 0) FROM cluster_pushes", &[])
            .await?
            .try_get(0)
    })
}

/// Drops all but the newest [`KEPT`] rows.
fn prune(pg: &Pg) -> Result<(), StoreError> {
    pg.run(async |conn| {
        conn.client()
            .execute(
                "DELETE FROM cluster_pushes
                 WHERE pos <= (SELECT coalesce(max(pos), 0) FROM cluster_pushes) - $1",
                &[&KEPT],
            )
            .await
            .map(|_| ())
    })
}

/// Starts the feed's writer (this node's updates, from `outbox`) and reader (every node's, to
/// the hub of `served`'s call flow); both run until the service stops.
pub fn spawn(
    node: ClusterNode,
    served: Served,
    outbox: Outbox,
) -> Vec<tokio::task::JoinHandle<()>> {
    let wrote = Arc::new(Notify::new());
    vec![
        tokio::spawn(writer(node.clone(), outbox, Arc::clone(&wrote))),
        tokio::spawn(reader(node, served, wrote)),
    ]
}

async fn writer(node: ClusterNode, Outbox(mut rx): Outbox, wrote: Arc<Notify>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(event) => batch.push(event),
                Err(_) => break,
            }
        }
        let bodies: Vec<Vec<u8>> = batch
            .iter()
            .filter_map(|e| match serde_json::to_vec(&**e) {
                Ok(body) => Some(body),
                Err(e) => {
                    tracing::error!(error = %e, "a pushed update could not be encoded");
                    None
                }
            })
            .collect();
        let mut failing = false;
        loop {
            let (pg, me, rows) = (Arc::clone(&node.pg), node.id, bodies.clone());
            match tokio::task::spawn_blocking(move || write(&pg, me, &rows)).await {
                Ok(Ok(())) => break,
                Ok(Err(e)) => {
                    if !failing {
                        tracing::warn!(error = %e, "cannot write pushed updates to the cluster feed yet; retrying");
                    }
                    failing = true;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "writing the cluster feed panicked");
                    break;
                }
            }
        }
        wrote.notify_one();
    }
}

async fn reader(node: ClusterNode, served: Served, wrote: Arc<Notify>) {
    // Start with the newest retained updates, for subscribers that resume.
    let mut last = loop {
        let pg = Arc::clone(&node.pg);
        match tokio::task::spawn_blocking(move || newest(&pg)).await {
            Ok(Ok(n)) => break (n - i64::try_from(RETAINED).unwrap_or(0)).max(0),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "cannot read the cluster feed yet; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(_) => return,
        }
    };
    let mut pruned = Instant::now();
    // Woken by the other nodes' writes (LISTEN); the poll every TAIL_EVERY is the fallback.
    let mut listening: Option<(tokio_postgres::Client, mpsc::UnboundedReceiver<()>)> = None;
    loop {
        if listening
            .as_ref()
            .is_none_or(|(client, _)| client.is_closed())
        {
            let pg = Arc::clone(&node.pg);
            listening = tokio::task::spawn_blocking(move || pg.listen(CHANNEL))
                .await
                .ok()
                .and_then(Result::ok);
        }
        let pg = Arc::clone(&node.pg);
        let rows = match tokio::task::spawn_blocking(move || read(&pg, last)).await {
            Ok(Ok(rows)) => rows,
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "cannot read the cluster feed; retrying");
                Vec::new()
            }
            Err(_) => return,
        };
        let full = rows.len() == BATCH;
        let hub = served.calls.get().push().clone();
        for (pos, body) in rows {
            last = pos;
            match serde_json::from_slice::<PushEvent>(&body) {
                Ok(mut event) => {
                    event.seq = id(pos);
                    hub.deliver(Arc::new(event));
                }
                Err(e) => {
                    tracing::error!(pos, error = %e, "an update in the cluster feed is unreadable")
                }
            }
        }
        if pruned.elapsed() > Duration::from_secs(10) {
            pruned = Instant::now();
            let pg = Arc::clone(&node.pg);
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || prune(&pg)).await {
                tracing::debug!(error = %e, "cannot prune the cluster feed");
            }
        }
        if !full {
            let notified = async {
                match listening.as_mut() {
                    Some((_, rx)) => {
                        if rx.recv().await.is_some() {
                            // Several writes may have woken it: one read takes them all.
                            while rx.try_recv().is_ok() {}
                        } else {
                            std::future::pending::<()>().await;
                        }
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wrote.notified() => {}
                () = notified => {}
                () = tokio::time::sleep(TAIL_EVERY) => {}
            }
        }
    }
}
