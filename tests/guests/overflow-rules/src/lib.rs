//! `overflow-rules`: a test-only policy that routes like `longest-idle` (or `ring-all`) and
//! overflows as its config says, per reason, so a test can give a company "all busy ->
//! voicemail" or "no answer -> forward" without writing a policy. Never shipped.
//!
//! Config (all optional; an unset reason keeps the SDK's default overflow):
//!
//! ```json
//! {
//!   "ring": "sequential" | "simultaneous",
//!   "ring_timeout_ms": 20000,
//!   "all_busy": {"voicemail": "box"} | {"queue": 60000} | {"forward_number": "+1555..."}
//!               | {"reject": "486 Busy Here"},
//!   "no_answer": <the same>,
//!   "queue_timeout": <the same>,
//!   "none_available": <the same>
//! }
//! ```

use serde::Deserialize;
use switchyard_sdk::{
    Call, Candidate, Decision, Host, OverflowAction, OverflowReason, Policy, QueueSpec, RingMode,
    RingTimeout, config, decide, defaults, eligible, order,
};

/// How the eligible agents are rung.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ring {
    /// One after another, longest idle first.
    #[default]
    Sequential,
    /// Everyone at once.
    Simultaneous,
}

/// One overflow rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// Queue the caller for at most this many milliseconds.
    Queue(u32),
    /// This voicemail box (may be empty).
    Voicemail(String),
    /// Forward to this E.164 number.
    ForwardNumber(String),
    /// Refuse the call with this reason ("486 Busy Here").
    Reject(String),
}

impl Rule {
    fn action(&self) -> OverflowAction {
        match self {
            Self::Queue(ms) => OverflowAction::Queue(QueueSpec {
                max_wait_ms: *ms,
                priority: 0,
            }),
            Self::Voicemail(box_) => OverflowAction::Voicemail(box_.clone()),
            Self::ForwardNumber(n) => OverflowAction::ForwardNumber(n.clone()),
            Self::Reject(r) => OverflowAction::Reject(r.clone()),
        }
    }
}

/// The policy's configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Sequential (default) or simultaneous.
    pub ring: Ring,
    /// How long to ring (default 20 000 ms).
    pub ring_timeout_ms: RingTimeout,
    /// When every member is busy.
    pub all_busy: Option<Rule>,
    /// When every rung agent failed to answer.
    pub no_answer: Option<Rule>,
    /// When a queued call waited its longest.
    pub queue_timeout: Option<Rule>,
    /// When no member can take calls (logged out, unavailable, out of schedule).
    pub none_available: Option<Rule>,
}

/// Longest idle first; overflow from the config.
pub struct OverflowRules;

impl Policy for OverflowRules {
    fn route(host: &mut dyn Host, call: &Call, candidates: &[Candidate], config: &str) -> Decision {
        let config: Config = config::load(host, config);
        let mut ordered: Vec<&Candidate> = eligible(candidates, call).collect();
        order::longest_idle(&mut ordered);
        let mode = match config.ring {
            Ring::Sequential => RingMode::Sequential,
            Ring::Simultaneous => RingMode::Simultaneous,
        };
        decide(mode, ordered, candidates, config.ring_timeout_ms, None)
    }

    fn overflow(
        host: &mut dyn Host,
        call: &Call,
        reason: OverflowReason,
        config: &str,
    ) -> OverflowAction {
        let config: Config = config::load(host, config);
        let rule = match reason {
            OverflowReason::AllBusy => config.all_busy,
            OverflowReason::NoAnswer => config.no_answer,
            OverflowReason::QueueTimeout => config.queue_timeout,
            OverflowReason::NoneAvailable => config.none_available,
            _ => None,
        };
        rule.map_or_else(|| defaults::overflow(call, reason), |r| r.action())
    }

    fn check_config(config: &str) -> Result<(), config::ConfigError> {
        config::check::<Config>(config)
    }
}

switchyard_sdk::export_policy!(OverflowRules);
