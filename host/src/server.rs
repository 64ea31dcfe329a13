//! Running the service: open the sled database, make sure an operator token exists, serve
//! the API until told to stop, then flush. [`serve`] is what the binary runs; [`start`] gives
//! tests the real server on any port and a handle to stop it.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use switchyard_directory::{Bootstrap, Directory, DirectoryError};
use switchyard_runtime::{EngineConfig, PolicyEngine};

use crate::backend::Opened;
use crate::calls::{ActivePolicy, CallCenter, CallSettings, Policies, PolicyCache};
use crate::journal_store::RecordJournal;
use crate::logbook::LogBook;
use crate::policy::PolicyStore;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::config::ServeConfig;

/// Name of the file the generated operator token is written to, inside the data directory.
pub const OPERATOR_TOKEN_FILE: &str = "operator-token";

/// Why the server could not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The database could not be opened, bootstrapped or flushed.
    #[error("directory: {0}")]
    Directory(#[from] DirectoryError),
    /// A file or socket operation failed.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// On what.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The policy engine could not start, or stored policies could not be read.
    #[error("policies: {0}")]
    Policies(String),
    /// The directory of policy components and artifacts could not be opened.
    #[error("opening the policy files")]
    PolicyFiles(#[source] crate::policy::store::FileError),
    /// Stored policy state could not be read.
    #[error("reading policy state")]
    PolicyState(#[source] switchyard_directory::StoreError),
    /// Live state could not be restored.
    #[error("restoring live state")]
    Restore(#[source] crate::calls::CallError),
    /// A background task panicked or was cancelled.
    #[error("task failed: {0}")]
    Task(String),
    /// The cluster's tables could not be read or written at start.
    #[error("cluster")]
    Cluster(#[source] crate::cluster::ClusterError),
    /// A cluster node listening on every interface does not know which address the other
    /// nodes reach it at.
    #[error(
        "--cluster listening on {0} needs --advertise http://HOST:PORT (the address the other \
         nodes reach this one at)"
    )]
    NoAdvertise(std::net::SocketAddr),
}

/// A server running in the background.
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// The address it listens on (the real port when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The shared state (its directory), e.g. for consistency checks in tests.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Stops accepting requests, lets running ones finish, flushes the database and closes
    /// it (once every handle to the state is gone).
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ignored = stop.send(());
        }
        let Self { task, state, .. } = self;
        drop(state);
        task.await.map_err(|e| ServerError::Task(e.to_string()))?
    }

    /// Waits until the server stops by itself (it only does when stopped or on error).
    pub async fn wait(self) -> Result<(), ServerError> {
        let Self {
            task, state, stop, ..
        } = self;
        drop(state);
        let result = task.await.map_err(|e| ServerError::Task(e.to_string()))?;
        drop(stop);
        result
    }
}

/// Opens the database, bootstraps the operator token, binds and serves in the background.
pub async fn start(config: &ServeConfig) -> Result<RunningServer, ServerError> {
    let data = config.data.clone();
    crate::data_dir::create_private(&data)
        .map_err(|source| io("creating data directory", data.display(), source))?;
    let configured = config.operator_token.clone();
    // Bound first: a cluster node advertises the address it listens on.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| io("binding", config.listen, source))?;
    let addr = listener
        .local_addr()
        .map_err(|source| io("reading address of", config.listen, source))?;
    let advertise = match &config.advertise {
        Some(url) => url.clone(),
        None if config.cluster && addr.ip().is_unspecified() => {
            return Err(ServerError::NoAdvertise(addr));
        }
        None => format!("http://{addr}"),
    };
    let mut opened = {
        let data = data.clone();
        let config = config.clone();
        tokio::task::spawn_blocking(move || -> Result<Opened, ServerError> {
            let opened = crate::backend::open(&config, &advertise)?;
            bootstrap(&opened.directory, &data, configured.as_deref())?;
            Ok(opened)
        })
        .await
        .map_err(|e| ServerError::Task(e.to_string()))??
    };
    let lock = opened.lock.take();
    let cluster = opened.cluster.clone();
    let pg_alone = opened.pg.clone();
    let (state, outbox) = assemble(config, opened).await?;
    let mut cluster_tasks = Vec::new();
    if let Some(node) = cluster {
        let (handing, records) = (node.clone(), Arc::clone(state.logbook().records()));
        let handed = tokio::task::spawn_blocking(move || {
            let journal = RecordJournal::new(records, true);
            crate::cluster::handover::from_single_node(&handing.pg, handing.id, &journal)
        })
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
        .map_err(ServerError::Cluster)?;
        if handed.agents + handed.calls > 0 {
            tracing::info!(
                agents = handed.agents,
                calls = handed.calls,
                "took over the live state a single node left in this database"
            );
        }
        let joining = node.clone();
        tokio::task::spawn_blocking(move || crate::cluster::members::join(&joining))
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?
            .map_err(|e| ServerError::Cluster(crate::cluster::ClusterError::Store(e)))?;
        tracing::info!(node = node.id, url = %node.url, "joined the cluster: serving");
        state.join_cluster(node.clone());
        cluster_tasks.extend(crate::cluster::members::spawn(node.clone(), state.clone()));
        if let Some(outbox) = outbox {
            cluster_tasks.extend(crate::cluster::feed::spawn(node, state.clone(), outbox));
        }
    }
    if state.cluster().is_none()
        && let Some(pg) = pg_alone
    {
        let records = Arc::clone(state.logbook().records());
        let taken = tokio::task::spawn_blocking(move || {
            let journal = RecordJournal::new(records, true);
            crate::cluster::handover::to_single_node(&pg, &journal)
        })
        .await
        .map_err(|e| ServerError::Task(e.to_string()))?
        .map_err(ServerError::Cluster)?;
        if taken.agents + taken.counters > 0 {
            tracing::info!(
                agents = taken.agents,
                counters = taken.counters,
                "took back the live state a cluster left in this database"
            );
        }
    }
    let lock_watch = lock.map(|lock| crate::backend::watch_lock(lock, state.clone()));
    let restoring = state.clone();
    let restored = tokio::task::spawn_blocking(move || {
        restoring.restore_calls(&restoring.calls(), crate::calls::clock::now_ms())
    })
    .await
    .map_err(|e| ServerError::Task(e.to_string()))?
    .map_err(ServerError::Restore)?;
    tracing::info!(
        durable = state.calls().is_durable(),
        agents = restored.agents,
        calls = restored.calls,
        repaired = restored.repaired,
        "restored live state"
    );
    state.calls().spawn_sweeper();
    let recovery = crate::recovery::spawn(state.clone());
    let calls = state.calls();
    // Not awaited: start-up does not wait for it.
    drop(tokio::task::spawn_blocking(move || {
        calls.policies().warm_up()
    }));
    tracing::info!(%addr, data = %data.display(), "listening");

    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let app = crate::http::router(state.clone());
    let directory = Arc::clone(state.directory());
    let leaving = state.cluster().cloned();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ignored = stop_rx.await;
            })
            .await
            .map_err(|source| io("serving on", addr, source));
        tracing::info!("shutting down: flushing the database");
        let flushed = tokio::task::spawn_blocking(move || directory.flush())
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?;
        recovery.abort();
        for task in cluster_tasks {
            task.abort();
        }
        if let Some(node) = leaving {
            // From now on this node acts on nothing (its sweeper stops offering queued calls):
            // the others adopt what is still live here at their next beat.
            node.standing.revoke();
            let left = tokio::task::spawn_blocking(move || {
                crate::cluster::members::leave(&node.pg, node.id)
            })
            .await;
            if let Ok(Err(e)) = left {
                tracing::warn!(error = %e, "could not tell the cluster this node is leaving");
            }
        }
        // Releases the node lock (PostgreSQL): a standby may take over now.
        if let Some(watch) = lock_watch {
            watch.abort();
            let _ignored = watch.await;
        }
        served?;
        flushed?;
        Ok(())
    });
    Ok(RunningServer {
        addr,
        state,
        stop: Some(stop_tx),
        task,
    })
}

/// Builds the engine, the call centre and the stores, and restores active policies (loaded
/// lazily) and their state.
async fn assemble(
    config: &ServeConfig,
    opened: Opened,
) -> Result<(AppState, Option<crate::cluster::feed::Outbox>), ServerError> {
    let engine_config = EngineConfig {
        deadline: std::time::Duration::from_millis(config.policy_deadline_ms),
        memory_limit_bytes: config.policy_memory_mib << 20,
        fuel_per_call: config.policy_fuel,
        ..EngineConfig::default()
    };
    let max_policy_bytes = config.max_policy_bytes;
    let policy_cache = config.policy_cache;
    let Opened {
        directory,
        records,
        files,
        cluster,
        ..
    } = opened;
    let policy_cache_bytes = config.policy_cache_mib.saturating_mul(1 << 20);
    let volatile_live_state = config.volatile_live_state;
    let max_call_ms = config.max_call_secs.saturating_mul(1_000);
    tokio::task::spawn_blocking(
        move || -> Result<(AppState, Option<crate::cluster::feed::Outbox>), ServerError> {
            let engine = PolicyEngine::new(engine_config)
                .map_err(|e| ServerError::Policies(e.to_string()))?;
            let logbook = LogBook::new(Arc::clone(&records));
            let store = PolicyStore::new(
                records,
                files.map(Arc::new),
                engine.clone(),
                max_policy_bytes,
            );
            let cache = PolicyCache::new(Arc::new(store.clone()), policy_cache, policy_cache_bytes);
            let policies = Policies::new(engine, Arc::new(logbook.clone()), cache);
            for (company, state) in logbook.policy_states().map_err(ServerError::PolicyState)? {
                policies.load_state(company, state);
            }
            let activations = store
                .activations()
                .map_err(|e| ServerError::Policies(e.to_string()))?;
            tracing::info!(
                policies = activations.len(),
                "restored active policies (each loaded on its first decision)"
            );
            policies.restore(activations.into_iter().map(|a| {
                let active = ActivePolicy {
                    name: a.name,
                    version: a.version,
                    config: a.config,
                };
                (a.company_id, active)
            }));
            let directory = Arc::new(directory);
            let roster: Arc<dyn crate::calls::Roster> =
                Arc::new(crate::calls::CachedRoster::new(Arc::clone(&directory)));
            let journal = Arc::new(RecordJournal::new(
                Arc::clone(logbook.records()),
                !volatile_live_state,
            ));
            let settings = CallSettings { max_call_ms };
            let mut outbox = None;
            let calls = Arc::new(match cluster {
                None => CallCenter::new(roster, journal, policies, settings),
                Some(node) => CallCenter::clustered(
                    roster,
                    Arc::new(crate::cluster::ClusterJournal::new(
                        journal,
                        Arc::clone(logbook.records()),
                        node.owners.clone(),
                        node.queue.clone(),
                    )),
                    policies,
                    settings,
                    Arc::new(crate::cluster::SharedAgents::new(
                        Arc::clone(&node.pg),
                        Arc::clone(&node.lazy),
                        node.id,
                        Arc::clone(&node.standing),
                    )),
                    {
                        let (feed, out) = crate::cluster::feed::PushFeed::new();
                        outbox = Some(out);
                        Arc::new(feed)
                    },
                ),
            });
            Ok((AppState::new(directory, calls, logbook, store), outbox))
        },
    )
    .await
    .map_err(|e| ServerError::Task(e.to_string()))?
}

/// Runs the service until `shutdown` completes, then stops gracefully and flushes.
pub async fn serve(
    config: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let server = start(&config).await?;
    shutdown.await;
    tracing::info!("stop requested");
    server.stop().await
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// Makes sure an operator token exists; a generated one goes to `<data>/operator-token`
/// (mode 0600) and only its path is logged.
fn bootstrap(
    directory: &Directory,
    data: &Path,
    configured: Option<&str>,
) -> Result<(), ServerError> {
    match directory.bootstrap_operator(configured)? {
        Bootstrap::Existing => {}
        Bootstrap::Configured => tracing::info!("operator token taken from the configuration"),
        Bootstrap::Generated(secret) => {
            let path = data.join(OPERATOR_TOKEN_FILE);
            write_secret(&path, &secret)?;
            tracing::info!(path = %path.display(), "empty database: generated an operator token, written to this file");
        }
    }
    Ok(())
}

fn write_secret(path: &Path, secret: &str) -> Result<(), ServerError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| io("writing", path.display(), source))?;
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .and_then(|()| writeln!(file, "{secret}"))
        .and_then(|()| file.sync_all())
        .map_err(|source| io("writing", path.display(), source))
}

fn io(what: &'static str, path: impl std::fmt::Display, source: std::io::Error) -> ServerError {
    ServerError::Io {
        what,
        path: path.to_string(),
        source,
    }
}
