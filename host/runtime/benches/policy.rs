//! What a sandboxed decision costs: `longest-idle` as native Rust (the plugin
//! crate linked as an rlib, called through `switchyard_sdk::Policy` with a
//! `MemoryHost`, and the host's own `fallback::route`, the same algorithm) versus
//! the compiled plugin in a fresh wasm instance through `PolicyEngine::route`, at
//! 10, 100 and 1000 candidates; plus bare instantiation. Wasm runs with the
//! pooling allocator on and off.
//!
//! Run: `cargo bench -p switchyard-runtime --bench policy -- --warm-up-time 1 --measurement-time 3`

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use switchyard_runtime::{
    Call, Candidate, EngineConfig, Policy, PolicyEngine, PolicyState, Presence, Role, Status,
    Weekday, fallback,
};
use switchyard_sdk::Policy as _;

const SIZES: [usize; 3] = [10, 100, 1000];

fn call() -> Call {
    Call {
        id: "bench-call".into(),
        company: 1,
        dialled_number: "+442071234567".into(),
        caller: "+447700900123".into(),
        department: 10,
        attempt: 1,
        waited_ms: 0,
        now_unix_ms: 1_700_000_000_000,
        local_weekday: Weekday::Tuesday,
        local_minute: 600,
        seed: 7,
        tried: vec![],
        attributes: vec![],
        skills: vec!["english".into(), "billing".into()],
    }
}

/// A realistic department: mostly idle agents, some on calls, on break or off
/// schedule, with a couple of skills each.
fn candidates(n: usize) -> Vec<Candidate> {
    (0..n as u64)
        .map(|i| Candidate {
            agent: 1_000 + i,
            role: Role::Agent,
            tier: 1 + (i % 3) as u8,
            // Both of the call's skills, `english` and `billing`.
            skills: 0b11,
            status: if i % 7 == 0 {
                Status::OnBreak
            } else {
                Status::Available
            },
            take_calls: true,
            in_schedule: i % 11 != 0,
            presence: if i % 5 == 0 {
                Presence::OnCall
            } else {
                Presence::Idle
            },
            idle_ms: (i * 7_919) % 600_000,
            calls_today: (i % 40) as u32,
            talk_ms_today: i * 1_000,
        })
        .collect()
}

/// The same inputs as the SDK's (guest-side) types.
mod sdk {
    use switchyard_sdk as s;

    pub fn call(c: &switchyard_runtime::Call) -> s::Call {
        s::Call {
            id: c.id.clone(),
            company: c.company,
            dialled_number: c.dialled_number.clone(),
            caller: c.caller.clone(),
            department: c.department,
            attempt: c.attempt,
            waited_ms: c.waited_ms,
            now_unix_ms: c.now_unix_ms,
            local_weekday: s::Weekday::Tuesday,
            local_minute: c.local_minute,
            seed: c.seed,
            tried: c.tried.clone(),
            attributes: vec![],
            skills: c.skills.clone(),
        }
    }

    pub fn candidate(c: &switchyard_runtime::Candidate) -> s::Candidate {
        use switchyard_runtime::{Presence as P, Status as S};
        s::Candidate {
            agent: c.agent,
            role: s::Role::Agent,
            tier: c.tier,
            skills: c.skills,
            status: match c.status {
                S::Available => s::Status::Available,
                S::Unavailable => s::Status::Unavailable,
                S::OnBreak => s::Status::OnBreak,
            },
            take_calls: c.take_calls,
            in_schedule: c.in_schedule,
            presence: match c.presence {
                P::LoggedOut => s::Presence::LoggedOut,
                P::Idle => s::Presence::Idle,
                P::Ringing => s::Presence::Ringing,
                P::OnCall => s::Presence::OnCall,
                P::WrapUp => s::Presence::WrapUp,
                P::BusyElsewhere => s::Presence::BusyElsewhere,
            },
            idle_ms: c.idle_ms,
            calls_today: c.calls_today,
            talk_ms_today: c.talk_ms_today,
        }
    }
}

fn engine_and_policy(pooling: bool) -> (PolicyEngine, Policy) {
    // A generous deadline: on a loaded machine a descheduled thread must not turn
    // a timing run into a failure (the deadline's value does not change the cost).
    let engine = PolicyEngine::new(EngineConfig {
        pooling,
        deadline: std::time::Duration::from_secs(1),
        ..EngineConfig::default()
    })
    .expect("engine");
    let bytes = std::fs::read(switchyard_artifacts::LONGEST_IDLE).expect("artifact");
    let policy = engine.load("longest-idle", "bench", &bytes).expect("load");
    (engine, policy)
}

fn bench(c: &mut Criterion) {
    let wasm = [
        ("pooling", engine_and_policy(true)),
        ("on-demand", engine_and_policy(false)),
    ];
    let call = call();
    let sdk_call = sdk::call(&call);

    let mut group = c.benchmark_group("longest-idle");
    for n in SIZES {
        let cands = candidates(n);
        let sdk_cands: Vec<_> = cands.iter().map(sdk::candidate).collect();
        // Both native versions and the plugin must agree before timing anything.
        let reference = fallback::route(&call, &cands);
        let mut host = switchyard_sdk::MemoryHost::new();
        let native = longest_idle::LongestIdle::route(&mut host, &sdk_call, &sdk_cands, "");
        let native_agents: Vec<u64> = match native {
            switchyard_sdk::Decision::Ring(plan) => plan.targets.iter().map(|t| t.agent).collect(),
            switchyard_sdk::Decision::Overflow(_) => vec![],
        };
        let reference_agents: Vec<u64> = match &reference {
            switchyard_runtime::Decision::Ring(plan) => {
                plan.targets.iter().map(|t| t.agent).collect()
            }
            switchyard_runtime::Decision::Overflow(_) => vec![],
        };
        assert_eq!(native_agents, reference_agents);

        group.bench_with_input(
            BenchmarkId::new("native-plugin", n),
            &sdk_cands,
            |b, cands| {
                let mut host = switchyard_sdk::MemoryHost::new();
                b.iter(|| {
                    longest_idle::LongestIdle::route(&mut host, &sdk_call, black_box(cands), "")
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("native-fallback", n),
            &cands,
            |b, cands| b.iter(|| fallback::route(&call, black_box(cands))),
        );
        for (label, (engine, policy)) in &wasm {
            let decided = engine.route(policy, 1, &call, &cands, "", &mut PolicyState::new());
            assert!(!decided.is_fallback(), "{:?}", decided.outcome);
            assert_eq!(decided.value, reference);
            group.bench_with_input(
                BenchmarkId::new(format!("wasm-{label}"), n),
                &cands,
                |b, cands| {
                    let mut state = PolicyState::new();
                    b.iter(|| engine.route(policy, 1, &call, black_box(cands), "", &mut state))
                },
            );
        }
    }
    group.finish();

    let mut group = c.benchmark_group("instantiate");
    for (label, (engine, policy)) in &wasm {
        group.bench_function(*label, |b| {
            b.iter(|| engine.try_instantiate(policy).expect("instantiate"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
