//! The call flow: what happens to a call from the moment the telephony platform posts it until
//! it is logged.
//!
//! - `center`: the [`CallCenter`] state and its errors.
//! - `roster`: what the call flow reads from the directory ([`Roster`]); `roster_cache`
//!   implements it over the directory, cached until the directory changes, with the record
//!   conversions of `directory_adapter`.
//! - `registry`: agents' live state; one live call per agent across all companies.
//! - `candidates`: builds a policy's inputs (company-local time, candidates).
//! - `policies`: each company's active policy and state; asks it, or the built-in default.
//! - `routing`: deciding and offering a call; overflow actions.
//! - `outcomes`: events from the platform (no answer, declined, answered, ended, abandoned).
//! - `queue` and `dispatch`: waiting calls, serving them fairly, expiry sweeps.
//! - `trace` and `diagnose`: why each member was or was not offered a call.
//! - `board`: the presence board, filtered by the company's visibility policy.
//! - `log`: the call log record; `instruction`: what the platform is told; `push`: later
//!   updates streamed to the platform and to agents; `live`: a call in progress; `clock`:
//!   company-local time; `metrics`: decision counters.

mod board;
mod candidates;
mod center;
pub mod clock;
mod diagnose;
mod directory_adapter;
mod dispatch;
mod instruction;
mod live;
mod log;
mod metrics;
mod outcomes;
mod policies;
mod push;
mod queue;
mod registry;
mod roster;
mod roster_cache;
mod routing;
mod trace;

pub use board::{BoardDetail, BoardEntry, BoardError, BoardViewer, role_name, status_name};
pub use center::{CallCenter, CallError, CallLogStore};
pub use diagnose::Diagnosis;
pub use instruction::{CallUpdate, Instruction, Target};
pub use live::{LiveCall, Stage};
pub use log::{
    CallLog, CallOutcome, DecisionRecord, Offer, OfferOutcome, OverflowRecord, PolicyRun,
};
pub use metrics::{CallMetrics, Histogram, LATENCY_BUCKETS_US, QUEUE_BUCKETS_MS};
pub use outcomes::CallEvent;
pub use policies::{
    ActivePolicy, Answer, Policies, PolicySource, QUARANTINE, QUARANTINE_AFTER, RestoredPolicy,
    StateSink,
};
pub use push::{PushEvent, PushHub};
pub use queue::{Queues, Waiting};
pub use registry::{AgentLive, DayStats, Registry, Reserved};
pub use roster::{CompanyInfo, Member, NumberRoute, Roster};
pub use roster_cache::CachedRoster;
pub use routing::{IncomingCall, reason_name};
pub use trace::{MemberTrace, Reason};
