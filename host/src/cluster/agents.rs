//! [`SharedAgents`]: agents' live state in the shared database, for several nodes serving it at
//! once. The one-live-call rule is the database's: a reservation is one conditional `UPDATE`
//! of the agents' rows (`agent_live`) that only takes an agent whose row has no call (or whose
//! wrap-up is over), so of two nodes reserving one agent at once the second finds it taken
//! (rows are locked in agent order, so two reservations of several agents never deadlock).
//! Each decision reads the agents it considers (presence, idle time, today's counters) from the
//! database in one statement, so it sees what every node did. A node sweeps only the
//! engagements of its own calls (`node`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use switchyard_directory::StoreError;

use super::agent_rows::{columns_of, engagement_of, live_of};
use super::{db, id};
use switchyard_directory::pg::Pg;
use tokio_postgres::Row;

use crate::calls::registry::{
    AgentBook, AgentId, AgentLive, AgentView, CallRef, CompanyId, DayStats, Engagement,
    RegistryError, Reserved, Sweep,
};

/// Agents' live state in the database, as one node changes it.
pub struct SharedAgents {
    pg: Arc<Pg>,
    /// Writes commit here without waiting for the WAL flush (see [`super::write_lazily`]).
    lazy: Arc<Pg>,
    /// This node.
    node: i64,
    /// The first failure since the call flow last asked ([`AgentBook::take_failure`]).
    failure: Mutex<Option<StoreError>>,
    /// The latest time any agent became free, as last read ([`AgentBook::freed_elsewhere`]).
    freed_mark: AtomicI64,
    /// Whether this node may act ([`AgentBook::may_act`]).
    standing: Arc<super::Standing>,
}

impl std::fmt::Debug for SharedAgents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedAgents")
            .field("node", &self.node)
            .finish_non_exhaustive()
    }
}

impl SharedAgents {
    /// The shared book as node `node` changes it.
    pub fn new(pg: Arc<Pg>, lazy: Arc<Pg>, node: u64, standing: Arc<super::Standing>) -> Self {
        Self {
            pg,
            lazy,
            node: db(node),
            failure: Mutex::new(None),
            freed_mark: AtomicI64::new(0),
            standing,
        }
    }

    /// `value`, or after a failure `fallback` (the failure kept for the call flow's commit).
    fn or<T>(&self, what: &str, result: Result<T, StoreError>, fallback: T) -> T {
        match result {
            Ok(value) => value,
            Err(e) => {
                tracing::error!(error = %e, what, "shared agent state could not be changed");
                let mut failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
                failure.get_or_insert(e);
                fallback
            }
        }
    }
}

impl AgentBook for SharedAgents {
    fn restore(
        &self,
        _agents: Vec<(AgentId, AgentLive)>,
        _stats: Vec<((CompanyId, AgentId), DayStats)>,
    ) {
        // The database is the only copy: nothing to put back.
    }

    fn snapshot(&self) -> Vec<(AgentId, AgentLive)> {
        let node = self.node;
        let rows = self.pg.run(async |conn| {
            let st = conn
                .prepared(
                    "SELECT agent, logged_in, free_since_ms, company, call_ref, phase, phase_ms
                     FROM agent_live WHERE node = $1 ORDER BY agent",
                )
                .await?;
            conn.client().query(&st, &[&node]).await
        });
        let rows = self.or("snapshot", rows, Vec::new());
        rows.iter()
            .filter_map(|r| Some((id(r.try_get(0).ok()?), live_of(r, 1).ok()?)))
            .collect()
    }

    fn set_engagement(&self, agent: AgentId, engagement: Option<Engagement>, now_ms: u64) {
        let (company, call, phase, phase_ms) = columns_of(engagement);
        let node = engagement.map(|_| self.node);
        let (agent, now) = (db(agent), db(now_ms));
        let done = super::write_lazily(&self.lazy, async |conn| {
            let st = conn
                .prepared(
                    "UPDATE agent_live SET company = $2, call_ref = $3, phase = $4,
                         phase_ms = $5, node = $6,
                         free_since_ms = CASE WHEN $3::BIGINT IS NULL AND call_ref IS NOT NULL
                             THEN GREATEST(free_since_ms, $7) ELSE free_since_ms END
                     WHERE agent = $1 AND (node IS NULL OR node = $8)",
                )
                .await?;
            conn.client()
                .execute(
                    &st,
                    &[
                        &agent, &company, &call, &phase, &phase_ms, &node, &now, &self.node,
                    ],
                )
                .await
        });
        self.or("set_engagement", done.map(|_| ()), ());
    }

    fn force_release(
        &self,
        agent: AgentId,
        company: CompanyId,
        call: CallRef,
        now_ms: u64,
    ) -> Option<Engagement> {
        let (agent, company, call, now) = (db(agent), db(company), db(call), db(now_ms));
        let row = super::write_lazily(&self.lazy, async |conn| {
            let st = conn
                .prepared(
                    "WITH old AS (SELECT agent, company, call_ref, phase, phase_ms
                                  FROM agent_live
                                  WHERE agent = $1 AND company = $2 AND call_ref = $4
                                  FOR UPDATE)
                     UPDATE agent_live a SET company = NULL, call_ref = NULL, phase = NULL,
                         phase_ms = NULL, node = NULL, free_since_ms = GREATEST(a.free_since_ms, $3)
                     FROM old WHERE a.agent = old.agent
                     RETURNING old.company, old.call_ref, old.phase, old.phase_ms",
                )
                .await?;
            conn.client()
                .query_opt(&st, &[&agent, &company, &now, &call])
                .await
        });
        self.or("force_release", row, None)
            .and_then(|r| engagement_of(&r, 0).ok().flatten())
    }

    fn set_logged_in(&self, agent: AgentId, logged_in: bool, now_ms: u64) -> Option<CallRef> {
        let (agent, now) = (db(agent), db(now_ms));
        // Logging out withdraws an offer of this node's call; one of another node's call lapses
        // there (the agent is logged out, so it is offered nothing else meanwhile).
        let row = super::write_lazily(&self.lazy, async |conn| {
            let first = conn
                .prepared(
                    "INSERT INTO agent_live (agent, logged_in, free_since_ms) VALUES ($1, $2, $3)
                     ON CONFLICT (agent) DO NOTHING RETURNING NULL::BIGINT, NULL::BIGINT",
                )
                .await?;
            // The old row is read (and locked) by the update's join, before it changes it.
            let change = conn
                .prepared(
                    "WITH old AS (SELECT agent, call_ref, phase, node FROM agent_live
                                  WHERE agent = $1 FOR UPDATE)
                     UPDATE agent_live AS a SET
                         logged_in = $2,
                         free_since_ms = CASE WHEN $2 AND NOT a.logged_in
                             THEN GREATEST(a.free_since_ms, $3) ELSE a.free_since_ms END,
                         company = CASE WHEN NOT $2 AND old.phase = 0 AND old.node = $4
                             THEN NULL ELSE a.company END,
                         call_ref = CASE WHEN NOT $2 AND old.phase = 0 AND old.node = $4
                             THEN NULL ELSE a.call_ref END,
                         phase_ms = CASE WHEN NOT $2 AND old.phase = 0 AND old.node = $4
                             THEN NULL ELSE a.phase_ms END,
                         node = CASE WHEN NOT $2 AND old.phase = 0 AND old.node = $4
                             THEN NULL ELSE a.node END,
                         phase = CASE WHEN NOT $2 AND old.phase = 0 AND old.node = $4
                             THEN NULL ELSE a.phase END
                     FROM old WHERE a.agent = old.agent
                     RETURNING old.call_ref, a.call_ref",
                )
                .await?;
            let client = conn.client();
            if let Some(row) = client
                .query_opt(&first, &[&agent, &logged_in, &now])
                .await?
            {
                return Ok(row);
            }
            client
                .query_one(&change, &[&agent, &logged_in, &now, &self.node])
                .await
        });
        let (old, new) = self.or(
            "set_logged_in",
            row.and_then(|r| {
                Ok((
                    r.try_get::<_, Option<i64>>(0)
                        .map_err(switchyard_directory::pg::classify)?,
                    r.try_get::<_, Option<i64>>(1)
                        .map_err(switchyard_directory::pg::classify)?,
                ))
            }),
            (None, None),
        );
        match (old, new) {
            (Some(call), None) => Some(id(call)),
            _ => None,
        }
    }

    fn get(&self, agent: AgentId) -> AgentLive {
        let agent = db(agent);
        let row = self.pg.run(async |conn| {
            let st = conn
                .prepared(
                    "SELECT logged_in, free_since_ms, company, call_ref, phase, phase_ms
                     FROM agent_live WHERE agent = $1",
                )
                .await?;
            conn.client().query_opt(&st, &[&agent]).await
        });
        self.or("get", row, None)
            .and_then(|r| live_of(&r, 0).ok())
            .unwrap_or_default()
    }

    fn views(
        &self,
        company: CompanyId,
        agents: &[AgentId],
        now_ms: u64,
        local_day: i32,
    ) -> Vec<AgentView> {
        let ids: Vec<i64> = agents.iter().map(|a| db(*a)).collect();
        let company_db = db(company);
        let rows = self.pg.run(async |conn| {
            let st = conn
                .prepared(
                    "SELECT x.agent, a.logged_in, a.free_since_ms, a.company, a.call_ref,
                            a.phase, a.phase_ms, d.day, d.calls, d.talk_ms
                     FROM unnest($1::BIGINT[]) AS x(agent)
                     LEFT JOIN agent_live a ON a.agent = x.agent
                     LEFT JOIN agent_day d ON d.company = $2 AND d.agent = x.agent",
                )
                .await?;
            conn.client().query(&st, &[&ids, &company_db]).await
        });
        let rows = self.or("views", rows, Vec::new());
        let mut by_agent = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            let Ok(agent) = r.try_get::<_, i64>(0) else {
                continue;
            };
            // No row yet (never logged in): reads as the default, logged out.
            let live = live_of(r, 1).unwrap_or_default();
            let stats = match (
                r.try_get::<_, Option<i32>>(7),
                r.try_get::<_, Option<i32>>(8),
                r.try_get::<_, Option<i64>>(9),
            ) {
                (Ok(Some(day)), Ok(Some(calls)), Ok(Some(talk))) if day == local_day => DayStats {
                    day,
                    calls: u32::try_from(calls).unwrap_or(0),
                    talk_ms: id(talk),
                },
                _ => DayStats {
                    day: local_day,
                    ..DayStats::default()
                },
            };
            by_agent.insert(id::<AgentId>(agent), (live, stats));
        }
        agents
            .iter()
            .map(|a| {
                let (live, stats) = by_agent.get(a).copied().unwrap_or_default();
                let (presence, idle_ms) =
                    crate::calls::agent_state::presence_of(&live, company, now_ms);
                AgentView {
                    presence,
                    idle_ms,
                    stats: if stats.day == local_day {
                        stats
                    } else {
                        DayStats {
                            day: local_day,
                            ..DayStats::default()
                        }
                    },
                }
            })
            .collect()
    }

    fn reserve(
        &self,
        company: CompanyId,
        call: CallRef,
        agents: &[AgentId],
        now_ms: u64,
        expires_at_ms: &[u64],
    ) -> Reserved {
        let ids: Vec<i64> = agents.iter().map(|a| db(*a)).collect();
        let expiries: Vec<i64> = (0..agents.len())
            .map(|i| db(expires_at_ms.get(i).copied().unwrap_or(now_ms)))
            .collect();
        let (company, call, now) = (db(company), db(call), db(now_ms));
        let rows = super::write_lazily(&self.lazy, async |conn| {
            let st = conn
                .prepared(
                    "WITH x AS (SELECT * FROM unnest($4::BIGINT[], $5::BIGINT[]) AS t(agent, expires)),
                     locked AS (SELECT a.agent FROM agent_live a JOIN x ON a.agent = x.agent
                                ORDER BY a.agent FOR UPDATE OF a)
                     UPDATE agent_live AS a SET company = $1, call_ref = $2, phase = 0,
                         phase_ms = x.expires, node = $3,
                         free_since_ms = CASE WHEN a.phase = 2
                             THEN GREATEST(a.free_since_ms, a.phase_ms) ELSE a.free_since_ms END
                     FROM x, locked
                     WHERE a.agent = x.agent AND locked.agent = a.agent AND a.logged_in
                       AND (a.call_ref IS NULL OR (a.phase = 2 AND a.phase_ms <= $6))
                     RETURNING a.agent, GREATEST($6, a.free_since_ms)",
                )
                .await?;
            conn.client()
                .query(&st, &[&company, &call, &self.node, &ids, &expiries, &now])
                .await
        });
        let rows = self.or("reserve", rows, Vec::new());
        let taken: Vec<AgentId> = rows
            .iter()
            .filter_map(|r| r.try_get::<_, i64>(0).ok().map(id))
            .collect();
        // Stamped no earlier than the agents became free (that node's clock may be ahead of
        // this one's), so an agent's next offer never appears to start before its last call
        // ended.
        let at_ms = rows
            .iter()
            .filter_map(|r| r.try_get::<_, i64>(1).ok().map(id))
            .fold(now_ms, u64::max);
        Reserved {
            agents: agents
                .iter()
                .copied()
                .filter(|a| taken.contains(a))
                .collect(),
            at_ms,
        }
    }

    fn release(&self, agent: AgentId, call: CallRef, now_ms: u64) -> bool {
        let (agent, call, now) = (db(agent), db(call), db(now_ms));
        let n = super::write_lazily(&self.lazy, async |conn| {
            let st = conn
                .prepared(
                    "UPDATE agent_live SET company = NULL, call_ref = NULL, phase = NULL,
                         phase_ms = NULL, node = NULL,
                         free_since_ms = GREATEST(free_since_ms, $3)
                     WHERE agent = $1 AND call_ref = $2 AND phase = 0",
                )
                .await?;
            conn.client().execute(&st, &[&agent, &call, &now]).await
        });
        self.or("release", n, 0) == 1
    }

    fn connect(&self, agent: AgentId, call: CallRef, now_ms: u64) -> Result<(), RegistryError> {
        let (agent_db, call, now) = (db(agent), db(call), db(now_ms));
        let n = super::write_lazily(&self.lazy, async |conn| {
            let st = conn
                .prepared(
                    "UPDATE agent_live SET phase = 1, phase_ms = $3
                     WHERE agent = $1 AND call_ref = $2 AND phase = 0",
                )
                .await?;
            conn.client().execute(&st, &[&agent_db, &call, &now]).await
        });
        match self.or("connect", n, 0) {
            1 => Ok(()),
            _ => Err(RegistryError::NotOffered(agent)),
        }
    }

    fn end(
        &self,
        agent: AgentId,
        call: CallRef,
        now_ms: u64,
        wrap_up_ms: u64,
        local_day: i32,
    ) -> Result<u64, RegistryError> {
        let (agent_db, call, now, wrap) = (db(agent), db(call), db(now_ms), db(wrap_up_ms));
        let talk = super::write_lazily(&self.lazy, async |conn| {
            // The old row (company, answered at) and the change, in one statement.
            let st = conn
                .prepared(
                    "WITH old AS (SELECT agent, company, phase_ms FROM agent_live
                                  WHERE agent = $1 AND call_ref = $2 AND phase = 1 FOR UPDATE),
                     ended AS (
                         UPDATE agent_live a SET
                             company = CASE WHEN $4::BIGINT = 0 THEN NULL ELSE a.company END,
                             call_ref = CASE WHEN $4::BIGINT = 0 THEN NULL ELSE a.call_ref END,
                             phase = CASE WHEN $4::BIGINT = 0 THEN NULL ELSE 2 END,
                             phase_ms = CASE WHEN $4::BIGINT = 0 THEN NULL
                                 ELSE $3::BIGINT + $4::BIGINT END,
                             node = CASE WHEN $4::BIGINT = 0 THEN NULL ELSE a.node END,
                             free_since_ms = CASE WHEN $4::BIGINT = 0
                                 THEN GREATEST(a.free_since_ms, $3) ELSE a.free_since_ms END
                         FROM old WHERE a.agent = old.agent
                         RETURNING old.company, GREATEST($3::BIGINT - old.phase_ms, 0) AS talk),
                     counted AS (
                         INSERT INTO agent_day (company, agent, day, calls, talk_ms)
                         SELECT company, $1, $5::INT, 1, talk FROM ended
                         ON CONFLICT (company, agent) DO UPDATE SET
                             calls = CASE WHEN agent_day.day = EXCLUDED.day
                                 THEN agent_day.calls + 1 ELSE 1 END,
                             talk_ms = CASE WHEN agent_day.day = EXCLUDED.day
                                 THEN agent_day.talk_ms + EXCLUDED.talk_ms
                                 ELSE EXCLUDED.talk_ms END,
                             day = EXCLUDED.day)
                     SELECT talk FROM ended",
                )
                .await?;
            conn.client()
                .query_opt(&st, &[&agent_db, &call, &now, &wrap, &local_day])
                .await
        });
        match self.or("end", talk, None) {
            Some(row) => Ok(id(row.get::<_, i64>(0))),
            None => Err(RegistryError::NotOnCall(agent)),
        }
    }

    fn day_stats(&self, company: CompanyId, agent: AgentId, local_day: i32) -> DayStats {
        self.views(company, &[agent], 0, local_day)
            .first()
            .map(|v| v.stats)
            .unwrap_or_default()
    }

    fn sweep(&self, now_ms: u64, max_call_ms: u64) -> Sweep {
        let (now, max_call) = (db(now_ms), db(max_call_ms));
        let rows = super::write_lazily(&self.lazy, async |conn| {
            // Lapsed offers and ended wrap-ups in one statement, their rows locked in agent
            // order as reservations lock them (two statements would hold the first's locks
            // while taking the second's, out of order).
            let due = conn
                .prepared(
                    "WITH due AS (SELECT agent, call_ref, phase, phase_ms FROM agent_live
                                  WHERE node = $1 AND phase IN (0, 2) AND phase_ms <= $2
                                  ORDER BY agent FOR UPDATE)
                     UPDATE agent_live a SET company = NULL, call_ref = NULL, phase = NULL,
                         phase_ms = NULL, node = NULL,
                         free_since_ms = GREATEST(a.free_since_ms,
                             CASE WHEN due.phase = 0 THEN $2 ELSE due.phase_ms END)
                     FROM due WHERE a.agent = due.agent
                     RETURNING a.agent, due.call_ref, due.phase, a.logged_in",
                )
                .await?;
            let overdue = conn
                .prepared(
                    "SELECT agent, call_ref FROM agent_live
                     WHERE node = $1 AND phase = 1 AND phase_ms + $3 <= $2",
                )
                .await?;
            // One transaction: a retry after a deadlock or serialization failure redoes both,
            // so no row changed by a first try goes unreported.
            let tx = conn.client().transaction().await?;
            let node = self.node;
            let found = (
                tx.query(&due, &[&node, &now]).await?,
                tx.query(&overdue, &[&node, &now, &max_call]).await?,
            );
            tx.commit().await?;
            Ok(found)
        });
        let (due, overdue) = self.or("sweep", rows, (Vec::new(), Vec::new()));
        let phase = |r: &&Row| r.try_get::<_, i16>(2).unwrap_or(-1);
        fn pairs<'a>(rows: impl Iterator<Item = &'a Row>) -> Vec<(AgentId, CallRef)> {
            let mut v: Vec<_> = rows
                .filter_map(|r| Some((id(r.try_get(0).ok()?), id(r.try_get(1).ok()?))))
                .collect();
            v.sort_unstable();
            v
        }
        let mut freed: Vec<AgentId> = due
            .iter()
            .filter(|r| phase(r) == 2 && r.try_get::<_, bool>(3).unwrap_or(false))
            .filter_map(|r| r.try_get::<_, i64>(0).ok().map(id))
            .collect();
        freed.sort_unstable();
        Sweep {
            lapsed_offers: pairs(due.iter().filter(|r| phase(r) == 0)),
            freed,
            overdue: pairs(overdue.iter()),
        }
    }

    fn may_act(&self) -> bool {
        self.standing.may_act()
    }

    fn freed_elsewhere(&self) -> bool {
        let latest = self.pg.run(async |conn| {
            let st = conn
                .prepared("SELECT coalesce(max(free_since_ms), 0) FROM agent_live WHERE logged_in")
                .await?;
            conn.client()
                .query_one(&st, &[])
                .await?
                .try_get::<_, i64>(0)
        });
        match latest {
            Ok(latest) => self.freed_mark.fetch_max(latest, Ordering::AcqRel) < latest,
            Err(e) => {
                tracing::debug!(error = %e, "could not read when agents became free");
                false
            }
        }
    }

    fn take_failure(&self) -> Option<StoreError> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}
