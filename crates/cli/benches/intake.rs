//! Intake throughput of the provider API, end to end on the release binary: 64 concurrent
//! clients `POST /ispws/submit` CyberTipline reports for a fixed time, on SQLite and (when
//! reachable) PostgreSQL, and the bench prints submissions per second, p50/p99/max latency
//! and errors. Every acknowledged submission is durable (committed before the answer), so
//! this measures durable submissions per second. The target (issue 4) is 2,000/s on a
//! 2-core machine.
//!
//! `cargo bench -p clearinghouse --bench intake`. Environment:
//! - `CH_BENCH_SECONDS` (default 10): length of each measured run;
//! - `CH_BENCH_CLIENTS` (default 64): concurrent clients;
//! - `CH_BENCH_SERIAL_SECONDS` (default 3; 0 to skip): a one-client run, whose latency is
//!   the cost of one submission with no concurrency (mostly one commit's fsync);
//! - `CH_BENCH_POSTGRES_URL` (else `CLEARINGHOUSE_TEST_POSTGRES_URL`, else
//!   `postgres://postgres@127.0.0.1:5432/postgres`): a server where the user may create
//!   databases; `none` skips PostgreSQL;
//! - `CH_BENCH_DIR`: where the temporary data directory goes (default: the system's);
//! - `CH_BENCH_BIN`: another `clearinghouse` binary to measure (default: this build's);
//! - `CH_BENCH_BACKENDS` (default `sqlite,postgres`): which backends to measure.
//!
//! The load generator runs on the same machine and takes some of its CPU; the bench prints
//! the CPU time the server and the generator each used.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "benchmark intake passphrase 9";

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The binary under test: this build's, or `CH_BENCH_BIN` to compare another build.
fn bin_path() -> String {
    std::env::var("CH_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_clearinghouse").to_owned())
}

fn bin() -> Command {
    let mut c = Command::new(bin_path());
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARINGHOUSE_") {
            c.env_remove(k);
        }
    }
    c.env("CLEARINGHOUSE_SECURE_COOKIES", "false");
    c
}

fn machine() -> String {
    let cores = Command::new("nproc")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .nth(1)
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{} GiB", kb / 1024 / 1024))
        .unwrap_or_default();
    format!("{cores} cores (nproc), {model}, {mem} RAM")
}

/// The filesystem type and device holding `path` (fsync cost depends on it; tmpfs makes
/// durability free and the figures meaningless).
fn filesystem_of(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && path.starts_with(f[1]))
                .then(|| (f[1].len(), format!("{} {}", f[2], f[0])))
        })
        .max()
        .map(|(_, s)| s)
        .unwrap_or_else(|| "unknown".into())
}

/// User plus system CPU time of a process, from /proc (clock ticks assumed 100/s).
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of stat; here 0-based after the name: 11, 12.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

struct Target {
    name: &'static str,
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Target {
    fn args(&self) -> Vec<String> {
        let mut a = vec![
            "--data-dir".to_owned(),
            self.dir.path().display().to_string(),
        ];
        if let Some(url) = &self.database_url {
            a.push("--database-url".into());
            a.push(url.clone());
        }
        a
    }
}

fn admin(target: &Target, args: &[&str], stdin: Option<&str>) {
    let mut child = bin()
        .arg("admin")
        .args(args)
        .args(target.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn clearinghouse admin");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "clearinghouse admin {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Server {
    async fn start(target: &Target) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = target.dir.path().join("serve.log");
        let child = bin()
            .arg("serve")
            .args(target.args())
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn clearinghouse serve");
        let mut s = Server { child, port, log };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = s.child.try_wait().unwrap() {
                panic!(
                    "the server exited ({status}):\n{}",
                    std::fs::read_to_string(&s.log).unwrap_or_default()
                );
            }
            if let Ok(r) = client.get(format!("{}/readyz", s.base())).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the server was not ready in 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        s
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `admin` with its database replaced by `name`, keeping any `?query` (such as
/// `options=-c synchronous_commit=off`).
fn database_url(admin: &str, name: &str) -> String {
    let (path, query) = match admin.split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (admin, String::new()),
    };
    let base = path.rsplit_once('/').map(|(b, _)| b).unwrap_or(path);
    format!("{base}/{name}{query}")
}

/// A fresh PostgreSQL database for the run, dropped afterwards.
struct PgDb {
    admin: String,
    name: String,
    url: String,
    settings: String,
}

impl PgDb {
    async fn create(admin: &str) -> Result<PgDb, String> {
        store::install_tls_provider();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin)
            .await
            .map_err(|e| format!("cannot connect to {admin}: {e}"))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!(
            "ch_bench_intake_{:x}{:x}",
            std::process::id(),
            nanos & 0xffff_ffff
        );
        sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
            .await
            .map_err(|e| format!("CREATE DATABASE {name}: {e}"))?;
        let mut settings = Vec::new();
        for s in [
            "server_version",
            "fsync",
            "synchronous_commit",
            "wal_sync_method",
            "commit_delay",
            "max_connections",
        ] {
            let v: String = sqlx::query_scalar(&format!("SHOW {s}"))
                .fetch_one(&mut conn)
                .await
                .unwrap_or_else(|_| "?".into());
            settings.push(format!("{s}={v}"));
        }
        Ok(PgDb {
            admin: admin.to_owned(),
            url: database_url(admin, &name),
            name,
            settings: settings.join(" "),
        })
    }

    async fn drop_db(&self) {
        store::install_tls_provider();
        if let Ok(mut c) = <sqlx::PgConnection as sqlx::Connection>::connect(&self.admin).await {
            let _ = sqlx::Executor::execute(
                &mut c,
                format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str(),
            )
            .await;
        }
    }
}

fn fixtures() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cybertip/tests/fixtures");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name.starts_with("report_") && name.ends_with(".xml"))
                .then(|| (name, std::fs::read(e.path()).unwrap()))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no fixtures in {}", dir.display());
    out.into_iter().map(|(_, b)| b).collect()
}

fn is_success(body: &str) -> bool {
    body.contains("<responseCode>0</responseCode>") && body.contains("<reportId>")
}

#[derive(Default)]
struct ClientResult {
    latencies: Vec<Duration>,
    errors: u64,
    first_error: Option<String>,
}

async fn client_loop(
    base: String,
    fixtures: Arc<Vec<Vec<u8>>>,
    n: usize,
    until: Instant,
) -> ClientResult {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = format!("{base}/ispws/submit");
    let mut out = ClientResult::default();
    let mut i = n;
    while Instant::now() < until {
        let body = fixtures[i % fixtures.len()].clone();
        i += 1;
        let t = Instant::now();
        let r = client
            .post(&url)
            .basic_auth("prov", Some(PASSWORD))
            .header("content-type", "text/xml")
            .body(body)
            .send()
            .await;
        let ok = match r {
            Ok(r) => match r.text().await {
                Ok(text) if is_success(&text) => Ok(()),
                Ok(text) => Err(text),
                Err(e) => Err(e.to_string()),
            },
            Err(e) => Err(e.to_string()),
        };
        let elapsed = t.elapsed();
        match ok {
            Ok(()) => out.latencies.push(elapsed),
            Err(e) => {
                out.errors += 1;
                out.first_error.get_or_insert(e);
                // Do not spin on a failing server.
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
    out
}

struct RunResult {
    ok: usize,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    server_cpu: Duration,
    bench_cpu: Duration,
}

async fn run(server: &Server, clients: usize, duration: Duration) -> RunResult {
    let fixtures = Arc::new(fixtures());
    let server_cpu0 = cpu_time(server.child.id());
    let bench_cpu0 = cpu_time(std::process::id());
    let start = Instant::now();
    let until = start + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|n| tokio::spawn(client_loop(server.base(), fixtures.clone(), n, until)))
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        let r = t.await.unwrap();
        latencies.extend(r.latencies);
        errors += r.errors;
        if first_error.is_none() {
            first_error = r.first_error;
        }
    }
    let elapsed = start.elapsed();
    let server_cpu = cpu_time(server.child.id()).saturating_sub(server_cpu0);
    let bench_cpu = cpu_time(std::process::id()).saturating_sub(bench_cpu0);
    latencies.sort();
    let pct = |p: f64| {
        if latencies.is_empty() {
            Duration::ZERO
        } else {
            let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len());
            latencies[i - 1]
        }
    };
    RunResult {
        ok: latencies.len(),
        errors,
        first_error,
        elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        max: latencies.last().copied().unwrap_or_default(),
        server_cpu,
        bench_cpu,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn print_run(label: &str, clients: usize, r: &RunResult) {
    let rate = r.ok as f64 / r.elapsed.as_secs_f64();
    let per = |cpu: Duration| {
        if r.ok == 0 {
            "-".to_owned()
        } else {
            format!("{:.0} µs", cpu.as_secs_f64() * 1e6 / r.ok as f64)
        }
    };
    println!(
        "  {label:<8} {clients:>3} clients: {rate:>8.0} submissions/s  p50 {:>9}  p99 {:>9}  max {:>9}  ok {}  errors {}",
        ms(r.p50),
        ms(r.p99),
        ms(r.max),
        r.ok,
        r.errors
    );
    println!(
        "           CPU: server {:.1} s ({} per submission), load generator {:.1} s, over {:.1} s wall",
        r.server_cpu.as_secs_f64(),
        per(r.server_cpu),
        r.bench_cpu.as_secs_f64(),
        r.elapsed.as_secs_f64()
    );
    if let Some(e) = &r.first_error {
        let e: String = e.chars().take(300).collect();
        println!("           first error: {e}");
    }
}

async fn bench_backend(target: Target, extra: &str) {
    println!(
        "\n{} ({}; data dir on {}{})",
        target.name,
        target
            .database_url
            .as_deref()
            .map(|u| u.to_owned())
            .unwrap_or_else(|| "WAL, synchronous=FULL".into()),
        filesystem_of(target.dir.path()),
        extra
    );
    admin(
        &target,
        &[
            "create-org",
            "--name",
            "Bench Provider",
            "--kind",
            "provider",
        ],
        None,
    );
    admin(
        &target,
        &[
            "create-user",
            "--org",
            "Bench Provider",
            "--username",
            "prov",
            "--role",
            "provider-api",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    let mut server = Server::start(&target).await;
    let clients = env_num("CH_BENCH_CLIENTS", 64) as usize;
    let seconds = env_num("CH_BENCH_SECONDS", 10);
    let serial = env_num("CH_BENCH_SERIAL_SECONDS", 3);

    // The first request checks the password with argon2 and fills the Basic cache.
    let first = run(&server, 1, Duration::from_millis(1)).await;
    println!(
        "  first submission (argon2 check of the password): {}",
        ms(first.max)
    );
    // Warm up: connections, caches, the database's files.
    let warm = run(&server, clients, Duration::from_secs(2)).await;
    if warm.errors > 0 {
        println!(
            "  warm-up had {} errors, e.g. {:?}",
            warm.errors, warm.first_error
        );
    }
    let r = run(&server, clients, Duration::from_secs(seconds)).await;
    print_run("load", clients, &r);
    if serial > 0 {
        let s = run(&server, 1, Duration::from_secs(serial)).await;
        print_run("serial", 1, &s);
    }
    server.stop();
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("intake benchmark: POST /ispws/submit, durable (acknowledged = committed)");
        println!("machine: {}", machine());
        println!("binary: {}", bin_path());
        let base_dir = std::env::var("CH_BENCH_DIR").ok();
        let tempdir = || match &base_dir {
            Some(d) => tempfile::tempdir_in(d).unwrap(),
            None => tempfile::tempdir().unwrap(),
        };

        let backends =
            std::env::var("CH_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
        if backends.contains("sqlite") {
            bench_backend(
                Target {
                    name: "SQLite",
                    dir: tempdir(),
                    database_url: None,
                },
                "",
            )
            .await;
        }
        if !backends.contains("postgres") {
            return;
        }

        let admin = std::env::var("CH_BENCH_POSTGRES_URL")
            .or_else(|_| std::env::var("CLEARINGHOUSE_TEST_POSTGRES_URL"))
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        if admin == "none" {
            println!("\nPostgreSQL: skipped (CH_BENCH_POSTGRES_URL=none)");
            return;
        }
        match PgDb::create(&admin).await {
            Ok(db) => {
                let extra = format!("; {}", db.settings);
                bench_backend(
                    Target {
                        name: "PostgreSQL",
                        dir: tempdir(),
                        database_url: Some(db.url.clone()),
                    },
                    &extra,
                )
                .await;
                db.drop_db().await;
            }
            Err(e) => println!("\nPostgreSQL: skipped ({e})"),
        }
    });
}
