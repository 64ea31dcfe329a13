//! Restoring live state at start-up: agents, counters and live calls come back from the
//! journal, are reconciled with each other (a crash may fall between the agents' change and the
//! call's), and deadlines that passed while the service was down are acted on at once, their
//! instructions pushed to the platform's stream.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use switchyard_directory::AgentId;

use super::center::{CallCenter, CallError, lock_call};
use super::live::{LiveCall, Stage};
use super::log::{CallOutcome, OfferOutcome};
use super::queue::Waiting;
use super::registry::{AgentLive, CallRef, Engagement, Phase};

/// What reconciling one restored call did.
enum Repair {
    /// Nothing to repair.
    None,
    /// Changed: stage it again.
    Staged,
    /// Its `ended` reached the agent's record but not the log: finish it, ended at this time.
    Ended(u64),
}

/// What a restore brought back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Restored {
    /// Agents with live state.
    pub agents: usize,
    /// Live calls.
    pub calls: usize,
    /// Agents or calls whose records disagreed and were repaired.
    pub repaired: usize,
}

impl CallCenter {
    /// Bring live state back from the journal, reconcile it, and act on what fell due while
    /// the service was down (lapsed offers, wrap-ups, queue timeouts, overlong calls).
    pub fn restore(&self, now_ms: u64) -> Result<Restored, CallError> {
        let snapshot = self.journal.load()?;
        let restored: Vec<CallRef> = snapshot.calls.iter().map(|(c, _)| c.call_ref).collect();
        self.journal.prune_claims(&restored)?;
        self.bring_back(snapshot, now_ms, None)
    }

    /// Carry on `calls`, a node's that stopped answering, whose claims and engaged agents this
    /// node (of a cluster) took over: they are restored, reconciled and acted on as at
    /// start-up, beside this call flow's own live calls. Calls already live here are left as
    /// they are, so adopting again after a failure is safe.
    pub fn adopt(&self, calls: &HashSet<CallRef>, now_ms: u64) -> Result<Restored, CallError> {
        let mut snapshot = self.journal.load()?;
        snapshot.agents.clear();
        snapshot.stats.clear();
        snapshot
            .calls
            .retain(|(c, _)| calls.contains(&c.call_ref) && self.live_by_ref(c.call_ref).is_none());
        self.bring_back(snapshot, now_ms, Some(calls))
    }

    /// Restores `snapshot`; `only`: the calls whose agents may be repaired (all when `None`).
    fn bring_back(
        &self,
        snapshot: super::journal::LiveSnapshot,
        now_ms: u64,
        only: Option<&HashSet<CallRef>>,
    ) -> Result<Restored, CallError> {
        let mut report = Restored {
            agents: snapshot.agents.len(),
            calls: snapshot.calls.len(),
            repaired: 0,
        };
        self.registry.restore(snapshot.agents, snapshot.stats);
        let agents: HashMap<AgentId, AgentLive> = self.registry.snapshot().into_iter().collect();
        let mut calls: Vec<LiveCall> = snapshot
            .calls
            .into_iter()
            .map(|(stored, decisions)| stored.into_live(decisions))
            .collect();
        calls.sort_by_key(|c| c.call_ref);
        let mut stalled = Vec::new();
        let mut ended = Vec::new();
        for call in &mut calls {
            match self.reconcile_call(call, &agents, now_ms) {
                Repair::None => {}
                Repair::Staged => {
                    report.repaired += 1;
                    self.stage_call(call);
                }
                Repair::Ended(at_ms) => {
                    report.repaired += 1;
                    ended.push((call.call_ref, at_ms));
                }
            }
            if call.stage == Stage::Ringing && call.ringing.is_empty() {
                stalled.push(call.call_ref);
            }
        }
        // The agent's side of an `ended` is on disk but the log is not: finish those calls
        // now, with the talk time the agent's counters already have.
        for (call_ref, at_ms) in ended {
            if let Some(call) = calls.iter_mut().find(|c| c.call_ref == call_ref) {
                call.log.talk_ms = at_ms.saturating_sub(call.answered_ms.unwrap_or(at_ms));
                if let Err(e) = self.finish(call, CallOutcome::Answered, at_ms) {
                    tracing::error!(error = %e, call = %call.call_id, "could not log a restored call");
                }
            }
        }
        calls.retain(|c| c.stage != Stage::Finished);
        report.repaired += self.free_orphans(&calls, now_ms, only);
        for call in calls {
            if let Some(w) = call.waiting {
                self.queues.push(w);
            }
            if !self.admit(&Arc::new(Mutex::new(call)))? {
                report.repaired += 1;
            }
        }
        // Calls left ringing nobody (their offers were never acknowledged) move on now.
        for call_ref in stalled {
            let Some(shared) = self.live_by_ref(call_ref) else {
                continue;
            };
            let mut call = lock_call(&shared);
            let instruction = self.after_offer_failed(&mut call, now_ms);
            match self.conclude(&mut call, instruction, now_ms) {
                Ok(update) => self.publish(&call, update, true),
                Err(e) => tracing::error!(error = %e, "could not move a restored call on"),
            }
        }
        self.commit()?;
        self.sweep(now_ms)?;
        // Agents freed by the repairs may serve waiting calls.
        self.dispatch_all(now_ms);
        self.commit()?;
        Ok(report)
    }

    /// Make a restored call agree with the agents' records, which are staged first in every
    /// use case and so are never older than the call's.
    fn reconcile_call(
        &self,
        call: &mut LiveCall,
        agents: &HashMap<AgentId, AgentLive>,
        now_ms: u64,
    ) -> Repair {
        match call.stage {
            Stage::Connected { agent } => self.reconcile_connected(call, agent, agents, now_ms),
            Stage::Ringing | Stage::Queued => self.reconcile_offered(call, agents, now_ms),
            Stage::Finished => Repair::None,
        }
    }

    /// A restored call connected to `agent`: only an `ended` (or a release) takes an agent off
    /// its call, and the call is logged in the same use case, so an agent no longer on it
    /// means the crash fell between the two: the call ended.
    fn reconcile_connected(
        &self,
        call: &LiveCall,
        agent: AgentId,
        agents: &HashMap<AgentId, AgentLive>,
        now_ms: u64,
    ) -> Repair {
        match engagement_with(agents, agent, call) {
            Some(Engagement {
                phase: Phase::OnCall { .. },
                ..
            }) => Repair::None,
            Some(Engagement {
                phase: Phase::WrapUp { until_ms },
                ..
            }) => {
                let wrap_ms = self
                    .roster
                    .company(call.company)
                    .map_or(0, |c| u64::from(c.wrap_up_secs) * 1_000);
                Repair::Ended(until_ms.saturating_sub(wrap_ms))
            }
            _ => {
                let answered = call.answered_ms.unwrap_or(now_ms);
                let free_since = agents.get(&agent).map_or(0, |l| l.free_since_ms);
                let at = if free_since >= answered {
                    free_since
                } else {
                    now_ms
                };
                tracing::warn!(call = %call.call_id, %agent,
                    "restored connected call whose agent left it: logged as ended");
                Repair::Ended(at)
            }
        }
    }

    /// A restored call ringing or queued: answered after it was last staged (its agent is on
    /// it), or with offers whose agents no longer hold them (lapsed), or queued without its
    /// place in the queue.
    fn reconcile_offered(
        &self,
        call: &mut LiveCall,
        agents: &HashMap<AgentId, AgentLive>,
        now_ms: u64,
    ) -> Repair {
        let answered = call
            .tried
            .iter()
            .find_map(|a| match engagement_with(agents, *a, call) {
                Some(Engagement {
                    phase: Phase::OnCall { since_ms },
                    ..
                }) => Some((*a, since_ms)),
                _ => None,
            });
        if let Some((agent, since_ms)) = answered {
            self.connect_restored(call, agent, since_ms, now_ms);
            return Repair::Staged;
        }
        let before = call.ringing.len();
        let lost: Vec<AgentId> = call
            .ringing
            .iter()
            .copied()
            .filter(|a| {
                !matches!(
                    engagement_with(agents, *a, call),
                    Some(Engagement {
                        phase: Phase::Offered { .. },
                        ..
                    })
                )
            })
            .collect();
        for agent in &lost {
            call.log.close_offer(*agent, OfferOutcome::Lapsed, now_ms);
        }
        call.ringing.retain(|a| !lost.contains(a));
        let mut changed = call.ringing.len() != before;
        if call.stage == Stage::Queued && call.waiting.is_none() {
            call.waiting = Some(Waiting {
                call: call.call_ref,
                company: call.company,
                department: call.department,
                priority: 0,
                since_ms: now_ms,
                deadline_ms: now_ms,
            });
            changed = true;
        }
        if changed {
            Repair::Staged
        } else {
            Repair::None
        }
    }

    /// A restored call that `agent` answered at `since_ms` (after it was last staged): its
    /// other offers withdrawn, the call connected.
    fn connect_restored(&self, call: &mut LiveCall, agent: AgentId, since_ms: u64, now_ms: u64) {
        for other in std::mem::take(&mut call.ringing) {
            if other != agent {
                self.registry.release(other, call.call_ref, now_ms);
                call.log
                    .close_offer(other, OfferOutcome::Withdrawn, since_ms);
            }
        }
        call.log
            .close_offer(agent, OfferOutcome::Answered, since_ms);
        call.stage = Stage::Connected { agent };
        call.answered_ms = Some(since_ms);
        call.plan = None;
        call.waiting = None;
        call.log.answered_by = Some(agent);
        call.log.answered_extension = call
            .log
            .offers
            .iter()
            .rev()
            .find(|o| o.agent_id == agent)
            .map(|o| o.extension.clone());
    }

    /// Agents offered or connected to a call that is not live, or offered a call that does
    /// not list them (the crash fell between the two records): free them.
    /// With `only`, agents engaged with other calls are left alone (they belong to this call
    /// flow's own live calls, which may be changing meanwhile).
    fn free_orphans(
        &self,
        calls: &[LiveCall],
        now_ms: u64,
        only: Option<&HashSet<CallRef>>,
    ) -> usize {
        let by_ref: HashMap<CallRef, &LiveCall> = calls.iter().map(|c| (c.call_ref, c)).collect();
        let connected: HashSet<(CallRef, AgentId)> = calls
            .iter()
            .filter_map(|c| match c.stage {
                Stage::Connected { agent } => Some((c.call_ref, agent)),
                _ => None,
            })
            .collect();
        let mut repaired = 0;
        for (agent, live) in self.registry.snapshot() {
            let Some(e) = live.engagement else { continue };
            if only.is_some_and(|only| !only.contains(&e.call)) {
                continue;
            }
            let orphan = match e.phase {
                Phase::Offered { .. } => by_ref
                    .get(&e.call)
                    .is_none_or(|c| !c.ringing.contains(&agent)),
                Phase::OnCall { .. } => !connected.contains(&(e.call, agent)),
                Phase::WrapUp { .. } => false,
            };
            if orphan {
                tracing::warn!(
                    %agent,
                    call = %e.call,
                    "restored agent engaged with no live call: freed"
                );
                self.registry.set_engagement(agent, None, now_ms);
                repaired += 1;
            }
        }
        repaired
    }
}

/// `agent`'s engagement, if it is with `call`.
fn engagement_with(
    agents: &HashMap<AgentId, AgentLive>,
    agent: AgentId,
    call: &LiveCall,
) -> Option<Engagement> {
    agents
        .get(&agent)
        .and_then(|l| l.engagement)
        .filter(|e| e.call == call.call_ref)
}
