//! The answer to `route`, as the host writes and reads it: ring a plan
//! (`{"ring": {"mode": "sequential", "targets": [...]}}`) or overflow with a reason
//! (`{"overflow": "all-busy"}`).

use serde::{Deserialize, Serialize};
use switchyard_runtime as wit;

impl OverflowReason {
    /// The reason's name, as logs and the API give it.
    pub fn as_str(self) -> &'static str {
        crate::overflow::reason_name(self.into())
    }
}

/// How the targets of a ring plan are rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RingMode {
    /// All targets at once; the first to answer gets the call.
    #[serde(alias = "Simultaneous")]
    Simultaneous,
    /// One after another, in the order given.
    #[serde(alias = "Sequential")]
    Sequential,
}

twin_enum!(
    RingMode,
    wit::RingMode {
        Simultaneous,
        Sequential
    }
);

/// Why nobody is rung.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverflowReason {
    /// The department has no members.
    #[serde(alias = "NoMembers")]
    NoMembers,
    /// Members exist but none is available here.
    #[serde(alias = "NoneAvailable")]
    NoneAvailable,
    /// Available members are all busy (here or in another company).
    #[serde(alias = "AllBusy")]
    AllBusy,
    /// Outside the company's business hours.
    #[serde(alias = "OutOfHours")]
    OutOfHours,
    /// Every target rang without answer, after all attempts.
    #[serde(alias = "NoAnswer")]
    NoAnswer,
    /// The queue's maximum wait ran out.
    #[serde(alias = "QueueTimeout")]
    QueueTimeout,
    /// The policy failed; the host used its fallback.
    #[serde(alias = "PolicyError")]
    PolicyError,
}

twin_enum!(
    OverflowReason,
    wit::OverflowReason {
        NoMembers,
        NoneAvailable,
        AllBusy,
        OutOfHours,
        NoAnswer,
        QueueTimeout,
        PolicyError
    }
);

/// One agent to ring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingTarget {
    /// The agent.
    pub agent: u64,
    /// How long to ring, milliseconds.
    pub timeout_ms: u32,
}

/// Whom to ring and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingPlan {
    /// All at once or one after another.
    pub mode: RingMode,
    /// Agents to ring, in order.
    pub targets: Vec<RingTarget>,
}

/// The answer to `route`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// Ring this plan.
    #[serde(alias = "Ring")]
    Ring(RingPlan),
    /// Nobody is rung, for this reason.
    #[serde(alias = "Overflow")]
    Overflow(OverflowReason),
}

impl From<wit::RingPlan> for RingPlan {
    fn from(p: wit::RingPlan) -> Self {
        Self {
            mode: p.mode.into(),
            targets: p
                .targets
                .into_iter()
                .map(|t| RingTarget {
                    agent: t.agent,
                    timeout_ms: t.timeout_ms,
                })
                .collect(),
        }
    }
}

impl From<RingPlan> for wit::RingPlan {
    fn from(p: RingPlan) -> Self {
        Self {
            mode: p.mode.into(),
            targets: p
                .targets
                .into_iter()
                .map(|t| wit::RingTarget {
                    agent: t.agent,
                    timeout_ms: t.timeout_ms,
                })
                .collect(),
        }
    }
}

impl From<wit::Decision> for Decision {
    fn from(d: wit::Decision) -> Self {
        match d {
            wit::Decision::Ring(plan) => Self::Ring(plan.into()),
            wit::Decision::Overflow(reason) => Self::Overflow(reason.into()),
        }
    }
}

impl From<Decision> for wit::Decision {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Ring(plan) => Self::Ring(plan.into()),
            Decision::Overflow(reason) => Self::Overflow(reason.into()),
        }
    }
}
