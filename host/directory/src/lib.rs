//! Switchyard's tenant directory: who works where. Main accounts own companies; agents (one
//! person, one login, one token) are members of companies with independent per-company
//! settings; departments and E.164 numbers route calls; tokens carry scopes. No HTTP here:
//! the `switchyard` crate serves these operations.
//!
//! - `model`: the records (account, company, agent, membership, department, number mapping).
//! - `schedule`: weekly availability windows and company-local time ([`local_day_minute`]).
//! - `validate`: E.164, e-mail, IANA time zone, names, extensions, seats.
//! - `input` / `view`: what operations take and return beyond plain records.
//! - `principal` / `token`: who is calling; token secrets and their stored hashes.
//! - `access` / `auth` / `auth_cache`: per-company access rules; bearer authentication (cached
//!   per directory generation) and bootstrap.
//! - `directory`: [`Directory`], the write lock and durability; `ops/`: the operations, one file
//!   per resource, plus the call flow's reads (`ops/callflow.rs`).
//! - `store`: the [`Store`] trait; `sled_store`: the sled backend (its consistency
//!   check in `sled_store/check.rs`).
//! - `records`: [`RecordStore`], durable key/value trees for call logs and policies, and its
//!   sled backend [`SledRecords`] in the same database.
//! - `pg`: the PostgreSQL backend of both ([`pg::PgStore`], [`pg::PgRecords`]) and its
//!   migrations.
//! - `page` / `error`: pagination and [`DirectoryError`]; `ids`: the typed ids
//!   ([`CompanyId`], [`AgentId`], [`DepartmentId`], [`AccountId`]).

mod access;
mod auth;
mod auth_cache;
mod directory;
mod error;
mod group_flush;
pub mod ids;
pub mod input;
mod model;
mod ops;
mod page;
pub mod pg;
mod principal;
mod records;
mod schedule;
mod sled_store;
mod store;
mod token;
pub mod validate;
pub mod view;

pub use access::CompanyAccess;
pub use auth::Bootstrap;
pub use directory::{Directory, Durability};
pub use error::{DirectoryError, Result};
pub use group_flush::GroupFlush;
pub use ids::{AccountId, AgentId, CompanyId, DepartmentId, IdError};
pub use model::{
    Account, Agent, AgentState, Company, Department, Identity, IdentityPolicy, MemberState,
    MemberStatus, Membership, NumberMapping, Owner, Role, Seat,
};
pub use page::{DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest};
pub use principal::{Principal, Scope};
pub use records::{Entry, RecordStore, RecordTree, RecordWrite, SledRecords};
pub use schedule::{Day, Schedule, TimeOfDay, Window, local_day_minute};
pub use sled_store::{SledStore, census};
pub use store::{Change, Store, StoreError};
pub use token::{TokenHash, TokenRecord, now_ms};
