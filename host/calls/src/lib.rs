//! The call flow: what happens to a call from the moment the telephony platform posts it until
//! it is logged. Knows nothing of HTTP, the command line or the cluster: the service
//! (`switchyard`) drives it, and a cluster implements its seams ([`AgentBook`], [`LiveJournal`]).
//!
//! - `center`: the [`CallCenter`] state, its settings and errors; `in_service`: the call flow
//!   in service ([`InService`]), replaced after a failed commit.
//! - `journal`: the seam where live state is kept ([`LiveJournal`]); `journal_store`: the
//!   embedded journal over the record trees ([`journal_store::RecordJournal`]); `logbook`:
//!   durable call logs and policy state; `stored`: the versioned
//!   records it keeps; `restore`: bringing live state back at start-up and reconciling it.
//! - `roster`: what the call flow reads from the directory ([`Roster`]); `roster_cache`
//!   implements it over the directory, cached until the directory changes, with the record
//!   conversions of `directory_adapter`.
//! - `registry`: agents' live state; one live call per agent across all companies
//!   (`agent_state`: what one agent is doing and how a company sees it).
//! - `candidates`: builds a policy's inputs (company-local time, candidates).
//! - `policies`: each company's active policy and state; asks it, or the built-in default.
//! - `routing`: deciding and offering a call; `overflow`: carrying out the overflow rules;
//!   `finish`: concluding a step, finishing and logging a call.
//! - `outcomes`: events from the platform (no answer, declined, answered, ended, abandoned).
//! - `status`: by-value views of live calls and presence, and the presence use case.
//! - `stuck`: the platform's reconciliation and an administrator's release of an agent.
//! - `queue` and `dispatch`: waiting calls, serving them fairly, expiry sweeps.
//! - `trace` and `diagnose`: why each member was or was not offered a call.
//! - `board`: the presence board, filtered by the company's visibility policy.
//! - `policy_io`: the host's own JSON forms of a policy's inputs and answers (simulation
//!   scenarios, logged decisions, traces), converted to and from the WIT types at one edge.
//! - `log`: the call log record, stored as `log_codec` encodes it; `instruction`: what the platform is told; `push`: later
//!   updates streamed to the platform and to agents; `live`: a call in progress; `clock`:
//!   company-local time; `metrics`: decision counters.

pub mod agent_state;
mod board;
mod candidates;
mod center;
pub mod clock;
mod decision_kind;
mod diagnose;
mod directory_adapter;
mod dispatch;
mod finish;
mod in_service;
mod instruction;
mod journal;
pub mod journal_store;
mod live;
mod log;
pub mod log_codec;
pub mod logbook;
mod metrics;
mod outcomes;
mod overflow;
mod policies;
pub mod policy_io;
mod push;
mod queue;
pub mod registry;
mod restore;
mod roster;
mod roster_cache;
mod routing;
mod run_source;
mod status;
mod stored;
mod stuck;
#[cfg(test)]
mod tests;
mod trace;

pub use board::{
    Activity, BoardDetail, BoardEntry, BoardError, BoardStatus, BoardView, BoardViewer, role_name,
    status_name,
};
pub use center::{CallCenter, CallError, CallSettings, DEFAULT_MAX_CALL_MS};
pub use decision_kind::{DecisionKind, UnknownDecision};
pub use diagnose::Diagnosis;
pub use in_service::InService;
pub use instruction::{CallUpdate, Instruction, Target};
pub use journal::{JournalError, LiveChange, LiveJournal, LiveSnapshot, Volatile, decision_key};
pub use live::{LiveCall, Pinned, Stage};
pub use log::{
    CallLog, CallOutcome, DecisionRecord, Offer, OfferOutcome, OverflowActionKind, OverflowRecord,
    PolicyRun,
};
pub use metrics::{CallMetrics, Histogram, LATENCY_BUCKETS_US, QUEUE_BUCKETS_MS};
pub use outcomes::CallEvent;
pub use overflow::reason_name;
pub use policies::{
    Activated, ActivePolicy, Answer, CacheStats, DEFAULT_POLICY_CACHE, DEFAULT_POLICY_CACHE_BYTES,
    LoadFailed, Policies, PolicyCache, PolicySource, QUARANTINE, QUARANTINE_AFTER,
    RETRY_LOAD_AFTER, StateSaveError, StateSink,
};
pub use push::{PushEvent, PushHub, PushRelay, RETAINED, Subscription};
pub use queue::{Queues, Waiting};
pub use registry::{
    AgentBook, AgentLive, AgentView, CallRef, DayStats, Engagement, LocalAgents, Phase, Registry,
    RegistryError, Reserved, Sweep,
};
pub use restore::Restored;
pub use roster::{CompanyInfo, Member, NumberRoute, Roster};
pub use roster_cache::CachedRoster;
pub use routing::IncomingCall;
pub use run_source::{FallbackCause, RunSource, UnknownSource};
pub use status::{CallStage, CallStatus, PresenceView};
pub use stored::{StoredAgent, StoredCall, StoredStage, StoredStats};
pub use stuck::{EngagedAs, Released};
pub use switchyard_directory::{AgentId, CompanyId, DepartmentId};
pub use trace::{MemberTrace, Reason};
