//! Built-in default decisions, in native Rust on the WIT types.
//!
//! Used when a policy fails and by the service for companies without a policy:
//! `route` rings the longest-idle eligible agents one after another; `overflow`
//! sends the caller to voicemail or keeps them queued; `visibility` shows full
//! detail to oneself and to supervisors/admins, coarse detail to agents.

use crate::bindings::{
    Call, Candidate, Decision, OverflowAction, OverflowReason, Presence, QueueSpec, RingMode,
    RingPlan, RingTarget, Role, Status, Subject, View, Viewer,
};

/// How long each target rings in the fallback plan.
pub const RING_TIMEOUT_MS: u32 = 20_000;
/// Longest queue wait of the fallback overflow.
pub const QUEUE_MAX_WAIT_MS: u32 = 120_000;

/// Whether `c` may take calls here right now, ignoring presence.
fn available_here(c: &Candidate) -> bool {
    c.status == Status::Available && c.take_calls && c.in_schedule
}

/// Whether `c` is busy (here or elsewhere).
fn busy(c: &Candidate) -> bool {
    matches!(
        c.presence,
        Presence::Ringing | Presence::OnCall | Presence::WrapUp | Presence::BusyElsewhere
    )
}

/// Longest-idle routing: eligible agents (available, taking calls, in schedule,
/// idle, not yet tried) sorted by idle time (longest first, then agent id), rung
/// sequentially for [`RING_TIMEOUT_MS`] each. With nobody eligible: `no-members` if
/// there are no candidates, `all-busy` if someone available here is busy,
/// otherwise `none-available`.
pub fn route(call: &Call, candidates: &[Candidate]) -> Decision {
    let mut eligible: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| available_here(c) && c.presence == Presence::Idle)
        .filter(|c| !call.tried.contains(&c.agent))
        .collect();
    if eligible.is_empty() {
        let reason = if candidates.is_empty() {
            OverflowReason::NoMembers
        } else if candidates.iter().any(|c| available_here(c) && busy(c)) {
            OverflowReason::AllBusy
        } else {
            OverflowReason::NoneAvailable
        };
        return Decision::Overflow(reason);
    }
    eligible.sort_by(|a, b| b.idle_ms.cmp(&a.idle_ms).then(a.agent.cmp(&b.agent)));
    // Candidates are one per member, but never ring anyone twice.
    let mut seen = std::collections::BTreeSet::new();
    eligible.retain(|c| seen.insert(c.agent));
    Decision::Ring(RingPlan {
        mode: RingMode::Sequential,
        targets: eligible
            .into_iter()
            .map(|c| RingTarget {
                agent: c.agent,
                timeout_ms: RING_TIMEOUT_MS,
            })
            .collect(),
    })
}

/// Default overflow: voicemail (default mailbox) when nobody can or will answer;
/// queue for up to [`QUEUE_MAX_WAIT_MS`] when agents are merely busy or the policy
/// failed.
pub fn overflow(_call: &Call, reason: OverflowReason) -> OverflowAction {
    match reason {
        OverflowReason::NoMembers
        | OverflowReason::NoneAvailable
        | OverflowReason::OutOfHours
        | OverflowReason::NoAnswer
        | OverflowReason::QueueTimeout => OverflowAction::Voicemail(String::new()),
        OverflowReason::AllBusy | OverflowReason::PolicyError => OverflowAction::Queue(QueueSpec {
            max_wait_ms: QUEUE_MAX_WAIT_MS,
            priority: 0,
        }),
    }
}

/// Default visibility: oneself and supervisors/admins see everything, agents see
/// available / busy / offline.
pub fn visibility(viewer: &Viewer, subject: &Subject) -> View {
    if viewer.agent == subject.agent {
        return View::Full;
    }
    match viewer.role {
        Role::Supervisor | Role::Admin => View::Full,
        Role::Agent => View::Coarse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::Weekday;

    fn call(tried: Vec<u64>) -> Call {
        Call {
            id: "c1".into(),
            company: 1,
            dialled_number: "+4420000000".into(),
            caller: String::new(),
            department: 10,
            attempt: 1,
            waited_ms: 0,
            now_unix_ms: 0,
            local_weekday: Weekday::Monday,
            local_minute: 600,
            seed: 0,
            tried,
            attributes: vec![],
            skills: vec![],
        }
    }

    fn agent(id: u64, presence: Presence, idle_ms: u64) -> Candidate {
        Candidate {
            agent: id,
            role: Role::Agent,
            tier: 1,
            skills: 0,
            status: Status::Available,
            take_calls: true,
            in_schedule: true,
            presence,
            idle_ms,
            calls_today: 0,
            talk_ms_today: 0,
        }
    }

    fn ring_order(decision: Decision) -> Vec<u64> {
        match decision {
            Decision::Ring(plan) => {
                assert_eq!(plan.mode, RingMode::Sequential);
                assert!(plan.targets.iter().all(|t| t.timeout_ms == RING_TIMEOUT_MS));
                plan.targets.iter().map(|t| t.agent).collect()
            }
            Decision::Overflow(reason) => panic!("expected a ring plan, got {reason:?}"),
        }
    }

    #[test]
    fn rings_eligible_agents_longest_idle_first_ties_by_id() {
        let mut unavailable = agent(5, Presence::Idle, 99_999);
        unavailable.status = Status::OnBreak;
        let mut off_schedule = agent(6, Presence::Idle, 99_999);
        off_schedule.in_schedule = false;
        let candidates = vec![
            agent(3, Presence::Idle, 1_000),
            agent(2, Presence::Idle, 5_000),
            agent(1, Presence::Idle, 1_000),
            agent(4, Presence::OnCall, 50_000),
            unavailable,
            off_schedule,
            agent(7, Presence::Idle, 70_000),
        ];
        assert_eq!(ring_order(route(&call(vec![7]), &candidates)), [2, 1, 3]);
    }

    #[test]
    fn overflow_reason_says_why_nobody_is_rung() {
        assert_eq!(
            route(&call(vec![]), &[]),
            Decision::Overflow(OverflowReason::NoMembers)
        );
        let busy = [
            agent(1, Presence::BusyElsewhere, 0),
            agent(2, Presence::LoggedOut, 0),
        ];
        assert_eq!(
            route(&call(vec![]), &busy),
            Decision::Overflow(OverflowReason::AllBusy)
        );
        let mut away = agent(1, Presence::OnCall, 0);
        away.take_calls = false;
        let none = [away, agent(2, Presence::LoggedOut, 0)];
        assert_eq!(
            route(&call(vec![]), &none),
            Decision::Overflow(OverflowReason::NoneAvailable)
        );
        // Everyone eligible was already tried: not busy, so none-available.
        assert_eq!(
            route(&call(vec![1]), &[agent(1, Presence::Idle, 0)]),
            Decision::Overflow(OverflowReason::NoneAvailable)
        );
    }

    #[test]
    fn overflow_queues_when_busy_and_voicemails_otherwise() {
        let c = call(vec![]);
        let queue = OverflowAction::Queue(QueueSpec {
            max_wait_ms: QUEUE_MAX_WAIT_MS,
            priority: 0,
        });
        assert_eq!(overflow(&c, OverflowReason::AllBusy), queue);
        assert_eq!(overflow(&c, OverflowReason::PolicyError), queue);
        for reason in [
            OverflowReason::NoMembers,
            OverflowReason::NoneAvailable,
            OverflowReason::OutOfHours,
            OverflowReason::NoAnswer,
            OverflowReason::QueueTimeout,
        ] {
            assert_eq!(
                overflow(&c, reason),
                OverflowAction::Voicemail(String::new())
            );
        }
    }

    #[test]
    fn visibility_is_full_for_self_and_managers_coarse_for_agents() {
        let subject = Subject {
            agent: 2,
            role: Role::Agent,
            status: Status::Available,
            presence: Presence::OnCall,
        };
        let viewer = |agent, role| Viewer { agent, role };
        assert_eq!(visibility(&viewer(2, Role::Agent), &subject), View::Full);
        assert_eq!(
            visibility(&viewer(1, Role::Supervisor), &subject),
            View::Full
        );
        assert_eq!(visibility(&viewer(1, Role::Admin), &subject), View::Full);
        assert_eq!(visibility(&viewer(1, Role::Agent), &subject), View::Coarse);
    }
}
