//! Reads for the call flow, without a principal (the caller has already authorised the
//! request): where a number goes, a company's time zone and wrap-up, the members of a
//! department with their memberships, and whether a member is inside its schedule.

use super::members::{all_members, with_agents};
use crate::directory::Directory;
use crate::error::{DirectoryError, Result};
use crate::model::{Company, Department, Membership, NumberMapping};
use crate::schedule::{Day, local_day_minute};
use crate::view::Member;

impl Directory {
    /// The company and entry department of a number (E.164), if mapped.
    pub fn route_number(&self, number: &str) -> Result<Option<NumberMapping>> {
        Ok(self.store.number(number)?)
    }

    /// A company: its time zone (`time_zone`) and wrap-up (`wrap_up_secs`) among others.
    pub fn company(&self, company_id: u64) -> Result<Option<Company>> {
        Ok(self.store.company(company_id)?)
    }

    /// A department, if it exists.
    pub fn department(&self, department_id: u64) -> Result<Option<Department>> {
        Ok(self.store.department(department_id)?)
    }

    /// Every member (active and pending) of a company with its membership, by agent id.
    pub fn company_roster(&self, company_id: u64) -> Result<Vec<Member>> {
        with_agents(&*self.store, all_members(&*self.store, company_id)?)
    }

    /// Every member (active and pending) seated in a department, by agent id; the seat (tier
    /// and skills) is `membership.departments[department_id]`.
    pub fn department_roster(&self, company_id: u64, department_id: u64) -> Result<Vec<Member>> {
        let seated = all_members(&*self.store, company_id)?
            .into_iter()
            .filter(|m| m.departments.contains_key(&department_id))
            .collect();
        with_agents(&*self.store, seated)
    }

    /// Every membership of an agent, in all companies (active and pending).
    pub fn memberships_of(&self, agent_id: u64) -> Result<Vec<Membership>> {
        Ok(self.store.agent_memberships(agent_id)?)
    }

    /// Company-local weekday and minute of the day at `unix_ms`.
    pub fn company_local_time(&self, company_id: u64, unix_ms: u64) -> Result<(Day, u16)> {
        let company = self
            .store
            .company(company_id)?
            .ok_or_else(|| DirectoryError::not_found("company", company_id))?;
        local_day_minute(&company.time_zone, unix_ms)
    }
}
