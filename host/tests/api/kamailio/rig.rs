//! The processes of a Kamailio test: Kamailio with `integrations/kamailio/kamailio.cfg`, the
//! bridge (`switchyard kamailio-bridge`, the built binary), agents' phones and a voicemail
//! server (SIPp UAS), callers (SIPp UAC). Every process listens on 127.0.0.1 on free ports
//! and is stopped by its pid when its handle drops (SIGTERM, then SIGKILL). Every wait is
//! bounded; a process that misses its deadline fails the test with its log.

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

pub use super::local::free_udp_port;
use super::local::{find, free_tcp_port, sipp_side_ports, udp_port_taken};
use crate::support::{Client, Server};

/// How to install what these tests need (CI runs `.ci/run`, which does).
const INSTALL_HINT: &str = "install them: apt-get install -y kamailio kamailio-utils-modules \
     kamailio-json-modules kamailio-extra-modules sip-tester (.ci/run does it when they are missing)";

/// Generous bound on anything starting (machines are noisy and tests run in parallel).
const START_WITHIN: Duration = Duration::from_secs(60);

/// One Kamailio test at a time: each starts a dozen processes and the load test wants the
/// CPU; the other API tests still run beside them.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Holds the Kamailio tests' turn.
pub async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    SERIAL.lock().await
}

/// `integrations/kamailio/` of this workspace.
pub fn integration_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("integrations")
        .join("kamailio")
}

/// Debian's packages of what these tests run: Kamailio, the modules the configuration loads
/// beyond the base package (http_client, jansson, evapi), and SIPp.
const PACKAGES: [&str; 5] = [
    "kamailio",
    "kamailio-utils-modules",
    "kamailio-json-modules",
    "kamailio-extra-modules",
    "sip-tester",
];

/// The Kamailio modules the configuration needs beyond the base package.
const EXTRA_MODULES: [&str; 3] = ["http_client", "jansson", "evapi"];

/// Whether Kamailio has `module` (Debian puts modules under /usr/lib/<triplet>/kamailio).
fn has_module(module: &str) -> bool {
    let file = format!("{module}.so");
    let mut dirs = vec![PathBuf::from("/usr/lib/kamailio/modules")];
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        dirs.extend(
            entries
                .flatten()
                .map(|e| e.path().join("kamailio").join("modules")),
        );
    }
    dirs.iter().any(|d| d.join(&file).is_file())
}

fn installed() -> bool {
    find("kamailio").is_some()
        && find("sipp").is_some()
        && EXTRA_MODULES.iter().all(|m| has_module(m))
}

/// The outcome of this test binary's one attempt to install the packages.
static INSTALL: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();

/// Makes sure Kamailio, its modules and SIPp are installed: when they are missing, installs
/// them once with apt-get (as `.ci/run` does), so that `cargo test --workspace` works alone on
/// a fresh Debian machine. Where that is impossible (not root, no apt-get) the test fails with
/// the command to run: never skipped.
fn ensure_installed() {
    if installed() {
        return;
    }
    let outcome = INSTALL.get_or_init(|| {
        let apt = |args: &[&str]| {
            std::process::Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status()
                .map_err(|e| format!("apt-get could not run: {e}"))
                .and_then(|s| {
                    if s.success() {
                        Ok(())
                    } else {
                        Err(format!("apt-get {} exited with {s}", args[0]))
                    }
                })
        };
        eprintln!("installing {} with apt-get", PACKAGES.join(" "));
        apt(&["update"])?;
        let mut install = vec!["install", "-y"];
        install.extend(PACKAGES);
        apt(&install)
    });
    if let Err(e) = outcome {
        panic!("Kamailio or SIPp is missing and could not be installed ({e}): {INSTALL_HINT}");
    }
    assert!(installed(), "installed, yet still missing: {INSTALL_HINT}");
}

/// The path of `program`, installing the packages first if anything is missing. Missing
/// after that: the test fails with the install hint (never skipped).
fn tool(program: &str) -> PathBuf {
    ensure_installed();
    find(program).unwrap_or_else(|| panic!("`{program}` is not installed: {INSTALL_HINT}"))
}

/// Polls `check` every 50 ms until it is true; fails the test after `within`.
pub async fn wait_until<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A child process, stopped by its pid when dropped.
pub struct Proc {
    name: String,
    child: tokio::process::Child,
    /// Its stdout and stderr.
    out: PathBuf,
    /// What [`Proc::log`] reads (the output, or a trace file the process writes).
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &str, cmd: &mut tokio::process::Command, log: PathBuf) -> Self {
        Self::spawn_logged(name, cmd, &log.clone(), log)
    }

    /// Output to `out`; [`Proc::log`] reads `log` (another file the process writes).
    fn spawn_logged(
        name: &str,
        cmd: &mut tokio::process::Command,
        out: &Path,
        log: PathBuf,
    ) -> Self {
        let file = std::fs::File::create(out).unwrap();
        let err = file.try_clone().unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name}: {e}"));
        Self {
            name: name.to_owned(),
            child,
            out: out.to_owned(),
            log,
        }
    }

    /// The process's output so far (its last 6000 bytes).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.out).unwrap_or_default();
        let start = text.len().saturating_sub(6000);
        let start = (start..text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        text[start..].to_owned()
    }

    /// The whole output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits for the process to exit, at most `within`; fails the test with its log otherwise.
    async fn exit(&mut self, within: Duration) -> ExitStatus {
        match tokio::time::timeout(within, self.child.wait()).await {
            Ok(status) => status.unwrap(),
            Err(_) => panic!(
                "{} did not finish within {within:?}; its output:\n{}",
                self.name,
                self.log_tail()
            ),
        }
    }

    /// Fails the test (with the log) if the process has exited.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited ({status}); its output:\n{}",
                self.name,
                self.log_tail()
            );
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        // SIGTERM by pid first: Kamailio's main process then stops its children itself.
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            for _ in 0..100 {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.start_kill();
        let _ = self.child.try_wait();
    }
}

/// What a Kamailio rig is started with.
#[derive(Clone, Copy)]
pub struct Options {
    /// Kamailio's `max_branches` (also sent to Switchyard).
    pub max_branches: u16,
    /// SIP worker processes.
    pub workers: u16,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_branches: 12,
            workers: 4,
        }
    }
}

/// How an agent's phone (or the voicemail server) behaves: a scenario of
/// `integrations/kamailio/sipp/`.
#[derive(Clone, Copy, Debug)]
pub enum Uas {
    /// Rings 1 s, answers, holds until BYE.
    Answer,
    /// Rings 8 s, answers, holds until BYE.
    AnswerSlowly,
    /// Rings 0.5 s, 486 Busy Here.
    Decline,
    /// Rings 0.5 s, 480 Temporarily Unavailable.
    Unavailable,
    /// Rings until cancelled.
    NoAnswer,
    /// Answers at once, holds until BYE (voicemail, gateway).
    Voicemail,
}

impl Uas {
    fn file(self) -> &'static str {
        match self {
            Self::Answer => "agent-answer.xml",
            Self::AnswerSlowly => "agent-answer-slow.xml",
            Self::Decline => "agent-decline.xml",
            Self::Unavailable => "agent-unavailable.xml",
            Self::NoAnswer => "agent-noanswer.xml",
            Self::Voicemail => "voicemail.xml",
        }
    }
}

/// How a caller behaves.
#[derive(Clone, Copy, Debug)]
pub enum Uac {
    /// Waits for the answer, talks `hold_ms`, hangs up.
    Talk { hold_ms: u32 },
    /// Must hear ringing (180), waits long for the answer, talks `hold_ms`, hangs up.
    Queued { hold_ms: u32 },
    /// Hangs up (CANCEL) after 1.5 s of ringing.
    Cancel,
    /// Expects to be turned away with 486 Busy Here.
    Busy,
    /// Expects 408 Request Timeout (ringing ran out with no next step).
    TimedOut,
}

/// A SIPp UAS: an agent's phone, the voicemail server or the gateway.
pub struct Phone {
    pub name: String,
    pub port: u16,
    proc: Proc,
}

impl Phone {
    /// Its contact, as it registers it.
    pub fn contact(&self) -> String {
        format!("sip:{}@127.0.0.1:{}", self.name, self.port)
    }

    /// The SIP messages it received and sent so far (SIPp's message trace).
    pub fn messages(&self) -> String {
        self.proc.log()
    }

    /// How many requests of `method` it received whose Request-URI starts with `uri_prefix`.
    pub fn received(&self, method: &str, uri_prefix: &str) -> usize {
        self.messages()
            .lines()
            .filter(|l| l.starts_with(&format!("{method} {uri_prefix}")))
            .count()
    }
}

/// A caller's final SIPp figures.
#[derive(Debug)]
pub struct CallerRun {
    pub exit: ExitStatus,
    pub successful: u64,
    pub failed: u64,
    pub output: String,
}

impl CallerRun {
    /// Every call of this SIPp run succeeded (by its exit code and its statistics).
    #[track_caller]
    pub fn assert_all_succeeded(&self, calls: u64) {
        assert!(
            self.exit.success() && self.failed == 0 && self.successful == calls,
            "caller: exit {}, {} successful, {} failed (of {calls}); output:\n{}",
            self.exit,
            self.successful,
            self.failed,
            self.output
        );
    }
}

/// A running SIPp caller.
pub struct Caller {
    proc: Proc,
    stats: PathBuf,
}

impl Caller {
    /// Waits for SIPp to finish its calls (at most `within`), and reads its statistics.
    pub async fn finish(mut self, within: Duration) -> CallerRun {
        let exit = self.proc.exit(within).await;
        let (successful, failed) = final_counts(&self.stats);
        CallerRun {
            exit,
            successful,
            failed,
            output: self.proc.log_tail(),
        }
    }
}

/// SuccessfulCall(C) and FailedCall(C) from the last line of a SIPp statistics file.
fn final_counts(stats: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(stats).unwrap_or_default();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return (0, 0);
    };
    let Some(last) = lines.next_back() else {
        return (0, 0);
    };
    let names: Vec<&str> = header.split(';').collect();
    let values: Vec<&str> = last.split(';').collect();
    let column = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| values.get(i))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    (column("SuccessfulCall(C)"), column("FailedCall(C)"))
}

/// Kamailio, the bridge, a voicemail server and a gateway, wired to one Switchyard.
pub struct Rig {
    dir: TempDir,
    sipp: PathBuf,
    pub sip_port: u16,
    /// Kamailio's evapi port (the bridge's peer).
    evapi_port: u16,
    pub voicemail: Phone,
    pub gateway: Phone,
    kamailio: Proc,
    /// The bridge now running (none while a test has it stopped).
    bridge: Option<Proc>,
    /// Bridges started so far.
    bridges: usize,
    /// Switchyard's URL and the SIP server's token, to start a bridge again.
    url: String,
    token: String,
    /// The SIP server's own client (its telephony token).
    pub tel: Client,
}

impl Rig {
    /// Starts everything for a SIP server whose telephony token is `token`; returns once the
    /// bridge is connected to Kamailio's evapi (so later decisions reach Kamailio).
    pub async fn start(server: &Server, token: &str, options: Options) -> Self {
        let kamailio_bin = tool("kamailio");
        let sipp = tool("sipp");
        // SWITCHYARD_KEEP_SIP_LOGS=1 keeps every process's log (the path is printed).
        let keep = std::env::var_os("SWITCHYARD_KEEP_SIP_LOGS").is_some();
        let dir = tempfile::Builder::new()
            .prefix("kamailio-test-")
            .disable_cleanup(keep)
            .tempdir()
            .unwrap();
        if keep {
            eprintln!("SIP test logs: {}", dir.path().display());
        }
        let run = dir.path().join("run");
        std::fs::create_dir_all(&run).unwrap();

        let voicemail = spawn_phone(&sipp, dir.path(), "voicemail", Uas::Voicemail);
        let gateway = spawn_phone(&sipp, dir.path(), "gateway", Uas::Voicemail);

        let sip_port = free_udp_port();
        let evapi_port = free_tcp_port();
        let cfg = integration_dir().join("kamailio.cfg");
        let defines = [
            format!("SIP_PORT={sip_port}"),
            format!("SWITCHYARD_URL=\"{}\"", server.base()),
            format!("TELEPHONY_TOKEN=\"{token}\""),
            format!("EVAPI_BIND=\"127.0.0.1:{evapi_port}\""),
            format!("VOICEMAIL_SERVER=\"127.0.0.1:{}\"", voicemail.port),
            format!("GATEWAY=\"127.0.0.1:{}\"", gateway.port),
            format!("MAX_BRANCHES={}", options.max_branches),
            format!("SIP_WORKERS={}", options.workers),
        ];
        let mut cmd = tokio::process::Command::new(&kamailio_bin);
        cmd.arg("-f").arg(&cfg).args(["-DD", "-E"]);
        cmd.arg("-Y").arg(&run).arg("-w").arg(&run);
        for d in &defines {
            cmd.arg("-A").arg(d);
        }
        let mut kamailio = Proc::spawn("kamailio", &mut cmd, dir.path().join("kamailio.log"));

        let mut bridge = spawn_bridge(&server.base(), token, evapi_port, dir.path(), 1);

        // Kamailio is up when its SIP port is bound and the bridge has reached its evapi.
        let deadline = Instant::now() + START_WITHIN;
        loop {
            kamailio.assert_running();
            bridge.assert_running();
            let listening = [sip_port, voicemail.port, gateway.port]
                .into_iter()
                .all(udp_port_taken);
            if listening && kamailio.log().contains("sy: bridge connected") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "Kamailio or the bridge did not start; Kamailio:\n{}\nbridge:\n{}",
                kamailio.log_tail(),
                bridge.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            dir,
            sipp,
            sip_port,
            evapi_port,
            voicemail,
            gateway,
            kamailio,
            bridge: Some(bridge),
            bridges: 1,
            url: server.base(),
            token: token.to_owned(),
            tel: server.client(token),
        }
    }

    /// Stops the bridge (SIGTERM by pid): later decisions no longer reach Kamailio.
    pub fn stop_bridge(&mut self) {
        self.bridge = None;
    }

    /// Starts a new bridge (as after a restart of it, with its default start point) and
    /// returns once Kamailio has seen it connect.
    pub async fn start_bridge(&mut self) {
        self.bridges += 1;
        self.bridge = Some(spawn_bridge(
            &self.url,
            &self.token,
            self.evapi_port,
            self.dir.path(),
            self.bridges,
        ));
        let wanted = self.bridges;
        let log = self.kamailio.log.clone();
        wait_until("the new bridge to connect", START_WITHIN, || {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            async move { text.matches("sy: bridge connected").count() >= wanted }
        })
        .await;
    }

    /// Writes `message` to Kamailio's evapi as the bridge does (one netstring), from a
    /// connection of its own.
    pub async fn push_to_kamailio(&self, message: &Value) {
        use tokio::io::AsyncWriteExt;
        let body = message.to_string();
        let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", self.evapi_port))
            .await
            .unwrap();
        socket
            .write_all(format!("{}:{body},", body.len()).as_bytes())
            .await
            .unwrap();
        socket.flush().await.unwrap();
    }

    /// Kamailio's log so far.
    pub fn kamailio_log(&self) -> String {
        self.kamailio.log()
    }

    /// Both logs, to show when an assertion fails.
    pub fn logs(&self) -> String {
        format!(
            "--- Kamailio:\n{}\n--- bridge:\n{}",
            self.kamailio.log_tail(),
            self.bridge.as_ref().map(Proc::log_tail).unwrap_or_default()
        )
    }

    /// Starts an agent's phone named `name` behaving as `uas`.
    pub async fn phone(&self, name: &str, uas: Uas) -> Phone {
        let mut phone = spawn_phone(&self.sipp, self.dir.path(), name, uas);
        let deadline = Instant::now() + START_WITHIN;
        while !udp_port_taken(phone.port) {
            phone.proc.assert_running();
            assert!(Instant::now() < deadline, "{name}'s phone did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        phone
    }

    /// Registers each (address of record without `sip:`, phone) with Kamailio.
    pub async fn register(&self, bindings: &[(&str, &Phone)]) {
        let csv = self
            .dir
            .path()
            .join(format!("phones-{}.csv", free_udp_port()));
        let mut text = String::from("SEQUENTIAL\n");
        for (aor, phone) in bindings {
            text.push_str(&format!("{aor};{};\n", phone.contact()));
        }
        std::fs::write(&csv, text).unwrap();
        let mut cmd = self.sipp_command("register.xml");
        cmd.arg("-inf")
            .arg(&csv)
            .args(["-m", &bindings.len().to_string()])
            .args(["-r", "50"])
            .arg(format!("127.0.0.1:{}", self.sip_port));
        let log = self
            .dir
            .path()
            .join(format!("register-{}.log", free_udp_port()));
        let mut proc = Proc::spawn("register", &mut cmd, log);
        let status = proc.exit(START_WITHIN).await;
        assert!(
            status.success(),
            "REGISTER failed ({status}):\n{}\n{}",
            proc.log_tail(),
            self.logs()
        );
    }

    /// Starts `calls` calls to `number` at `rate` per second, behaving as `uac`.
    pub fn call(&self, uac: Uac, number: &str, calls: u32, rate: f64) -> Caller {
        let (file, pause_ms) = match uac {
            Uac::Talk { hold_ms } => ("caller.xml", hold_ms),
            Uac::Queued { hold_ms } => ("caller-queue.xml", hold_ms),
            Uac::Cancel => ("caller-cancel.xml", 0),
            Uac::Busy => ("caller-busy.xml", 0),
            Uac::TimedOut => ("caller-timeout.xml", 0),
        };
        // -r calls per -rp milliseconds
        let per_ms = (1000.0 / rate).max(1.0).round();
        let (proc, stats) = spawn_sipp(|| {
            let id = free_udp_port();
            let stats = self.dir.path().join(format!("caller-{id}.csv"));
            let mut cmd = self.sipp_command(file);
            cmd.args(["-s", number])
                .args(["-d", &pause_ms.to_string()])
                .args(["-m", &calls.to_string()])
                .args(["-r", "1", "-rp", &format!("{per_ms}")])
                .args(["-l", "1000"])
                .args(["-trace_stat", "-fd", "1", "-stf"])
                .arg(&stats)
                .arg(format!("127.0.0.1:{}", self.sip_port));
            let proc = Proc::spawn(
                &format!("caller {file} {number}"),
                &mut cmd,
                self.dir.path().join(format!("caller-{id}.log")),
            );
            (proc, stats)
        });
        Caller { proc, stats }
    }

    /// A SIPp command on free local ports (SIP, media, control), loopback only.
    fn sipp_command(&self, scenario: &str) -> tokio::process::Command {
        sipp_command(&self.sipp, scenario, free_udp_port())
    }
}

fn sipp_command(sipp: &Path, scenario: &str, port: u16) -> tokio::process::Command {
    let (media, control) = sipp_side_ports(port);
    let mut cmd = tokio::process::Command::new(sipp);
    cmd.arg("-sf")
        .arg(integration_dir().join("sipp").join(scenario))
        .args(["-i", "127.0.0.1", "-bind_local", "-nostdin"])
        .args(["-p", &port.to_string()])
        .args(["-mp", &media.to_string()])
        .args(["-cp", &control.to_string()]);
    cmd
}

/// A SIPp UAS logging every message it sends and receives to its log.
fn spawn_phone(sipp: &Path, dir: &Path, name: &str, uas: Uas) -> Phone {
    let (proc, port) = spawn_sipp(|| {
        let port = free_udp_port();
        let log = dir.join(format!("phone-{name}-{port}.log"));
        let mut cmd = sipp_command(sipp, uas.file(), port);
        cmd.args(["-trace_msg", "-message_file"])
            .arg(&log)
            .args(["-trace_err", "-error_file"])
            .arg(dir.join(format!("phone-{name}-{port}.err")));
        // The handle's log is the message trace (the screen output only goes to a file).
        let proc = Proc::spawn_logged(
            &format!("{name}'s phone ({uas:?})"),
            &mut cmd,
            &dir.join(format!("phone-{name}-{port}.out")),
            log,
        );
        (proc, port)
    });
    Phone {
        name: name.to_owned(),
        port,
        proc,
    }
}

/// Starts a SIPp process with `start`, again on other ports when it lost a port race: its
/// ports are found free and released before it binds them, so with tests running in parallel
/// another process may take one first ("Address already in use", at once on start).
fn spawn_sipp<T>(mut start: impl FnMut() -> (Proc, T)) -> (Proc, T) {
    for _ in 0..5 {
        let (mut proc, extra) = start();
        std::thread::sleep(Duration::from_millis(150));
        let lost_race = matches!(proc.child.try_wait(), Ok(Some(_)))
            && proc.log_tail().contains("Address already in use");
        if !lost_race {
            return (proc, extra);
        }
    }
    panic!("SIPp lost the race for free loopback ports five times in a row")
}

/// A telephony token bound to `numbers` (the SIP server's credentials).
pub async fn telephony_token(server: &Server, numbers: &[&str]) -> String {
    server
        .operator()
        .token(json!({ "kind": "telephony", "numbers": numbers }))
        .await
}

/// Gives `company` a SIP domain (its agents register there).
pub async fn set_sip_domain(server: &Server, company: u64, domain: &str) {
    server
        .operator()
        .patch(
            &format!("/v1/companies/{company}"),
            json!({ "sip_domain": domain }),
        )
        .await
        .expect(200);
}

/// The live calls Switchyard holds for the SIP server.
pub async fn live_calls(tel: &Client) -> Vec<Value> {
    tel.get("/v1/calls")
        .await
        .expect(200)
        .as_array()
        .unwrap()
        .clone()
}

/// Starts `switchyard kamailio-bridge` (the built binary) between Switchyard at `url` and
/// Kamailio's evapi on `evapi_port`; its output goes to `bridge-<n>.log` in `dir`.
fn spawn_bridge(url: &str, token: &str, evapi_port: u16, dir: &Path, n: usize) -> Proc {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchyard"));
    cmd.args(["kamailio-bridge", "--url", url])
        .arg("--evapi")
        .arg(format!("127.0.0.1:{evapi_port}"))
        .env("SWITCHYARD_TOKEN", token)
        .env("RUST_LOG", "info");
    Proc::spawn("bridge", &mut cmd, dir.join(format!("bridge-{n}.log")))
}
