//! The stored forms of live state: what a journal keeps of an agent, its counters and a live
//! call. They are their own versioned types (`v`), converted to and from the in-memory ones
//! at the edge, so the working types can change without breaking what is on disk and a second
//! backend stores the same records.

use serde::{Deserialize, Serialize};
use switchyard_directory::{AgentId, CompanyId, DepartmentId};
use switchyard_runtime::{Attribute, RingMode};

use super::instruction::Target;
use super::live::{LiveCall, Plan, Stage};
use super::log::CallLog;
use super::queue::Waiting;
use super::registry::{AgentLive, CallRef, DayStats, Engagement, Phase};

/// Format version of the records below.
pub const FORMAT: u8 = 1;

/// An agent's live state as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAgent {
    /// Format version.
    pub v: u8,
    /// Logged in to the agent app.
    pub logged_in: bool,
    /// When the agent last became free (unix ms).
    pub free_since_ms: u64,
    /// The one call it is engaged with.
    pub engagement: Option<StoredEngagement>,
}

/// An engagement as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEngagement {
    /// Company of the call.
    pub company: CompanyId,
    /// The call.
    pub call: CallRef,
    /// Where the agent is with it.
    pub phase: StoredPhase,
}

/// An engagement's phase as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum StoredPhase {
    /// Ringing until the offer lapses.
    Offered {
        /// When the offer lapses (unix ms).
        expires_at_ms: u64,
    },
    /// On the call since.
    OnCall {
        /// When the agent answered (unix ms).
        since_ms: u64,
    },
    /// After-call work until.
    WrapUp {
        /// When the agent is free again (unix ms).
        until_ms: u64,
    },
}

impl From<&AgentLive> for StoredAgent {
    fn from(live: &AgentLive) -> Self {
        Self {
            v: FORMAT,
            logged_in: live.logged_in,
            free_since_ms: live.free_since_ms,
            engagement: live.engagement.map(|e| StoredEngagement {
                company: e.company,
                call: e.call,
                phase: match e.phase {
                    Phase::Offered { expires_at_ms } => StoredPhase::Offered { expires_at_ms },
                    Phase::OnCall { since_ms } => StoredPhase::OnCall { since_ms },
                    Phase::WrapUp { until_ms } => StoredPhase::WrapUp { until_ms },
                },
            }),
        }
    }
}

impl From<StoredAgent> for AgentLive {
    fn from(s: StoredAgent) -> Self {
        Self {
            logged_in: s.logged_in,
            free_since_ms: s.free_since_ms,
            engagement: s.engagement.map(|e| Engagement {
                company: e.company,
                call: e.call,
                phase: match e.phase {
                    StoredPhase::Offered { expires_at_ms } => Phase::Offered { expires_at_ms },
                    StoredPhase::OnCall { since_ms } => Phase::OnCall { since_ms },
                    StoredPhase::WrapUp { until_ms } => Phase::WrapUp { until_ms },
                },
            }),
        }
    }
}

/// An agent's counters of one company-local day, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredStats {
    /// Format version.
    pub v: u8,
    /// Company-local day number.
    pub day: i32,
    /// Calls answered.
    pub calls: u32,
    /// Talk time, ms.
    pub talk_ms: u64,
}

impl From<DayStats> for StoredStats {
    fn from(s: DayStats) -> Self {
        Self {
            v: FORMAT,
            day: s.day,
            calls: s.calls,
            talk_ms: s.talk_ms,
        }
    }
}

impl From<StoredStats> for DayStats {
    fn from(s: StoredStats) -> Self {
        Self {
            day: s.day,
            calls: s.calls,
            talk_ms: s.talk_ms,
        }
    }
}

/// Where a live call is, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum StoredStage {
    /// Ringing its current offers.
    Ringing,
    /// Connected.
    Connected {
        /// Who answered.
        agent: AgentId,
    },
    /// Waiting in a queue.
    Queued,
}

/// How a plan rings, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredRingMode {
    /// All at once.
    Simultaneous,
    /// One after another.
    Sequential,
}

/// The rest of a decision's plan, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPlan {
    /// How targets are rung.
    pub mode: StoredRingMode,
    /// Targets not offered yet.
    pub pending: Vec<Target>,
    /// The decision that made the plan.
    pub trace_id: String,
}

/// A queue place, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredWaiting {
    /// Higher first.
    pub priority: u8,
    /// When it joined the queue (unix ms).
    pub since_ms: u64,
    /// When its wait runs out (unix ms).
    pub deadline_ms: u64,
}

/// A live call as stored (its decisions are stored one by one beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCall {
    /// Format version.
    pub v: u8,
    /// Host handle.
    pub call_ref: CallRef,
    /// The telephony platform that posted it (its token id; 0 for the operator).
    pub platform: u64,
    /// The platform's call id.
    pub call_id: String,
    /// Company.
    pub company: CompanyId,
    /// Dialled number.
    pub number: String,
    /// Caller id.
    pub caller: String,
    /// Current department.
    pub department: DepartmentId,
    /// Platform attributes, in order.
    pub attributes: Vec<(String, String)>,
    /// The platform's fork limit for this call (absent in calls stored before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_targets: Option<u16>,
    /// Current decision attempt.
    pub attempt: u32,
    /// Agents already offered the call.
    pub tried: Vec<AgentId>,
    /// Forwards between departments so far.
    pub forwards: u8,
    /// Where the call is.
    pub stage: StoredStage,
    /// Remaining plan.
    pub plan: Option<StoredPlan>,
    /// Agents ringing now.
    pub ringing: Vec<AgentId>,
    /// Queue place, when queued.
    pub waiting: Option<StoredWaiting>,
    /// When it arrived (unix ms).
    pub started_ms: u64,
    /// When it was answered.
    pub answered_ms: Option<u64>,
    /// Seed given to the policy.
    pub seed: u64,
    /// The policy version the call is pinned to (0: the built-in default).
    pub policy_version: u32,
    /// Latest decision's trace id.
    pub last_trace: Option<String>,
    /// Instructions given so far (absent in calls stored before it existed).
    #[serde(default)]
    pub steps: u32,
    /// The log being built, without its decisions.
    pub log: CallLog,
}

impl From<&LiveCall> for StoredCall {
    fn from(c: &LiveCall) -> Self {
        let log = c.log.without_decisions();
        Self {
            v: FORMAT,
            call_ref: c.call_ref,
            platform: c.platform,
            call_id: c.call_id.clone(),
            company: c.company,
            number: c.number.clone(),
            caller: c.caller.clone(),
            department: c.department,
            attributes: c
                .attributes
                .iter()
                .map(|a| (a.key.clone(), a.value.clone()))
                .collect(),
            max_targets: c.max_targets,
            attempt: c.attempt,
            tried: c.tried.clone(),
            forwards: c.forwards,
            stage: match c.stage {
                // A finished call is never stored: the log replaces it.
                Stage::Ringing | Stage::Finished => StoredStage::Ringing,
                Stage::Connected { agent } => StoredStage::Connected { agent },
                Stage::Queued => StoredStage::Queued,
            },
            plan: c.plan.as_ref().map(|p| StoredPlan {
                mode: match p.mode {
                    RingMode::Simultaneous => StoredRingMode::Simultaneous,
                    RingMode::Sequential => StoredRingMode::Sequential,
                },
                pending: p.pending.clone(),
                trace_id: p.trace_id.clone(),
            }),
            ringing: c.ringing.clone(),
            waiting: c.waiting.map(|w| StoredWaiting {
                priority: w.priority,
                since_ms: w.since_ms,
                deadline_ms: w.deadline_ms,
            }),
            started_ms: c.started_ms,
            answered_ms: c.answered_ms,
            seed: c.seed,
            policy_version: c.policy.version(),
            last_trace: c.last_trace.clone(),
            steps: c.steps,
            log,
        }
    }
}

impl StoredCall {
    /// The in-memory call, with its decisions put back in order.
    pub fn into_live(self, decisions: Vec<super::log::DecisionRecord>) -> LiveCall {
        let mut log = self.log;
        log.decisions = decisions;
        let (company, department, call_ref) = (self.company, self.department, self.call_ref);
        LiveCall {
            call_ref,
            platform: self.platform,
            call_id: self.call_id,
            company,
            number: self.number,
            caller: self.caller,
            department,
            attributes: self
                .attributes
                .into_iter()
                .map(|(key, value)| Attribute { key, value })
                .collect(),
            max_targets: self.max_targets,
            attempt: self.attempt,
            tried: self.tried,
            forwards: self.forwards,
            stage: match self.stage {
                StoredStage::Ringing => Stage::Ringing,
                StoredStage::Connected { agent } => Stage::Connected { agent },
                StoredStage::Queued => Stage::Queued,
            },
            plan: self.plan.map(|p| Plan {
                mode: match p.mode {
                    StoredRingMode::Simultaneous => RingMode::Simultaneous,
                    StoredRingMode::Sequential => RingMode::Sequential,
                },
                pending: p.pending,
                trace_id: p.trace_id,
            }),
            ringing: self.ringing,
            waiting: self.waiting.map(|w| Waiting {
                call: call_ref,
                company,
                department,
                priority: w.priority,
                since_ms: w.since_ms,
                deadline_ms: w.deadline_ms,
            }),
            started_ms: self.started_ms,
            answered_ms: self.answered_ms,
            seed: self.seed,
            policy: if self.policy_version == 0 {
                super::live::Pinned::BuiltIn
            } else {
                super::live::Pinned::Restored(self.policy_version)
            },
            last_trace: self.last_trace,
            steps: self.steps,
            staged_decisions: u32::try_from(log.decisions.len()).unwrap_or(u32::MAX),
            log,
        }
    }
}
