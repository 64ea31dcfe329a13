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
use switchyard_directory::{AgentId, CompanyId, DepartmentId};
use switchyard_directory::{Directory, Principal, RecordStore, Seat};
use switchyard_runtime::{EngineConfig, Policy, PolicyEngine, Presence};

use super::center::lock_call;
use super::clock::local_time;
use super::{
    AgentLive, CachedRoster, CallCenter, CallError, CallEvent, CallLog, CallOutcome, CallRef,
    CallSettings, CallUpdate, DEFAULT_MAX_CALL_MS, DEFAULT_POLICY_CACHE, Engagement, IncomingCall,
    Instruction, LiveChange, LiveJournal, OfferOutcome, Phase, Policies, PolicyCache, Released,
    Restored, StoredCall,
};
use crate::journal_store::RecordJournal;
use crate::logbook::{LogBook, LogFilter};
use crate::{LoadFailed, PolicySource};

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

/// The policy store of a service where no company uploaded a policy: no version exists.
struct NoUploads;

impl PolicySource for NoUploads {
    fn load(&self, company: CompanyId, version: u32) -> Result<Policy, LoadFailed> {
        Err(LoadFailed {
            company,
            version,
            source: format!("company {company} uploaded no version {version}").into(),
        })
    }
}

/// A call centre over the sled database in `data`, as the service's `server::assemble` builds
/// it (no company has a policy: every decision is the built-in default's).
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
    let cache = PolicyCache::new(Arc::new(NoUploads), DEFAULT_POLICY_CACHE, usize::MAX);
    let policies = Policies::new(engine(), Arc::new(logs.clone()), cache);
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
                    sip_domain: None,
                },
            )
            .unwrap()
            .id;
        let company = CompanyId(company);
        let dept = self
            .directory
            .create_department(
                &op,
                company.0,
                NewDepartment {
                    name: "Support".into(),
                },
            )
            .unwrap()
            .id;
        let dept = DepartmentId(dept);
        self.directory
            .map_number(
                &op,
                company.0,
                number,
                NumberTarget {
                    department_id: dept.0,
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
    fn member(&self, co: &Co, email: &str, extension: &str) -> (AgentId, AddOutcome) {
        let added = self
            .directory
            .add_member(
                &Principal::Operator,
                co.id.0,
                NewMember {
                    name: Some(email.to_owned()),
                    email: Some(email.to_owned()),
                    extension: Some(extension.to_owned()),
                    departments: Some(BTreeMap::from([(
                        co.dept.0,
                        Seat {
                            tier: 1,
                            skills: Vec::new(),
                        },
                    )])),
                    ..NewMember::default()
                },
            )
            .unwrap();
        (AgentId(added.agent.id), added.outcome)
    }

    /// A person new to Switchyard, seated in `co`.
    fn hire(&self, co: &Co, email: &str, extension: &str) -> AgentId {
        let (agent, outcome) = self.member(co, email, extension);
        assert_eq!(outcome, AddOutcome::Created);
        agent
    }

    /// The same person added to another company of the account, with that company's extension.
    fn share(&self, co: &Co, email: &str, extension: &str) -> AgentId {
        let (agent, outcome) = self.member(co, email, extension);
        assert_eq!(outcome, AddOutcome::Added);
        agent
    }

    fn log_in(&self, agent: AgentId, now_ms: u64) {
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
            max_targets: None,
        };
        self.center.incoming(req, now_ms).unwrap()
    }

    fn event(&self, call_id: &str, event: CallEvent, now_ms: u64) -> CallUpdate {
        self.center.event(P, call_id, event, now_ms).unwrap()
    }

    /// The stage of `P`'s call (`None` once it is no longer live).
    fn stage(&self, call_id: &str) -> Option<String> {
        self.center
            .status(P, call_id)
            .map(|s| s.stage.as_str().to_owned())
    }

    fn ringing(&self, call_id: &str) -> Vec<AgentId> {
        self.center.status(P, call_id).unwrap().ringing
    }

    fn call_ref(&self, call_id: &str) -> CallRef {
        lock_call(&self.center.live(P, call_id).unwrap()).call_ref
    }

    fn engagement(&self, agent: AgentId) -> Option<Engagement> {
        self.center.registry().get(agent).engagement
    }

    fn presence(&self, company: CompanyId, agent: AgentId, now_ms: u64) -> Presence {
        self.center.registry().presence(company, agent, now_ms).0
    }

    /// Every stored log of `company`, newest first.
    fn logs(&self, company: CompanyId) -> Vec<CallLog> {
        let filter = LogFilter {
            limit: Some(200),
            ..LogFilter::default()
        };
        self.logs.list(company, &filter).unwrap().items
    }

    /// The stored logs of `company`'s call `call_id`.
    fn logged(&self, company: CompanyId, call_id: &str) -> Vec<CallLog> {
        self.logs(company)
            .into_iter()
            .filter(|l| l.call_id == call_id)
            .collect()
    }

    /// The only stored log of `call_id`.
    fn logged_once(&self, company: CompanyId, call_id: &str) -> CallLog {
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
    id: CompanyId,
    number: String,
    dept: DepartmentId,
}

/// The agents a ring instruction rings, and their extensions.
fn rung(update: &CallUpdate) -> Vec<(AgentId, String)> {
    match &update.instruction {
        Instruction::Ring { mode, targets } => {
            assert_eq!(
                *mode,
                crate::policy_io::RingMode::Sequential,
                "the built-in default rings one by one"
            );
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

fn offered(company: CompanyId, call: CallRef, expires_at_ms: u64) -> Option<Engagement> {
    Some(Engagement {
        company,
        call,
        phase: Phase::Offered { expires_at_ms },
    })
}

fn on_call(company: CompanyId, call: CallRef, since_ms: u64) -> Option<Engagement> {
    Some(Engagement {
        company,
        call,
        phase: Phase::OnCall { since_ms },
    })
}

fn offer_outcomes(log: &CallLog) -> Vec<(AgentId, OfferOutcome)> {
    log.offers.iter().map(|o| (o.agent_id, o.outcome)).collect()
}

mod flow;
mod restore;
mod stuck;
