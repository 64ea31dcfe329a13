//! Checks on every policy answer before the host acts on it. A failed check makes
//! the decision fall back with `bad-answer` and a detail naming the problem ([`BadAnswer`]).
//! A refused configuration is a [`ConfigRejected`].

use serde::Serialize;

use crate::bindings::{Call, Candidate, Decision, OverflowAction};
use crate::failure::FailureKind;

/// Shortest ring timeout a policy may ask for.
pub const MIN_RING_TIMEOUT_MS: u32 = 1_000;
/// Longest ring timeout a policy may ask for.
pub const MAX_RING_TIMEOUT_MS: u32 = 120_000;
/// Longest string in an overflow action (mailbox, number, reason).
pub const MAX_ACTION_STRING_BYTES: usize = 256;
/// Longest `check-config` error message kept (longer ones are cut).
pub const MAX_CONFIG_ERROR_BYTES: usize = 1024;

/// Why a policy's answer was refused; the decision falls back with `bad-answer` and this
/// message as its detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadAnswer {
    /// A ring plan with nobody to ring.
    #[error("ring plan has no targets (answer overflow to ring nobody)")]
    NoTargets,
    /// More targets than candidates.
    #[error("ring plan has {targets} targets but only {candidates} candidates")]
    TooManyTargets {
        /// Targets in the plan.
        targets: usize,
        /// Candidates the policy was given.
        candidates: usize,
    },
    /// A target that is not one of the candidates.
    #[error("ring plan targets agent {agent} who is not a candidate")]
    NotACandidate {
        /// The agent id.
        agent: u64,
    },
    /// The same agent targeted twice.
    #[error("ring plan targets agent {agent} twice")]
    DuplicateTarget {
        /// The agent id.
        agent: u64,
    },
    /// A ring timeout outside [`MIN_RING_TIMEOUT_MS`]`..=`[`MAX_RING_TIMEOUT_MS`].
    #[error(
        "ring timeout {timeout_ms} ms for agent {agent} is outside \
         {MIN_RING_TIMEOUT_MS}..={MAX_RING_TIMEOUT_MS}"
    )]
    RingTimeout {
        /// The agent id.
        agent: u64,
        /// The timeout asked for.
        timeout_ms: u32,
    },
    /// A forward to department 0.
    #[error("forward-department to department 0")]
    ForwardToNoDepartment,
    /// A forward to the department the call is already in.
    #[error("forward-department to the call's own department {department}")]
    ForwardToOwnDepartment {
        /// The call's department.
        department: u64,
    },
    /// A forward to something that is not an E.164 number.
    #[error("forward-number {number:?} is not an E.164 number (`+` and 8 to 15 digits)")]
    NotE164 {
        /// The start of the number (at most 32 bytes).
        number: String,
    },
    /// A mailbox, number or reason longer than [`MAX_ACTION_STRING_BYTES`].
    #[error("overflow action string is {bytes} bytes (limit {MAX_ACTION_STRING_BYTES})")]
    ActionStringTooLong {
        /// Its length.
        bytes: usize,
    },
}

/// Why a configuration was refused by `check-config`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "rejected", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConfigRejected {
    /// The policy refused it; `message` is the policy's own explanation (cut to
    /// [`MAX_CONFIG_ERROR_BYTES`]), for the person editing the configuration.
    #[error("{message}")]
    ByPolicy {
        /// The policy's message.
        message: String,
    },
    /// The policy failed while checking it, so it is refused without a verdict.
    #[error("the policy failed while checking the configuration ({kind}); see the logs")]
    PolicyFailed {
        /// How the policy failed.
        kind: FailureKind,
    },
}

impl ConfigRejected {
    /// The policy's refusal with `message`, an over-long message cut instead of failing
    /// the call.
    pub fn by_policy(mut message: String) -> Self {
        if message.len() > MAX_CONFIG_ERROR_BYTES {
            let keep = crate::logs::floor_char_boundary(&message, MAX_CONFIG_ERROR_BYTES).len();
            message.truncate(keep);
            message.push('…');
        }
        Self::ByPolicy { message }
    }
}

/// Checks a `route` answer against the candidates it was given.
///
/// # Errors
/// The [`BadAnswer`] naming the first problem found.
pub fn route(decision: &Decision, candidates: &[Candidate]) -> Result<(), BadAnswer> {
    let Decision::Ring(plan) = decision else {
        return Ok(());
    };
    if plan.targets.is_empty() {
        return Err(BadAnswer::NoTargets);
    }
    if plan.targets.len() > candidates.len() {
        return Err(BadAnswer::TooManyTargets {
            targets: plan.targets.len(),
            candidates: candidates.len(),
        });
    }
    // Sorted ids and a flag per id: one allocation each, not a tree node per agent.
    let mut known: Vec<u64> = candidates.iter().map(|c| c.agent).collect();
    known.sort_unstable();
    known.dedup();
    let mut rung = vec![false; known.len()];
    for target in &plan.targets {
        let agent = target.agent;
        let Ok(i) = known.binary_search(&agent) else {
            return Err(BadAnswer::NotACandidate { agent });
        };
        if std::mem::replace(&mut rung[i], true) {
            return Err(BadAnswer::DuplicateTarget { agent });
        }
        if !(MIN_RING_TIMEOUT_MS..=MAX_RING_TIMEOUT_MS).contains(&target.timeout_ms) {
            return Err(BadAnswer::RingTimeout {
                agent,
                timeout_ms: target.timeout_ms,
            });
        }
    }
    Ok(())
}

/// Checks an `overflow` answer for the call it was given. Whether a forward
/// department exists is checked later by the host.
///
/// # Errors
/// The [`BadAnswer`] naming the problem.
pub fn overflow(action: &OverflowAction, call: &Call) -> Result<(), BadAnswer> {
    let text = match action {
        OverflowAction::Queue(_) => return Ok(()),
        OverflowAction::ForwardDepartment(department) => {
            if *department == 0 {
                return Err(BadAnswer::ForwardToNoDepartment);
            }
            if *department == call.department {
                return Err(BadAnswer::ForwardToOwnDepartment {
                    department: *department,
                });
            }
            return Ok(());
        }
        OverflowAction::ForwardNumber(number) => {
            if !is_e164(number) {
                return Err(BadAnswer::NotE164 {
                    number: crate::logs::floor_char_boundary(number, 32).to_owned(),
                });
            }
            number
        }
        OverflowAction::Voicemail(text) | OverflowAction::Reject(text) => text,
    };
    if text.len() > MAX_ACTION_STRING_BYTES {
        return Err(BadAnswer::ActionStringTooLong { bytes: text.len() });
    }
    Ok(())
}

/// `+` followed by 8 to 15 ASCII digits.
fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::{
        Presence, QueueSpec, RingMode, RingPlan, RingTarget, Role, Status, Weekday,
    };

    fn candidate(agent: u64) -> Candidate {
        Candidate {
            agent,
            role: Role::Agent,
            tier: 1,
            skills: 0,
            status: Status::Available,
            take_calls: true,
            in_schedule: true,
            presence: Presence::Idle,
            idle_ms: 0,
            calls_today: 0,
            talk_ms_today: 0,
        }
    }

    fn plan(targets: &[(u64, u32)]) -> Decision {
        Decision::Ring(RingPlan {
            mode: RingMode::Simultaneous,
            targets: targets
                .iter()
                .map(|&(agent, timeout_ms)| RingTarget { agent, timeout_ms })
                .collect(),
        })
    }

    fn call() -> Call {
        Call {
            id: String::new(),
            company: 1,
            dialled_number: String::new(),
            caller: String::new(),
            department: 10,
            attempt: 1,
            waited_ms: 0,
            now_unix_ms: 0,
            local_weekday: Weekday::Friday,
            local_minute: 0,
            seed: 0,
            tried: vec![],
            attributes: vec![],
            skills: vec![],
        }
    }

    #[test]
    fn ring_plans_must_name_distinct_candidates_with_sane_timeouts() {
        let cands = [candidate(1), candidate(2)];
        assert_eq!(route(&plan(&[(1, 20_000), (2, 1_000)]), &cands), Ok(()));
        let cases = [
            (plan(&[]), "no targets"),
            (plan(&[(9, 20_000)]), "not a candidate"),
            (plan(&[(1, 20_000), (1, 20_000)]), "twice"),
            (plan(&[(1, 999)]), "outside"),
            (plan(&[(1, 120_001)]), "outside"),
            (
                plan(&[(1, 1_000), (2, 1_000), (3, 1_000)]),
                "only 2 candidates",
            ),
        ];
        for (decision, expected) in cases {
            let err = route(&decision, &cands).unwrap_err().to_string();
            assert!(
                err.contains(expected),
                "{err:?} should mention {expected:?}"
            );
        }
    }

    #[test]
    fn overflow_actions_are_checked() {
        let c = call();
        let ok = [
            OverflowAction::Queue(QueueSpec {
                max_wait_ms: 1,
                priority: 0,
            }),
            OverflowAction::ForwardDepartment(11),
            OverflowAction::ForwardNumber("+442071234567".into()),
            OverflowAction::Voicemail(String::new()),
            OverflowAction::Reject("closed".into()),
        ];
        for action in ok {
            assert_eq!(overflow(&action, &c), Ok(()), "{action:?}");
        }
        let bad = [
            OverflowAction::ForwardDepartment(0),
            OverflowAction::ForwardDepartment(10),
            OverflowAction::ForwardNumber("442071234567".into()),
            OverflowAction::ForwardNumber("+1234567".into()),
            OverflowAction::ForwardNumber("+1234567890123456".into()),
            OverflowAction::ForwardNumber("+44 20 7123 4567".into()),
            OverflowAction::Voicemail("x".repeat(MAX_ACTION_STRING_BYTES + 1)),
            OverflowAction::Reject("x".repeat(MAX_ACTION_STRING_BYTES + 1)),
        ];
        for action in bad {
            assert!(overflow(&action, &c).is_err(), "{action:?}");
        }
    }

    #[test]
    fn long_config_errors_are_cut() {
        let ConfigRejected::ByPolicy { message } =
            ConfigRejected::by_policy("é".repeat(MAX_CONFIG_ERROR_BYTES))
        else {
            panic!("not the policy's refusal");
        };
        assert!(message.len() <= MAX_CONFIG_ERROR_BYTES + '…'.len_utf8());
        assert!(message.ends_with('…'));
        assert_eq!(
            ConfigRejected::by_policy("short".into()).to_string(),
            "short"
        );
    }

    #[test]
    fn bad_answers_keep_their_messages() {
        let err = overflow(&OverflowAction::ForwardNumber("12345".into()), &call()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "forward-number \"12345\" is not an E.164 number (`+` and 8 to 15 digits)"
        );
    }
}
