//! The caller's own view: who am I, an agent's profile, activation, its token, its companies
//! (the organisation switcher), its status per company, and accepting or declining
//! invitations from other main accounts.

use super::accounts::missing;
use super::agents::issue_agent_token;
use crate::access::not_activated;
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::{ProfilePatch, SelfPatch};
use crate::model::{Agent, AgentState, Identity, MemberState, Membership};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::store::{Change, Store};
use crate::validate;
use crate::view::{IssuedToken, MyCompany, Whoami};

impl Directory {
    /// Who the caller is (every token).
    pub fn whoami(&self, principal: &Principal) -> Result<Whoami> {
        let mut me = Whoami {
            kind: principal.kind().to_owned(),
            account_id: None,
            company_id: None,
            agent: None,
            numbers: None,
        };
        match principal {
            Principal::Operator => {}
            Principal::Manager { account } => me.account_id = Some(*account),
            Principal::CompanyAdmin { company } => me.company_id = Some(*company),
            Principal::Agent { agent } | Principal::InvitedAgent { agent } => {
                me.agent = Some(
                    self.store
                        .agent(*agent)?
                        .ok_or_else(|| missing("agent", *agent))?,
                );
            }
            Principal::Telephony { numbers, .. } => {
                me.numbers = Some(numbers.iter().cloned().collect())
            }
        }
        Ok(me)
    }

    /// Activates the agent's login (idempotent). Until then its token only reads `GET /v1/me`.
    pub fn activate(&self, principal: &Principal) -> Result<Agent> {
        let agent_id = principal.agent_id().ok_or_else(not_an_agent)?;
        self.write(|store, changes| {
            let mut agent = store
                .agent(agent_id)?
                .ok_or_else(|| missing("agent", agent_id))?;
            if agent.state != AgentState::Activated {
                agent.state = AgentState::Activated;
                changes.push(Change::PutAgent(agent.clone()));
            }
            Ok(agent)
        })
    }

    /// Changes the agent's own name, e-mail or phone (each identity stays unique).
    pub fn update_profile(&self, principal: &Principal, patch: ProfilePatch) -> Result<Agent> {
        let agent_id = activated_agent(principal)?;
        let name = patch
            .name
            .as_deref()
            .map(|n| validate::name("name", n))
            .transpose()?;
        let email = patch
            .email
            .map(|e| e.as_deref().map(validate::email).transpose())
            .transpose()?;
        let phone = patch
            .phone
            .map(|p| p.as_deref().map(validate::e164).transpose())
            .transpose()?;
        self.write(|store, changes| {
            let mut agent = store
                .agent(agent_id)?
                .ok_or_else(|| missing("agent", agent_id))?;
            if let Some(name) = name {
                agent.name = name;
            }
            if let Some(email) = email {
                agent.email = email;
            }
            if let Some(phone) = phone {
                agent.phone = phone;
            }
            if agent.email.is_none() && agent.phone.is_none() {
                return Err(DirectoryError::invalid(
                    "missing_identity",
                    "an agent keeps at least an e-mail or a phone",
                    "set the other identity in the same request before dropping this one",
                ));
            }
            for identity in agent.identities() {
                ensure_identity_free(store, &identity, agent_id)?;
            }
            changes.push(Change::PutAgent(agent.clone()));
            Ok(agent)
        })
    }

    /// Replaces the agent's own token; the old one stops working. The secret is returned once.
    pub fn rotate_own_token(&self, principal: &Principal) -> Result<IssuedToken> {
        let agent_id = activated_agent(principal)?;
        self.write(|store, changes| issue_agent_token(store, changes, agent_id))
    }

    /// Every company the agent belongs to, with its membership there, pending invitations
    /// included: the organisation switcher.
    pub fn my_companies(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> Result<Page<MyCompany>> {
        let agent_id = activated_agent(principal)?;
        let limit = page.limit()?;
        let after = page.after_id()?;
        let mut items = Vec::new();
        for membership in self.store.agent_memberships(agent_id)? {
            if membership.company_id <= after || items.len() > limit {
                continue;
            }
            let company = self
                .store
                .company(membership.company_id)?
                .ok_or_else(|| missing("company", membership.company_id))?;
            items.push(MyCompany {
                company,
                membership,
            });
        }
        Ok(Page::from_fetched(items, limit, |c| {
            c.company.id.to_string()
        }))
    }

    /// The agent's membership in one company.
    pub fn my_company(&self, principal: &Principal, company_id: u64) -> Result<MyCompany> {
        let agent_id = activated_agent(principal)?;
        let membership = own_membership(&*self.store, company_id, agent_id)?;
        let company = self
            .store
            .company(company_id)?
            .ok_or_else(|| missing("company", company_id))?;
        Ok(MyCompany {
            company,
            membership,
        })
    }

    /// Sets the agent's own status, Take Calls or notifications in one company.
    pub fn update_my_company(
        &self,
        principal: &Principal,
        company_id: u64,
        patch: SelfPatch,
    ) -> Result<Membership> {
        let agent_id = activated_agent(principal)?;
        self.write(|store, changes| {
            let mut m = own_membership(store, company_id, agent_id)?;
            if m.state == MemberState::Pending {
                return Err(DirectoryError::conflict(
                    "invitation_pending",
                    format!("the invitation of company {company_id} is not accepted yet"),
                    format!("accept it first: POST /v1/me/companies/{company_id}/accept"),
                ));
            }
            m.status = patch.status.unwrap_or(m.status);
            m.take_calls = patch.take_calls.unwrap_or(m.take_calls);
            m.notifications = patch.notifications.unwrap_or(m.notifications);
            changes.push(Change::PutMembership(m.clone()));
            Ok(m)
        })
    }

    /// Accepts an invitation from another main account (data-sharing consent); idempotent.
    pub fn accept_invitation(&self, principal: &Principal, company_id: u64) -> Result<Membership> {
        let agent_id = activated_agent(principal)?;
        self.write(|store, changes| {
            let mut m = own_membership(store, company_id, agent_id)?;
            if m.state == MemberState::Pending {
                m.state = MemberState::Active;
                changes.push(Change::PutMembership(m.clone()));
            }
            Ok(m)
        })
    }

    /// Declines an invitation: the pending membership is removed.
    pub fn decline_invitation(&self, principal: &Principal, company_id: u64) -> Result<()> {
        let agent_id = activated_agent(principal)?;
        self.write(|store, changes| {
            let m = own_membership(store, company_id, agent_id)?;
            if m.state != MemberState::Pending {
                return Err(DirectoryError::conflict(
                    "not_pending",
                    format!("the membership in company {company_id} is already active"),
                    "to leave the company, ask one of its admins to remove you",
                ));
            }
            changes.push(Change::DeleteMembership {
                company: company_id,
                agent: agent_id,
            });
            Ok(())
        })
    }
}

fn activated_agent(principal: &Principal) -> Result<u64> {
    match principal {
        Principal::Agent { agent } => Ok(*agent),
        Principal::InvitedAgent { .. } => Err(not_activated()),
        _ => Err(not_an_agent()),
    }
}

fn not_an_agent() -> DirectoryError {
    DirectoryError::forbidden(
        "this needs an agent's token",
        "use the token the agent got when it was added",
    )
}

fn own_membership(store: &dyn Store, company_id: u64, agent_id: u64) -> Result<Membership> {
    store
        .membership(company_id, agent_id)?
        .ok_or_else(|| DirectoryError::not_found("company", company_id))
}

/// Refuses an identity that maps to another agent.
fn ensure_identity_free(store: &dyn Store, identity: &Identity, agent_id: u64) -> Result<()> {
    match store.agent_by_identity(identity)? {
        Some(other) if other != agent_id => Err(DirectoryError::conflict(
            "already_in_use",
            format!("{identity} is already in use by another agent"),
            "use another e-mail or phone",
        )),
        _ => Ok(()),
    }
}
