//! The tests' own PostgreSQL server: `initdb` into a temp dir (as the `postgres` user when the
//! tests run as root, since PostgreSQL refuses root), listening on a random loopback port, and
//! a fresh database for every test server. Started once per test process when the tests run
//! on PostgreSQL (`SWITCHYARD_TEST_STORE=postgres`); a watcher stops it (by its pid) when the
//! test process ends, however it ends. Missing PostgreSQL is a failure, never a skip: it is
//! installed with apt-get where that is possible.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use switchyard_directory::pg::{Pg, PgSettings};

/// Which backend the test servers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// sled in the server's data directory (the default).
    Sled,
    /// The tests' PostgreSQL (`SWITCHYARD_TEST_STORE=postgres`).
    Postgres,
}

/// The backend chosen by `SWITCHYARD_TEST_STORE` (`sled`, the default, or `postgres`).
pub fn backend() -> Backend {
    match std::env::var("SWITCHYARD_TEST_STORE").as_deref() {
        Ok("postgres") => Backend::Postgres,
        Ok("sled") | Err(_) => Backend::Sled,
        Ok(other) => panic!("SWITCHYARD_TEST_STORE={other}: expected sled or postgres"),
    }
}

/// A running PostgreSQL server.
pub struct Cluster {
    port: u16,
    bin: PathBuf,
    dir: PathBuf,
    root: bool,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DATABASES: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
static NEXT_DB: AtomicU64 = AtomicU64::new(1);
static NEXT_CLUSTER: AtomicU64 = AtomicU64::new(1);

/// The shared cluster, started on first use.
pub fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| Cluster::start().unwrap_or_else(|e| panic!("{e}")))
}

/// The database a test server over `data` uses: created on first use, the same one for every
/// later server over the same `data` (a restart sees what the last run stored).
pub fn database_for(data: &Path) -> String {
    let mut known = DATABASES.lock().unwrap();
    if let Some((_, url)) = known.iter().find(|(d, _)| d == data) {
        return url.clone();
    }
    let url = cluster().fresh_database();
    known.push((data.to_owned(), url.clone()));
    url
}

/// Flags pointing a spawned `switchyard serve --data <data>` at the tests' backend.
pub fn serve_args(data: &Path) -> Vec<String> {
    match backend() {
        Backend::Sled => Vec::new(),
        Backend::Postgres => vec!["--store".to_owned(), database_for(data)],
    }
}

/// Records versus indexes of what a (stopped) server over `data` stored: must be empty.
pub fn stored_inconsistencies(data: &Path) -> Vec<String> {
    use switchyard_directory::Directory;
    match backend() {
        Backend::Sled => Directory::open(&data.join("db"))
            .unwrap()
            .check_consistency()
            .unwrap(),
        Backend::Postgres => {
            let pg = Pg::new(&database_for(data), &PgSettings::default()).unwrap();
            let store = switchyard_directory::pg::PgStore::new(std::sync::Arc::new(pg));
            switchyard_directory::Store::check_consistency(&store).unwrap()
        }
    }
}

impl Cluster {
    /// The connection string of `database`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::Relaxed)
        );
        let admin = Pg::new(&self.url("postgres"), &PgSettings::default()).unwrap();
        admin
            .run(async |conn| {
                conn.client()
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .await
            })
            .unwrap();
        self.url(&name)
    }

    /// A cluster of its own (for a test that stops it), on a random loopback port. A watcher
    /// stops it when this test process is gone, however it ends; dropping it stops it too.
    pub fn start() -> Result<Self, String> {
        let bin = binaries()?;
        let root = is_root();
        let dir = std::env::temp_dir().join(format!(
            "switchyard-pg-{}-{}",
            std::process::id(),
            NEXT_CLUSTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ignored = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        if root {
            run(Command::new("chown").args(["postgres:postgres"]).arg(&dir))?;
        }
        let cluster = Self {
            port: crate::kamailio::local::free_tcp_port(),
            bin,
            dir,
            root,
        };
        run(cluster
            .as_owner("initdb")
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "-D",
            ])
            .arg(cluster.data()))?;
        cluster.resume()?;
        // Stops the server and removes its files when this test process is gone.
        let watcher = format!(
            "while [ -d /proc/{tests} ]; do sleep 1; done; \
             {pg_ctl} -D {data} stop -m immediate; rm -rf {dir}",
            tests = std::process::id(),
            pg_ctl = cluster.bin.join("pg_ctl").display(),
            data = cluster.data().display(),
            dir = cluster.dir.display(),
        );
        let mut sh = cluster.as_owner_cmd("sh");
        sh.args(["-c", &watcher])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = sh
            .spawn()
            .map_err(|e| format!("starting the watcher: {e}"))?;
        std::thread::spawn(move || child.wait());
        Ok(cluster)
    }

    /// Stops the server (fast shutdown: connections are cut).
    pub fn stop(&self) -> Result<(), String> {
        run(self
            .as_owner("pg_ctl")
            .args(["stop", "-m", "fast", "-w", "-D"])
            .arg(self.data()))
    }

    /// Starts the (stopped) server again on its port and waits until it answers.
    pub fn resume(&self) -> Result<(), String> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c max_connections=400 -c shared_buffers=64MB",
            self.port,
            self.dir.display()
        );
        run(self
            .as_owner("pg_ctl")
            .args(["start", "-w", "-t", "60", "-l"])
            .arg(self.dir.join("server.log"))
            .args(["-o", &options, "-D"])
            .arg(self.data()))?;
        let probe = Pg::new(
            &self.url("postgres"),
            &PgSettings {
                max_connections: 1,
                timeout: Duration::from_secs(2),
            },
        )
        .map_err(|e| e.to_string())?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match probe.run(async |conn| conn.client().simple_query("SELECT 1").await) {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() > deadline => {
                    let log =
                        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                    return Err(format!("postgres did not start: {e}\n{log}"));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Freezes (`SIGSTOP`) or thaws (`SIGCONT`) the server and every backend it forked: it
    /// then accepts connections and statements but never answers, like a hung host.
    pub fn freeze(&self, frozen: bool) -> Result<(), String> {
        let pid_file = std::fs::read_to_string(self.data().join("postmaster.pid"))
            .map_err(|e| format!("reading postmaster.pid: {e}"))?;
        let postmaster = pid_file
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let children = Command::new("pgrep")
            .args(["-P", &postmaster])
            .output()
            .map_err(|e| format!("pgrep: {e}"))?;
        let mut pids: Vec<String> = String::from_utf8_lossy(&children.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        pids.push(postmaster);
        let signal = if frozen { "-STOP" } else { "-CONT" };
        run(Command::new("kill").arg(signal).args(&pids))
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn as_owner(&self, program: &str) -> Command {
        self.as_owner_cmd(&self.bin.join(program).to_string_lossy())
    }

    fn as_owner_cmd(&self, program: &str) -> Command {
        if self.root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--", program]);
            c
        } else {
            Command::new(program)
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ignored = self
            .as_owner("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.data())
            .output();
        let _ignored = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory of PostgreSQL's server programs, installing PostgreSQL with apt-get when it
/// is missing.
fn binaries() -> Result<PathBuf, String> {
    let find = || {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.path().join("bin"))
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        dirs.reverse();
        let path = std::env::var_os("PATH").unwrap_or_default();
        dirs.extend(std::env::split_paths(&path));
        dirs.into_iter()
            .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    };
    if let Some(dir) = find() {
        return Ok(dir);
    }
    eprintln!("PostgreSQL is missing: installing it with apt-get");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "postgresql"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    find().ok_or_else(|| {
        "PostgreSQL's initdb and postgres are missing and apt-get could not install them: \
         install PostgreSQL 15 (apt-get install postgresql), or run the tests on sled"
            .to_owned()
    })
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|e| format!("{command:?} could not run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        .unwrap_or(false)
}
