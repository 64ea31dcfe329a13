//! [`Policies`] over a bounded cache: restored activations load on first use, an activation
//! replaces a restored one, and a cache smaller than the companies still gives each decision
//! its own company's policy.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use switchyard_runtime::{
    Call, Candidate, EngineConfig, Policy, PolicyEngine, PolicyState, Presence, Role, Status,
    Weekday,
};

use super::*;

struct NoSink;
impl StateSink for NoSink {
    fn save(&self, _: CompanyId, _: &PolicyState) -> Result<(), StateSaveError> {
        Ok(())
    }
}

/// Loads longest-idle named `p<company>` for companies below 9; fails for the others.
struct Source {
    engine: PolicyEngine,
    loads: AtomicUsize,
}

impl PolicySource for Source {
    fn load(&self, company: CompanyId, version: u32) -> Result<Policy, LoadFailed> {
        self.loads.fetch_add(1, Ordering::SeqCst);
        let failed = |source: Box<dyn std::error::Error + Send + Sync>| LoadFailed {
            company,
            version,
            source,
        };
        if company.0 >= 9 {
            return Err(failed("no such component".into()));
        }
        let bytes = std::fs::read(switchyard_artifacts::LONGEST_IDLE).unwrap();
        let policy = self
            .engine
            .load(&format!("p{company}"), &version.to_string(), &bytes);
        policy.map_err(|e| failed(Box::new(e)))
    }
}

fn policies(capacity: usize) -> (Policies, Arc<Source>) {
    let engine = PolicyEngine::new(EngineConfig::default()).unwrap();
    let source = Arc::new(Source {
        engine: engine.clone(),
        loads: AtomicUsize::new(0),
    });
    let cache = PolicyCache::new(source.clone(), capacity, usize::MAX);
    (Policies::new(engine, Arc::new(NoSink), cache), source)
}

fn active(company: u64, version: u32) -> ActivePolicy {
    ActivePolicy {
        name: format!("p{company}"),
        version,
        config: "{}".into(),
    }
}

fn call() -> Call {
    Call {
        id: "c1".into(),
        company: 1,
        dialled_number: "+442071230000".into(),
        caller: "+447700900123".into(),
        department: 10,
        attempt: 1,
        waited_ms: 0,
        now_unix_ms: 1_700_000_000_000,
        local_weekday: Weekday::Wednesday,
        local_minute: 600,
        seed: 42,
        tried: vec![],
        attributes: vec![],
        skills: vec![],
    }
}

fn candidate() -> Candidate {
    Candidate {
        agent: 7,
        role: Role::Agent,
        tier: 1,
        skills: 0,
        status: Status::Available,
        take_calls: true,
        in_schedule: true,
        presence: Presence::Idle,
        idle_ms: 1_000,
        calls_today: 0,
        talk_ms_today: 0,
    }
}

#[test]
fn restored_policies_load_on_first_use_and_yield_to_new_activations() {
    let (policies, source) = policies(8);
    policies.restore([
        (CompanyId(1), active(1, 4)),
        (CompanyId(9), active(9, 1)),
        (CompanyId(3), active(3, 2)),
    ]);
    assert_eq!(
        source.loads.load(Ordering::SeqCst),
        0,
        "nothing loaded at start"
    );

    let answer = policies.route(CompanyId(1), &call(), &[candidate()], false);
    assert_eq!(
        (answer.run.source.to_string().as_str(), answer.run.version),
        ("policy", 4)
    );
    policies.route(CompanyId(1), &call(), &[candidate()], false);
    assert_eq!(source.loads.load(Ordering::SeqCst), 1, "loaded once");

    // A policy that cannot be loaded: the fallback decides, and it is not retried at once.
    for _ in 0..2 {
        let answer = policies.route(CompanyId(9), &call(), &[candidate()], false);
        assert_eq!(answer.run.source.to_string(), "fallback:unloadable");
        assert_eq!(answer.run.name, "p9");
    }
    assert_eq!(source.loads.load(Ordering::SeqCst), 2);

    // Deactivated before its first decision: never loaded.
    policies.activate(CompanyId(3), None);
    assert!(policies.active(CompanyId(3)).is_none());
    assert_eq!(
        policies
            .route(CompanyId(3), &call(), &[candidate()], false)
            .run
            .source
            .to_string(),
        "built-in"
    );
    assert_eq!(source.loads.load(Ordering::SeqCst), 2);

    // A restore does not replace an activation made since.
    policies.restore([(CompanyId(1), active(1, 1))]);
    assert_eq!(policies.active(CompanyId(1)).unwrap().version, 4);
}

#[test]
fn with_a_cache_of_two_three_companies_each_decide_with_their_own_policy() {
    let (policies, source) = policies(2);
    policies.restore((1..=3).map(|c| (CompanyId(c), active(c, 1))));
    for round in 0..3 {
        for company in (1..=3).map(CompanyId) {
            let answer = policies.route(company, &call(), &[candidate()], false);
            assert_eq!(
                answer.run.source.to_string(),
                "policy",
                "round {round}, company {company}"
            );
            let policy = policies.compiled(company, &policies.active(company).unwrap());
            assert_eq!(policy.unwrap().name(), format!("p{company}"));
        }
    }
    let stats = policies.cache_stats();
    assert_eq!(stats.entries, 2);
    assert!(stats.evictions >= 7, "{stats:?}");
    assert!(source.loads.load(Ordering::SeqCst) >= 9);
}

#[test]
fn reconciling_with_the_store_takes_new_versions_and_drops_deactivated_ones() {
    let (policies, source) = policies(8);
    policies.restore([(CompanyId(1), active(1, 4)), (CompanyId(2), active(2, 1))]);
    policies.route(CompanyId(1), &call(), &[candidate()], false);
    assert_eq!(source.loads.load(Ordering::SeqCst), 1);
    // Another node activated version 5 for company 1, deactivated 2 and activated 3.
    policies.reconcile(vec![
        (CompanyId(1), active(1, 5)),
        (CompanyId(3), active(3, 2)),
    ]);
    assert_eq!(policies.active(CompanyId(1)).unwrap().version, 5);
    assert!(
        policies.active(CompanyId(2)).is_none(),
        "deactivated elsewhere"
    );
    assert_eq!(policies.active(CompanyId(3)).unwrap().version, 2);
    let answer = policies.route(CompanyId(1), &call(), &[candidate()], false);
    assert_eq!(
        (answer.run.source.to_string().as_str(), answer.run.version),
        ("policy", 5)
    );
    // Unchanged activations keep their loaded policy (nothing loaded again).
    let loads = source.loads.load(Ordering::SeqCst);
    policies.reconcile(vec![
        (CompanyId(1), active(1, 5)),
        (CompanyId(3), active(3, 2)),
    ]);
    policies.route(CompanyId(1), &call(), &[candidate()], false);
    assert_eq!(source.loads.load(Ordering::SeqCst), loads);
}
