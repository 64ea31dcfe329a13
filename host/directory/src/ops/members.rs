//! Memberships of a company: adding a person (new agent, existing agent of the same owner, or
//! an invitation across main accounts), listing, changing and removing members.

use std::collections::{BTreeMap, BTreeSet};

use super::accounts::missing;
use super::agents::issue_agent_token;
use crate::access::Need;
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::{MemberPatch, NewMember};
use crate::model::{
    Agent, AgentState, Company, Identity, IdentityPolicy, MemberState, Membership, Seat,
};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::store::{Change, Store};
use crate::validate;
use crate::view::{AddOutcome, AddedMember, Member};

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
        let email = input.email.as_deref().map(validate::email).transpose()?;
        let phone = input.phone.as_deref().map(validate::e164).transpose()?;
        if email.is_none() && phone.is_none() {
            return Err(DirectoryError::invalid(
                "missing_identity",
                "a member needs an e-mail or a phone",
                "give \"email\" and/or \"phone\" (E.164, e.g. +919876543210)",
            ));
        }
        let name = input
            .name
            .as_deref()
            .map(|n| validate::name("name", n))
            .transpose()?;
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
            let identities: Vec<Identity> = email
                .iter()
                .cloned()
                .map(Identity::Email)
                .chain(phone.iter().cloned().map(Identity::Phone))
                .collect();
            let (agent, outcome, agent_token) = match find_person(store, &identities)? {
                None => {
                    let name = name.ok_or_else(|| {
                        DirectoryError::invalid(
                            "missing_name",
                            "this person is new to Switchyard and needs a name",
                            "give \"name\" along with the e-mail or phone",
                        )
                    })?;
                    let agent = Agent {
                        id: store.next_id()?,
                        name,
                        email,
                        phone,
                        state: AgentState::Invited,
                    };
                    changes.push(Change::PutAgent(agent.clone()));
                    let issued = issue_agent_token(store, changes, agent.id)?;
                    (agent, AddOutcome::Created, Some(issued.token))
                }
                Some((agent_id, matched)) => {
                    let agent = store
                        .agent(agent_id)?
                        .ok_or_else(|| missing("agent", agent_id))?;
                    let outcome = existing_person_outcome(store, &company, &agent, &matched)?;
                    (agent, outcome, None)
                }
            };
            let extension = match extension {
                Some(ext) => {
                    ensure_extension_free(store, company_id, &ext, agent.id)?;
                    ext
                }
                None => next_free_extension(store, company_id)?,
            };
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
                state: if outcome == AddOutcome::Invited {
                    MemberState::Pending
                } else {
                    MemberState::Active
                },
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

/// The agent the identities map to, with the identity that matched; refuses identities of two
/// different agents.
fn find_person(store: &dyn Store, identities: &[Identity]) -> Result<Option<(u64, Identity)>> {
    let mut found: Option<(u64, Identity)> = None;
    for identity in identities {
        if let Some(agent) = store.agent_by_identity(identity)? {
            match &found {
                Some((other, first)) if *other != agent => {
                    return Err(DirectoryError::conflict(
                        "identity_conflict",
                        format!("{first} and {identity} belong to two different agents"),
                        "give the e-mail and phone of one person, or only one of them",
                    ));
                }
                Some(_) => {}
                None => found = Some((agent, identity.clone())),
            }
        }
    }
    Ok(found)
}

/// Whether an existing agent joins `company` at once, as an invitation, or not at all.
fn existing_person_outcome(
    store: &dyn Store,
    company: &Company,
    agent: &Agent,
    matched: &Identity,
) -> Result<AddOutcome> {
    if store.membership(company.id, agent.id)?.is_some() {
        return Err(DirectoryError::conflict(
            "already_member",
            format!(
                "{matched} belongs to agent {} who is already a member of company {}",
                agent.id, company.id
            ),
            format!(
                "change the membership with PATCH /v1/companies/{}/members/{}",
                company.id, agent.id
            ),
        ));
    }
    let elsewhere = store.agent_memberships(agent.id)?;
    if company.identity_policy == IdentityPolicy::Exclusive && !elsewhere.is_empty() {
        return Err(DirectoryError::conflict(
            "already_in_use",
            format!("{matched} is already in use by an agent of another company"),
            format!(
                "invite the person with an alternate e-mail or phone, or relax the policy: \
                 PATCH /v1/companies/{} {{\"identity_policy\": \"shared\"}}",
                company.id
            ),
        ));
    }
    for m in elsewhere.iter().filter(|m| m.is_active()) {
        let other = store
            .company(m.company_id)?
            .ok_or_else(|| missing("company", m.company_id))?;
        if other.owner() == company.owner() {
            return Ok(AddOutcome::Added);
        }
    }
    Ok(AddOutcome::Invited)
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
