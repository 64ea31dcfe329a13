//! Where the service keeps everything: the embedded sled database in `--data` (the default), or
//! a PostgreSQL database (`--store postgres://…`), whose schema is migrated at start and which
//! one node serves at a time ([`NodeLock`]; another node waits as a standby and takes over).

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchyard_directory::pg::{self, NodeLock, Pg, PgRecords, PgSettings, PgStore};
use switchyard_directory::{Directory, Durability, RecordStore};

use crate::app::AppState;
use crate::cluster::ClusterNode;
use crate::config::ServeConfig;
use crate::group_commit::GroupCommit;
use crate::policy::store::PolicyFiles;

/// How often the serving node checks that it still holds the database's node lock.
const LOCK_CHECK: Duration = Duration::from_millis(200);

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The database could not be opened, migrated or locked.
    #[error("directory: {0}")]
    Directory(#[from] switchyard_directory::DirectoryError),
    /// The directory of policy components and artifacts could not be opened.
    #[error("opening the policy files")]
    PolicyFiles(#[source] crate::policy::store::FileError),
    /// The client that forwards requests to other nodes could not be built.
    #[error("cannot build the forwarding client")]
    ForwardingClient(#[source] reqwest::Error),
}

/// An opened store.
pub struct Opened {
    /// The tenant directory.
    pub directory: Directory,
    /// The record trees (logs, policies, live state).
    pub records: Arc<dyn RecordStore>,
    /// Policy bytes as files beside a sled database; `None`: in `records`.
    pub files: Option<PolicyFiles>,
    /// PostgreSQL's node lock, held while serving.
    pub lock: Option<NodeLock>,
    /// This node's place in a cluster (`--cluster`).
    pub cluster: Option<ClusterNode>,
    /// The PostgreSQL database, when that is the store.
    pub pg: Option<Arc<Pg>>,
}

/// Opens the store `config` names (blocking: call from a blocking thread); a cluster node
/// joins advertising `advertise`.
pub fn open(config: &ServeConfig, advertise: &str) -> Result<Opened, BackendError> {
    match &config.store {
        None => open_sled(config),
        Some(url) => open_postgres(config, url, advertise),
    }
}

fn open_sled(config: &ServeConfig) -> Result<Opened, BackendError> {
    let (directory, records) = Directory::open_with_records(&config.data.join("db"))?;
    let files = PolicyFiles::open(&config.data.join(crate::data_dir::POLICIES_DIR))
        .map_err(BackendError::PolicyFiles)?;
    Ok(Opened {
        directory,
        // Writes during an fsync are queued instead of waiting for it (`group_commit`).
        records: Arc::new(GroupCommit::new(Arc::new(records))),
        files: Some(files),
        lock: None,
        cluster: None,
        pg: None,
    })
}

fn open_postgres(config: &ServeConfig, url: &str, advertise: &str) -> Result<Opened, BackendError> {
    let settings = PgSettings {
        timeout: Duration::from_millis(config.store_timeout_ms),
        ..PgSettings::default()
    };
    let pg = Arc::new(Pg::new(url, &settings).map_err(store)?);
    let migrated = pg::migrate(&pg).map_err(store)?;
    tracing::info!(
        store = pg.url(),
        schema = migrated.version,
        applied = ?migrated.applied,
        "PostgreSQL store ready"
    );
    let standby = || {
        tracing::warn!(
            store = pg.url(),
            "another node serves this database (alone, or as a cluster while this node is not \
             one): waiting as a standby to take over"
        );
    };
    let lock = if config.cluster {
        NodeLock::acquire_shared(&pg, standby)
    } else {
        NodeLock::acquire(&pg, standby)
    }
    .map_err(store)?;
    let cluster = if config.cluster {
        // Joins (and starts beating) once it is ready to serve: see `server::start`.
        let id = crate::cluster::members::new_id(&pg).map_err(store)?;
        let lazy = Arc::new(
            pg.with_session_options("-c synchronous_commit=off")
                .map_err(store)?,
        );
        let beats = Arc::new(
            pg.with_session_options("-c application_name=switchyard-heartbeat")
                .map_err(store)?,
        );
        Some(ClusterNode {
            pg: Arc::clone(&pg),
            lazy: Arc::clone(&lazy),
            beats,
            id,
            url: advertise.to_owned(),
            owners: crate::cluster::CallOwners::new(Arc::clone(&pg), Arc::clone(&lazy), id),
            queue: crate::cluster::ClusterQueue::new(Arc::clone(&pg), Arc::clone(&lazy), id),
            revision: Arc::new(crate::cluster::Revision::new(Arc::clone(&pg))),
            standing: Arc::default(),
            client: reqwest::Client::builder()
                .timeout(crate::cluster::FORWARD_TIMEOUT)
                .build()
                .map_err(BackendError::ForwardingClient)?,
        })
    } else {
        tracing::info!(
            store = pg.url(),
            "holding the database's node lock: serving"
        );
        None
    };
    Ok(Opened {
        directory: Directory::new(
            Arc::new(PgStore::new(Arc::clone(&pg))),
            Durability::default(),
        ),
        records: Arc::new(PgRecords::new(Arc::clone(&pg)).map_err(store)?),
        files: None,
        lock: Some(lock),
        cluster,
        pg: Some(Arc::clone(&pg)),
    })
}

fn store(e: switchyard_directory::StoreError) -> BackendError {
    BackendError::Directory(e.into())
}

/// Watches the node lock while the service runs: when its connection drops (the database
/// restarted or the network failed) the node stops serving (requests answer 503), drops its
/// live state (another node may have served meanwhile) and takes the lock again; then
/// `recovery` restores live state from the database before it serves. If another node took
/// the lock meanwhile, this process exits at once rather than serve beside it.
pub fn watch_lock(lock: NodeLock, state: AppState) -> tokio::task::JoinHandle<()> {
    let lock = Arc::new(Mutex::new(lock));
    let serving = state.serving_flag();
    tokio::spawn(async move {
        let mut retrying = false;
        loop {
            tokio::time::sleep(LOCK_CHECK).await;
            let lock = Arc::clone(&lock);
            let flag = Arc::clone(&serving);
            let calls = state.calls();
            let checked = tokio::task::spawn_blocking(move || {
                let Ok(mut lock) = lock.lock() else {
                    return Ok(true);
                };
                if lock.is_held() {
                    return Ok(true);
                }
                if flag.swap(false, Ordering::AcqRel) {
                    tracing::warn!(
                        "lost the database's node lock: not serving until it is taken again \
                         and live state is restored from the database"
                    );
                    calls.invalidate();
                }
                lock.retake()
            })
            .await;
            match checked {
                Ok(Ok(true)) => {
                    retrying = false;
                    if !serving.swap(true, Ordering::AcqRel) {
                        tracing::info!("holding the database's node lock again: serving");
                    }
                }
                Ok(Ok(false)) => {
                    tracing::error!(
                        "another node took the database's node lock while this node's \
                         connection was down: exiting so that one node serves it"
                    );
                    std::process::exit(75);
                }
                Ok(Err(e)) => {
                    if !retrying {
                        tracing::warn!(error = %e, "cannot take the node lock again yet; retrying");
                    }
                    retrying = true;
                    continue;
                }
                Err(e) => tracing::error!(error = %e, "node lock check failed"),
            }
        }
    })
}
