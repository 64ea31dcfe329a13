//! The WASI context of one decision, built on the guest's first WASI call.
//!
//! Building a `WasiCtx` and its two capture pipes and dropping them again costs ~6,100
//! instructions per store (`WasiCtxBuilder` seeds random generators that are then
//! replaced, and `build` constructs a second default builder): 8 % of a bare
//! instantiation, and most decisions of a Rust policy never call WASI at all. So the
//! store keeps the call's [`Determinism`] and builds the context (with its pipes) only
//! when the guest first reaches a WASI function. The context is the same whenever it
//! is built: empty, clocks and randomness derived from the call, stdout/stderr
//! captured (see `sandbox`).

use wasmtime_wasi::WasiCtx;

use crate::capture::CapturePipe;
use crate::wasi_ctx::{self, Determinism};

/// Bytes of stdout (and, separately, stderr) captured per call.
const OUTPUT_CAPTURE_BYTES: usize = 8 * 1024;

/// A decision's WASI context, not built until first used.
pub(crate) struct LazyWasi {
    determinism: Determinism,
    built: Option<Built>,
}

/// The context and the pipes its stdout and stderr write to.
struct Built {
    ctx: WasiCtx,
    stdout: CapturePipe,
    stderr: CapturePipe,
}

/// What the guest wrote: kept bytes and how many were discarded, per stream.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Output {
    pub(crate) stdout: (Vec<u8>, usize),
    pub(crate) stderr: (Vec<u8>, usize),
}

impl LazyWasi {
    /// A context for a decision with `determinism`, built on first use.
    pub(crate) fn new(determinism: Determinism) -> Self {
        Self {
            determinism,
            built: None,
        }
    }

    /// The context, built now if this is the guest's first WASI call.
    pub(crate) fn ctx(&mut self) -> &mut WasiCtx {
        let determinism = self.determinism;
        &mut self
            .built
            .get_or_insert_with(|| {
                let stdout = CapturePipe::new(OUTPUT_CAPTURE_BYTES);
                let stderr = CapturePipe::new(OUTPUT_CAPTURE_BYTES);
                let ctx = wasi_ctx::wasi_ctx(determinism, &stdout, &stderr);
                Built {
                    ctx,
                    stdout,
                    stderr,
                }
            })
            .ctx
    }

    /// Whether the guest has called WASI in this decision.
    #[cfg(test)]
    pub(crate) fn is_built(&self) -> bool {
        self.built.is_some()
    }

    /// The first captured stderr line containing `needle`, if any.
    pub(crate) fn stderr_line_containing(&self, needle: &str) -> Option<String> {
        self.built.as_ref()?.stderr.line_containing(needle)
    }

    /// Everything the guest wrote to stdout and stderr (nothing if it never called WASI).
    pub(crate) fn take_output(&self) -> Output {
        match &self.built {
            Some(built) => Output {
                stdout: built.stdout.take(),
                stderr: built.stderr.take(),
            },
            None => Output::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_built_until_the_context_is_asked_for() {
        let mut wasi = LazyWasi::new(Determinism::default());
        assert!(!wasi.is_built());
        assert_eq!(wasi.take_output(), Output::default());
        assert_eq!(wasi.stderr_line_containing("panicked at"), None);
        wasi.ctx();
        assert!(wasi.is_built());
        assert_eq!(wasi.take_output(), Output::default());
    }
}
