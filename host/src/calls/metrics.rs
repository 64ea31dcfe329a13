//! Counters of the call flow for `/metrics`: decisions by company and outcome, and decisions
//! that used the fallback because the company's policy failed.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Decision counters, keyed by (company, outcome label).
#[derive(Debug, Default)]
pub struct CallMetrics {
    decisions: Mutex<BTreeMap<(u64, String), u64>>,
    fallbacks: Mutex<BTreeMap<u64, u64>>,
}

impl CallMetrics {
    /// Count one decision of `company` with `outcome` (`ring`, `overflow:all-busy`, ...).
    pub fn decision(&self, company: u64, outcome: &str, fallback: bool) {
        *self
            .decisions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((company, outcome.to_owned()))
            .or_insert(0) += 1;
        if fallback {
            *self
                .fallbacks
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entry(company)
                .or_insert(0) += 1;
        }
    }

    /// Decisions so far: ((company, outcome), count).
    pub fn decisions(&self) -> Vec<((u64, String), u64)> {
        let map = self.decisions.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// Fallback decisions so far, per company.
    pub fn fallbacks(&self) -> Vec<(u64, u64)> {
        let map = self.fallbacks.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (*k, *v)).collect()
    }
}
