//! Running the service: open the store, make sure an operator token exists (`bootstrap`),
//! assemble the policies and the call flow (`assemble`), join a cluster or take back what one
//! left (`cluster_start`), restore live state, serve the API until told to stop, then flush.
//! [`serve`] is what the binary runs; [`start`] gives tests the real server on any port and a
//! handle to stop it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use switchyard_directory::{Directory, DirectoryError};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::app::AppState;
use crate::backend::Opened;
use crate::config::ServeConfig;

mod assemble;
mod bootstrap;
mod cluster_start;

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
    /// Stored policy state could not be read.
    #[error("reading policy state")]
    PolicyState(#[source] switchyard_directory::StoreError),
    /// Live state could not be restored.
    #[error("restoring live state")]
    Restore(#[source] crate::calls::CallError),
    /// The store could not be opened.
    #[error(transparent)]
    Backend(#[from] crate::backend::BackendError),
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
    crate::data_dir::create_private(&config.data)
        .map_err(|source| io("creating data directory", config.data.display(), source))?;
    // Bound first: a cluster node advertises the address it listens on.
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| io("binding", config.listen, source))?;
    let addr = listener
        .local_addr()
        .map_err(|source| io("reading address of", config.listen, source))?;
    let mut opened = open(config, addr).await?;
    let lock = opened.lock.take();
    let (cluster, pg_alone) = (opened.cluster.clone(), opened.pg.clone());
    let (state, outbox) = assemble::assemble(config, opened).await?;
    let cluster_tasks = match (cluster, pg_alone) {
        (Some(node), _) => cluster_start::join(&state, node, outbox).await?,
        (None, Some(pg)) => {
            cluster_start::take_back(&state, pg).await?;
            Vec::new()
        }
        (None, None) => Vec::new(),
    };
    let lock_watch = lock.map(|lock| crate::backend::watch_lock(lock, state.clone()));
    restore(&state).await?;
    state.calls().spawn_sweeper();
    let background = Background {
        recovery: crate::recovery::spawn(state.clone()),
        cluster_tasks,
        lock_watch,
    };
    let calls = state.calls();
    // Not awaited: start-up does not wait for it.
    drop(tokio::task::spawn_blocking(move || {
        calls.policies().warm_up()
    }));
    tracing::info!(%addr, data = %config.data.display(), "listening");

    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let serving = Serving {
        app: crate::http::router(state.clone()),
        directory: Arc::clone(state.directory()),
        leaving: state.cluster().cloned(),
    };
    let task = tokio::spawn(serving.run(listener, addr, stop_rx, background));
    Ok(RunningServer {
        addr,
        state,
        stop: Some(stop_tx),
        task,
    })
}

/// Opens the store `config` names and makes sure an operator token exists; a cluster node
/// bound to `addr` advertises it unless `--advertise` says otherwise.
async fn open(config: &ServeConfig, addr: SocketAddr) -> Result<Opened, ServerError> {
    let advertise = match &config.advertise {
        Some(url) => url.clone(),
        None if config.cluster && addr.ip().is_unspecified() => {
            return Err(ServerError::NoAdvertise(addr));
        }
        None => format!("http://{addr}"),
    };
    let config = config.clone();
    tokio::task::spawn_blocking(move || -> Result<Opened, ServerError> {
        let opened = crate::backend::open(&config, &advertise)?;
        bootstrap::bootstrap(
            &opened.directory,
            &config.data,
            config.operator_token.as_deref(),
        )?;
        Ok(opened)
    })
    .await
    .map_err(|e| ServerError::Task(e.to_string()))?
}

/// Restores live state from the database into `state`'s call flow.
async fn restore(state: &AppState) -> Result<(), ServerError> {
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
    Ok(())
}

/// The tasks that run beside the server until it stops.
struct Background {
    /// Restores a poisoned call flow from the database.
    recovery: JoinHandle<()>,
    /// A cluster node's heartbeats, adoption and feed.
    cluster_tasks: Vec<JoinHandle<()>>,
    /// Watches PostgreSQL's node lock.
    lock_watch: Option<JoinHandle<()>>,
}

/// What the serving task holds: the routes, and what it closes when serving ends.
struct Serving {
    app: axum::Router,
    directory: Arc<Directory>,
    /// This node, when it is one of a cluster (it leaves on the way out).
    leaving: Option<crate::cluster::ClusterNode>,
}

impl Serving {
    /// Serves on `listener` until `stop`, then flushes the database, stops `background`,
    /// leaves the cluster and releases the node lock.
    async fn run(
        self,
        listener: tokio::net::TcpListener,
        addr: SocketAddr,
        stop: oneshot::Receiver<()>,
        background: Background,
    ) -> Result<(), ServerError> {
        let Self {
            app,
            directory,
            leaving,
        } = self;
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ignored = stop.await;
            })
            .await
            .map_err(|source| io("serving on", addr, source));
        tracing::info!("shutting down: flushing the database");
        let flushed = tokio::task::spawn_blocking(move || directory.flush())
            .await
            .map_err(|e| ServerError::Task(e.to_string()))?;
        background.recovery.abort();
        for task in background.cluster_tasks {
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
        if let Some(watch) = background.lock_watch {
            watch.abort();
            let _ignored = watch.await;
        }
        served?;
        flushed?;
        Ok(())
    }
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

/// A file or socket error, saying what was done on what.
fn io(what: &'static str, path: impl std::fmt::Display, source: std::io::Error) -> ServerError {
    ServerError::Io {
        what,
        path: path.to_string(),
        source,
    }
}
