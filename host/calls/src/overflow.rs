//! Carrying out the overflow rules: ask the call's policy what to do when nobody can take the
//! call, apply the guard rails it cannot override (a queue timeout never queues again, forwards
//! are bounded and must name an existing department), record the action in the log, and turn
//! it into the platform's instruction (a forward inside the company routes again).

use switchyard_directory::DepartmentId;
use switchyard_runtime::{OverflowAction, OverflowReason};

use super::center::CallCenter;
use super::instruction::Instruction;
use super::live::{LiveCall, Stage};
use super::log::{OverflowActionKind, OverflowRecord};
use super::queue::Waiting;
use super::roster::CompanyInfo;
use super::routing::{MAX_FORWARDS, MAX_QUEUE_WAIT_MS};

impl CallCenter {
    /// Ask the overflow rules and carry out the action. `Err(department)` asks the caller to
    /// route again in that department (a forward inside the company).
    pub(crate) fn overflow_once(
        &self,
        call: &mut LiveCall,
        company: &CompanyInfo,
        reason: OverflowReason,
        now_ms: u64,
    ) -> Result<Instruction, DepartmentId> {
        let prepared_call = self.policy_call(call, company, now_ms);
        let answer = self
            .policies
            .overflow(call.company, &mut call.policy, &prepared_call, reason);
        let mut action = answer.value;
        // Guard rails the policy cannot override.
        match &action {
            OverflowAction::Queue(_) if reason == OverflowReason::QueueTimeout => {
                action = OverflowAction::Voicemail(String::new());
            }
            OverflowAction::ForwardDepartment(d)
                if call.forwards >= MAX_FORWARDS
                    || !self
                        .roster
                        .department_exists(call.company, DepartmentId(*d)) =>
            {
                action = OverflowAction::Voicemail(String::new());
            }
            _ => {}
        }
        let (name, detail) = describe(&action);
        call.log.overflows.push(OverflowRecord {
            at_ms: now_ms,
            reason: reason.into(),
            action: name,
            detail,
            source: answer.run.source,
        });
        call.plan = None;
        Ok(match action {
            OverflowAction::Queue(spec) => {
                let max_wait_ms = spec.max_wait_ms.clamp(1_000, MAX_QUEUE_WAIT_MS);
                let waiting = Waiting {
                    call: call.call_ref,
                    company: call.company,
                    department: call.department,
                    priority: spec.priority,
                    since_ms: now_ms,
                    deadline_ms: now_ms + u64::from(max_wait_ms),
                };
                call.waiting = Some(waiting);
                self.queues.push(waiting);
                call.stage = Stage::Queued;
                Instruction::Queue {
                    max_wait_ms,
                    priority: spec.priority,
                }
            }
            OverflowAction::ForwardDepartment(d) => return Err(DepartmentId(d)),
            OverflowAction::ForwardNumber(number) => Instruction::ForwardNumber { number },
            OverflowAction::Voicemail(mailbox) => Instruction::Voicemail { mailbox },
            OverflowAction::Reject(reason) => Instruction::Reject { reason },
        })
    }
}

/// Every reason a call can overflow for.
pub const REASONS: [OverflowReason; 7] = [
    OverflowReason::NoMembers,
    OverflowReason::NoneAvailable,
    OverflowReason::AllBusy,
    OverflowReason::OutOfHours,
    OverflowReason::NoAnswer,
    OverflowReason::QueueTimeout,
    OverflowReason::PolicyError,
];

/// Kebab-case name of an overflow reason.
pub fn reason_name(reason: OverflowReason) -> &'static str {
    match reason {
        OverflowReason::NoMembers => "no-members",
        OverflowReason::NoneAvailable => "none-available",
        OverflowReason::AllBusy => "all-busy",
        OverflowReason::OutOfHours => "out-of-hours",
        OverflowReason::NoAnswer => "no-answer",
        OverflowReason::QueueTimeout => "queue-timeout",
        OverflowReason::PolicyError => "policy-error",
    }
}

/// What `action` does, and its detail (max wait, department, number, mailbox, reason).
fn describe(action: &OverflowAction) -> (OverflowActionKind, String) {
    match action {
        OverflowAction::Queue(q) => (
            OverflowActionKind::Queue,
            format!("max-wait-ms={} priority={}", q.max_wait_ms, q.priority),
        ),
        OverflowAction::ForwardDepartment(d) => {
            (OverflowActionKind::ForwardDepartment, d.to_string())
        }
        OverflowAction::ForwardNumber(n) => (OverflowActionKind::ForwardNumber, n.clone()),
        OverflowAction::Voicemail(m) => (OverflowActionKind::Voicemail, m.clone()),
        OverflowAction::Reject(r) => (OverflowActionKind::Reject, r.clone()),
    }
}
