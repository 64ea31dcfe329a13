//! Policies in Python (componentize-py) and JavaScript (componentize-js) through the real
//! runtime: their `longest-idle` decides as the Rust one on the shipped-policy inputs, their
//! `round-robin` keeps its pointer in host state across calls (and continues another
//! language's), and a Python guest reaching for a file or a socket is a sandbox violation.
//!
//! Compiling one of these components takes seconds, so every test shares one engine and one
//! loaded copy of each ([`guests`]).

use std::sync::OnceLock;

use switchyard_runtime::{
    Candidate, Decision, FailureKind, Outcome, OverflowReason, Policy, PolicyEngine, PolicyState,
    Presence, RingMode, Role, Status, Subject, Viewer, fallback,
};

use crate::common::{agent, call, engine, load, rung, team};

/// The shared engine and the loaded guests.
struct Guests {
    engine: PolicyEngine,
    longest_idle: [(&'static str, Policy); 3],
    round_robin: [(&'static str, Policy); 3],
    py_hostile: Policy,
}

fn guests() -> &'static Guests {
    static GUESTS: OnceLock<Guests> = OnceLock::new();
    GUESTS.get_or_init(|| {
        let engine = engine();
        let longest_idle = [
            (
                "rust",
                load(&engine, "longest-idle", switchyard_artifacts::LONGEST_IDLE),
            ),
            (
                "python",
                load(
                    &engine,
                    "longest-idle-py",
                    switchyard_artifacts::PY_LONGEST_IDLE,
                ),
            ),
            (
                "js",
                load(
                    &engine,
                    "longest-idle-js",
                    switchyard_artifacts::JS_LONGEST_IDLE,
                ),
            ),
        ];
        let round_robin = [
            (
                "rust",
                load(&engine, "round-robin", switchyard_artifacts::ROUND_ROBIN),
            ),
            (
                "python",
                load(
                    &engine,
                    "round-robin-py",
                    switchyard_artifacts::PY_ROUND_ROBIN,
                ),
            ),
            (
                "js",
                load(
                    &engine,
                    "round-robin-js",
                    switchyard_artifacts::JS_ROUND_ROBIN,
                ),
            ),
        ];
        let py_hostile = load(&engine, "hostile-py", switchyard_artifacts::PY_HOSTILE);
        Guests {
            engine,
            longest_idle,
            round_robin,
            py_hostile,
        }
    })
}

/// The inputs of the shipped-policy tests (`shipped.rs`): calls, departments and configs.
fn inputs() -> Vec<(
    String,
    switchyard_runtime::Call,
    Vec<Candidate>,
    &'static str,
)> {
    let mut retry = call();
    retry.attempt = 2;
    retry.tried = vec![12, 14];
    let all = |f: fn(Candidate) -> Candidate| team().into_iter().map(f).collect::<Vec<_>>();
    let big: Vec<Candidate> = (1..=100)
        .map(|i| Candidate {
            presence: if i % 7 == 0 {
                Presence::OnCall
            } else {
                Presence::Idle
            },
            status: if i % 11 == 0 {
                Status::OnBreak
            } else {
                Status::Available
            },
            ..agent(i, (i * 7_919) % 600_000)
        })
        .collect();
    vec![
        ("team".into(), call(), team(), ""),
        (
            "team, config".into(),
            call(),
            team(),
            r#"{"ring_timeout_ms": 15000, "max_targets": 2}"#,
        ),
        ("retry".into(), retry, team(), ""),
        ("no members".into(), call(), vec![], ""),
        (
            "all busy".into(),
            call(),
            all(|c| Candidate {
                presence: Presence::OnCall,
                ..c
            }),
            "",
        ),
        (
            "none available".into(),
            call(),
            all(|c| Candidate {
                take_calls: false,
                ..c
            }),
            "",
        ),
        (
            "100 candidates with ties".into(),
            call(),
            big,
            r#"{"max_targets": 10}"#,
        ),
    ]
}

#[test]
fn python_and_js_longest_idle_decide_as_the_rust_one() {
    let g = guests();
    for (what, call, candidates, config) in inputs() {
        let mut answers = Vec::new();
        for (lang, policy) in &g.longest_idle {
            let decided = g.engine.route(
                policy,
                1,
                &call,
                &candidates,
                config,
                &mut PolicyState::new(),
            );
            assert_eq!(
                decided.outcome,
                Outcome::Policy,
                "{lang}, {what}: {:?}",
                decided.logs
            );
            answers.push((lang, decided.value));
        }
        // Without a config the Rust policy is the host's fallback algorithm.
        if config.is_empty() {
            assert_eq!(answers[0].1, fallback::route(&call, &candidates), "{what}");
        }
        for (lang, answer) in &answers[1..] {
            assert_eq!(answer, &answers[0].1, "{lang}, {what}");
        }
    }
}

#[test]
fn python_and_js_answer_overflow_visibility_and_config_checks_as_the_rust_one() {
    let g = guests();
    let reasons = [
        OverflowReason::NoMembers,
        OverflowReason::AllBusy,
        OverflowReason::NoAnswer,
        OverflowReason::PolicyError,
    ];
    let viewers = [
        Viewer {
            agent: 1,
            role: Role::Agent,
        },
        Viewer {
            agent: 2,
            role: Role::Supervisor,
        },
    ];
    let subject = Subject {
        agent: 3,
        role: Role::Agent,
        status: Status::Available,
        presence: Presence::Idle,
    };
    // (config, accepted)
    let configs = [
        ("", true),
        ("{}", true),
        (r#"{"max_targets": 3}"#, true),
        (r#"{"max_target": 3}"#, false),
        (r#"{"max_targets": 0}"#, false),
        (r#"{"ring_timeout_ms": 500}"#, false),
        ("[1]", false),
        ("{", false),
    ];
    for (lang, policy) in &g.longest_idle {
        let mut state = PolicyState::new();
        for reason in reasons {
            let decided = g
                .engine
                .overflow(policy, 1, &call(), reason, "", &mut state);
            assert_eq!(decided.outcome, Outcome::Policy, "{lang}");
            assert_eq!(
                decided.value,
                fallback::overflow(&call(), reason),
                "{lang} {reason:?}"
            );
        }
        for viewer in &viewers {
            let decided = g
                .engine
                .visibility(policy, 1, viewer, &subject, "", &mut state);
            assert_eq!(
                decided.value,
                fallback::visibility(viewer, &subject),
                "{lang}"
            );
        }
        for (config, accepted) in configs {
            let decided = g.engine.check_config(policy, 1, config, &mut state);
            assert_eq!(decided.outcome, Outcome::Policy, "{lang} {config}");
            assert_eq!(
                decided.value.is_ok(),
                accepted,
                "{lang} {config}: {:?}",
                decided.value
            );
            if let Err(refused) = &decided.value {
                let message = refused.to_string();
                assert!(
                    message.contains("invalid policy config"),
                    "{lang} {config}: {message}"
                );
                if config.contains("max_target\"") {
                    assert!(
                        message.contains("unknown field `max_target`"),
                        "{lang}: {message}"
                    );
                }
            }
        }
    }
}

#[test]
fn round_robin_keeps_its_pointer_in_host_state_in_every_language() {
    let g = guests();
    let candidates = vec![
        agent(30, 0),
        agent(10, 0),
        Candidate {
            presence: Presence::WrapUp,
            ..agent(25, 0)
        },
        agent(20, 0),
    ];
    let rotation = [[10, 20, 30], [20, 30, 10], [30, 10, 20], [10, 20, 30]];
    for (lang, policy) in &g.round_robin {
        let mut state = PolicyState::new();
        for expected in rotation {
            let decided = g
                .engine
                .route(policy, 1, &call(), &candidates, "", &mut state);
            assert_eq!(
                rung(&decided),
                (RingMode::Sequential, expected.to_vec()),
                "{lang}"
            );
            assert!(decided.state_changed, "{lang}");
            assert_eq!(
                state.get("rr.last"),
                Some(expected[0].to_string().as_bytes()),
                "{lang}"
            );
        }
    }
    // One company's state, its policy replaced by another language's at each call: every
    // version continues the rotation the one before left in the state.
    let mut state = PolicyState::new();
    for i in 0..8 {
        let (lang, policy) = &g.round_robin[i % 3];
        let decided = g
            .engine
            .route(policy, 1, &call(), &candidates, "", &mut state);
        assert_eq!(
            rung(&decided).1,
            rotation[i % 3].to_vec(),
            "call {i} by {lang}"
        );
    }
}

/// The hostile Python guest in `mode`: must end in the fallback as a sandbox violation.
fn assert_violation(mode: &str, wanted: &str) {
    let g = guests();
    let config = format!(r#"{{"mode": "{mode}"}}"#);
    let before = g
        .engine
        .failure_counters()
        .get(FailureKind::SandboxViolation);
    let decided = g.engine.route(
        &g.py_hostile,
        1,
        &call(),
        &team(),
        &config,
        &mut PolicyState::new(),
    );
    let Outcome::Fallback { kind, detail } = &decided.outcome else {
        panic!(
            "mode {mode}: the guest's answer was used: {:?} {:?}",
            decided.value, decided.logs
        );
    };
    assert_eq!(
        *kind,
        FailureKind::SandboxViolation,
        "mode {mode}: {detail}"
    );
    assert!(detail.contains(wanted), "mode {mode}: {detail}");
    assert_eq!(decided.value, fallback::route(&call(), &team()));
    // Other tests share the engine, so the counter may have moved further meanwhile.
    let after = g
        .engine
        .failure_counters()
        .get(FailureKind::SandboxViolation);
    assert!(after > before, "mode {mode}: not counted");
}

#[test]
fn a_python_guest_opening_a_file_is_a_sandbox_violation() {
    assert_violation("read-file", "filesystem");
    assert_violation("list-dir", "filesystem");
}

#[test]
fn a_python_guest_opening_a_socket_is_a_sandbox_violation() {
    assert_violation("socket", "TCP socket");
}

#[test]
fn a_python_guest_sees_no_environment_and_no_arguments_and_that_is_no_violation() {
    let g = guests();
    let decided = g.engine.route(
        &g.py_hostile,
        1,
        &call(),
        &team(),
        r#"{"mode": "read-env"}"#,
        &mut PolicyState::new(),
    );
    assert_eq!(decided.outcome, Outcome::Policy, "{:?}", decided.logs);
    let first = team()[0].agent;
    assert_eq!(rung(&decided).1, [first]);
    let logs: Vec<&str> = decided.logs.iter().map(|l| l.message.as_str()).collect();
    assert!(
        logs.iter().any(|l| l.contains("0 vars, argv []")),
        "{logs:?}"
    );
}

#[test]
fn python_and_js_guests_fit_the_default_memory_limit_at_1000_candidates() {
    let g = guests();
    let candidates: Vec<Candidate> = (1..=1000)
        .map(|i| agent(i, (i * 104_729) % 900_000))
        .collect();
    for (lang, policy) in &g.longest_idle {
        let decided = g
            .engine
            .route(policy, 1, &call(), &candidates, "", &mut PolicyState::new());
        assert_eq!(
            decided.outcome,
            Outcome::Policy,
            "{lang}: {:?}",
            decided.logs
        );
        let Decision::Ring(plan) = &decided.value else {
            panic!("{lang}: {:?}", decided.value)
        };
        assert_eq!(plan.targets.len(), 1000, "{lang}");
    }
}
