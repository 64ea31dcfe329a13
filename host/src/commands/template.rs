//! `switchyard policy new`: a policy project from a template, in Rust, Python or JavaScript.
//!
//! Each template is a longest-idle policy to edit, with a unit test and the build command in
//! its README. The Python and JavaScript templates carry their SDK and `wit/policy.wit`, copied
//! from this build of Switchyard, so the project needs nothing but the language's tools.

use std::path::{Path, PathBuf};

use super::policy::{EXIT_ERROR, EXIT_OK, EXIT_REFUSED};

/// The language of a new policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// A crate of this workspace, built with `cargo --target wasm32-wasip2`.
    Rust,
    /// A componentize-py project.
    Python,
    /// A componentize-js project.
    Js,
}

impl Lang {
    /// Where a project goes when `--dir` is not given: Rust crates join the workspace's
    /// `plugins/`; others (not cargo packages) go to the current directory.
    fn default_dir(self) -> &'static Path {
        match self {
            Self::Rust => Path::new("plugins"),
            Self::Python | Self::Js => Path::new("."),
        }
    }

    /// The template's own files, (path in the project, text with `NAME` and `NAME_US` to
    /// fill), and the files copied as they are (the SDK, the WIT).
    fn files(self) -> (&'static [File], &'static [File]) {
        match self {
            Self::Rust => (RUST, &[]),
            Self::Python => (PYTHON, PYTHON_SDK),
            Self::Js => (JS, JS_SDK),
        }
    }

    /// What to do next, printed after the project is written.
    fn next_steps(self, name: &str, root: &Path) -> String {
        let root = root.display();
        let underscored = name.replace('-', "_");
        match self {
            Self::Rust => format!(
                "created {root}: test with `cargo test -p {name}`, build with \
                 `cargo build -p {name} --profile guest --target wasm32-wasip2` \
                 (target/wasm32-wasip2/guest/{underscored}.wasm)"
            ),
            Self::Python | Self::Js => {
                format!("created {root}: its README.md gives the test and build commands")
            }
        }
    }
}

/// A file of a template: its path in the project and its text.
type File = (&'static str, &'static str);

/// The contract, copied into Python and JavaScript projects.
const WIT: File = ("wit/policy.wit", include_str!("../../../wit/policy.wit"));

const RUST: &[File] = &[
    ("Cargo.toml", include_str!("template/rust/Cargo.toml")),
    ("src/lib.rs", include_str!("template/rust/lib.rs")),
    ("README.md", include_str!("template/rust/README.md")),
];

/// Files of an SDK directory `$root`, each at the same path in the project, then `$extra`.
macro_rules! sdk {
    ($root:literal, [$($file:literal),+ $(,)?], $extra:expr) => {
        [$(($file, include_str!(concat!($root, "/", $file)))),+, $extra]
    };
}

const PYTHON: &[File] = &[
    ("app.py", include_str!("template/python/app.py")),
    ("test_app.py", include_str!("template/python/test_app.py")),
    ("conftest.py", include_str!("template/python/conftest.py")),
    ("README.md", include_str!("template/python/README.md")),
    ("scenario.json", include_str!("template/scenario.json")),
];

const PYTHON_SDK: &[File] = &sdk!(
    "../../../guest-sdk-py",
    [
        "switchyard_bindings.py",
        "switchyard_policy/__init__.py",
        "switchyard_policy/config.py",
        "switchyard_policy/defaults.py",
        "switchyard_policy/host.py",
        "switchyard_policy/memory.py",
        "switchyard_policy/order.py",
        "switchyard_policy/plan.py",
        "switchyard_policy/policy.py",
        "switchyard_policy/select.py",
        "switchyard_policy/skills.py",
        "switchyard_policy/state.py",
        "switchyard_policy/testing.py",
        "switchyard_policy/types.py",
        "switchyard_policy/wasm_host.py",
    ],
    WIT
);

const JS: &[File] = &[
    ("policy.js", include_str!("template/js/policy.js")),
    ("component.js", include_str!("template/js/component.js")),
    ("policy.test.js", include_str!("template/js/policy.test.js")),
    ("package.json", include_str!("template/js/package.json")),
    ("README.md", include_str!("template/js/README.md")),
    ("scenario.json", include_str!("template/scenario.json")),
    (".gitignore", include_str!("template/js/gitignore")),
];

const JS_SDK: &[File] = &sdk!(
    "../../../guest-sdk-js",
    [
        "switchyard/config.js",
        "switchyard/defaults.js",
        "switchyard/export.js",
        "switchyard/fields.js",
        "switchyard/host.js",
        "switchyard/index.js",
        "switchyard/json.js",
        "switchyard/memory-host.js",
        "switchyard/order.js",
        "switchyard/package.json",
        "switchyard/plan.js",
        "switchyard/policy.js",
        "switchyard/select.js",
        "switchyard/skills.js",
        "switchyard/state.js",
        "switchyard/testing.js",
        "switchyard/text.js",
        "switchyard/types.js",
        "switchyard/wasm-host.js",
    ],
    WIT
);

/// Write a new `lang` policy project `name` under `dir` (see [`Lang::default_dir`]); returns
/// the exit code.
pub fn create(name: &str, dir: Option<&Path>, lang: Lang) -> u8 {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid {
        eprintln!("error: {name:?} is not a policy name: use lower-case letters, digits and `-`");
        return EXIT_REFUSED;
    }
    let root: PathBuf = dir.unwrap_or(lang.default_dir()).join(name);
    if root.exists() {
        eprintln!("error: {} already exists", root.display());
        return EXIT_REFUSED;
    }
    let underscored = name.replace('-', "_");
    let (own, copied) = lang.files();
    let own = own.iter().map(|&(path, text)| {
        let text = text.replace("NAME_US", &underscored).replace("NAME", name);
        (path, text)
    });
    let copied = copied.iter().map(|&(path, text)| (path, text.to_owned()));
    for (path, text) in own.chain(copied) {
        let path = root.join(path);
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write {}: {e}", path.display());
            return EXIT_ERROR;
        }
    }
    eprintln!("{}", lang.next_steps(name, &root));
    EXIT_OK
}
