//! Calls through Kamailio (issue #12): the call set-up time a caller sees, INVITE → 180 Ringing
//! and INVITE → 200 OK, when Kamailio asks Switchyard for every call
//! (`integrations/kamailio/kamailio.cfg`), against the same Kamailio configuration started with
//! a static route (`-A WITH_STATIC_ROUTE`: every INVITE to a number relayed straight to the
//! agents' phones, no HTTP), under the same SIPp load, in one run; and the highest call rate at
//! which Switchyard's set-up p99 stays ≤ 50 ms.
//!
//! Processes, all on 127.0.0.1 and stopped by their pid when their handle drops:
//! - the release server (`switchyard serve`, `--bin`) over a temporary data directory, seeded
//!   over HTTP with one company (SIP domain `bench.example`, wrap-up 0, the shipped
//!   `longest-idle` policy), one department, one number, enough agents that no tested rate runs
//!   out of free ones (rate × (hold + 0.5 s) + 20 at the highest rate), each activated,
//!   seated, logged in, with an extension, and a telephony token bound to the number;
//! - two Kamailio 5.6 in the foreground with the same `kamailio.cfg` and the same settings, on
//!   their own ports: one deciding through Switchyard (its `switchyard kamailio-bridge`
//!   beside it, as the README sets it up), one with the static route;
//! - one SIPp UAS for every agent's phone (`sipp/bench-agent.xml`: 180 and 200 at once, holds
//!   until the BYE); every agent's address of record `sip:<ext>@bench.example` is registered
//!   with both Kamailios (`sipp/register.xml`) with the UAS as contact;
//! - per measured run, one SIPp UAC (`sipp/bench-caller.xml`): `--calls`-bounded calls at a
//!   fixed rate, each holding `--hold-ms` then hanging up.
//!
//! Before the runs: the processes' idle CPU over 10 s, an unmeasured warm-up of each mode, and
//! Switchyard's part alone (Kamailio's three requests of a call, `POST /v1/kamailio/calls`,
//! `answered`, `ended`, sent from the bench one lifecycle at a time on a new connection each,
//! as `http_client` does, paced at 10 and 100 lifecycles/s). Then the rates, lowest first:
//! each runs both modes one after the other (which goes first alternates from rate to rate);
//! after a rate at which Switchyard's calls failed no higher rate is run (the calls Kamailio
//! gave up on would still hold agents). Set-up times come from the caller's own clock:
//! gettimeofday at the INVITE, the 180 and the 200 (microseconds, the table), and SIPp's
//! response-time durations (`start_rtd`/`rtd`, `-trace_rtt -rtt_freq 1`; SIPp 3.6 reads them
//! from a coarse clock, 4 ms steps here), printed as a cross-check. Failed calls and
//! retransmissions are SIPp's statistics (`-trace_stat`). CPU per call is utime + stime from
//! `/proc/<pid>/stat` over the run, of the server, of Kamailio (its main process and every
//! child), of the bridge and of both SIPps, divided by the calls placed; the server's is also
//! given net of its idle CPU. The policy's mean time per decision comes from `/metrics`.
//!
//! Run: `cargo bench -p switchyard --bench sip` (needs `kamailio` with
//! kamailio-utils-modules, kamailio-json-modules and kamailio-extra-modules, and `sipp`,
//! Debian package sip-tester). Options after `--`:
//! - `--bin PATH`: the server binary (default: the one this bench was built with);
//! - `--rates 10,25,...`: calls per second (default 10,25,50,100,150,200);
//! - `--calls N`: at most N calls per run (default 1500); a run places `--secs` (default 10)
//!   seconds' worth at its rate, capped at N;
//! - `--hold-ms N`: how long each answered call lasts before the caller's BYE (default 1000);
//! - `--agents N`: seed N agents instead of the computed number;
//! - `--workers N`: Kamailio's SIP worker processes, both modes (default 8, the cfg's);
//! - `--keep DIR`: copy every log and SIPp file of the run there before the temporary
//!   directory is removed.
//!
//! Every wait is bounded (start-up, each run's deadline, draining live calls); a run that
//! misses its deadline is stopped and marked cut short.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use local::{find, free_tcp_port, free_udp_port, sipp_side_ports, udp_port_taken};
use serde_json::{Value, json};
use support::{OPERATOR, load_average, ok, send};

#[path = "../tests/api/kamailio/local.rs"]
mod local;
mod support;

const DOMAIN: &str = "bench.example";
const NUMBER: &str = "+15550001";
/// First extension; agent i has `FIRST_EXTENSION + i`.
const FIRST_EXTENSION: usize = 1000;
/// Longest wait for the server's `/ready`, a Kamailio, the UAS or the bridge to come up.
const START_WITHIN: Duration = Duration::from_secs(120);
/// Longest a single seeding request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// A run may take this much longer than its calls' schedule before it is stopped.
const RUN_SLACK: Duration = Duration::from_secs(90);
/// Longest wait after a run for Switchyard to hold no live call (every `ended` arrived).
const DRAIN_WITHIN: Duration = Duration::from_secs(60);
/// Longest wait for a process's exit after SIGTERM before it is killed.
const EXIT_WITHIN: Duration = Duration::from_secs(10);
/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux x86_64).
const TICKS_PER_SEC: u64 = 100;
/// The aim of issue #12: set-up p99 at most this.
const AIM_MS: f64 = 50.0;
/// Direct probes of Switchyard's part: (lifecycles started per second, lifecycles).
const PROBES: [(u32, usize); 2] = [(10, 100), (100, 500)];
/// How long the idle CPU of the processes is sampled before the runs.
const IDLE_SAMPLE: Duration = Duration::from_secs(10);
/// Warm-up before the measured runs, each mode: calls at this rate (not reported).
const WARM_UP: (usize, u32) = (100, 20);

const INSTALL_HINT: &str = "apt-get install -y kamailio kamailio-utils-modules \
     kamailio-json-modules kamailio-extra-modules sip-tester";

struct Args {
    bin: PathBuf,
    rates: Vec<u32>,
    calls: usize,
    secs: u32,
    hold_ms: u32,
    agents: Option<usize>,
    workers: u16,
    keep: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        bin: PathBuf::from(env!("CARGO_BIN_EXE_switchyard")),
        rates: vec![10, 25, 50, 100, 150, 200],
        calls: 1500,
        secs: 10,
        hold_ms: 1000,
        agents: None,
        workers: 8,
        keep: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--bin" => a.bin = it.next().expect("--bin PATH").into(),
            "--rates" => {
                let v = it.next().expect("--rates R[,R...]");
                a.rates = v
                    .split(',')
                    .map(|r| r.trim().parse().expect("--rates takes calls per second"))
                    .collect();
                assert!(a.rates.iter().all(|r| *r > 0), "--rates: rates above 0");
            }
            "--calls" => a.calls = it.next().expect("--calls N").parse().unwrap(),
            "--secs" => a.secs = it.next().expect("--secs N").parse().unwrap(),
            "--hold-ms" => a.hold_ms = it.next().expect("--hold-ms N").parse().unwrap(),
            "--agents" => a.agents = Some(it.next().expect("--agents N").parse().unwrap()),
            "--workers" => a.workers = it.next().expect("--workers N").parse().unwrap(),
            "--keep" => a.keep = Some(it.next().expect("--keep DIR").into()),
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    a
}

// ---------------------------------------------------------------- processes and /proc

/// The path of `program` (PATH, then the sbin directories Debian installs Kamailio in).
fn tool(program: &str) -> PathBuf {
    find(program).unwrap_or_else(|| panic!("`{program}` is not installed: {INSTALL_HINT}"))
}

/// The fields of `/proc/<pid>/stat` after the command name (state is field 0 here).
fn stat_fields(pid: u32) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    rest.split_whitespace().map(str::to_owned).collect()
}

/// utime + stime of process `pid` so far (every thread, live or exited).
fn cpu_of(pid: u32) -> Duration {
    let fields = stat_fields(pid);
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 11 and 12 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 1_000 / TICKS_PER_SEC)
}

/// cutime + cstime of this process: the CPU of its children waited for so far.
fn reaped_children_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // cutime and cstime are fields 16 and 17 of the line, 13 and 14 after the name.
    Duration::from_millis((ticks(13) + ticks(14)) * 1_000 / TICKS_PER_SEC)
}

/// CPU of `pid` and of every live child of it (Kamailio forks its workers from its main
/// process, which reaps none of them while running).
fn tree_cpu(pid: u32) -> Duration {
    let mut total = cpu_of(pid);
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return total;
    };
    for entry in entries.flatten() {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let fields = stat_fields(child);
        if fields.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(pid) {
            total += cpu_of(child);
        }
    }
    total
}

/// Bytes of the files under `dir` (apparent size).
fn dir_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// A child process, stopped by its pid when dropped (SIGTERM, then SIGKILL).
struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: &str, cmd: &mut Command, log: PathBuf) -> Proc {
        let file = std::fs::File::create(&log).unwrap();
        let err = file.try_clone().unwrap();
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name}: {e}"));
        Proc {
            name: name.to_owned(),
            child,
            log,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn log_tail(&self) -> String {
        let text = self.log();
        let start = text.len().saturating_sub(4000);
        let start = (start..text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        text[start..].to_owned()
    }

    /// Fails the bench (with the log) if the process has exited.
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited ({status}); its output:\n{}",
                self.name,
                self.log_tail()
            );
        }
    }

    /// Waits for the exit, at most `within`; `None` if it is still running then.
    async fn exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() > deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGTERM by pid, then SIGKILL after [`EXIT_WITHIN`]; the exit status if it exited.
    fn stop(&mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let asked = Instant::now();
        while asked.elapsed() < EXIT_WITHIN {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------- Switchyard over HTTP

/// Starts `switchyard serve` on a free loopback port over `data`; returns it once `/ready`.
async fn start_server(bin: &Path, dir: &Path, http: &reqwest::Client) -> (Proc, String) {
    let port = free_tcp_port();
    let mut cmd = Command::new(bin);
    cmd.args(["serve", "--data"])
        .arg(dir.join("data"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("SWITCHYARD_OPERATOR_TOKEN", OPERATOR)
        .env("RUST_LOG", "warn");
    let mut server = Proc::spawn("the server", &mut cmd, dir.join("server.log"));
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + START_WITHIN;
    loop {
        server.assert_running();
        if let Ok(r) = http.get(format!("{base}/ready")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(Instant::now() < deadline, "no /ready from {base}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (server, base)
}

/// One company on `longest-idle` with `agents` agents; returns the telephony token.
async fn seed(http: &reqwest::Client, base: &str, agents: usize) -> String {
    use reqwest::Method as M;
    let account = ok(
        http,
        M::POST,
        format!("{base}/v1/accounts"),
        OPERATOR,
        Some(json!({"name": "Bench BPO"})),
    )
    .await["id"]
        .as_u64()
        .unwrap();
    let company = ok(
        http,
        M::POST,
        format!("{base}/v1/companies"),
        OPERATOR,
        Some(
            json!({"name": "Bench SIP", "time_zone": "UTC", "account_id": account,
            "wrap_up_secs": 0}),
        ),
    )
    .await["id"]
        .as_u64()
        .unwrap();
    ok(
        http,
        M::PATCH,
        format!("{base}/v1/companies/{company}"),
        OPERATOR,
        Some(json!({"sip_domain": DOMAIN})),
    )
    .await;
    let dept = ok(
        http,
        M::POST,
        format!("{base}/v1/companies/{company}/departments"),
        OPERATOR,
        Some(json!({"name": "Support"})),
    )
    .await["id"]
        .as_u64()
        .unwrap();
    ok(
        http,
        M::PUT,
        format!("{base}/v1/companies/{company}/numbers/{NUMBER}"),
        OPERATOR,
        Some(json!({"department_id": dept})),
    )
    .await;
    let wasm = std::fs::read(switchyard_artifacts::LONGEST_IDLE).unwrap();
    let up = http
        .post(format!(
            "{base}/v1/companies/{company}/policies?name=longest-idle"
        ))
        .bearer_auth(OPERATOR)
        .header("content-type", "application/wasm")
        .body(wasm)
        .send()
        .await
        .unwrap();
    let status = up.status().as_u16();
    let uploaded: Value = serde_json::from_str(&up.text().await.unwrap()).unwrap();
    assert_eq!(status, 201, "policy upload: {uploaded}");
    ok(
        http,
        M::PUT,
        format!("{base}/v1/companies/{company}/policy"),
        OPERATOR,
        Some(json!({"version": uploaded["version"]})),
    )
    .await;

    let tasks = 8;
    let mut handles = Vec::new();
    for t in 0..tasks {
        let (http, base) = (http.clone(), base.to_owned());
        handles.push(tokio::spawn(async move {
            for a in (t..agents).step_by(tasks) {
                seed_agent(&http, &base, company, dept, a).await;
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    ok(
        http,
        M::POST,
        format!("{base}/v1/tokens"),
        OPERATOR,
        Some(json!({"scope": {"kind": "telephony", "numbers": [NUMBER]}})),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Agent `a`: extension `FIRST_EXTENSION + a`, activated, seated (tier 1), logged in.
async fn seed_agent(http: &reqwest::Client, base: &str, company: u64, dept: u64, a: usize) {
    use reqwest::Method as M;
    let added = ok(
        http,
        M::POST,
        format!("{base}/v1/companies/{company}/members"),
        OPERATOR,
        Some(
            json!({"name": format!("Agent {a}"), "email": format!("agent{a}@bench.example"),
            "role": "agent", "extension": (FIRST_EXTENSION + a).to_string()}),
        ),
    )
    .await;
    let id = added["agent"]["id"].as_u64().unwrap();
    let token = added["agent_token"].as_str().unwrap().to_owned();
    ok(
        http,
        M::POST,
        format!("{base}/v1/me/activate"),
        &token,
        None,
    )
    .await;
    ok(
        http,
        M::PUT,
        format!("{base}/v1/companies/{company}/departments/{dept}/members/{id}"),
        OPERATOR,
        Some(json!({"tier": 1})),
    )
    .await;
    ok(
        http,
        M::PUT,
        format!("{base}/v1/me/presence"),
        &token,
        Some(json!({"logged_in": true})),
    )
    .await;
}

/// How many calls Switchyard holds live for the SIP server.
async fn live_calls(http: &reqwest::Client, base: &str, token: &str) -> usize {
    let (status, calls) = send(
        http,
        reqwest::Method::GET,
        format!("{base}/v1/calls"),
        token,
        None,
    )
    .await;
    assert_eq!(status, 200, "GET /v1/calls: {calls}");
    calls.as_array().map_or(0, Vec::len)
}

/// (sum in µs, count) of the policy invocations so far (`/metrics`, every company).
async fn policy_time(http: &reqwest::Client, base: &str) -> (f64, f64) {
    let text = http
        .get(format!("{base}/metrics"))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .unwrap_or_default();
    let total = |name: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(name))
            .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
            .sum()
    };
    (
        total("switchyard_policy_latency_us_sum"),
        total("switchyard_policy_latency_us_count"),
    )
}

/// Kamailio's three requests of a call sent straight from here, one lifecycle at a time and
/// one new connection per request (as `http_client` does), a lifecycle started every
/// `1/rate` s: sorted latencies (ms) of the decision, `answered` and `ended`, and the
/// server's CPU used.
async fn probe(
    base: &str,
    token: &str,
    rate: u32,
    n: usize,
    server: u32,
) -> ([Vec<f64>; 3], Duration) {
    use reqwest::Method as M;
    let http = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut lat: [Vec<f64>; 3] = Default::default();
    let cpu = cpu_of(server);
    let start = Instant::now();
    let every = Duration::from_secs_f64(1.0 / f64::from(rate));
    for i in 0..n {
        let due = start + every * u32::try_from(i).unwrap();
        tokio::time::sleep_until(due.into()).await;
        let call_id = format!("probe-{rate}-{i}@bench");
        let t = Instant::now();
        let answer = ok(
            &http,
            M::POST,
            format!("{base}/v1/kamailio/calls"),
            token,
            Some(
                json!({"call_id": call_id, "number": NUMBER, "caller": "+919000000000",
                "max_branches": 12}),
            ),
        )
        .await;
        lat[0].push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(answer["action"], "ring", "{answer}");
        let agent = answer["routes"][0]["agent_id"].as_u64().unwrap();
        for (k, body) in [
            json!({"call_id": call_id, "type": "answered", "agent_id": agent}),
            json!({"call_id": call_id, "type": "ended"}),
        ]
        .into_iter()
        .enumerate()
        {
            let t = Instant::now();
            ok(
                &http,
                M::POST,
                format!("{base}/v1/kamailio/events"),
                token,
                Some(body),
            )
            .await;
            lat[k + 1].push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let used = cpu_of(server).saturating_sub(cpu);
    (lat.map(sorted), used)
}

// ---------------------------------------------------------------- Kamailio and SIPp

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Switchyard,
    Static,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Switchyard => "Switchyard",
            Mode::Static => "static route",
        }
    }
}

/// `integrations/kamailio/` of this workspace.
fn integration_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("integrations")
        .join("kamailio")
}

/// A SIPp command running `scenario` on free loopback ports (SIP `port`, media, control).
fn sipp_command(sipp: &Path, scenario: &str, port: u16) -> Command {
    let (media, control) = sipp_side_ports(port);
    let mut cmd = Command::new(sipp);
    cmd.arg("-sf")
        .arg(integration_dir().join("sipp").join(scenario))
        .args(["-i", "127.0.0.1", "-bind_local", "-nostdin"])
        .args(["-p", &port.to_string()])
        .args(["-mp", &media.to_string()])
        .args(["-cp", &control.to_string()]);
    cmd
}

/// One Kamailio with `kamailio.cfg`, in `mode`, on its own SIP port and evapi port.
struct Kamailio {
    proc: Proc,
    port: u16,
    evapi: u16,
}

struct Settings<'a> {
    dir: &'a Path,
    base: &'a str,
    token: &'a str,
    uas_port: u16,
    workers: u16,
}

fn start_kamailio(mode: Mode, s: &Settings<'_>) -> Kamailio {
    let name = match mode {
        Mode::Switchyard => "kamailio-switchyard",
        Mode::Static => "kamailio-static",
    };
    let run = s.dir.join(name);
    std::fs::create_dir_all(&run).unwrap();
    let port = free_udp_port();
    let evapi = free_tcp_port();
    let uas = format!("127.0.0.1:{}", s.uas_port);
    let mut defines = vec![
        format!("SIP_PORT={port}"),
        format!("SWITCHYARD_URL=\"{}\"", s.base),
        format!("TELEPHONY_TOKEN=\"{}\"", s.token),
        format!("EVAPI_BIND=\"127.0.0.1:{evapi}\""),
        format!("VOICEMAIL_SERVER=\"{uas}\""),
        format!("GATEWAY=\"{uas}\""),
        format!("SIP_WORKERS={}", s.workers),
        // Warnings and errors only, both modes: no per-call log lines to write.
        "LOG_LEVEL=1".to_owned(),
    ];
    if mode == Mode::Static {
        defines.push("WITH_STATIC_ROUTE".to_owned());
        defines.push(format!("STATIC_URI=\"sip:agent@{uas}\""));
    }
    let mut cmd = Command::new(tool("kamailio"));
    cmd.arg("-f")
        .arg(integration_dir().join("kamailio.cfg"))
        .args(["-DD", "-E"])
        .arg("-Y")
        .arg(&run)
        .arg("-w")
        .arg(&run);
    for d in &defines {
        cmd.arg("-A").arg(d);
    }
    let proc = Proc::spawn(name, &mut cmd, s.dir.join(format!("{name}.log")));
    Kamailio { proc, port, evapi }
}

/// Registers every agent's address of record with the Kamailio on `port`, all with the
/// UAS's contact.
async fn register(sipp: &Path, dir: &Path, port: u16, agents: usize, uas_port: u16) {
    let csv = dir.join(format!("phones-{port}.csv"));
    let mut text = String::from("SEQUENTIAL\n");
    for a in 0..agents {
        text.push_str(&format!(
            "{}@{DOMAIN};sip:agent@127.0.0.1:{uas_port};\n",
            FIRST_EXTENSION + a
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let mut cmd = sipp_command(sipp, "register.xml", free_udp_port());
    cmd.arg("-inf")
        .arg(&csv)
        .args(["-m", &agents.to_string()])
        .args(["-r", "200"])
        .arg(format!("127.0.0.1:{port}"));
    let mut proc = Proc::spawn(
        "register",
        &mut cmd,
        dir.join(format!("register-{port}.log")),
    );
    let status = proc.exit(START_WITHIN).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "REGISTER of {agents} agents failed ({status:?}):\n{}",
        proc.log_tail()
    );
}

/// SuccessfulCall(C), FailedCall(C) and Retransmissions(C) from the last line of a SIPp
/// statistics file.
fn final_counts(stats: &Path) -> (u64, u64, u64) {
    let text = std::fs::read_to_string(stats).unwrap_or_default();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let (Some(header), Some(last)) = (lines.next(), lines.next_back()) else {
        return (0, 0, 0);
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
    (
        column("SuccessfulCall(C)"),
        column("FailedCall(C)"),
        column("Retransmissions(C)"),
    )
}

/// The caller's `setup` log lines, one per answered call: (INVITE sent, µs since the epoch;
/// INVITE → 180 in ms, `None` when the 200 came first; INVITE → 200 in ms).
fn setup_times(log: &Path) -> Vec<(f64, Option<f64>, f64)> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.trim().split(';').collect();
        if fields.len() != 8 || fields[0] != "setup" {
            continue;
        }
        let n: Vec<f64> = fields[2..]
            .iter()
            .filter_map(|f| f.trim().parse().ok())
            .collect();
        if n.len() != 6 {
            continue;
        }
        let (t0, t1, t2) = (n[0] * 1e6 + n[1], n[2] * 1e6 + n[3], n[4] * 1e6 + n[5]);
        let ringing = (n[2] > 0.0).then(|| (t1 - t0) / 1e3);
        out.push((t0, ringing, (t2 - t0) / 1e3));
    }
    out
}

/// SIPp's response-time durations (ms) of RTD `name` in the `_rtt.csv` files of `dir`.
fn rtds(dir: &Path, name: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().ends_with("_rtt.csv") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.trim().split(';').collect();
            if fields.len() == 3
                && fields[2] == name
                && let Ok(v) = fields[1].parse::<f64>()
            {
                out.push(v);
            }
        }
    }
    sorted(out)
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(v: f64) -> String {
    if v.is_nan() {
        "—".to_owned()
    } else if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

fn us_per_call(d: Duration, calls: usize) -> String {
    if calls == 0 {
        return "—".to_owned();
    }
    format!("{:.0} µs", d.as_secs_f64() * 1e6 / calls as f64)
}

/// Everything a measured run needs.
struct Rig {
    dir: PathBuf,
    sipp: PathBuf,
    http: reqwest::Client,
    base: String,
    token: String,
    server: Proc,
    switchyard: Kamailio,
    bridge: Proc,
    fixed: Kamailio,
    uas: Proc,
    hold_ms: u32,
    runs: usize,
}

/// What one run measured.
struct Run {
    rate: u32,
    mode: Mode,
    calls: usize,
    successful: u64,
    failed: u64,
    retrans: u64,
    cut_short: bool,
    /// Calls per second achieved (INVITEs, first to last).
    achieved: f64,
    ringing: Vec<f64>,
    /// Answered calls whose 200 reached the caller before their 180.
    overtaken: usize,
    answered: Vec<f64>,
    rtd_ringing: Vec<f64>,
    rtd_answered: Vec<f64>,
    server_cpu: Duration,
    kamailio_cpu: Duration,
    bridge_cpu: Duration,
    sipp_cpu: Duration,
    /// From the caller's start to its exit.
    wall: Duration,
    /// Mean time of a policy invocation in the run, µs (`None`: no decision).
    policy_us: Option<f64>,
    /// The server's data directory after the run, bytes.
    data_bytes: u64,
    load: String,
}

impl Rig {
    fn kamailio(&self, mode: Mode) -> &Kamailio {
        match mode {
            Mode::Switchyard => &self.switchyard,
            Mode::Static => &self.fixed,
        }
    }

    /// `calls` calls at `rate` per second through the Kamailio of `mode`.
    async fn run(&mut self, mode: Mode, rate: u32, calls: usize) -> Run {
        self.runs += 1;
        let dir = self.dir.join(format!(
            "run-{:02}-{rate}-{}",
            self.runs,
            match mode {
                Mode::Switchyard => "switchyard",
                Mode::Static => "static",
            }
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let schedule = Duration::from_secs_f64(calls as f64 / f64::from(rate))
            + Duration::from_millis(u64::from(self.hold_ms));
        let deadline = schedule + RUN_SLACK;
        let stats = dir.join("stats.csv");
        let setup_log = dir.join("setup.log");
        let mut cmd = sipp_command(&self.sipp, "bench-caller.xml", free_udp_port());
        cmd.current_dir(&dir)
            .args(["-s", NUMBER])
            .args(["-d", &self.hold_ms.to_string()])
            .args(["-r", &rate.to_string(), "-rp", "1000"])
            .args(["-m", &calls.to_string()])
            .args(["-l", &calls.to_string()])
            // A 180 overtaken by its 200 arrives late: ignored, not a failed call.
            .args(["-default_behaviors", "all,-abortunexp"])
            // A response that never comes fails its call after 10 s (the 200's own timeout
            // is not armed while the call still waits for its optional 100 or 180).
            .args(["-recv_timeout", "10000"])
            .args(["-trace_rtt", "-rtt_freq", "1"])
            .args(["-trace_logs", "-log_file"])
            .arg(&setup_log)
            .args(["-trace_stat", "-fd", "1", "-stf"])
            .arg(&stats)
            .args(["-timeout", &format!("{}s", deadline.as_secs() + 5)])
            .arg(format!("127.0.0.1:{}", self.kamailio(mode).port));

        let policy_before = policy_time(&self.http, &self.base).await;
        let load = load_average();
        let kamailio_pid = self.kamailio(mode).proc.pid();
        let before = (
            cpu_of(self.server.pid()),
            tree_cpu(kamailio_pid),
            cpu_of(self.bridge.pid()),
            cpu_of(self.uas.pid()),
        );
        // The caller's CPU: what this process's reaped children used, across its exit.
        let reaped = reaped_children_cpu();
        let mut caller = Proc::spawn("the caller", &mut cmd, dir.join("caller.log"));
        let started = Instant::now();
        let mut cut_short = false;
        loop {
            if caller.child.try_wait().unwrap().is_some() {
                break;
            }
            if started.elapsed() > deadline {
                cut_short = true;
                eprintln!("{} at {rate}/s: cut short after {deadline:?}", mode.name());
                caller.stop();
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let after = (
            cpu_of(self.server.pid()),
            tree_cpu(kamailio_pid),
            cpu_of(self.bridge.pid()),
            cpu_of(self.uas.pid()),
        );
        let caller_cpu = reaped_children_cpu().saturating_sub(reaped);
        let policy_after = policy_time(&self.http, &self.base).await;
        let decisions = policy_after.1 - policy_before.1;
        let policy_us = (decisions > 0.0).then(|| (policy_after.0 - policy_before.0) / decisions);
        self.switchyard.proc.assert_running();
        self.fixed.proc.assert_running();
        self.uas.assert_running();
        self.server.assert_running();

        let (successful, failed, retrans) = final_counts(&stats);
        let times = setup_times(&setup_log);
        let achieved = match (times.first(), times.last()) {
            (Some(first), Some(last)) if times.len() > 1 && last.0 > first.0 => {
                (times.len() - 1) as f64 / ((last.0 - first.0) / 1e6)
            }
            _ => f64::NAN,
        };
        let run = Run {
            rate,
            mode,
            calls,
            successful,
            failed,
            retrans,
            cut_short,
            achieved,
            ringing: sorted(times.iter().filter_map(|t| t.1).collect()),
            overtaken: times.iter().filter(|t| t.1.is_none()).count(),
            answered: sorted(times.iter().map(|t| t.2).collect()),
            rtd_ringing: rtds(&dir, "ringing"),
            rtd_answered: rtds(&dir, "answered"),
            server_cpu: after.0.saturating_sub(before.0),
            kamailio_cpu: after.1.saturating_sub(before.1),
            bridge_cpu: after.2.saturating_sub(before.2),
            sipp_cpu: after.3.saturating_sub(before.3) + caller_cpu,
            wall: started.elapsed(),
            policy_us,
            data_bytes: dir_bytes(&self.dir.join("data")),
            load,
        };
        if failed > 0 || successful != calls as u64 {
            eprintln!(
                "{} at {rate}/s: {successful} successful, {failed} failed of {calls}; caller:\n{}",
                mode.name(),
                caller.log_tail()
            );
        }
        drop(caller);
        // Every call over at Switchyard (its `ended` arrived) before the next run.
        let drained = Instant::now();
        loop {
            let live = live_calls(&self.http, &self.base, &self.token).await;
            if live == 0 {
                break;
            }
            if drained.elapsed() > DRAIN_WITHIN {
                let (_, calls) = send(
                    &self.http,
                    reqwest::Method::GET,
                    format!("{}/v1/calls", self.base),
                    &self.token,
                    None,
                )
                .await;
                eprintln!(
                    "{live} calls still live at Switchyard after {DRAIN_WITHIN:?}: {}",
                    serde_json::to_string(&calls).unwrap_or_default()
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Let the UAS's last calls (2 s timewait) and Kamailio's transactions end.
        tokio::time::sleep(Duration::from_secs(3)).await;
        run
    }
}

/// The table of every run; `idle_ms_per_sec` is the server's CPU with no call (subtracted for
/// the "net" figure).
fn print_table(runs: &[Run], idle_ms_per_sec: f64) {
    println!(
        "| calls/s | mode | calls | failed | retrans. | achieved calls/s | INVITE→180 p50 / p99 (ms; 200 first) | INVITE→200 p50 / p99 (ms) | max →200 (ms) | policy (mean) | Switchyard CPU per call (net of idle) | Kamailio CPU per call | SIPp (both) CPU per call | data dir after | load average at start |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for r in runs {
        let idle = Duration::from_secs_f64(idle_ms_per_sec / 1e3 * r.wall.as_secs_f64());
        let server = format!(
            "{} ({})",
            us_per_call(r.server_cpu, r.calls),
            us_per_call(r.server_cpu.saturating_sub(idle), r.calls)
        );
        println!(
            "| {} | {} | {}{} | {} | {} | {:.1} | {} / {} ({}) | {} / {} | {} | {} | {} | {} | {} | {:.0} MB | {} |",
            r.rate,
            r.mode.name(),
            r.calls,
            if r.cut_short { " (cut short)" } else { "" },
            r.failed + (r.calls as u64).saturating_sub(r.successful + r.failed),
            r.retrans,
            r.achieved,
            ms(pct(&r.ringing, 0.50)),
            ms(pct(&r.ringing, 0.99)),
            r.overtaken,
            ms(pct(&r.answered, 0.50)),
            ms(pct(&r.answered, 0.99)),
            ms(r.answered.last().copied().unwrap_or(f64::NAN)),
            r.policy_us
                .map_or("—".to_owned(), |us| format!("{us:.0} µs")),
            server,
            us_per_call(r.kamailio_cpu, r.calls),
            us_per_call(r.sipp_cpu, r.calls),
            r.data_bytes as f64 / 1e6,
            r.load,
        );
    }
    println!();
    println!("SIPp's own response-time durations (4 ms clock), p50 / p99 in ms:");
    println!();
    println!("| calls/s | mode | RTD ringing (→180) | RTD answered (→200) |");
    println!("|---|---|---|---|");
    for r in runs {
        println!(
            "| {} | {} | {} / {} | {} / {} |",
            r.rate,
            r.mode.name(),
            ms(pct(&r.rtd_ringing, 0.50)),
            ms(pct(&r.rtd_ringing, 0.99)),
            ms(pct(&r.rtd_answered, 0.50)),
            ms(pct(&r.rtd_answered, 0.99)),
        );
    }
    println!();
    let mut sy: Vec<&Run> = runs.iter().filter(|r| r.mode == Mode::Switchyard).collect();
    sy.sort_by_key(|r| r.rate);
    let met = |r: &Run| {
        !r.cut_short
            && r.failed == 0
            && r.successful == r.calls as u64
            && pct(&r.answered, 0.99) <= AIM_MS
    };
    let held = sy.iter().take_while(|r| met(r)).last();
    let highest = sy.iter().filter(|r| met(r)).map(|r| r.rate).max();
    match held {
        Some(r) => println!(
            "Highest rate with Switchyard's INVITE→200 p99 ≤ {AIM_MS} ms and no failed call, at \
             every tested rate up to it: {} calls/s{}",
            r.rate,
            if sy.last().is_some_and(|l| l.rate == r.rate) {
                " (the highest tested)"
            } else {
                ""
            }
        ),
        None => println!("Switchyard's INVITE→200 p99 is over {AIM_MS} ms at every tested rate"),
    }
    if let (Some(h), Some(r)) = (highest, held)
        && h != r.rate
    {
        println!("(met again at {h} calls/s after a miss)");
    }
}

fn main() {
    let args = args();
    let sipp = tool("sipp");
    let _ = tool("kamailio");
    let max_rate = args.rates.iter().copied().max().unwrap_or(1);
    let agents = args.agents.unwrap_or_else(|| {
        // Each call holds its agent for about the hold time; half a second more per call,
        // and 20 more agents, of margin.
        let busy = f64::from(max_rate) * (f64::from(args.hold_ms) / 1000.0 + 0.5);
        busy.ceil() as usize + 20
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap();
        let (server, base) = start_server(&args.bin, &dir, &http).await;
        eprintln!(
            "server: {} (pid {}), data and logs in {}",
            args.bin.display(),
            server.pid(),
            dir.display()
        );
        let seeding = Instant::now();
        let token = seed(&http, &base, agents).await;
        eprintln!(
            "seeded 1 company, {agents} agents in {:.1} s",
            seeding.elapsed().as_secs_f64()
        );

        let uas_port = free_udp_port();
        let mut uas_cmd = sipp_command(&sipp, "bench-agent.xml", uas_port);
        let mut uas = Proc::spawn("the agents' UAS", &mut uas_cmd, dir.join("uas.log"));
        let settings = Settings {
            dir: &dir,
            base: &base,
            token: &token,
            uas_port,
            workers: args.workers,
        };
        let mut switchyard = start_kamailio(Mode::Switchyard, &settings);
        let mut fixed = start_kamailio(Mode::Static, &settings);
        let mut bridge_cmd = Command::new(&args.bin);
        bridge_cmd
            .args(["kamailio-bridge", "--url", &base])
            .arg("--evapi")
            .arg(format!("127.0.0.1:{}", switchyard.evapi))
            .env("SWITCHYARD_TOKEN", &token)
            .env("RUST_LOG", "info");
        let mut bridge = Proc::spawn("the bridge", &mut bridge_cmd, dir.join("bridge.log"));
        let ports = [uas_port, switchyard.port, fixed.port];
        let deadline = Instant::now() + START_WITHIN;
        while !(ports.into_iter().all(udp_port_taken)
            && bridge.log().contains("connected to Kamailio's evapi"))
        {
            uas.assert_running();
            switchyard.proc.assert_running();
            fixed.proc.assert_running();
            bridge.assert_running();
            assert!(
                Instant::now() < deadline,
                "Kamailio, the UAS or the bridge did not start; Kamailio:\n{}\nbridge:\n{}",
                switchyard.proc.log_tail(),
                bridge.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        for port in [switchyard.port, fixed.port] {
            register(&sipp, &dir, port, agents, uas_port).await;
        }
        eprintln!(
            "Kamailio (Switchyard) pid {} on {}, Kamailio (static) pid {} on {}, UAS on {uas_port}, \
             {agents} agents registered with both, {} SIP workers each",
            switchyard.proc.pid(),
            switchyard.port,
            fixed.proc.pid(),
            fixed.port,
            args.workers
        );

        let mut rig = Rig {
            dir: dir.clone(),
            sipp,
            http,
            base,
            token,
            server,
            switchyard,
            bridge,
            fixed,
            uas,
            hold_ms: args.hold_ms,
            runs: 0,
        };
        // What the processes burn with no call at all (timers, the bridge's stream), to read
        // the CPU per call against.
        let idle = [
            cpu_of(rig.server.pid()),
            tree_cpu(rig.switchyard.proc.pid()),
            tree_cpu(rig.fixed.proc.pid()),
        ];
        tokio::time::sleep(IDLE_SAMPLE).await;
        let idle_per_sec = |now: Duration, then: Duration| {
            now.saturating_sub(then).as_secs_f64() * 1e3 / IDLE_SAMPLE.as_secs_f64()
        };
        let server_idle = idle_per_sec(cpu_of(rig.server.pid()), idle[0]);
        let idle_line = format!(
            "idle CPU over {IDLE_SAMPLE:?}, ms per second: Switchyard {:.1}, Kamailio (Switchyard) {:.1}, \
             Kamailio (static) {:.1}",
            server_idle,
            idle_per_sec(tree_cpu(rig.switchyard.proc.pid()), idle[1]),
            idle_per_sec(tree_cpu(rig.fixed.proc.pid()), idle[2]),
        );
        eprintln!("{idle_line}");
        // Warm-up (not reported): every Kamailio worker's first request, the policy's first
        // load, the UAS's first calls.
        for mode in [Mode::Switchyard, Mode::Static] {
            let w = rig.run(mode, WARM_UP.1, WARM_UP.0).await;
            eprintln!(
                "warm-up {}: {} successful, {} failed, INVITE→200 p50 {} ms",
                mode.name(),
                w.successful,
                w.failed,
                ms(pct(&w.answered, 0.5))
            );
        }
        // Switchyard's part alone: the same three requests straight from here.
        let mut probes = Vec::new();
        for (rate, n) in PROBES {
            let (lat, cpu) = probe(&rig.base, &rig.token, rate, n, rig.server.pid()).await;
            probes.push((rate, n, lat, cpu));
        }
        let mut runs = Vec::new();
        let mut rates = args.rates.clone();
        rates.sort_unstable();
        rates.dedup();
        for (i, &rate) in rates.iter().enumerate() {
            let calls = (rate as usize * args.secs as usize).min(args.calls).max(1);
            let order = if i % 2 == 0 {
                [Mode::Switchyard, Mode::Static]
            } else {
                [Mode::Static, Mode::Switchyard]
            };
            for mode in order {
                let r = rig.run(mode, rate, calls).await;
                eprintln!(
                    "{rate}/s {}: {} calls, {} failed, →180 p99 {} ms, →200 p50 {} / p99 {} ms",
                    mode.name(),
                    r.calls,
                    r.failed,
                    ms(pct(&r.ringing, 0.99)),
                    ms(pct(&r.answered, 0.5)),
                    ms(pct(&r.answered, 0.99)),
                );
                runs.push(r);
            }
            let sy = runs.iter().rev().find(|r| r.mode == Mode::Switchyard);
            if let Some(sy) = sy
                && (sy.cut_short || sy.failed > 0 || sy.successful != sy.calls as u64)
            {
                println!(
                    "Switchyard's calls failed at {rate}/s: higher rates not run (the calls \
                     Kamailio gave up on would still hold agents at Switchyard)."
                );
                break;
            }
        }
        let runs: Vec<Run> = {
            // Rows by rate, Switchyard first.
            let mut runs = runs;
            runs.sort_by_key(|r| (r.rate, r.mode != Mode::Switchyard));
            runs
        };
        println!();
        println!(
            "{agents} agents, hold {} ms, {} SIP workers per Kamailio, calls per run: {} s worth, at most {}",
            args.hold_ms, args.workers, args.secs, args.calls
        );
        println!("{idle_line}");
        println!();
        print_table(&runs, server_idle);
        println!();
        println!(
            "Switchyard alone: Kamailio's three requests of a call sent from the bench, one \
             lifecycle at a time, a new connection per request (ms):"
        );
        println!();
        println!(
            "| lifecycles started per second | lifecycles | decision p50 / p99 | answered p50 / p99 | ended p50 / p99 | server CPU per lifecycle (net of idle) |"
        );
        println!("|---|---|---|---|---|---|");
        for (rate, n, lat, cpu) in &probes {
            let wall = Duration::from_secs_f64(*n as f64 / f64::from(*rate));
            let idle = Duration::from_secs_f64(server_idle / 1e3 * wall.as_secs_f64());
            let cells: Vec<String> = lat
                .iter()
                .map(|l| format!("{} / {}", ms(pct(l, 0.5)), ms(pct(l, 0.99))))
                .collect();
            println!(
                "| {rate} | {n} | {} | {} | {} | {} ({}) |",
                cells[0],
                cells[1],
                cells[2],
                us_per_call(*cpu, *n),
                us_per_call(cpu.saturating_sub(idle), *n),
            );
        }
        let bridge: Duration = runs.iter().map(|r| r.bridge_cpu).sum();
        println!(
            "The bridge (`switchyard kamailio-bridge`, nothing to relay in these runs) used {} ms \
             of CPU over all the runs.",
            bridge.as_millis()
        );

        let errors: Vec<String> = [&rig.switchyard.proc, &rig.fixed.proc]
            .iter()
            .flat_map(|p| {
                p.log()
                    .lines()
                    .filter(|l| l.contains("ERROR"))
                    .take(5)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        if !errors.is_empty() {
            eprintln!("Kamailio errors (first 5 of each):\n{}", errors.join("\n"));
        }
        // Stop in order: callers are done; the bridge, both Kamailios, the UAS, then the
        // server, which must exit cleanly.
        let Rig {
            server: mut srv,
            bridge: mut br,
            switchyard: mut ks,
            fixed: mut kf,
            uas: mut u,
            ..
        } = rig;
        br.stop();
        ks.proc.stop();
        kf.proc.stop();
        u.stop();
        let status = srv.stop();
        assert!(
            status.is_some_and(|s| s.success()),
            "the server did not exit cleanly ({status:?}):\n{}",
            srv.log_tail()
        );
        if let Some(keep) = &args.keep {
            copy_dir(&dir, keep);
            eprintln!("logs kept in {}", keep.display());
        }
        drop(tmp);
    });
}

/// Copies the files of `from` (and its subdirectories but `data`) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "data" {
                copy_dir(&path, &to.join(&name));
            }
        } else {
            let _ = std::fs::copy(&path, to.join(&name));
        }
    }
}
