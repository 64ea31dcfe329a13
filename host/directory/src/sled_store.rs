//! The sled backend of [`Store`]: one tree per entity plus one tree per index, records as JSON,
//! ids as big-endian `u64` keys. `commit` runs every change of one operation in one sled
//! transaction over all trees, so an index never disagrees with its record.

use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use sled::transaction::{
    ConflictableTransactionError, TransactionError, Transactional, TransactionalTree,
};
use sled::{IVec, Tree};

use crate::group_flush::GroupFlush;
use crate::model::{Account, Agent, Company, Department, Identity, Membership, NumberMapping};
use crate::principal::Scope;
use crate::store::{Change, Store, StoreError};
use crate::token::{TokenHash, TokenRecord};

const ACCOUNTS: usize = 0;
const COMPANIES: usize = 1;
const AGENTS: usize = 2;
const MEMBERSHIPS: usize = 3;
const DEPARTMENTS: usize = 4;
const NUMBERS: usize = 5;
const TOKENS: usize = 6;
const IDX_IDENTITY: usize = 7;
const IDX_EXTENSION: usize = 8;
const IDX_AGENT_COMPANIES: usize = 9;
const IDX_ACCOUNT_COMPANIES: usize = 10;
const IDX_COMPANY_DEPARTMENTS: usize = 11;
const IDX_COMPANY_NUMBERS: usize = 12;
const IDX_TOKEN_IDS: usize = 13;
const IDX_AGENT_TOKEN: usize = 14;
const IDX_SIP_DOMAIN: usize = 15;

/// Tree names, indexed by the constants above.
const TREE_NAMES: [&str; 16] = [
    "accounts",
    "companies",
    "agents",
    "memberships",
    "departments",
    "numbers",
    "tokens",
    "idx_identity",
    "idx_extension",
    "idx_agent_companies",
    "idx_account_companies",
    "idx_company_departments",
    "idx_company_numbers",
    "idx_token_ids",
    "idx_agent_token",
    "idx_sip_domain",
];

type TxResult<T> = Result<T, ConflictableTransactionError<StoreError>>;

/// The directory stored in one sled database.
pub struct SledStore {
    db: sled::Db,
    trees: Vec<Tree>,
    flusher: Arc<GroupFlush>,
}

impl SledStore {
    /// Opens (or creates) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = sled::Config::new()
            .path(path)
            .open()
            .map_err(StoreError::Backend)?;
        let trees = TREE_NAMES
            .iter()
            .map(|name| db.open_tree(name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::Backend)?;
        let flusher = Arc::new(GroupFlush::new(db.clone()));
        let store = Self { db, trees, flusher };
        store.build_sip_domain_index()?;
        Ok(store)
    }

    /// The database's group-commit flusher, shared with the other record trees in it.
    pub fn flusher(&self) -> Arc<GroupFlush> {
        Arc::clone(&self.flusher)
    }

    /// The sled database (other record trees, e.g. [`crate::SledRecords`], live in it too).
    pub fn db(&self) -> &sled::Db {
        &self.db
    }

    fn get<T: DeserializeOwned>(&self, tree: usize, key: &[u8]) -> Result<Option<T>, StoreError> {
        match self.trees[tree].get(key).map_err(StoreError::Backend)? {
            Some(bytes) => decode(tree, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Entries of `tree` whose key starts with `prefix` and sorts after `prefix ++ after`.
    fn scan(
        &self,
        tree: usize,
        prefix: &[u8],
        after: &[u8],
        limit: usize,
    ) -> Result<Vec<(IVec, IVec)>, StoreError> {
        let start = [prefix, after].concat();
        let mut out = Vec::new();
        for entry in
            self.trees[tree].range::<Vec<u8>, _>((Bound::Excluded(start), Bound::Unbounded))
        {
            let (key, value) = entry.map_err(StoreError::Backend)?;
            if !key.starts_with(prefix) || out.len() >= limit {
                break;
            }
            out.push((key, value));
        }
        Ok(out)
    }

    fn scan_records<T: DeserializeOwned>(
        &self,
        tree: usize,
        prefix: &[u8],
        after: &[u8],
        limit: usize,
    ) -> Result<Vec<T>, StoreError> {
        self.scan(tree, prefix, after, limit)?
            .iter()
            .map(|(_, v)| decode(tree, v))
            .collect()
    }

    /// Records of `tree` named by the keys of an index (the part after `prefix`).
    fn scan_indexed<T: DeserializeOwned>(
        &self,
        index: usize,
        prefix: &[u8],
        after: &[u8],
        limit: usize,
        tree: usize,
    ) -> Result<Vec<T>, StoreError> {
        let mut out = Vec::new();
        for (key, _) in self.scan(index, prefix, after, limit)? {
            let id = &key[prefix.len()..];
            match self.get(tree, id)? {
                Some(record) => out.push(record),
                None => {
                    return Err(StoreError::Corrupt {
                        tree: TREE_NAMES[index],
                        detail: format!("entry {} names a missing record", hex::encode(&key)),
                    });
                }
            }
        }
        Ok(out)
    }

    fn all<T: DeserializeOwned>(&self, tree: usize) -> Result<Vec<(IVec, T)>, StoreError> {
        self.trees[tree]
            .iter()
            .map(|entry| {
                let (k, v) = entry.map_err(StoreError::Backend)?;
                Ok((k, decode(tree, &v)?))
            })
            .collect()
    }

    fn keys(&self, tree: usize) -> Result<Vec<(IVec, IVec)>, StoreError> {
        self.trees[tree]
            .iter()
            .map(|e| e.map_err(StoreError::Backend))
            .collect()
    }
}

impl Store for SledStore {
    fn next_id(&self) -> Result<u64, StoreError> {
        loop {
            let id = self.db.generate_id().map_err(StoreError::Backend)?;
            if id != 0 {
                return Ok(id);
            }
        }
    }

    fn account(&self, id: u64) -> Result<Option<Account>, StoreError> {
        self.get(ACCOUNTS, &be(id))
    }

    fn accounts(&self, after: u64, limit: usize) -> Result<Vec<Account>, StoreError> {
        self.scan_records(ACCOUNTS, &[], &be(after), limit)
    }

    fn company(&self, id: u64) -> Result<Option<Company>, StoreError> {
        self.get(COMPANIES, &be(id))
    }

    fn companies(&self, after: u64, limit: usize) -> Result<Vec<Company>, StoreError> {
        self.scan_records(COMPANIES, &[], &be(after), limit)
    }

    fn account_companies(
        &self,
        account: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Company>, StoreError> {
        self.scan_indexed(
            IDX_ACCOUNT_COMPANIES,
            &be(account),
            &be(after),
            limit,
            COMPANIES,
        )
    }

    fn agent(&self, id: u64) -> Result<Option<Agent>, StoreError> {
        self.get(AGENTS, &be(id))
    }

    fn agent_by_identity(&self, identity: &Identity) -> Result<Option<u64>, StoreError> {
        match self.trees[IDX_IDENTITY]
            .get(identity.key())
            .map_err(StoreError::Backend)?
        {
            Some(v) => read_id(IDX_IDENTITY, &v).map(Some),
            None => Ok(None),
        }
    }

    fn membership(&self, company: u64, agent: u64) -> Result<Option<Membership>, StoreError> {
        self.get(MEMBERSHIPS, &pair(company, agent))
    }

    fn company_members(
        &self,
        company: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Membership>, StoreError> {
        self.scan_records(MEMBERSHIPS, &be(company), &be(after), limit)
    }

    fn agent_memberships(&self, agent: u64) -> Result<Vec<Membership>, StoreError> {
        let mut out = Vec::new();
        for (key, _) in self.scan(IDX_AGENT_COMPANIES, &be(agent), &[], usize::MAX)? {
            let company = read_id(IDX_AGENT_COMPANIES, &key[8..])?;
            match self.membership(company, agent)? {
                Some(m) => out.push(m),
                None => {
                    return Err(StoreError::Corrupt {
                        tree: TREE_NAMES[IDX_AGENT_COMPANIES],
                        detail: format!("agent {agent} → company {company} has no membership"),
                    });
                }
            }
        }
        Ok(out)
    }

    fn member_by_extension(
        &self,
        company: u64,
        extension: &str,
    ) -> Result<Option<u64>, StoreError> {
        match self.trees[IDX_EXTENSION]
            .get(ext_key(company, extension))
            .map_err(StoreError::Backend)?
        {
            Some(v) => read_id(IDX_EXTENSION, &v).map(Some),
            None => Ok(None),
        }
    }

    fn department(&self, id: u64) -> Result<Option<Department>, StoreError> {
        self.get(DEPARTMENTS, &be(id))
    }

    fn company_departments(
        &self,
        company: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Department>, StoreError> {
        self.scan_indexed(
            IDX_COMPANY_DEPARTMENTS,
            &be(company),
            &be(after),
            limit,
            DEPARTMENTS,
        )
    }

    fn number(&self, number: &str) -> Result<Option<NumberMapping>, StoreError> {
        self.get(NUMBERS, number.as_bytes())
    }

    fn company_numbers(
        &self,
        company: u64,
        after: &str,
        limit: usize,
    ) -> Result<Vec<NumberMapping>, StoreError> {
        self.scan_indexed(
            IDX_COMPANY_NUMBERS,
            &be(company),
            after.as_bytes(),
            limit,
            NUMBERS,
        )
    }

    fn token(&self, hash: &TokenHash) -> Result<Option<TokenRecord>, StoreError> {
        self.get(TOKENS, &hash.0)
    }

    fn token_by_id(&self, id: u64) -> Result<Option<(TokenHash, TokenRecord)>, StoreError> {
        let Some(hash) = self.trees[IDX_TOKEN_IDS]
            .get(be(id))
            .map_err(StoreError::Backend)?
        else {
            return Ok(None);
        };
        let hash = read_hash(IDX_TOKEN_IDS, &hash)?;
        Ok(self.token(&hash)?.map(|record| (hash, record)))
    }

    fn tokens(&self, after: u64, limit: usize) -> Result<Vec<TokenRecord>, StoreError> {
        let mut out = Vec::new();
        for (_, hash) in self.scan(IDX_TOKEN_IDS, &[], &be(after), limit)? {
            if let Some(record) = self.token(&read_hash(IDX_TOKEN_IDS, &hash)?)? {
                out.push(record);
            }
        }
        Ok(out)
    }

    fn agent_token(&self, agent: u64) -> Result<Option<TokenHash>, StoreError> {
        match self.trees[IDX_AGENT_TOKEN]
            .get(be(agent))
            .map_err(StoreError::Backend)?
        {
            Some(v) => read_hash(IDX_AGENT_TOKEN, &v).map(Some),
            None => Ok(None),
        }
    }

    fn commit(&self, changes: &[Change]) -> Result<(), StoreError> {
        let trees: Vec<&Tree> = self.trees.iter().collect();
        let result = trees.as_slice().transaction(|tx: &Vec<TransactionalTree>| {
            for change in changes {
                apply(tx, change)?;
            }
            Ok(())
        });
        match result {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(StoreError::Backend(e)),
        }
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.flusher.sync().map_err(StoreError::Backend)
    }

    fn check_consistency(&self) -> Result<Vec<String>, StoreError> {
        check::check(self)
    }
}

/// Read access for the consistency check (`sled_store/check.rs`).
impl SledStore {
    pub(crate) fn records<T: DeserializeOwned>(
        &self,
        tree: &'static str,
    ) -> Result<Vec<(IVec, T)>, StoreError> {
        self.all(tree_index(tree)?)
    }

    pub(crate) fn entries(&self, tree: &'static str) -> Result<Vec<(IVec, IVec)>, StoreError> {
        self.keys(tree_index(tree)?)
    }
}

fn tree_index(name: &'static str) -> Result<usize, StoreError> {
    TREE_NAMES
        .iter()
        .position(|n| *n == name)
        .ok_or(StoreError::Corrupt {
            tree: name,
            detail: "no such tree".to_owned(),
        })
}

// ---- one change inside the transaction ----

mod apply;
mod check;
mod export;
mod keys;
mod migrate;

pub use export::census;

use apply::apply;
pub(crate) use keys::{be, ext_key, number_key, pair, read_id};
use keys::{decode, read_hash};

#[cfg(test)]
mod tests;
