//! [`LocalAgents`]: agents' live state in this process's memory, behind one lock, every change
//! staged in the live-state journal under that same lock (so the journal sees the agents'
//! changes in the order they happened). "One live call at a time across all companies" holds
//! because every change happens under the lock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::super::agent_state::presence_of;
use super::super::journal::{LiveChange, LiveJournal};
use super::{
    AgentBook, AgentId, AgentLive, AgentView, CallRef, CompanyId, DayStats, Engagement, Phase,
    RegistryError, Reserved, Sweep,
};

/// Live state of all agents in this process's memory, behind one lock (the embedded
/// store, or a single serving node on PostgreSQL).
pub struct LocalAgents {
    inner: Mutex<Inner>,
    journal: Arc<dyn LiveJournal>,
}

impl std::fmt::Debug for LocalAgents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalAgents").finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct Inner {
    agents: HashMap<AgentId, AgentLive>,
    stats: HashMap<(CompanyId, AgentId), DayStats>,
    /// Time of the latest change. Callers read the clock before they wait for the lock, so a
    /// change may arrive with an earlier time than the one before it; changes are stamped no
    /// earlier than this, so their times follow the order they happened in (an agent's next
    /// offer never appears to start before its previous call ended).
    clock_ms: u64,
}

impl Inner {
    /// The time to stamp a change made now: `now_ms`, or the latest change's time if later.
    fn stamp(&mut self, now_ms: u64) -> u64 {
        self.clock_ms = self.clock_ms.max(now_ms);
        self.clock_ms
    }
}

impl LocalAgents {
    /// An empty registry staging its changes in `journal`.
    pub fn with_journal(journal: Arc<dyn LiveJournal>) -> Self {
        Self {
            inner: Mutex::default(),
            journal,
        }
    }

    /// Stage the current state of `agents` (and one counter) in the journal, under the lock.
    fn stage(&self, inner: &Inner, agents: &[AgentId], stats: Option<(CompanyId, AgentId)>) {
        let mut changes: Vec<LiveChange> = agents
            .iter()
            .map(|a| LiveChange::Agent(*a, inner.agents.get(a).copied().unwrap_or_default()))
            .collect();
        if let Some(key) = stats
            && let Some(s) = inner.stats.get(&key)
        {
            changes.push(LiveChange::Stats(key.0, key.1, *s));
        }
        if changes.is_empty() {
            return;
        }
        if let Err(e) = self.journal.stage(&mut changes) {
            tracing::error!(error = %e, "could not stage agents' live state");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-applied change (every method
        // mutates in one step), so a poisoned lock is safe to keep using.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl AgentBook for LocalAgents {
    /// Put back agents' live state and counters read from the journal (at start-up).
    fn restore(
        &self,
        agents: Vec<(AgentId, AgentLive)>,
        stats: Vec<((CompanyId, AgentId), DayStats)>,
    ) {
        let mut inner = self.lock();
        inner.agents.extend(agents);
        inner.stats.extend(stats);
        let latest = inner
            .agents
            .values()
            .map(|a| a.free_since_ms)
            .max()
            .unwrap_or(0);
        inner.clock_ms = inner.clock_ms.max(latest);
    }

    /// Every agent's live state (for reconciling restored calls).
    fn snapshot(&self) -> Vec<(AgentId, AgentLive)> {
        let inner = self.lock();
        let mut v: Vec<_> = inner.agents.iter().map(|(a, l)| (*a, *l)).collect();
        v.sort_unstable_by_key(|(a, _)| *a);
        v
    }

    /// Replace an agent's engagement while restoring (no checks: the caller reconciles the
    /// journal's agents with its calls).
    /// Freed at `now_ms` when `engagement` is `None`.
    fn set_engagement(&self, agent: AgentId, engagement: Option<Engagement>, now_ms: u64) {
        let mut inner = self.lock();
        let live = inner.agents.entry(agent).or_default();
        if engagement.is_none() && live.engagement.is_some() {
            live.free_since_ms = live.free_since_ms.max(now_ms);
        }
        live.engagement = engagement;
        self.stage(&inner, &[agent], None);
    }

    /// Free `agent` from its engagement in `company`, whatever its phase (an administrator
    /// releasing a stuck agent). Returns the engagement it had.
    fn force_release(
        &self,
        agent: AgentId,
        company: CompanyId,
        call: CallRef,
        now_ms: u64,
    ) -> Option<Engagement> {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let live = inner.agents.get_mut(&agent)?;
        let engagement = live
            .engagement
            .filter(|e| e.company == company && e.call == call)?;
        live.engagement = None;
        live.free_since_ms = now_ms;
        self.stage(&inner, &[agent], None);
        Some(engagement)
    }

    /// Log the agent in or out of the agent app. Logging out while offered releases the offer;
    /// an agent on a call stays on it until the call ends.
    fn set_logged_in(&self, agent: AgentId, logged_in: bool, now_ms: u64) -> Option<CallRef> {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let live = inner.agents.entry(agent).or_default();
        let mut released = None;
        if logged_in && !live.logged_in {
            live.free_since_ms = now_ms;
        }
        if !logged_in
            && let Some(Engagement {
                call,
                phase: Phase::Offered { .. },
                ..
            }) = live.engagement
        {
            live.engagement = None;
            released = Some(call);
        }
        live.logged_in = logged_in;
        self.stage(&inner, &[agent], None);
        released
    }

    /// A copy of the agent's live state.
    fn get(&self, agent: AgentId) -> AgentLive {
        self.lock().agents.get(&agent).copied().unwrap_or_default()
    }

    fn views(
        &self,
        company: CompanyId,
        agents: &[AgentId],
        now_ms: u64,
        local_day: i32,
    ) -> Vec<AgentView> {
        let inner = self.lock();
        agents
            .iter()
            .map(|a| {
                let (presence, idle_ms) = presence_of(
                    &inner.agents.get(a).copied().unwrap_or_default(),
                    company,
                    now_ms,
                );
                AgentView {
                    presence,
                    idle_ms,
                    stats: today(inner.stats.get(&(company, *a)), local_day),
                }
            })
            .collect()
    }

    /// Atomically offer `call` to as many of `agents` as are free, in order; returns those
    /// reserved and when. No agent is ever reserved for two calls.
    fn reserve(
        &self,
        company: CompanyId,
        call: CallRef,
        agents: &[AgentId],
        now_ms: u64,
        expires_at_ms: &[u64],
    ) -> Reserved {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let mut reserved = Vec::with_capacity(agents.len());
        for (i, agent) in agents.iter().enumerate() {
            let Some(live) = inner.agents.get_mut(agent) else {
                continue;
            };
            if !live.is_free(now_ms) {
                continue;
            }
            let expires = expires_at_ms.get(i).copied().unwrap_or(now_ms);
            live.engagement = Some(Engagement {
                company,
                call,
                phase: Phase::Offered {
                    expires_at_ms: expires,
                },
            });
            reserved.push(*agent);
        }
        self.stage(&inner, &reserved, None);
        Reserved {
            agents: reserved,
            at_ms: now_ms,
        }
    }

    /// Withdraw `call`'s offer to `agent` (declined, no answer, withdrawn). Returns whether the
    /// agent was offered this call.
    fn release(&self, agent: AgentId, call: CallRef, now_ms: u64) -> bool {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let Some(live) = inner.agents.get_mut(&agent) else {
            return false;
        };
        match live.engagement {
            Some(Engagement {
                call: c,
                phase: Phase::Offered { .. },
                ..
            }) if c == call => {
                live.engagement = None;
                live.free_since_ms = now_ms;
                self.stage(&inner, &[agent], None);
                true
            }
            _ => false,
        }
    }

    /// `agent` answered `call`: it is now on the call.
    fn connect(&self, agent: AgentId, call: CallRef, now_ms: u64) -> Result<(), RegistryError> {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let live = inner
            .agents
            .get_mut(&agent)
            .ok_or(RegistryError::NotOffered(agent))?;
        match live.engagement {
            Some(Engagement {
                call: c,
                company,
                phase: Phase::Offered { .. },
            }) if c == call => {
                live.engagement = Some(Engagement {
                    company,
                    call,
                    phase: Phase::OnCall { since_ms: now_ms },
                });
                self.stage(&inner, &[agent], None);
                Ok(())
            }
            _ => Err(RegistryError::NotOffered(agent)),
        }
    }

    /// `call` ended for `agent`: wrap-up starts (for `wrap_up_ms`), today's counters move.
    /// Returns the talk time in milliseconds.
    fn end(
        &self,
        agent: AgentId,
        call: CallRef,
        now_ms: u64,
        wrap_up_ms: u64,
        local_day: i32,
    ) -> Result<u64, RegistryError> {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let live = inner
            .agents
            .get_mut(&agent)
            .ok_or(RegistryError::NotOnCall(agent))?;
        let (company, since_ms) = match live.engagement {
            Some(Engagement {
                call: c,
                company,
                phase: Phase::OnCall { since_ms },
            }) if c == call => (company, since_ms),
            _ => return Err(RegistryError::NotOnCall(agent)),
        };
        let talk_ms = now_ms.saturating_sub(since_ms);
        if wrap_up_ms == 0 {
            live.engagement = None;
            live.free_since_ms = now_ms;
        } else {
            live.engagement = Some(Engagement {
                company,
                call,
                phase: Phase::WrapUp {
                    until_ms: now_ms + wrap_up_ms,
                },
            });
        }
        let stats = inner.stats.entry((company, agent)).or_default();
        if stats.day != local_day {
            *stats = DayStats {
                day: local_day,
                ..DayStats::default()
            };
        }
        stats.calls += 1;
        stats.talk_ms += talk_ms;
        self.stage(&inner, &[agent], Some((company, agent)));
        Ok(talk_ms)
    }

    fn day_stats(&self, company: CompanyId, agent: AgentId, local_day: i32) -> DayStats {
        today(self.lock().stats.get(&(company, agent)), local_day)
    }

    /// Expire lapsed offers and finished wrap-ups at `now_ms`, and report connected calls
    /// that started `max_call_ms` or longer ago (they stay connected: the caller ends them).
    fn sweep(&self, now_ms: u64, max_call_ms: u64) -> Sweep {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let mut out = Sweep::default();
        let mut changed = Vec::new();
        for (agent, live) in inner.agents.iter_mut() {
            match live.engagement {
                Some(Engagement {
                    call,
                    phase: Phase::Offered { expires_at_ms },
                    ..
                }) if expires_at_ms <= now_ms => {
                    live.engagement = None;
                    live.free_since_ms = now_ms;
                    out.lapsed_offers.push((*agent, call));
                    changed.push(*agent);
                }
                Some(Engagement {
                    phase: Phase::WrapUp { until_ms },
                    ..
                }) if until_ms <= now_ms => {
                    live.engagement = None;
                    live.free_since_ms = until_ms;
                    if live.logged_in {
                        out.freed.push(*agent);
                    }
                    changed.push(*agent);
                }
                Some(Engagement {
                    call,
                    phase: Phase::OnCall { since_ms },
                    ..
                }) if since_ms.saturating_add(max_call_ms) <= now_ms => {
                    out.overdue.push((*agent, call));
                }
                _ => {}
            }
        }
        self.stage(&inner, &changed, None);
        out.lapsed_offers.sort_unstable();
        out.freed.sort_unstable();
        out.overdue.sort_unstable();
        out
    }
}

/// Counters of `local_day` from `stats` (zero when they are of another day).
fn today(stats: Option<&DayStats>, local_day: i32) -> DayStats {
    match stats {
        Some(s) if s.day == local_day => *s,
        _ => DayStats {
            day: local_day,
            ..DayStats::default()
        },
    }
}
