//! One conformance suite per storage seam of the tenant directory, run against every
//! implementation (object_store's `integration.rs`, sqlx's one body on many databases):
//! `Store` (`store.rs`, `store_listings.rs`, `store_conflicts.rs`, `store_indexes.rs`) and
//! `RecordStore` (`records.rs`, `records_scan.rs`); and of the call flow's live state:
//! `AgentBook` (`agent_book.rs`: one node's book in memory, a cluster's in PostgreSQL) and
//! `LiveJournal` (`live_journal.rs`: the embedded journal on sled and on PostgreSQL, a cluster
//! node's journal). A check is a plain function of a
//! [`Backend`]; each check runs on each backend as its own test,
//! `conformance::<suite>::<check>::<backend>`, so a failure names both. The checks choose their
//! stores themselves (sled in a temp dir, a fresh database on the tests' PostgreSQL), whatever
//! `SWITCHYARD_TEST_STORE` says.
//!
//! A check asserts what the trait's doc comments promise, never how a backend keeps it. Where a
//! backend breaks a promise, the check stays and that backend is left out of it with a comment
//! naming the gap; today every check runs on both backends.

use std::fmt::Debug;
use std::sync::Arc;

use switchyard_directory::pg::{self, Pg, PgRecords, PgSettings, PgStore};
use switchyard_directory::{RecordStore, SledRecords, SledStore, Store};

use crate::pg_cluster::cluster;

/// Declares one `#[test]` per (check, backend): `check: backend, backend;` makes the module
/// `check` (beside the function `check`) with one test per backend named after it, calling
/// `check(&Backend::<backend>())`.
macro_rules! conformance {
    ($($check:ident: $($backend:ident),+;)+) => {
        $(
            mod $check {
                $(
                    #[test]
                    fn $backend() {
                        super::$check(&crate::conformance::Backend::$backend());
                    }
                )+
            }
        )+
    };
}

mod agent_book;
mod fixtures;
mod live_journal;
mod records;
mod records_scan;
mod store;
mod store_conflicts;
mod store_indexes;
mod store_listings;

/// Where a backend under test keeps its data, so a check can open it, drop it and open it
/// again (what was made durable must still be there).
pub struct Backend {
    place: Place,
}

enum Place {
    /// A sled database in a temp dir (removed when the backend is dropped).
    Sled { dir: tempfile::TempDir },
    /// A fresh, migrated database on the tests' PostgreSQL (dropped with the backend).
    Postgres { url: String, name: String },
}

impl Backend {
    /// sled, in a new temp dir.
    pub fn sled() -> Self {
        Self {
            place: Place::Sled {
                dir: tempfile::tempdir().unwrap(),
            },
        }
    }

    /// PostgreSQL: a new empty database on the tests' server, its schema migrated.
    pub fn postgres() -> Self {
        let url = cluster().fresh_database();
        let name = url.rsplit('/').next().unwrap().to_owned();
        pg::migrate(&pool(&url)).unwrap();
        Self {
            place: Place::Postgres { url, name },
        }
    }

    /// The backend's name, for messages.
    pub fn name(&self) -> &'static str {
        match self.place {
            Place::Sled { .. } => "sled",
            Place::Postgres { .. } => "postgres",
        }
    }

    /// The directory store, opened (again). sled locks its database: drop the previous
    /// [`Backend::store`] or [`Backend::records`] before opening another.
    pub fn store(&self) -> Box<dyn Store> {
        match &self.place {
            Place::Sled { dir } => Box::new(sled_store(dir)),
            Place::Postgres { url, .. } => Box::new(PgStore::new(Arc::new(pool(url)))),
        }
    }

    /// The record trees, opened (again), the way the service opens them: on sled inside the
    /// directory's database with its group-commit flusher. One handle at a time, as for
    /// [`Backend::store`].
    pub fn records(&self) -> Box<dyn RecordStore> {
        match &self.place {
            Place::Sled { dir } => {
                let store = sled_store(dir);
                Box::new(SledRecords::open(store.db(), store.flusher()).unwrap())
            }
            Place::Postgres { url, .. } => Box::new(PgRecords::new(Arc::new(pool(url))).unwrap()),
        }
    }
}

impl Drop for Backend {
    /// Drops a PostgreSQL backend's database (the sled temp dir goes by itself). Best effort:
    /// the harness removes the whole server when the test process ends anyway, and a panic
    /// here would hide the check's own failure.
    fn drop(&mut self) {
        if let Place::Postgres { name, .. } = &self.place {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Ok(admin) = Pg::new(&cluster().url("postgres"), &PgSettings::default()) {
                let _ignored = admin.run(async |conn| conn.client().batch_execute(&sql).await);
            }
        }
    }
}

/// The sled directory store in `dir`.
fn sled_store(dir: &tempfile::TempDir) -> SledStore {
    SledStore::open(&dir.path().join("db")).unwrap()
}

/// A connection pool to `url` with the service's default settings.
fn pool(url: &str) -> Pg {
    Pg::new(url, &PgSettings::default()).unwrap()
}

/// Asserts that `store`'s records and indexes agree (`check_consistency` is empty).
#[track_caller]
pub fn assert_consistent(backend: &Backend, store: &dyn Store) {
    let problems = store.check_consistency().unwrap();
    assert!(
        problems.is_empty(),
        "{}: records and indexes disagree:\n{}",
        backend.name(),
        problems.join("\n")
    );
}

/// Asserts that `got` (what the backend answered) equals `want`, naming the backend and `what`
/// was read.
#[track_caller]
pub fn eq<G: PartialEq<W> + Debug, W: Debug>(backend: &Backend, what: &str, got: G, want: W) {
    assert!(
        got == want,
        "{}: {what}:\n  got: {got:?}\n want: {want:?}",
        backend.name()
    );
}
