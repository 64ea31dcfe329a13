//! Number mapping: an E.164 number belongs to exactly one company and points at one of its
//! departments. Mapping a number another company holds is refused with a 409 naming it.

use crate::access::Need;
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::NumberTarget;
use crate::model::NumberMapping;
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::store::Change;
use crate::validate;

use super::members::unknown_department;

impl Directory {
    /// The numbers of a company (supervisors and admins).
    pub fn list_numbers(
        &self,
        principal: &Principal,
        company_id: u64,
        page: &PageRequest,
    ) -> Result<Page<NumberMapping>> {
        self.company_for(principal, company_id, Need::Supervise)?;
        let limit = page.limit()?;
        let items = self
            .store
            .company_numbers(company_id, page.after_text(), limit + 1)?;
        Ok(Page::from_fetched(items, limit, |n| n.number.clone()))
    }

    /// Maps a number to a department of the company, or moves it to another department
    /// (admins). Returns the mapping and whether it is new. A number held by another company
    /// is refused (`number_taken`) naming the holder's id (and its name when the caller may see
    /// that company).
    pub fn map_number(
        &self,
        principal: &Principal,
        company_id: u64,
        number: &str,
        target: NumberTarget,
    ) -> Result<(NumberMapping, bool)> {
        self.company_for(principal, company_id, Need::Admin)?;
        let number = validate::e164(number)?;
        self.write(|store, changes| {
            if store.department(target.department_id)?.is_none_or(|d| d.company_id != company_id) {
                return Err(unknown_department(company_id, target.department_id));
            }
            let existing = store.number(&number)?;
            if let Some(held) = existing.as_ref().filter(|n| n.company_id != company_id) {
                let named = match store.company(held.company_id)? {
                    Some(c) if self.company_access(principal, &c)?.is_some() => format!("company {} (\"{}\")", c.id, c.name),
                    _ => format!("company {}", held.company_id),
                };
                return Err(DirectoryError::conflict(
                    "number_taken",
                    format!("number {number} is already mapped to {named}"),
                    format!(
                        "a number belongs to one company: unmap it there first (DELETE /v1/companies/{}/numbers/{number}), then map it here",
                        held.company_id
                    ),
                ));
            }
            let mapping = NumberMapping { number: number.clone(), company_id, department_id: target.department_id };
            changes.push(Change::PutNumber(mapping.clone()));
            Ok((mapping, existing.is_none()))
        })
    }

    /// Unmaps a number of the company (admins).
    pub fn unmap_number(&self, principal: &Principal, company_id: u64, number: &str) -> Result<()> {
        self.company_for(principal, company_id, Need::Admin)?;
        self.write(|store, changes| {
            match store.number(number)? {
                Some(n) if n.company_id == company_id => {}
                _ => return Err(DirectoryError::not_found("number", number)),
            }
            changes.push(Change::DeleteNumber(number.to_owned()));
            Ok(())
        })
    }

    /// Where a number goes (the operator, or a telephony token bound to the number).
    pub fn resolve_number(&self, principal: &Principal, number: &str) -> Result<NumberMapping> {
        if !principal.can_post_for(number) {
            return Err(DirectoryError::forbidden(
                format!("this token may not resolve {number}"),
                "resolving numbers needs the operator token or a telephony token bound to the number",
            ));
        }
        self.store
            .number(number)?
            .ok_or_else(|| DirectoryError::not_found("number", number))
    }
}
