//! What the call flow needs to know from the tenant directory, as plain values: where a number
//! goes, a company's settings, and the members of a department with their per-company settings.
//! The cached roster (`roster_cache.rs`) fills these from the stored records.

use switchyard_directory::{AgentId, CompanyId, DepartmentId};
use switchyard_runtime::{Role, Status};

/// Where a dialled number leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberRoute {
    /// Company that holds the number.
    pub company: CompanyId,
    /// Entry department of the number's call flow.
    pub department: DepartmentId,
}

/// Company settings the call flow uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyInfo {
    /// The company.
    pub id: CompanyId,
    /// Display name.
    pub name: String,
    /// IANA time zone.
    pub time_zone: String,
    /// After-call wrap-up, seconds.
    pub wrap_up_secs: u32,
    /// The SIP domain its agents register in (a placeholder naming the company when unset).
    pub sip_domain: String,
}

/// One member of a company, as the call flow sees it (one company's settings only).
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The agent.
    pub agent: AgentId,
    /// This company's extension.
    pub extension: String,
    /// Role in this company.
    pub role: Role,
    /// Status the agent set in this company.
    pub status: Status,
    /// Take Calls switch in this company.
    pub take_calls: bool,
    /// Panel Access in this company.
    pub panel_access: bool,
    /// App notifications for this company.
    pub notifications: bool,
    /// Accepted (not a pending invitation).
    pub active: bool,
    /// Inside the member's availability schedule at the moment asked about.
    pub in_schedule: bool,
    /// Tier in the department asked about (1 if not asked for a department).
    pub tier: u8,
    /// Skills in the department asked about.
    pub skills: Vec<String>,
}

/// Read access to the directory for the call flow.
pub trait Roster: Send + Sync + 'static {
    /// The company and department a number points at.
    fn resolve_number(&self, number: &str) -> Option<NumberRoute>;
    /// A company's settings.
    fn company(&self, company: CompanyId) -> Option<CompanyInfo>;
    /// Whether the department exists in the company.
    fn department_exists(&self, company: CompanyId, department: DepartmentId) -> bool;
    /// Members of a department, with schedule evaluated at `now_ms`.
    fn department_members(
        &self,
        company: CompanyId,
        department: DepartmentId,
        now_ms: u64,
    ) -> Vec<Member>;
    /// All members of a company (department fields empty), with schedule evaluated at `now_ms`.
    fn company_members(&self, company: CompanyId, now_ms: u64) -> Vec<Member>;
    /// Departments (of any company) the agent is an active member of.
    fn departments_of(&self, agent: AgentId) -> Vec<(CompanyId, DepartmentId)>;
}
