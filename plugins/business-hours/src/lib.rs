//! `business-hours`: outside the company's opening hours the call overflows
//! with `out-of-hours` and goes to the configured voicemail box or department;
//! inside them it is routed like `longest-idle` or `ring-all`.
//!
//! Opening hours are judged on the call's company-local weekday and minute.
//! Config (all optional; empty means defaults):
//!
//! ```json
//! {
//!   "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "17:30"}],
//!   "closed": {"voicemail": "box"},
//!   "inner": "longest-idle",
//!   "ring_timeout_ms": 20000,
//!   "max_targets": 5
//! }
//! ```
//!
//! `closed` is `{"voicemail": "<mailbox>"}` or `{"department": <id>}`; `inner`
//! is `"longest-idle"` or `"ring-all"`. The default hours are Monday to Friday,
//! 09:00 to 17:00; an empty `hours` list means always closed.

pub mod hours;

use std::num::NonZeroUsize;

use serde::Deserialize;
use switchyard_sdk::{
    Call, Candidate, Decision, DepartmentId, Host, OverflowAction, OverflowReason, Policy,
    RingMode, RingTimeout, config, decide, defaults, eligible, order,
};

use crate::hours::Window;

/// Where callers go outside opening hours.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Closed {
    /// This voicemail box (may be empty: the department's default box).
    Voicemail(String),
    /// Forward to this department of the same company.
    Department(DepartmentId),
}

impl Default for Closed {
    fn default() -> Self {
        Self::Voicemail(String::new())
    }
}

/// How calls are routed during opening hours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Inner {
    /// One after another, longest idle first.
    #[default]
    LongestIdle,
    /// Everyone at once.
    RingAll,
}

/// The policy's configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Opening hours (default Monday to Friday, 09:00 to 17:00).
    pub hours: Vec<Window>,
    /// Where callers go when closed (default: voicemail, default box).
    pub closed: Closed,
    /// Routing during opening hours (default `longest-idle`).
    pub inner: Inner,
    /// How long to ring each agent (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
    /// Ring at most this many agents per attempt (default: all eligible).
    pub max_targets: Option<NonZeroUsize>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            hours: vec![Window::weekdays(9 * 60, 17 * 60)],
            closed: Closed::default(),
            inner: Inner::default(),
            ring_timeout_ms: RingTimeout::default(),
            max_targets: None,
        }
    }
}

impl Config {
    /// Whether the company is open at the call's local time.
    pub fn is_open(&self, call: &Call) -> bool {
        self.hours
            .iter()
            .any(|w| w.contains(call.local_weekday, call.local_minute))
    }
}

/// Opening hours in front of longest-idle or ring-all.
pub struct BusinessHours;

impl Policy for BusinessHours {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        // The after-hours department (the target of the closed forward) takes calls at any hour.
        let after_hours_desk =
            matches!(config.closed, Closed::Department(d) if d == call.department);
        if !after_hours_desk && !config.is_open(call) {
            return Decision::Overflow(OverflowReason::OutOfHours);
        }
        let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
        order::longest_idle(&mut ordered);
        let mode = match config.inner {
            Inner::LongestIdle => RingMode::Sequential,
            Inner::RingAll => RingMode::Simultaneous,
        };
        decide(
            mode,
            ordered,
            candidates,
            config.ring_timeout_ms,
            config.max_targets,
        )
    }

    fn overflow(
        host: &mut dyn Host,
        call: &Call,
        reason: OverflowReason,
        config: &str,
    ) -> OverflowAction {
        if reason != OverflowReason::OutOfHours {
            return defaults::overflow(call, reason);
        }
        match config::load::<Config>(host, config).closed {
            Closed::Voicemail(mailbox) => OverflowAction::Voicemail(mailbox),
            Closed::Department(department) => OverflowAction::ForwardDepartment(department),
        }
    }

    fn check_config(config: &str) -> Result<(), config::ConfigError> {
        config::check::<Config>(config)
    }
}

switchyard_sdk::export_policy!(BusinessHours);

#[cfg(test)]
mod tests;
