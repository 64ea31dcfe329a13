//! The sled backend of [`Store`]: one tree per entity plus one tree per index, records as JSON,
//! ids as big-endian `u64` keys. `commit` runs every change of one operation in one sled
//! transaction over all trees, so an index never disagrees with its record.

use std::ops::Bound;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
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

/// Tree names, indexed by the constants above.
const TREE_NAMES: [&str; 15] = [
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
        Ok(Self { db, trees, flusher })
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
        crate::sled_check::check(self)
    }
}

/// Read access for the consistency check (`sled_check.rs`).
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

fn apply(tx: &[TransactionalTree], change: &Change) -> TxResult<()> {
    match change {
        Change::PutAccount(a) => put(tx, ACCOUNTS, &be(a.id), a),
        Change::PutCompany(c) => {
            let old: Option<Company> = tx_get(tx, COMPANIES, &be(c.id))?;
            if let Some(acc) = old
                .and_then(|o| o.account_id)
                .filter(|acc| Some(*acc) != c.account_id)
            {
                tx[IDX_ACCOUNT_COMPANIES].remove(pair(acc, c.id).to_vec())?;
            }
            if let Some(acc) = c.account_id {
                tx[IDX_ACCOUNT_COMPANIES].insert(pair(acc, c.id).to_vec(), Vec::<u8>::new())?;
            }
            put(tx, COMPANIES, &be(c.id), c)
        }
        Change::PutAgent(a) => {
            let old: Option<Agent> = tx_get(tx, AGENTS, &be(a.id))?;
            let new_ids = a.identities();
            for gone in old.map(|o| o.identities()).unwrap_or_default() {
                if !new_ids.contains(&gone) {
                    remove_if_points_to(tx, IDX_IDENTITY, &gone.key(), &be(a.id))?;
                }
            }
            for identity in &new_ids {
                claim(tx, IDX_IDENTITY, &identity.key(), &be(a.id), || {
                    identity.to_string()
                })?;
            }
            put(tx, AGENTS, &be(a.id), a)
        }
        Change::PutMembership(m) => {
            let key = pair(m.company_id, m.agent_id);
            let old: Option<Membership> = tx_get(tx, MEMBERSHIPS, &key)?;
            if let Some(old) = old.filter(|o| o.extension != m.extension) {
                remove_if_points_to(
                    tx,
                    IDX_EXTENSION,
                    &ext_key(m.company_id, &old.extension),
                    &be(m.agent_id),
                )?;
            }
            claim(
                tx,
                IDX_EXTENSION,
                &ext_key(m.company_id, &m.extension),
                &be(m.agent_id),
                || format!("company {} extension {}", m.company_id, m.extension),
            )?;
            tx[IDX_AGENT_COMPANIES]
                .insert(pair(m.agent_id, m.company_id).to_vec(), Vec::<u8>::new())?;
            put(tx, MEMBERSHIPS, &key, m)
        }
        Change::DeleteMembership { company, agent } => {
            let key = pair(*company, *agent);
            if let Some(old) = tx_get::<Membership>(tx, MEMBERSHIPS, &key)? {
                remove_if_points_to(
                    tx,
                    IDX_EXTENSION,
                    &ext_key(*company, &old.extension),
                    &be(*agent),
                )?;
            }
            tx[IDX_AGENT_COMPANIES].remove(pair(*agent, *company).to_vec())?;
            tx[MEMBERSHIPS].remove(key.to_vec())?;
            Ok(())
        }
        Change::PutDepartment(d) => {
            if let Some(old) = tx_get::<Department>(tx, DEPARTMENTS, &be(d.id))?
                .filter(|o| o.company_id != d.company_id)
            {
                tx[IDX_COMPANY_DEPARTMENTS].remove(pair(old.company_id, d.id).to_vec())?;
            }
            tx[IDX_COMPANY_DEPARTMENTS]
                .insert(pair(d.company_id, d.id).to_vec(), Vec::<u8>::new())?;
            put(tx, DEPARTMENTS, &be(d.id), d)
        }
        Change::DeleteDepartment(id) => {
            if let Some(old) = tx_get::<Department>(tx, DEPARTMENTS, &be(*id))? {
                tx[IDX_COMPANY_DEPARTMENTS].remove(pair(old.company_id, *id).to_vec())?;
            }
            tx[DEPARTMENTS].remove(be(*id).to_vec())?;
            Ok(())
        }
        Change::PutNumber(n) => {
            if let Some(old) = tx_get::<NumberMapping>(tx, NUMBERS, n.number.as_bytes())?
                .filter(|o| o.company_id != n.company_id)
            {
                tx[IDX_COMPANY_NUMBERS].remove(number_key(old.company_id, &n.number))?;
            }
            tx[IDX_COMPANY_NUMBERS]
                .insert(number_key(n.company_id, &n.number), Vec::<u8>::new())?;
            put(tx, NUMBERS, n.number.as_bytes(), n)
        }
        Change::DeleteNumber(number) => {
            if let Some(old) = tx_get::<NumberMapping>(tx, NUMBERS, number.as_bytes())? {
                tx[IDX_COMPANY_NUMBERS].remove(number_key(old.company_id, number))?;
            }
            tx[NUMBERS].remove(number.as_bytes())?;
            Ok(())
        }
        Change::PutToken(hash, record) => {
            claim(tx, IDX_TOKEN_IDS, &be(record.id), &hash.0, || {
                format!("token id {}", record.id)
            })?;
            if let Scope::Agent { agent_id } = record.scope {
                claim(tx, IDX_AGENT_TOKEN, &be(agent_id), &hash.0, || {
                    format!("token of agent {agent_id}")
                })?;
            }
            put(tx, TOKENS, &hash.0, record)
        }
        Change::DeleteToken(hash) => {
            if let Some(old) = tx_get::<TokenRecord>(tx, TOKENS, &hash.0)? {
                remove_if_points_to(tx, IDX_TOKEN_IDS, &be(old.id), &hash.0)?;
                if let Scope::Agent { agent_id } = old.scope {
                    remove_if_points_to(tx, IDX_AGENT_TOKEN, &be(agent_id), &hash.0)?;
                }
            }
            tx[TOKENS].remove(hash.0.to_vec())?;
            Ok(())
        }
    }
}

fn tx_get<T: DeserializeOwned>(
    tx: &[TransactionalTree],
    tree: usize,
    key: &[u8],
) -> TxResult<Option<T>> {
    match tx[tree].get(key)? {
        Some(bytes) => decode(tree, &bytes)
            .map(Some)
            .map_err(ConflictableTransactionError::Abort),
        None => Ok(None),
    }
}

fn put<T: Serialize>(tx: &[TransactionalTree], tree: usize, key: &[u8], value: &T) -> TxResult<()> {
    let bytes = serde_json::to_vec(value).map_err(|e| {
        ConflictableTransactionError::Abort(StoreError::Corrupt {
            tree: TREE_NAMES[tree],
            detail: e.to_string(),
        })
    })?;
    tx[tree].insert(key, bytes)?;
    Ok(())
}

/// Points a unique index entry at `owner`, refusing if another owner holds it.
fn claim(
    tx: &[TransactionalTree],
    index: usize,
    key: &[u8],
    owner: &[u8],
    describe: impl Fn() -> String,
) -> TxResult<()> {
    if let Some(current) = tx[index].get(key)?
        && current.as_ref() != owner
    {
        return Err(ConflictableTransactionError::Abort(
            StoreError::IndexConflict {
                index: TREE_NAMES[index],
                key: describe(),
            },
        ));
    }
    tx[index].insert(key, owner)?;
    Ok(())
}

fn remove_if_points_to(
    tx: &[TransactionalTree],
    index: usize,
    key: &[u8],
    owner: &[u8],
) -> TxResult<()> {
    if tx[index].get(key)?.is_some_and(|v| v.as_ref() == owner) {
        tx[index].remove(key)?;
    }
    Ok(())
}

// ---- encoding ----

pub(crate) fn be(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub(crate) fn pair(a: u64, b: u64) -> [u8; 16] {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&a.to_be_bytes());
    key[8..].copy_from_slice(&b.to_be_bytes());
    key
}

pub(crate) fn ext_key(company: u64, extension: &str) -> Vec<u8> {
    [be(company).as_slice(), extension.as_bytes()].concat()
}

pub(crate) fn number_key(company: u64, number: &str) -> Vec<u8> {
    [be(company).as_slice(), number.as_bytes()].concat()
}

pub(crate) fn read_id(tree: usize, bytes: &[u8]) -> Result<u64, StoreError> {
    <[u8; 8]>::try_from(bytes)
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt {
            tree: TREE_NAMES[tree],
            detail: format!("expected an 8-byte id, got {} bytes", bytes.len()),
        })
}

fn read_hash(tree: usize, bytes: &[u8]) -> Result<TokenHash, StoreError> {
    <[u8; 32]>::try_from(bytes)
        .map(TokenHash)
        .map_err(|_| StoreError::Corrupt {
            tree: TREE_NAMES[tree],
            detail: format!("expected a 32-byte hash, got {} bytes", bytes.len()),
        })
}

fn decode<T: DeserializeOwned>(tree: usize, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree: TREE_NAMES[tree],
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentState, MemberState, MemberStatus, Role};

    fn agent(id: u64, email: &str) -> Agent {
        Agent {
            id,
            name: format!("agent {id}"),
            email: Some(email.to_owned()),
            phone: None,
            state: AgentState::Activated,
        }
    }

    fn company(id: u64) -> Company {
        Company {
            id,
            account_id: None,
            name: format!("c{id}"),
            time_zone: "UTC".into(),
            wrap_up_secs: 0,
            identity_policy: Default::default(),
        }
    }

    fn membership(company_id: u64, agent_id: u64, extension: &str) -> Membership {
        Membership {
            company_id,
            agent_id,
            role: Role::Agent,
            extension: extension.to_owned(),
            departments: Default::default(),
            schedule: None,
            take_calls: true,
            panel_access: true,
            notifications: true,
            status: MemberStatus::Available,
            state: MemberState::Active,
        }
    }

    #[test]
    fn a_refused_index_claim_writes_nothing_of_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        store
            .commit(&[Change::PutAgent(agent(1, "a@x.com"))])
            .unwrap();
        let err = store
            .commit(&[
                Change::PutCompany(company(5)),
                Change::PutAgent(agent(2, "a@x.com")),
            ])
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::IndexConflict {
                    index: "idx_identity",
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            store.company(5).unwrap().is_none(),
            "the batch was applied in part"
        );
        assert!(store.agent(2).unwrap().is_none());
        assert_eq!(
            store
                .agent_by_identity(&Identity::Email("a@x.com".into()))
                .unwrap(),
            Some(1)
        );
        assert!(store.check_consistency().unwrap().is_empty());
    }

    #[test]
    fn indexes_follow_changes_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = SledStore::open(dir.path()).unwrap();
            store
                .commit(&[
                    Change::PutCompany(company(5)),
                    Change::PutAgent(agent(1, "a@x.com")),
                    Change::PutAgent(agent(2, "b@x.com")),
                    Change::PutMembership(membership(5, 1, "221")),
                    Change::PutMembership(membership(5, 2, "222")),
                ])
                .unwrap();
            // Moving an extension frees the old one; taking a held one is refused.
            store
                .commit(&[Change::PutMembership(membership(5, 1, "230"))])
                .unwrap();
            assert_eq!(store.member_by_extension(5, "221").unwrap(), None);
            assert!(
                store
                    .commit(&[Change::PutMembership(membership(5, 1, "222"))])
                    .is_err()
            );
            // A changed e-mail moves the identity index.
            store
                .commit(&[Change::PutAgent(agent(2, "b2@x.com"))])
                .unwrap();
            assert_eq!(
                store
                    .agent_by_identity(&Identity::Email("b@x.com".into()))
                    .unwrap(),
                None
            );
            store
                .commit(&[Change::DeleteMembership {
                    company: 5,
                    agent: 2,
                }])
                .unwrap();
            store.flush().unwrap();
        }
        let store = SledStore::open(dir.path()).unwrap();
        assert_eq!(store.member_by_extension(5, "230").unwrap(), Some(1));
        assert_eq!(store.agent_memberships(1).unwrap().len(), 1);
        assert!(store.agent_memberships(2).unwrap().is_empty());
        assert_eq!(
            store
                .agent_by_identity(&Identity::Email("b2@x.com".into()))
                .unwrap(),
            Some(2)
        );
        assert!(store.check_consistency().unwrap().is_empty());
        assert!(store.next_id().unwrap() > 0);
    }

    #[test]
    fn the_check_reports_a_stale_index_entry() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(dir.path()).unwrap();
        store
            .commit(&[Change::PutAgent(agent(1, "a@x.com"))])
            .unwrap();
        store.trees[IDX_IDENTITY]
            .insert(b"email:ghost@x.com", &be(9))
            .unwrap();
        let problems = store.check_consistency().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("ghost@x.com"));
    }
}
