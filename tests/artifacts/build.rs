//! Builds every guest component (the shipped plugins and the test-only
//! guests) with ONE `cargo build --target wasm32-wasip2 --profile guest` and
//! writes their paths to `$OUT_DIR/artifacts.rs`, included by `src/lib.rs`.
//!
//! The inner cargo uses its own target directory (`<workspace>/target/guests`)
//! so it never waits on the lock held by the outer cargo, and runs without
//! the outer build's flags (see [`LEAKY_ENV`]). The Python and JavaScript
//! guests (`foreign.rs`) are built next, with the pinned componentize-py and
//! componentize-js it installs under `target/guests/tools/` when missing.

mod foreign;

use std::{
    env,
    fmt::Write as _,
    fs, io,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

/// The target guests are built for.
const TARGET: &str = "wasm32-wasip2";
/// The cargo profile guests are built with (root `Cargo.toml`).
const PROFILE: &str = "guest";

/// Shipped policies: (policy name = package name, constant name).
const SHIPPED: &[(&str, &str)] = &[
    ("longest-idle", "LONGEST_IDLE"),
    ("round-robin", "ROUND_ROBIN"),
    ("ring-all", "RING_ALL"),
    ("fewest-calls", "FEWEST_CALLS"),
    ("skills-tier", "SKILLS_TIER"),
    ("business-hours", "BUSINESS_HOURS"),
];

/// Test-only guests: (package name, constant name).
const TEST_GUESTS: &[(&str, &str)] = &[
    ("hostile", "HOSTILE"),
    ("wrong-world", "WRONG_WORLD"),
    ("always-traps", "ALWAYS_TRAPS"),
    ("always-loops", "ALWAYS_LOOPS"),
    ("overflow-rules", "OVERFLOW_RULES"),
];

/// Environment of the outer build that must not reach the inner one: flags
/// meant for the host target, the outer jobserver, and clippy's wrapper when
/// this runs under `cargo clippy`.
const LEAKY_ENV: &[&str] = &[
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_TARGET_DIR",
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    "CARGO_PRIMARY_PACKAGE",
    "RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CLIPPY_CONF_DIR",
    "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS",
];

/// Source directories (relative to the workspace root) whose changes rebuild
/// the guests.
const SOURCES: &[&str] = &[
    "wit",
    "guest-sdk",
    "guest-sdk-py",
    "guest-sdk-js",
    "plugins",
    "tests/guests",
    "Cargo.toml",
    "Cargo.lock",
];

fn main() {
    if let Err(message) = run() {
        panic!("\n\nswitchyard-artifacts: {message}\n\n");
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let workspace = manifest_dir
        .parent()
        .and_then(Path::parent)
        .ok_or("tests/artifacts is not two levels below the workspace root")?
        .to_path_buf();
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);
    let target_dir = workspace.join("target").join("guests");

    for source in SOURCES {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(source).display()
        );
    }

    ensure_target_installed()?;
    build_guests(&workspace, &target_dir)?;

    let wasm_dir = target_dir.join(TARGET).join(PROFILE);
    let mut code = generate(&wasm_dir)?;
    code.push_str(&foreign::Foreign::new(&workspace, &target_dir).build()?);
    fs::write(out_dir.join("artifacts.rs"), code)
        .map_err(|e| format!("cannot write artifacts.rs: {e}"))
}

fn env_var(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("cargo did not set {name}"))
}

/// Installs the wasm32-wasip2 standard library with rustup if it is missing.
fn ensure_target_installed() -> Result<(), String> {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run `{rustc} --print sysroot`: {e}"))?;
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    if Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .is_dir()
    {
        return Ok(());
    }
    println!("cargo:warning=installing the {TARGET} target with rustup");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .stdout(Stdio::from(io::stderr()))
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!(
            "the {TARGET} target is missing and `rustup target add {TARGET}` failed ({s}); \
             install it by hand (the guests cannot be built without it)"
        )),
        Err(e) => Err(format!(
            "the {TARGET} target is missing and rustup could not be run ({e}); \
             install the target for toolchain `{sysroot}` by hand"
        )),
    }
}

/// Runs the single inner `cargo build` for every guest.
fn build_guests(workspace: &Path, target_dir: &Path) -> Result<(), String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(workspace)
        .args(["build", "--target", TARGET, "--profile", PROFILE]);
    for (package, _) in SHIPPED.iter().chain(TEST_GUESTS) {
        cmd.args(["-p", package]);
    }
    for var in LEAKY_ENV {
        cmd.env_remove(var);
    }
    cmd.env("CARGO_TARGET_DIR", target_dir)
        // Keep cargo's stdout free of anything but our own `cargo:` lines.
        .stdout(Stdio::from(io::stderr()));
    eprintln!("running: {cmd:?}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "building the guest components failed ({status}); the compiler output is above"
        ))
    }
}

/// The text of `artifacts.rs`: one constant per guest plus `SHIPPED`.
fn generate(wasm_dir: &Path) -> Result<String, String> {
    let mut code = String::new();
    let all = SHIPPED
        .iter()
        .map(|g| (g, "shipped policy"))
        .chain(TEST_GUESTS.iter().map(|g| (g, "test-only guest")));
    for ((package, constant), kind) in all {
        let path = wasm_dir.join(format!("{}.wasm", package.replace('-', "_")));
        if !path.is_file() {
            return Err(format!("cargo succeeded but {} is missing", path.display()));
        }
        let path = path.to_str().ok_or("target path is not UTF-8")?;
        let _ = writeln!(
            code,
            "/// Path of the `{package}` component ({kind}).\npub const {constant}: &str = {path:?};"
        );
    }
    code.push_str(
        "/// The shipped policies: (policy name, component path), the default \
         (`longest-idle`) first.\npub const SHIPPED: &[(&str, &str)] = &[\n",
    );
    for (package, constant) in SHIPPED {
        let _ = writeln!(code, "    ({package:?}, {constant}),");
    }
    code.push_str("];\n");
    Ok(code)
}
