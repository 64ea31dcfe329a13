//! Serving queues and expiring what lapsed: when agents become free, the waiting calls they
//! could take are tried in serving order (priority, then oldest, across all companies sharing
//! them); a periodic sweep releases offers nobody reported on, ends wrap-ups, and sends calls
//! whose queue wait ran out back to the overflow rules with `queue-timeout`.

use std::sync::Arc;
use std::time::Duration;

use switchyard_runtime::OverflowReason;

use super::center::{CallCenter, lock_call};
use super::clock::now_ms;
use super::instruction::Instruction;
use super::live::Stage;
use super::routing::Start;

/// How often the sweeper runs.
pub const SWEEP_EVERY: Duration = Duration::from_millis(200);

impl CallCenter {
    /// Offer waiting calls to `agents`, which just became free.
    pub fn dispatch(&self, agents: &[u64], now_ms: u64) {
        if agents.is_empty() {
            return;
        }
        let mut departments = Vec::new();
        for agent in agents {
            departments.extend(self.roster.departments_of(*agent));
        }
        departments.sort_unstable();
        departments.dedup();
        self.serve_waiting(self.queues.candidates_for(&departments), now_ms);
    }

    /// Try every waiting call once (a safety net for changes that freed agents without an
    /// event, such as a status switched back to available).
    pub fn dispatch_all(&self, now_ms: u64) {
        self.serve_waiting(self.queues.all(), now_ms);
    }

    fn serve_waiting(&self, waiting: Vec<super::queue::Waiting>, now_ms: u64) {
        for w in waiting {
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
                self.metrics
                    .queue_wait(call.company, now_ms.saturating_sub(w.since_ms));
                let agents = targets.iter().map(|t| t.agent_id).collect();
                let instruction = Instruction::Ring { mode, targets };
                let number = call.number.clone();
                match self.conclude(&mut call, instruction, now_ms) {
                    Ok(update) => self.push.publish(&number, agents, update, true),
                    Err(e) => tracing::error!(error = %e, "could not serve a queued call"),
                }
            } else {
                // Still nobody: stay queued with the same deadline.
                call.plan = None;
                call.stage = Stage::Queued;
            }
        }
    }

    /// Release lapsed offers, end finished wrap-ups, time out queued calls.
    pub fn sweep(&self, now_ms: u64) {
        let sweep = self.registry.sweep(now_ms);
        for (agent, call) in sweep.lapsed_offers {
            self.offer_lapsed(agent, call, now_ms);
        }
        self.dispatch(&sweep.freed, now_ms);
        for w in self.queues.take_expired(now_ms) {
            let Some(shared) = self.live_by_ref(w.call) else {
                continue;
            };
            let mut call = lock_call(&shared);
            if call.stage != Stage::Queued {
                continue;
            }
            let Some(company) = self.roster.company(call.company) else {
                continue;
            };
            self.metrics
                .queue_wait(call.company, now_ms.saturating_sub(w.since_ms));
            call.stage = Stage::Ringing;
            let instruction = self.decide(
                &mut call,
                &company,
                Start::Overflow(OverflowReason::QueueTimeout),
                now_ms,
            );
            let number = call.number.clone();
            match self.conclude(&mut call, instruction, now_ms) {
                Ok(update) => self.push.publish(&number, Vec::new(), update, true),
                Err(e) => tracing::error!(error = %e, "could not overflow a timed-out queued call"),
            }
        }
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
                n += 1;
                let all = n.is_multiple_of(5);
                let joined = tokio::task::spawn_blocking(move || {
                    let now = now_ms();
                    center.sweep(now);
                    if all {
                        center.dispatch_all(now);
                    }
                })
                .await;
                if let Err(e) = joined {
                    tracing::error!(error = %e, "sweeper step panicked");
                }
            }
        })
    }
}
