//! What one agent is doing, as the call flow sees it: logged in or not, free since when, and
//! the one call it is engaged with (offered, on it, or wrapping up), and how a company sees that
//! ([`presence_of`]: another company's work is only ever `busy-elsewhere`); its counters of
//! today in each company.

use switchyard_runtime::Presence;

pub use switchyard_directory::{AgentId, CompanyId};

/// The host's own handle of a live call (telephony call ids are only unique per platform),
/// unique for the life of the database.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(transparent)]
pub struct CallRef(pub u64);

impl CallRef {
    /// Its bytes in big-endian order, the form record keys hold (they sort as handles).
    pub const fn to_be_bytes(self) -> [u8; 8] {
        self.0.to_be_bytes()
    }
}

impl From<u64> for CallRef {
    fn from(raw: u64) -> Self {
        Self(raw)
    }
}

impl From<CallRef> for u64 {
    fn from(call: CallRef) -> u64 {
        call.0
    }
}

impl std::fmt::Display for CallRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

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
    pub(super) fn is_free(&self, now_ms: u64) -> bool {
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

/// Presence and idle milliseconds of `live` as seen by `company`.
pub fn presence_of(live: &AgentLive, company: CompanyId, now_ms: u64) -> (Presence, u64) {
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
