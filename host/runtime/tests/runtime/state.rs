//! Policy state: changes reach the caller only when the decision succeeded.

use switchyard_runtime::{FailureKind, PolicyState, fallback};

use crate::common::{agent, call, engine, load};

#[test]
fn a_failed_call_leaves_the_state_untouched() {
    let engine = engine();
    let policy = load(&engine, "round-robin", switchyard_artifacts::ROUND_ROBIN);
    let mut state = PolicyState::new();
    state.set("unrelated".into(), b"kept".to_vec()).unwrap();
    let good = vec![agent(10, 0), agent(20, 0)];
    let first = engine.route(&policy, 1, &call(), &good, "", &mut state);
    assert!(first.state_changed);
    let before = state.clone();

    // A duplicated member makes round-robin ring agent 10 twice, after it has
    // already moved its pointer: a bad answer whose state write must be dropped.
    let duplicated = vec![agent(10, 0), agent(10, 0), agent(20, 0)];
    let failed = engine.route(&policy, 1, &call(), &duplicated, "", &mut state);
    assert_eq!(failed.failure(), Some(FailureKind::BadAnswer));
    assert_eq!(failed.value, fallback::route(&call(), &duplicated));
    assert!(!failed.state_changed);
    assert_eq!(state, before);
}

#[test]
fn an_unchanged_state_is_not_reported_as_changed() {
    let engine = engine();
    let policy = load(&engine, "round-robin", switchyard_artifacts::ROUND_ROBIN);
    let candidates = vec![agent(10, 0)];
    let mut state = PolicyState::new();
    let first = engine.route(&policy, 1, &call(), &candidates, "", &mut state);
    assert!(first.state_changed);
    // Same single agent: the pointer is rewritten with the same value.
    let second = engine.route(&policy, 1, &call(), &candidates, "", &mut state);
    assert!(!second.state_changed);
}
