//! Live state of every agent across all companies: logged in or not, and the one call (if any)
//! it is offered, connected to or wrapping up. This is where "one live call at a time across all
//! companies" is enforced, behind [`AgentBook`]: in this process's memory under one lock
//! ([`LocalAgents`], the embedded store and a single serving node), or in the shared database
//! by a conditional update (`crate::cluster::SharedAgents`, several nodes serving one
//! PostgreSQL database).

use std::ops::Deref;
use std::sync::Arc;

use switchyard_runtime::Presence;

pub use super::agent_state::{
    AgentId, AgentLive, CallRef, CompanyId, DayStats, Engagement, Phase, RegistryError,
};
use super::journal::LiveJournal;

mod local;
pub use local::LocalAgents;

/// What [`AgentBook::sweep`] changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Offers that lapsed without an outcome: (agent, call).
    pub lapsed_offers: Vec<(AgentId, CallRef)>,
    /// Agents whose wrap-up ended and who are free again.
    pub freed: Vec<AgentId>,
    /// Connected calls older than the maximum call duration: (agent, call).
    pub overdue: Vec<(AgentId, CallRef)>,
}

/// The agents [`AgentBook::reserve`] reserved, and the time it reserved them at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reserved {
    /// Agents now offered the call, in the order asked.
    pub agents: Vec<AgentId>,
    /// When they were reserved (unix ms): never before any earlier change of the registry.
    pub at_ms: u64,
}

/// How one company sees one agent when deciding a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentView {
    /// Presence as the company sees it (another company's work is `busy-elsewhere`).
    pub presence: Presence,
    /// Milliseconds idle (0 unless idle).
    pub idle_ms: u64,
    /// The agent's counters of the company's local day.
    pub stats: DayStats,
}

/// Where agents' live state is kept and changed. Every change is atomic: no agent is ever
/// engaged with two calls.
pub trait AgentBook: Send + Sync + 'static {
    /// Put back agents' live state and counters read from the journal (at start-up), where
    /// this book is the journal's in-memory copy; a book whose store is the only copy (a
    /// cluster's) keeps what its store holds.
    fn restore(
        &self,
        agents: Vec<(AgentId, AgentLive)>,
        stats: Vec<((CompanyId, AgentId), DayStats)>,
    );

    /// The live state of every agent this call flow answers for (all of them, or on a cluster
    /// node those engaged with its own calls), for reconciling restored calls.
    fn snapshot(&self) -> Vec<(AgentId, AgentLive)>;

    /// Replace an agent's engagement while restoring (no checks: the caller reconciles the
    /// journal's agents with its calls). Freed at `now_ms` when `engagement` is `None`.
    fn set_engagement(&self, agent: AgentId, engagement: Option<Engagement>, now_ms: u64);

    /// Free `agent` from its engagement with `call` in `company`, whatever its phase (an
    /// administrator releasing a stuck agent). Returns the engagement it had; `None`, changing
    /// nothing, when the agent is no longer engaged with that call (it moved on meanwhile).
    fn force_release(
        &self,
        agent: AgentId,
        company: CompanyId,
        call: CallRef,
        now_ms: u64,
    ) -> Option<Engagement>;

    /// Log the agent in or out of the agent app. Logging out while offered releases the offer
    /// (returned); an agent on a call stays on it until the call ends.
    fn set_logged_in(&self, agent: AgentId, logged_in: bool, now_ms: u64) -> Option<CallRef>;

    /// A copy of the agent's live state.
    fn get(&self, agent: AgentId) -> AgentLive;

    /// How `company` sees each of `agents` at `now_ms`, with its counters of `local_day`.
    fn views(
        &self,
        company: CompanyId,
        agents: &[AgentId],
        now_ms: u64,
        local_day: i32,
    ) -> Vec<AgentView>;

    /// Atomically offer `call` to as many of `agents` as are free, in order; returns those
    /// reserved and when. No agent is ever reserved for two calls.
    fn reserve(
        &self,
        company: CompanyId,
        call: CallRef,
        agents: &[AgentId],
        now_ms: u64,
        expires_at_ms: &[u64],
    ) -> Reserved;

    /// Withdraw `call`'s offer to `agent` (declined, no answer, withdrawn). Returns whether the
    /// agent was offered this call.
    fn release(&self, agent: AgentId, call: CallRef, now_ms: u64) -> bool;

    /// `agent` answered `call`: it is now on the call.
    fn connect(&self, agent: AgentId, call: CallRef, now_ms: u64) -> Result<(), RegistryError>;

    /// `call` ended for `agent`: wrap-up starts (for `wrap_up_ms`), today's counters move.
    /// Returns the talk time in milliseconds.
    fn end(
        &self,
        agent: AgentId,
        call: CallRef,
        now_ms: u64,
        wrap_up_ms: u64,
        local_day: i32,
    ) -> Result<u64, RegistryError>;

    /// Today's counters of `agent` in `company` (zero if the day changed).
    fn day_stats(&self, company: CompanyId, agent: AgentId, local_day: i32) -> DayStats;

    /// Expire lapsed offers and finished wrap-ups at `now_ms`, and report connected calls
    /// that started `max_call_ms` or longer ago (they stay connected: the caller ends them).
    fn sweep(&self, now_ms: u64, max_call_ms: u64) -> Sweep;

    /// Whether an agent became free since the last call through another node sharing the
    /// book (its queued calls should be tried now). Never for the in-memory book.
    fn freed_elsewhere(&self) -> bool {
        false
    }

    /// Whether this node may act on live state now. A cluster node whose heartbeats stopped
    /// reaching the database may not: another node may adopt its calls. Always for the
    /// in-memory book.
    fn may_act(&self) -> bool {
        true
    }

    /// A change that could not be stored since the last call, if any: the call flow is then
    /// behind the store and must be restored from it. Never for the in-memory book.
    fn take_failure(&self) -> Option<switchyard_directory::StoreError> {
        None
    }

    /// How `company` sees the agent at `now_ms`: presence and idle milliseconds.
    fn presence(&self, company: CompanyId, agent: AgentId, now_ms: u64) -> (Presence, u64) {
        self.views(company, &[agent], now_ms, 0)
            .first()
            .map_or((Presence::LoggedOut, 0), |v| (v.presence, v.idle_ms))
    }
}

/// Agents' live state, wherever it is kept.
pub struct Registry {
    book: Arc<dyn AgentBook>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry").finish_non_exhaustive()
    }
}

impl Registry {
    /// An empty in-memory registry staging its changes in `journal`.
    pub fn with_journal(journal: Arc<dyn LiveJournal>) -> Self {
        Self::over(Arc::new(LocalAgents::with_journal(journal)))
    }

    /// A registry over `book` (a cluster node's shared one).
    pub fn over(book: Arc<dyn AgentBook>) -> Self {
        Self { book }
    }

    /// The book itself, to share with a successor call flow.
    pub fn book(&self) -> Arc<dyn AgentBook> {
        Arc::clone(&self.book)
    }
}

impl Deref for Registry {
    type Target = dyn AgentBook;

    fn deref(&self) -> &Self::Target {
        &*self.book
    }
}

#[cfg(test)]
mod tests;
