//! [`Pg`]: the PostgreSQL backend's connections and the bridge from the store traits'
//! synchronous methods to the asynchronous client. The connections are driven by a runtime of
//! their own (one thread), so a caller blocked waiting on an answer, even on a worker of the
//! service's runtime, never starves the task that delivers it. Every operation is bounded by
//! one timeout (connecting included); past it, or when the server cannot be reached, it fails
//! with [`StoreError::Unavailable`] and the next operation connects again.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient, NoTls, Statement};

use crate::store::StoreError;

/// How many times an operation is retried when PostgreSQL aborts it for a serialization
/// failure or a deadlock.
const RETRIES: usize = 8;

/// Settings of a [`Pg`].
#[derive(Debug, Clone)]
pub struct PgSettings {
    /// At most this many connections.
    pub max_connections: usize,
    /// Bound on one operation, connecting included.
    pub timeout: Duration,
}

impl Default for PgSettings {
    fn default() -> Self {
        Self {
            max_connections: 16,
            timeout: Duration::from_secs(5),
        }
    }
}

/// A connection with its prepared statements.
pub struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Conn {
    /// The client, for a transaction.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    /// `sql` prepared once per connection.
    pub async fn prepared(
        &mut self,
        sql: &'static str,
    ) -> Result<Statement, tokio_postgres::Error> {
        prepared(&mut self.statements, &self.client, sql).await
    }

    /// The client for a transaction and the statement cache beside it.
    pub fn split(&mut self) -> (&mut Client, &mut HashMap<&'static str, Statement>) {
        (&mut self.client, &mut self.statements)
    }
}

/// `sql` from `cache`, prepared through `client` (a client or a transaction) when missing.
pub async fn prepared(
    cache: &mut HashMap<&'static str, Statement>,
    client: &impl GenericClient,
    sql: &'static str,
) -> Result<Statement, tokio_postgres::Error> {
    if let Some(statement) = cache.get(sql) {
        return Ok(statement.clone());
    }
    let statement = client.prepare(sql).await?;
    cache.insert(sql, statement.clone());
    Ok(statement)
}

/// A pool of connections to one PostgreSQL database.
pub struct Pg {
    /// Kept only to shut it down without blocking (a runtime dropped on an async task panics).
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    config: tokio_postgres::Config,
    idle: Mutex<Vec<Conn>>,
    permits: Arc<tokio::sync::Semaphore>,
    timeout: Duration,
    settings: PgSettings,
    url: String,
}

impl std::fmt::Debug for Pg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pg").field("url", &self.url).finish()
    }
}

impl Pg {
    /// A pool for `url` (`postgres://user[:password]@host:port/database`); connects lazily.
    pub fn new(url: &str, settings: &PgSettings) -> Result<Self, StoreError> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| StoreError::Unavailable {
                detail: format!("not a PostgreSQL connection string ({url}): {e}"),
                source: Some(e),
            })?;
        config
            .connect_timeout(settings.timeout)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(10))
            .application_name("switchyard");
        Self::with_config(config, settings, redact(url))
    }

    /// Another pool to the same database whose sessions start with `options` (for example
    /// `-c synchronous_commit=off`), with the same settings.
    pub fn with_session_options(&self, options: &str) -> Result<Self, StoreError> {
        let mut config = self.config.clone();
        config.options(options);
        Self::with_config(config, &self.settings, self.url.clone())
    }

    fn with_config(
        config: tokio_postgres::Config,
        settings: &PgSettings,
        url: String,
    ) -> Result<Self, StoreError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("switchyard-pg")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable {
                detail: format!("cannot start the database client's runtime: {e}"),
                source: None,
            })?;
        Ok(Self {
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
            config,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(tokio::sync::Semaphore::new(settings.max_connections.max(1))),
            timeout: settings.timeout,
            settings: settings.clone(),
            url,
        })
    }

    /// The connection string without its password, for logs.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `work` on a pooled connection and waits for it, bounded by the timeout; retried
    /// when PostgreSQL aborts it for a serialization failure or a deadlock.
    pub fn run<T>(
        &self,
        work: impl AsyncFn(&mut Conn) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, StoreError> {
        self.bounded(self.attempts(&work))
    }

    /// Waits for `work` (a statement on a [`Pg::dedicated`] connection, say), bounded by the
    /// timeout.
    pub fn block<T>(
        &self,
        work: impl Future<Output = Result<T, tokio_postgres::Error>>,
    ) -> Result<T, StoreError> {
        self.bounded(async { work.await.map_err(classify) })
    }

    fn bounded<T>(
        &self,
        work: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let blocking = Blocking::here();
        let _entered = self.handle.enter();
        let timeout = self.timeout;
        blocking.wait(async {
            match tokio::time::timeout(timeout, work).await {
                Ok(result) => result,
                Err(_) => Err(StoreError::Unavailable {
                    detail: format!("no answer within {} ms", timeout.as_millis()),
                    source: None,
                }),
            }
        })
    }

    /// Runs a future on the client's runtime (for tasks that outlive one operation, such as a
    /// listener) and returns its handle.
    pub fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(task)
    }

    /// A dedicated connection outside the pool (for session-level locks and listening), with
    /// its connection driven on the client's runtime.
    pub fn dedicated(&self) -> Result<Client, StoreError> {
        self.bounded(async { self.connect().await.map(|conn| conn.client) })
    }

    /// Listens on `channel` on a connection of its own: each notification sends `()` on the
    /// receiver, which closes when the connection ends. Keep the client: dropping it ends the
    /// connection.
    pub fn listen(
        &self,
        channel: &'static str,
    ) -> Result<(Client, tokio::sync::mpsc::UnboundedReceiver<()>), StoreError> {
        self.bounded(async {
            let (client, mut connection) = self.open().await?;
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            self.handle.spawn(async move {
                loop {
                    match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                        Some(Ok(tokio_postgres::AsyncMessage::Notification(_))) => {
                            if tx.send(()).is_err() {
                                break;
                            }
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "listening connection ended");
                            break;
                        }
                        None => break,
                    }
                }
            });
            client
                .batch_execute(&format!("LISTEN {channel}"))
                .await
                .map_err(classify)?;
            Ok((client, rx))
        })
    }

    async fn attempts<T>(
        &self,
        work: &impl AsyncFn(&mut Conn) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, StoreError> {
        let _permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable {
                detail: "the connection pool is closed".into(),
                source: None,
            })?;
        let mut attempt = 0;
        loop {
            let mut conn = self.checkout().await?;
            let result = work(&mut conn).await;
            let healthy = match &result {
                Ok(_) => true,
                Err(e) => !e.is_closed() && e.code().is_some(),
            };
            if healthy && !conn.client.is_closed() {
                self.checkin(conn);
            }
            match result {
                Ok(value) => return Ok(value),
                Err(e) if retryable(&e) && attempt < RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(1 << attempt.min(6))).await;
                }
                Err(e) => return Err(classify(e)),
            }
        }
    }

    async fn checkout(&self) -> Result<Conn, StoreError> {
        let idle = self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
        match idle {
            Some(conn) if !conn.client.is_closed() => Ok(conn),
            _ => self.connect().await,
        }
    }

    fn checkin(&self, conn: Conn) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
    }

    /// A new connection: the client, and the connection to drive.
    async fn open(
        &self,
    ) -> Result<
        (
            Client,
            tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>,
        ),
        StoreError,
    > {
        self.config
            .connect(NoTls)
            .await
            .map_err(|e| StoreError::Unavailable {
                detail: format!("cannot connect to {}: {e}", self.url),
                source: Some(e),
            })
    }

    async fn connect(&self) -> Result<Conn, StoreError> {
        let (client, connection) = self.open().await?;
        self.handle.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "database connection ended");
            }
        });
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Whether PostgreSQL asks for the transaction to be run again.
fn retryable(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
    )
}

/// A client error as a store error: lost connections and a server shutting down are
/// [`StoreError::Unavailable`], a refused unique key is [`StoreError::IndexConflict`].
pub fn classify(e: tokio_postgres::Error) -> StoreError {
    let unavailable = match e.code() {
        None => true,
        Some(code) => {
            code.code().starts_with("08")
                || *code == SqlState::ADMIN_SHUTDOWN
                || *code == SqlState::CRASH_SHUTDOWN
                || *code == SqlState::CANNOT_CONNECT_NOW
        }
    };
    if unavailable {
        return StoreError::Unavailable {
            detail: e.to_string(),
            source: Some(e),
        };
    }
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        let constraint = e
            .as_db_error()
            .and_then(|db| db.constraint())
            .unwrap_or("")
            .to_owned();
        let detail = e
            .as_db_error()
            .and_then(|db| db.detail())
            .unwrap_or("")
            .to_owned();
        return StoreError::IndexConflict {
            index: index_name(&constraint),
            key: detail,
        };
    }
    StoreError::Postgres(e)
}

/// The directory index a unique constraint stands for (the names the sled backend uses).
fn index_name(constraint: &str) -> &'static str {
    match constraint {
        "agent_identities_pkey" => "idx_identity",
        "memberships_extension_key" => "idx_extension",
        "tokens_id_key" => "idx_token_ids",
        "tokens_agent_key" => "idx_agent_token",
        "companies_sip_domain_key" => "idx_sip_domain",
        _ => "unique constraint",
    }
}

/// `url` with any password replaced, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user_info = &url[scheme + 3..at];
            match user_info.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// How this thread may block: a worker of a multi-threaded tokio runtime first hands its other
/// tasks to the pool (`block_in_place`); any other thread just waits.
#[derive(Clone, Copy)]
enum Blocking {
    Worker,
    Plain,
}

impl Blocking {
    /// Decided before entering the client's runtime, which would hide the caller's.
    fn here() -> Self {
        let on_worker = tokio::runtime::Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
        if on_worker { Self::Worker } else { Self::Plain }
    }

    /// Runs `future` to completion on this thread.
    fn wait<F: Future>(self, future: F) -> F::Output {
        match self {
            Self::Worker => tokio::task::block_in_place(|| park_on(future)),
            Self::Plain => park_on(future),
        }
    }
}

struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

fn park_on<F: Future>(future: F) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_stay_out_of_logs() {
        assert_eq!(
            redact("postgres://sy:secret@127.0.0.1:5432/db"),
            "postgres://sy:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            redact("postgres://sy@127.0.0.1:5432/db"),
            "postgres://sy@127.0.0.1:5432/db"
        );
    }

    #[test]
    fn an_unreachable_server_is_unavailable_within_the_timeout() {
        let pg = Pg::new(
            "postgres://sy@127.0.0.1:1/none",
            &PgSettings {
                max_connections: 1,
                timeout: Duration::from_secs(2),
            },
        )
        .unwrap();
        let err = pg
            .run(async |conn| conn.client().simple_query("SELECT 1").await.map(|_| ()))
            .unwrap_err();
        assert!(matches!(err, StoreError::Unavailable { .. }), "{err:?}");
    }
}
