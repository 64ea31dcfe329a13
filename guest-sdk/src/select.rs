//! Who may be rung: [`eligible`] candidates, and why nobody is
//! ([`unavailable_reason`]).

use crate::{Call, Candidate, OverflowReason, Presence, Status};

/// Whether `candidate` can be offered `call` right now: status available,
/// taking calls, inside their schedule, idle, and not already tried for this
/// call.
pub fn is_eligible(candidate: &Candidate, call: &Call) -> bool {
    is_available_here(candidate)
        && candidate.presence == Presence::Idle
        && !call.tried.contains(&candidate.agent)
}

/// The candidates that can be offered `call` now (see [`is_eligible`]), in
/// their original order.
pub fn eligible<'a>(
    candidates: &'a [Candidate],
    call: &'a Call,
) -> impl Iterator<Item = &'a Candidate> + 'a {
    candidates.iter().filter(move |c| is_eligible(c, call))
}

/// Why nobody is rung when nobody is eligible:
///
/// - no candidates at all: [`OverflowReason::NoMembers`];
/// - someone is available here but busy (ringing, on a call, in wrap-up or busy
///   for another company): [`OverflowReason::AllBusy`];
/// - otherwise: [`OverflowReason::NoneAvailable`].
pub fn unavailable_reason(candidates: &[Candidate]) -> OverflowReason {
    if candidates.is_empty() {
        return OverflowReason::NoMembers;
    }
    let someone_busy = candidates.iter().any(|c| {
        is_available_here(c)
            && matches!(
                c.presence,
                Presence::Ringing | Presence::OnCall | Presence::WrapUp | Presence::BusyElsewhere
            )
    });
    if someone_busy {
        OverflowReason::AllBusy
    } else {
        OverflowReason::NoneAvailable
    }
}

/// The value of the call attribute `key` sent by the telephony platform, if any
/// (first match wins).
pub fn attribute<'a>(call: &'a Call, key: &str) -> Option<&'a str> {
    call.attributes
        .iter()
        .find(|a| a.key == key)
        .map(|a| a.value.as_str())
}

/// Available in this company: status, take-calls and schedule all say yes.
fn is_available_here(candidate: &Candidate) -> bool {
    candidate.status == Status::Available && candidate.take_calls && candidate.in_schedule
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Attribute,
        testing::{call, candidate},
    };

    fn ids<'a>(it: impl Iterator<Item = &'a Candidate>) -> Vec<u64> {
        it.map(|c| c.agent).collect()
    }

    #[test]
    fn eligible_filters_every_condition() {
        let mut tried = call();
        tried.tried = vec![7];
        let candidates = vec![
            candidate(1),
            Candidate {
                status: Status::OnBreak,
                ..candidate(2)
            },
            Candidate {
                take_calls: false,
                ..candidate(3)
            },
            Candidate {
                in_schedule: false,
                ..candidate(4)
            },
            Candidate {
                presence: Presence::OnCall,
                ..candidate(5)
            },
            Candidate {
                presence: Presence::LoggedOut,
                ..candidate(6)
            },
            candidate(7),
            candidate(8),
        ];
        assert_eq!(ids(eligible(&candidates, &tried)), vec![1, 8]);
    }

    #[test]
    fn reason_is_no_members_for_an_empty_department() {
        assert_eq!(unavailable_reason(&[]), OverflowReason::NoMembers);
    }

    #[test]
    fn reason_is_all_busy_when_an_available_member_is_busy() {
        for presence in [
            Presence::Ringing,
            Presence::OnCall,
            Presence::WrapUp,
            Presence::BusyElsewhere,
        ] {
            let candidates = vec![
                Candidate {
                    status: Status::Unavailable,
                    ..candidate(1)
                },
                Candidate {
                    presence,
                    ..candidate(2)
                },
            ];
            assert_eq!(unavailable_reason(&candidates), OverflowReason::AllBusy);
        }
    }

    #[test]
    fn reason_is_none_available_when_busy_members_are_not_available_here() {
        let candidates = vec![
            Candidate {
                status: Status::OnBreak,
                presence: Presence::OnCall,
                ..candidate(1)
            },
            Candidate {
                take_calls: false,
                presence: Presence::BusyElsewhere,
                ..candidate(2)
            },
            Candidate {
                presence: Presence::LoggedOut,
                ..candidate(3)
            },
        ];
        assert_eq!(
            unavailable_reason(&candidates),
            OverflowReason::NoneAvailable
        );
    }

    #[test]
    fn attribute_finds_the_first_match() {
        let mut c = call();
        c.attributes = vec![
            Attribute {
                key: "skill".into(),
                value: "french".into(),
            },
            Attribute {
                key: "skill".into(),
                value: "german".into(),
            },
        ];
        assert_eq!(attribute(&c, "skill"), Some("french"));
        assert_eq!(attribute(&c, "vip"), None);
    }
}
