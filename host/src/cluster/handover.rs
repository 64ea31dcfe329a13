//! Moving between one node and a cluster on the same database. The first cluster node on a
//! database that a single node served (or that `switchyard store copy` filled from sled) takes
//! over what that node left in the live-state journal: agents' presence, engagements and
//! today's counters become rows of the shared tables, and the live calls become this node's (it
//! restores them next, as at any start); done once, while the shared agents' table is empty.
//! A node serving alone after a cluster puts the shared state back into the journal.

use switchyard_directory::pg::Pg;

use super::agent_rows::columns_of;
use super::{ClusterError, db};
use crate::calls::{DayStats, LiveChange, LiveJournal, LiveSnapshot};

/// What the handover took.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Handover {
    /// Agents whose live state became shared rows.
    pub agents: usize,
    /// Live calls claimed for this node.
    pub calls: usize,
}

/// Takes over `journal`'s single-node live state for node `node`, if no cluster node has
/// shared agents' state yet.
pub fn from_single_node(
    pg: &Pg,
    node: u64,
    journal: &dyn LiveJournal,
) -> Result<Handover, ClusterError> {
    let empty: bool = pg
        .run(async |conn| {
            conn.client()
                .query_one("SELECT NOT EXISTS (SELECT 1 FROM agent_live)", &[])
                .await?
                .try_get(0)
        })
        .map_err(ClusterError::Store)?;
    if !empty {
        return Ok(Handover::default());
    }
    let snapshot = journal.load().map_err(|e| ClusterError::Adopt(e.into()))?;
    write(pg, node, &snapshot).map_err(ClusterError::Store)?;
    Ok(Handover {
        agents: snapshot.agents.len(),
        calls: snapshot.calls.len(),
    })
}

/// Writes `snapshot`'s agents, counters and call claims (nothing a cluster node wrote since).
fn write(
    pg: &Pg,
    node: u64,
    snapshot: &LiveSnapshot,
) -> Result<(), switchyard_directory::StoreError> {
    let node = db(node);
    let mut agents = Vec::new();
    let (mut logged_in, mut free_since, mut companies) = (Vec::new(), Vec::new(), Vec::new());
    let (mut calls, mut phases, mut phase_ms, mut nodes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (agent, live) in &snapshot.agents {
        agents.push(db(*agent));
        logged_in.push(live.logged_in);
        free_since.push(db(live.free_since_ms));
        let (company, call, phase, at) = columns_of(live.engagement);
        companies.push(company);
        calls.push(call);
        phases.push(phase);
        phase_ms.push(at);
        nodes.push(live.engagement.map(|_| node));
    }
    let (mut s_company, mut s_agent, mut s_day, mut s_calls, mut s_talk) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((company, agent), stats) in &snapshot.stats {
        s_company.push(db(*company));
        s_agent.push(db(*agent));
        s_day.push(stats.day);
        s_calls.push(i32::try_from(stats.calls).unwrap_or(i32::MAX));
        s_talk.push(db(stats.talk_ms));
    }
    let (mut platforms, mut call_ids, mut refs) = (Vec::new(), Vec::new(), Vec::new());
    for (call, _) in &snapshot.calls {
        platforms.push(db(call.platform));
        call_ids.push(call.call_id.clone());
        refs.push(db(call.call_ref));
    }
    pg.run(async |conn| {
        let tx = conn.client().transaction().await?;
        tx.execute(
            "INSERT INTO agent_live (agent, logged_in, free_since_ms, company, call_ref, phase, phase_ms, node)
             SELECT * FROM unnest($1::BIGINT[], $2::BOOLEAN[], $3::BIGINT[], $4::BIGINT[],
                                  $5::BIGINT[], $6::SMALLINT[], $7::BIGINT[], $8::BIGINT[])
             ON CONFLICT DO NOTHING",
            &[&agents, &logged_in, &free_since, &companies, &calls, &phases, &phase_ms, &nodes],
        )
        .await?;
        tx.execute(
            "INSERT INTO agent_day (company, agent, day, calls, talk_ms)
             SELECT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::INT[], $4::INT[], $5::BIGINT[])
             ON CONFLICT DO NOTHING",
            &[&s_company, &s_agent, &s_day, &s_calls, &s_talk],
        )
        .await?;
        tx.execute(
            "INSERT INTO call_owners (platform, call_id, call_ref, node)
             SELECT p, c, r, $4 FROM unnest($1::BIGINT[], $2::TEXT[], $3::BIGINT[]) AS t(p, c, r)
             ON CONFLICT DO NOTHING",
            &[&platforms, &call_ids, &refs, &node],
        )
        .await?;
        tx.commit().await
    })
}

/// What a single node took back from a cluster.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TakenBack {
    /// Agents whose shared live state went back into the journal.
    pub agents: usize,
    /// Counters that did.
    pub counters: usize,
}

/// The other way: a node serving alone on a database a cluster served (it holds the node lock
/// exclusively, so no cluster node runs) puts the shared agents' state back into `journal`,
/// where it restores from, and clears the cluster's tables. Every live call's record is already
/// in the journal.
pub fn to_single_node(pg: &Pg, journal: &dyn LiveJournal) -> Result<TakenBack, ClusterError> {
    let (agents, stats) = pg
        .run(async |conn| {
            let client = conn.client();
            let agents = client
                .query(
                    "SELECT agent, logged_in, free_since_ms, company, call_ref, phase, phase_ms
                     FROM agent_live",
                    &[],
                )
                .await?;
            let stats = client
                .query(
                    "SELECT company, agent, day, calls, talk_ms FROM agent_day",
                    &[],
                )
                .await?;
            Ok((agents, stats))
        })
        .map_err(ClusterError::Store)?;
    if agents.is_empty() && stats.is_empty() {
        return Ok(TakenBack::default());
    }
    let mut changes = Vec::with_capacity(agents.len() + stats.len());
    for row in &agents {
        let agent = super::id(row.get::<_, i64>(0));
        match super::agent_rows::live_of(row, 1) {
            Ok(live) => changes.push(LiveChange::Agent(agent, live)),
            Err(e) => tracing::warn!(%agent, error = %e, "an agent's shared state is unreadable"),
        }
    }
    for row in &stats {
        changes.push(LiveChange::Stats(
            super::id(row.get::<_, i64>(0)),
            super::id(row.get::<_, i64>(1)),
            DayStats {
                day: row.get(2),
                calls: u32::try_from(row.get::<_, i32>(3)).unwrap_or(0),
                talk_ms: super::id(row.get::<_, i64>(4)),
            },
        ));
    }
    let taken = TakenBack {
        agents: agents.len(),
        counters: stats.len(),
    };
    journal
        .stage(&mut changes)
        .and_then(|()| journal.sync())
        .map_err(|e| ClusterError::Adopt(e.into()))?;
    pg.run(async |conn| {
        conn.client()
            .batch_execute(
                "BEGIN; DELETE FROM agent_live; DELETE FROM agent_day; DELETE FROM call_owners;
                 DELETE FROM cluster_queue; DELETE FROM nodes; COMMIT;",
            )
            .await
    })
    .map_err(ClusterError::Store)?;
    Ok(taken)
}
