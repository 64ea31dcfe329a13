//! Integration tests of the HTTP API: the real server on `127.0.0.1:0` with a real sled
//! database in a temp dir (and, for the crash test, the real `switchyard` binary). One test
//! binary with one module per concern.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod active_active;
mod architecture;
mod calls_audit;
mod calls_flow;
mod calls_policies;
mod calls_restart;
mod calls_stress;
mod calls_stuck;
mod calls_support;
mod calls_sweeper;
mod calls_troubleshoot;
mod cli;
mod conformance;
mod crash_load;
mod crash_support;
mod cut_proxy;
mod durability;
mod flows;
mod fuzz_api;
mod fuzz_support;
mod hostile_load;
mod isolation;
mod kamailio;
mod malformed;
mod new_user;
mod openapi;
mod ops;
mod pg_cluster;
mod policies_languages;
mod policy_cache;
mod policy_lifecycle;
mod policy_templates;
mod policy_upload;
mod postgres;
mod quarantine;
mod seeds;
mod sip_adapter;
mod support;
