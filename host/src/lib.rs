//! Switchyard: routes phone calls to human agents shared across several companies. This
//! crate is the service: configuration, the HTTP API and the server around the tenant
//! directory (`switchyard-directory`) and the policy runtime (`switchyard-runtime`).
//!
//! - `config`: the command line (`switchyard serve --data --listen --operator-token
//!   --log-format`), every flag also an environment variable.
//! - `app`: [`AppState`], what every handler shares.
//! - `http`: the `/v1` API, one file per resource, its error type and extractors, and the
//!   OpenAPI document generated from the handlers.
//! - `data_dir`: the private (0700) data and database directories.
//! - `backend`: which database holds everything: sled in `--data`, or PostgreSQL (`--store`)
//!   with its node lock; `store_copy`: `switchyard store copy` from sled into PostgreSQL.
//! - `cluster`: several nodes serving one PostgreSQL database at once (`--cluster`): agents'
//!   live state shared in the database, call owners and forwarding, heartbeats and adoption
//!   of a dead node's calls, the revision that invalidates caches across nodes.
//! - `recovery`: after a failed commit, the call flow restored from the database and put in
//!   place of the poisoned one.
//! - `server`: opening the database, bootstrapping the operator token, serving until
//!   SIGINT/SIGTERM, flushing on the way out; [`server::start`] lets tests run the real server
//!   on `127.0.0.1:0`.
//! - `calls`: the call flow (decisions, one live call per agent, overflow, queues, traces,
//!   presence board); `journal_store`: the embedded journal of live state and finished calls'
//!   logs; `logbook`: durable call logs (stored as `log_codec` encodes them) and
//!   policy state; `group_commit`: their record store, one fsync at a time, writes during an
//!   fsync queued instead of waiting for it.
//! - `policy`: uploaded policy versions and their activation (`store`), the host's own JSON
//!   forms of a policy's inputs and answers (`io`), `switchyard policy check|simulate`
//!   (`cli`) and `upload|activate|rollback|list|new` (`remote`), and `replay`.
//! - `kamailio_bridge`: `switchyard kamailio-bridge`, relaying later decisions from
//!   `/v1/kamailio/stream` to Kamailio's evapi.
//! - `telemetry`: structured `tracing` logs (text or JSON), a request id per request.

pub mod app;
pub mod backend;
pub mod calls;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod data_dir;
pub mod group_commit;
pub mod http;
pub mod journal_store;
pub mod kamailio_bridge;
pub mod logbook;
pub mod policy;
pub mod recovery;
pub mod request_counts;
pub mod server;
pub mod store_copy;
pub mod telemetry;

pub use app::AppState;
