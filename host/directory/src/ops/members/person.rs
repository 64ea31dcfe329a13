//! The person being added to a company: who the request names, the agent that person already
//! is (and whether it joins at once or as an invitation), or a new agent.

use crate::error::{DirectoryError, Result};
use crate::input::NewMember;
use crate::model::{Agent, AgentState, Company, Identity, IdentityPolicy};
use crate::ops::accounts::missing;
use crate::ops::agents::issue_agent_token;
use crate::store::{Change, Store};
use crate::validate;
use crate::view::AddOutcome;

/// The person a [`NewMember`] names: its e-mail, phone and name, validated.
pub(super) struct NewPerson {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

impl NewPerson {
    /// Validates the e-mail and the phone (at least one of them is required), then the name.
    pub(super) fn validate(input: &NewMember) -> Result<Self> {
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
        Ok(Self { name, email, phone })
    }

    /// The identities the person is looked up by, e-mail first.
    fn identities(&self) -> Vec<Identity> {
        self.email
            .iter()
            .cloned()
            .map(Identity::Email)
            .chain(self.phone.iter().cloned().map(Identity::Phone))
            .collect()
    }
}

/// The agent `person` already is, with how it joins `company`; or a new agent (queued in
/// `changes`) with its token, shown once.
pub(super) fn find_or_create_agent(
    store: &dyn Store,
    changes: &mut Vec<Change>,
    company: &Company,
    person: NewPerson,
) -> Result<(Agent, AddOutcome, Option<String>)> {
    match find_person(store, &person.identities())? {
        None => {
            let (agent, token) = create_agent(store, changes, person)?;
            Ok((agent, AddOutcome::Created, Some(token)))
        }
        Some((agent_id, matched)) => {
            let agent = store
                .agent(agent_id)?
                .ok_or_else(|| missing("agent", agent_id))?;
            let outcome = existing_person_outcome(store, company, &agent, &matched)?;
            Ok((agent, outcome, None))
        }
    }
}

/// A new `invited` agent for a person new to Switchyard (who then needs a name), queued in
/// `changes` with its first token; the agent and the token's secret.
fn create_agent(
    store: &dyn Store,
    changes: &mut Vec<Change>,
    person: NewPerson,
) -> Result<(Agent, String)> {
    let name = person.name.ok_or_else(|| {
        DirectoryError::invalid(
            "missing_name",
            "this person is new to Switchyard and needs a name",
            "give \"name\" along with the e-mail or phone",
        )
    })?;
    let agent = Agent {
        id: store.next_id()?,
        name,
        email: person.email,
        phone: person.phone,
        state: AgentState::Invited,
    };
    changes.push(Change::PutAgent(agent.clone()));
    let issued = issue_agent_token(store, changes, agent.id)?;
    Ok((agent, issued.token))
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
