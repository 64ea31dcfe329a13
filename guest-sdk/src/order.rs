//! Orderings of candidates: longest idle, fewest calls today, least talk time.
//!
//! Every ordering is stable and ends with the agent id, so the same inputs
//! always give the same plan.

use std::cmp::Reverse;

use serde::Deserialize;

use crate::Candidate;

/// A way to order candidates, selectable from a policy's config as
/// `"longest-idle"`, `"fewest-calls"` or `"least-talk-time"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Order {
    /// See [`longest_idle`].
    #[default]
    LongestIdle,
    /// See [`fewest_calls`].
    FewestCalls,
    /// See [`least_talk_time`].
    LeastTalkTime,
}

impl Order {
    /// Sorts `candidates` in place by this ordering.
    pub fn sort(self, candidates: &mut [&Candidate]) {
        match self {
            Self::LongestIdle => longest_idle(candidates),
            Self::FewestCalls => fewest_calls(candidates),
            Self::LeastTalkTime => least_talk_time(candidates),
        }
    }
}

/// Longest idle first; ties by agent id.
pub fn longest_idle(candidates: &mut [&Candidate]) {
    candidates.sort_by_key(|c| (Reverse(c.idle_ms), c.agent));
}

/// Fewest calls answered today first; ties by longest idle, then agent id.
pub fn fewest_calls(candidates: &mut [&Candidate]) {
    candidates.sort_by_key(|c| (c.calls_today, Reverse(c.idle_ms), c.agent));
}

/// Least talk time today first; ties by longest idle, then agent id.
pub fn least_talk_time(candidates: &mut [&Candidate]) {
    candidates.sort_by_key(|c| (c.talk_ms_today, Reverse(c.idle_ms), c.agent));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::candidate;

    fn sorted(order: Order, candidates: &[Candidate]) -> Vec<u64> {
        let mut refs: Vec<&Candidate> = candidates.iter().collect();
        order.sort(&mut refs);
        refs.iter().map(|c| c.agent).collect()
    }

    fn team() -> Vec<Candidate> {
        vec![
            Candidate {
                idle_ms: 5_000,
                calls_today: 3,
                talk_ms_today: 900_000,
                ..candidate(4)
            },
            Candidate {
                idle_ms: 60_000,
                calls_today: 1,
                talk_ms_today: 100_000,
                ..candidate(3)
            },
            Candidate {
                idle_ms: 60_000,
                calls_today: 1,
                talk_ms_today: 50_000,
                ..candidate(2)
            },
            Candidate {
                idle_ms: 1_000,
                calls_today: 0,
                talk_ms_today: 50_000,
                ..candidate(1)
            },
        ]
    }

    #[test]
    fn longest_idle_ties_by_agent_id() {
        assert_eq!(sorted(Order::LongestIdle, &team()), vec![2, 3, 4, 1]);
    }

    #[test]
    fn fewest_calls_then_longest_idle() {
        assert_eq!(sorted(Order::FewestCalls, &team()), vec![1, 2, 3, 4]);
    }

    #[test]
    fn least_talk_time_then_longest_idle() {
        assert_eq!(sorted(Order::LeastTalkTime, &team()), vec![2, 1, 3, 4]);
    }

    #[test]
    fn order_reads_kebab_case() {
        let order: Order = serde_json::from_str("\"least-talk-time\"").unwrap();
        assert_eq!(order, Order::LeastTalkTime);
        assert!(serde_json::from_str::<Order>("\"LeastTalkTime\"").is_err());
    }
}
