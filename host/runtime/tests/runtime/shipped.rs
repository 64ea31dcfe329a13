//! The six shipped policies, run through the real runtime on realistic inputs:
//! who is rung, in what order and how.

use switchyard_runtime::{
    Call, Candidate, Decision, FailureKind, Outcome, OverflowAction, OverflowReason, PolicyState,
    Presence, RingMode, Role, Status, Subject, Viewer, Weekday, fallback,
};

use crate::common::{agent, call, call_at, call_needing, engine, load, rung, team};

#[test]
fn every_shipped_policy_starts_inside_the_sandbox_and_answers() {
    let engine = engine();
    for (name, path) in switchyard_artifacts::SHIPPED {
        let policy = load(&engine, name, path);
        // Start-up alone must not touch the filesystem, env, network or clocks.
        assert_eq!(engine.try_instantiate(&policy), Ok(()), "{name}");
        let decided = engine.route(&policy, 1, &call(), &team(), "", &mut PolicyState::new());
        assert_eq!(
            decided.outcome,
            Outcome::Policy,
            "{name}: {:?}",
            decided.logs
        );
        assert!(matches!(decided.value, Decision::Ring(_)), "{name}");
    }
    for kind in FailureKind::ALL {
        assert_eq!(engine.failure_counters().get(kind), 0, "{kind}");
    }
}

#[test]
fn every_shipped_policy_checks_its_config() {
    let engine = engine();
    for (name, path) in switchyard_artifacts::SHIPPED {
        let policy = load(&engine, name, path);
        let mut state = PolicyState::new();
        let ok = engine.check_config(&policy, 1, r#"{"ring_timeout_ms": 15000}"#, &mut state);
        assert_eq!((ok.value, ok.outcome), (Ok(()), Outcome::Policy), "{name}");
        let bad = engine.check_config(&policy, 1, r#"{"ring_timeout_ms": 500}"#, &mut state);
        assert_eq!(bad.outcome, Outcome::Policy, "{name}");
        let message = bad.value.unwrap_err().to_string();
        assert!(message.contains("500"), "{name}: {message}");
        let typo = engine.check_config(&policy, 1, r#"{"ring_timeout": 15000}"#, &mut state);
        assert!(typo.value.is_err(), "{name} accepted an unknown field");
    }
}

#[test]
fn shipped_policies_use_the_default_overflow_and_visibility() {
    let engine = engine();
    let subject = Subject {
        agent: 2,
        role: Role::Agent,
        status: Status::Available,
        presence: Presence::OnCall,
    };
    let viewers = [
        Viewer {
            agent: 2,
            role: Role::Agent,
        },
        Viewer {
            agent: 1,
            role: Role::Agent,
        },
        Viewer {
            agent: 1,
            role: Role::Supervisor,
        },
    ];
    for (name, path) in switchyard_artifacts::SHIPPED {
        let policy = load(&engine, name, path);
        let mut state = PolicyState::new();
        for reason in [OverflowReason::AllBusy, OverflowReason::NoAnswer] {
            let decided = engine.overflow(&policy, 1, &call(), reason, "", &mut state);
            assert_eq!(decided.outcome, Outcome::Policy, "{name}");
            assert_eq!(decided.value, fallback::overflow(&call(), reason), "{name}");
        }
        for viewer in &viewers {
            let decided = engine.visibility(&policy, 1, viewer, &subject, "", &mut state);
            assert_eq!(decided.outcome, Outcome::Policy, "{name}");
            assert_eq!(
                decided.value,
                fallback::visibility(viewer, &subject),
                "{name}"
            );
        }
    }
}

#[test]
fn longest_idle_rings_the_longest_idle_eligible_agents_one_by_one() {
    let engine = engine();
    let policy = load(&engine, "longest-idle", switchyard_artifacts::LONGEST_IDLE);
    let mut state = PolicyState::new();

    let decided = engine.route(&policy, 1, &call(), &team(), "", &mut state);
    assert_eq!(rung(&decided), (RingMode::Sequential, vec![12, 14, 11]));
    // The host's fallback is the same algorithm.
    assert_eq!(decided.value, fallback::route(&call(), &team()));
    let Decision::Ring(plan) = &decided.value else {
        unreachable!()
    };
    assert!(plan.targets.iter().all(|t| t.timeout_ms == 20_000));

    let config = r#"{"ring_timeout_ms": 15000, "max_targets": 2}"#;
    let decided = engine.route(&policy, 1, &call(), &team(), config, &mut state);
    assert_eq!(rung(&decided).1, [12, 14]);
    let Decision::Ring(plan) = &decided.value else {
        unreachable!()
    };
    assert!(plan.targets.iter().all(|t| t.timeout_ms == 15_000));

    let mut retry = call();
    retry.attempt = 2;
    retry.tried = vec![12, 14];
    let decided = engine.route(&policy, 1, &retry, &team(), "", &mut state);
    assert_eq!(rung(&decided).1, [11]);
    assert!(!decided.state_changed);
}

#[test]
fn longest_idle_overflows_with_the_reason_nobody_can_answer() {
    let engine = engine();
    let policy = load(&engine, "longest-idle", switchyard_artifacts::LONGEST_IDLE);
    let mut state = PolicyState::new();
    let busy: Vec<Candidate> = team()
        .into_iter()
        .map(|c| Candidate {
            presence: Presence::OnCall,
            ..c
        })
        .collect();
    let off: Vec<Candidate> = team()
        .into_iter()
        .map(|c| Candidate {
            take_calls: false,
            ..c
        })
        .collect();
    for (candidates, reason) in [
        (vec![], OverflowReason::NoMembers),
        (busy, OverflowReason::AllBusy),
        (off, OverflowReason::NoneAvailable),
    ] {
        let decided = engine.route(&policy, 1, &call(), &candidates, "", &mut state);
        assert_eq!(decided.outcome, Outcome::Policy);
        assert_eq!(decided.value, Decision::Overflow(reason));
    }
}

#[test]
fn round_robin_pointer_advances_across_calls_sharing_a_state() {
    let engine = engine();
    let policy = load(&engine, "round-robin", switchyard_artifacts::ROUND_ROBIN);
    let candidates = vec![
        agent(30, 0),
        agent(10, 0),
        Candidate {
            presence: Presence::WrapUp,
            ..agent(25, 0)
        },
        agent(20, 0),
    ];
    let mut state = PolicyState::new();
    let mut firsts = Vec::new();
    for expected in [[10, 20, 30], [20, 30, 10], [30, 10, 20], [10, 20, 30]] {
        let decided = engine.route(&policy, 1, &call(), &candidates, "", &mut state);
        assert_eq!(rung(&decided), (RingMode::Sequential, expected.to_vec()));
        assert!(decided.state_changed);
        firsts.push(expected[0]);
    }
    assert_eq!(firsts, [10, 20, 30, 10]);
    assert_eq!(state.len(), 1, "{state:?}");

    // A fresh state starts over: nothing survives in the instance between calls.
    for _ in 0..2 {
        let decided = engine.route(
            &policy,
            1,
            &call(),
            &candidates,
            "",
            &mut PolicyState::new(),
        );
        assert_eq!(rung(&decided).1, [10, 20, 30]);
    }
}

#[test]
fn ring_all_rings_every_eligible_agent_at_once() {
    let engine = engine();
    let policy = load(&engine, "ring-all", switchyard_artifacts::RING_ALL);
    let mut state = PolicyState::new();
    let decided = engine.route(&policy, 1, &call(), &team(), "", &mut state);
    let (mode, mut agents) = rung(&decided);
    assert_eq!(mode, RingMode::Simultaneous);
    agents.sort_unstable();
    assert_eq!(agents, [11, 12, 14]);

    // With a cap, the longest idle are kept.
    let decided = engine.route(
        &policy,
        1,
        &call(),
        &team(),
        r#"{"max_targets": 1}"#,
        &mut state,
    );
    assert_eq!(rung(&decided), (RingMode::Simultaneous, vec![12]));
}

#[test]
fn fewest_calls_rings_the_least_loaded_first_by_calls_or_talk_time() {
    let engine = engine();
    let policy = load(&engine, "fewest-calls", switchyard_artifacts::FEWEST_CALLS);
    let loaded = |id, calls_today, talk_ms_today, idle_ms| Candidate {
        calls_today,
        talk_ms_today,
        ..agent(id, idle_ms)
    };
    let candidates = vec![
        loaded(1, 12, 1_800_000, 5_000),
        loaded(2, 3, 3_600_000, 10_000),
        loaded(3, 3, 600_000, 50_000),
        Candidate {
            presence: Presence::BusyElsewhere,
            ..loaded(4, 0, 0, 0)
        },
    ];
    let mut state = PolicyState::new();
    let by_calls = engine.route(&policy, 1, &call(), &candidates, "", &mut state);
    assert_eq!(rung(&by_calls), (RingMode::Sequential, vec![3, 2, 1]));
    let config = r#"{"measure": "talk-time"}"#;
    let by_talk = engine.route(&policy, 1, &call(), &candidates, config, &mut state);
    assert_eq!(rung(&by_talk).1, [3, 1, 2]);
}

#[test]
fn skills_tier_rings_skilled_agents_first_line_first() {
    let engine = engine();
    let policy = load(&engine, "skills-tier", switchyard_artifacts::SKILLS_TIER);
    // The department's skill names travel once, in the call; candidates carry bits.
    let names = ["billing", "french", "Billing", "sales"];
    let with_skills = |call: Call| Call {
        skills: names.iter().map(|s| s.to_string()).collect(),
        ..call
    };
    let bits = |skills: &[&str]| -> u64 {
        skills
            .iter()
            .map(|s| 1 << names.iter().position(|n| n == s).expect("a listed skill"))
            .sum()
    };
    let skilled = |id, tier, skills: &[&str], idle_ms| Candidate {
        tier,
        skills: bits(skills),
        ..agent(id, idle_ms)
    };
    let candidates = vec![
        skilled(1, 2, &["billing", "french"], 900_000),
        skilled(2, 1, &["billing"], 10_000),
        skilled(3, 1, &["Billing", "french"], 50_000),
        skilled(4, 1, &["sales"], 999_000),
        skilled(5, 3, &["billing"], 5_000),
    ];
    let mut state = PolicyState::new();
    let config = r#"{"required_skills": ["billing"]}"#;

    let decided = engine.route(
        &policy,
        1,
        &with_skills(call()),
        &candidates,
        config,
        &mut state,
    );
    assert_eq!(rung(&decided), (RingMode::Sequential, vec![3, 2, 1, 5]));

    // The platform's `skill` attribute adds a requirement.
    let decided = engine.route(
        &policy,
        1,
        &with_skills(call_needing("french")),
        &candidates,
        config,
        &mut state,
    );
    assert_eq!(rung(&decided).1, [3, 1]);

    // Nobody has the skill: nobody is a candidate for this call.
    let decided = engine.route(
        &policy,
        1,
        &with_skills(call_needing("german")),
        &candidates,
        config,
        &mut state,
    );
    assert_eq!(decided.outcome, Outcome::Policy);
    assert_eq!(decided.value, Decision::Overflow(OverflowReason::NoMembers));

    // Without required skills, tiers still come first.
    let decided = engine.route(
        &policy,
        1,
        &with_skills(call()),
        &candidates,
        "",
        &mut state,
    );
    assert_eq!(rung(&decided).1, [4, 3, 2, 1, 5]);
}

#[test]
fn business_hours_routes_inside_hours_and_overflows_outside() {
    let engine = engine();
    let policy = load(
        &engine,
        "business-hours",
        switchyard_artifacts::BUSINESS_HOURS,
    );
    let mut state = PolicyState::new();

    // Default hours: Monday to Friday, 09:00 to 17:00, longest idle inside.
    let open = engine.route(
        &policy,
        1,
        &call_at(Weekday::Wednesday, 10, 0),
        &team(),
        "",
        &mut state,
    );
    assert_eq!(rung(&open), (RingMode::Sequential, vec![12, 14, 11]));
    for closed_call in [
        call_at(Weekday::Wednesday, 18, 30),
        call_at(Weekday::Wednesday, 8, 59),
        call_at(Weekday::Saturday, 10, 0),
    ] {
        let closed = engine.route(&policy, 1, &closed_call, &team(), "", &mut state);
        assert_eq!(closed.outcome, Outcome::Policy);
        assert_eq!(closed.value, Decision::Overflow(OverflowReason::OutOfHours));
    }
    let action = engine.overflow(
        &policy,
        1,
        &call(),
        OverflowReason::OutOfHours,
        "",
        &mut state,
    );
    assert_eq!(action.value, OverflowAction::Voicemail(String::new()));

    // Saturday mornings only, ringing everyone, closed calls to department 12.
    let config = r#"{
        "hours": [{"days": ["sat"], "open": "10:00", "close": "14:00"}],
        "inner": "ring-all",
        "closed": {"department": 12}
    }"#;
    let saturday = call_at(Weekday::Saturday, 11, 0);
    let open = engine.route(&policy, 1, &saturday, &team(), config, &mut state);
    assert_eq!(rung(&open).0, RingMode::Simultaneous);
    let weekday = call_at(Weekday::Wednesday, 11, 0);
    let closed = engine.route(&policy, 1, &weekday, &team(), config, &mut state);
    assert_eq!(closed.value, Decision::Overflow(OverflowReason::OutOfHours));
    let action = engine.overflow(
        &policy,
        1,
        &weekday,
        OverflowReason::OutOfHours,
        config,
        &mut state,
    );
    assert_eq!(
        (action.value, action.outcome),
        (OverflowAction::ForwardDepartment(12), Outcome::Policy)
    );
    let busy = engine.overflow(
        &policy,
        1,
        &saturday,
        OverflowReason::AllBusy,
        config,
        &mut state,
    );
    assert_eq!(
        busy.value,
        fallback::overflow(&saturday, OverflowReason::AllBusy)
    );

    let config = r#"{"closed": {"voicemail": "after-hours"}}"#;
    let action = engine.overflow(
        &policy,
        1,
        &call(),
        OverflowReason::OutOfHours,
        config,
        &mut state,
    );
    assert_eq!(
        action.value,
        OverflowAction::Voicemail("after-hours".into())
    );
}

#[test]
fn forwarding_to_the_calls_own_department_is_a_bad_answer() {
    let engine = engine();
    let policy = load(
        &engine,
        "business-hours",
        switchyard_artifacts::BUSINESS_HOURS,
    );
    let config = r#"{"closed": {"department": 10}}"#;
    let decided = engine.overflow(
        &policy,
        1,
        &call(),
        OverflowReason::OutOfHours,
        config,
        &mut PolicyState::new(),
    );
    assert_eq!(decided.failure(), Some(FailureKind::BadAnswer));
    assert_eq!(
        decided.value,
        fallback::overflow(&call(), OverflowReason::OutOfHours)
    );
    assert_eq!(engine.failure_counters().get(FailureKind::BadAnswer), 1);
}
