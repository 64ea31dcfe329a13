//! "If a call came to number N now, would agent X ring, and if not, why?" — the whole decision
//! run without side effects: no reservation, no log, the policy on a copy of its state.

use super::registry::CallRef;
use serde::{Serialize, Serializer};
use switchyard_directory::{AgentId, CompanyId, DepartmentId};
use switchyard_runtime::Decision;

use super::center::{CallCenter, CallError};
use super::decision_kind::DecisionKind;
use super::live::{Arrival, LiveCall};
use super::log::PolicyRun;
use super::roster::{CompanyInfo, NumberRoute};
use super::trace::{MemberTrace, Reason, host_reason};

/// The answer of the diagnose endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnosis {
    /// The number asked about.
    pub number: String,
    /// Company the number belongs to.
    pub company_id: CompanyId,
    /// Department the number points at.
    pub department_id: DepartmentId,
    /// The agent asked about.
    pub agent_id: AgentId,
    /// Whether the agent would ring first (or at once, for simultaneous plans).
    pub would_ring: bool,
    /// Offered, or why not.
    pub reason: DiagnosisReason,
    /// What to do about it.
    pub hint: String,
    /// Position in the policy's plan (1-based), if the policy chose the agent.
    pub position: Option<usize>,
    /// `ring` or `overflow:<reason>`.
    pub decision: DecisionKind,
    /// Which policy decided, and how.
    pub policy: PolicyRun,
    /// Every member of the department.
    pub members: Vec<MemberTrace>,
}

/// Why the agent asked about would or would not ring: its line of the decision trace, or that
/// it is not a member of the company at all. Serialized as the trace's reasons are
/// (`"offered"`, `"not-in-department"`, ..., `"not-a-member"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagnosisReason {
    /// The agent is a member of the company: the reason of its trace line (or
    /// `not-in-department` when it is not seated in the department).
    Trace(Reason),
    /// Not a member of the company the number rings in. Said alike for an id that exists in
    /// other companies and for one that exists nowhere, so it tells nothing about them.
    NotAMember,
}

impl Serialize for DiagnosisReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Trace(reason) => reason.serialize(serializer),
            Self::NotAMember => serializer.serialize_str("not-a-member"),
        }
    }
}

impl CallCenter {
    /// Diagnose whether `agent` would ring for a call to `number` at `now_ms`.
    pub fn diagnose(
        &self,
        number: &str,
        agent: AgentId,
        now_ms: u64,
    ) -> Result<Diagnosis, CallError> {
        let route = self
            .roster
            .resolve_number(number)
            .ok_or_else(|| CallError::UnknownNumber(number.to_owned()))?;
        let company = self
            .roster
            .company(route.company)
            .ok_or_else(|| CallError::UnknownNumber(number.to_owned()))?;
        let probe = probe_call(number, route.company, route.department, now_ms);
        let prepared = self.prepare(&probe, &company, now_ms);
        let answer = self
            .policies
            .route(route.company, &prepared.call, &prepared.candidates, true);
        let plan: Vec<AgentId> = match &answer.value {
            Decision::Ring(p) => p.targets.iter().map(|t| AgentId(t.agent)).collect(),
            Decision::Overflow(_) => Vec::new(),
        };
        let simultaneous = matches!(
            &answer.value,
            Decision::Ring(p) if p.mode == switchyard_runtime::RingMode::Simultaneous
        );
        let members: Vec<MemberTrace> = prepared
            .members
            .iter()
            .map(|m| {
                let reason =
                    host_reason(m, &prepared.candidates, &[]).unwrap_or_else(|| {
                        match plan.iter().position(|a| *a == m.agent) {
                            Some(0) => Reason::Offered,
                            Some(_) if simultaneous => Reason::Offered,
                            _ => Reason::NotChosenByPolicy,
                        }
                    });
                MemberTrace::new(m, reason)
            })
            .collect();
        let (reason, hint) = self.reason_for(agent, &members, &route, &company, now_ms);
        let decision = match &answer.value {
            Decision::Ring(_) => DecisionKind::Ring,
            Decision::Overflow(r) => DecisionKind::Overflow(*r),
        };
        Ok(Diagnosis {
            number: number.to_owned(),
            company_id: route.company,
            department_id: route.department,
            agent_id: agent,
            would_ring: reason == DiagnosisReason::Trace(Reason::Offered),
            reason,
            hint,
            position: plan.iter().position(|a| *a == agent).map(|p| p + 1),
            decision,
            policy: answer.run,
            members,
        })
    }

    /// Why `agent` would or would not be offered a call to `route`: its line of the trace
    /// (`members`), or why it has none (not in the department, not in the company), with the
    /// hint that says how to fix it.
    fn reason_for(
        &self,
        agent: AgentId,
        members: &[MemberTrace],
        route: &NumberRoute,
        company: &CompanyInfo,
        now_ms: u64,
    ) -> (DiagnosisReason, String) {
        let line = members.iter().find(|m| m.agent_id == agent);
        let member = line.is_some()
            || self
                .roster
                .company_members(route.company, now_ms)
                .iter()
                .any(|m| m.agent == agent);
        match line {
            Some(m) => (DiagnosisReason::Trace(m.reason), m.hint.clone()),
            None if member => (
                DiagnosisReason::Trace(Reason::NotInDepartment),
                format!(
                    "Agent {agent} is not in department {} of company {} ({}), where this number rings. {}",
                    route.department,
                    company.id,
                    company.name,
                    Reason::NotInDepartment.hint()
                ),
            ),
            None => (
                DiagnosisReason::NotAMember,
                format!(
                    "Agent {agent} is not a member of company {} ({}), where this number rings. \
                     Add the agent to this company (POST /v1/companies/{}/members), then to \
                     department {} (Departments -> Add User).",
                    company.id, company.name, company.id, route.department
                ),
            ),
        }
    }
}

/// A call that exists only to be decided about.
fn probe_call(number: &str, company: CompanyId, department: DepartmentId, now_ms: u64) -> LiveCall {
    let arrival = Arrival {
        platform: 0,
        call_id: "diagnose".to_owned(),
        company,
        number: number.to_owned(),
        caller: String::new(),
        department,
        attributes: Vec::new(),
        max_targets: None,
    };
    LiveCall::new(CallRef(0), arrival, now_ms, now_ms, None)
}
