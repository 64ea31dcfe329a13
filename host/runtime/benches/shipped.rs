//! Every shipped policy, native vs a fresh wasm instance, at 10, 100 and 1000 candidates; and,
//! for `longest-idle` at 100 candidates, what each engine setting costs: the pooling allocator,
//! copy-on-write memory images, and fuel metering on top of the epoch deadline.
//!
//! "Native" is the plugin crate linked as an rlib and called through `switchyard_sdk::Policy`
//! with a `MemoryHost`; "wasm" is the same crate compiled to a component and run through
//! `PolicyEngine::route` (fresh store and instance, limits, validation). Before timing, each
//! pair must make the same decision.
//!
//! Run: `cargo bench -p switchyard-runtime --bench shipped -- --warm-up-time 1 --measurement-time 2`

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use switchyard_runtime::{Decision, EngineConfig, PolicyEngine, PolicyState};
use switchyard_sdk::{Host, MemoryHost};

mod common;
use common::{SIZES, call, candidates, sdk};

/// A native policy's `route`.
type NativeRoute = fn(
    &mut dyn Host,
    &switchyard_sdk::Call,
    &[switchyard_sdk::Candidate],
    &str,
) -> switchyard_sdk::Decision;

/// (name, native route, component path).
fn shipped() -> Vec<(&'static str, NativeRoute, &'static str)> {
    use switchyard_sdk::Policy;
    vec![
        (
            "longest-idle",
            longest_idle::LongestIdle::route,
            switchyard_artifacts::LONGEST_IDLE,
        ),
        (
            "round-robin",
            round_robin::RoundRobin::route,
            switchyard_artifacts::ROUND_ROBIN,
        ),
        (
            "ring-all",
            ring_all::RingAll::route,
            switchyard_artifacts::RING_ALL,
        ),
        (
            "fewest-calls",
            fewest_calls::FewestCalls::route,
            switchyard_artifacts::FEWEST_CALLS,
        ),
        (
            "skills-tier",
            skills_tier::SkillsTier::route,
            switchyard_artifacts::SKILLS_TIER,
        ),
        (
            "business-hours",
            business_hours::BusinessHours::route,
            switchyard_artifacts::BUSINESS_HOURS,
        ),
    ]
}

/// The agents a decision rings, in order (empty for an overflow).
fn rung_native(d: &switchyard_sdk::Decision) -> Vec<u64> {
    match d {
        switchyard_sdk::Decision::Ring(plan) => plan.targets.iter().map(|t| t.agent).collect(),
        switchyard_sdk::Decision::Overflow(_) => vec![],
    }
}

fn rung_wasm(d: &Decision) -> Vec<u64> {
    match d {
        Decision::Ring(plan) => plan.targets.iter().map(|t| t.agent).collect(),
        Decision::Overflow(_) => vec![],
    }
}

fn engine(config: EngineConfig) -> PolicyEngine {
    PolicyEngine::new(EngineConfig {
        // Generous: a thread descheduled on a loaded machine must not fail a timing run.
        deadline: Duration::from_secs(1),
        ..config
    })
    .expect("engine")
}

fn policies(c: &mut Criterion) {
    let engine = engine(EngineConfig::default());
    let call = call();
    let sdk_call = sdk::call(&call);
    for (name, native, path) in shipped() {
        let bytes = std::fs::read(path).expect("artifact");
        let policy = engine.load(name, "bench", &bytes).expect("load");
        let mut group = c.benchmark_group(name);
        for n in SIZES {
            let cands = candidates(n);
            let sdk_cands: Vec<_> = cands.iter().map(sdk::candidate).collect();
            let expected = rung_native(&native(&mut MemoryHost::new(), &sdk_call, &sdk_cands, ""));
            let decided = engine.route(&policy, 1, &call, &cands, "", &mut PolicyState::new());
            assert!(!decided.is_fallback(), "{name}: {:?}", decided.outcome);
            assert_eq!(rung_wasm(&decided.value), expected, "{name} at {n}");
            group.bench_with_input(BenchmarkId::new("native", n), &sdk_cands, |b, cands| {
                let mut host = MemoryHost::new();
                b.iter(|| native(&mut host, &sdk_call, black_box(cands), ""))
            });
            group.bench_with_input(BenchmarkId::new("wasm", n), &cands, |b, cands| {
                let mut state = PolicyState::new();
                b.iter(|| engine.route(&policy, 1, &call, black_box(cands), "", &mut state))
            });
        }
        group.finish();
    }
}

fn settings(c: &mut Criterion) {
    let defaults = EngineConfig::default();
    let variants = [
        ("pooling+cow (service default)", defaults.clone()),
        (
            "pooling, no cow",
            EngineConfig {
                cow_memory_init: false,
                ..defaults.clone()
            },
        ),
        (
            "on-demand+cow",
            EngineConfig {
                pooling: false,
                ..defaults.clone()
            },
        ),
        (
            "pooling+cow+fuel",
            EngineConfig {
                fuel_per_call: Some(50_000_000),
                ..defaults.clone()
            },
        ),
    ];
    let call = call();
    let cands = candidates(100);
    let bytes = std::fs::read(switchyard_artifacts::LONGEST_IDLE).expect("artifact");
    let mut group = c.benchmark_group("settings@100");
    for (label, config) in variants {
        let engine = engine(config);
        let policy = engine.load("longest-idle", "bench", &bytes).expect("load");
        let decided = engine.route(&policy, 1, &call, &cands, "", &mut PolicyState::new());
        assert!(!decided.is_fallback(), "{label}: {:?}", decided.outcome);
        group.bench_function(BenchmarkId::new("decision", label), |b| {
            let mut state = PolicyState::new();
            b.iter(|| engine.route(&policy, 1, &call, black_box(&cands), "", &mut state))
        });
        group.bench_function(BenchmarkId::new("instantiate", label), |b| {
            b.iter(|| engine.try_instantiate(&policy).expect("instantiate"))
        });
    }
    group.finish();
}

criterion_group!(benches, policies, settings);
criterion_main!(benches);
