//! Decision cost of `longest-idle`: native Rust vs a fresh wasm instance per call,
//! at 10, 100 and 1000 candidates, plus bare instantiation, with the pooling
//! allocator on and off.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use switchyard_runtime::{
    Call, Candidate, EngineConfig, PolicyEngine, PolicyState, Presence, Role, Status, Weekday,
    fallback,
};

const SIZES: [usize; 3] = [10, 100, 1000];

fn policy_bytes() -> Vec<u8> {
    let path = std::env::var("POLICY_WASM").unwrap_or_default();
    std::fs::read(path).unwrap_or_default()
}

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
    }
}

fn candidates(n: usize) -> Vec<Candidate> {
    (0..n as u64)
        .map(|i| Candidate {
            agent: 1_000 + i,
            extension: format!("{}", 200 + i),
            role: Role::Agent,
            tier: 1 + (i % 3) as u8,
            skills: vec!["english".into(), "billing".into()],
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

fn engine(pooling: bool) -> PolicyEngine {
    PolicyEngine::new(EngineConfig {
        pooling,
        ..EngineConfig::default()
    })
    .expect("engine")
}

fn bench(c: &mut Criterion) {
    let bytes = policy_bytes();
    let pooled = engine(true);
    let on_demand = engine(false);
    let policy = pooled.load("longest-idle", "bench", &bytes).expect("load");
    let policy_od = on_demand
        .load("longest-idle", "bench", &bytes)
        .expect("load");
    let call = call();

    let mut group = c.benchmark_group("longest-idle");
    for n in SIZES {
        let cands = candidates(n);
        group.bench_with_input(
            BenchmarkId::new("native-fallback", n),
            &cands,
            |b, cands| b.iter(|| fallback::route(black_box(&call), black_box(cands))),
        );
        group.bench_with_input(BenchmarkId::new("wasm-pooling", n), &cands, |b, cands| {
            let mut state = PolicyState::new();
            b.iter(|| {
                let d = pooled.route(&policy, 1, &call, black_box(cands), "", &mut state);
                assert!(!d.is_fallback(), "{:?}", d.outcome);
                d.value
            })
        });
        group.bench_with_input(BenchmarkId::new("wasm-on-demand", n), &cands, |b, cands| {
            let mut state = PolicyState::new();
            b.iter(|| {
                on_demand
                    .route(&policy_od, 1, &call, black_box(cands), "", &mut state)
                    .value
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("instantiate");
    group.bench_function("pooling", |b| {
        b.iter(|| pooled.try_instantiate(&policy).expect("instantiate"))
    });
    group.bench_function("on-demand", |b| {
        b.iter(|| on_demand.try_instantiate(&policy_od).expect("instantiate"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
