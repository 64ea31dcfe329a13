//! Activations restored at start-up whose policy is loaded on the company's first decision
//! (from its precompiled artifact), so that start-up time and memory do not grow with the
//! number of companies that have a policy.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use switchyard_runtime::Policy;

use super::ActivePolicy;

/// Where restored policies are loaded from (the policy store).
pub trait PolicySource: Send + Sync + 'static {
    /// The compiled policy of `company`'s stored `version`.
    fn load(&self, company: u64, version: u32) -> Result<Policy, LoadFailed>;
}

/// A stored policy version could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("version {version} of company {company}'s policy could not be loaded")]
pub struct LoadFailed {
    /// The company.
    pub company: u64,
    /// The version.
    pub version: u32,
    /// Why.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// A company's stored activation, not loaded yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoredPolicy {
    /// Policy name.
    pub name: String,
    /// Version number within the company.
    pub version: u32,
    /// JSON configuration given on every call.
    pub config: String,
}

/// A restored activation and, once asked for, its loaded policy.
pub(super) struct Pending {
    company: u64,
    restored: RestoredPolicy,
    source: Arc<dyn PolicySource>,
    loaded: OnceLock<Option<Arc<ActivePolicy>>>,
}

impl Pending {
    pub(super) fn new(
        company: u64,
        restored: RestoredPolicy,
        source: Arc<dyn PolicySource>,
    ) -> Self {
        Self {
            company,
            restored,
            source,
            loaded: OnceLock::new(),
        }
    }

    /// The policy, loaded by the first caller (concurrent callers wait for it); `None` if it
    /// cannot be loaded (logged once: the company gets the built-in default, as a policy that
    /// failed to load at start-up always did).
    pub(super) fn get(&self) -> Option<Arc<ActivePolicy>> {
        self.loaded.get_or_init(|| self.load()).clone()
    }

    fn load(&self) -> Option<Arc<ActivePolicy>> {
        let (company, version) = (self.company, self.restored.version);
        let start = Instant::now();
        match self.source.load(company, version) {
            Ok(policy) => {
                tracing::debug!(
                    company,
                    version,
                    elapsed_us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
                    "restored policy loaded"
                );
                Some(Arc::new(ActivePolicy {
                    policy,
                    name: self.restored.name.clone(),
                    version,
                    config: self.restored.config.clone(),
                }))
            }
            Err(e) => {
                tracing::error!(company, version, error = %e, cause = ?std::error::Error::source(&e), "cannot load active policy");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::atomic::{AtomicUsize, Ordering};

    use switchyard_runtime::{EngineConfig, PolicyEngine, PolicyState};

    use super::*;
    use crate::calls::{Policies, StateSink};

    struct NoSink;
    impl StateSink for NoSink {
        fn save(&self, _: u64, _: &PolicyState) -> Result<(), crate::calls::StateSaveError> {
            Ok(())
        }
    }

    /// Loads longest-idle for company 1, fails for any other; counts loads.
    struct Source {
        engine: PolicyEngine,
        loads: AtomicUsize,
    }
    impl PolicySource for Source {
        fn load(&self, company: u64, version: u32) -> Result<Policy, LoadFailed> {
            self.loads.fetch_add(1, Ordering::SeqCst);
            let failed = |source: Box<dyn std::error::Error + Send + Sync>| LoadFailed {
                company,
                version,
                source,
            };
            if company != 1 {
                return Err(failed("no such component".into()));
            }
            let bytes = std::fs::read(switchyard_artifacts::LONGEST_IDLE).unwrap();
            let policy = self
                .engine
                .load("longest-idle", &version.to_string(), &bytes);
            policy.map_err(|e| failed(Box::new(e)))
        }
    }

    fn restored(version: u32) -> RestoredPolicy {
        RestoredPolicy {
            name: "longest-idle".into(),
            version,
            config: "{}".into(),
        }
    }

    #[test]
    fn restored_policies_load_on_first_use_once_and_yield_to_new_activations() {
        let engine = PolicyEngine::new(EngineConfig::default()).unwrap();
        let source = Arc::new(Source {
            engine: engine.clone(),
            loads: AtomicUsize::new(0),
        });
        let policies = Policies::new(engine, Arc::new(NoSink));
        let companies = [(1, restored(4)), (2, restored(1)), (3, restored(2))];
        policies.restore(source.clone(), companies);
        assert_eq!(
            source.loads.load(Ordering::SeqCst),
            0,
            "nothing loaded at start"
        );

        let first = policies.active(1).unwrap();
        assert_eq!((first.version, first.config.as_str()), (4, "{}"));
        let again = policies.active(1).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert_eq!(source.loads.load(Ordering::SeqCst), 1, "loaded once");

        // A policy that cannot be loaded leaves the built-in default, tried once.
        assert!(policies.active(2).is_none());
        assert!(policies.active(2).is_none());
        assert_eq!(source.loads.load(Ordering::SeqCst), 2);

        // Deactivated before its first decision: never loaded.
        policies.activate(3, None);
        assert!(policies.active(3).is_none());
        assert_eq!(source.loads.load(Ordering::SeqCst), 2);
        assert!(policies.active(4).is_none(), "no policy, nothing restored");
    }
}
