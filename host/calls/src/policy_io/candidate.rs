//! One member of the target department, as the host writes and reads it: [`Candidate`] with
//! its skills as bits over `call.skills` (what a policy is given, and what logs store), and
//! [`CandidateInput`], whose skills may also be names (scenarios, contract 0.1 logs).

use serde::{Deserialize, Serialize};
use switchyard_runtime::{self as wit, SkillSet};

/// A member's role in this company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Takes calls.
    #[serde(alias = "Agent")]
    Agent,
    /// Supervises.
    #[serde(alias = "Supervisor")]
    Supervisor,
    /// Company admin.
    #[serde(alias = "Admin")]
    Admin,
}

twin_enum!(
    Role,
    wit::Role {
        Agent,
        Supervisor,
        Admin
    }
);

/// The status a member sets for itself in this company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Ready for calls.
    #[serde(alias = "Available")]
    Available,
    /// Not taking calls.
    #[serde(alias = "Unavailable")]
    Unavailable,
    /// On a break.
    #[serde(alias = "OnBreak")]
    OnBreak,
}

twin_enum!(
    Status,
    wit::Status {
        Available,
        Unavailable,
        OnBreak
    }
);

/// Where the agent is right now, as this company may know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Presence {
    /// Not logged in anywhere.
    #[serde(alias = "LoggedOut")]
    LoggedOut,
    /// Logged in and free.
    #[serde(alias = "Idle")]
    Idle,
    /// Being offered a call of this company.
    #[serde(alias = "Ringing")]
    Ringing,
    /// On a call of this company.
    #[serde(alias = "OnCall")]
    OnCall,
    /// In this company's after-call wrap-up.
    #[serde(alias = "WrapUp")]
    WrapUp,
    /// Busy with another company (no detail, by design).
    #[serde(alias = "BusyElsewhere")]
    BusyElsewhere,
}

twin_enum!(
    Presence,
    wit::Presence {
        LoggedOut,
        Idle,
        Ringing,
        OnCall,
        WrapUp,
        BusyElsewhere
    }
);

/// A candidate's skills as written: a bitmask over `call.skills`, or names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Skills {
    /// Bits over `call.skills`, as the policy sees them.
    Set(SkillSet),
    /// Skill names, interned into `call.skills` by [`resolve`](super::resolve).
    Names(Vec<String>),
}

impl Default for Skills {
    fn default() -> Self {
        Self::Set(0)
    }
}

/// One member of the target department (the WIT `candidate` record). `S` is how its skills
/// are held: bits ([`Candidate`]) or bits or names ([`CandidateInput`]). Unknown fields are
/// ignored, so contract 0.1 logs (with `extension`) still read: the host adds extensions itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate<S = SkillSet> {
    /// The agent.
    pub agent: u64,
    /// Role in this company.
    pub role: Role,
    /// Department tier; 1 is the first line.
    pub tier: u8,
    /// Skills in this department.
    #[serde(default)]
    pub skills: S,
    /// Status in this company.
    pub status: Status,
    /// Take Calls in this company.
    pub take_calls: bool,
    /// Inside the member's availability schedule now.
    pub in_schedule: bool,
    /// Presence as this company may know it.
    pub presence: Presence,
    /// Milliseconds since the agent last became free.
    pub idle_ms: u64,
    /// Calls answered today in this company.
    pub calls_today: u32,
    /// Talk time today in this company, milliseconds.
    pub talk_ms_today: u64,
}

/// A candidate whose skills may be names (see [`resolve`](super::resolve)).
pub type CandidateInput = Candidate<Skills>;

impl<S> Candidate<S> {
    /// The same candidate with `skills` instead.
    pub fn with_skills<T>(self, skills: T) -> Candidate<T> {
        Candidate {
            agent: self.agent,
            role: self.role,
            tier: self.tier,
            skills,
            status: self.status,
            take_calls: self.take_calls,
            in_schedule: self.in_schedule,
            presence: self.presence,
            idle_ms: self.idle_ms,
            calls_today: self.calls_today,
            talk_ms_today: self.talk_ms_today,
        }
    }
}

impl From<wit::Candidate> for Candidate {
    fn from(c: wit::Candidate) -> Self {
        Self {
            agent: c.agent,
            role: c.role.into(),
            tier: c.tier,
            skills: c.skills,
            status: c.status.into(),
            take_calls: c.take_calls,
            in_schedule: c.in_schedule,
            presence: c.presence.into(),
            idle_ms: c.idle_ms,
            calls_today: c.calls_today,
            talk_ms_today: c.talk_ms_today,
        }
    }
}

impl From<Candidate> for wit::Candidate {
    fn from(c: Candidate) -> Self {
        Self {
            agent: c.agent,
            role: c.role.into(),
            tier: c.tier,
            skills: c.skills,
            status: c.status.into(),
            take_calls: c.take_calls,
            in_schedule: c.in_schedule,
            presence: c.presence.into(),
            idle_ms: c.idle_ms,
            calls_today: c.calls_today,
            talk_ms_today: c.talk_ms_today,
        }
    }
}
