//! Running one decision: `route`, `overflow`, `visibility` and `check-config`.
//!
//! Every call gets a FRESH store and instance (nothing leaks between calls), an
//! epoch deadline (and fuel, if configured) and a memory limiter. Any failure is
//! logged with `tracing::warn!`, counted, and answered with the built-in fallback:
//! a call is never dropped and nothing here panics. The API is synchronous; the
//! service calls it from `spawn_blocking`.

use std::time::Instant;

use wasmtime::Store;
use wasmtime::component::ResourceTable;

use crate::bindings::{
    Call, Candidate, Decision, Level, OverflowAction, OverflowReason, Subject, View, Viewer,
};
use crate::engine::PolicyEngine;
use crate::exports::Exported;
use crate::failure::{Failure, FailureKind, classify};
use crate::host_impl::HostCtx;
use crate::lazy_wasi::{LazyWasi, Output};
use crate::logs::{LogBuffer, LogSource};
use crate::outcome::{Decided, Outcome};
use crate::policy::Policy;
use crate::state::PolicyState;
use crate::store::{MemoryLimiter, StoreData};
use crate::validate::{BadAnswer, ConfigRejected};
use crate::wasi_ctx::Determinism;
use crate::{fallback, validate};

/// Failure detail when a policy is used with an engine that did not load it.
const OTHER_ENGINE: &str = "the policy was loaded by another engine";

impl PolicyEngine {
    /// Asks `policy` whom to ring for `call`. Falls back to [`fallback::route`].
    pub fn route(
        &self,
        policy: &Policy,
        company: u64,
        call: &Call,
        candidates: &[Candidate],
        config: &str,
        state: &mut PolicyState,
    ) -> Decided<Decision> {
        self.invoke(
            Invocation::new(policy, company, "route", Determinism::of(call)),
            state,
            |p, store| p.route(store, call, candidates, config),
            |d| validate::route(d, candidates),
            |_| fallback::route(call, candidates),
        )
    }

    /// Asks `policy` what to do when nobody can take `call`. Falls back to
    /// [`fallback::overflow`].
    pub fn overflow(
        &self,
        policy: &Policy,
        company: u64,
        call: &Call,
        reason: OverflowReason,
        config: &str,
        state: &mut PolicyState,
    ) -> Decided<OverflowAction> {
        self.invoke(
            Invocation::new(policy, company, "overflow", Determinism::of(call)),
            state,
            |p, store| p.overflow(store, call, reason, config),
            |a| validate::overflow(a, call),
            |_| fallback::overflow(call, reason),
        )
    }

    /// Asks `policy` what `viewer` may see of `subject`. Falls back to
    /// [`fallback::visibility`].
    pub fn visibility(
        &self,
        policy: &Policy,
        company: u64,
        viewer: &Viewer,
        subject: &Subject,
        config: &str,
        state: &mut PolicyState,
    ) -> Decided<View> {
        self.invoke(
            Invocation::new(policy, company, "visibility", Determinism::default()),
            state,
            |p, store| p.visibility(store, *viewer, *subject, config),
            |_| Ok(()),
            |_| fallback::visibility(viewer, subject),
        )
    }

    /// Asks `policy` whether `config` is acceptable: `Ok`, or the policy's refusal
    /// ([`ConfigRejected::ByPolicy`]). If the policy fails, the configuration is refused
    /// with [`ConfigRejected::PolicyFailed`].
    pub fn check_config(
        &self,
        policy: &Policy,
        company: u64,
        config: &str,
        state: &mut PolicyState,
    ) -> Decided<Result<(), ConfigRejected>> {
        self.invoke(
            Invocation::new(policy, company, "check-config", Determinism::default()),
            state,
            |p, store| {
                p.check_config(store, config)
                    .map(|checked| checked.map_err(ConfigRejected::by_policy))
            },
            |_| Ok(()),
            |kind| Err(ConfigRejected::PolicyFailed { kind }),
        )
    }

    /// Instantiates `policy` in a fresh store and drops it without calling any
    /// export: catches start-up traps or sandbox violations (e.g. at upload time)
    /// and measures bare instantiation. Failures are not counted or logged.
    ///
    /// # Errors
    /// The [`Failure`] that instantiation ran into.
    pub fn try_instantiate(&self, policy: &Policy) -> Result<(), Failure> {
        let inv = Invocation::new(policy, 0, "(instantiate)", Determinism::default());
        if !wasmtime::Engine::same(policy.pre().engine(), &self.inner.engine) {
            return Err(Failure {
                kind: FailureKind::Instantiate,
                detail: OTHER_ENGINE.into(),
            });
        }
        let mut store = self.new_store(&inv, PolicyState::new());
        match policy.pre().instantiate(&mut store) {
            Ok(_) => match store.data().violation() {
                Some(what) => Err(Failure {
                    kind: FailureKind::SandboxViolation,
                    detail: format!("sandbox violation: the policy tried to {what}"),
                }),
                None => Ok(()),
            },
            Err(e) => {
                let (kind, detail) = classify(&e, store.data(), FailureKind::Instantiate);
                Err(Failure { kind, detail })
            }
        }
    }

    /// Runs one export in a fresh instance and turns any failure into the fallback.
    fn invoke<T>(
        &self,
        inv: Invocation<'_>,
        state: &mut PolicyState,
        call: impl FnOnce(&Exported<'_>, &mut Store<StoreData>) -> wasmtime::Result<T>,
        check: impl FnOnce(&T) -> Result<(), BadAnswer>,
        fallback: impl FnOnce(FailureKind) -> T,
    ) -> Decided<T> {
        let start = Instant::now();
        if !wasmtime::Engine::same(inv.policy.pre().engine(), &self.inner.engine) {
            let detail = OTHER_ENGINE.to_owned();
            return self.fall_back(
                &inv,
                FailureKind::Instantiate,
                detail,
                fallback,
                Vec::new(),
                start,
                None,
            );
        }
        let mut store = self.new_store(&inv, state.clone());
        let result = match inv.policy.pre().instantiate(&mut store) {
            Err(e) => Err(classify(&e, store.data(), FailureKind::Instantiate)),
            Ok(instance) => match call(&inv.policy.exports().of(instance), &mut store) {
                Err(e) => Err(classify(&e, store.data(), FailureKind::Trap)),
                Ok(value) => match store.data().violation() {
                    Some(what) => Err((
                        FailureKind::SandboxViolation,
                        format!("sandbox violation: the policy tried to {what}"),
                    )),
                    None => check(&value)
                        .map(|()| value)
                        .map_err(|bad| (FailureKind::BadAnswer, bad.to_string())),
                },
            },
        };
        let fuel_consumed = self
            .inner
            .config
            .fuel_per_call
            .map(|fuel| fuel.saturating_sub(store.get_fuel().unwrap_or(0)));
        let data = store.into_data();
        let memory_bytes = data.limiter.granted;
        let logs = collect_logs(data.host.logs, data.wasi.take_output());
        match result {
            Ok(value) => {
                let state_changed = data.host.state != *state;
                if state_changed {
                    *state = data.host.state;
                }
                Decided {
                    value,
                    outcome: Outcome::Policy,
                    logs,
                    elapsed: start.elapsed(),
                    fuel_consumed,
                    state_changed,
                    memory_bytes,
                }
            }
            Err((kind, detail)) => Decided {
                memory_bytes,
                ..self.fall_back(&inv, kind, detail, fallback, logs, start, fuel_consumed)
            },
        }
    }

    /// Logs and counts a failure and returns the fallback decision.
    #[allow(clippy::too_many_arguments, reason = "private helper of `invoke`")]
    fn fall_back<T>(
        &self,
        inv: &Invocation<'_>,
        kind: FailureKind,
        detail: String,
        fallback: impl FnOnce(FailureKind) -> T,
        logs: Vec<crate::GuestLog>,
        start: Instant,
        fuel_consumed: Option<u64>,
    ) -> Decided<T> {
        tracing::warn!(
            company = inv.company,
            policy = %inv.policy.label(),
            export = inv.export,
            kind = kind.as_str(),
            detail = %detail,
            "policy failed; using the fallback decision"
        );
        self.inner.counters.increment(kind);
        Decided {
            value: fallback(kind),
            outcome: Outcome::Fallback { kind, detail },
            logs,
            elapsed: start.elapsed(),
            fuel_consumed,
            state_changed: false,
            memory_bytes: 0,
        }
    }

    /// A store for one call: empty WASI, a copy of the state, limits and deadline.
    fn new_store(&self, inv: &Invocation<'_>, state: PolicyState) -> Store<StoreData> {
        let config = &self.inner.config;
        let data = StoreData {
            wasi: LazyWasi::new(inv.determinism),
            table: ResourceTable::new(),
            limiter: MemoryLimiter::new(config.memory_limit_bytes),
            host: HostCtx {
                company: inv.company,
                policy: inv.policy.label().clone(),
                logs: LogBuffer::default(),
                state,
            },
            violation: None,
        };
        let mut store = Store::new(&self.inner.engine, data);
        store.limiter(|data| &mut data.limiter);
        store.set_epoch_deadline(config.deadline_ticks());
        if let Some(fuel) = config.fuel_per_call
            && let Err(e) = store.set_fuel(fuel)
        {
            // Cannot happen: fuel metering is on whenever `fuel_per_call` is set.
            tracing::error!(error = %e, "could not set fuel on a policy store");
        }
        store
    }
}

/// Who is being asked what, for logs and the sandbox.
struct Invocation<'a> {
    policy: &'a Policy,
    company: u64,
    export: &'static str,
    determinism: Determinism,
}

impl<'a> Invocation<'a> {
    fn new(
        policy: &'a Policy,
        company: u64,
        export: &'static str,
        determinism: Determinism,
    ) -> Self {
        Self {
            policy,
            company,
            export,
            determinism,
        }
    }
}

impl Determinism {
    /// Clock and seed taken from the call.
    fn of(call: &Call) -> Self {
        Self {
            now_unix_ms: call.now_unix_ms,
            seed: call.seed,
        }
    }
}

/// `host.log` lines, then stdout, then stderr, all within one budget.
fn collect_logs(mut logs: LogBuffer, output: Output) -> Vec<crate::GuestLog> {
    let (out, out_lost) = output.stdout;
    logs.push_output(Level::Info, LogSource::Stdout, &out, out_lost);
    let (err, err_lost) = output.stderr;
    logs.push_output(Level::Warn, LogSource::Stderr, &err, err_lost);
    logs.finish()
}
