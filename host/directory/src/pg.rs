//! The PostgreSQL backend: the directory ([`PgStore`]) and the record trees ([`PgRecords`]) in
//! one database, its schema migrated at start-up ([`migrate`]), reached through a bounded pool
//! whose every operation has a timeout ([`Pg`]).
//!
//! - `pool`: connections, the timeout, retries of serialization failures, error mapping.
//! - `migrate`: the numbered migrations of `host/directory/migrations/`.
//! - `store` / `apply` / `check`: the directory's reads, its transactions, its consistency.
//! - `records`: the record trees.
//! - `inventory`: counting what a database holds; raising its id sequences.
//! - `lease`: the node lock: one node serves a database at a time, others wait as standbys.

mod apply;
mod check;
mod inventory;
mod lease;
mod migrate;
mod pool;
mod records;
mod store;

pub use inventory::{TABLES, counts, raise_sequences};
pub use lease::NodeLock;
pub use migrate::{MIGRATIONS, Migrated, migrate};
pub use pool::{Conn, Pg, PgSettings, classify, redact};
pub use records::{PgRecords, lazy_write_pending, note_lazy_write};
pub use store::{BUMP_REVISION, PgStore};
