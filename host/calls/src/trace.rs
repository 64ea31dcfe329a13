//! The decision trace: for every member of the target department, whether it was offered the
//! call and, if not, why. This is the seed's troubleshooting matrix as data ("agent not getting
//! B calls", "agent panel is empty in B", ...), kept with every decision and served by the trace
//! and diagnose endpoints.

use serde::{Deserialize, Serialize};
use switchyard_directory::AgentId;
use switchyard_runtime::{Candidate, Presence, Status};

use super::roster::Member;

/// Why a member was or was not offered a call. Ordered by how basic the cause is: the first
/// reason that applies is the one reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Offered the call.
    Offered,
    /// Not a member of the department the number points at.
    NotInDepartment,
    /// Invited across main accounts and has not accepted yet.
    MembershipPending,
    /// Take Calls is off in this company.
    TakeCallsOff,
    /// Status in this company is Unavailable.
    StatusUnavailable,
    /// Status in this company is Break.
    StatusBreak,
    /// Outside the member's availability schedule in this company.
    OutsideSchedule,
    /// Not logged in to the agent app.
    LoggedOut,
    /// Offered, on a call or wrapping up in another company (no detail by design).
    BusyElsewhere,
    /// Already ringing for another call of this company.
    RingingOtherCall,
    /// On another call of this company.
    OnCall,
    /// In this company's after-call wrap-up.
    WrapUp,
    /// Already tried for this call in an earlier attempt.
    AlreadyTried,
    /// Eligible, but the policy chose other agents (or a later position in a sequence).
    NotChosenByPolicy,
    /// Chosen, but another call reserved the agent first.
    TakenByAnotherCall,
    /// Chosen to ring at once with others, but the platform rings at most `max_targets`
    /// phones per call (its fork limit) and this one was past it.
    OverForkLimit,
}

impl Reason {
    /// What to do about it, in the words of the troubleshooting matrix.
    pub fn hint(self) -> &'static str {
        match self {
            Reason::Offered => "The member was offered the call.",
            Reason::NotInDepartment => {
                "Add the member to the department (Departments -> Add User) in this company."
            }
            Reason::MembershipPending => {
                "The agent must accept the invitation to this company with its own token."
            }
            Reason::TakeCallsOff => "Set Take Calls = On for the member in this company.",
            Reason::StatusUnavailable => {
                "The agent must set its status to Available in this company."
            }
            Reason::StatusBreak => "The agent is on a break in this company.",
            Reason::OutsideSchedule => {
                "The call came outside the member's availability schedule in this company's time zone."
            }
            Reason::LoggedOut => "The agent is not logged in to the agent app.",
            Reason::BusyElsewhere => {
                "The agent is busy with another company: one live call at a time across companies; this company's overflow rules apply."
            }
            Reason::RingingOtherCall => "The agent was ringing for another call of this company.",
            Reason::OnCall => "The agent was on another call of this company.",
            Reason::WrapUp => "The agent was in after-call wrap-up in this company.",
            Reason::AlreadyTried => {
                "The agent was already offered this call in an earlier attempt."
            }
            Reason::NotChosenByPolicy => {
                "The agent was eligible; the company's routing policy chose others first."
            }
            Reason::TakenByAnotherCall => {
                "The agent was chosen, but another call reserved it a moment earlier."
            }
            Reason::OverForkLimit => {
                "The policy chose more agents to ring at once than the telephony platform can \
                 fork for one call (max_targets / the SIP server's max_branches); this one was \
                 past the limit and stayed free. Raise the platform's limit or ring fewer at once."
            }
        }
    }
}

/// One member's line in a trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberTrace {
    /// The agent.
    pub agent_id: AgentId,
    /// This company's extension.
    pub extension: String,
    /// Offered, or the first reason it was not.
    pub reason: Reason,
    /// Human explanation of `reason`.
    pub hint: String,
    /// Panel access in this company (it does not block calls; it only hides the agent panel).
    pub panel_access: bool,
}

/// Why `candidate` cannot be offered, judged by the host before the policy runs; `None` when it
/// is eligible. `pending` is a membership awaiting consent.
pub fn ineligibility(candidate: &Candidate, tried: &[AgentId]) -> Option<Reason> {
    if !candidate.take_calls {
        return Some(Reason::TakeCallsOff);
    }
    match candidate.status {
        Status::Unavailable => return Some(Reason::StatusUnavailable),
        Status::OnBreak => return Some(Reason::StatusBreak),
        Status::Available => {}
    }
    if !candidate.in_schedule {
        return Some(Reason::OutsideSchedule);
    }
    match candidate.presence {
        Presence::LoggedOut => return Some(Reason::LoggedOut),
        Presence::BusyElsewhere => return Some(Reason::BusyElsewhere),
        Presence::Ringing => return Some(Reason::RingingOtherCall),
        Presence::OnCall => return Some(Reason::OnCall),
        Presence::WrapUp => return Some(Reason::WrapUp),
        Presence::Idle => {}
    }
    if tried.contains(&AgentId(candidate.agent)) {
        return Some(Reason::AlreadyTried);
    }
    None
}

impl MemberTrace {
    /// The line of `member` with `reason`.
    pub(crate) fn new(member: &Member, reason: Reason) -> Self {
        Self {
            agent_id: member.agent,
            extension: member.extension.clone(),
            reason,
            hint: reason.hint().to_owned(),
            panel_access: member.panel_access,
        }
    }

    /// Change the reason (and its hint).
    pub(crate) fn set_reason(&mut self, reason: Reason) {
        self.reason = reason;
        self.hint = reason.hint().to_owned();
    }
}

/// Why the host rules `member` out before asking the policy (pending invitation, or any
/// [`ineligibility`]); `None` when the member is eligible.
pub(crate) fn host_reason(
    member: &Member,
    candidates: &[Candidate],
    tried: &[AgentId],
) -> Option<Reason> {
    if !member.active {
        return Some(Reason::MembershipPending);
    }
    candidates
        .iter()
        .find(|c| AgentId(c.agent) == member.agent)
        .and_then(|c| ineligibility(c, tried))
}
