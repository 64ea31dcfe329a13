//! The `LiveJournal` suite: what a journal of the call flow's live state promises, checked on
//! the embedded journal over sled, the same over PostgreSQL's record trees, and a cluster
//! node's journal (which claims its calls in the shared database), from the same bodies. A
//! check opens a journal, drops it and opens another over the same storage where it checks
//! what became durable.

use std::sync::Arc;

use switchyard::calls::policy_io::{self, Weekday};
use switchyard::calls::{
    AgentId, AgentLive, CallLog, CallOutcome, CallRef, CompanyId, DayStats, DecisionKind,
    DecisionRecord, DepartmentId, Engagement, JournalError, LiveChange, LiveJournal, Phase,
    PolicyRun, RunSource, StoredCall, StoredStage,
};
use switchyard::cluster::{CallOwners, ClusterJournal, ClusterQueue};
use switchyard::journal_store::RecordJournal;
use switchyard_directory::RecordStore;

use super::{Backend, Place, pool};

/// Declares one `#[test]` per (check, journal): `check: sled, postgres, cluster;`.
macro_rules! live_journal {
    ($($check:ident: $($kind:ident),+;)+) => {
        $(
            mod $check {
                $(
                    #[test]
                    fn $kind() {
                        super::$check(&super::Storage::$kind());
                    }
                )+
            }
        )+
    };
}

live_journal! {
    staged_changes_load_back_after_a_sync: sled, postgres, cluster;
    a_finished_call_is_logged_once_and_forgotten: sled, postgres, cluster;
    ids_stay_fresh_across_a_reopening: sled, postgres, cluster;
    a_fenced_journal_refuses_changes_and_its_reopening_takes_them: sled, postgres, cluster;
    counts_follow_staging_and_syncing: sled, postgres, cluster;
}

const CO: CompanyId = CompanyId(3);
const DEPT: DepartmentId = DepartmentId(30);
const AGENT: AgentId = AgentId(7);
const PLATFORM: u64 = 5;

/// Where a journal under test keeps live state, and which kind of journal it is.
struct Storage {
    name: &'static str,
    backend: Backend,
    /// A cluster node's journal, this node's id; `None`: the embedded journal.
    node: Option<u64>,
}

impl Storage {
    fn sled() -> Self {
        Self::of("sled", Backend::sled(), false)
    }

    fn postgres() -> Self {
        Self::of("postgres", Backend::postgres(), false)
    }

    fn cluster() -> Self {
        Self::of("cluster", Backend::postgres(), true)
    }

    fn of(name: &'static str, backend: Backend, clustered: bool) -> Self {
        let node = clustered.then(|| {
            let pg = pool(backend.url());
            switchyard::cluster::members::new_id(&pg).unwrap()
        });
        Self {
            name,
            backend,
            node,
        }
    }

    /// A journal over this storage, opened (again): drop the previous one first (sled locks
    /// its database).
    fn open(&self) -> Arc<dyn LiveJournal> {
        let records: Arc<dyn RecordStore> = Arc::from(self.backend.records());
        let embedded = Arc::new(RecordJournal::new(Arc::clone(&records), true));
        let Some(node) = self.node else {
            return embedded;
        };
        let pg = Arc::new(pool(self.backend.url()));
        let lazy = Arc::new(
            pg.with_session_options("-c synchronous_commit=off")
                .unwrap(),
        );
        Arc::new(ClusterJournal::new(
            embedded,
            records,
            CallOwners::new(Arc::clone(&pg), Arc::clone(&lazy), node),
            ClusterQueue::new(pg, lazy, node),
        ))
    }
}

impl Backend {
    /// The connection string of a PostgreSQL backend.
    fn url(&self) -> &str {
        match &self.place {
            Place::Postgres { url, .. } => url,
            Place::Sled { .. } => unreachable!("a PostgreSQL backend"),
        }
    }
}

/// A live call as the call flow stages it: ringing `AGENT` since `t`.
fn live_call(call: CallRef, call_id: &str, t: u64) -> StoredCall {
    StoredCall {
        v: 1,
        call_ref: call,
        platform: PLATFORM,
        call_id: call_id.to_owned(),
        company: CO,
        number: "+918000000001".to_owned(),
        caller: "+919000000000".to_owned(),
        department: DEPT,
        attributes: Vec::new(),
        max_targets: None,
        attempt: 1,
        tried: vec![AGENT],
        forwards: 0,
        stage: StoredStage::Ringing,
        plan: None,
        ringing: vec![AGENT],
        waiting: None,
        started_ms: t,
        answered_ms: None,
        seed: 42,
        policy_version: 0,
        last_trace: Some(format!("t{call}-1")),
        steps: 1,
        log: log(call_id, t, Vec::new()),
    }
}

/// The log of `call_id`, started at `t`, with `decisions`.
fn log(call_id: &str, t: u64, decisions: Vec<DecisionRecord>) -> CallLog {
    CallLog {
        seq: 0,
        call_id: call_id.to_owned(),
        company_id: CO,
        number: "+918000000001".to_owned(),
        caller: "+919000000000".to_owned(),
        department_id: DEPT,
        started_ms: t,
        ended_ms: t + 5_000,
        outcome: CallOutcome::Abandoned,
        answered_by: None,
        answered_extension: None,
        released_by: None,
        wait_ms: 5_000,
        ring_ms: 5_000,
        talk_ms: 0,
        offers: Vec::new(),
        overflows: Vec::new(),
        decisions,
    }
}

/// The first decision of `call`, made at `t`.
fn decision(call: CallRef, t: u64) -> DecisionRecord {
    DecisionRecord {
        trace_id: format!("t{call}-1"),
        attempt: 1,
        at_ms: t,
        department_id: DEPT,
        policy: PolicyRun {
            name: "built-in".to_owned(),
            version: 0,
            source: RunSource::BuiltIn,
            elapsed_us: 12,
        },
        decision: DecisionKind::Ring,
        members: Vec::new(),
        input_call: policy_io::Call {
            id: call.to_string(),
            company: CO.get(),
            dialled_number: "+918000000001".to_owned(),
            caller: "+919000000000".to_owned(),
            department: DEPT.get(),
            attempt: 1,
            waited_ms: 0,
            now_unix_ms: t,
            local_weekday: Weekday::Monday,
            local_minute: 600,
            seed: 42,
            tried: Vec::new(),
            attributes: Vec::new(),
            skills: Vec::new(),
        },
        input_candidates: Vec::new(),
    }
}

/// A new call: claimed (on a cluster) and staged with its first decision.
fn stage_new_call(journal: &dyn LiveJournal, call: CallRef, call_id: &str, t: u64) {
    assert!(journal.claim_call(PLATFORM, call_id, call).unwrap());
    let mut changes = [
        LiveChange::Call(Box::new(live_call(call, call_id, t))),
        LiveChange::Decision(call, 0, Box::new(decision(call, t))),
    ];
    journal.stage(&mut changes).unwrap();
}

fn staged_changes_load_back_after_a_sync(storage: &Storage) {
    let name = storage.name;
    let t = 1_796_000_000_000;
    let call = CallRef(11);
    let live = AgentLive {
        logged_in: true,
        free_since_ms: t - 1,
        engagement: Some(Engagement {
            company: CO,
            call,
            phase: Phase::Offered {
                expires_at_ms: t + 25_000,
            },
        }),
    };
    let stats = DayStats {
        day: 20_400,
        calls: 2,
        talk_ms: 90_000,
    };
    {
        let journal = storage.open();
        stage_new_call(&*journal, call, "c-11", t);
        let mut changes = [
            LiveChange::Agent(AGENT, live),
            LiveChange::Stats(CO, AGENT, stats),
        ];
        journal.stage(&mut changes).unwrap();
        journal.sync().unwrap();
    }
    let loaded = storage.open().load().unwrap();
    if storage.node.is_none() {
        assert!(loaded.agents.contains(&(AGENT, live)), "{name}: {loaded:?}");
        assert!(loaded.stats.contains(&((CO, AGENT), stats)), "{name}");
    } else {
        // A cluster node's agents are kept in the shared database (`AgentBook`), not here.
        assert!(
            loaded.agents.is_empty() && loaded.stats.is_empty(),
            "{name}"
        );
    }
    assert_eq!(loaded.calls.len(), 1, "{name}: {:?}", loaded.calls);
    let (stored, decisions) = &loaded.calls[0];
    assert_eq!(*stored, live_call(call, "c-11", t), "{name}");
    assert_eq!(*decisions, vec![decision(call, t)], "{name}");
}

fn a_finished_call_is_logged_once_and_forgotten(storage: &Storage) {
    let name = storage.name;
    let t = 1_796_000_100_000;
    let call = CallRef(12);
    {
        let journal = storage.open();
        stage_new_call(&*journal, call, "c-12", t);
        let mut finished = [LiveChange::Finished {
            call,
            decisions: 1,
            log: Box::new(log("c-12", t, vec![decision(call, t)])),
        }];
        journal.stage(&mut finished).unwrap();
        let LiveChange::Finished { log, .. } = &finished[0] else {
            unreachable!()
        };
        assert!(log.seq > 0, "{name}: the log's seq is assigned when staged");
        journal.sync().unwrap();
    }
    let journal = storage.open();
    let loaded = journal.load().unwrap();
    assert!(loaded.calls.is_empty(), "{name}: {:?}", loaded.calls);
    let (company, found) = journal.logged_decision("t12-1").expect("logged");
    assert_eq!((company, found), (CO, decision(call, t)), "{name}");
    assert_eq!(journal.logged_decision("t12-2"), None, "{name}");
}

fn ids_stay_fresh_across_a_reopening(storage: &Storage) {
    let name = storage.name;
    let mut seen = Vec::new();
    {
        let journal = storage.open();
        for _ in 0..100 {
            seen.push(journal.next_id().unwrap());
        }
    }
    let journal = storage.open();
    for _ in 0..100 {
        seen.push(journal.next_id().unwrap());
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{name}: {seen:?}");
    assert!(seen.iter().all(|id| *id > 0), "{name}");
}

fn a_fenced_journal_refuses_changes_and_its_reopening_takes_them(storage: &Storage) {
    let name = storage.name;
    let journal = storage.open();
    journal.fence();
    let mut changes = [LiveChange::Agent(AGENT, AgentLive::default())];
    let staged = journal.stage(&mut changes);
    assert!(
        matches!(staged, Err(JournalError::Fenced)),
        "{name}: {staged:?}"
    );
    assert!(
        matches!(journal.sync(), Err(JournalError::Fenced)),
        "{name}"
    );
    let successor = journal.reopen();
    let t = 1_796_000_200_000;
    stage_new_call(&*successor, CallRef(13), "c-13", t);
    successor.sync().unwrap();
    let calls = successor.load().unwrap().calls;
    assert_eq!(calls.len(), 1, "{name}: {calls:?}");
    assert_eq!(calls[0].0, live_call(CallRef(13), "c-13", t), "{name}");
}

fn counts_follow_staging_and_syncing(storage: &Storage) {
    let name = storage.name;
    let journal = storage.open();
    let before = journal.staged_count();
    for i in 0..3 {
        let live = AgentLive {
            logged_in: true,
            free_since_ms: i,
            engagement: None,
        };
        journal
            .stage(&mut [LiveChange::Agent(AGENT, live)])
            .unwrap();
    }
    assert_eq!(journal.staged_count(), before + 3, "{name}");
    journal.sync().unwrap();
    assert!(
        journal.synced_count() >= journal.staged_count(),
        "{name}: every batch staged before a sync is durable after it"
    );
}
