//! Unit tests of the call state machine, driven on [`CallCenter`] directly (no HTTP), built from
//! real parts: a sled [`Directory`] in a temp dir filled through its own operations, the cached
//! roster over it, the durable [`RecordJournal`], the built-in default policy (no company
//! policy) and explicit clock readings (no sleeping).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use switchyard_directory::input::{NewAccount, NewCompany, NewDepartment, NewMember, NumberTarget};
use switchyard_directory::view::AddOutcome;
use switchyard_directory::{Directory, Principal, RecordStore, Seat};
use switchyard_runtime::{EngineConfig, PolicyEngine, Presence};

use super::center::lock_call;
use super::clock::local_time;
use super::{
    AgentLive, CachedRoster, CallCenter, CallError, CallEvent, CallLog, CallOutcome, CallSettings,
    CallUpdate, DEFAULT_MAX_CALL_MS, Engagement, IncomingCall, Instruction, LiveChange,
    LiveJournal, OfferOutcome, Phase, Policies, Released, Restored, StoredCall,
};
use crate::journal_store::RecordJournal;
use crate::logbook::{LogBook, LogFilter};

/// A Monday, 00:00 UTC: every test's clock starts here.
const T: u64 = 1_795_392_000_000;
/// The telephony platform posting the calls.
const P: u64 = 1;
/// How long the built-in default rings each agent, plus the grace before an offer lapses.
const OFFER_LAPSES_AFTER: u64 = 20_000 + 5_000;
/// The built-in default's longest queue wait.
const QUEUE_WAIT: u64 = 120_000;

/// One policy engine for every test (no company has a policy: it is never asked to run one).
fn engine() -> PolicyEngine {
    static ENGINE: OnceLock<PolicyEngine> = OnceLock::new();
    ENGINE
        .get_or_init(|| PolicyEngine::new(EngineConfig::default()).unwrap())
        .clone()
}

/// A call centre over the sled database in `data`, as `server::assemble` builds it.
struct Rig {
    directory: Arc<Directory>,
    journal: Arc<RecordJournal>,
    logs: LogBook,
    center: CallCenter,
}

fn open(data: &Path, settings: CallSettings) -> Rig {
    let (directory, records) = Directory::open_with_records(&data.join("db")).unwrap();
    let records: Arc<dyn RecordStore> = Arc::new(records);
    let logs = LogBook::new(Arc::clone(&records));
    let policies = Policies::new(engine(), Arc::new(logs.clone()));
    let directory = Arc::new(directory);
    let roster = Arc::new(CachedRoster::new(Arc::clone(&directory)));
    let journal = Arc::new(RecordJournal::new(records, true));
    let center = CallCenter::new(
        roster,
        Arc::clone(&journal) as Arc<dyn LiveJournal>,
        policies,
        settings,
    );
    Rig {
        directory,
        journal,
        logs,
        center,
    }
}

fn open_default(data: &Path) -> Rig {
    open(data, CallSettings::default())
}

impl Rig {
    fn account(&self) -> u64 {
        let input = NewAccount {
            name: "Acme BPO".into(),
        };
        self.directory
            .create_account(&Principal::Operator, input)
            .unwrap()
            .id
    }

    /// A company of `account` (UTC, shared identities) with one department answering `number`.
    fn company(&self, account: u64, name: &str, wrap_up_secs: u32, number: &str) -> Co {
        let op = Principal::Operator;
        let company = self
            .directory
            .create_company(
                &op,
                NewCompany {
                    name: name.into(),
                    time_zone: "UTC".into(),
                    account_id: Some(account),
                    wrap_up_secs: Some(wrap_up_secs),
                    identity_policy: None,
                },
            )
            .unwrap()
            .id;
        let dept = self
            .directory
            .create_department(
                &op,
                company,
                NewDepartment {
                    name: "Support".into(),
                },
            )
            .unwrap()
            .id;
        self.directory
            .map_number(
                &op,
                company,
                number,
                NumberTarget {
                    department_id: dept,
                },
            )
            .unwrap();
        Co {
            id: company,
            number: number.to_owned(),
            dept,
        }
    }

    /// Adds the person with `email` to `co` (new, or already working for the same account),
    /// seated in its department with `extension`. Returns the agent and how it was added.
    fn member(&self, co: &Co, email: &str, extension: &str) -> (u64, AddOutcome) {
        let added = self
            .directory
            .add_member(
                &Principal::Operator,
                co.id,
                NewMember {
                    name: Some(email.to_owned()),
                    email: Some(email.to_owned()),
                    extension: Some(extension.to_owned()),
                    departments: Some(BTreeMap::from([(
                        co.dept,
                        Seat {
                            tier: 1,
                            skills: Vec::new(),
                        },
                    )])),
                    ..NewMember::default()
                },
            )
            .unwrap();
        (added.agent.id, added.outcome)
    }

    /// A person new to Switchyard, seated in `co`.
    fn hire(&self, co: &Co, email: &str, extension: &str) -> u64 {
        let (agent, outcome) = self.member(co, email, extension);
        assert_eq!(outcome, AddOutcome::Created);
        agent
    }

    /// The same person added to another company of the account, with that company's extension.
    fn share(&self, co: &Co, email: &str, extension: &str) -> u64 {
        let (agent, outcome) = self.member(co, email, extension);
        assert_eq!(outcome, AddOutcome::Added);
        agent
    }

    fn log_in(&self, agent: u64, now_ms: u64) {
        let view = self.center.set_presence(agent, true, now_ms).unwrap();
        assert!(view.logged_in && !view.busy);
    }

    fn call(&self, call_id: &str, number: &str, now_ms: u64) -> CallUpdate {
        self.call_from(P, call_id, number, now_ms)
    }

    fn call_from(&self, platform: u64, call_id: &str, number: &str, now_ms: u64) -> CallUpdate {
        let req = IncomingCall {
            platform,
            call_id: call_id.to_owned(),
            number: number.to_owned(),
            caller: "+919000000000".into(),
            attributes: Vec::new(),
        };
        self.center.incoming(req, now_ms).unwrap()
    }

    fn event(&self, call_id: &str, event: CallEvent, now_ms: u64) -> CallUpdate {
        self.center.event(P, call_id, event, now_ms).unwrap()
    }

    /// The stage of `P`'s call (`None` once it is no longer live).
    fn stage(&self, call_id: &str) -> Option<String> {
        self.center.status(P, call_id).map(|s| s.stage)
    }

    fn ringing(&self, call_id: &str) -> Vec<u64> {
        self.center.status(P, call_id).unwrap().ringing
    }

    fn call_ref(&self, call_id: &str) -> u64 {
        lock_call(&self.center.live(P, call_id).unwrap()).call_ref
    }

    fn engagement(&self, agent: u64) -> Option<Engagement> {
        self.center.registry().get(agent).engagement
    }

    fn presence(&self, company: u64, agent: u64, now_ms: u64) -> Presence {
        self.center.registry().presence(company, agent, now_ms).0
    }

    /// Every stored log of `company`, newest first.
    fn logs(&self, company: u64) -> Vec<CallLog> {
        let filter = LogFilter {
            limit: Some(200),
            ..LogFilter::default()
        };
        self.logs.list(company, &filter).unwrap().items
    }

    /// The stored logs of `company`'s call `call_id`.
    fn logged(&self, company: u64, call_id: &str) -> Vec<CallLog> {
        self.logs(company)
            .into_iter()
            .filter(|l| l.call_id == call_id)
            .collect()
    }

    /// The only stored log of `call_id`.
    fn logged_once(&self, company: u64, call_id: &str) -> CallLog {
        let mut logs = self.logged(company, call_id);
        assert_eq!(logs.len(), 1, "call {call_id} must be logged exactly once");
        logs.remove(0)
    }

    /// Updates released for the platform so far (those it was not told in an answer).
    fn pushed(&self) -> Vec<CallUpdate> {
        self.center
            .push()
            .subscribe_after(Some(0))
            .backlog
            .iter()
            .filter(|e| e.for_platform)
            .map(|e| e.update.clone())
            .collect()
    }

    /// Writes `changes` straight to the journal and makes them durable, as a crash between two
    /// of a use case's records would have left them.
    fn stage_raw(&self, mut changes: Vec<LiveChange>) {
        self.journal.stage(&mut changes).unwrap();
        self.journal.sync().unwrap();
    }
}

struct Co {
    id: u64,
    number: String,
    dept: u64,
}

/// The agents a ring instruction rings, and their extensions.
fn rung(update: &CallUpdate) -> Vec<(u64, String)> {
    match &update.instruction {
        Instruction::Ring { mode, targets } => {
            assert_eq!(mode, "sequential", "the built-in default rings one by one");
            targets
                .iter()
                .map(|t| (t.agent_id, t.extension.clone()))
                .collect()
        }
        other => panic!("expected a ring instruction, got {other:?}"),
    }
}

fn assert_queued(update: &CallUpdate) {
    assert_eq!(
        update.instruction,
        Instruction::Queue {
            max_wait_ms: 120_000,
            priority: 0
        }
    );
}

fn offered(company: u64, call: u64, expires_at_ms: u64) -> Option<Engagement> {
    Some(Engagement {
        company,
        call,
        phase: Phase::Offered { expires_at_ms },
    })
}

fn on_call(company: u64, call: u64, since_ms: u64) -> Option<Engagement> {
    Some(Engagement {
        company,
        call,
        phase: Phase::OnCall { since_ms },
    })
}

fn offer_outcomes(log: &CallLog) -> Vec<(u64, OfferOutcome)> {
    log.offers.iter().map(|o| (o.agent_id, o.outcome)).collect()
}

// (1) The sequential ring, answered, ended, logged once, wrap-up.

#[test]
fn a_sequential_ring_moves_on_connects_and_is_logged_once_with_wrap_up() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 30, "+441610000001");
    let a1 = rig.hire(&a, "a1@example.com", "201");
    let a2 = rig.hire(&a, "a2@example.com", "202");
    // a1 logged in first: the longest idle, rung first.
    rig.log_in(a1, T + 1_000);
    rig.log_in(a2, T + 2_000);

    let first = rig.call("c1", &a.number, T + 10_000);
    assert_eq!(rung(&first), vec![(a1, "201".to_owned())]);
    assert_eq!((first.company_id, first.department_id), (a.id, a.dept));
    assert!(first.trace_id.is_some());
    let c1 = rig.call_ref("c1");
    assert_eq!(rig.stage("c1").as_deref(), Some("ringing"));
    assert_eq!(rig.ringing("c1"), vec![a1]);
    assert_eq!(
        rig.engagement(a1),
        offered(a.id, c1, T + 10_000 + OFFER_LAPSES_AFTER)
    );
    assert_eq!(rig.presence(a.id, a1, T + 10_000), Presence::Ringing);
    assert_eq!(rig.presence(a.id, a2, T + 10_000), Presence::Idle);

    // No answer: the next target of the plan.
    let next = rig.event("c1", CallEvent::NoAnswer { agent_id: a1 }, T + 15_000);
    assert_eq!(rung(&next), vec![(a2, "202".to_owned())]);
    assert_eq!(rig.engagement(a1), None);
    assert_eq!(rig.presence(a.id, a1, T + 15_000), Presence::Idle);
    assert_eq!(rig.ringing("c1"), vec![a2]);

    // A late outcome for the offer that already ended is refused.
    let late = rig
        .center
        .event(P, "c1", CallEvent::Answered { agent_id: a1 }, T + 15_500);
    assert!(matches!(late, Err(CallError::Conflict(_))), "{late:?}");

    let connected = rig.event("c1", CallEvent::Answered { agent_id: a2 }, T + 17_000);
    assert_eq!(
        connected.instruction,
        Instruction::Connected {
            agent_id: a2,
            extension: "202".into(),
            withdraw: Vec::new(),
        }
    );
    let status = rig.center.status(P, "c1").unwrap();
    assert_eq!(status.stage, "connected");
    assert_eq!(status.connected_to, Some(a2));
    assert!(status.ringing.is_empty());
    assert_eq!(rig.engagement(a2), on_call(a.id, c1, T + 17_000));
    assert_eq!(rig.presence(a.id, a2, T + 20_000), Presence::OnCall);
    assert!(
        rig.logs(a.id).is_empty(),
        "nothing is logged before the end"
    );

    let done = rig.event("c1", CallEvent::Ended, T + 77_000);
    assert_eq!(done.instruction, Instruction::Done);
    assert_eq!(rig.center.status(P, "c1"), None);
    assert_eq!(rig.center.live_count(), 0);

    let log = rig.logged_once(a.id, "c1");
    assert_eq!(log.outcome, CallOutcome::Answered);
    assert_eq!(log.answered_by, Some(a2));
    assert_eq!(log.answered_extension.as_deref(), Some("202"));
    assert_eq!(log.talk_ms, 60_000);
    assert_eq!(log.wait_ms, 7_000);
    assert_eq!(log.ring_ms, 5_000 + 2_000);
    assert_eq!(
        offer_outcomes(&log),
        vec![(a1, OfferOutcome::NoAnswer), (a2, OfferOutcome::Answered)]
    );
    assert!(!log.decisions.is_empty());
    let day = local_time("UTC", T + 77_000).day;
    let stats = rig.center.registry().day_stats(a.id, a2, day);
    assert_eq!((stats.calls, stats.talk_ms), (1, 60_000));

    // Wrap-up of the company (30 s) from the end of the call.
    let wrap_until = T + 77_000 + 30_000;
    assert_eq!(
        rig.engagement(a2).map(|e| e.phase),
        Some(Phase::WrapUp {
            until_ms: wrap_until
        })
    );
    assert_eq!(rig.presence(a.id, a2, wrap_until - 1), Presence::WrapUp);
    rig.center.sweep(wrap_until - 1).unwrap();
    assert!(rig.engagement(a2).is_some(), "still wrapping up");
    rig.center.sweep(wrap_until).unwrap();
    assert_eq!(rig.engagement(a2), None);
    assert_eq!(rig.presence(a.id, a2, wrap_until), Presence::Idle);
    assert!(rig.center.registry().get(a2).logged_in);

    // A duplicate `ended` is refused and logs nothing more.
    let again = rig.center.event(P, "c1", CallEvent::Ended, T + 200_000);
    assert!(matches!(again, Err(CallError::UnknownCall(_))), "{again:?}");
    rig.logged_once(a.id, "c1");
}

// (2) One live call per agent across companies.

#[test]
fn an_agent_ringing_for_one_company_is_busy_elsewhere_for_another_whose_call_queues() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let b = rig.company(account, "B", 0, "+441610000002");
    let s = rig.hire(&a, "s@example.com", "301");
    assert_eq!(rig.share(&b, "s@example.com", "901"), s);
    rig.log_in(s, T + 1_000);

    let for_a = rig.call("a-1", &a.number, T + 10_000);
    assert_eq!(rung(&for_a), vec![(s, "301".to_owned())]);
    assert_eq!(rig.presence(a.id, s, T + 10_500), Presence::Ringing);
    assert_eq!(rig.presence(b.id, s, T + 10_500), Presence::BusyElsewhere);

    let for_b = rig.call("b-1", &b.number, T + 11_000);
    assert_queued(&for_b);
    assert_eq!(rig.stage("b-1").as_deref(), Some("queued"));
    assert_eq!(rig.ringing("a-1"), vec![s], "A's offer is untouched");
    {
        let call = rig.center.live(P, "b-1").unwrap();
        let call = lock_call(&call);
        assert_eq!(call.log.decisions.len(), 1);
        assert_eq!(call.log.decisions[0].decision, "overflow:all-busy");
        let candidates = &call.log.decisions[0].input_candidates;
        assert_eq!(candidates.len(), 1);
        assert_eq!(
            candidates[0].presence,
            crate::policy::io::Presence::BusyElsewhere
        );
        let overflow = &call.log.overflows[0];
        assert_eq!(
            (overflow.reason.as_str(), overflow.action.as_str()),
            ("all-busy", "queue")
        );
        assert!(call.log.offers.is_empty(), "nobody was offered B's call");
    }

    // Connected in A: still busy elsewhere for B, and B's call still waits.
    rig.event("a-1", CallEvent::Answered { agent_id: s }, T + 12_000);
    assert_eq!(rig.presence(b.id, s, T + 12_500), Presence::BusyElsewhere);
    assert_eq!(rig.stage("b-1").as_deref(), Some("queued"));

    // A's call ends (no wrap-up in A): B's waiting call rings the agent, with B's extension.
    rig.event("a-1", CallEvent::Ended, T + 20_000);
    assert_eq!(rig.stage("b-1").as_deref(), Some("ringing"));
    assert_eq!(rig.ringing("b-1"), vec![s]);
    assert_eq!(rig.presence(a.id, s, T + 20_000), Presence::BusyElsewhere);
    assert_eq!(rig.presence(b.id, s, T + 20_000), Presence::Ringing);
    let pushed = rig.pushed();
    let served = pushed.iter().find(|u| u.call_id == "b-1").unwrap();
    assert_eq!(served.company_id, b.id);
    assert_eq!(rung(served), vec![(s, "901".to_owned())]);
    assert_eq!(rig.logged_once(a.id, "a-1").outcome, CallOutcome::Answered);
    assert!(
        rig.logged(b.id, "a-1").is_empty(),
        "A's call is not in B's log"
    );
}

// (3) Waiting calls are served when the agent frees up, in serving order.

#[test]
fn waiting_calls_are_served_oldest_first_across_companies_as_the_agent_frees_up() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let b = rig.company(account, "B", 0, "+441610000002");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.share(&b, "s@example.com", "901");
    rig.log_in(s, T + 1_000);

    rig.call("a-0", &a.number, T + 10_000);
    rig.event("a-0", CallEvent::Answered { agent_id: s }, T + 10_500);
    assert_queued(&rig.call("b-1", &b.number, T + 11_000));
    assert_queued(&rig.call("a-2", &a.number, T + 12_000));
    assert_queued(&rig.call("b-3", &b.number, T + 13_000));
    let lengths = rig.center.queues().lengths();
    assert_eq!(lengths.get(&(a.id, a.dept)), Some(&1));
    assert_eq!(lengths.get(&(b.id, b.dept)), Some(&2));

    // Each time the agent frees up, the oldest waiting call it can take rings it, whichever
    // company it belongs to.
    let mut now = T + 20_000;
    rig.event("a-0", CallEvent::Ended, now);
    for (served, waiting) in [("b-1", &["a-2", "b-3"][..]), ("a-2", &["b-3"][..])] {
        assert_eq!(rig.ringing(served), vec![s], "{served} is served next");
        for w in waiting.iter().copied() {
            assert_eq!(rig.stage(w).as_deref(), Some("queued"), "{w} still waits");
        }
        rig.event(served, CallEvent::Answered { agent_id: s }, now + 1_000);
        now += 10_000;
        rig.event(served, CallEvent::Ended, now);
    }
    assert_eq!(rig.ringing("b-3"), vec![s]);
    assert!(rig.center.queues().all().is_empty());
    for (company, id) in [(b.id, "b-1"), (a.id, "a-2")] {
        let log = rig.logged_once(company, id);
        assert_eq!(log.outcome, CallOutcome::Answered);
        assert_eq!(log.overflows.len(), 1);
        assert_eq!(log.overflows[0].action, "queue");
    }
    // Waited from arrival to answer: b-1 arrived at 11 s and was answered at 21 s.
    assert_eq!(rig.logged_once(b.id, "b-1").wait_ms, 10_000);
}

#[test]
fn a_higher_priority_waiting_call_is_served_before_an_older_one_and_keeps_its_place_across_restore()
{
    let data = tempfile::tempdir().unwrap();
    let (a, s) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let s = rig.hire(&a, "s@example.com", "301");
        rig.log_in(s, T + 1_000);
        rig.call("a-0", &a.number, T + 10_000);
        rig.event("a-0", CallEvent::Answered { agent_id: s }, T + 10_500);
        assert_queued(&rig.call("q-old", &a.number, T + 11_000));
        assert_queued(&rig.call("q-new", &a.number, T + 12_000));
        // The built-in default always queues with priority 0; a company policy's queue spec
        // may give more. Give the newer call priority 5 in its stored record, as such a
        // policy's decision would have stored it.
        let snapshot = rig.journal.load().unwrap();
        let mut stored: StoredCall = snapshot
            .calls
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| c.call_id == "q-new")
            .unwrap();
        stored.waiting.as_mut().unwrap().priority = 5;
        rig.stage_raw(vec![LiveChange::Call(Box::new(stored))]);
        (a, s)
    };
    let rig = open_default(data.path());
    rig.center.restore(T + 15_000).unwrap();
    let waiting = |id: &str| lock_call(&rig.center.live(P, id).unwrap()).waiting.unwrap();
    let (old, new) = (waiting("q-old"), waiting("q-new"));
    assert_eq!((old.priority, old.since_ms), (0, T + 11_000));
    assert_eq!((new.priority, new.since_ms), (5, T + 12_000));
    assert_eq!(new.deadline_ms, T + 12_000 + QUEUE_WAIT);
    let order: Vec<u64> = rig.center.queues().all().iter().map(|w| w.call).collect();
    assert_eq!(order, vec![rig.call_ref("q-new"), rig.call_ref("q-old")]);

    rig.event("a-0", CallEvent::Ended, T + 20_000);
    assert_eq!(rig.ringing("q-new"), vec![s], "priority first");
    assert_eq!(rig.stage("q-old").as_deref(), Some("queued"));
    rig.event("q-new", CallEvent::Answered { agent_id: s }, T + 21_000);
    rig.event("q-new", CallEvent::Ended, T + 30_000);
    assert_eq!(rig.ringing("q-old"), vec![s]);
    assert_eq!(rig.logged_once(a.id, "q-new").wait_ms, 9_000);
}

// (4) Restore.

#[test]
fn restore_brings_back_every_stage_and_an_ended_call_is_logged_once() {
    let data = tempfile::tempdir().unwrap();
    let (a, [a1, a2, a3], before, queue_place, pre_trace) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 60, "+441610000001");
        let a1 = rig.hire(&a, "a1@example.com", "201");
        let a2 = rig.hire(&a, "a2@example.com", "202");
        let a3 = rig.hire(&a, "a3@example.com", "203");
        rig.log_in(a3, T + 1_000);
        rig.log_in(a2, T + 2_000);
        rig.log_in(a1, T + 3_000);
        // a3: a call answered and ended, in wrap-up until 80 s.
        assert_eq!(rung(&rig.call("c-wrap", &a.number, T + 10_000))[0].0, a3);
        rig.event("c-wrap", CallEvent::Answered { agent_id: a3 }, T + 11_000);
        rig.event("c-wrap", CallEvent::Ended, T + 20_000);
        // a2: connected.
        assert_eq!(rung(&rig.call("c-conn", &a.number, T + 21_000))[0].0, a2);
        rig.event("c-conn", CallEvent::Answered { agent_id: a2 }, T + 22_000);
        // a1: ringing.
        assert_eq!(rung(&rig.call("c-ring", &a.number, T + 23_000))[0].0, a1);
        // Nobody left: queued.
        assert_queued(&rig.call("c-queue", &a.number, T + 24_000));
        let before: Vec<_> = ["c-conn", "c-ring", "c-queue"]
            .map(|id| rig.center.status(P, id).unwrap())
            .to_vec();
        let queue_place = lock_call(&rig.center.live(P, "c-queue").unwrap()).waiting;
        let pre_trace = before[0].trace_id.clone().unwrap();
        rig.logged_once(a.id, "c-wrap");
        // Dropped without a clean shutdown.
        (a, [a1, a2, a3], before, queue_place, pre_trace)
    };

    let rig = open_default(data.path());
    assert_eq!(rig.center.live_count(), 0);
    let restored = rig.center.restore(T + 30_000).unwrap();
    assert_eq!(
        restored,
        Restored {
            agents: 3,
            calls: 3,
            repaired: 0
        }
    );
    let after: Vec<_> = ["c-conn", "c-ring", "c-queue"]
        .map(|id| rig.center.status(P, id).unwrap())
        .to_vec();
    assert_eq!(
        after, before,
        "same stages, offers, trace ids and start times"
    );
    assert_eq!(
        lock_call(&rig.center.live(P, "c-queue").unwrap()).waiting,
        queue_place,
        "same queue place, priority and time waited"
    );
    for agent in [a1, a2, a3] {
        assert!(
            rig.center.registry().get(agent).logged_in,
            "{agent} stays logged in"
        );
    }
    let c_ring = rig.call_ref("c-ring");
    let c_conn = rig.call_ref("c-conn");
    assert_eq!(
        rig.engagement(a1),
        offered(a.id, c_ring, T + 23_000 + OFFER_LAPSES_AFTER)
    );
    assert_eq!(rig.engagement(a2), on_call(a.id, c_conn, T + 22_000));
    assert_eq!(
        rig.engagement(a3).map(|e| e.phase),
        Some(Phase::WrapUp {
            until_ms: T + 80_000
        })
    );
    assert_eq!(rig.presence(a.id, a3, T + 30_000), Presence::WrapUp);
    let day = local_time("UTC", T).day;
    assert_eq!(rig.center.registry().day_stats(a.id, a3, day).calls, 1);

    // The connected call ends after the restart: logged once, talk time from its answer.
    let done = rig.event("c-conn", CallEvent::Ended, T + 40_000);
    assert_eq!(done.instruction, Instruction::Done);
    let log = rig.logged_once(a.id, "c-conn");
    assert_eq!(log.outcome, CallOutcome::Answered);
    assert_eq!((log.answered_by, log.talk_ms), (Some(a2), 18_000));
    assert!(log.decisions.iter().any(|d| d.trace_id == pre_trace));
    assert!(rig.center.trace(&pre_trace).is_some());
    let again = rig.center.event(P, "c-conn", CallEvent::Ended, T + 41_000);
    assert!(matches!(again, Err(CallError::UnknownCall(_))), "{again:?}");
    rig.logged_once(a.id, "c-conn");
    rig.logged_once(a.id, "c-wrap");
    let stats = rig.center.registry().day_stats(a.id, a2, day);
    assert_eq!((stats.calls, stats.talk_ms), (1, 18_000));

    // The ringing call's offer is still open and can be answered.
    rig.event("c-ring", CallEvent::Answered { agent_id: a1 }, T + 41_000);
    assert_eq!(
        rig.center.status(P, "c-ring").unwrap().connected_to,
        Some(a1)
    );

    // The wrap-up ends at its original time and the queued call is served then.
    rig.center.sweep(T + 79_999).unwrap();
    assert_eq!(rig.stage("c-queue").as_deref(), Some("queued"));
    rig.center.sweep(T + 80_000).unwrap();
    assert_eq!(rig.ringing("c-queue"), vec![a3]);
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-queue" && rung(u)[0].0 == a3)
    );
}

#[test]
fn deadlines_passed_while_down_are_acted_on_at_restore() {
    let data = tempfile::tempdir().unwrap();
    let (a, a1, a2) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 60, "+441610000001");
        let a1 = rig.hire(&a, "a1@example.com", "201");
        let a2 = rig.hire(&a, "a2@example.com", "202");
        rig.log_in(a2, T + 1_000);
        rig.log_in(a1, T + 2_000);
        // a2 wraps up until 80 s.
        rig.call("c-done", &a.number, T + 10_000);
        rig.event("c-done", CallEvent::Answered { agent_id: a2 }, T + 11_000);
        rig.event("c-done", CallEvent::Ended, T + 20_000);
        // a1 rings until its offer lapses at 46 s; nobody else to ring in the plan.
        assert_eq!(
            rung(&rig.call("c-ring", &a.number, T + 21_000)),
            vec![(a1, "201".to_owned())]
        );
        assert_queued(&rig.call("c-queue", &a.number, T + 22_000));
        (a, a1, a2)
    };

    // Down from 22 s to 90 s: the offer lapsed (46 s) and the wrap-up ended (80 s).
    let rig = open_default(data.path());
    rig.center.restore(T + 90_000).unwrap();
    let c_ring = rig.call_ref("c-ring");
    let c_queue = rig.call_ref("c-queue");
    {
        let call = rig.center.live(P, "c-ring").unwrap();
        let call = lock_call(&call);
        assert_eq!(call.log.offers[0].agent_id, a1);
        assert_eq!(call.log.offers[0].outcome, OfferOutcome::Lapsed);
    }
    // The lapsed call is decided again and rings a2, free since its wrap-up ended; a1, freed
    // by the lapse, serves the waiting call.
    assert_eq!(rig.ringing("c-ring"), vec![a2]);
    assert_eq!(rig.ringing("c-queue"), vec![a1]);
    assert_eq!(
        rig.engagement(a2),
        offered(a.id, c_ring, T + 90_000 + OFFER_LAPSES_AFTER)
    );
    assert_eq!(
        rig.engagement(a1),
        offered(a.id, c_queue, T + 90_000 + OFFER_LAPSES_AFTER)
    );
    // Both decisions are pushed to the platform's stream.
    let pushed = rig.pushed();
    let ring_of = |id: &str| {
        pushed
            .iter()
            .filter(|u| u.call_id == id)
            .map(|u| rung(u)[0].0)
            .collect::<Vec<_>>()
    };
    assert_eq!(ring_of("c-ring"), vec![a2]);
    assert_eq!(ring_of("c-queue"), vec![a1]);
}

#[test]
fn a_queue_wait_that_ran_out_while_down_overflows_at_restore() {
    let data = tempfile::tempdir().unwrap();
    let (a, s) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let s = rig.hire(&a, "s@example.com", "301");
        rig.log_in(s, T + 1_000);
        rig.call("c-conn", &a.number, T + 10_000);
        rig.event("c-conn", CallEvent::Answered { agent_id: s }, T + 11_000);
        assert_queued(&rig.call("c-queue", &a.number, T + 12_000));
        (a, s)
    };
    let rig = open_default(data.path());
    let back = T + 12_000 + QUEUE_WAIT + 1_000;
    rig.center.restore(back).unwrap();
    assert_eq!(rig.center.status(P, "c-queue"), None);
    let log = rig.logged_once(a.id, "c-queue");
    assert_eq!(log.outcome, CallOutcome::Voicemail);
    let overflows: Vec<_> = log
        .overflows
        .iter()
        .map(|o| (o.reason.as_str(), o.action.as_str()))
        .collect();
    assert_eq!(
        overflows,
        vec![("all-busy", "queue"), ("queue-timeout", "voicemail")]
    );
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-queue"
                && matches!(u.instruction, Instruction::Voicemail { .. }))
    );
    // The connected call is untouched.
    assert_eq!(
        rig.center.status(P, "c-conn").unwrap().connected_to,
        Some(s)
    );
}

// (5) Restore reconciles records a crash left inconsistent.

#[test]
fn restore_repairs_agent_and_call_records_a_crash_left_apart() {
    let data = tempfile::tempdir().unwrap();
    let (a, [a1, a2, a3, a4, a5]) = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let agents =
            [1, 2, 3, 4, 5].map(|i| rig.hire(&a, &format!("a{i}@example.com"), &format!("20{i}")));
        let [a1, a2, a3, a4, a5] = agents;
        // Longest idle first: a4, a2, a3, a1, a5.
        for (i, agent) in [a4, a2, a3, a1, a5].into_iter().enumerate() {
            rig.log_in(agent, T + 1_000 * (i as u64 + 1));
        }
        assert_eq!(
            rung(&rig.call("c-answered", &a.number, T + 10_000))[0].0,
            a4
        );
        assert_eq!(rung(&rig.call("c-lost", &a.number, T + 11_000))[0].0, a2);
        let c_answered = rig.call_ref("c-answered");
        let live = |free_since_ms, engagement| AgentLive {
            logged_in: true,
            free_since_ms,
            engagement,
        };
        rig.stage_raw(vec![
            // a4 answered c-answered; the crash came before the call's own record.
            LiveChange::Agent(a4, live(T + 1_000, on_call(a.id, c_answered, T + 12_000))),
            // a2's offer of c-lost ended; the call's record still lists it ringing.
            LiveChange::Agent(a2, live(T + 11_500, None)),
            // Engaged with calls that are not live (their logs were written, or they never
            // were): on a call, and offered one.
            LiveChange::Agent(a1, live(T + 4_000, on_call(a.id, 9_999_999, T + 5_000))),
            LiveChange::Agent(a5, live(T + 5_000, offered(a.id, 9_999_998, T + 60_000))),
        ]);
        (a, agents)
    };

    let rig = open_default(data.path());
    let restored = rig.center.restore(T + 13_000).unwrap();
    assert_eq!(restored.calls, 2);
    assert_eq!(restored.repaired, 4, "two calls and two agents");

    // Agents engaged with calls that are not live are freed, and stay logged in.
    for agent in [a1, a5] {
        assert_eq!(rig.engagement(agent), None, "{agent}");
        assert!(rig.center.registry().get(agent).logged_in);
        assert_eq!(rig.presence(a.id, agent, T + 13_000), Presence::Idle);
    }

    // The call whose agent's record says it answered is connected to it.
    let status = rig.center.status(P, "c-answered").unwrap();
    assert_eq!(
        (status.stage.as_str(), status.connected_to),
        ("connected", Some(a4))
    );
    assert!(status.ringing.is_empty());
    assert_eq!(
        rig.engagement(a4),
        on_call(a.id, rig.call_ref("c-answered"), T + 12_000)
    );

    // The call listing a ringing agent whose record says otherwise drops it and moves on
    // along its plan.
    assert_eq!(rig.engagement(a2), None);
    assert_eq!(rig.ringing("c-lost"), vec![a3]);
    assert_eq!(
        rig.engagement(a3),
        offered(
            a.id,
            rig.call_ref("c-lost"),
            T + 13_000 + OFFER_LAPSES_AFTER
        )
    );
    {
        let call = rig.center.live(P, "c-lost").unwrap();
        let call = lock_call(&call);
        assert_eq!(
            offer_outcomes(&call.log),
            vec![(a2, OfferOutcome::Lapsed), (a3, OfferOutcome::Ringing)]
        );
    }
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-lost" && rung(u)[0].0 == a3)
    );

    // The repaired connected call ends normally, its talk time from the agent's answer.
    rig.event("c-answered", CallEvent::Ended, T + 20_000);
    let log = rig.logged_once(a.id, "c-answered");
    assert_eq!(log.outcome, CallOutcome::Answered);
    assert_eq!((log.answered_by, log.talk_ms), (Some(a4), 8_000));
    assert_eq!(offer_outcomes(&log), vec![(a4, OfferOutcome::Answered)]);
    assert_eq!(log.answered_extension.as_deref(), Some("204"));
}

// (6) Maximum call duration.

#[test]
fn a_connected_call_past_the_maximum_duration_is_expired_by_the_sweep() {
    let data = tempfile::tempdir().unwrap();
    let rig = open(
        data.path(),
        CallSettings {
            max_call_ms: 60_000,
        },
    );
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.log_in(s, T + 1_000);
    rig.call("c-long", &a.number, T + 10_000);
    rig.event("c-long", CallEvent::Answered { agent_id: s }, T + 11_000);
    assert_queued(&rig.call("c-wait", &a.number, T + 12_000));

    rig.center.sweep(T + 70_999).unwrap();
    assert_eq!(rig.stage("c-long").as_deref(), Some("connected"));
    assert!(rig.logs(a.id).is_empty());

    rig.center.sweep(T + 71_000).unwrap();
    assert_eq!(rig.center.status(P, "c-long"), None);
    let log = rig.logged_once(a.id, "c-long");
    assert_eq!(log.outcome, CallOutcome::Expired);
    assert_eq!((log.answered_by, log.talk_ms), (Some(s), 60_000));
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c-long" && u.instruction == Instruction::Done)
    );
    // The agent is free again: the waiting call rings it.
    assert_eq!(rig.ringing("c-wait"), vec![s]);
    assert_eq!(
        rig.engagement(s).map(|e| e.call),
        Some(rig.call_ref("c-wait"))
    );

    let late = rig.center.event(P, "c-long", CallEvent::Ended, T + 72_000);
    assert!(matches!(late, Err(CallError::UnknownCall(_))), "{late:?}");
    rig.center.sweep(T + 72_000).unwrap();
    rig.logged_once(a.id, "c-long");
}

// (7) The platform's reconciliation.

#[test]
fn reconcile_ends_the_platforms_calls_it_no_longer_has_and_only_those() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let a1 = rig.hire(&a, "a1@example.com", "201");
    let a2 = rig.hire(&a, "a2@example.com", "202");
    rig.log_in(a1, T + 1_000);
    rig.log_in(a2, T + 2_000);
    const OTHER: u64 = 2;

    assert_eq!(rung(&rig.call("x1", &a.number, T + 10_000))[0].0, a1);
    rig.event("x1", CallEvent::Answered { agent_id: a1 }, T + 11_000);
    assert_eq!(rung(&rig.call("x2", &a.number, T + 12_000))[0].0, a2);
    // Another platform's call with the same id: its own call, queued (everyone is busy).
    assert_queued(&rig.call_from(OTHER, "x1", &a.number, T + 13_000));
    assert_queued(&rig.call("x3", &a.number, T + 14_000));

    let ended = rig
        .center
        .reconcile(P, &["x2".to_owned()], T + 20_000)
        .unwrap();
    assert_eq!(ended, vec!["x1".to_owned(), "x3".to_owned()]);
    assert_eq!(rig.center.status(P, "x1"), None);
    assert_eq!(rig.center.status(P, "x3"), None);
    assert_eq!(
        rig.ringing("x2"),
        vec![a2],
        "still live on the platform: kept"
    );

    let logs: Vec<CallLog> = rig
        .logs(a.id)
        .into_iter()
        .filter(|l| l.outcome == CallOutcome::Reconciled)
        .collect();
    assert_eq!(logs.len(), 2);
    let connected = logs.iter().find(|l| l.answered_by == Some(a1)).unwrap();
    assert_eq!(
        (connected.call_id.as_str(), connected.talk_ms),
        ("x1", 9_000)
    );
    let queued = logs.iter().find(|l| l.answered_by.is_none()).unwrap();
    assert_eq!(queued.call_id, "x3");

    // The other platform's "x1" was not ended; a1, freed, now rings for it.
    let other = rig.center.status(OTHER, "x1").unwrap();
    assert_eq!(
        (other.stage.as_str(), other.ringing.as_slice()),
        ("ringing", &[a1][..])
    );
    assert_eq!(
        rig.engagement(a1).map(|e| e.phase),
        Some(Phase::Offered {
            expires_at_ms: T + 20_000 + OFFER_LAPSES_AFTER
        })
    );

    // Reconciling again with the same list ends nothing more.
    let again = rig
        .center
        .reconcile(P, &["x2".to_owned()], T + 21_000)
        .unwrap();
    assert!(again.is_empty());
    assert_eq!(
        rig.logs(a.id)
            .iter()
            .filter(|l| l.outcome == CallOutcome::Reconciled)
            .count(),
        2
    );
}

// (8) An administrator releases an agent.

#[test]
fn release_agent_frees_an_agent_and_logs_who_released_it() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 30, "+441610000001");
    let b = rig.company(account, "B", 0, "+441610000002");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.share(&b, "s@example.com", "901");
    rig.log_in(s, T + 1_000);

    rig.call("r1", &a.number, T + 10_000);
    rig.event("r1", CallEvent::Answered { agent_id: s }, T + 11_000);

    // B's administrator cannot release A's engagement.
    let by_b = rig.center.release_agent(b.id, s, "admin-b", T + 15_000);
    assert!(
        matches!(by_b, Err(CallError::NotEngaged(agent)) if agent == s),
        "{by_b:?}"
    );
    assert_eq!(rig.stage("r1").as_deref(), Some("connected"));

    let released = rig
        .center
        .release_agent(a.id, s, "admin@a", T + 20_000)
        .unwrap();
    assert_eq!(
        released,
        Released {
            agent_id: s,
            was: "on_call".into(),
            call_id: Some("r1".into()),
        }
    );
    assert_eq!(rig.engagement(s), None, "freed, without wrap-up");
    assert_eq!(rig.presence(a.id, s, T + 20_000), Presence::Idle);
    assert_eq!(rig.presence(b.id, s, T + 20_000), Presence::Idle);
    assert_eq!(rig.center.status(P, "r1"), None);
    let log = rig.logged_once(a.id, "r1");
    assert_eq!(log.outcome, CallOutcome::Released);
    assert_eq!(log.released_by.as_deref(), Some("admin@a"));
    assert_eq!((log.answered_by, log.talk_ms), (Some(s), 9_000));
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "r1" && u.instruction == Instruction::Done)
    );
    let late = rig.center.event(P, "r1", CallEvent::Ended, T + 25_000);
    assert!(matches!(late, Err(CallError::UnknownCall(_))), "{late:?}");
    rig.logged_once(a.id, "r1");

    // Released while ringing: the offer is withdrawn and the call moves on (nobody else in
    // A: voicemail).
    rig.call("r2", &a.number, T + 30_000);
    let released = rig
        .center
        .release_agent(a.id, s, "admin@a", T + 31_000)
        .unwrap();
    assert_eq!(
        (released.was.as_str(), released.call_id.as_deref()),
        ("ringing", Some("r2"))
    );
    assert_eq!(rig.engagement(s), None);
    let log = rig.logged_once(a.id, "r2");
    assert_eq!(log.outcome, CallOutcome::Voicemail);
    assert_eq!(offer_outcomes(&log), vec![(s, OfferOutcome::Withdrawn)]);
    assert_eq!(log.released_by, None);

    // Released during wrap-up: free at once; the call is already logged.
    rig.call("r3", &a.number, T + 40_000);
    rig.event("r3", CallEvent::Answered { agent_id: s }, T + 41_000);
    rig.event("r3", CallEvent::Ended, T + 50_000);
    assert!(matches!(
        rig.engagement(s).map(|e| e.phase),
        Some(Phase::WrapUp { .. })
    ));
    let released = rig
        .center
        .release_agent(a.id, s, "admin@a", T + 51_000)
        .unwrap();
    assert_eq!((released.was.as_str(), released.call_id), ("wrap_up", None));
    assert_eq!(rig.engagement(s), None);
    assert_eq!(rig.logged_once(a.id, "r3").released_by, None);
    let again = rig.center.release_agent(a.id, s, "admin@a", T + 52_000);
    assert!(matches!(again, Err(CallError::NotEngaged(_))), "{again:?}");
}

// Probes of the crash window between an agent's end of call and the call's log.

/// A connected call, and a crash after its agent's `end` (wrap-up, counters) was recorded but
/// before the call's log: the journal holds the call as connected and the agent in wrap-up for
/// it (its counters hold the 60 s of talk). Returns the company and the agent.
fn crash_after_agent_ended(data: &Path, max_call_ms: u64) -> (Co, u64) {
    let rig = open(data, CallSettings { max_call_ms });
    let account = rig.account();
    let a = rig.company(account, "A", 30, "+441610000001");
    let s = rig.hire(&a, "s@example.com", "301");
    rig.log_in(s, T + 1_000);
    rig.call("c-end", &a.number, T + 10_000);
    rig.event("c-end", CallEvent::Answered { agent_id: s }, T + 11_000);
    let call = rig.call_ref("c-end");
    let day = local_time("UTC", T).day;
    rig.stage_raw(vec![
        LiveChange::Agent(
            s,
            AgentLive {
                logged_in: true,
                free_since_ms: T + 1_000,
                engagement: Some(Engagement {
                    company: a.id,
                    call,
                    phase: Phase::WrapUp {
                        until_ms: T + 71_000 + 30_000,
                    },
                }),
            },
        ),
        LiveChange::Stats(
            a.id,
            s,
            super::DayStats {
                day,
                calls: 1,
                talk_ms: 60_000,
            },
        ),
    ]);
    (a, s)
}

/// The crash fell between the agent's end of the call and its log: restore logs the call.
#[test]
fn a_restored_connected_call_whose_agent_already_wrapped_up_is_logged_at_restore() {
    let data = tempfile::tempdir().unwrap();
    let (a, _s) = crash_after_agent_ended(data.path(), 3_600_000);
    let rig = open(
        data.path(),
        CallSettings {
            max_call_ms: 3_600_000,
        },
    );
    rig.center.restore(T + 200_000).unwrap();
    // Far past answered + max_call_ms, with no `ended` from the platform.
    rig.center.sweep(T + 11_000 + 3_600_000 + 1).unwrap();
    rig.center.sweep(T + 11_000 + 2 * 3_600_000).unwrap();
    assert_eq!(
        rig.center.status(P, "c-end"),
        None,
        "a connected call must not outlive the maximum call duration"
    );
    rig.logged_once(a.id, "c-end");
}

/// After that crash the call is logged with the talk time the counters have, once; the
/// platform's retried `ended` finds it over.
#[test]
fn a_retried_ended_after_that_crash_logs_the_talk_time_the_counters_have() {
    let data = tempfile::tempdir().unwrap();
    let (a, s) = crash_after_agent_ended(data.path(), DEFAULT_MAX_CALL_MS);
    let rig = open_default(data.path());
    rig.center.restore(T + 200_000).unwrap();
    // The platform never got an answer to its `ended` (the crash came first): it retries.
    let retried = rig.center.event(P, "c-end", CallEvent::Ended, T + 201_000);
    assert!(
        matches!(retried, Err(CallError::UnknownCall(_))),
        "{retried:?}"
    );
    let log = rig.logged_once(a.id, "c-end");
    let stats = rig
        .center
        .registry()
        .day_stats(a.id, s, local_time("UTC", T).day);
    assert_eq!((stats.calls, stats.talk_ms), (1, 60_000));
    assert_eq!(log.talk_ms, stats.talk_ms, "one talk time for one call");
}

// Presence, abandon and duplicate ids.

#[test]
fn logging_out_abandoning_and_logging_in_move_calls_on() {
    let data = tempfile::tempdir().unwrap();
    let rig = open_default(data.path());
    let account = rig.account();
    let a = rig.company(account, "A", 0, "+441610000001");
    let a1 = rig.hire(&a, "a1@example.com", "201");
    let a2 = rig.hire(&a, "a2@example.com", "202");
    let late = rig.hire(&a, "late@example.com", "203");
    rig.log_in(a1, T + 1_000);
    rig.log_in(a2, T + 2_000);

    // Logging out while ringing withdraws the offer; the call rings the next agent.
    assert_eq!(rung(&rig.call("c", &a.number, T + 10_000))[0].0, a1);
    let view = rig.center.set_presence(a1, false, T + 12_000).unwrap();
    assert!(!view.logged_in && !view.busy);
    assert_eq!(rig.ringing("c"), vec![a2]);
    assert!(
        rig.pushed()
            .iter()
            .any(|u| u.call_id == "c" && rung(u)[0].0 == a2)
    );
    assert_eq!(rig.presence(a.id, a1, T + 12_000), Presence::LoggedOut);

    // The same platform cannot post a second live call with the same id.
    let dup = rig.center.incoming(
        IncomingCall {
            platform: P,
            call_id: "c".into(),
            number: a.number.clone(),
            caller: String::new(),
            attributes: Vec::new(),
        },
        T + 12_500,
    );
    assert!(matches!(dup, Err(CallError::DuplicateCall(_))), "{dup:?}");

    // The caller hangs up while ringing: logged abandoned, the agent free again.
    assert_eq!(
        rig.event("c", CallEvent::Abandoned, T + 13_000).instruction,
        Instruction::Done
    );
    assert_eq!(rig.engagement(a2), None);
    let log = rig.logged_once(a.id, "c");
    assert_eq!(log.outcome, CallOutcome::Abandoned);
    assert_eq!(
        offer_outcomes(&log),
        vec![(a1, OfferOutcome::Withdrawn), (a2, OfferOutcome::Withdrawn)]
    );
    assert_eq!(log.wait_ms, 3_000);

    // a2 on a call, a third member logged out: callers wait (someone available is busy).
    rig.call("busy", &a.number, T + 20_000);
    rig.event("busy", CallEvent::Answered { agent_id: a2 }, T + 21_000);
    assert_queued(&rig.call("w1", &a.number, T + 22_000));
    assert_queued(&rig.call("w2", &a.number, T + 23_000));
    // One waiting caller hangs up: logged abandoned, out of the queue.
    rig.event("w2", CallEvent::Abandoned, T + 24_000);
    assert_eq!(rig.logged_once(a.id, "w2").outcome, CallOutcome::Abandoned);
    assert_eq!(rig.center.queues().all().len(), 1);
    // A member logging in serves the waiting call at once.
    let view = rig.center.set_presence(late, true, T + 25_000).unwrap();
    assert!(
        view.logged_in && view.busy,
        "offered the waiting call at log-in"
    );
    assert_eq!(rig.ringing("w1"), vec![late]);
    assert!(rig.center.queues().all().is_empty());
}

#[test]
fn a_queued_calls_reservation_lost_in_a_crash_frees_the_agent_and_the_call_keeps_its_place() {
    let data = tempfile::tempdir().unwrap();
    let s = {
        let rig = open_default(data.path());
        let account = rig.account();
        let a = rig.company(account, "A", 0, "+441610000001");
        let s = rig.hire(&a, "s@example.com", "301");
        rig.log_in(s, T + 1_000);
        rig.call("c-conn", &a.number, T + 10_000);
        rig.event("c-conn", CallEvent::Answered { agent_id: s }, T + 11_000);
        assert_queued(&rig.call("c-queue", &a.number, T + 12_000));
        let queued: StoredCall = rig
            .journal
            .load()
            .unwrap()
            .calls
            .into_iter()
            .map(|(c, _)| c)
            .find(|c| c.call_id == "c-queue")
            .unwrap();
        // The call ends and the agent is reserved for the waiting call...
        rig.event("c-conn", CallEvent::Ended, T + 20_000);
        assert_eq!(rig.ringing("c-queue"), vec![s]);
        // ...but the crash came after the agent's record and before the waiting call's.
        rig.stage_raw(vec![LiveChange::Call(Box::new(queued))]);
        s
    };
    let rig = open_default(data.path());
    let restored = rig.center.restore(T + 21_000).unwrap();
    assert_eq!((restored.calls, restored.repaired), (1, 1));
    // The offer the waiting call does not know of is undone, and restore offers the call
    // again at once, from the place it kept.
    assert!(rig.center.registry().get(s).logged_in);
    assert_eq!(rig.ringing("c-queue"), vec![s]);
    let log = lock_call(&rig.center.live(P, "c-queue").unwrap())
        .log
        .clone();
    assert_eq!(log.started_ms, T + 12_000);
}
