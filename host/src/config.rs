//! The command line: `switchyard serve` and its flags, each also read from an environment
//! variable (`SWITCHYARD_DATA`, `SWITCHYARD_LISTEN`, `SWITCHYARD_OPERATOR_TOKEN`,
//! `SWITCHYARD_MAX_CALL_SECS`, `SWITCHYARD_VOLATILE_LIVE_STATE`, `SWITCHYARD_LOG_FORMAT`, ...).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Switchyard: routes phone calls to agents shared across companies.
#[derive(Debug, Parser)]
#[command(name = "switchyard", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service.
    Serve(ServeConfig),
    /// Work with policy components offline (no server needed).
    #[command(subcommand)]
    Policy(crate::commands::PolicyCommand),
    /// Move a deployment's data between stores.
    #[command(subcommand)]
    Store(StoreCommand),
    /// Relay later call decisions from a Switchyard server to Kamailio's evapi (run beside
    /// Kamailio; see integrations/kamailio).
    KamailioBridge(BridgeConfig),
}

/// `switchyard kamailio-bridge`
#[derive(Debug, Clone, Args)]
pub struct BridgeConfig {
    /// Base URL of the Switchyard server.
    #[arg(
        long,
        alias = "switchyard",
        env = "SWITCHYARD_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub url: String,
    /// The SIP server's telephony token.
    #[arg(long, env = "SWITCHYARD_TOKEN", hide_env_values = true)]
    pub token: String,
    /// Kamailio's evapi address (its `evapi` `bind_addr`).
    #[arg(long, env = "SWITCHYARD_EVAPI", default_value = "127.0.0.1:8448")]
    pub evapi: String,
    /// Start after this update `seq`. The default, 0, replays every update Switchyard still
    /// retains (the latest 8,192) before the live ones, so what was decided while the bridge
    /// was down still reaches Kamailio: the configuration acts only on updates for the calls it
    /// holds queued, and only on those of a later step than their queue answer.
    #[arg(long, default_value_t = 0)]
    pub after: u64,
    /// Log format.
    #[arg(long, env = "SWITCHYARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// `switchyard store ...`
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy a sled data directory (stop its service first) into an empty PostgreSQL database:
    /// directory, call logs and traces, policies and their files, activations and history,
    /// policy state and live state; then count both sides. A non-empty target is refused.
    Copy {
        /// The sled service's data directory (its `--data`).
        #[arg(long)]
        from: PathBuf,
        /// The PostgreSQL database, `postgres://USER[:PASSWORD]@HOST:PORT/DATABASE` (empty).
        #[arg(long, value_parser = parse_store)]
        to: String,
    },
}

/// How to run the service.
#[derive(Clone, Args)]
pub struct ServeConfig {
    /// Directory of the sled database (created if missing). With `--store` it holds only the
    /// generated operator token, if any.
    #[arg(long, env = "SWITCHYARD_DATA", default_value = "./data")]
    pub data: PathBuf,
    /// Keep everything in this PostgreSQL database instead of sled
    /// (`postgres://USER[:PASSWORD]@HOST:PORT/DATABASE`); the schema is created and migrated at
    /// start. One node serves a database at a time: another node started on it waits as a
    /// standby and takes over when the first stops or dies.
    #[arg(long, env = "SWITCHYARD_STORE", hide_env_values = true, value_parser = parse_store)]
    pub store: Option<String>,
    /// Serve the `--store` database together with other nodes started with `--cluster`
    /// (active-active behind any HTTP load balancer) instead of one node at a time: agents'
    /// live state is kept in the database, each call is carried by the node that took it, and
    /// a node that stops answering has its calls adopted by another.
    #[arg(
        long,
        env = "SWITCHYARD_CLUSTER",
        requires = "store",
        conflicts_with = "volatile_live_state"
    )]
    pub cluster: bool,
    /// The URL other cluster nodes reach this one at (default: `http://` and the address it
    /// listens on).
    #[arg(long, env = "SWITCHYARD_ADVERTISE", requires = "cluster", value_parser = parse_advertise)]
    pub advertise: Option<String>,
    /// Longest a database operation may take (connecting included) before the request
    /// answers 503 `store_unavailable`, milliseconds.
    #[arg(long, env = "SWITCHYARD_STORE_TIMEOUT_MS", default_value_t = 2_000,
        value_parser = clap::value_parser!(u64).range(100..=60_000))]
    pub store_timeout_ms: u64,
    /// Address to listen on; port 0 picks a free port (logged at start).
    #[arg(long, env = "SWITCHYARD_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Operator token to accept (at least 16 characters). Without it, the first start on an
    /// empty database writes a generated one to `<data>/operator-token`.
    #[arg(long, env = "SWITCHYARD_OPERATOR_TOKEN", hide_env_values = true)]
    pub operator_token: Option<String>,
    /// Wall-clock budget of one policy decision, milliseconds.
    #[arg(long, env = "SWITCHYARD_POLICY_DEADLINE_MS", default_value_t = 10)]
    pub policy_deadline_ms: u64,
    /// Largest memory one policy instance may use, MiB.
    #[arg(long, env = "SWITCHYARD_POLICY_MEMORY_MIB", default_value_t = 32)]
    pub policy_memory_mib: usize,
    /// Fuel per policy decision (deterministic CPU limit); off by default.
    #[arg(long, env = "SWITCHYARD_POLICY_FUEL")]
    pub policy_fuel: Option<u64>,
    /// Largest policy component accepted at upload, bytes.
    #[arg(long, env = "SWITCHYARD_MAX_POLICY_BYTES", default_value_t = crate::policy::DEFAULT_MAX_POLICY_BYTES)]
    pub max_policy_bytes: usize,
    /// Company policy versions kept compiled in memory (a Rust policy ~1–1.5 MiB); the least
    /// recently used beyond this (or beyond `--policy-cache-mib`) are dropped and loaded again
    /// from their precompiled artifact (a few milliseconds) on their next decision.
    #[arg(long, env = "SWITCHYARD_POLICY_CACHE", default_value_t = crate::calls::DEFAULT_POLICY_CACHE,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub policy_cache: usize,
    /// MiB of compiled policy code kept in memory (a Python or JavaScript policy ~35 MiB, a
    /// Rust one ~0.5 MiB); the most recently used policy stays whatever its size.
    #[arg(long, env = "SWITCHYARD_POLICY_CACHE_MIB", default_value_t = crate::calls::DEFAULT_POLICY_CACHE_BYTES >> 20,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_048_576))]
    pub policy_cache_mib: usize,
    /// Longest a connected call may last without an `ended` event, seconds: then it is
    /// ended as `expired` and its agent freed (a lost event must not hold a shared agent).
    #[arg(long, env = "SWITCHYARD_MAX_CALL_SECS", default_value_t = crate::calls::DEFAULT_MAX_CALL_MS / 1_000,
        value_parser = clap::value_parser!(u64).range(60..=604_800))]
    pub max_call_secs: u64,
    /// Keep live state (agents' presence and engagements, live calls, queues) in memory only:
    /// a restart forgets it. For tests and benchmarks; the default persists it.
    #[arg(long, env = "SWITCHYARD_VOLATILE_LIVE_STATE")]
    pub volatile_live_state: bool,
    /// Log format.
    #[arg(long, env = "SWITCHYARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl std::fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeConfig")
            .field("data", &self.data)
            .field(
                "store",
                &self.store.as_deref().map(switchyard_directory::pg::redact),
            )
            .field("cluster", &self.cluster)
            .field("advertise", &self.advertise)
            .field("store_timeout_ms", &self.store_timeout_ms)
            .field("listen", &self.listen)
            .field(
                "operator_token",
                &self.operator_token.as_ref().map(|_| "<redacted>"),
            )
            .field("policy_deadline_ms", &self.policy_deadline_ms)
            .field("policy_memory_mib", &self.policy_memory_mib)
            .field("policy_fuel", &self.policy_fuel)
            .field("max_policy_bytes", &self.max_policy_bytes)
            .field("policy_cache", &self.policy_cache)
            .field("policy_cache_mib", &self.policy_cache_mib)
            .field("max_call_secs", &self.max_call_secs)
            .field("volatile_live_state", &self.volatile_live_state)
            .field("log_format", &self.log_format)
            .finish()
    }
}

impl ServeConfig {
    /// A configuration for `data` on `listen`, other settings default (for tests and embedders).
    pub fn new(data: impl Into<PathBuf>, listen: SocketAddr) -> Self {
        Self {
            data: data.into(),
            store: None,
            cluster: false,
            advertise: None,
            store_timeout_ms: 2_000,
            listen,
            operator_token: None,
            policy_deadline_ms: 10,
            policy_memory_mib: 32,
            policy_fuel: None,
            max_policy_bytes: crate::policy::DEFAULT_MAX_POLICY_BYTES,
            policy_cache: crate::calls::DEFAULT_POLICY_CACHE,
            policy_cache_mib: crate::calls::DEFAULT_POLICY_CACHE_BYTES >> 20,
            max_call_secs: crate::calls::DEFAULT_MAX_CALL_MS / 1_000,
            volatile_live_state: false,
            log_format: LogFormat::Text,
        }
    }
}

/// A `--store` value that is not a PostgreSQL connection string.
#[derive(Debug, thiserror::Error)]
#[error(
    "expected a PostgreSQL connection string, postgres://USER[:PASSWORD]@HOST:PORT/DATABASE \
     (leave --store out to keep the embedded sled database in --data)"
)]
pub struct NotPostgres;

/// An `--advertise` value that is not an http(s) URL.
#[derive(Debug, thiserror::Error)]
#[error("expected the URL other nodes reach this one at, such as http://10.0.0.5:8080")]
pub struct NotUrl;

/// An `--advertise` value: an http(s) URL.
fn parse_advertise(value: &str) -> Result<String, NotUrl> {
    if value.starts_with("http://") || value.starts_with("https://") {
        Ok(value.trim_end_matches('/').to_owned())
    } else {
        Err(NotUrl)
    }
}

/// A `--store` value: a PostgreSQL connection string.
fn parse_store(value: &str) -> Result<String, NotPostgres> {
    if value.starts_with("postgres://") || value.starts_with("postgresql://") {
        Ok(value.to_owned())
    } else {
        Err(NotPostgres)
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}
