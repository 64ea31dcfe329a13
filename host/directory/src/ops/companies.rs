//! Companies: created by the operator (standalone or under an account) or by a manager under
//! its own account; read by anyone working there; settings changed by its admins.

use crate::access::{Need, not_activated};
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::{CompanyPatch, NewCompany};
use crate::model::Company;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::store::{Change, Store};
use crate::validate;

impl Directory {
    /// Creates a company: the operator anywhere (or standalone), a manager under its account.
    pub fn create_company(&self, principal: &Principal, input: NewCompany) -> Result<Company> {
        let account_id = match (principal, input.account_id) {
            (Principal::Operator, requested) => requested,
            (Principal::Manager { account }, None) => Some(*account),
            (Principal::Manager { account }, Some(requested)) if requested == *account => {
                Some(requested)
            }
            (Principal::Manager { .. }, Some(requested)) => {
                return Err(DirectoryError::not_found("account", requested));
            }
            (Principal::InvitedAgent { .. }, _) => return Err(not_activated()),
            _ => {
                return Err(DirectoryError::forbidden(
                    "creating companies needs the operator token or a manager token",
                    "ask the platform operator or your main account's manager",
                ));
            }
        };
        let name = validate::name("name", &input.name)?;
        validate::time_zone(&input.time_zone)?;
        let wrap_up_secs = validate::wrap_up(input.wrap_up_secs.unwrap_or(0))?;
        let sip_domain = input
            .sip_domain
            .as_deref()
            .map(validate::sip_domain)
            .transpose()?;
        self.write(|store, changes| {
            if let Some(account) = account_id
                && store.account(account)?.is_none()
            {
                return Err(DirectoryError::not_found("account", account));
            }
            if let Some(domain) = &sip_domain {
                sip_domain_free(store, domain, None)?;
            }
            let company = Company {
                id: store.next_id()?,
                account_id,
                name,
                time_zone: input.time_zone,
                wrap_up_secs,
                identity_policy: input.identity_policy.unwrap_or_default(),
                sip_domain,
            };
            changes.push(Change::PutCompany(company.clone()));
            Ok(company)
        })
    }

    /// The companies the caller may see: all (operator), its account's (manager), its own
    /// (company admin), those it is an active member of (agent).
    pub fn list_companies(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> Result<Page<Company>> {
        let limit = page.limit()?;
        let after = page.after_id()?;
        let items = match principal {
            Principal::Operator => self.store.companies(after, limit + 1)?,
            Principal::Manager { account } => {
                self.store.account_companies(*account, after, limit + 1)?
            }
            Principal::CompanyAdmin { company } => self
                .store
                .company(*company)?
                .into_iter()
                .filter(|c| c.id > after)
                .collect(),
            Principal::Agent { agent } => {
                let mut out = Vec::new();
                for m in self.store.agent_memberships(*agent)? {
                    if m.is_active() && m.company_id > after && out.len() <= limit {
                        out.extend(self.store.company(m.company_id)?);
                    }
                }
                out
            }
            Principal::InvitedAgent { .. } => return Err(not_activated()),
            Principal::Telephony { .. } => {
                return Err(DirectoryError::forbidden(
                    "telephony tokens cannot list companies",
                    "use GET /v1/numbers/{number} to resolve a number you are bound to",
                ));
            }
        };
        Ok(Page::from_fetched(items, limit, |c| c.id.to_string()))
    }

    /// A company (anyone with access to it).
    pub fn get_company(&self, principal: &Principal, company_id: u64) -> Result<Company> {
        Ok(self.company_for(principal, company_id, Need::Member)?.0)
    }

    /// Changes a company's settings (its admins).
    pub fn update_company(
        &self,
        principal: &Principal,
        company_id: u64,
        patch: CompanyPatch,
    ) -> Result<Company> {
        self.company_for(principal, company_id, Need::Admin)?;
        let name = patch.name.map(|n| validate::name("name", &n)).transpose()?;
        if let Some(tz) = &patch.time_zone {
            validate::time_zone(tz)?;
        }
        let wrap_up = patch.wrap_up_secs.map(validate::wrap_up).transpose()?;
        let sip_domain = match patch.sip_domain {
            Some(Some(domain)) => Some(Some(validate::sip_domain(&domain)?)),
            Some(None) => Some(None),
            None => None,
        };
        self.write(|store, changes| {
            let mut company = store
                .company(company_id)?
                .ok_or_else(|| DirectoryError::not_found("company", company_id))?;
            if let Some(name) = name {
                company.name = name;
            }
            if let Some(tz) = patch.time_zone {
                company.time_zone = tz;
            }
            if let Some(secs) = wrap_up {
                company.wrap_up_secs = secs;
            }
            if let Some(policy) = patch.identity_policy {
                company.identity_policy = policy;
            }
            if let Some(domain) = sip_domain {
                if let Some(domain) = &domain {
                    sip_domain_free(store, domain, Some(company_id))?;
                }
                company.sip_domain = domain;
            }
            changes.push(Change::PutCompany(company.clone()));
            Ok(company)
        })
    }
}

/// Refuses `domain` when a company other than `except` has it: two companies in one SIP
/// domain would share one namespace of extensions at the SIP server.
fn sip_domain_free(store: &dyn Store, domain: &str, except: Option<u64>) -> Result<()> {
    let holder = store
        .companies(0, usize::MAX)?
        .into_iter()
        .find(|c| c.sip_domain.as_deref() == Some(domain) && Some(c.id) != except);
    match holder {
        Some(c) => Err(DirectoryError::conflict(
            "sip_domain_taken",
            format!(
                "sip_domain \"{domain}\" belongs to company {} ({})",
                c.id, c.name
            ),
            "give each company its own SIP domain, e.g. <company>.sip.example",
        )),
        None => Ok(()),
    }
}
