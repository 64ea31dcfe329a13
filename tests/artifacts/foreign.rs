//! Python and JavaScript guests: installs the pinned componentize-py and componentize-js
//! into `target/guests/tools/` when missing, then builds each guest to a component cached by a
//! hash of its sources, so an unchanged guest is not rebuilt (a build takes 5–20 s).

use std::{
    fmt::Write as _,
    fs, io,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use sha2::{Digest, Sha256};

/// componentize-py and pytest, from PyPI.
const PY_PACKAGES: &[&str] = &["componentize-py==0.25.0", "pytest==8.4.2"];
/// componentize-js and jco, from npm.
const JS_PACKAGES: &[&str] = &[
    "@bytecodealliance/componentize-js@0.23.0",
    "@bytecodealliance/jco@1.35.0",
];

/// Python guests: (directory under the workspace, constant name).
const PY_GUESTS: &[(&str, &str)] = &[
    ("plugins/longest-idle/py", "PY_LONGEST_IDLE"),
    ("plugins/round-robin/py", "PY_ROUND_ROBIN"),
    ("tests/guests/hostile/py", "PY_HOSTILE"),
];
/// JavaScript guests: (directory under the workspace, constant name).
const JS_GUESTS: &[(&str, &str)] = &[
    ("plugins/longest-idle/js", "JS_LONGEST_IDLE"),
    ("plugins/round-robin/js", "JS_ROUND_ROBIN"),
];

/// Directories whose contents every guest of a language depends on.
const PY_SHARED: &[&str] = &["wit", "guest-sdk-py"];
const JS_SHARED: &[&str] = &["wit", "guest-sdk-js"];

/// Where the tools and the built guests live.
pub struct Foreign {
    workspace: PathBuf,
    python_tools: PathBuf,
    js_tools: PathBuf,
    out: PathBuf,
}

impl Foreign {
    /// Under `guests_dir` (`target/guests`).
    pub fn new(workspace: &Path, guests_dir: &Path) -> Self {
        Self {
            workspace: workspace.to_path_buf(),
            python_tools: guests_dir.join("tools/py"),
            js_tools: guests_dir.join("tools/js"),
            out: guests_dir.join("foreign"),
        }
    }

    /// Installs what is missing, builds what changed, and returns the `artifacts.rs` lines.
    pub fn build(&self) -> Result<String, String> {
        self.install_python()?;
        self.install_js()?;
        fs::create_dir_all(&self.out).map_err(|e| format!("cannot create {:?}: {e}", self.out))?;
        let mut pending = Vec::new();
        let mut current = Vec::new();
        let mut code = String::new();
        for (dir, constant, lang) in PY_GUESTS
            .iter()
            .map(|(d, c)| (d, c, Lang::Python))
            .chain(JS_GUESTS.iter().map(|(d, c)| (d, c, Lang::Js)))
        {
            let out = self.out.join(format!("{}.wasm", self.key(lang, dir)?));
            current.push(out.clone());
            if !out.is_file() {
                let tmp = out.with_extension("tmp.wasm");
                pending.push((self.spawn(lang, dir, &tmp)?, *dir, tmp, out.clone()));
            }
            let path = out.to_str().ok_or("target path is not UTF-8")?;
            let _ = writeln!(
                code,
                "/// Path of the {} guest built from `{dir}`.\npub const {constant}: &str = {path:?};",
                lang.name()
            );
        }
        for (child, dir, tmp, out) in pending {
            let done = child
                .wait_with_output()
                .map_err(|e| format!("building {dir}: {e}"))?;
            if !done.status.success() {
                return Err(format!(
                    "building the guest in {dir} failed ({}):\n{}{}",
                    done.status,
                    String::from_utf8_lossy(&done.stdout),
                    String::from_utf8_lossy(&done.stderr)
                ));
            }
            let _ = fs::remove_dir_all(tmp.with_extension("stage"));
            fs::rename(&tmp, &out).map_err(|e| {
                format!(
                    "building {dir} succeeded but {} cannot be moved: {e}",
                    tmp.display()
                )
            })?;
        }
        prune(&self.out, &current)?;
        for (constant, path, what) in [
            (
                "PYTHON_TOOLS",
                &self.python_tools,
                "componentize-py and pytest (a PYTHONPATH entry)",
            ),
            (
                "JS_TOOLS",
                &self.js_tools.join("node_modules/.bin"),
                "componentize-js and jco (`node_modules/.bin`)",
            ),
        ] {
            let path = path.to_str().ok_or("target path is not UTF-8")?;
            let _ = writeln!(
                code,
                "/// Where {what} are installed.\npub const {constant}: &str = {path:?};"
            );
        }
        Ok(code)
    }

    /// The cache key of a guest: its language's tools and every file it is built from.
    fn key(&self, lang: Lang, dir: &str) -> Result<String, String> {
        let mut hash = Sha256::new();
        let (packages, shared) = match lang {
            Lang::Python => (PY_PACKAGES, PY_SHARED),
            Lang::Js => (JS_PACKAGES, JS_SHARED),
        };
        hash.update(packages.join("\n"));
        for source in shared.iter().chain([&dir]) {
            hash_tree(&mut hash, &self.workspace, &self.workspace.join(source))
                .map_err(|e| format!("cannot read {source}: {e}"))?;
        }
        let name = dir.replace('/', "-");
        Ok(format!("{name}-{}", &hex::encode(hash.finalize())[..16]))
    }

    /// Starts the build of the guest in `dir` into `tmp`.
    fn spawn(&self, lang: Lang, dir: &str, tmp: &Path) -> Result<Child, String> {
        let mut source = self.workspace.join(dir);
        let mut cmd = match lang {
            Lang::Python => {
                // componentize-py writes `__pycache__` next to the sources it imports: build
                // from a copy, so the source tree (watched by `rerun-if-changed`) stays as it is.
                let stage = tmp.with_extension("stage");
                let _ = fs::remove_dir_all(&stage);
                copy_tree(&source, &stage.join("app"))
                    .and_then(|()| {
                        copy_tree(&self.workspace.join("guest-sdk-py"), &stage.join("sdk"))
                    })
                    .map_err(|e| format!("cannot stage {dir}: {e}"))?;
                source = stage.join("app");
                let mut cmd = Command::new("python3");
                cmd.env("PYTHONPATH", &self.python_tools)
                    .args(["-c", "import sys, componentize_py; sys.argv[0] = 'componentize-py'; componentize_py.script()"])
                    .arg("-d")
                    .arg(self.workspace.join("wit"))
                    .args(["-w", "routing-policy", "componentize", "app", "-p"])
                    .arg(&source)
                    .arg("-p")
                    .arg(stage.join("sdk"))
                    .arg("-o")
                    .arg(tmp);
                cmd
            }
            Lang::Js => {
                let mut cmd = Command::new("bash");
                cmd.arg(self.workspace.join("guest-sdk-js/build.sh"))
                    .arg(&source)
                    .arg(tmp)
                    .env(
                        "SWITCHYARD_COMPONENTIZE_JS",
                        self.js_tools.join("node_modules/.bin/componentize-js"),
                    );
                cmd
            }
        };
        eprintln!("running: {cmd:?}");
        cmd.current_dir(&source)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the build of {dir}: {e}"))
    }

    /// `pip install --target` the Python tools unless this exact set is there.
    fn install_python(&self) -> Result<(), String> {
        let mut pip = Command::new("python3");
        pip.args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
        ])
        .arg(&self.python_tools)
        .args(PY_PACKAGES);
        install(
            &self.python_tools,
            PY_PACKAGES,
            pip,
            "python3 -m pip install (Python 3.10+ with pip is needed to build the Python guests)",
        )
    }

    /// `npm install --prefix` the JavaScript tools unless this exact set is there.
    fn install_js(&self) -> Result<(), String> {
        let mut npm = Command::new("npm");
        npm.args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&self.js_tools)
        .args(JS_PACKAGES);
        install(
            &self.js_tools,
            JS_PACKAGES,
            npm,
            "npm install (Node.js 18+ with npm is needed to build the JavaScript guests)",
        )
    }
}

/// Runs `installer` into a fresh `dir` unless `dir` holds exactly `packages` (its marker file
/// says so), then writes the marker.
fn install(
    dir: &Path,
    packages: &[&str],
    mut installer: Command,
    what: &str,
) -> Result<(), String> {
    let marker = dir.join(".switchyard-packages");
    let wanted = packages.join("\n");
    if fs::read_to_string(&marker).is_ok_and(|m| m == wanted) {
        return Ok(());
    }
    println!("cargo:warning=installing {}", packages.join(", "));
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir:?}: {e}"))?;
    // npm installs into the nearest package.json's folder: make it this one.
    fs::write(dir.join("package.json"), "{\"private\": true}\n")
        .map_err(|e| format!("cannot write package.json: {e}"))?;
    run(&mut installer, what)?;
    fs::write(&marker, wanted).map_err(|e| format!("cannot write {marker:?}: {e}"))
}

/// A guest language.
#[derive(Clone, Copy)]
enum Lang {
    Python,
    Js,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Self::Python => "Python",
            Self::Js => "JavaScript",
        }
    }
}

/// Runs `cmd` to completion, its output on our stderr.
fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    cmd.stdout(Stdio::from(io::stderr()));
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what} failed ({s}); its output is above")),
        Err(e) => Err(format!("cannot run {what}: {e}")),
    }
}

/// Removes the components in `dir` that are not in `current` (builds of older sources).
fn prune(dir: &Path, current: &[PathBuf]) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot list {dir:?}: {e}"))?;
    for entry in entries.flatten() {
        if !current.contains(&entry.path()) {
            let _ = fs::remove_file(entry.path());
        }
    }
    Ok(())
}

/// Copies the tree at `from` to `to`, leaving out caches (see [`SKIPPED`]).
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    if fs::metadata(from)?.is_dir() {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            let name = entry.file_name();
            if !name.to_str().is_some_and(|n| SKIPPED.contains(&n)) {
                copy_tree(&entry.path(), &to.join(name))?;
            }
        }
        Ok(())
    } else {
        fs::copy(from, to).map(drop)
    }
}

/// Directories neither hashed nor staged: caches and generated bindings.
const SKIPPED: &[&str] = &[
    "__pycache__",
    ".pytest_cache",
    "node_modules",
    ".switchyard-bindings",
];

/// Feeds every file under `path` (sorted, skipping caches and test files) into `hash`.
fn hash_tree(hash: &mut Sha256, root: &Path, path: &Path) -> io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if SKIPPED.contains(&name) {
        return Ok(());
    }
    let meta = fs::metadata(path)?;
    if meta.is_dir() {
        println!("cargo:rerun-if-changed={}", path.display());
        let mut entries: Vec<_> = fs::read_dir(path)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            hash_tree(hash, root, &entry.path())?;
        }
    } else {
        let relative = path.strip_prefix(root).unwrap_or(path);
        hash.update(relative.to_string_lossy().as_bytes());
        hash.update([0]);
        hash.update(fs::read(path)?);
        hash.update([0]);
    }
    Ok(())
}
