//! Memberships of a company: adding a person (new agent, existing agent of the same owner, or
//! an invitation across main accounts), listing, changing and removing members.

use std::collections::{BTreeMap, BTreeSet};

use self::person::{NewPerson, find_or_create_agent};
use super::accounts::missing;
use crate::access::Need;
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::{MemberPatch, NewMember};
use crate::model::{MemberState, Membership, Seat};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::store::{Change, Store};
use crate::validate;
use crate::view::{AddOutcome, AddedMember, Member};

mod person;

/// First extension handed out when none is given.
const FIRST_EXTENSION: u64 = 100;

impl Directory {
    /// Adds a person to a company (its admins). A new identity creates an agent (`invited`,
    /// with its token in the answer); an identity already known adds that agent: at once if it
    /// works for a company of the same owner, as a `pending` invitation otherwise. A company
    /// with the `exclusive` policy refuses a person who works for another company
    /// (`already_in_use`).
    pub fn add_member(
        &self,
        principal: &Principal,
        company_id: u64,
        input: NewMember,
    ) -> Result<AddedMember> {
        self.company_for(principal, company_id, Need::Admin)?;
        let person = NewPerson::validate(&input)?;
        let extension = input
            .extension
            .as_deref()
            .map(validate::extension)
            .transpose()?;
        let departments = input.departments.unwrap_or_default();
        validate_seats(&departments)?;
        if let Some(schedule) = &input.schedule {
            schedule.validate()?;
        }
        self.write(|store, changes| {
            let company = store
                .company(company_id)?
                .ok_or_else(|| DirectoryError::not_found("company", company_id))?;
            check_departments(store, company_id, &departments)?;
            let (agent, outcome, agent_token) =
                find_or_create_agent(store, changes, &company, person)?;
            let extension = member_extension(store, company_id, extension, agent.id)?;
            let membership = Membership {
                company_id,
                agent_id: agent.id,
                role: input.role.unwrap_or_default(),
                extension,
                departments,
                schedule: input.schedule,
                take_calls: input.take_calls.unwrap_or(true),
                panel_access: input.panel_access.unwrap_or(true),
                notifications: input.notifications.unwrap_or(true),
                status: input.status.unwrap_or_default(),
                state: initial_state(outcome),
            };
            changes.push(Change::PutMembership(membership.clone()));
            Ok(AddedMember {
                outcome,
                agent,
                membership,
                agent_token,
            })
        })
    }

    /// Members of a company with their profiles (supervisors and admins).
    pub fn list_members(
        &self,
        principal: &Principal,
        company_id: u64,
        page: &PageRequest,
    ) -> Result<Page<Member>> {
        self.company_for(principal, company_id, Need::Supervise)?;
        let limit = page.limit()?;
        let memberships = self
            .store
            .company_members(company_id, page.after_id()?, limit + 1)?;
        let members = with_agents(&*self.store, memberships)?;
        Ok(Page::from_fetched(members, limit, |m| {
            m.agent.id.to_string()
        }))
    }

    /// One member (supervisors and admins; an agent-role member only itself).
    pub fn get_member(
        &self,
        principal: &Principal,
        company_id: u64,
        agent_id: u64,
    ) -> Result<Member> {
        let (_, access) = self.company_for(principal, company_id, Need::Member)?;
        if !access.can_supervise() && access.member() != Some(agent_id) {
            return Err(member_not_found(company_id, agent_id));
        }
        let membership = self
            .store
            .membership(company_id, agent_id)?
            .ok_or_else(|| member_not_found(company_id, agent_id))?;
        let mut members = with_agents(&*self.store, vec![membership])?;
        members.pop().ok_or_else(|| missing("agent", agent_id))
    }

    /// Changes a membership (admins of the company). Other companies' memberships of the same
    /// agent are untouched.
    pub fn update_member(
        &self,
        principal: &Principal,
        company_id: u64,
        agent_id: u64,
        patch: MemberPatch,
    ) -> Result<Member> {
        self.company_for(principal, company_id, Need::Admin)?;
        let extension = patch
            .extension
            .as_deref()
            .map(validate::extension)
            .transpose()?;
        if let Some(departments) = &patch.departments {
            validate_seats(departments)?;
        }
        if let Some(Some(schedule)) = &patch.schedule {
            schedule.validate()?;
        }
        let membership = self.write(|store, changes| {
            let mut m = store
                .membership(company_id, agent_id)?
                .ok_or_else(|| member_not_found(company_id, agent_id))?;
            if let Some(ext) = extension {
                ensure_extension_free(store, company_id, &ext, agent_id)?;
                m.extension = ext;
            }
            if let Some(departments) = patch.departments {
                check_departments(store, company_id, &departments)?;
                m.departments = departments;
            }
            if let Some(schedule) = patch.schedule {
                m.schedule = schedule;
            }
            m.role = patch.role.unwrap_or(m.role);
            m.take_calls = patch.take_calls.unwrap_or(m.take_calls);
            m.panel_access = patch.panel_access.unwrap_or(m.panel_access);
            m.notifications = patch.notifications.unwrap_or(m.notifications);
            m.status = patch.status.unwrap_or(m.status);
            changes.push(Change::PutMembership(m.clone()));
            Ok(m)
        })?;
        let mut members = with_agents(&*self.store, vec![membership])?;
        members.pop().ok_or_else(|| missing("agent", agent_id))
    }

    /// Removes an agent from one company (its admins); its other memberships, its login and
    /// its token stay.
    pub fn remove_member(
        &self,
        principal: &Principal,
        company_id: u64,
        agent_id: u64,
    ) -> Result<()> {
        self.company_for(principal, company_id, Need::Admin)?;
        self.write(|store, changes| {
            store
                .membership(company_id, agent_id)?
                .ok_or_else(|| member_not_found(company_id, agent_id))?;
            changes.push(Change::DeleteMembership {
                company: company_id,
                agent: agent_id,
            });
            Ok(())
        })
    }
}

/// The state of a new membership: pending the agent's consent for an invitation, active
/// otherwise.
fn initial_state(outcome: AddOutcome) -> MemberState {
    if outcome == AddOutcome::Invited {
        MemberState::Pending
    } else {
        MemberState::Active
    }
}

/// The extension a new member gets: the requested one if no other member of the company holds
/// it, the lowest free one when none is requested.
fn member_extension(
    store: &dyn Store,
    company_id: u64,
    requested: Option<String>,
    agent_id: u64,
) -> Result<String> {
    match requested {
        Some(ext) => {
            ensure_extension_free(store, company_id, &ext, agent_id)?;
            Ok(ext)
        }
        None => next_free_extension(store, company_id),
    }
}

/// Refuses an extension another member of the company holds.
pub(crate) fn ensure_extension_free(
    store: &dyn Store,
    company_id: u64,
    extension: &str,
    agent_id: u64,
) -> Result<()> {
    match store.member_by_extension(company_id, extension)? {
        Some(holder) if holder != agent_id => Err(DirectoryError::conflict(
            "extension_taken",
            format!(
                "extension {extension} is already used by agent {holder} in company {company_id}"
            ),
            "pick another extension, or leave it out to get the next free one",
        )),
        _ => Ok(()),
    }
}

/// The lowest free numeric extension from 100.
pub(crate) fn next_free_extension(store: &dyn Store, company_id: u64) -> Result<String> {
    let used: BTreeSet<String> = all_members(store, company_id)?
        .into_iter()
        .map(|m| m.extension)
        .collect();
    let mut n = FIRST_EXTENSION;
    while used.contains(&n.to_string()) {
        n += 1;
    }
    Ok(n.to_string())
}

/// Every membership of a company.
pub(crate) fn all_members(store: &dyn Store, company_id: u64) -> Result<Vec<Membership>> {
    let mut out: Vec<Membership> = Vec::new();
    loop {
        let after = out.last().map_or(0, |m| m.agent_id);
        let batch = store.company_members(company_id, after, 200)?;
        if batch.is_empty() {
            return Ok(out);
        }
        out.extend(batch);
    }
}

/// Joins memberships with their agents.
pub(crate) fn with_agents(store: &dyn Store, memberships: Vec<Membership>) -> Result<Vec<Member>> {
    memberships
        .into_iter()
        .map(|membership| {
            let agent = store
                .agent(membership.agent_id)?
                .ok_or_else(|| missing("agent", membership.agent_id))?;
            Ok(Member { agent, membership })
        })
        .collect()
}

/// Checks tiers and skills.
pub(crate) fn validate_seats(departments: &BTreeMap<u64, Seat>) -> Result<()> {
    departments
        .values()
        .try_for_each(|seat| validate::seat(seat.tier, &seat.skills))
}

/// Refuses departments that are not the company's.
pub(crate) fn check_departments(
    store: &dyn Store,
    company_id: u64,
    departments: &BTreeMap<u64, Seat>,
) -> Result<()> {
    for id in departments.keys() {
        if store
            .department(*id)?
            .is_none_or(|d| d.company_id != company_id)
        {
            return Err(unknown_department(company_id, *id));
        }
    }
    Ok(())
}

/// A department id that is not one of the company's.
pub(crate) fn unknown_department(company_id: u64, department_id: u64) -> DirectoryError {
    DirectoryError::invalid(
        "unknown_department",
        format!("company {company_id} has no department {department_id}"),
        format!("list the company's departments with GET /v1/companies/{company_id}/departments"),
    )
}

/// The membership does not exist (or may not be seen).
pub(crate) fn member_not_found(company_id: u64, agent_id: u64) -> DirectoryError {
    DirectoryError::not_found("member", format!("{agent_id} of company {company_id}"))
}
