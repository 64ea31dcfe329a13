//! The storage trait: entity-level reads and one atomic `commit` of a list of entity changes.
//! A backend keeps its secondary indexes (identity → agent, company + extension → member,
//! number → company, agent → companies, ...) in step with the records inside that same atomic
//! commit, and refuses a change that would let a unique index point at two records. The sled
//! backend is `sled_store.rs`; the PostgreSQL one is `pg/store.rs`.

use crate::model::{Account, Agent, Company, Department, Identity, Membership, NumberMapping};
use crate::token::{TokenHash, TokenRecord};

pub use crate::error::StoreError;

/// One change to one record; the backend derives the index changes.
#[derive(Debug, Clone)]
pub enum Change {
    /// Create or replace an account.
    PutAccount(Account),
    /// Create or replace a company.
    PutCompany(Company),
    /// Create or replace an agent (identity index follows its e-mail and phone).
    PutAgent(Agent),
    /// Create or replace a membership (extension and agent → companies indexes follow).
    PutMembership(Membership),
    /// Remove a membership.
    DeleteMembership {
        /// The company.
        company: u64,
        /// The agent.
        agent: u64,
    },
    /// Create or replace a department.
    PutDepartment(Department),
    /// Remove a department.
    DeleteDepartment(u64),
    /// Map a number (create or replace).
    PutNumber(NumberMapping),
    /// Unmap a number.
    DeleteNumber(String),
    /// Store a token under its hash.
    PutToken(TokenHash, TokenRecord),
    /// Remove a token.
    DeleteToken(TokenHash),
}

/// Storage of the directory's records.
pub trait Store: Send + Sync + 'static {
    /// A fresh id, never 0, never handed out before (also across restarts).
    fn next_id(&self) -> Result<u64, StoreError>;

    /// An account.
    fn account(&self, id: u64) -> Result<Option<Account>, StoreError>;
    /// Accounts with id above `after`, in id order, at most `limit`.
    fn accounts(&self, after: u64, limit: usize) -> Result<Vec<Account>, StoreError>;

    /// A company.
    fn company(&self, id: u64) -> Result<Option<Company>, StoreError>;
    /// Companies with id above `after`, in id order, at most `limit`.
    fn companies(&self, after: u64, limit: usize) -> Result<Vec<Company>, StoreError>;
    /// Companies of a main account with id above `after`, in id order, at most `limit`.
    fn account_companies(
        &self,
        account: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Company>, StoreError>;

    /// An agent.
    fn agent(&self, id: u64) -> Result<Option<Agent>, StoreError>;
    /// The agent an identity maps to.
    fn agent_by_identity(&self, identity: &Identity) -> Result<Option<u64>, StoreError>;

    /// A membership.
    fn membership(&self, company: u64, agent: u64) -> Result<Option<Membership>, StoreError>;
    /// Members of a company with agent id above `after`, in agent id order, at most `limit`.
    fn company_members(
        &self,
        company: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Membership>, StoreError>;
    /// All memberships of an agent, in company id order.
    fn agent_memberships(&self, agent: u64) -> Result<Vec<Membership>, StoreError>;
    /// The agent holding an extension in a company.
    fn member_by_extension(&self, company: u64, extension: &str)
    -> Result<Option<u64>, StoreError>;

    /// A department.
    fn department(&self, id: u64) -> Result<Option<Department>, StoreError>;
    /// Departments of a company with id above `after`, in id order, at most `limit`.
    fn company_departments(
        &self,
        company: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<Department>, StoreError>;

    /// Where a number is mapped.
    fn number(&self, number: &str) -> Result<Option<NumberMapping>, StoreError>;
    /// Numbers of a company sorting after `after`, in byte order, at most `limit`.
    fn company_numbers(
        &self,
        company: u64,
        after: &str,
        limit: usize,
    ) -> Result<Vec<NumberMapping>, StoreError>;

    /// A token by the hash of its secret.
    fn token(&self, hash: &TokenHash) -> Result<Option<TokenRecord>, StoreError>;
    /// A token by id, with its hash.
    fn token_by_id(&self, id: u64) -> Result<Option<(TokenHash, TokenRecord)>, StoreError>;
    /// Tokens with id above `after`, in id order, at most `limit`.
    fn tokens(&self, after: u64, limit: usize) -> Result<Vec<TokenRecord>, StoreError>;
    /// The hash of an agent's token.
    fn agent_token(&self, agent: u64) -> Result<Option<TokenHash>, StoreError>;

    /// Applies all changes atomically, with their index updates, or none of them.
    fn commit(&self, changes: &[Change]) -> Result<(), StoreError>;
    /// Makes every committed change durable (on disk) before returning.
    fn flush(&self) -> Result<(), StoreError>;
    /// Compares every record with every index entry; returns one line per disagreement.
    fn check_consistency(&self) -> Result<Vec<String>, StoreError>;
}
