//! The Python and JavaScript SDKs' own unit tests and those of the ports built on them, run
//! natively (pytest; node's test runner) with the tools `build.rs` installed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use switchyard_artifacts::{JS_TOOLS, PYTHON_TOOLS};

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `cmd`, failing the test with its output unless it succeeds.
fn run(mut cmd: Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// pytest in `dir`, without writing caches into the source tree.
fn pytest(dir: &str) {
    let bindings = Path::new(PYTHON_TOOLS).join("../../py-bindings");
    let mut cmd = Command::new("python3");
    cmd.current_dir(workspace().join(dir))
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .env("PYTHONPATH", PYTHON_TOOLS)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("SWITCHYARD_BINDINGS_DIR", bindings);
    run(cmd, &format!("pytest in {dir}"));
}

/// `node --test` in `dir`.
fn node_test(dir: &str) {
    let mut cmd = Command::new("node");
    cmd.current_dir(workspace().join(dir))
        .arg("--test")
        .env("SWITCHYARD_JCO", Path::new(JS_TOOLS).join("jco"));
    run(cmd, &format!("node --test in {dir}"));
}

#[test]
fn python_sdk_unit_tests_pass() {
    pytest("guest-sdk-py");
}

#[test]
fn python_ports_unit_tests_pass() {
    pytest("plugins/longest-idle/py");
    pytest("plugins/round-robin/py");
}

#[test]
fn javascript_sdk_unit_tests_pass() {
    node_test("guest-sdk-js");
}

#[test]
fn javascript_ports_unit_tests_pass() {
    node_test("plugins/longest-idle/js");
    node_test("plugins/round-robin/js");
}
