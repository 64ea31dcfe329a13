//! Each company's active routing policy and its persistent key-value state, and the one place
//! the call flow asks a policy a question. A company without a policy gets the built-in default
//! (native longest-idle); a policy that fails gets the runtime's fallback. Either way the call
//! flow always receives an answer. The compiled policies are held in a bounded cache (`cache`):
//! activations restored at start-up are loaded on the company's first decision, and a policy
//! evicted to stay within the bound is loaded again on its next one. A policy that keeps
//! failing is quarantined for a while (`breaker`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use switchyard_directory::CompanyId;

use switchyard_runtime::{
    Call, Candidate, Decided, Decision, FailureKind, Outcome, OverflowAction, OverflowReason,
    Policy, PolicyEngine, PolicyState, Subject, View, Viewer, fallback,
};

use super::live::Pinned;
use super::log::PolicyRun;
use super::run_source::{FallbackCause, RunSource};

mod breaker;
mod cache;

use breaker::Breakers;
pub use breaker::{COOL_DOWN as QUARANTINE, TRIP_AFTER as QUARANTINE_AFTER};
pub use cache::{
    CacheStats, DEFAULT_POLICY_CACHE, DEFAULT_POLICY_CACHE_BYTES, LoadFailed, PolicyCache,
    PolicySource, RETRY_LOAD_AFTER,
};

/// A company's active policy version with its configuration. The compiled policy is not held
/// here but in the [`PolicyCache`], by company and version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivePolicy {
    /// Policy name.
    pub name: String,
    /// Version number within the company.
    pub version: u32,
    /// JSON configuration given on every call.
    pub config: String,
}

/// An activation as the policy store hands it over: the version, and its policy already
/// loaded (put in the cache, so that the first decision does not load it again).
pub struct Activated {
    /// The version and its configuration.
    pub active: ActivePolicy,
    /// Its compiled policy.
    pub policy: Policy,
}

/// Persists a company's policy state after a decision changed it.
pub trait StateSink: Send + Sync + 'static {
    /// Store the state of `company`; errors are logged by the caller, never fail a call.
    fn save(&self, company: CompanyId, state: &PolicyState) -> Result<(), StateSaveError>;
}

/// A company's policy state could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum StateSaveError {
    /// The state could not be encoded.
    #[error("policy state could not be encoded")]
    Encode(#[source] serde_json::Error),
    /// The store refused the write.
    #[error("policy state could not be stored")]
    Store(#[source] switchyard_directory::StoreError),
}

/// Active policies of all companies.
pub struct Policies {
    engine: PolicyEngine,
    active: RwLock<HashMap<CompanyId, Arc<ActivePolicy>>>,
    cache: PolicyCache,
    states: Mutex<HashMap<CompanyId, Arc<Mutex<PolicyState>>>>,
    sink: Arc<dyn StateSink>,
    breakers: Breakers,
}

/// A policy's answer plus how it was obtained.
pub struct Answer<T> {
    /// The decision to act on.
    pub value: T,
    /// Which policy, how, and how long.
    pub run: PolicyRun,
}

impl Policies {
    /// No company has a policy yet; policies decide through `engine`, loaded into `cache`.
    pub fn new(engine: PolicyEngine, sink: Arc<dyn StateSink>, cache: PolicyCache) -> Self {
        Self {
            engine,
            active: RwLock::default(),
            cache,
            states: Mutex::default(),
            sink,
            breakers: Breakers::default(),
        }
    }

    /// The shared engine.
    pub fn engine(&self) -> &PolicyEngine {
        &self.engine
    }

    /// Make `policy` the company's active policy: calls arriving from now on use it; calls in
    /// progress keep the version they arrived with (see [`Pinned`]).
    pub fn activate(&self, company: CompanyId, activated: Option<Activated>) {
        let mut active = self.active.write().unwrap_or_else(|p| p.into_inner());
        self.breakers.reset(company);
        match activated {
            Some(Activated { active: a, policy }) => {
                self.cache.insert(company, a.version, policy);
                active.insert(company, Arc::new(a))
            }
            None => active.remove(&company),
        };
    }

    /// Make the active policies exactly `activations` (read from the store after another node
    /// of a cluster changed them): a company whose version or configuration changed uses the
    /// new one from its next call (loaded then), one without an activation the built-in
    /// default.
    pub fn reconcile(&self, activations: Vec<(CompanyId, ActivePolicy)>) {
        let mut active = self.active.write().unwrap_or_else(|p| p.into_inner());
        let stored: HashMap<CompanyId, ActivePolicy> = activations.into_iter().collect();
        active.retain(|company, _| stored.contains_key(company));
        for (company, policy) in stored {
            if active.get(&company).is_none_or(|a| **a != policy) {
                self.breakers.reset(company);
                active.insert(company, Arc::new(policy));
            }
        }
    }

    /// Seed a company's state (loaded from storage at start-up).
    pub fn load_state(&self, company: CompanyId, state: PolicyState) {
        self.states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(company, Arc::new(Mutex::new(state)));
    }

    /// Restore stored activations without loading them: each policy is loaded on its company's
    /// first decision. An activation made since is kept.
    pub fn restore(&self, activations: impl IntoIterator<Item = (CompanyId, ActivePolicy)>) {
        let mut active = self.active.write().unwrap_or_else(|p| p.into_inner());
        for (company, policy) in activations {
            active.entry(company).or_insert_with(|| Arc::new(policy));
        }
    }

    /// The company's active policy version, if any.
    pub fn active(&self, company: CompanyId) -> Option<Arc<ActivePolicy>> {
        let active = self.active.read().unwrap_or_else(|p| p.into_inner());
        active.get(&company).cloned()
    }

    /// The compiled policy of `company`'s `active` version (from the cache, else loaded now).
    ///
    /// # Errors
    /// Why it could not be loaded.
    pub fn compiled(
        &self,
        company: CompanyId,
        active: &ActivePolicy,
    ) -> Result<Policy, Arc<LoadFailed>> {
        self.cache.get(company, active.version)
    }

    /// Counts of the policy cache, for `/metrics`.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }

    /// Load one active policy and instantiate it once, off the request path: the first
    /// instantiation in a process pays one-off costs (fresh pool slots, lazily initialised
    /// runtime state) that would otherwise land on the first call after a restart.
    pub fn warm_up(&self) {
        let first = {
            let active = self.active.read().unwrap_or_else(|p| p.into_inner());
            active.iter().next().map(|(c, a)| (*c, Arc::clone(a)))
        };
        let Some(policy) = first.and_then(|(company, a)| self.compiled(company, &a).ok()) else {
            return;
        };
        if let Err(f) = self.engine.try_instantiate(&policy) {
            tracing::debug!(kind = f.kind.as_str(), detail = %f.detail, "warm-up instantiation failed");
        }
    }

    /// A copy of the company's policy state (for replay and simulation).
    pub fn state_snapshot(&self, company: CompanyId) -> PolicyState {
        self.state_of(company)
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn state_of(&self, company: CompanyId) -> Arc<Mutex<PolicyState>> {
        let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(states.entry(company).or_default())
    }

    /// Whom to ring, asked of the company's active policy. With `dry_run` the policy works on
    /// a copy of the state and nothing is persisted (diagnosis, simulation).
    pub fn route(
        &self,
        company: CompanyId,
        call: &Call,
        candidates: &[Candidate],
        dry_run: bool,
    ) -> Answer<Decision> {
        self.route_with(company, self.active(company), call, candidates, dry_run)
    }

    /// Whom to ring for a live call, asked of the policy it is pinned to.
    pub fn route_pinned(
        &self,
        company: CompanyId,
        pin: &mut Pinned,
        call: &Call,
        candidates: &[Candidate],
    ) -> Answer<Decision> {
        let policy = self.resolve(company, pin);
        self.route_with(company, policy, call, candidates, false)
    }

    fn route_with(
        &self,
        company: CompanyId,
        policy: Option<Arc<ActivePolicy>>,
        call: &Call,
        candidates: &[Candidate],
        dry_run: bool,
    ) -> Answer<Decision> {
        match policy {
            None => builtin(|| fallback::route(call, candidates)),
            Some(active) => self.with_state(
                company,
                &active,
                Run::route(dry_run),
                || fallback::route(call, candidates),
                |engine, policy, state| {
                    engine.route(policy, company.0, call, candidates, &active.config, state)
                },
            ),
        }
    }

    /// What to do when nobody can take a live call, asked of the policy it is pinned to.
    pub fn overflow(
        &self,
        company: CompanyId,
        pin: &mut Pinned,
        call: &Call,
        reason: OverflowReason,
    ) -> Answer<OverflowAction> {
        match self.resolve(company, pin) {
            None => builtin(|| fallback::overflow(call, reason)),
            Some(active) => self.with_state(
                company,
                &active,
                Run::LIVE,
                || fallback::overflow(call, reason),
                |engine, policy, state| {
                    engine.overflow(policy, company.0, call, reason, &active.config, state)
                },
            ),
        }
    }

    /// The policy a call's decision uses: the one it is pinned to. A pin restored after a
    /// restart is resolved here, once: to the active version when it is the pinned one, and
    /// otherwise (the pinned version was replaced while the service was down) to the active
    /// one, with a warning.
    pub fn resolve(&self, company: CompanyId, pin: &mut Pinned) -> Option<Arc<ActivePolicy>> {
        match pin {
            Pinned::BuiltIn => None,
            Pinned::Policy(p) => Some(Arc::clone(p)),
            Pinned::Restored(version) => {
                let active = self.active(company);
                let now = active.as_ref().map_or(0, |a| a.version);
                if now != *version {
                    tracing::warn!(
                        %company,
                        pinned = *version,
                        active = now,
                        "a restored call's pinned policy version is no longer active; the active one decides"
                    );
                }
                *pin = active.clone().map_or(Pinned::BuiltIn, Pinned::Policy);
                active
            }
        }
    }

    /// What `viewer` may see of `subject`.
    pub fn visibility(
        &self,
        company: CompanyId,
        viewer: &Viewer,
        subject: &Subject,
    ) -> Answer<View> {
        match self.active(company) {
            None => builtin(|| fallback::visibility(viewer, subject)),
            Some(active) => self.with_state(
                company,
                &active,
                Run::READ_ONLY,
                || fallback::visibility(viewer, subject),
                |engine, policy, state| {
                    engine.visibility(policy, company.0, viewer, subject, &active.config, state)
                },
            ),
        }
    }

    fn with_state<T>(
        &self,
        company: CompanyId,
        active: &ActivePolicy,
        run: Run,
        fallback: impl FnOnce() -> T,
        f: impl FnOnce(&PolicyEngine, &Policy, &mut PolicyState) -> Decided<T>,
    ) -> Answer<T> {
        let dry_run = !run.keeps_state;
        let _span = tracing::debug_span!(
            "policy",
            %company,
            policy = %active.name,
            version = active.version,
            dry_run
        )
        .entered();
        if run.guarded && self.breakers.is_open(company, Instant::now()) {
            return builtin_instead(fallback, active, FallbackCause::Quarantined);
        }
        let Ok(policy) = self.compiled(company, active) else {
            // Logged by the cache (once per retry period); not the policy's own failure.
            return builtin_instead(fallback, active, FallbackCause::Unloadable);
        };
        let shared = self.state_of(company);
        let decided = if dry_run {
            let mut copy = shared.lock().unwrap_or_else(|p| p.into_inner()).clone();
            f(&self.engine, &policy, &mut copy)
        } else {
            // One decision at a time per company, so state updates (round-robin pointers)
            // are never lost to a concurrent call.
            let mut state = shared.lock().unwrap_or_else(|p| p.into_inner());
            let decided = f(&self.engine, &policy, &mut state);
            if decided.state_changed
                && let Err(e) = self.sink.save(company, &state)
            {
                tracing::error!(%company, error = %e, "could not persist policy state");
            }
            decided
        };
        // The policy's own failures count; an instance the host could not provide (pool
        // exhausted under load) is not the policy's fault.
        let failed = matches!(
            &decided.outcome,
            Outcome::Fallback { kind, .. } if *kind != FailureKind::Instantiate
        );
        if run.guarded && self.breakers.record(company, failed, Instant::now()) {
            tracing::warn!(
                %company,
                policy = %active.name,
                version = active.version,
                failures = QUARANTINE_AFTER,
                cool_down_s = QUARANTINE.as_secs(),
                "policy quarantined: its calls get the built-in fallback until the cool-down ends"
            );
        }
        let source = match &decided.outcome {
            Outcome::Policy => RunSource::Policy,
            Outcome::Fallback { kind, .. } => RunSource::Fallback(FallbackCause::Failed(*kind)),
        };
        Answer {
            value: decided.value,
            run: PolicyRun {
                name: active.name.clone(),
                version: active.version,
                source,
                elapsed_us: u64::try_from(decided.elapsed.as_micros()).unwrap_or(u64::MAX),
            },
        }
    }
}

/// The built-in answer given in place of `active`'s, traced with its name and `cause`.
fn builtin_instead<T>(
    fallback: impl FnOnce() -> T,
    active: &ActivePolicy,
    cause: FallbackCause,
) -> Answer<T> {
    let mut answer = builtin(fallback);
    answer.run.name.clone_from(&active.name);
    answer.run.version = active.version;
    answer.run.source = RunSource::Fallback(cause);
    answer
}

/// How a question is asked.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// State changes are kept (a live call), not discarded (simulation, diagnosis, board).
    keeps_state: bool,
    /// Subject to quarantine (live questions; simulations and diagnoses always run the policy).
    guarded: bool,
}

impl Run {
    const LIVE: Self = Self {
        keeps_state: true,
        guarded: true,
    };
    const READ_ONLY: Self = Self {
        keeps_state: false,
        guarded: true,
    };

    fn route(dry_run: bool) -> Self {
        Self {
            keeps_state: !dry_run,
            guarded: !dry_run,
        }
    }
}

fn builtin<T>(f: impl FnOnce() -> T) -> Answer<T> {
    let start = Instant::now();
    let value = f();
    Answer {
        value,
        run: PolicyRun {
            name: "built-in".to_owned(),
            version: 0,
            source: RunSource::BuiltIn,
            elapsed_us: u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
        },
    }
}

#[cfg(test)]
mod tests;
