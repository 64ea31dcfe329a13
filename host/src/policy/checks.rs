//! The checks every upload passes, in order, shared by the upload endpoint and `switchyard
//! policy check`: size, a component implementing our world that compiles, and a smoke decision
//! on a synthetic call.

use switchyard_runtime::{
    Call, Candidate, Policy, PolicyEngine, PolicyState, Presence, Role, Status, Weekday,
};

use super::PolicyError;

/// Largest component accepted by default: a Rust policy is a few hundred KiB, but a Python
/// (componentize-py, ~18 MiB: CPython and its standard library) or JavaScript (componentize-js,
/// ~12 MiB) one carries its interpreter.
pub const DEFAULT_MAX_POLICY_BYTES: usize = 32 << 20;

/// The checks of an upload, in order: size, a WebAssembly component implementing our world
/// that compiles (see [`LoadError`]), and a smoke decision on a synthetic call. Used by the
/// upload endpoint and by `switchyard policy check` alike.
pub fn validate(
    engine: &PolicyEngine,
    name: &str,
    version: &str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Policy, PolicyError> {
    if bytes.len() > max_bytes {
        return Err(PolicyError::TooLarge {
            size: bytes.len(),
            limit: max_bytes,
        });
    }
    let policy = engine.load(name, version, bytes)?;
    smoke(engine, &policy, 0)?;
    Ok(policy)
}

/// One decision on a synthetic call; a failure (trap, deadline, bad answer) refuses the upload.
pub(super) fn smoke(
    engine: &PolicyEngine,
    policy: &Policy,
    company: u64,
) -> Result<(), PolicyError> {
    if let Err(f) = engine.try_instantiate(policy) {
        return Err(PolicyError::Smoke {
            kind: f.kind.as_str().to_owned(),
            detail: f.detail,
        });
    }
    let call = Call {
        id: "smoke".into(),
        company,
        dialled_number: "+10000000000".into(),
        caller: "+10000000001".into(),
        department: 1,
        attempt: 1,
        waited_ms: 0,
        now_unix_ms: 1_795_392_000_000,
        local_weekday: Weekday::Monday,
        local_minute: 600,
        seed: 1,
        tried: Vec::new(),
        attributes: Vec::new(),
        skills: Vec::new(),
    };
    let candidates: Vec<Candidate> = (1..=3)
        .map(|agent| Candidate {
            agent,
            role: Role::Agent,
            tier: 1,
            skills: 0,
            status: Status::Available,
            take_calls: true,
            in_schedule: true,
            presence: Presence::Idle,
            idle_ms: agent * 1_000,
            calls_today: 0,
            talk_ms_today: 0,
        })
        .collect();
    // A wall-clock deadline can pass on a busy machine for a policy that is fine; a policy
    // that really loops misses it every time. So only a deadline missed on every try refuses.
    let mut outcome = switchyard_runtime::Outcome::Policy;
    for _ in 0..SMOKE_TRIES {
        let decided = engine.route(
            policy,
            company,
            &call,
            &candidates,
            "",
            &mut PolicyState::default(),
        );
        let timed_out = decided.failure() == Some(switchyard_runtime::FailureKind::Deadline);
        outcome = decided.outcome;
        if !timed_out {
            break;
        }
    }
    match outcome {
        switchyard_runtime::Outcome::Policy => Ok(()),
        switchyard_runtime::Outcome::Fallback { kind, detail } => Err(PolicyError::Smoke {
            kind: kind.as_str().to_owned(),
            detail,
        }),
    }
}

/// Smoke decisions tried before a deadline failure refuses an upload.
const SMOKE_TRIES: usize = 3;
