//! The hostile guest in every mode: each misbehaviour ends in the fallback
//! decision with the right failure kind, is counted, and the next call on the
//! same engine and policy works normally.

use std::time::Duration;

use switchyard_runtime::{
    Decision, EngineConfig, FailureKind, LogSource, Outcome, Policy, PolicyEngine, PolicyState,
    RingMode, fallback,
};

use crate::common::{call, engine, load, rung, strict_engine, team};

fn mode(name: &str) -> String {
    format!(r#"{{"mode": "{name}"}}"#)
}

/// Runs `route` in `mode` and checks the failure, the fallback, the counter and
/// a normal call afterwards. Returns the failure detail and the logs' text.
fn assert_contained(
    engine: &PolicyEngine,
    policy: &Policy,
    name: &str,
    kind: FailureKind,
) -> (String, Vec<String>) {
    let before = engine.failure_counters().get(kind);
    let mut state = PolicyState::new();
    let decided = engine.route(policy, 1, &call(), &team(), &mode(name), &mut state);
    let Outcome::Fallback { kind: got, detail } = decided.outcome else {
        panic!(
            "mode {name}: the policy's answer was used: {:?}",
            decided.value
        );
    };
    assert_eq!(got, kind, "mode {name}: {detail}");
    assert_eq!(
        decided.value,
        fallback::route(&call(), &team()),
        "mode {name}"
    );
    assert_eq!(
        engine.failure_counters().get(kind),
        before + 1,
        "mode {name}"
    );
    assert!(!decided.state_changed && state.is_empty());

    let next = engine.route(policy, 1, &call(), &team(), &mode("ok"), &mut state);
    assert_eq!(
        rung(&next),
        (RingMode::Sequential, vec![11]),
        "after mode {name}"
    );
    let logs = decided.logs.iter().map(|l| l.message.clone()).collect();
    (detail, logs)
}

fn hostile(engine: &PolicyEngine) -> Policy {
    load(engine, "hostile", switchyard_artifacts::HOSTILE)
}

#[test]
fn an_endless_loop_hits_the_deadline() {
    let engine = strict_engine();
    let policy = hostile(&engine);
    assert_contained(&engine, &policy, "loop", FailureKind::Deadline);
}

#[test]
fn an_endless_loop_runs_out_of_fuel_when_fuel_is_metered() {
    let engine = PolicyEngine::new(EngineConfig {
        deadline: Duration::from_secs(5),
        fuel_per_call: Some(50_000_000),
        ..EngineConfig::default()
    })
    .unwrap();
    let policy = hostile(&engine);
    assert_contained(&engine, &policy, "loop", FailureKind::OutOfFuel);
    let ok = engine.route(&policy, 1, &call(), &team(), "", &mut PolicyState::new());
    let burnt = ok.fuel_consumed.unwrap();
    assert!(burnt > 0 && burnt < 50_000_000, "{burnt}");
}

#[test]
fn exhausting_memory_is_out_of_memory() {
    let engine = engine();
    let policy = hostile(&engine);
    let (detail, _) = assert_contained(&engine, &policy, "memory", FailureKind::OutOfMemory);
    assert!(detail.contains("refused"), "{detail}");
}

#[test]
fn unbounded_recursion_is_a_stack_overflow() {
    let engine = engine();
    let policy = hostile(&engine);
    assert_contained(&engine, &policy, "recursion", FailureKind::StackOverflow);
}

#[test]
fn a_panic_is_a_panic_with_its_message_in_the_logs() {
    let engine = engine();
    let policy = hostile(&engine);
    let (detail, logs) = assert_contained(&engine, &policy, "panic", FailureKind::Panic);
    assert!(detail.contains("panicked at"), "{detail}");
    assert!(logs.iter().any(|l| l.contains("hostile panic")), "{logs:?}");
}

#[test]
fn ringing_an_unknown_agent_is_a_bad_answer() {
    let engine = engine();
    let policy = hostile(&engine);
    let (detail, _) = assert_contained(&engine, &policy, "unknown-agent", FailureKind::BadAnswer);
    assert!(detail.contains("999999999"), "{detail}");
}

#[test]
fn a_huge_ring_plan_is_a_bad_answer() {
    let engine = engine();
    let policy = hostile(&engine);
    let (detail, _) = assert_contained(&engine, &policy, "huge-output", FailureKind::BadAnswer);
    assert!(detail.contains("2000000 targets"), "{detail}");
}

#[test]
fn reading_a_file_is_a_sandbox_violation() {
    let engine = engine();
    let policy = hostile(&engine);
    let (detail, _) =
        assert_contained(&engine, &policy, "read-file", FailureKind::SandboxViolation);
    assert!(detail.contains("filesystem"), "{detail}");
}

#[test]
fn reading_the_environment_or_arguments_answers_empty_lists_and_is_no_violation() {
    let engine = engine();
    let policy = hostile(&engine);
    let before = engine.failure_counters().get(FailureKind::SandboxViolation);
    let mut state = PolicyState::new();
    let decided = engine.route(&policy, 1, &call(), &team(), &mode("read-env"), &mut state);
    // The guest's own answer is used, and it saw nothing of the host (a leak would
    // have rung an agent id above `ENV_LEAK_BASE`, which is a bad answer).
    assert!(
        matches!(decided.outcome, Outcome::Policy),
        "{:?}",
        decided.outcome
    );
    assert_eq!(rung(&decided), (RingMode::Sequential, vec![11]));
    let logs: Vec<&str> = decided.logs.iter().map(|l| l.message.as_str()).collect();
    assert!(
        logs.iter().any(|l| l.contains("0 vars, 0 args")),
        "{logs:?}"
    );
    assert_eq!(
        engine.failure_counters().get(FailureKind::SandboxViolation),
        before
    );
}

#[test]
fn guest_output_is_captured_and_bounded() {
    let engine = engine();
    let policy = hostile(&engine);
    let decided = engine.route(
        &policy,
        1,
        &call(),
        &team(),
        &mode("panic"),
        &mut PolicyState::new(),
    );
    assert!(decided.logs.len() <= switchyard_runtime::MAX_LOG_LINES + 1);
    assert!(
        decided
            .logs
            .iter()
            .any(|l| l.source == LogSource::Stderr && l.message.contains("hostile panic")),
        "{:?}",
        decided.logs
    );
}

#[test]
fn a_policy_from_another_engine_is_not_run() {
    let engine = engine();
    let other = PolicyEngine::new(EngineConfig::default()).unwrap();
    let policy = hostile(&other);
    let decided = engine.route(&policy, 1, &call(), &team(), "", &mut PolicyState::new());
    assert_eq!(decided.failure(), Some(FailureKind::Instantiate));
    assert!(matches!(decided.value, Decision::Ring(_)));
    assert_eq!(engine.failure_counters().get(FailureKind::Instantiate), 1);
}
