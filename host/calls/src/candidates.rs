//! Builds what a policy is given for one decision: the call (with company-local time) and one
//! candidate per member of the target department, joining the directory's per-company settings
//! with the agents' live state. Another company's work appears only as `busy-elsewhere`.
//! Skills are interned: the department's names go once into `call.skills` and each candidate
//! carries a bitmask; extensions stay with the members (the host rings them after the decision).

use std::collections::BTreeSet;
use switchyard_directory::AgentId;

use switchyard_runtime::skills::{MAX_SKILLS, SkillTable};
use switchyard_runtime::{Call, Candidate};

use super::center::CallCenter;
use super::clock::{LocalTime, local_time};
use super::live::LiveCall;
use super::roster::{CompanyInfo, Member};

/// Inputs of one decision.
pub(crate) struct Prepared {
    /// Active and pending members of the department (same order as `candidates` for actives).
    pub members: Vec<Member>,
    /// One candidate per active member.
    pub candidates: Vec<Candidate>,
    /// The call as the policy sees it.
    pub call: Call,
}

impl CallCenter {
    /// Gather the inputs for deciding `live` at `now_ms`.
    pub(crate) fn prepare(&self, live: &LiveCall, company: &CompanyInfo, now_ms: u64) -> Prepared {
        let local = local_time(&company.time_zone, now_ms);
        let members = self
            .roster
            .department_members(live.company, live.department, now_ms);
        let active: Vec<&Member> = members.iter().filter(|m| m.active).collect();
        let ids: Vec<AgentId> = active.iter().map(|m| m.agent).collect();
        let views = self.registry.views(live.company, &ids, now_ms, local.day);
        let skills = department_skills(&active);
        if skills.dropped() > 0 {
            tracing::warn!(
                company = %live.company,
                department = %live.department,
                dropped = skills.dropped(),
                "department has more than {MAX_SKILLS} distinct skills; the rest are not shown to the policy"
            );
        }
        let candidates = active
            .iter()
            .zip(views)
            .map(|(m, view)| Candidate {
                agent: m.agent.0,
                role: m.role,
                tier: m.tier,
                skills: skills.lookup(m.skills.iter().map(String::as_str)),
                status: m.status,
                take_calls: m.take_calls,
                in_schedule: m.in_schedule,
                presence: view.presence,
                idle_ms: view.idle_ms,
                calls_today: view.stats.calls,
                talk_ms_today: view.stats.talk_ms,
            })
            .collect();
        Prepared {
            call: Call {
                skills: skills.into_names(),
                ..policy_call(live, &local, now_ms)
            },
            members,
            candidates,
        }
    }
}

/// The skill names of `members`, in name order (the first [`MAX_SKILLS`] if there are more).
fn department_skills(members: &[&Member]) -> SkillTable {
    let names: BTreeSet<&str> = members
        .iter()
        .flat_map(|m| m.skills.iter().map(String::as_str))
        .collect();
    let mut table = SkillTable::new();
    table.set(names);
    table
}

impl CallCenter {
    /// The call as the policy sees it, without reading the department (for `overflow`; no
    /// skill names).
    pub(crate) fn policy_call(&self, live: &LiveCall, company: &CompanyInfo, now_ms: u64) -> Call {
        policy_call(live, &local_time(&company.time_zone, now_ms), now_ms)
    }
}

/// The call as a policy sees it.
fn policy_call(live: &LiveCall, local: &LocalTime, now_ms: u64) -> Call {
    Call {
        id: live.call_id.clone(),
        company: live.company.0,
        dialled_number: live.number.clone(),
        caller: live.caller.clone(),
        department: live.department.0,
        attempt: live.attempt,
        waited_ms: now_ms.saturating_sub(live.started_ms),
        now_unix_ms: now_ms,
        local_weekday: local.weekday,
        local_minute: local.minute,
        seed: live.seed ^ u64::from(live.attempt).wrapping_mul(0x9E37_79B9_7F4A_7C15),
        tried: live.tried.iter().map(|a| a.0).collect(),
        attributes: live.attributes.clone(),
        skills: Vec::new(),
    }
}
