//! The empty WASI context of one decision: no preopens, no env, no args, no network;
//! stdout/stderr go to capture pipes. Clocks and randomness are deterministic functions of
//! the call (`now-unix-ms`, `seed`), so a decision is reproducible from its inputs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wasmtime_wasi::random::Deterministic;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder};

use crate::capture::CapturePipe;

/// Largest `get-random-bytes` request served.
const MAX_RANDOM_BYTES: u64 = 64 * 1024;

/// Length of the deterministic random byte cycle.
const RANDOM_CYCLE_BYTES: usize = 256;

/// What makes WASI time and randomness deterministic for one decision.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Determinism {
    /// Wall-clock time the guest sees, unix milliseconds.
    pub(crate) now_unix_ms: u64,
    /// Seed of every random source the guest sees.
    pub(crate) seed: u64,
}

/// An empty WASI context whose stdout/stderr are the given capture pipes.
pub(crate) fn wasi_ctx(det: Determinism, stdout: &CapturePipe, stderr: &CapturePipe) -> WasiCtx {
    let bytes = random_cycle(det.seed);
    let mut builder = WasiCtxBuilder::new();
    builder
        .stdout(stdout.clone())
        .stderr(stderr.clone())
        .wall_clock(FixedWallClock(Duration::from_millis(det.now_unix_ms)))
        .monotonic_clock(SteppingClock::default())
        .secure_random(Deterministic::new(bytes.clone()))
        .insecure_random(Deterministic::new(bytes))
        .insecure_random_seed(u128::from(det.seed) << 64 | u128::from(splitmix64(det.seed)))
        .max_random_size(MAX_RANDOM_BYTES)
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    builder.build()
}

/// Wall clock frozen at the call's `now-unix-ms`.
struct FixedWallClock(Duration);

impl HostWallClock for FixedWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        self.0
    }
}

/// Monotonic clock starting at zero and advancing one microsecond per reading, so
/// elapsed-time loops still terminate and every run sees the same values.
#[derive(Default)]
struct SteppingClock(AtomicU64);

impl HostMonotonicClock for SteppingClock {
    fn resolution(&self) -> u64 {
        1_000
    }

    fn now(&self) -> u64 {
        self.0.fetch_add(1_000, Ordering::Relaxed)
    }
}

/// A byte cycle derived from `seed`.
fn random_cycle(seed: u64) -> Vec<u8> {
    let mut state = seed;
    let mut bytes = Vec::with_capacity(RANDOM_CYCLE_BYTES);
    while bytes.len() < RANDOM_CYCLE_BYTES {
        state = splitmix64(state);
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes
}

/// One step of the splitmix64 generator.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_cycle_depends_only_on_the_seed() {
        assert_eq!(random_cycle(7), random_cycle(7));
        assert_ne!(random_cycle(7), random_cycle(8));
        assert_eq!(random_cycle(7).len(), RANDOM_CYCLE_BYTES);
    }

    #[test]
    fn clocks_are_deterministic() {
        let wall = FixedWallClock(Duration::from_millis(1_700_000_000_000));
        assert_eq!(wall.now(), Duration::from_millis(1_700_000_000_000));
        let mono = SteppingClock::default();
        assert_eq!((mono.now(), mono.now()), (0, 1_000));
    }
}
