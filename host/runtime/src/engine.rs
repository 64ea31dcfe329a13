//! [`PolicyEngine`]: wasmtime behind one type, with every limit decided here.
//!
//! Callers never touch `wasmtime::Config`: they fill an [`EngineConfig`] (all fields
//! public so a CLI can set them) and get an engine that compiles policies and runs
//! each decision in a fresh, limited instance (see `invoke`).

use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Linker;

use crate::error::RuntimeError;
use crate::failure::FailureCounters;
use crate::sandbox;
use crate::store::{StoreData, TABLE_ELEMENTS_LIMIT};
use crate::ticker::EpochTicker;

/// Limits and tuning of a [`PolicyEngine`]. `Default` gives the production values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineConfig {
    /// Wall-clock budget of one decision (instantiation and call). Default 10 ms.
    pub deadline: Duration,
    /// How often the background ticker advances the epoch; the deadline is enforced
    /// with this granularity. Default 1 ms.
    pub epoch_tick: Duration,
    /// Largest linear memory one instance may grow to, in bytes. Default 32 MiB.
    pub memory_limit_bytes: usize,
    /// Largest native stack wasm code may use, in bytes. Default 512 KiB.
    pub max_wasm_stack_bytes: usize,
    /// Fuel (roughly, wasm instructions) one decision may burn; `None` (default)
    /// turns fuel metering off and relies on the deadline alone.
    pub fuel_per_call: Option<u64>,
    /// Use wasmtime's pooling allocator (pre-reserved instance slots). Default on; if
    /// the address-space reservation fails the engine falls back to on-demand
    /// allocation and logs a warning.
    pub pooling: bool,
    /// Number of instances that can be alive at once with the pooling allocator.
    /// Default 128.
    pub pool_instances: u32,
    /// Initialise linear memory copy-on-write from the compiled image. Default on.
    pub cow_memory_init: bool,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            deadline: Duration::from_millis(10),
            epoch_tick: Duration::from_millis(1),
            memory_limit_bytes: 32 << 20,
            max_wasm_stack_bytes: 512 << 10,
            fuel_per_call: None,
            pooling: true,
            pool_instances: 128,
            cow_memory_init: true,
        }
    }
}

impl EngineConfig {
    /// The deadline expressed in epoch ticks (at least one).
    pub(crate) fn deadline_ticks(&self) -> u64 {
        let tick = self.epoch_tick.as_nanos().max(1);
        let ticks = self.deadline.as_nanos().div_ceil(tick);
        u64::try_from(ticks).unwrap_or(u64::MAX).max(1)
    }
}

/// Compiles policies and runs their decisions. Cheap to clone (shared inside); the
/// epoch ticker thread stops when the last clone is dropped.
#[derive(Clone)]
pub struct PolicyEngine {
    pub(crate) inner: Arc<EngineInner>,
}

pub(crate) struct EngineInner {
    pub(crate) engine: wasmtime::Engine,
    pub(crate) linker: Linker<StoreData>,
    pub(crate) config: EngineConfig,
    pub(crate) counters: FailureCounters,
    pub(crate) pooling: bool,
    _ticker: EpochTicker,
}

impl PolicyEngine {
    /// Builds an engine with `config`.
    ///
    /// # Errors
    /// [`RuntimeError::Engine`] if wasmtime rejects the configuration or the WASI
    /// sandbox cannot be linked.
    pub fn new(config: EngineConfig) -> Result<Self, RuntimeError> {
        let (engine, pooling) = build_engine(&config)?;
        let linker = sandbox::linker(&engine).map_err(|e| RuntimeError::Engine {
            detail: format!("{e:#}"),
        })?;
        let ticker = EpochTicker::start(engine.clone(), config.epoch_tick).map_err(|e| {
            RuntimeError::Engine {
                detail: format!("could not start the epoch ticker thread: {e}"),
            }
        })?;
        Ok(Self {
            inner: Arc::new(EngineInner {
                engine,
                linker,
                config,
                counters: FailureCounters::default(),
                pooling,
                _ticker: ticker,
            }),
        })
    }

    /// The configuration this engine was built with.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// Whether the pooling allocator is in use (false if it was turned off or its
    /// reservation failed at start-up).
    pub fn pooling(&self) -> bool {
        self.inner.pooling
    }

    /// Failure counts per kind since the engine was built.
    pub fn failure_counters(&self) -> &FailureCounters {
        &self.inner.counters
    }
}

impl std::fmt::Debug for PolicyEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyEngine")
            .field("config", &self.inner.config)
            .field("pooling", &self.inner.pooling)
            .finish_non_exhaustive()
    }
}

/// Builds the wasmtime engine, retrying without the pooling allocator if its
/// reservation fails.
fn build_engine(config: &EngineConfig) -> Result<(wasmtime::Engine, bool), RuntimeError> {
    if config.pooling {
        match wasmtime::Engine::new(&wasmtime_config(config, true)) {
            Ok(engine) => return Ok((engine, true)),
            Err(e) => tracing::warn!(
                error = %format!("{e:#}"),
                "pooling allocator unavailable; falling back to on-demand instance allocation"
            ),
        }
    }
    wasmtime::Engine::new(&wasmtime_config(config, false))
        .map(|engine| (engine, false))
        .map_err(|e| RuntimeError::Engine {
            detail: format!("{e:#}"),
        })
}

/// Wasm frames captured when a policy traps.
const BACKTRACE_FRAMES: usize = 32;

/// Bytes of each pooled memory and table kept resident between decisions.
const KEEP_RESIDENT_BYTES: usize = 2 << 20;

/// Core instances, memories and tables the pool holds per component instance.
///
/// Every policy built so far has one linear memory and two tables
/// (`Component::resources_required` of the Rust `wasm32-wasip2`, componentize-py and
/// componentize-js guests) and 3 (Rust), 4 (JavaScript) or 14 (Python) core instances.
/// Only memories and tables are reserved up front: each memory slot is 4 GiB + 32 MiB
/// of address space (see below), each table slot [`TABLE_ELEMENTS_LIMIT`] × 8 bytes;
/// core instances are only counted. The per-component caps below are unchanged: a
/// component with more memories or tables than this takes more slots, and fewer such
/// instances fit in the pool at once.
const CORE_INSTANCES_PER_COMPONENT: u32 = 16;
const MEMORIES_PER_COMPONENT: u32 = 1;
const TABLES_PER_COMPONENT: u32 = 4;

fn wasmtime_config(config: &EngineConfig, pooling: bool) -> wasmtime::Config {
    let mut c = wasmtime::Config::new();
    c.wasm_component_model(true)
        .epoch_interruption(true)
        .consume_fuel(config.fuel_per_call.is_some())
        .max_wasm_stack(config.max_wasm_stack_bytes)
        .memory_init_cow(config.cow_memory_init)
        .wasm_backtrace_details(wasmtime::WasmBacktraceDetails::Disable)
        // Enough frames to recognise deep recursion (see `failure`).
        .wasm_backtrace_max_frames(std::num::NonZeroUsize::new(BACKTRACE_FRAMES));
    // The memory reservation stays wasmtime's default, 4 GiB + a 32 MiB guard per
    // memory, although a policy may only use `memory_limit_bytes` of it: that is what
    // lets the compiled code skip bounds checks (an out-of-bounds access lands in
    // unmapped address space and traps). Reserving only the limit makes wasmtime emit
    // an explicit check on every load and store: +4 %, +9 % and +17 % instructions per
    // `longest-idle` decision at 10, 100 and 1000 candidates (callgrind, BENCHMARKS.md
    // section 1, "Instantiation and the pool"). The reservation is address space only,
    // never resident memory, so the pool is sized by slot count instead.
    if pooling {
        let n = config.pool_instances.max(1);
        let mut pool = wasmtime::PoolingAllocationConfig::new();
        pool.total_component_instances(n)
            .total_core_instances(n.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
            .total_memories(n.saturating_mul(MEMORIES_PER_COMPONENT))
            .total_tables(n.saturating_mul(TABLES_PER_COMPONENT))
            // Decisions are synchronous: no async fiber stacks (the default reserves
            // 2 MiB for each of `n` stacks that are never used).
            .total_stacks(0)
            .max_core_instances_per_component(32)
            .max_memories_per_component(4)
            .max_tables_per_component(32)
            .max_memory_size(config.memory_limit_bytes)
            // A table may grow as far as the limiter allows, no further.
            .table_elements(TABLE_ELEMENTS_LIMIT)
            // Reset reused slots with `memset` of the pages actually dirtied (found
            // with Linux's PAGEMAP_SCAN where available) instead of `madvise`, so the
            // next decision does not pay a page fault per touched page.
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(KEEP_RESIDENT_BYTES)
            .pagemap_scan(wasmtime::Enabled::Auto);
        c.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_ticks_round_up_and_never_reach_zero() {
        let mut config = EngineConfig::default();
        assert_eq!(config.deadline_ticks(), 10);
        config.deadline = Duration::from_micros(10_500);
        assert_eq!(config.deadline_ticks(), 11);
        config.deadline = Duration::ZERO;
        assert_eq!(config.deadline_ticks(), 1);
    }

    #[test]
    fn an_impossible_pool_falls_back_to_on_demand_allocation() {
        // A million 4 GiB memory slots cannot be reserved on any machine.
        let engine = PolicyEngine::new(EngineConfig {
            pool_instances: 1_000_000,
            ..EngineConfig::default()
        })
        .unwrap();
        assert!(!engine.pooling());
        let pooled = PolicyEngine::new(EngineConfig::default()).unwrap();
        assert!(pooled.pooling());
    }
}
