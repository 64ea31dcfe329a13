//! Every directory record of a sled database as the changes that recreate it elsewhere
//! (`switchyard store copy`), and how many there are of each.

use super::SledStore;
use crate::model::{Account, Agent, Company, Department, Membership, NumberMapping};
use crate::store::{Change, StoreError};
use crate::token::{TokenHash, TokenRecord};

impl SledStore {
    /// Every record, as `Put` changes: accounts, companies, agents, memberships,
    /// departments, numbers and tokens (in that order, so a record follows what it names).
    pub fn export(&self) -> Result<Vec<Change>, StoreError> {
        let mut out = Vec::new();
        for (_, a) in self.records::<Account>("accounts")? {
            out.push(Change::PutAccount(a));
        }
        for (_, c) in self.records::<Company>("companies")? {
            out.push(Change::PutCompany(c));
        }
        for (_, a) in self.records::<Agent>("agents")? {
            out.push(Change::PutAgent(a));
        }
        for (_, m) in self.records::<Membership>("memberships")? {
            out.push(Change::PutMembership(m));
        }
        for (_, d) in self.records::<Department>("departments")? {
            out.push(Change::PutDepartment(d));
        }
        for (_, n) in self.records::<NumberMapping>("numbers")? {
            out.push(Change::PutNumber(n));
        }
        for (key, t) in self.records::<TokenRecord>("tokens")? {
            let hash = <[u8; 32]>::try_from(key.as_ref()).map_err(|_| StoreError::Corrupt {
                tree: "tokens",
                detail: format!("expected a 32-byte hash key, got {} bytes", key.len()),
            })?;
            out.push(Change::PutToken(TokenHash(hash), t));
        }
        Ok(out)
    }

    /// The highest id handed out so far (a fresh one, which is then never used).
    pub fn id_watermark(&self) -> Result<u64, StoreError> {
        self.db
            .generate_id()
            .map(|id| id + 1)
            .map_err(StoreError::Backend)
    }
}

/// How many records each kind of change in `changes` carries, by table name.
pub fn census(changes: &[Change]) -> Vec<(&'static str, u64)> {
    let mut counts: Vec<(&'static str, u64)> = [
        "accounts",
        "companies",
        "agents",
        "memberships",
        "departments",
        "numbers",
        "tokens",
    ]
    .iter()
    .map(|t| (*t, 0))
    .collect();
    for change in changes {
        let table = match change {
            Change::PutAccount(_) => 0,
            Change::PutCompany(_) => 1,
            Change::PutAgent(_) => 2,
            Change::PutMembership(_) => 3,
            Change::PutDepartment(_) => 4,
            Change::PutNumber(_) => 5,
            Change::PutToken(..) => 6,
            _ => continue,
        };
        counts[table].1 += 1;
    }
    counts
}
