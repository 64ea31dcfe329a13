//! `switchyard store copy --from ./data --to postgres://…`: moves a sled deployment into an
//! empty PostgreSQL database (the directory, call logs and traces, policy versions, activations
//! and history, policy state, live state, and the policy components and artifacts kept as files
//! beside sled), then counts both sides and reports any difference. A database holding anything
//! is refused; so is a data directory a running service holds (sled locks it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use switchyard_directory::pg::{self, Pg, PgRecords, PgSettings, PgStore};
use switchyard_directory::{
    RecordStore, RecordTree, RecordWrite, SledRecords, SledStore, Store, StoreError, census,
};

use crate::policy::store::{Kind, PolicyFiles};

/// Entries written per transaction.
const BATCH: usize = 500;

/// Why a copy failed.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// There is no sled database in the data directory.
    #[error("no sled database at {0} (is --from the service's --data directory?)")]
    NoSource(PathBuf),
    /// The target already holds data.
    #[error(
        "the target database is not empty ({0}): copy into a new, empty database \
         (CREATE DATABASE ...), never over one in use"
    )]
    TargetNotEmpty(String),
    /// Reading or writing either side failed.
    #[error("{what}")]
    Store {
        /// What was being done.
        what: &'static str,
        /// Why it failed.
        #[source]
        source: StoreError,
    },
    /// A policy file could not be read.
    #[error("reading the policy files")]
    Files(#[source] crate::policy::store::FileError),
    /// The copy does not hold what the source holds.
    #[error("the copy differs from the source: {0}")]
    Mismatch(String),
}

/// What was copied: (table or tree, count), as counted in the target afterwards.
#[derive(Debug)]
pub struct Copied {
    /// Counts in the target.
    pub counts: Vec<(&'static str, u64)>,
}

/// Copies the sled database in `from` (a data directory) into the empty database at `to`.
pub fn copy(from: &Path, to: &str) -> Result<Copied, CopyError> {
    let db = from.join("db");
    if !db.join("conf").is_file() {
        return Err(CopyError::NoSource(db));
    }
    let sled = SledStore::open(&db).map_err(store("opening the sled database"))?;
    let sled_records =
        SledRecords::open(sled.db(), sled.flusher()).map_err(store("opening the sled records"))?;
    let files =
        PolicyFiles::open(&from.join(crate::data_dir::POLICIES_DIR)).map_err(CopyError::Files)?;
    let pg = empty_target(to)?;

    let changes = sled.export().map_err(store("reading the directory"))?;
    let expected_directory = census(&changes);
    let target = PgStore::new(Arc::clone(&pg));
    target
        .commit(&changes)
        .map_err(store("writing the directory"))?;

    let records = PgRecords::new(Arc::clone(&pg)).map_err(store("connecting"))?;
    let mut expected_trees = copy_records(&sled_records, &records)?;
    copy_policy_files(&files, &records, &mut expected_trees)?;
    let watermark = sled
        .id_watermark()
        .map_err(store("reading the id counter"))?;
    pg::raise_sequences(&pg, watermark).map_err(store("raising the id sequences"))?;

    let counts = pg::counts(&pg).map_err(store("counting the copy"))?;
    let mut differences = differences(&counts, expected_directory, expected_trees);
    let inconsistent = target
        .check_consistency()
        .map_err(store("checking the copy"))?;
    differences.extend(inconsistent);
    if !differences.is_empty() {
        return Err(CopyError::Mismatch(differences.join("; ")));
    }
    Ok(Copied { counts })
}

/// Maps a store error to [`CopyError::Store`], saying `what` was being done.
fn store(what: &'static str) -> impl Fn(StoreError) -> CopyError {
    move |source| CopyError::Store { what, source }
}

/// Connects to the database at `to`, migrates it, and refuses it unless it is empty.
fn empty_target(to: &str) -> Result<Arc<Pg>, CopyError> {
    let pg = Arc::new(Pg::new(to, &PgSettings::default()).map_err(store("connecting"))?);
    pg::migrate(&pg).map_err(store("migrating the target"))?;
    let held: Vec<String> = pg::counts(&pg)
        .map_err(store("counting the target"))?
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| format!("{n} in {t}"))
        .collect();
    if !held.is_empty() {
        return Err(CopyError::TargetNotEmpty(held.join(", ")));
    }
    Ok(pg)
}

/// Copies every record tree, [`BATCH`] entries a transaction; how many of each it copied.
fn copy_records(from: &SledRecords, to: &PgRecords) -> Result<Vec<(RecordTree, u64)>, CopyError> {
    let mut expected_trees = Vec::new();
    for tree in RecordTree::ALL {
        let mut copied = 0u64;
        let mut from_key: Option<Vec<u8>> = None;
        loop {
            let entries = from
                .scan(tree, &[], from_key.as_deref(), false, BATCH)
                .map_err(store("reading the records"))?;
            let Some((last, _)) = entries.last() else {
                break;
            };
            from_key = Some(last.clone());
            copied += entries.len() as u64;
            let writes: Vec<RecordWrite> = entries
                .into_iter()
                .map(|(k, v)| (tree, k, Some(v)))
                .collect();
            to.write(&writes).map_err(store("writing the records"))?;
        }
        expected_trees.push((tree, copied));
    }
    Ok(expected_trees)
}

/// Policy bytes kept as files beside sled go into the record trees (by content hash); each
/// one written is counted in `expected_trees`.
fn copy_policy_files(
    files: &PolicyFiles,
    records: &PgRecords,
    expected_trees: &mut [(RecordTree, u64)],
) -> Result<(), CopyError> {
    for (tree, kind) in [
        (RecordTree::PolicyBlobs, Kind::Component),
        (RecordTree::PolicyArtifacts, Kind::Artifact),
    ] {
        for hash in files.hashes(kind).map_err(CopyError::Files)? {
            if records
                .get(tree, hash.as_bytes())
                .map_err(store("reading the records"))?
                .is_some()
            {
                continue;
            }
            let Some(bytes) = files.get(&hash, kind).map_err(CopyError::Files)? else {
                continue;
            };
            records
                .write(&[(tree, hash.into_bytes(), Some(bytes))])
                .map_err(store("writing the policy bytes"))?;
            if let Some(entry) = expected_trees.iter_mut().find(|(t, _)| *t == tree) {
                entry.1 += 1;
            }
        }
    }
    Ok(())
}

/// Where the target's `counts` differ from what the source held, one line each.
fn differences(
    counts: &[(&'static str, u64)],
    expected_directory: Vec<(&'static str, u64)>,
    expected_trees: Vec<(RecordTree, u64)>,
) -> Vec<String> {
    let count_of = |name: &str| counts.iter().find(|(t, _)| *t == name).map_or(0, |c| c.1);
    let mut differences = Vec::new();
    for (table, n) in expected_directory {
        if count_of(table) != n {
            differences.push(format!("{table}: {n} in sled, {} copied", count_of(table)));
        }
    }
    for (tree, n) in expected_trees {
        if count_of(tree.name()) != n {
            differences.push(format!(
                "{}: {n} in sled, {} copied",
                tree.name(),
                count_of(tree.name())
            ));
        }
    }
    differences
}
