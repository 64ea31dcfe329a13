//! Live state of every agent across all companies: logged in or not, and the one call (if any)
//! it is offered, connected to or wrapping up. This is where "one live call at a time across all
//! companies" is enforced: every change happens under one lock, so two calls in two companies
//! can never both reserve the same agent. Every change is staged in the live-state journal
//! under that same lock, so the journal sees the agents' changes in the order they happened.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use switchyard_runtime::Presence;

use super::journal::{LiveChange, LiveJournal};

/// An agent (one person across all its companies).
pub type AgentId = u64;
/// A company (tenant).
pub type CompanyId = u64;
/// The host's own handle of a live call (telephony call ids are only unique per platform).
pub type CallRef = u64;

/// What an agent is doing for one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Being offered (ringing) until `expires_at_ms` unless answered or released before.
    Offered {
        /// When the offer lapses if no outcome arrives (ring timeout plus grace).
        expires_at_ms: u64,
    },
    /// Connected to the call since `since_ms`.
    OnCall {
        /// When the agent answered.
        since_ms: u64,
    },
    /// After-call work in the call's company until `until_ms`.
    WrapUp {
        /// When the agent becomes free again.
        until_ms: u64,
    },
}

/// The single call an agent is engaged with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Engagement {
    /// Company of the call.
    pub company: CompanyId,
    /// The call.
    pub call: CallRef,
    /// Offered, on the call, or wrapping up.
    pub phase: Phase,
}

/// Live state of one agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AgentLive {
    /// Logged in to the agent app (globally, not per company).
    pub logged_in: bool,
    /// When the agent last became free (login, end of wrap-up, withdrawn offer).
    pub free_since_ms: u64,
    /// The one call the agent is engaged with, if any.
    pub engagement: Option<Engagement>,
}

impl AgentLive {
    /// Free to be offered a call at `now_ms`.
    fn is_free(&self, now_ms: u64) -> bool {
        self.logged_in
            && match self.engagement {
                None => true,
                Some(Engagement {
                    phase: Phase::WrapUp { until_ms },
                    ..
                }) => until_ms <= now_ms,
                Some(_) => false,
            }
    }
}

/// Per company and agent: work done today (company-local day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DayStats {
    /// Company-local day number (days since the unix epoch in the company's zone).
    pub day: i32,
    /// Calls answered that day.
    pub calls: u32,
    /// Talk time that day, milliseconds.
    pub talk_ms: u64,
}

/// Why a reservation or transition was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// The agent is not being offered this call (late or duplicate event).
    #[error("agent {0} is not being offered this call")]
    NotOffered(AgentId),
    /// The agent is not on this call.
    #[error("agent {0} is not on this call")]
    NotOnCall(AgentId),
}

/// What [`Registry::sweep`] changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Offers that lapsed without an outcome: (agent, call).
    pub lapsed_offers: Vec<(AgentId, CallRef)>,
    /// Agents whose wrap-up ended and who are free again.
    pub freed: Vec<AgentId>,
    /// Connected calls older than the maximum call duration: (agent, call).
    pub overdue: Vec<(AgentId, CallRef)>,
}

/// The agents [`Registry::reserve`] reserved, and the time it reserved them at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserved {
    /// Agents now offered the call, in the order asked.
    pub agents: Vec<AgentId>,
    /// When they were reserved (unix ms): never before any earlier change of the registry.
    pub at_ms: u64,
}

/// Live state of all agents, behind one lock.
pub struct Registry {
    inner: Mutex<Inner>,
    journal: Arc<dyn LiveJournal>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
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

impl Registry {
    /// An empty registry whose changes are kept nowhere (unit tests).
    #[cfg(test)]
    pub fn new() -> Self {
        Self::with_journal(Arc::new(super::journal::Volatile::default()))
    }

    /// An empty registry staging its changes in `journal`.
    pub fn with_journal(journal: Arc<dyn LiveJournal>) -> Self {
        Self {
            inner: Mutex::default(),
            journal,
        }
    }

    /// Put back agents' live state and counters read from the journal (at start-up).
    pub fn restore(
        &self,
        agents: impl IntoIterator<Item = (AgentId, AgentLive)>,
        stats: impl IntoIterator<Item = ((CompanyId, AgentId), DayStats)>,
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
    pub fn snapshot(&self) -> Vec<(AgentId, AgentLive)> {
        let inner = self.lock();
        let mut v: Vec<_> = inner.agents.iter().map(|(a, l)| (*a, *l)).collect();
        v.sort_unstable_by_key(|(a, _)| *a);
        v
    }

    /// Replace an agent's engagement while restoring (no checks: the caller reconciles the
    /// journal's agents with its calls).
    pub fn set_engagement(&self, agent: AgentId, engagement: Option<Engagement>) {
        let mut inner = self.lock();
        inner.agents.entry(agent).or_default().engagement = engagement;
        self.stage(&inner, &[agent], None);
    }

    /// Free `agent` from its engagement in `company`, whatever its phase (an administrator
    /// releasing a stuck agent). Returns the engagement it had.
    pub fn force_release(
        &self,
        agent: AgentId,
        company: CompanyId,
        now_ms: u64,
    ) -> Option<Engagement> {
        let mut inner = self.lock();
        let now_ms = inner.stamp(now_ms);
        let live = inner.agents.get_mut(&agent)?;
        let engagement = live.engagement.filter(|e| e.company == company)?;
        live.engagement = None;
        live.free_since_ms = now_ms;
        self.stage(&inner, &[agent], None);
        Some(engagement)
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

    /// Log the agent in or out of the agent app. Logging out while offered releases the offer;
    /// an agent on a call stays on it until the call ends.
    pub fn set_logged_in(&self, agent: AgentId, logged_in: bool, now_ms: u64) -> Option<CallRef> {
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
    pub fn get(&self, agent: AgentId) -> AgentLive {
        self.lock().agents.get(&agent).copied().unwrap_or_default()
    }

    /// How `company` sees the agent at `now_ms`: another company's work is only ever
    /// `busy-elsewhere`, with no detail.
    pub fn presence(&self, company: CompanyId, agent: AgentId, now_ms: u64) -> (Presence, u64) {
        let inner = self.lock();
        let live = inner.agents.get(&agent).copied().unwrap_or_default();
        presence_of(&live, company, now_ms)
    }

    /// Presence and idle time for many agents under one lock.
    pub fn presences(
        &self,
        company: CompanyId,
        agents: &[AgentId],
        now_ms: u64,
    ) -> Vec<(Presence, u64)> {
        let inner = self.lock();
        agents
            .iter()
            .map(|a| {
                presence_of(
                    &inner.agents.get(a).copied().unwrap_or_default(),
                    company,
                    now_ms,
                )
            })
            .collect()
    }

    /// Atomically offer `call` to as many of `agents` as are free, in order; returns those
    /// reserved and when. No agent is ever reserved for two calls.
    pub fn reserve(
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
    pub fn release(&self, agent: AgentId, call: CallRef, now_ms: u64) -> bool {
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
    pub fn connect(&self, agent: AgentId, call: CallRef, now_ms: u64) -> Result<(), RegistryError> {
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
    pub fn end(
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

    /// Today's counters of `agent` in `company` (zero if the day changed).
    pub fn day_stats(&self, company: CompanyId, agent: AgentId, local_day: i32) -> DayStats {
        let inner = self.lock();
        match inner.stats.get(&(company, agent)) {
            Some(s) if s.day == local_day => *s,
            _ => DayStats {
                day: local_day,
                ..DayStats::default()
            },
        }
    }

    /// Expire lapsed offers and finished wrap-ups at `now_ms`, and report connected calls
    /// that started `max_call_ms` or longer ago (they stay connected: the caller ends them).
    pub fn sweep(&self, now_ms: u64, max_call_ms: u64) -> Sweep {
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

/// Presence and idle milliseconds of `live` as seen by `company`.
fn presence_of(live: &AgentLive, company: CompanyId, now_ms: u64) -> (Presence, u64) {
    let idle = now_ms.saturating_sub(live.free_since_ms);
    match live.engagement {
        Some(Engagement {
            phase: Phase::WrapUp { until_ms },
            ..
        }) if until_ms <= now_ms => {
            if live.logged_in {
                (Presence::Idle, now_ms.saturating_sub(until_ms))
            } else {
                (Presence::LoggedOut, 0)
            }
        }
        Some(e) if e.company != company => (Presence::BusyElsewhere, 0),
        Some(Engagement {
            phase: Phase::Offered { .. },
            ..
        }) => (Presence::Ringing, 0),
        Some(Engagement {
            phase: Phase::OnCall { .. },
            ..
        }) => (Presence::OnCall, 0),
        Some(Engagement {
            phase: Phase::WrapUp { .. },
            ..
        }) => (Presence::WrapUp, 0),
        None if live.logged_in => (Presence::Idle, idle),
        None => (Presence::LoggedOut, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: CompanyId = 1;
    const B: CompanyId = 2;

    fn registry_with(agents: &[AgentId]) -> Registry {
        let r = Registry::new();
        for a in agents {
            r.set_logged_in(*a, true, 0);
        }
        r
    }

    #[test]
    fn an_agent_is_reserved_by_one_call_only() {
        let r = registry_with(&[7]);
        assert_eq!(r.reserve(A, 100, &[7], 10, &[1_000]).agents, vec![7]);
        assert!(r.reserve(B, 200, &[7], 11, &[1_000]).agents.is_empty());
        assert_eq!(r.presence(A, 7, 12).0, Presence::Ringing);
        assert_eq!(r.presence(B, 7, 12).0, Presence::BusyElsewhere);
    }

    #[test]
    fn logged_out_agents_are_not_reserved() {
        let r = registry_with(&[]);
        assert!(r.reserve(A, 1, &[9], 0, &[10]).agents.is_empty());
        assert_eq!(r.presence(A, 9, 0).0, Presence::LoggedOut);
    }

    #[test]
    fn answer_end_and_wrap_up_then_free() {
        let r = registry_with(&[7]);
        r.reserve(A, 100, &[7], 0, &[20_000]);
        r.connect(7, 100, 1_000).unwrap();
        assert_eq!(r.presence(B, 7, 1_500).0, Presence::BusyElsewhere);
        assert_eq!(r.end(7, 100, 61_000, 5_000, 3).unwrap(), 60_000);
        assert_eq!(r.presence(A, 7, 62_000).0, Presence::WrapUp);
        assert_eq!(r.presence(B, 7, 62_000).0, Presence::BusyElsewhere);
        assert!(r.reserve(B, 200, &[7], 62_000, &[70_000]).agents.is_empty());
        // Wrap-up over: free for either company.
        assert_eq!(r.presence(B, 7, 66_000).0, Presence::Idle);
        assert_eq!(r.reserve(B, 200, &[7], 66_000, &[90_000]).agents, vec![7]);
        let stats = r.day_stats(A, 7, 3);
        assert_eq!((stats.calls, stats.talk_ms), (1, 60_000));
        assert_eq!(r.day_stats(A, 7, 4).calls, 0, "a new day starts from zero");
        assert_eq!(r.day_stats(B, 7, 3).calls, 0, "B's counters are B's own");
    }

    #[test]
    fn a_late_answer_for_a_released_offer_is_refused() {
        let r = registry_with(&[7]);
        r.reserve(A, 100, &[7], 0, &[20_000]);
        assert!(r.release(7, 100, 5));
        assert_eq!(r.connect(7, 100, 6), Err(RegistryError::NotOffered(7)));
        assert!(!r.release(7, 100, 7), "releasing twice is a no-op");
    }

    #[test]
    fn a_change_with_an_earlier_clock_reading_is_stamped_after_the_previous_one() {
        let r = registry_with(&[7]);
        r.reserve(A, 100, &[7], 1_000, &[20_000]);
        r.connect(7, 100, 1_010).unwrap();
        // The call ends at 1 020; another request read the clock at 1 015 before it got the
        // lock: its offer is stamped 1 020, not before the end of the previous call.
        r.end(7, 100, 1_020, 0, 3).unwrap();
        let next = r.reserve(B, 200, &[7], 1_015, &[30_000]);
        assert_eq!(next.agents, vec![7]);
        assert_eq!(next.at_ms, 1_020);
    }

    #[test]
    fn lapsed_offers_are_swept() {
        let r = registry_with(&[7, 8]);
        r.reserve(A, 100, &[7, 8], 0, &[1_000, 5_000]);
        let sweep = r.sweep(2_000, u64::MAX);
        assert_eq!(sweep.lapsed_offers, vec![(7, 100)]);
        assert_eq!(r.presence(A, 7, 2_000).0, Presence::Idle);
        assert_eq!(r.presence(A, 8, 2_000).0, Presence::Ringing);
    }

    #[test]
    fn logging_out_releases_an_offer_but_not_a_call() {
        let r = registry_with(&[7, 8]);
        r.reserve(A, 100, &[7], 0, &[10_000]);
        assert_eq!(r.set_logged_in(7, false, 1), Some(100));
        r.reserve(A, 101, &[8], 0, &[10_000]);
        r.connect(8, 101, 1).unwrap();
        assert_eq!(r.set_logged_in(8, false, 2), None);
        assert_eq!(r.presence(A, 8, 3).0, Presence::OnCall);
    }

    #[test]
    fn concurrent_reservations_never_double_book() {
        use std::sync::Arc;
        let r = Arc::new(registry_with(&(1..=5).collect::<Vec<_>>()));
        let handles: Vec<_> = (0..8u64)
            .map(|t| {
                let r = Arc::clone(&r);
                std::thread::spawn(move || {
                    let mut won = Vec::new();
                    for i in 0..200u64 {
                        let call = t * 1_000 + i;
                        let got = r
                            .reserve(t % 3, call, &[1, 2, 3, 4, 5], 0, &[u64::MAX; 5])
                            .agents;
                        for a in &got {
                            assert!(r.release(*a, call, 0));
                        }
                        won.extend(got.into_iter().map(|a| (a, call)));
                    }
                    won
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        for a in 1..=5 {
            assert_eq!(r.get(a).engagement, None);
        }
    }
}
