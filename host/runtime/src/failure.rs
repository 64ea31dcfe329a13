//! Why a decision fell back: [`FailureKind`], its classification from a wasmtime
//! error, and [`FailureCounters`] for metrics.
//!
//! A policy that loops, runs out of memory, panics, escapes the sandbox or answers
//! nonsense are different failures and get different names.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::sandbox::SandboxViolation;
use crate::store::StoreData;

/// What went wrong in a policy call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// The per-call deadline passed (epoch interrupt).
    Deadline,
    /// The per-call fuel ran out.
    OutOfFuel,
    /// The policy needed more memory than its limit.
    OutOfMemory,
    /// The policy exhausted its stack.
    StackOverflow,
    /// The policy panicked (its stderr says "panicked at").
    Panic,
    /// Any other trap.
    Trap,
    /// The policy answered, but the answer is invalid.
    BadAnswer,
    /// The policy tried to reach outside its sandbox.
    SandboxViolation,
    /// The policy could not be instantiated.
    Instantiate,
}

impl FailureKind {
    /// Every kind, in declaration order.
    pub const ALL: [FailureKind; 9] = [
        FailureKind::Deadline,
        FailureKind::OutOfFuel,
        FailureKind::OutOfMemory,
        FailureKind::StackOverflow,
        FailureKind::Panic,
        FailureKind::Trap,
        FailureKind::BadAnswer,
        FailureKind::SandboxViolation,
        FailureKind::Instantiate,
    ];

    /// The kebab-case name used in logs, metrics and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Deadline => "deadline",
            FailureKind::OutOfFuel => "out-of-fuel",
            FailureKind::OutOfMemory => "out-of-memory",
            FailureKind::StackOverflow => "stack-overflow",
            FailureKind::Panic => "panic",
            FailureKind::Trap => "trap",
            FailureKind::BadAnswer => "bad-answer",
            FailureKind::SandboxViolation => "sandbox-violation",
            FailureKind::Instantiate => "instantiate",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure with its explanation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind}: {detail}")]
pub struct Failure {
    /// What went wrong.
    pub kind: FailureKind,
    /// Details for logs and operators.
    pub detail: String,
}

/// Atomic failure counts per [`FailureKind`].
#[derive(Debug, Default)]
pub struct FailureCounters {
    counts: [AtomicU64; FailureKind::ALL.len()],
}

impl FailureCounters {
    /// Counts one failure of `kind`.
    pub(crate) fn increment(&self, kind: FailureKind) {
        self.counts[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// Failures of `kind` so far.
    pub fn get(&self, kind: FailureKind) -> u64 {
        self.counts[kind.index()].load(Ordering::Relaxed)
    }

    /// Every kind with its count, for metrics.
    pub fn snapshot(&self) -> Vec<(FailureKind, u64)> {
        FailureKind::ALL
            .iter()
            .map(|&kind| (kind, self.get(kind)))
            .collect()
    }
}

/// Names the failure behind `error`, using what the store saw during the call.
/// `default` is used when nothing more specific is known.
pub(crate) fn classify(
    error: &wasmtime::Error,
    data: &StoreData,
    default: FailureKind,
) -> (FailureKind, String) {
    if let Some(violation) = error.downcast_ref::<SandboxViolation>() {
        return (FailureKind::SandboxViolation, violation.to_string());
    }
    let trap = error.downcast_ref::<wasmtime::Trap>().copied();
    let root = error.root_cause().to_string();
    match trap {
        Some(wasmtime::Trap::Interrupt) => {
            return (FailureKind::Deadline, "the per-call deadline passed".into());
        }
        Some(wasmtime::Trap::OutOfFuel) => {
            return (FailureKind::OutOfFuel, "the per-call fuel ran out".into());
        }
        Some(wasmtime::Trap::StackOverflow) => return (FailureKind::StackOverflow, root),
        Some(wasmtime::Trap::MemoryOutOfBounds) if deep_recursion(error) => {
            return (
                FailureKind::StackOverflow,
                format!("the policy's in-memory stack overflowed in deep recursion ({root})"),
            );
        }
        _ => {}
    }
    if let Some(desired) = data.limiter.denied {
        return (
            FailureKind::OutOfMemory,
            format!("memory growth to {desired} bytes refused ({root})"),
        );
    }
    if let Some(line) = data.wasi.stderr_line_containing("panicked at") {
        return (FailureKind::Panic, format!("{line} ({root})"));
    }
    if let Some(what) = data.violation() {
        return (
            FailureKind::SandboxViolation,
            format!("sandbox violation: the policy tried to {what} ({root})"),
        );
    }
    if trap.is_some() {
        return (FailureKind::Trap, root);
    }
    (default, format!("{error:#}"))
}

/// Fewest innermost frames that must all be recursion for [`deep_recursion`].
const RECURSION_FRAMES: usize = 16;

/// Whether the trap's backtrace is deep recursion: every one of (at least)
/// [`RECURSION_FRAMES`] innermost frames belongs to at most three functions.
///
/// Rust guests keep their stack in linear memory below 1 MiB; recursing past it
/// wraps the stack pointer and the next store is out of bounds, often before the
/// native stack limit is reached. Such a trap is a stack overflow too.
fn deep_recursion(error: &wasmtime::Error) -> bool {
    let Some(backtrace) = error.downcast_ref::<wasmtime::WasmBacktrace>() else {
        return false;
    };
    let frames = backtrace.frames();
    if frames.len() < RECURSION_FRAMES {
        return false;
    }
    let functions: std::collections::BTreeSet<u32> = frames
        .iter()
        .take(RECURSION_FRAMES)
        .map(|f| f.func_index())
        .collect();
    functions.len() <= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case_and_match_serde() {
        for kind in FailureKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn counters_count_per_kind() {
        let counters = FailureCounters::default();
        counters.increment(FailureKind::Panic);
        counters.increment(FailureKind::Panic);
        counters.increment(FailureKind::Deadline);
        assert_eq!(counters.get(FailureKind::Panic), 2);
        let snapshot = counters.snapshot();
        assert_eq!(snapshot.len(), FailureKind::ALL.len());
        assert!(snapshot.contains(&(FailureKind::Deadline, 1)));
        assert!(snapshot.contains(&(FailureKind::Trap, 0)));
    }
}
