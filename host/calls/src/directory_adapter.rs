//! From the sled-backed [`Directory`]'s records to what the call flow needs (the values of
//! [`super::roster`]), for the cached roster (`roster_cache.rs`). A storage error is logged
//! and read as "nothing there", so a call is still answered (by overflow) rather than failed.

use switchyard_directory::AgentId;
use switchyard_directory::CompanyId;
use switchyard_directory::DepartmentId;
use switchyard_directory::{Company, Day, Directory, MemberStatus, Membership, Role as DirRole};
use switchyard_runtime::{Role, Status};

use super::roster::{CompanyInfo, Member, NumberRoute};

/// `r`'s value, or (logged) the default when the read failed.
pub(super) fn logged<T: Default>(what: &str, r: switchyard_directory::Result<T>) -> T {
    r.unwrap_or_else(|e| {
        tracing::error!(error = %e, "directory read failed: {what}");
        T::default()
    })
}

fn role(r: DirRole) -> Role {
    match r {
        DirRole::Agent => Role::Agent,
        DirRole::Supervisor => Role::Supervisor,
        DirRole::Admin => Role::Admin,
    }
}

fn status(s: MemberStatus) -> Status {
    match s {
        MemberStatus::Available => Status::Available,
        MemberStatus::Unavailable => Status::Unavailable,
        MemberStatus::Break => Status::OnBreak,
    }
}

/// One membership as the call flow sees it, with its seat in `department` (when asked for)
/// and its schedule evaluated at the company-local `local` (day, minute).
pub(super) fn to_member(
    ms: &Membership,
    department: Option<DepartmentId>,
    local: Option<(Day, u16)>,
) -> Member {
    let seat = department.and_then(|d| ms.departments.get(&d.0));
    Member {
        agent: AgentId(ms.agent_id),
        in_schedule: local.is_some_and(|(day, minute)| ms.in_schedule(day, minute)),
        active: ms.is_active(),
        extension: ms.extension.clone(),
        role: role(ms.role),
        status: status(ms.status),
        take_calls: ms.take_calls,
        panel_access: ms.panel_access,
        notifications: ms.notifications,
        tier: seat.map_or(1, |s| s.tier),
        skills: seat.map(|s| s.skills.clone()).unwrap_or_default(),
    }
}

/// The settings of a company the call flow uses.
pub(super) fn company_info(c: &Company) -> CompanyInfo {
    CompanyInfo {
        id: CompanyId(c.id),
        name: c.name.clone(),
        time_zone: c.time_zone.clone(),
        wrap_up_secs: c.wrap_up_secs,
        sip_domain: c.sip_domain_or_default(),
    }
}

/// (company, department) of every seat of the active memberships.
pub(super) fn active_departments(memberships: &[Membership]) -> Vec<(CompanyId, DepartmentId)> {
    memberships
        .iter()
        .filter(|m| m.is_active())
        .flat_map(|m| {
            let company = CompanyId(m.company_id);
            m.departments
                .keys()
                .map(move |d| (company, DepartmentId(*d)))
        })
        .collect()
}

/// Where `number` leads, read from the directory.
pub(super) fn number_route(dir: &Directory, number: &str) -> Option<NumberRoute> {
    logged("number", dir.route_number(number)).map(|n| NumberRoute {
        company: CompanyId(n.company_id),
        department: DepartmentId(n.department_id),
    })
}
