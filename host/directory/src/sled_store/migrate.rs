//! Opening a database written before an index existed: the SIP-domain index
//! (`idx_sip_domain`) is built once from the companies.

use sled::Batch;

use super::{COMPANIES, IDX_SIP_DOMAIN, SledStore, be};
use crate::model::Company;
use crate::store::StoreError;

impl SledStore {
    /// Builds the SIP-domain index from the companies when it is empty and some company has a
    /// SIP domain (a database written before the index existed); otherwise does nothing, so
    /// every open may run it. One atomic batch, flushed: a crash before the flush leaves the
    /// index empty, to be built at the next open. Where two companies hold one domain (nothing
    /// refused it then), the lower id keeps the entry and `check_consistency` reports the
    /// other.
    pub(super) fn build_sip_domain_index(&self) -> Result<(), StoreError> {
        let index = &self.trees[IDX_SIP_DOMAIN];
        if !index.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::default();
        let mut claimed = std::collections::BTreeSet::new();
        for (_, company) in self.all::<Company>(COMPANIES)? {
            if let Some(domain) = company.sip_domain
                && claimed.insert(domain.clone())
            {
                batch.insert(domain.as_bytes(), be(company.id).to_vec());
            }
        }
        if claimed.is_empty() {
            return Ok(());
        }
        index.apply_batch(batch).map_err(StoreError::Backend)?;
        self.db.flush().map_err(StoreError::Backend)?;
        Ok(())
    }
}
