//! Counters of the call flow for `/metrics`: decisions by company and outcome, decisions that
//! used the fallback because the company's policy failed, and a latency histogram of policy
//! invocations by company and policy version.

use std::collections::BTreeMap;
use std::sync::Mutex;
use switchyard_directory::CompanyId;

use super::decision_kind::DecisionKind;

/// Upper bounds of the latency histogram buckets, microseconds.
pub const LATENCY_BUCKETS_US: [u64; 10] =
    [25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000];

/// Upper bounds of the queue wait histogram buckets, milliseconds.
pub const QUEUE_BUCKETS_MS: [u64; 10] = [
    1_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
];

/// A latency histogram: counts per bucket (cumulative when read), sum and count.
#[derive(Debug, Default, Clone)]
pub struct Histogram {
    /// Observations at or below each bound of [`LATENCY_BUCKETS_US`] (not cumulative).
    pub buckets: [u64; LATENCY_BUCKETS_US.len()],
    /// Sum of observations (microseconds for policy latency, milliseconds for queue waits).
    pub sum_us: u64,
    /// Number of observations.
    pub count: u64,
}

/// Decision counters, keyed by (company, outcome label).
#[derive(Debug, Default)]
pub struct CallMetrics {
    decisions: Mutex<BTreeMap<(CompanyId, String), u64>>,
    fallbacks: Mutex<BTreeMap<CompanyId, u64>>,
    latency: Mutex<BTreeMap<(CompanyId, String), Histogram>>,
    queue_waits: Mutex<BTreeMap<CompanyId, Histogram>>,
}

impl CallMetrics {
    /// Count one decision of `company` with `outcome` (`ring`, `overflow:all-busy`, ...).
    pub fn decision(&self, company: CompanyId, outcome: DecisionKind, fallback: bool) {
        *self
            .decisions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((company, outcome.to_string()))
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

    /// Record one policy invocation of `company`'s `policy` (`name@version`) taking `us`.
    pub fn policy_latency(&self, company: CompanyId, policy: String, us: u64) {
        let mut map = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        let h = map.entry((company, policy)).or_default();
        if let Some(i) = LATENCY_BUCKETS_US.iter().position(|b| us <= *b) {
            h.buckets[i] += 1;
        }
        h.sum_us += us;
        h.count += 1;
    }

    /// Record how long a queued call of `company` waited before it was offered or timed out.
    pub fn queue_wait(&self, company: CompanyId, ms: u64) {
        let mut map = self.queue_waits.lock().unwrap_or_else(|p| p.into_inner());
        let h = map.entry(company).or_default();
        if let Some(i) = QUEUE_BUCKETS_MS.iter().position(|b| ms <= *b) {
            h.buckets[i] += 1;
        }
        h.sum_us += ms;
        h.count += 1;
    }

    /// Queue wait histograms per company (sums in milliseconds, buckets [`QUEUE_BUCKETS_MS`]).
    pub fn queue_waits(&self) -> Vec<(CompanyId, Histogram)> {
        let map = self.queue_waits.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (*k, v.clone())).collect()
    }

    /// Policy latency histograms: ((company, policy), histogram).
    pub fn latencies(&self) -> Vec<((CompanyId, String), Histogram)> {
        let map = self.latency.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// Decisions so far: ((company, outcome), count).
    pub fn decisions(&self) -> Vec<((CompanyId, String), u64)> {
        let map = self.decisions.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (k.clone(), *v)).collect()
    }

    /// Fallback decisions so far, per company.
    pub fn fallbacks(&self) -> Vec<(CompanyId, u64)> {
        let map = self.fallbacks.lock().unwrap_or_else(|p| p.into_inner());
        map.iter().map(|(k, v)| (*k, *v)).collect()
    }
}
