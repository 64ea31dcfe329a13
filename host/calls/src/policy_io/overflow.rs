//! The answer to `overflow`, as the host writes and reads it: queue, forward, voicemail or
//! reject (`{"queue": {"max_wait_ms": 60000, "priority": 1}}`, `{"voicemail": "sales"}`).

use serde::{Deserialize, Serialize};
use switchyard_runtime as wit;

/// Keep the caller waiting in the department's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSpec {
    /// Longest wait before `overflow` is asked again with `queue-timeout`.
    pub max_wait_ms: u32,
    /// Higher is served first.
    pub priority: u8,
}

/// The answer to `overflow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OverflowAction {
    /// Queue the caller.
    #[serde(alias = "Queue")]
    Queue(QueueSpec),
    /// Send the call to another department of the same company.
    #[serde(alias = "ForwardDepartment")]
    ForwardDepartment(u64),
    /// Send the call to an external E.164 number.
    #[serde(alias = "ForwardNumber")]
    ForwardNumber(String),
    /// Send the caller to voicemail (mailbox name, may be empty).
    #[serde(alias = "Voicemail")]
    Voicemail(String),
    /// Refuse the call, with a reason for the log.
    #[serde(alias = "Reject")]
    Reject(String),
}

impl From<wit::OverflowAction> for OverflowAction {
    fn from(a: wit::OverflowAction) -> Self {
        match a {
            wit::OverflowAction::Queue(q) => Self::Queue(QueueSpec {
                max_wait_ms: q.max_wait_ms,
                priority: q.priority,
            }),
            wit::OverflowAction::ForwardDepartment(d) => Self::ForwardDepartment(d),
            wit::OverflowAction::ForwardNumber(n) => Self::ForwardNumber(n),
            wit::OverflowAction::Voicemail(m) => Self::Voicemail(m),
            wit::OverflowAction::Reject(r) => Self::Reject(r),
        }
    }
}

impl From<OverflowAction> for wit::OverflowAction {
    fn from(a: OverflowAction) -> Self {
        match a {
            OverflowAction::Queue(q) => Self::Queue(wit::QueueSpec {
                max_wait_ms: q.max_wait_ms,
                priority: q.priority,
            }),
            OverflowAction::ForwardDepartment(d) => Self::ForwardDepartment(d),
            OverflowAction::ForwardNumber(n) => Self::ForwardNumber(n),
            OverflowAction::Voicemail(m) => Self::Voicemail(m),
            OverflowAction::Reject(r) => Self::Reject(r),
        }
    }
}
