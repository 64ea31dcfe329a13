//! The answers a policy gives when it has no opinion of its own: used by the
//! default methods of [`Policy`](crate::Policy) and available to policies that
//! only override part of an answer.

use crate::{Call, OverflowAction, OverflowReason, QueueSpec, Role, Subject, View, Viewer};

/// Longest queue wait of the default overflow, in milliseconds.
pub const QUEUE_MAX_WAIT_MS: u32 = 120_000;

/// The default overflow: callers wait in the queue (up to two minutes) when
/// agents are busy or the policy failed; otherwise they go to the
/// department's default voicemail.
pub fn overflow(call: &Call, reason: OverflowReason) -> OverflowAction {
    let _ = call;
    match reason {
        OverflowReason::AllBusy | OverflowReason::PolicyError => OverflowAction::Queue(QueueSpec {
            max_wait_ms: QUEUE_MAX_WAIT_MS,
            priority: 0,
        }),
        OverflowReason::NoMembers
        | OverflowReason::NoneAvailable
        | OverflowReason::OutOfHours
        | OverflowReason::NoAnswer
        | OverflowReason::QueueTimeout => OverflowAction::Voicemail(String::new()),
    }
}

/// The default presence-board visibility: everyone sees themselves in full,
/// supervisors and admins see everyone in full, agents see others coarsely.
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
    use crate::{Presence, Status, testing::call};

    #[test]
    fn busy_and_policy_error_queue_the_caller() {
        let queue = OverflowAction::Queue(QueueSpec {
            max_wait_ms: 120_000,
            priority: 0,
        });
        assert_eq!(overflow(&call(), OverflowReason::AllBusy), queue);
        assert_eq!(overflow(&call(), OverflowReason::PolicyError), queue);
    }

    #[test]
    fn other_reasons_go_to_voicemail() {
        for reason in [
            OverflowReason::NoMembers,
            OverflowReason::NoneAvailable,
            OverflowReason::OutOfHours,
            OverflowReason::NoAnswer,
            OverflowReason::QueueTimeout,
        ] {
            assert_eq!(
                overflow(&call(), reason),
                OverflowAction::Voicemail(String::new())
            );
        }
    }

    fn subject(agent: u64) -> Subject {
        Subject {
            agent,
            role: Role::Agent,
            status: Status::Available,
            presence: Presence::OnCall,
        }
    }

    #[test]
    fn visibility_by_role_and_self() {
        let agent = Viewer {
            agent: 1,
            role: Role::Agent,
        };
        assert_eq!(visibility(&agent, &subject(1)), View::Full);
        assert_eq!(visibility(&agent, &subject(2)), View::Coarse);
        for role in [Role::Supervisor, Role::Admin] {
            assert_eq!(
                visibility(&Viewer { agent: 1, role }, &subject(2)),
                View::Full
            );
        }
    }
}
