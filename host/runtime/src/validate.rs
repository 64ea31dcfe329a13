//! Checks on every policy answer before the host acts on it. A failed check makes
//! the decision fall back with `bad-answer` and a detail naming the problem.

use crate::bindings::{Call, Candidate, Decision, OverflowAction};

/// Shortest ring timeout a policy may ask for.
pub const MIN_RING_TIMEOUT_MS: u32 = 1_000;
/// Longest ring timeout a policy may ask for.
pub const MAX_RING_TIMEOUT_MS: u32 = 120_000;
/// Longest string in an overflow action (mailbox, number, reason).
pub const MAX_ACTION_STRING_BYTES: usize = 256;
/// Longest `check-config` error message kept (longer ones are cut).
pub const MAX_CONFIG_ERROR_BYTES: usize = 1024;

/// Checks a `route` answer against the candidates it was given.
pub fn route(decision: &Decision, candidates: &[Candidate]) -> Result<(), String> {
    let Decision::Ring(plan) = decision else {
        return Ok(());
    };
    if plan.targets.is_empty() {
        return Err("ring plan has no targets (answer overflow to ring nobody)".into());
    }
    if plan.targets.len() > candidates.len() {
        return Err(format!(
            "ring plan has {} targets but only {} candidates",
            plan.targets.len(),
            candidates.len()
        ));
    }
    // Sorted ids and a flag per id: one allocation each, not a tree node per agent.
    let mut known: Vec<u64> = candidates.iter().map(|c| c.agent).collect();
    known.sort_unstable();
    known.dedup();
    let mut rung = vec![false; known.len()];
    for target in &plan.targets {
        let Ok(i) = known.binary_search(&target.agent) else {
            return Err(format!(
                "ring plan targets agent {} who is not a candidate",
                target.agent
            ));
        };
        if std::mem::replace(&mut rung[i], true) {
            return Err(format!("ring plan targets agent {} twice", target.agent));
        }
        if !(MIN_RING_TIMEOUT_MS..=MAX_RING_TIMEOUT_MS).contains(&target.timeout_ms) {
            return Err(format!(
                "ring timeout {} ms for agent {} is outside {MIN_RING_TIMEOUT_MS}..={MAX_RING_TIMEOUT_MS}",
                target.timeout_ms, target.agent
            ));
        }
    }
    Ok(())
}

/// Checks an `overflow` answer for the call it was given. Whether a forward
/// department exists is checked later by the host.
pub fn overflow(action: &OverflowAction, call: &Call) -> Result<(), String> {
    let text = match action {
        OverflowAction::Queue(_) => return Ok(()),
        OverflowAction::ForwardDepartment(department) => {
            if *department == 0 {
                return Err("forward-department to department 0".into());
            }
            if *department == call.department {
                return Err(format!(
                    "forward-department to the call's own department {department}"
                ));
            }
            return Ok(());
        }
        OverflowAction::ForwardNumber(number) => {
            if !is_e164(number) {
                return Err(format!(
                    "forward-number {:?} is not an E.164 number (`+` and 8 to 15 digits)",
                    crate::logs::floor_char_boundary(number, 32)
                ));
            }
            number
        }
        OverflowAction::Voicemail(text) | OverflowAction::Reject(text) => text,
    };
    if text.len() > MAX_ACTION_STRING_BYTES {
        return Err(format!(
            "overflow action string is {} bytes (limit {MAX_ACTION_STRING_BYTES})",
            text.len()
        ));
    }
    Ok(())
}

/// Cuts an over-long `check-config` error message instead of failing the call.
pub(crate) fn config_error(result: Result<(), String>) -> Result<(), String> {
    result.map_err(|mut message| {
        if message.len() > MAX_CONFIG_ERROR_BYTES {
            let keep = crate::logs::floor_char_boundary(&message, MAX_CONFIG_ERROR_BYTES).len();
            message.truncate(keep);
            message.push('…');
        }
        message
    })
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
            let err = route(&decision, &cands).unwrap_err();
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
        let long = Err("é".repeat(MAX_CONFIG_ERROR_BYTES));
        let cut = config_error(long).unwrap_err();
        assert!(cut.len() <= MAX_CONFIG_ERROR_BYTES + '…'.len_utf8());
        assert_eq!(config_error(Err("short".into())), Err("short".into()));
    }
}
