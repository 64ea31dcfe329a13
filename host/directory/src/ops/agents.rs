//! Agents as people: reading a profile, rotating an agent's token, and a manager sharing an
//! activated agent with several companies of its account in one request.

use std::collections::BTreeSet;

use super::accounts::missing;
use super::members::next_free_extension;
use crate::access::not_activated;
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::ShareRequest;
use crate::model::{Agent, AgentState, IdentityPolicy, MemberState, MemberStatus, Membership};
use crate::principal::{Principal, Scope};
use crate::store::{Change, Store};
use crate::token::{TokenHash, TokenRecord, generate_secret, now_ms};
use crate::view::IssuedToken;

/// Most companies one share request may name.
const MAX_SHARE: usize = 100;

impl Directory {
    /// An agent's profile: the agent itself, the operator, and supervisors or admins of a
    /// company it belongs to (including a pending invitation there).
    pub fn get_agent(&self, principal: &Principal, agent_id: u64) -> Result<Agent> {
        if principal.agent_id() == Some(agent_id) || self.oversees(principal, agent_id, false)? {
            return self
                .store
                .agent(agent_id)?
                .ok_or_else(|| DirectoryError::not_found("agent", agent_id));
        }
        if let Principal::InvitedAgent { .. } = principal {
            return Err(not_activated());
        }
        Err(DirectoryError::not_found("agent", agent_id))
    }

    /// Issues a new token for an agent and revokes the old one (the operator, a manager or
    /// admin of a company the agent actively belongs to). The secret is returned once.
    pub fn rotate_agent_token(&self, principal: &Principal, agent_id: u64) -> Result<IssuedToken> {
        if !self.oversees(principal, agent_id, true)? {
            if let Principal::InvitedAgent { .. } = principal {
                return Err(not_activated());
            }
            return Err(DirectoryError::not_found("agent", agent_id));
        }
        self.write(|store, changes| issue_agent_token(store, changes, agent_id))
    }

    /// Shares an activated agent with companies of a main account (the operator or a manager
    /// of that account): the agent becomes an active member of each at once (same owner, no
    /// consent step), all or none. The agent must already work for a company of the account.
    pub fn share_agent(
        &self,
        principal: &Principal,
        account_id: u64,
        agent_id: u64,
        request: ShareRequest,
    ) -> Result<Vec<Membership>> {
        self.account_for(principal, account_id)?;
        let unique: BTreeSet<u64> = request.companies.iter().copied().collect();
        if unique.is_empty() || unique.len() > MAX_SHARE || unique.len() != request.companies.len()
        {
            return Err(DirectoryError::invalid(
                "invalid_share",
                format!("companies must list 1 to {MAX_SHARE} distinct company ids"),
                "e.g. {\"companies\": [12, 13]}",
            ));
        }
        self.write(|store, changes| {
            let mut works_here = false;
            for m in store.agent_memberships(agent_id)? {
                let company = store.company(m.company_id)?.ok_or_else(|| missing("company", m.company_id))?;
                works_here |= m.is_active() && company.account_id == Some(account_id);
            }
            let agent = store.agent(agent_id)?.filter(|_| works_here).ok_or_else(|| {
                DirectoryError::not_found("agent", format!("{agent_id} in account {account_id}"))
            })?;
            if agent.state != AgentState::Activated {
                return Err(DirectoryError::conflict(
                    "agent_not_activated",
                    format!("agent {agent_id} has not activated its login; only activated agents can be shared"),
                    "the agent activates with POST /v1/me/activate using the token it got when it was added",
                ));
            }
            let mut created = Vec::new();
            for company_id in &request.companies {
                let company = store.company(*company_id)?.filter(|c| c.account_id == Some(account_id)).ok_or_else(|| {
                    DirectoryError::invalid(
                        "company_outside_account",
                        format!("company {company_id} is not a sub-account of account {account_id}"),
                        format!("share only with companies listed by GET /v1/accounts/{account_id}/companies"),
                    )
                })?;
                if store.membership(company.id, agent_id)?.is_some() {
                    return Err(DirectoryError::conflict(
                        "already_member",
                        format!("agent {agent_id} is already a member of company {company_id}"),
                        "leave that company out of the request",
                    ));
                }
                if company.identity_policy == IdentityPolicy::Exclusive {
                    return Err(DirectoryError::conflict(
                        "already_in_use",
                        format!("company {company_id} only accepts people who work for no other company"),
                        format!("relax the policy: PATCH /v1/companies/{company_id} {{\"identity_policy\": \"shared\"}}"),
                    ));
                }
                let membership = Membership {
                    company_id: company.id,
                    agent_id,
                    role: request.role.unwrap_or_default(),
                    extension: next_free_extension(store, company.id)?,
                    departments: Default::default(),
                    schedule: None,
                    take_calls: true,
                    panel_access: true,
                    notifications: true,
                    status: MemberStatus::default(),
                    state: MemberState::Active,
                };
                changes.push(Change::PutMembership(membership.clone()));
                created.push(membership);
            }
            Ok(created)
        })
    }

    /// Whether `principal` oversees the agent: the operator; a manager, company admin or
    /// admin-role member of a company the agent belongs to; with `!admin_only`, also a
    /// supervisor there. Pending invitations count for reading only.
    fn oversees(&self, principal: &Principal, agent_id: u64, admin_only: bool) -> Result<bool> {
        match principal {
            Principal::Operator => return Ok(self.store.agent(agent_id)?.is_some()),
            Principal::InvitedAgent { .. } | Principal::Telephony { .. } => return Ok(false),
            _ => {}
        }
        for m in self.store.agent_memberships(agent_id)? {
            if admin_only && !m.is_active() {
                continue;
            }
            let Some(company) = self.store.company(m.company_id)? else {
                continue;
            };
            let Some(access) = self.company_access(principal, &company)? else {
                continue;
            };
            if access.is_admin() || (!admin_only && access.can_supervise()) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Replaces the agent's token with a fresh one.
pub(crate) fn issue_agent_token(
    store: &dyn Store,
    changes: &mut Vec<Change>,
    agent_id: u64,
) -> Result<IssuedToken> {
    if let Some(old) = store.agent_token(agent_id)? {
        changes.push(Change::DeleteToken(old));
    }
    let secret = generate_secret()?;
    let record = TokenRecord {
        id: store.next_id()?,
        scope: Scope::Agent { agent_id },
        label: Some(format!("agent {agent_id}")),
        created_ms: now_ms(),
    };
    changes.push(Change::PutToken(TokenHash::of(&secret), record.clone()));
    Ok(IssuedToken {
        token: secret,
        record,
    })
}
