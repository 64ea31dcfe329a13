//! The seam between the call flow's live state and where it is kept: [`LiveJournal`].
//!
//! The call flow keeps its working copy of live state in memory (agents' engagements and
//! presence, today's counters, live calls with their offers, queue places and decisions) and
//! stages every change here as it makes it, in the order it makes it. A use case (a new call,
//! an event, a log-in, a sweep) ends with one [`LiveJournal::sync`]: once it returns, every
//! change staged so far is durable, so nothing acknowledged is lost. A finished call's log is
//! staged in the same batch that removes the live call, so a call is logged exactly once.
//!
//! The embedded implementation keeps the journal in the sled database next to the directory
//! (`crate::journal_store`); a second backend (several nodes on one database) implements the
//! same trait. A volatile journal (live state not kept, logs still stored) serves tests and
//! benches that measure what durability costs.

use super::log::{CallLog, DecisionRecord};
use super::registry::{AgentId, AgentLive, CallRef, CompanyId, DayStats};
use super::stored::StoredCall;
use switchyard_directory::DepartmentId;

/// Why the journal could not keep or read live state.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The storage backend failed.
    #[error("live-state storage failed")]
    Store(#[source] switchyard_directory::StoreError),
    /// A record could not be encoded or decoded.
    #[error("live-state record {what} is unreadable")]
    Codec {
        /// Which record.
        what: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A call log could not be encoded.
    #[error("call log could not be encoded")]
    Log(#[source] crate::log_codec::LogCodecError),
    /// The journal was fenced: the call flow that owns it is being rebuilt from what is
    /// durable, and accepts no change any more.
    #[error("live state is being restored from the database after a failed write")]
    Fenced,
    /// A compressed live-state record could not be read.
    #[error("live-state record {what} is unreadable")]
    Record {
        /// Which record.
        what: String,
        /// Why.
        #[source]
        source: crate::log_codec::LogCodecError,
    },
}

/// One change of live state, staged in the order it happened.
#[derive(Debug, Clone)]
pub enum LiveChange {
    /// An agent's live state (presence, engagement, free since).
    Agent(AgentId, AgentLive),
    /// An agent's counters of today in one company.
    Stats(CompanyId, AgentId, DayStats),
    /// A live call as it is now (without its decisions, which are staged once each).
    Call(Box<StoredCall>),
    /// A decision made for a live call: its position in the call's decisions and the record.
    Decision(CallRef, u32, Box<DecisionRecord>),
    /// The call finished: store its log (assigning `seq` and indexing its traces) and forget
    /// the live call and its `decisions` staged decisions, in one atomic batch.
    Finished {
        /// The live call to forget.
        call: CallRef,
        /// How many decisions were staged for it.
        decisions: u32,
        /// Its complete log.
        log: Box<CallLog>,
    },
}

/// Everything a journal holds, read at start-up.
#[derive(Debug, Default)]
pub struct LiveSnapshot {
    /// Agents' live state.
    pub agents: Vec<(AgentId, AgentLive)>,
    /// Counters of today, per company and agent.
    pub stats: Vec<((CompanyId, AgentId), DayStats)>,
    /// Live calls, each with its decisions in order.
    pub calls: Vec<(StoredCall, Vec<DecisionRecord>)>,
}

/// Where live state is kept.
pub trait LiveJournal: Send + Sync + 'static {
    /// Whether live state survives a restart (`false`: only finished calls' logs are kept).
    fn is_durable(&self) -> bool;
    /// Everything kept, for restoring live state at start-up: live calls with their decisions,
    /// and agents' state and counters where this journal keeps them (a cluster node's are in
    /// the shared database, its `AgentBook`: none here).
    fn load(&self) -> Result<LiveSnapshot, JournalError>;
    /// Applies `changes` atomically, in order; durable with the next [`LiveJournal::sync`].
    /// `Finished` assigns the log's `seq`.
    fn stage(&self, changes: &mut [LiveChange]) -> Result<(), JournalError>;
    /// Returns once every change this thread staged is durable (shared with concurrent
    /// callers; at once when it staged nothing).
    fn sync(&self) -> Result<(), JournalError>;
    /// How many batches have been staged so far.
    fn staged_count(&self) -> u64;
    /// Every batch up to this count is durable.
    fn synced_count(&self) -> u64;
    /// A fresh id, increasing and unique for the life of the database (also across restarts).
    fn next_id(&self) -> Result<u64, JournalError>;
    /// A decision from a stored log, by trace id, with its company.
    fn logged_decision(&self, trace_id: &str) -> Option<(CompanyId, DecisionRecord)>;
    /// Refuses every later change: [`LiveJournal::stage`] and [`LiveJournal::sync`] fail with
    /// [`JournalError::Fenced`]. For a call flow whose memory may be ahead of what is durable
    /// (a write failed), about to be replaced by one restored from the journal.
    fn fence(&self);
    /// A journal over the same storage, not fenced, for the call flow that replaces this
    /// one's.
    fn reopen(&self) -> std::sync::Arc<dyn LiveJournal>;

    /// Claims `call_id` of `platform` for the new live call `call` where several nodes share
    /// the storage; `false` when another node holds a live call with that id. Nothing to
    /// claim on a single node.
    fn claim_call(
        &self,
        _platform: u64,
        _call_id: &str,
        _call: CallRef,
    ) -> Result<bool, JournalError> {
        Ok(true)
    }

    /// At a restore: `restored` are every live call this call flow has; a claim of another
    /// call (taken by a new call whose first change never became durable) goes, so the
    /// platform's retry of that call is taken afresh. Nothing to do on a single node.
    fn prune_claims(&self, _restored: &[CallRef]) -> Result<(), JournalError> {
        Ok(())
    }

    /// Whether another node sharing the storage holds a queued call ahead of one with
    /// `priority` queued since `since_ms` (serving order: higher priority, then older) in one
    /// of `departments` (company, department): that call is served first, by its node.
    fn queued_ahead(
        &self,
        _departments: &[(CompanyId, DepartmentId)],
        _priority: u8,
        _since_ms: u64,
    ) -> bool {
        false
    }
}

/// Key of a live call's decision: the call ++ its position (both big-endian), so a call's
/// decisions sort together and in order.
pub fn decision_key(call: CallRef, index: u32) -> Vec<u8> {
    [
        call.to_be_bytes().as_slice(),
        index.to_be_bytes().as_slice(),
    ]
    .concat()
}

/// A journal that keeps nothing, not even logs: for unit tests of the call flow's parts.
#[derive(Debug, Default)]
pub struct Volatile {
    ids: std::sync::atomic::AtomicU64,
}

impl LiveJournal for Volatile {
    fn is_durable(&self) -> bool {
        false
    }

    fn load(&self) -> Result<LiveSnapshot, JournalError> {
        Ok(LiveSnapshot::default())
    }

    fn stage(&self, changes: &mut [LiveChange]) -> Result<(), JournalError> {
        for change in changes {
            if let LiveChange::Finished { log, .. } = change {
                log.seq = self.next_id()?;
            }
        }
        Ok(())
    }

    fn sync(&self) -> Result<(), JournalError> {
        Ok(())
    }

    fn fence(&self) {}

    fn reopen(&self) -> std::sync::Arc<dyn LiveJournal> {
        std::sync::Arc::new(Volatile {
            ids: std::sync::atomic::AtomicU64::new(
                self.ids.load(std::sync::atomic::Ordering::Relaxed),
            ),
        })
    }

    fn staged_count(&self) -> u64 {
        0
    }

    fn synced_count(&self) -> u64 {
        0
    }

    fn next_id(&self) -> Result<u64, JournalError> {
        Ok(self.ids.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1)
    }

    fn logged_decision(&self, _trace_id: &str) -> Option<(CompanyId, DecisionRecord)> {
        None
    }
}
