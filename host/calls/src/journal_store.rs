//! [`RecordJournal`]: the embedded [`LiveJournal`], in the record trees of the sled database
//! the directory lives in. Each staged batch is one atomic write of the record store; a sync
//! joins the database's group commit, and returns at once when nothing was staged since the
//! last one. A finished call's log (with its trace index) is written in the same batch that
//! deletes the live call and its decisions.
//!
//! Not durable (`--volatile-live-state`), it keeps only finished calls' logs, and clears any
//! live state an earlier durable run left behind.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use switchyard_directory::AgentId;
use switchyard_directory::CompanyId;

use serde::Serialize;
use serde::de::DeserializeOwned;
use switchyard_directory::{Entry, RecordStore, RecordTree, RecordWrite};

use crate::log_codec;
use crate::logbook::{log_key, split_key};
use crate::{
    AgentLive, CallLog, DayStats, DecisionRecord, JournalError, LiveChange, LiveJournal,
    LiveSnapshot, StoredAgent, StoredCall, StoredStats, decision_key,
};

thread_local! {
    /// Whether this thread staged a batch since its last sync. A use case runs on one thread
    /// from its first change to its commit, so a use case that changed nothing durable (a
    /// volatile run's `answered`) does not wait for an fsync of other requests' changes.
    static STAGED_HERE: Cell<bool> = const { Cell::new(false) };
}

/// Live state and call logs in a [`RecordStore`].
pub struct RecordJournal {
    records: Arc<dyn RecordStore>,
    durable: bool,
    /// Batches staged so far.
    staged: AtomicU64,
    /// Batches known durable.
    synced: AtomicU64,
    /// A staged batch failed since the last sync: the next sync reports it.
    failed: AtomicBool,
    /// Fenced ([`LiveJournal::fence`]): every later change is refused.
    fenced: AtomicBool,
}

impl RecordJournal {
    /// A journal over `records`; `durable` keeps live state across restarts.
    pub fn new(records: Arc<dyn RecordStore>, durable: bool) -> Self {
        Self {
            records,
            durable,
            staged: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            fenced: AtomicBool::new(false),
        }
    }

    fn writes(
        &self,
        change: &mut LiveChange,
        out: &mut Vec<RecordWrite>,
    ) -> Result<(), JournalError> {
        match change {
            LiveChange::Agent(agent, live) => {
                if self.durable {
                    let stored = StoredAgent::from(&*live);
                    out.push(put(
                        RecordTree::LiveAgents,
                        agent.to_be_bytes().to_vec(),
                        &stored,
                    )?);
                }
            }
            LiveChange::Stats(company, agent, stats) => {
                if self.durable {
                    let key = [company.to_be_bytes(), agent.to_be_bytes()].concat();
                    out.push(put(RecordTree::LiveStats, key, &StoredStats::from(*stats))?);
                }
            }
            LiveChange::Call(call) => {
                if self.durable {
                    let key = call.call_ref.to_be_bytes().to_vec();
                    out.push(put_compressed(RecordTree::LiveCalls, key, &**call)?);
                }
            }
            LiveChange::Decision(call, index, decision) => {
                if self.durable {
                    let key = decision_key(*call, *index);
                    out.push(put_compressed(RecordTree::LiveDecisions, key, &**decision)?);
                }
            }
            LiveChange::Finished {
                call,
                decisions,
                log,
            } => {
                log.seq = self.records.next_seq().map_err(JournalError::Store)?;
                let key = log_key(log.company_id, log.seq);
                let body = log_codec::encode(log).map_err(JournalError::Log)?;
                out.push((RecordTree::CallLogs, key.clone(), Some(body)));
                for d in &log.decisions {
                    out.push((
                        RecordTree::TraceIndex,
                        d.trace_id.as_bytes().to_vec(),
                        Some(key.clone()),
                    ));
                }
                if self.durable {
                    out.push((RecordTree::LiveCalls, call.to_be_bytes().to_vec(), None));
                    for i in 0..*decisions {
                        out.push((RecordTree::LiveDecisions, decision_key(*call, i), None));
                    }
                }
            }
        }
        Ok(())
    }

    fn all(&self, tree: RecordTree) -> Result<Vec<Entry>, JournalError> {
        self.records
            .scan(tree, &[], None, false, usize::MAX)
            .map_err(JournalError::Store)
    }

    /// Forget live state an earlier durable run left (this run keeps none).
    fn clear(&self) -> Result<(), JournalError> {
        let mut writes = Vec::new();
        for tree in [
            RecordTree::LiveAgents,
            RecordTree::LiveStats,
            RecordTree::LiveCalls,
            RecordTree::LiveDecisions,
        ] {
            for (key, _) in self.all(tree)? {
                writes.push((tree, key, None));
            }
        }
        if !writes.is_empty() {
            tracing::warn!(
                records = writes.len(),
                "volatile live state: clearing the live state a durable run left"
            );
            self.records.write(&writes).map_err(JournalError::Store)?;
        }
        Ok(())
    }
}

impl LiveJournal for RecordJournal {
    fn is_durable(&self) -> bool {
        self.durable
    }

    fn load(&self) -> Result<LiveSnapshot, JournalError> {
        if !self.durable {
            self.clear()?;
            return Ok(LiveSnapshot::default());
        }
        let mut snapshot = LiveSnapshot::default();
        for (key, value) in self.all(RecordTree::LiveAgents)? {
            let agent = id_of(&key, 0, "live agent")?;
            let stored: StoredAgent = decode(&value, "live agent")?;
            snapshot
                .agents
                .push((AgentId(agent), AgentLive::from(stored)));
        }
        for (key, value) in self.all(RecordTree::LiveStats)? {
            let company = id_of(&key, 0, "live counters")?;
            let agent = id_of(&key, 8, "live counters")?;
            let stored: StoredStats = decode(&value, "live counters")?;
            snapshot
                .stats
                .push(((CompanyId(company), AgentId(agent)), DayStats::from(stored)));
        }
        for (_, value) in self.all(RecordTree::LiveCalls)? {
            let call: StoredCall = decode_compressed(&value, "live call")?;
            let prefix = call.call_ref.to_be_bytes();
            let decisions = self
                .records
                .scan(RecordTree::LiveDecisions, &prefix, None, false, usize::MAX)
                .map_err(JournalError::Store)?
                .into_iter()
                .map(|(_, v)| decode_compressed::<DecisionRecord>(&v, "live decision"))
                .collect::<Result<Vec<_>, _>>()?;
            snapshot.calls.push((call, decisions));
        }
        Ok(snapshot)
    }

    fn stage(&self, changes: &mut [LiveChange]) -> Result<(), JournalError> {
        if self.fenced.load(Ordering::Acquire) {
            return Err(JournalError::Fenced);
        }
        let mut writes = Vec::with_capacity(changes.len());
        for change in changes.iter_mut() {
            self.writes(change, &mut writes)?;
        }
        if writes.is_empty() {
            return Ok(());
        }
        match self.records.write_lazily(&writes) {
            Ok(()) => {
                self.staged.fetch_add(1, Ordering::AcqRel);
                STAGED_HERE.with(|here| here.set(true));
                Ok(())
            }
            Err(e) => {
                self.failed.store(true, Ordering::Release);
                Err(JournalError::Store(e))
            }
        }
    }

    fn sync(&self) -> Result<(), JournalError> {
        if self.fenced.load(Ordering::Acquire) {
            return Err(JournalError::Fenced);
        }
        let target = self.staged.load(Ordering::Acquire);
        let failed = self.failed.swap(false, Ordering::AcqRel);
        let staged_here = STAGED_HERE.with(|here| here.replace(false));
        if !failed && (!staged_here || self.synced.load(Ordering::Acquire) >= target) {
            return Ok(());
        }
        self.records.sync().map_err(JournalError::Store)?;
        self.synced.fetch_max(target, Ordering::AcqRel);
        if failed {
            return Err(JournalError::Store(
                switchyard_directory::StoreError::EarlierWriteFailed,
            ));
        }
        Ok(())
    }

    fn staged_count(&self) -> u64 {
        self.staged.load(Ordering::Acquire)
    }

    fn synced_count(&self) -> u64 {
        self.synced.load(Ordering::Acquire)
    }

    fn next_id(&self) -> Result<u64, JournalError> {
        self.records.next_seq().map_err(JournalError::Store)
    }

    fn fence(&self) {
        self.fenced.store(true, Ordering::Release);
    }

    fn reopen(&self) -> Arc<dyn LiveJournal> {
        Arc::new(RecordJournal::new(Arc::clone(&self.records), self.durable))
    }

    fn logged_decision(&self, trace_id: &str) -> Option<(CompanyId, DecisionRecord)> {
        let key = self
            .records
            .get(RecordTree::TraceIndex, trace_id.as_bytes())
            .ok()??;
        let (company, _) = split_key(&key)?;
        let body = self.records.get(RecordTree::CallLogs, &key).ok()??;
        let log: CallLog = log_codec::decode(&body).ok()?;
        let d = log.decisions.into_iter().find(|d| d.trace_id == trace_id)?;
        Some((company, d))
    }
}

fn put<T: Serialize>(
    tree: RecordTree,
    key: Vec<u8>,
    value: &T,
) -> Result<RecordWrite, JournalError> {
    let body = serde_json::to_vec(value).map_err(|source| JournalError::Codec {
        what: tree.name().to_owned(),
        source,
    })?;
    Ok((tree, key, Some(body)))
}

/// Live calls and decisions are tens of kilobytes of repetitive JSON (a decision's trace has a
/// line per member): stored LZ4-compressed, as call logs are, they cost sled a fraction of
/// the pages to write, sync and collect.
fn put_compressed<T: Serialize>(
    tree: RecordTree,
    key: Vec<u8>,
    value: &T,
) -> Result<RecordWrite, JournalError> {
    let body = log_codec::encode_json(value).map_err(JournalError::Log)?;
    Ok((tree, key, Some(body)))
}

fn decode_compressed<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, JournalError> {
    log_codec::decode_json(bytes).map_err(|source| JournalError::Record {
        what: what.to_owned(),
        source,
    })
}

fn decode<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, JournalError> {
    serde_json::from_slice(bytes).map_err(|source| JournalError::Codec {
        what: what.to_owned(),
        source,
    })
}

fn id_of(key: &[u8], at: usize, what: &str) -> Result<u64, JournalError> {
    key.get(at..at + 8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| JournalError::Codec {
            what: what.to_owned(),
            source: serde::de::Error::custom("short key"),
        })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use switchyard_directory::Directory;

    use super::RecordJournal;
    use crate::{
        AgentId, AgentLive, CallUpdate, CompanyId, DepartmentId, Instruction, LiveChange,
        LiveJournal, PushHub,
    };

    fn update(call_id: &str) -> CallUpdate {
        CallUpdate {
            call_id: call_id.to_owned(),
            company_id: CompanyId(1),
            department_id: DepartmentId(2),
            trace_id: None,
            step: 1,
            instruction: Instruction::Done,
        }
    }

    /// A pushed update describing a change is held until that change is durable: a use case
    /// that staged nothing does not release another's update before its sync.
    #[test]
    fn a_pushed_update_waits_for_the_sync_of_its_change() {
        let dir = tempfile::tempdir().unwrap();
        let (_directory, records) = Directory::open_with_records(dir.path()).unwrap();
        let journal: Arc<dyn LiveJournal> = Arc::new(RecordJournal::new(Arc::new(records), true));
        let hub = PushHub::new(16, Arc::clone(&journal));
        let mut feed = hub.subscribe();

        // Another thread stages a change and publishes its update, but has not synced yet.
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut change = [LiveChange::Agent(AgentId(7), AgentLive::default())];
                journal.stage(&mut change).unwrap();
                hub.publish("+1", 0, vec![AgentId(7)], update("c-1"), true);
            });
        });
        // This thread staged nothing: its sync returns at once and releases nothing.
        journal.sync().unwrap();
        hub.release_durable();
        assert!(
            feed.try_recv().is_err(),
            "released before its change was durable"
        );

        // The publishing use case's sync makes it durable; the update goes out.
        std::thread::scope(|s| {
            s.spawn(|| {
                let mut change = [LiveChange::Agent(AgentId(8), AgentLive::default())];
                journal.stage(&mut change).unwrap();
                journal.sync().unwrap();
            });
        });
        hub.release_durable();
        assert_eq!(feed.try_recv().unwrap().update.call_id, "c-1");
    }
}
