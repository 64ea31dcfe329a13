//! Main accounts: created by the operator, read and renamed by their managers; the companies
//! and agents of an account.

use std::collections::BTreeSet;

use super::members::all_members;
use crate::access::{not_activated, require_operator};
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::{AccountPatch, NewAccount};
use crate::model::{Account, Agent, Company};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::store::{Change, StoreError};
use crate::validate;

impl Directory {
    /// Creates a main account (operator).
    pub fn create_account(&self, principal: &Principal, input: NewAccount) -> Result<Account> {
        require_operator(principal)?;
        let name = validate::name("name", &input.name)?;
        self.write(|store, changes| {
            let account = Account {
                id: store.next_id()?,
                name,
            };
            changes.push(Change::PutAccount(account.clone()));
            Ok(account)
        })
    }

    /// Lists main accounts (operator).
    pub fn list_accounts(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> Result<Page<Account>> {
        require_operator(principal)?;
        let limit = page.limit()?;
        let items = self.store.accounts(page.after_id()?, limit + 1)?;
        Ok(Page::from_fetched(items, limit, |a| a.id.to_string()))
    }

    /// A main account (operator, its managers).
    pub fn get_account(&self, principal: &Principal, account_id: u64) -> Result<Account> {
        self.account_for(principal, account_id)
    }

    /// Renames a main account (operator, its managers).
    pub fn update_account(
        &self,
        principal: &Principal,
        account_id: u64,
        patch: AccountPatch,
    ) -> Result<Account> {
        self.account_for(principal, account_id)?;
        let name = patch.name.map(|n| validate::name("name", &n)).transpose()?;
        self.write(|store, changes| {
            let mut account = store
                .account(account_id)?
                .ok_or_else(|| DirectoryError::not_found("account", account_id))?;
            if let Some(name) = name {
                account.name = name;
                changes.push(Change::PutAccount(account.clone()));
            }
            Ok(account)
        })
    }

    /// The companies of a main account (operator, its managers).
    pub fn account_companies(
        &self,
        principal: &Principal,
        account_id: u64,
        page: &PageRequest,
    ) -> Result<Page<Company>> {
        self.account_for(principal, account_id)?;
        let limit = page.limit()?;
        let items = self
            .store
            .account_companies(account_id, page.after_id()?, limit + 1)?;
        Ok(Page::from_fetched(items, limit, |c| c.id.to_string()))
    }

    /// The agents with an active membership in a company of the account, by id (operator, its
    /// managers): the pool a manager shares from.
    pub fn account_agents(
        &self,
        principal: &Principal,
        account_id: u64,
        page: &PageRequest,
    ) -> Result<Page<Agent>> {
        self.account_for(principal, account_id)?;
        let limit = page.limit()?;
        let after = page.after_id()?;
        let mut ids = BTreeSet::new();
        for company in self.all_account_companies(account_id)? {
            for m in all_members(&*self.store, company.id)? {
                if m.is_active() && m.agent_id > after {
                    ids.insert(m.agent_id);
                }
            }
        }
        let mut agents = Vec::new();
        for id in ids.into_iter().take(limit + 1) {
            agents.push(self.store.agent(id)?.ok_or_else(|| missing("agent", id))?);
        }
        Ok(Page::from_fetched(agents, limit, |a| a.id.to_string()))
    }

    /// The account, if `principal` is the operator or one of its managers.
    pub(crate) fn account_for(&self, principal: &Principal, account_id: u64) -> Result<Account> {
        let allowed = match principal {
            Principal::Operator => true,
            Principal::Manager { account } => *account == account_id,
            Principal::InvitedAgent { .. } => return Err(not_activated()),
            _ => false,
        };
        match self.store.account(account_id)? {
            Some(account) if allowed => Ok(account),
            _ => Err(DirectoryError::not_found("account", account_id)),
        }
    }

    /// Every company of an account.
    pub(crate) fn all_account_companies(&self, account_id: u64) -> Result<Vec<Company>> {
        let mut out: Vec<Company> = Vec::new();
        loop {
            let after = out.last().map_or(0, |c| c.id);
            let batch = self.store.account_companies(account_id, after, 200)?;
            if batch.is_empty() {
                return Ok(out);
            }
            out.extend(batch);
        }
    }
}

/// A record an index or another record points at is missing: the store is corrupt.
pub(crate) fn missing(what: &'static str, id: u64) -> DirectoryError {
    DirectoryError::Storage(StoreError::Corrupt {
        tree: what,
        detail: format!("{what} {id} is referenced but missing"),
    })
}
