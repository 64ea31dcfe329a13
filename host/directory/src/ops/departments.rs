//! Departments of a company and their members (tier and skills per department). A seat is
//! part of the membership, so a department of company A says nothing about company B.

use super::members::{all_members, member_not_found, with_agents};
use crate::access::Need;
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::input::{DepartmentPatch, NewDepartment};
use crate::model::{Department, Membership, Seat};
use crate::page::{Page, PageRequest};
use crate::principal::Principal;
use crate::store::{Change, Store};
use crate::validate;
use crate::view::Member;

impl Directory {
    /// Creates a department (admins).
    pub fn create_department(
        &self,
        principal: &Principal,
        company_id: u64,
        input: NewDepartment,
    ) -> Result<Department> {
        self.company_for(principal, company_id, Need::Admin)?;
        let name = validate::name("name", &input.name)?;
        self.write(|store, changes| {
            let department = Department {
                id: store.next_id()?,
                company_id,
                name,
            };
            changes.push(Change::PutDepartment(department.clone()));
            Ok(department)
        })
    }

    /// Departments of a company (supervisors and admins).
    pub fn list_departments(
        &self,
        principal: &Principal,
        company_id: u64,
        page: &PageRequest,
    ) -> Result<Page<Department>> {
        self.company_for(principal, company_id, Need::Supervise)?;
        let limit = page.limit()?;
        let items = self
            .store
            .company_departments(company_id, page.after_id()?, limit + 1)?;
        Ok(Page::from_fetched(items, limit, |d| d.id.to_string()))
    }

    /// One department (supervisors and admins).
    pub fn get_department(
        &self,
        principal: &Principal,
        company_id: u64,
        department_id: u64,
    ) -> Result<Department> {
        self.company_for(principal, company_id, Need::Supervise)?;
        department_of(&*self.store, company_id, department_id)
    }

    /// Renames a department (admins).
    pub fn update_department(
        &self,
        principal: &Principal,
        company_id: u64,
        department_id: u64,
        patch: DepartmentPatch,
    ) -> Result<Department> {
        self.company_for(principal, company_id, Need::Admin)?;
        let name = patch.name.map(|n| validate::name("name", &n)).transpose()?;
        self.write(|store, changes| {
            let mut department = department_of(store, company_id, department_id)?;
            if let Some(name) = name {
                department.name = name;
                changes.push(Change::PutDepartment(department.clone()));
            }
            Ok(department)
        })
    }

    /// Deletes a department and every seat in it (admins); refused while a number points at it.
    pub fn delete_department(
        &self,
        principal: &Principal,
        company_id: u64,
        department_id: u64,
    ) -> Result<()> {
        self.company_for(principal, company_id, Need::Admin)?;
        self.write(|store, changes| {
            department_of(store, company_id, department_id)?;
            let mut numbers = Vec::new();
            let mut after = String::new();
            loop {
                let batch = store.company_numbers(company_id, &after, 200)?;
                let Some(last) = batch.last() else { break };
                after = last.number.clone();
                numbers.extend(batch.into_iter().filter(|n| n.department_id == department_id).map(|n| n.number));
            }
            if !numbers.is_empty() {
                return Err(DirectoryError::conflict(
                    "department_in_use",
                    format!("numbers {} point at department {department_id}", numbers.join(", ")),
                    format!("map those numbers to another department first (PUT /v1/companies/{company_id}/numbers/{{number}})"),
                ));
            }
            for mut m in all_members(store, company_id)? {
                if m.departments.remove(&department_id).is_some() {
                    changes.push(Change::PutMembership(m));
                }
            }
            changes.push(Change::DeleteDepartment(department_id));
            Ok(())
        })
    }

    /// Members of a department with their memberships (supervisors and admins).
    pub fn department_members(
        &self,
        principal: &Principal,
        company_id: u64,
        department_id: u64,
        page: &PageRequest,
    ) -> Result<Page<Member>> {
        self.company_for(principal, company_id, Need::Supervise)?;
        department_of(&*self.store, company_id, department_id)?;
        let limit = page.limit()?;
        let after = page.after_id()?;
        let seated: Vec<Membership> = all_members(&*self.store, company_id)?
            .into_iter()
            .filter(|m| m.agent_id > after && m.departments.contains_key(&department_id))
            .take(limit + 1)
            .collect();
        let members = with_agents(&*self.store, seated)?;
        Ok(Page::from_fetched(members, limit, |m| {
            m.agent.id.to_string()
        }))
    }

    /// Puts a member in a department, or changes its tier and skills there (admins).
    pub fn set_department_seat(
        &self,
        principal: &Principal,
        company_id: u64,
        department_id: u64,
        agent_id: u64,
        seat: Seat,
    ) -> Result<Membership> {
        self.company_for(principal, company_id, Need::Admin)?;
        validate::seat(seat.tier, &seat.skills)?;
        self.write(|store, changes| {
            department_of(store, company_id, department_id)?;
            let mut m = store
                .membership(company_id, agent_id)?
                .ok_or_else(|| member_not_found(company_id, agent_id))?;
            m.departments.insert(department_id, seat);
            changes.push(Change::PutMembership(m.clone()));
            Ok(m)
        })
    }

    /// Takes a member out of a department (admins).
    pub fn remove_department_seat(
        &self,
        principal: &Principal,
        company_id: u64,
        department_id: u64,
        agent_id: u64,
    ) -> Result<Membership> {
        self.company_for(principal, company_id, Need::Admin)?;
        self.write(|store, changes| {
            department_of(store, company_id, department_id)?;
            let mut m = store
                .membership(company_id, agent_id)?
                .ok_or_else(|| member_not_found(company_id, agent_id))?;
            if m.departments.remove(&department_id).is_none() {
                return Err(DirectoryError::not_found(
                    "department member",
                    format!("{agent_id} of department {department_id}"),
                ));
            }
            changes.push(Change::PutMembership(m.clone()));
            Ok(m)
        })
    }
}

/// The department, if it belongs to the company.
fn department_of(store: &dyn Store, company_id: u64, department_id: u64) -> Result<Department> {
    store
        .department(department_id)?
        .filter(|d| d.company_id == company_id)
        .ok_or_else(|| DirectoryError::not_found("department", department_id))
}
