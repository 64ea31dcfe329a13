//! What the platform and the agent app read of live state, by value: where a live call is,
//! the platform's live calls, an agent's presence. Handlers get these views, never the locks.

use serde::{Deserialize, Serialize};
use switchyard_directory::{AgentId, CompanyId, DepartmentId};

use super::center::{CallCenter, CallError, lock_call};
use super::live::{LiveCall, Stage};
use super::log::OfferOutcome;
use super::registry::AgentLive;

/// Where a live call is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallStatus {
    /// The platform's call id.
    pub call_id: String,
    /// Company.
    pub company_id: CompanyId,
    /// Current department.
    pub department_id: DepartmentId,
    /// `ringing`, `connected` or `queued`.
    pub stage: CallStage,
    /// Agents ringing now.
    pub ringing: Vec<AgentId>,
    /// Connected agent.
    pub connected_to: Option<AgentId>,
    /// When the call arrived (unix ms).
    pub started_ms: u64,
    /// Latest decision's trace id.
    pub trace_id: Option<String>,
}

/// Where a live call is, as the API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CallStage {
    /// Ringing its current offers.
    Ringing,
    /// Connected to an agent.
    Connected,
    /// Waiting in a queue.
    Queued,
    /// Over (logged; about to be forgotten).
    Finished,
}

impl CallStage {
    /// The stage's name, as the API answers it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ringing => "ringing",
            Self::Connected => "connected",
            Self::Queued => "queued",
            Self::Finished => "finished",
        }
    }
}

impl From<&LiveCall> for CallStatus {
    fn from(call: &LiveCall) -> Self {
        let (stage, connected_to) = match call.stage {
            Stage::Ringing => (CallStage::Ringing, None),
            Stage::Connected { agent } => (CallStage::Connected, Some(agent)),
            Stage::Queued => (CallStage::Queued, None),
            Stage::Finished => (CallStage::Finished, None),
        };
        Self {
            call_id: call.call_id.clone(),
            company_id: call.company,
            department_id: call.department,
            stage,
            ringing: call.ringing.clone(),
            connected_to,
            started_ms: call.started_ms,
            trace_id: call.last_trace.clone(),
        }
    }
}

/// An agent's presence as the agent app sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresenceView {
    /// Logged in.
    pub logged_in: bool,
    /// Engaged with a call (ringing, on a call or wrapping up), in any company.
    pub busy: bool,
}

impl From<AgentLive> for PresenceView {
    fn from(live: AgentLive) -> Self {
        Self {
            logged_in: live.logged_in,
            busy: live.engagement.is_some(),
        }
    }
}

impl CallCenter {
    /// Where `platform`'s live call `call_id` is.
    pub fn status(&self, platform: u64, call_id: &str) -> Option<CallStatus> {
        let shared = self.live(platform, call_id)?;
        let call = lock_call(&shared);
        (call.stage != Stage::Finished).then(|| CallStatus::from(&*call))
    }

    /// Every live call of `platform`, oldest first.
    pub fn live_calls(&self, platform: u64) -> Vec<CallStatus> {
        let mut out: Vec<CallStatus> = self
            .all_live()
            .iter()
            .filter_map(|shared| {
                let call = lock_call(shared);
                (call.platform == platform && call.stage != Stage::Finished)
                    .then(|| CallStatus::from(&*call))
            })
            .collect();
        out.sort_by(|a, b| {
            a.started_ms
                .cmp(&b.started_ms)
                .then(a.call_id.cmp(&b.call_id))
        });
        out
    }

    /// Log the agent in or out of the agent app (one person, one presence across companies).
    /// Logging out while offered a call moves that call on; logging in may serve a waiting
    /// call at once. Answers once the change is durable.
    pub fn set_presence(
        &self,
        agent: AgentId,
        logged_in: bool,
        now_ms: u64,
    ) -> Result<PresenceView, CallError> {
        if let Some(call) = self.registry.set_logged_in(agent, logged_in, now_ms) {
            self.offer_gone(agent, call, OfferOutcome::Withdrawn, now_ms);
        }
        if logged_in {
            self.dispatch(&[agent], now_ms);
        }
        self.commit()?;
        Ok(PresenceView::from(self.registry.get(agent)))
    }
}
