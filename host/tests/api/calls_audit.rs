//! The concurrency audit of `calls_stress.rs` (no agent double-booked across companies, every
//! call logged exactly once with the platform's outcome, nobody left reserved) at higher load
//! and over several seeds, each on a fresh server.
//!
//! - `audit_higher_load_over_seeds` runs with every `cargo test`: 2 seeds, 300 calls, 48 in
//!   flight.
//! - `audit_release_many_seeds` is ignored by default and run by `.ci/run` in release
//!   (`cargo test --release -p switchyard --test api -- --ignored audit_release`): 8 seeds,
//!   1500 calls, 96 in flight. `SWITCHYARD_AUDIT_SEEDS` changes the number of seeds of both.

use crate::calls_stress::stress_and_audit;
use crate::support::Rng;

/// The first seed; the others follow from it.
const SEED: u64 = 0xA0D1_7000_0000_0006;

/// `default` seeds, or as many as `SWITCHYARD_AUDIT_SEEDS` says.
fn seeds(default: usize) -> Vec<u64> {
    let n = std::env::var("SWITCHYARD_AUDIT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    let mut rng = Rng::new(SEED);
    (0..n).map(|_| rng.next()).collect()
}

/// Runs every seed; a failure names its seed.
async fn over_seeds(seeds: Vec<u64>, calls: usize, in_flight: usize) {
    for seed in seeds {
        eprintln!("audit: seed {seed:#x}, {calls} calls, {in_flight} in flight");
        stress_and_audit(seed, calls, in_flight).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_higher_load_over_seeds() {
    over_seeds(seeds(2), 300, 48).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "release load: .ci/run runs it with `cargo test --release ... -- --ignored audit_release`"]
async fn audit_release_many_seeds() {
    over_seeds(seeds(8), 1500, 96).await;
}
