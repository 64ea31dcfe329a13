//! The WASI sandbox: one linker per engine and an empty WASI context per decision.
//!
//! Policies built with Rust's std import WASI 0.2, so `wasmtime_wasi::p2` is linked
//! (synchronously), but each store gets an EMPTY context (built on the guest's first
//! WASI call, `lazy_wasi`): no preopens, no env, no args, no network; stdout/stderr go
//! to small capture pipes. The functions a guest would use to reach the outside (or
//! to block the host thread) are shadowed with host functions that record a sandbox
//! violation and trap, so such an attempt is a failure of kind `sandbox-violation`,
//! not a silently empty answer. The program's arguments and environment are the
//! exception: reading them answers empty lists and is not a violation, because
//! nothing of the host is in them and language runtimes read both at start-up
//! (CPython under componentize-py reads `get-arguments`, then `get-environment`;
//! Rust's panic hook reads `RUST_BACKTRACE`).
//!
//! Clocks and randomness are deterministic functions of the call (`now-unix-ms`,
//! `seed`), so a decision is reproducible from its inputs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};
use wasmtime_wasi::random::Deterministic;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder};

use crate::bindings::RoutingPolicy;
use crate::capture::CapturePipe;
use crate::store::StoreData;

/// Version of the WASI 0.2 interfaces wasmtime-wasi provides (guests importing an
/// older 0.2.x are matched by semver).
const WASI_VERSION: &str = "0.2.12";

/// Largest `get-random-bytes` request served.
const MAX_RANDOM_BYTES: u64 = 64 * 1024;

/// Length of the deterministic random byte cycle.
const RANDOM_CYCLE_BYTES: usize = 256;

/// WASI functions that are denied: (interface, function, what the guest tried).
const DENIED: &[(&str, &str, &str)] = &[
    (
        "wasi:filesystem/preopens",
        "get-directories",
        "open the filesystem",
    ),
    (
        "wasi:cli/environment",
        "initial-cwd",
        "read the working directory",
    ),
    (
        "wasi:sockets/instance-network",
        "instance-network",
        "use the network",
    ),
    (
        "wasi:sockets/tcp-create-socket",
        "create-tcp-socket",
        "open a TCP socket",
    ),
    (
        "wasi:sockets/udp-create-socket",
        "create-udp-socket",
        "open a UDP socket",
    ),
    (
        "wasi:sockets/ip-name-lookup",
        "resolve-addresses",
        "resolve a host name",
    ),
    (
        "wasi:clocks/monotonic-clock",
        "subscribe-duration",
        "sleep (block the host thread)",
    ),
    (
        "wasi:clocks/monotonic-clock",
        "subscribe-instant",
        "sleep (block the host thread)",
    ),
];

/// Interface namespaces (`wasi:<name>/…@0.2.x`) a policy may import.
pub(crate) const ALLOWED_WASI_PACKAGES: &[&str] =
    &["io", "cli", "clocks", "filesystem", "random", "sockets"];

/// Error returned (as a trap) by a denied WASI function.
#[derive(Debug, thiserror::Error)]
#[error("sandbox violation: the policy tried to {0}")]
pub(crate) struct SandboxViolation(pub(crate) String);

/// Builds the linker shared by every decision of an engine.
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<StoreData>> {
    let mut linker = Linker::<StoreData>::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    linker.allow_shadowing(true);
    for &(interface, function, attempt) in DENIED {
        let mut instance = linker.instance(&format!("{interface}@{WASI_VERSION}"))?;
        let what = format!("{attempt} (`{interface}.{function}`)");
        instance.func_new(function, move |mut store, _ty, _params, _results| {
            let data = store.data_mut();
            data.violation.get_or_insert_with(|| what.clone());
            Err(wasmtime::Error::new(SandboxViolation(what.clone())))
        })?;
    }
    // Arguments and environment are answered, with nothing: the context is
    // built empty, but shadowing them makes that independent of the context.
    let mut environment = linker.instance(&format!("wasi:cli/environment@{WASI_VERSION}"))?;
    environment.func_wrap("get-environment", |_store, (): ()| {
        Ok((Vec::<(String, String)>::new(),))
    })?;
    environment.func_wrap("get-arguments", |_store, (): ()| {
        Ok((Vec::<String>::new(),))
    })?;
    linker.allow_shadowing(false);
    RoutingPolicy::add_to_linker::<StoreData, HasSelf<crate::host_impl::HostCtx>>(
        &mut linker,
        |data| &mut data.host,
    )?;
    Ok(linker)
}

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

    #[test]
    fn the_sandbox_links_on_a_default_engine() {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        let engine = wasmtime::Engine::new(&config).unwrap();
        assert!(linker(&engine).is_ok());
    }
}
