//! Serving queues and expiring what lapsed: when agents become free, the waiting calls they
//! could take are tried in serving order (priority, then oldest, across all companies sharing
//! them); a periodic sweep releases offers nobody reported on, ends wrap-ups, sends calls
//! whose queue wait ran out back to the overflow rules with `queue-timeout`, and ends
//! connected calls that outlived the maximum call duration as `expired`.

use super::registry::CallRef;
use std::sync::Arc;
use std::time::Duration;
use switchyard_directory::AgentId;
use switchyard_directory::{CompanyId, DepartmentId};

use switchyard_runtime::OverflowReason;

use super::center::{CallCenter, CallError, lock_call};
use super::clock::now_ms;
use super::instruction::Instruction;
use super::live::Stage;
use super::log::{CallOutcome, OfferOutcome};
use super::queue::Waiting;
use super::routing::Start;

/// How often the sweeper runs.
pub const SWEEP_EVERY: Duration = Duration::from_millis(200);

/// Longest a queued call leaves a freed agent to a call ahead of it that another node of a
/// cluster holds (that node offers it within a sweep or two).
pub const DEFER_MS: u64 = 1_000;

impl CallCenter {
    /// Offer waiting calls to `agents`, which just became free. The caller commits.
    pub fn dispatch(&self, agents: &[AgentId], now_ms: u64) {
        if agents.is_empty() {
            return;
        }
        let mut departments = Vec::new();
        for agent in agents {
            departments.extend(self.roster.departments_of(*agent));
        }
        departments.sort_unstable();
        departments.dedup();
        self.serve_waiting(
            self.queues.candidates_for(&departments),
            now_ms,
            Some(&departments),
        );
    }

    /// Try every waiting call once (a safety net for changes that freed agents without an
    /// event, such as a status switched back to available). The caller commits.
    pub fn dispatch_all(&self, now_ms: u64) {
        self.serve_waiting(self.queues.all(), now_ms, None);
    }

    /// Tries `waiting` in order. On a cluster, a call another node holds ahead of one (in
    /// `scope`, the freed agents' departments, or else the call's own) goes first: this
    /// one waits for up to [`DEFER_MS`].
    fn serve_waiting(
        &self,
        waiting: Vec<Waiting>,
        now_ms: u64,
        scope: Option<&[(CompanyId, DepartmentId)]>,
    ) {
        for w in waiting {
            let own = [(w.company, w.department)];
            if self
                .journal
                .queued_ahead(scope.unwrap_or(&own), w.priority, w.since_ms)
                && self.queues.may_defer(w.call, now_ms, DEFER_MS)
            {
                continue;
            }
            let Some(shared) = self.live_by_ref(w.call) else {
                self.queues.remove(w.call);
                continue;
            };
            let mut call = lock_call(&shared);
            if call.stage != Stage::Queued {
                continue;
            }
            let Some(company) = self.roster.company(call.company) else {
                continue;
            };
            if let Ok(Instruction::Ring { mode, targets }) =
                self.route_once(&mut call, &company, now_ms)
            {
                self.queues.remove(call.call_ref);
                call.waiting = None;
                self.metrics
                    .queue_wait(call.company, now_ms.saturating_sub(w.since_ms));
                let instruction = Instruction::Ring { mode, targets };
                match self.conclude(&mut call, instruction, now_ms) {
                    Ok(update) => self.publish(&call, update, true),
                    Err(e) => tracing::error!(error = %e, "could not serve a queued call"),
                }
            } else {
                // Still nobody: stay queued with the same place and deadline.
                call.plan = None;
                call.stage = Stage::Queued;
            }
        }
    }

    /// Release lapsed offers, end finished wrap-ups, time out queued calls and expire calls
    /// connected for longer than the maximum duration, then commit (pushing what changed).
    pub fn sweep(&self, now_ms: u64) -> Result<(), CallError> {
        let sweep = self.registry.sweep(now_ms, self.settings.max_call_ms);
        for (agent, call) in sweep.lapsed_offers {
            self.offer_gone(agent, call, OfferOutcome::Lapsed, now_ms);
        }
        self.dispatch(&sweep.freed, now_ms);
        for (_, call) in sweep.overdue {
            self.expire(call, now_ms);
        }
        for w in self.queues.take_expired(now_ms) {
            self.queue_timed_out(w, now_ms);
        }
        self.commit()
    }

    fn queue_timed_out(&self, w: Waiting, now_ms: u64) {
        let Some(shared) = self.live_by_ref(w.call) else {
            return;
        };
        let mut call = lock_call(&shared);
        if call.stage != Stage::Queued {
            return;
        }
        let Some(company) = self.roster.company(call.company) else {
            return;
        };
        self.metrics
            .queue_wait(call.company, now_ms.saturating_sub(w.since_ms));
        call.stage = Stage::Ringing;
        call.waiting = None;
        let instruction = self.decide(
            &mut call,
            &company,
            Start::Overflow(OverflowReason::QueueTimeout),
            now_ms,
        );
        match self.conclude(&mut call, instruction, now_ms) {
            Ok(update) => self.publish(&call, update, true),
            Err(e) => tracing::error!(error = %e, "could not overflow a timed-out queued call"),
        }
    }

    /// A connected call outlived the maximum call duration: end it as `expired`, free its
    /// agent, and tell the platform the call is done.
    fn expire(&self, call_ref: CallRef, now_ms: u64) {
        let Some(shared) = self.live_by_ref(call_ref) else {
            return;
        };
        let mut freed = Vec::new();
        {
            let mut call = lock_call(&shared);
            tracing::warn!(call = %call.call_id, company = %call.company,
                "connected call outlived the maximum call duration: ended as expired");
            let ended = self
                .end_connected(&mut call, CallOutcome::Expired, now_ms, &mut freed)
                .and_then(|done| self.conclude(&mut call, done, now_ms));
            match ended {
                Ok(update) => self.publish(&call, update, true),
                Err(e) => tracing::error!(error = %e, "could not expire a call"),
            }
        }
        self.dispatch(&freed, now_ms);
    }

    /// Run the sweeper until the centre is dropped elsewhere (the task holds a weak handle).
    pub fn spawn_sweeper(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SWEEP_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut n: u64 = 0;
            loop {
                tick.tick().await;
                let Some(center) = weak.upgrade() else { break };
                // A poisoned call flow is being replaced; its successor sweeps.
                if center.is_poisoned() {
                    break;
                }
                // A cluster node cut off from the database too long leaves its calls to
                // whichever node may adopt them.
                if !center.registry.may_act() {
                    continue;
                }
                n += 1;
                let all = n.is_multiple_of(5);
                let joined = tokio::task::spawn_blocking(move || {
                    let now = now_ms();
                    // On a cluster, agents freed by another node serve this one's queues too.
                    if all || center.registry.freed_elsewhere() {
                        center.dispatch_all(now);
                    }
                    center.sweep(now)
                })
                .await;
                match joined {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => tracing::error!(error = %e, "sweeper step could not commit"),
                    Err(e) => tracing::error!(error = %e, "sweeper step panicked"),
                }
            }
        })
    }
}
