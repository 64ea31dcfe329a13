//! [`PolicyAdmin`]: a company's policy changes as the API makes them. Each is stored and
//! takes effect for the call flow together, under the company's lock, so the version that
//! decides new calls is always the stored active one (calls in progress keep theirs).

use crate::calls::Policies;
use crate::policy::{Activation, PolicyError, PolicyStore};
use switchyard_directory::CompanyId;

/// The stored policies and the call flow's live copy of the active ones, changed together.
pub struct PolicyAdmin<'a> {
    store: &'a PolicyStore,
    live: &'a Policies,
}

impl<'a> PolicyAdmin<'a> {
    /// Changes made through `store` take effect in `live`.
    pub fn new(store: &'a PolicyStore, live: &'a Policies) -> Self {
        Self { store, live }
    }

    /// Activate `version` with `config` (checked by the policy itself): calls arriving from
    /// now on use it.
    pub fn activate(
        &self,
        company: u64,
        version: u32,
        config: String,
        by: &str,
        now_ms: u64,
    ) -> Result<Activation, PolicyError> {
        self.store
            .activate(company, version, config, by, now_ms, |active| {
                self.live.activate(CompanyId(company), active);
            })
    }

    /// Return to the previous activation (its version and configuration).
    pub fn rollback(&self, company: u64, by: &str, now_ms: u64) -> Result<Activation, PolicyError> {
        self.store.rollback(company, by, now_ms, |active| {
            self.live.activate(CompanyId(company), active);
        })
    }

    /// Return the company to the built-in default.
    pub fn deactivate(&self, company: u64, by: &str, now_ms: u64) -> Result<(), PolicyError> {
        self.store.deactivate(company, by, now_ms, |active| {
            self.live.activate(CompanyId(company), active);
        })
    }
}
