//! The WASI sandbox: one linker per engine (the empty WASI context of each decision is
//! `wasi_ctx`'s).
//!
//! Policies built with Rust's std import WASI 0.2, so `wasmtime_wasi::p2` is linked
//! (synchronously), but each store gets an EMPTY context (built on the guest's first
//! WASI call, `lazy_wasi`): no preopens, no env, no args, no network; stdout/stderr go
//! to small capture pipes. The functions a guest would use to reach the outside (or
//! to block the host thread) are shadowed with host functions that record a sandbox
//! violation and trap, so such an attempt is a failure of kind `sandbox-violation`,
//! not a silently empty answer. The program's arguments and environment are the
//! exception: reading them answers empty lists and is not a violation, because
//! nothing of the host is in them and language runtimes read both at start-up
//! (CPython under componentize-py reads `get-arguments`, then `get-environment`;
//! Rust's panic hook reads `RUST_BACKTRACE`).

use wasmtime::component::{HasSelf, Linker};

use crate::bindings::RoutingPolicy;
use crate::store::StoreData;

/// Version of the WASI 0.2 interfaces wasmtime-wasi provides (guests importing an
/// older 0.2.x are matched by semver).
const WASI_VERSION: &str = "0.2.12";

/// WASI functions that are denied: (interface, function, what the guest tried).
const DENIED: &[(&str, &str, &str)] = &[
    (
        "wasi:filesystem/preopens",
        "get-directories",
        "open the filesystem",
    ),
    (
        "wasi:cli/environment",
        "initial-cwd",
        "read the working directory",
    ),
    (
        "wasi:sockets/instance-network",
        "instance-network",
        "use the network",
    ),
    (
        "wasi:sockets/tcp-create-socket",
        "create-tcp-socket",
        "open a TCP socket",
    ),
    (
        "wasi:sockets/udp-create-socket",
        "create-udp-socket",
        "open a UDP socket",
    ),
    (
        "wasi:sockets/ip-name-lookup",
        "resolve-addresses",
        "resolve a host name",
    ),
    (
        "wasi:clocks/monotonic-clock",
        "subscribe-duration",
        "sleep (block the host thread)",
    ),
    (
        "wasi:clocks/monotonic-clock",
        "subscribe-instant",
        "sleep (block the host thread)",
    ),
];

/// Interface namespaces (`wasi:<name>/…@0.2.x`) a policy may import.
pub(crate) const ALLOWED_WASI_PACKAGES: &[&str] =
    &["io", "cli", "clocks", "filesystem", "random", "sockets"];

/// Error returned (as a trap) by a denied WASI function.
#[derive(Debug, thiserror::Error)]
#[error("sandbox violation: the policy tried to {0}")]
pub(crate) struct SandboxViolation(pub(crate) String);

/// Builds the linker shared by every decision of an engine.
pub(crate) fn linker(engine: &wasmtime::Engine) -> wasmtime::Result<Linker<StoreData>> {
    let mut linker = Linker::<StoreData>::new(engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    linker.allow_shadowing(true);
    for &(interface, function, attempt) in DENIED {
        let mut instance = linker.instance(&format!("{interface}@{WASI_VERSION}"))?;
        let what = format!("{attempt} (`{interface}.{function}`)");
        instance.func_new(function, move |mut store, _ty, _params, _results| {
            let data = store.data_mut();
            data.violation.get_or_insert_with(|| what.clone());
            Err(wasmtime::Error::new(SandboxViolation(what.clone())))
        })?;
    }
    // Arguments and environment are answered, with nothing: the context is
    // built empty, but shadowing them makes that independent of the context.
    let mut environment = linker.instance(&format!("wasi:cli/environment@{WASI_VERSION}"))?;
    environment.func_wrap("get-environment", |_store, (): ()| {
        Ok((Vec::<(String, String)>::new(),))
    })?;
    environment.func_wrap("get-arguments", |_store, (): ()| {
        Ok((Vec::<String>::new(),))
    })?;
    linker.allow_shadowing(false);
    RoutingPolicy::add_to_linker::<StoreData, HasSelf<crate::host_impl::HostCtx>>(
        &mut linker,
        |data| &mut data.host,
    )?;
    Ok(linker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_links_on_a_default_engine() {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        let engine = wasmtime::Engine::new(&config).unwrap();
        assert!(linker(&engine).is_ok());
    }
}
