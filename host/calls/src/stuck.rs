//! Calls that would otherwise hold a shared agent forever: the telephony platform reconciles
//! after its own restart (every live call it no longer has is ended as `reconciled`), and an
//! administrator releases an agent's engagement in its company (logged with who did it). The
//! maximum call duration is enforced by the sweep (`dispatch.rs`).

use super::center::{CallCenter, CallError, lock_call};
use super::instruction::Instruction;
use super::live::Stage;
use super::log::{CallOutcome, OfferOutcome};
use super::registry::Phase;
use switchyard_directory::{AgentId, CompanyId};

/// What a released agent was doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EngagedAs {
    /// Being offered a call.
    Ringing,
    /// On a call.
    OnCall,
    /// In after-call work.
    WrapUp,
}

impl EngagedAs {
    /// The name the API answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ringing => "ringing",
            Self::OnCall => "on_call",
            Self::WrapUp => "wrap_up",
        }
    }
}

/// What releasing an agent did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Released {
    /// The agent.
    pub agent_id: AgentId,
    /// What it was doing: `ringing`, `on_call` or `wrap_up`.
    pub was: EngagedAs,
    /// The call it was engaged with (the platform's id), when still live.
    pub call_id: Option<String>,
}

impl CallCenter {
    /// `platform` lists the calls it still has: every other live call of that platform is
    /// ended (`reconciled`) and its agents freed. Returns the ids ended, in order.
    pub fn reconcile(
        &self,
        platform: u64,
        still_live: &[String],
        now_ms: u64,
    ) -> Result<Vec<String>, CallError> {
        let mut ended = Vec::new();
        let mut freed = Vec::new();
        for shared in self.all_live() {
            let mut call = lock_call(&shared);
            if call.platform != platform
                || call.stage == Stage::Finished
                || still_live.contains(&call.call_id)
            {
                continue;
            }
            let done = match call.stage {
                Stage::Connected { .. } => {
                    self.end_connected(&mut call, CallOutcome::Reconciled, now_ms, &mut freed)
                }
                _ => {
                    freed.extend(call.ringing.iter().copied());
                    self.finish(&mut call, CallOutcome::Reconciled, now_ms)
                        .map(|()| Instruction::Done)
                }
            };
            let update = done.and_then(|i| self.conclude(&mut call, i, now_ms))?;
            self.publish(&call, update, false);
            ended.push(call.call_id.clone());
        }
        self.dispatch(&freed, now_ms);
        self.commit()?;
        ended.sort();
        Ok(ended)
    }

    /// An administrator of `company` releases `agent` from its engagement there: an offer is
    /// withdrawn (the call moves on), a connected call is ended as `released` (logged with
    /// `by`, pushed to the platform as done), a wrap-up ends now. Another company's engagement
    /// is not this administrator's to release: it answers as if there were none.
    pub fn release_agent(
        &self,
        company: CompanyId,
        agent: AgentId,
        by: &str,
        now_ms: u64,
    ) -> Result<Released, CallError> {
        let engagement = self
            .registry
            .get(agent)
            .engagement
            .filter(|e| e.company == company)
            .ok_or(CallError::NotEngaged(agent))?;
        let call_id = self
            .live_by_ref(engagement.call)
            .map(|c| lock_call(&c).call_id.clone());
        let was = match engagement.phase {
            Phase::Offered { .. } => {
                self.offer_gone(agent, engagement.call, OfferOutcome::Withdrawn, now_ms);
                EngagedAs::Ringing
            }
            Phase::OnCall { .. } => {
                let mut freed = Vec::new();
                if let Some(shared) = self.live_by_ref(engagement.call) {
                    let mut call = lock_call(&shared);
                    if call.stage == (Stage::Connected { agent }) {
                        call.log.released_by = Some(by.to_owned());
                        let update = self
                            .end_connected(&mut call, CallOutcome::Released, now_ms, &mut freed)
                            .and_then(|i| self.conclude(&mut call, i, now_ms))?;
                        self.publish(&call, update, true);
                    }
                }
                // The call may have been logged without its agent released (never left so by
                // this service, but a stuck engagement must always be releasable).
                self.registry
                    .force_release(agent, company, engagement.call, now_ms);
                freed.push(agent);
                self.dispatch(&freed, now_ms);
                EngagedAs::OnCall
            }
            Phase::WrapUp { .. } => {
                self.registry
                    .force_release(agent, company, engagement.call, now_ms);
                self.dispatch(&[agent], now_ms);
                EngagedAs::WrapUp
            }
        };
        tracing::info!(
            %company,
            %agent,
            by,
            ?was,
            "agent released by an administrator"
        );
        self.commit()?;
        Ok(Released {
            agent_id: agent,
            was,
            call_id,
        })
    }
}
