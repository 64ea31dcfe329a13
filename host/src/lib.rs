//! Switchyard: routes phone calls to human agents shared across several companies. This
//! crate is the service: configuration, the HTTP API and the server around the tenant
//! directory (`switchyard-directory`) and the policy runtime (`switchyard-runtime`).
//!
//! Its modules are layers, declared below in this order, each importing only from those
//! declared before it (`tests/api/architecture.rs` checks it):
//!
//! - `data_dir`: the private (0700) data and database directories; `request_counts`: HTTP
//!   request counters; `group_commit`: the record store's writes, one fsync at a time, writes
//!   during an fsync queued instead of waiting for it.
//! - `calls` (the `switchyard-calls` crate, re-exported): the call flow (decisions, one live
//!   call per agent, overflow, queues, traces, presence board) with typed ids and values, its
//!   embedded journal (`journal_store`) and durable call logs (`logbook`).
//! - `policy`: uploaded policy versions and their activation (`store`), `replay` and
//!   `simulate`.
//! - `cluster`: several nodes serving one PostgreSQL database at once (`--cluster`): agents'
//!   live state shared in the database, call owners, heartbeats and adoption of a dead node's
//!   calls, the revision that invalidates caches across nodes.
//! - `app`: [`AppState`], what every handler shares; `recovery`: after a failed commit, the
//!   call flow restored from the database and put in place of the poisoned one.
//! - `http`: the `/v1` API, one file per resource, its error type and extractors, forwarding
//!   to the node that holds a call, the metrics text, and the OpenAPI document.
//! - `commands`: `switchyard policy check|simulate|upload|activate|rollback|list|new`;
//!   `config`: the command line (`switchyard serve --data --listen --operator-token
//!   --log-format`, every flag also an environment variable).
//! - `backend`: which database holds everything: sled in `--data`, or PostgreSQL (`--store`)
//!   with its node lock; `server`: opening it, bootstrapping the operator token, serving until
//!   SIGINT/SIGTERM, flushing on the way out ([`server::start`] lets tests run the real server
//!   on `127.0.0.1:0`).
//! - `store_copy`: `switchyard store copy` from sled into PostgreSQL; `kamailio_bridge`:
//!   `switchyard kamailio-bridge`, relaying later decisions from `/v1/kamailio/stream` to
//!   Kamailio's evapi; `telemetry`: structured `tracing` logs (text or JSON), a request id per
//!   request.

pub mod data_dir;
pub mod group_commit;
pub mod request_counts;

pub mod policy;

pub mod cluster;

pub mod app;

pub mod recovery;

pub mod http;

pub mod commands;

pub mod config;

pub mod backend;

pub mod server;

pub mod kamailio_bridge;
pub mod store_copy;
pub mod telemetry;

pub use app::AppState;
pub use switchyard_calls as calls;
pub use switchyard_calls::{journal_store, logbook};
