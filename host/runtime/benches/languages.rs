//! `longest-idle` in Rust, Python (componentize-py) and JavaScript (componentize-js) through
//! the real runtime: compile time, precompiled artifact size and load time, the first
//! decision after a load from the artifact, decision time at 10, 100 and 1000 candidates, and
//! linear memory per instance; the Rust policy called natively is the floor.
//!
//! Decisions are timed in rounds that alternate the languages, so a noisy neighbour costs each
//! the same; every decision must be the policy's own (not the fallback) and equal the native
//! one. The engine has production settings but a 5 s deadline, so slow languages are measured
//! rather than cut off (the production deadline is 10 ms: see the table's last column).
//!
//! Run: `cargo bench -p switchyard-runtime --bench languages` (release; ~2 minutes, most of it
//! compiling the Python and JavaScript components). `LANG_BENCH_ROUNDS=n` changes the rounds.

#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use switchyard_runtime::{
    EngineConfig, Outcome, PolicyEngine, PolicyState, Presence, Role, Status, Subject, Viewer,
};
use switchyard_sdk::{MemoryHost, Policy as _};

mod common;
use common::{SIZES, call, candidates, sdk};

/// (language, component path).
const GUESTS: [(&str, &str); 3] = [
    ("Rust", switchyard_artifacts::LONGEST_IDLE),
    ("Python", switchyard_artifacts::PY_LONGEST_IDLE),
    ("JavaScript", switchyard_artifacts::JS_LONGEST_IDLE),
];

/// Decisions per language per round.
const PER_ROUND: usize = 20;

fn main() {
    let rounds: usize = std::env::var("LANG_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let config = EngineConfig {
        deadline: Duration::from_secs(5),
        ..EngineConfig::default()
    };
    let production_deadline = EngineConfig::default().deadline;
    let engine = PolicyEngine::new(config).unwrap();

    println!(
        "| language | component | compile | artifact | load from artifact (with one warm-up instantiation) | first decision after it |"
    );
    println!("|---|---|---|---|---|---|");
    let mut policies = Vec::new();
    for (lang, path) in GUESTS {
        let bytes = std::fs::read(path).unwrap();
        let started = Instant::now();
        let compiled = engine.load("longest-idle", lang, &bytes).unwrap();
        let compile = started.elapsed();
        let artifact = compiled.serialize().unwrap();
        // A fresh engine, as after a restart: the artifact is all it has.
        let fresh = PolicyEngine::new(EngineConfig {
            deadline: Duration::from_secs(5),
            ..EngineConfig::default()
        })
        .unwrap();
        let started = Instant::now();
        let loaded = fresh.load_precompiled(&artifact).unwrap();
        let load = started.elapsed();
        let cands = candidates(10);
        let started = Instant::now();
        let cold = fresh.route(&loaded, 1, &call(), &cands, "", &mut PolicyState::new());
        let cold_time = started.elapsed();
        assert_eq!(cold.outcome, Outcome::Policy, "{lang}: {:?}", cold.logs);
        println!(
            "| {lang} | {:.1} MB | {} | {:.1} MB | {} | {} |",
            mb(bytes.len()),
            fmt(compile),
            mb(artifact.len()),
            fmt(load),
            fmt(cold_time),
        );
        policies.push((lang, compiled));
    }

    // The fixed cost of a decision: `visibility` takes two small records, so its time is
    // instantiating the component and entering its interpreter.
    println!();
    println!("| fixed cost: `visibility`, no candidates | median | p99 |");
    println!("|---|---|---|");
    let viewer = Viewer {
        agent: 1,
        role: Role::Agent,
    };
    let subject = Subject {
        agent: 2,
        role: Role::Agent,
        status: Status::Available,
        presence: Presence::Idle,
    };
    let mut fixed: Vec<Vec<Duration>> = vec![Vec::new(); policies.len()];
    for _ in 0..rounds {
        for (i, (lang, policy)) in policies.iter().enumerate() {
            for _ in 0..PER_ROUND {
                let started = Instant::now();
                let decided =
                    engine.visibility(policy, 1, &viewer, &subject, "", &mut PolicyState::new());
                fixed[i].push(started.elapsed());
                assert_eq!(decided.outcome, Outcome::Policy, "{lang}");
            }
        }
    }
    for (i, (lang, _)) in policies.iter().enumerate() {
        println!(
            "| {lang} | {} | {} |",
            fmt(percentile(&mut fixed[i], 50)),
            fmt(percentile(&mut fixed[i], 99))
        );
    }

    println!();
    println!(
        "| candidates | language | median | p99 | × native | memory per instance | within the 10 ms deadline |"
    );
    println!("|---|---|---|---|---|---|---|");
    for n in SIZES {
        let cands = candidates(n);
        let sdk_call = sdk::call(&call());
        let sdk_cands: Vec<_> = cands.iter().map(sdk::candidate).collect();
        let native_decision =
            longest_idle::LongestIdle::route(&mut MemoryHost::new(), &sdk_call, &sdk_cands, "");
        let mut native = Vec::new();
        let mut times: Vec<Vec<Duration>> = vec![Vec::new(); policies.len()];
        let mut memory = vec![0; policies.len()];
        for _ in 0..rounds {
            for _ in 0..PER_ROUND {
                let started = Instant::now();
                black_box(longest_idle::LongestIdle::route(
                    &mut MemoryHost::new(),
                    black_box(&sdk_call),
                    black_box(&sdk_cands),
                    "",
                ));
                native.push(started.elapsed());
            }
            for (i, (lang, policy)) in policies.iter().enumerate() {
                for _ in 0..PER_ROUND {
                    let started = Instant::now();
                    let decided =
                        engine.route(policy, 1, &call(), &cands, "", &mut PolicyState::new());
                    times[i].push(started.elapsed());
                    assert_eq!(decided.outcome, Outcome::Policy, "{lang} at {n}");
                    assert_eq!(
                        format!("{:?}", decided.value),
                        format!("{native_decision:?}"),
                        "{lang} at {n} decides as the native policy"
                    );
                    memory[i] = decided.memory_bytes;
                }
            }
        }
        let native_median = percentile(&mut native, 50);
        println!(
            "| {n} | Rust, native | {} | {} | 1 | — | — |",
            fmt(native_median),
            fmt(percentile(&mut native, 99))
        );
        for (i, (lang, _)) in policies.iter().enumerate() {
            let median = percentile(&mut times[i], 50);
            let p99 = percentile(&mut times[i], 99);
            println!(
                "| {n} | {lang} | {} | {} | {:.0} | {:.1} MiB | {} |",
                fmt(median),
                fmt(p99),
                median.as_secs_f64() / native_median.as_secs_f64().max(1e-9),
                memory[i] as f64 / f64::from(1 << 20),
                if p99 <= production_deadline {
                    "yes"
                } else {
                    "no"
                },
            );
        }
    }
}

fn percentile(samples: &mut [Duration], pct: usize) -> Duration {
    samples.sort_unstable();
    samples[(samples.len() - 1) * pct / 100]
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1e6
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1e6 {
        format!("{:.2} s", us / 1e6)
    } else if us >= 1e3 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{us:.1} µs")
    }
}
