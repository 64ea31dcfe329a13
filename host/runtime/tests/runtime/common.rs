//! Shared helpers: engines, loading artifacts, realistic inputs, reading plans.

use std::time::Duration;

use switchyard_runtime::{
    Attribute, Call, Candidate, Decided, Decision, EngineConfig, Outcome, Policy, PolicyEngine,
    Presence, RingMode, Role, Status, Weekday,
};

/// An engine with production limits except a generous deadline, so that a busy
/// (shared, two-core) test machine cannot turn a slow decision into a deadline
/// failure. Tests of the deadline itself use [`strict_engine`].
pub fn engine() -> PolicyEngine {
    PolicyEngine::new(EngineConfig {
        deadline: Duration::from_secs(5),
        ..EngineConfig::default()
    })
    .unwrap()
}

/// An engine with every production default, the 10 ms deadline included.
pub fn strict_engine() -> PolicyEngine {
    PolicyEngine::new(EngineConfig::default()).unwrap()
}

/// Loads the component at `path` (a `switchyard_artifacts` constant).
pub fn load(engine: &PolicyEngine, name: &str, path: &str) -> Policy {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    engine
        .load(name, "test", &bytes)
        .unwrap_or_else(|e| panic!("loading {name}: {e}"))
}

/// A first-attempt call to department 10 of company 1 on a Wednesday at 10:00.
pub fn call() -> Call {
    Call {
        id: "call-7f3a".into(),
        company: 1,
        dialled_number: "+442071230000".into(),
        caller: "+447700900123".into(),
        department: 10,
        attempt: 1,
        waited_ms: 0,
        now_unix_ms: 1_700_000_000_000,
        local_weekday: Weekday::Wednesday,
        local_minute: 10 * 60,
        seed: 42,
        tried: vec![],
        attributes: vec![],
        skills: vec![],
    }
}

/// `call()` at another company-local time.
pub fn call_at(weekday: Weekday, hour: u16, minute: u16) -> Call {
    Call {
        local_weekday: weekday,
        local_minute: hour * 60 + minute,
        ..call()
    }
}

/// `call()` with a `skill` attribute from the telephony platform.
pub fn call_needing(skill: &str) -> Call {
    Call {
        attributes: vec![Attribute {
            key: "skill".into(),
            value: skill.into(),
        }],
        ..call()
    }
}

/// An eligible first-line agent, idle for `idle_ms`.
pub fn agent(id: u64, idle_ms: u64) -> Candidate {
    Candidate {
        agent: id,
        role: Role::Agent,
        tier: 1,
        skills: 0,
        status: Status::Available,
        take_calls: true,
        in_schedule: true,
        presence: Presence::Idle,
        idle_ms,
        calls_today: 0,
        talk_ms_today: 0,
    }
}

/// A department as the host would describe it: some free agents, one on a
/// call, one busy for another company, one on a break, one off schedule.
pub fn team() -> Vec<Candidate> {
    vec![
        agent(11, 45_000),
        agent(12, 300_000),
        Candidate {
            presence: Presence::OnCall,
            ..agent(13, 900_000)
        },
        agent(14, 120_000),
        Candidate {
            presence: Presence::BusyElsewhere,
            ..agent(15, 800_000)
        },
        Candidate {
            status: Status::OnBreak,
            ..agent(16, 700_000)
        },
        Candidate {
            in_schedule: false,
            ..agent(17, 600_000)
        },
    ]
}

/// The mode and agents of a ring plan; panics (with the outcome) otherwise.
pub fn rung(decided: &Decided<Decision>) -> (RingMode, Vec<u64>) {
    assert_eq!(decided.outcome, Outcome::Policy, "logs: {:?}", decided.logs);
    match &decided.value {
        Decision::Ring(plan) => (plan.mode, plan.targets.iter().map(|t| t.agent).collect()),
        Decision::Overflow(reason) => panic!("expected a ring plan, got overflow {reason:?}"),
    }
}
