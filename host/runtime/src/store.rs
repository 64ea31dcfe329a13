//! What one decision's `Store` holds: the empty WASI context (built on first use, with
//! the captured stdout/stderr), the `host` state, the memory limiter and any sandbox
//! violation.
//!
//! A store lives for exactly one decision; nothing in it survives to the next call.

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtxView, WasiView};

use crate::host_impl::HostCtx;
use crate::lazy_wasi::LazyWasi;

/// Data of a per-decision store.
pub(crate) struct StoreData {
    pub(crate) wasi: LazyWasi,
    pub(crate) table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) host: HostCtx,
    /// The first attempt to reach outside the sandbox, if any.
    pub(crate) violation: Option<String>,
}

impl StoreData {
    /// What the guest tried outside its sandbox, if anything.
    pub(crate) fn violation(&self) -> Option<String> {
        self.violation.clone()
    }
}

impl WasiView for StoreData {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: self.wasi.ctx(),
            table: &mut self.table,
        }
    }
}

/// Caps linear memory and tables, remembering whether a growth was refused.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    memory_limit: usize,
    /// Size (bytes) of the first refused memory growth.
    pub(crate) denied: Option<usize>,
    /// Linear memory granted to the instance so far, all its memories together, bytes.
    pub(crate) granted: usize,
}

/// Most elements one table may hold.
pub(crate) const TABLE_ELEMENTS_LIMIT: usize = 20_000;

impl MemoryLimiter {
    pub(crate) fn new(memory_limit: usize) -> Self {
        Self {
            memory_limit,
            denied: None,
            granted: 0,
        }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.denied.get_or_insert(desired);
            return Ok(false);
        }
        self.granted = self.granted.saturating_add(desired.saturating_sub(current));
        Ok(true)
    }

    fn memory_grow_failed(&mut self, _error: wasmtime::Error) -> wasmtime::Result<()> {
        // The allocator refused (e.g. the pool's slot is smaller): still a denial.
        self.denied.get_or_insert(self.memory_limit);
        Ok(())
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= TABLE_ELEMENTS_LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_beyond_the_limit_is_refused_and_remembered() {
        let mut limiter = MemoryLimiter::new(1 << 20);
        assert!(limiter.memory_growing(0, 1 << 20, None).unwrap());
        assert_eq!(limiter.denied, None);
        assert!(!limiter.memory_growing(1 << 20, 2 << 20, None).unwrap());
        assert_eq!(limiter.denied, Some(2 << 20));
    }
}
