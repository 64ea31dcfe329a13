//! Quarantine of a failing policy (a circuit breaker per company). After [`TRIP_AFTER`] failed
//! decisions in a row, the company's policy is skipped for [`COOL_DOWN`]: its calls get the
//! built-in fallback at once, traced as `fallback:quarantined`. Then one decision tries the
//! policy again: a success closes the breaker, a failure opens it for another cool-down. A
//! policy that loops until its deadline on every call would otherwise spend a core for the
//! whole deadline on each call, and that CPU is taken from every other tenant. A new
//! activation closes the breaker.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use switchyard_directory::CompanyId;

/// Failed decisions in a row that quarantine a policy.
pub const TRIP_AFTER: u32 = 5;
/// How long a quarantined policy is skipped.
pub const COOL_DOWN: Duration = Duration::from_secs(10);

/// Breakers of all companies.
#[derive(Debug, Default)]
pub(super) struct Breakers {
    by_company: Mutex<HashMap<CompanyId, Breaker>>,
}

#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

impl Breakers {
    fn lock(&self) -> MutexGuard<'_, HashMap<CompanyId, Breaker>> {
        self.by_company
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `company`'s policy is quarantined at `now`.
    pub(super) fn is_open(&self, company: CompanyId, now: Instant) -> bool {
        self.lock()
            .get(&company)
            .and_then(|b| b.open_until)
            .is_some_and(|until| now < until)
    }

    /// Records a decision's result; `true` when this failure opened the breaker.
    pub(super) fn record(&self, company: CompanyId, failed: bool, now: Instant) -> bool {
        let mut all = self.lock();
        if !failed {
            all.remove(&company);
            return false;
        }
        let breaker = all.entry(company).or_default();
        breaker.failures = breaker.failures.saturating_add(1);
        if breaker.failures >= TRIP_AFTER {
            breaker.open_until = Some(now + COOL_DOWN);
            return true;
        }
        false
    }

    /// Closes `company`'s breaker (a new activation).
    pub(super) fn reset(&self, company: CompanyId) {
        self.lock().remove(&company);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_in_a_row_and_retries_after_the_cool_down() {
        let b = Breakers::default();
        let t0 = Instant::now();
        for _ in 1..TRIP_AFTER {
            assert!(!b.record(CompanyId(1), true, t0));
        }
        assert!(!b.is_open(CompanyId(1), t0));
        assert!(
            b.record(CompanyId(1), true, t0),
            "the last failure in a row opens it"
        );
        assert!(b.is_open(CompanyId(1), t0 + COOL_DOWN / 2));
        assert!(
            !b.is_open(CompanyId(2), t0),
            "other companies are not affected"
        );
        let later = t0 + COOL_DOWN;
        assert!(
            !b.is_open(CompanyId(1), later),
            "half-open after the cool-down"
        );
        assert!(
            b.record(CompanyId(1), true, later),
            "one more failure opens it again"
        );
        assert!(!b.record(CompanyId(1), false, later + COOL_DOWN));
        assert!(!b.is_open(CompanyId(1), later + COOL_DOWN));
    }

    #[test]
    fn a_success_or_a_reset_starts_the_count_again() {
        let b = Breakers::default();
        let t0 = Instant::now();
        for _ in 1..TRIP_AFTER {
            b.record(CompanyId(1), true, t0);
        }
        b.record(CompanyId(1), false, t0);
        for _ in 1..TRIP_AFTER {
            assert!(!b.record(CompanyId(1), true, t0));
        }
        b.reset(CompanyId(1));
        assert!(!b.record(CompanyId(1), true, t0));
    }
}
