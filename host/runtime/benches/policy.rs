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
use switchyard_runtime::{EngineConfig, Policy, PolicyEngine, PolicyState, fallback};
use switchyard_sdk::Policy as _;

mod common;
use common::{SIZES, call, candidates, sdk};

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
