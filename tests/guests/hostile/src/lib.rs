//! `hostile`: a test-only policy that misbehaves in the way its config asks,
//! so the host's sandbox can be tested against each misbehaviour. Never ship it.
//!
//! `route` reads `{"mode": "..."}` from the config:
//!
//! | mode | behaviour |
//! |------|-----------|
//! | `loop` | loops forever |
//! | `memory` | allocates and touches 1 MiB blocks until allocation fails |
//! | `recursion` | recurses without bound (stack overflow) |
//! | `panic` | `panic!("hostile panic")` |
//! | `unknown-agent` | rings agent 999 999 999, which is not a candidate |
//! | `huge-output` | returns a ring plan with 2 000 000 targets |
//! | `read-file` | reads `/etc/passwd`; if that works, rings an agent whose id is the file's length, otherwise behaves |
//! | `read-env` | reads `HOME`, all env vars and the program's arguments; if any is visible, rings agent 1 000 000 000 + their count, otherwise behaves (the host answers both with empty lists, which is not a violation) |
//! | `ok` or anything else | rings the first candidate for 20 s |
//!
//! Failed reads are logged at info level. `overflow`, `visibility` and
//! `check-config` use the SDK defaults.

use std::hint::black_box;

use switchyard_sdk::{
    Call, Candidate, Decision, Host, Level, Policy, RingMode, ring_plan, unavailable_reason,
};

/// Agent id rung by `unknown-agent`.
pub const UNKNOWN_AGENT: u64 = 999_999_999;
/// Number of targets returned by `huge-output`.
pub const HUGE_TARGETS: u64 = 2_000_000;
/// `read-env` rings this plus the number of visible variables if any leak.
pub const ENV_LEAK_BASE: u64 = 1_000_000_000;

/// The misbehaving policy.
pub struct Hostile;

impl Policy for Hostile {
    fn route(
        host: &mut dyn Host,
        _call: &Call,
        candidates: &[Candidate],
        config: &str,
    ) -> Decision {
        match mode(config).as_str() {
            "loop" => spin(),
            "memory" => exhaust_memory(),
            "recursion" => Decision::Ring(ring_plan(RingMode::Sequential, [recurse(0)], 20_000)),
            "panic" => panic!("hostile panic"),
            "unknown-agent" => ring([UNKNOWN_AGENT]),
            "huge-output" => ring(0..HUGE_TARGETS),
            "read-file" => match std::fs::read("/etc/passwd") {
                Ok(bytes) => ring([bytes.len() as u64]),
                Err(err) => {
                    host.log(Level::Info, &format!("read-file failed: {err}"));
                    behave(candidates)
                }
            },
            "read-env" => {
                let home = std::env::var("HOME");
                let count = std::env::vars().count() as u64 + std::env::args().count() as u64;
                if home.is_ok() || count > 0 {
                    ring([ENV_LEAK_BASE + count])
                } else {
                    host.log(
                        Level::Info,
                        &format!("read-env: HOME {home:?}, 0 vars, 0 args"),
                    );
                    behave(candidates)
                }
            }
            _ => behave(candidates),
        }
    }
}

switchyard_sdk::export_policy!(Hostile);

/// The `mode` field of the config, or `""`.
fn mode(config: &str) -> String {
    serde_json::from_str::<serde_json::Value>(config)
        .ok()
        .and_then(|v| v.get("mode").and_then(|m| m.as_str().map(str::to_owned)))
        .unwrap_or_default()
}

/// Sequential ring of `agents`, 20 s each.
fn ring(agents: impl IntoIterator<Item = u64>) -> Decision {
    Decision::Ring(ring_plan(RingMode::Sequential, agents, 20_000))
}

/// Ring the first candidate, like a well-behaved policy.
fn behave(candidates: &[Candidate]) -> Decision {
    match candidates.first() {
        Some(first) => ring([first.agent]),
        None => Decision::Overflow(unavailable_reason(candidates)),
    }
}

/// Never returns; `black_box` keeps the loop from being optimised away.
fn spin() -> ! {
    let mut n = 0u64;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

/// Keeps allocating and writing 1 MiB blocks until the allocator gives up.
fn exhaust_memory() -> ! {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = vec![0u8; 1 << 20];
        for byte in block.iter_mut().step_by(4096) {
            *byte = 1;
        }
        blocks.push(black_box(block));
    }
}

/// Unbounded recursion with a stack frame the optimiser cannot drop.
#[inline(never)]
fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 32]);
    if black_box(depth) == u64::MAX {
        return frame[0];
    }
    recurse(black_box(depth + 1)).wrapping_add(frame[31])
}
