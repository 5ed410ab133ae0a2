//! The public statistics page under load, end to end on the release binary: the demo
//! (SQLite, which publishes a statistics release at start) serves `/statistics` to 200
//! concurrent readers for a fixed time, and the bench prints p50/p95/p99/max latency,
//! requests per second and errors. The target (issue 23) is p99 under 50 ms: the page
//! reads the release from memory, so its cost does not grow with the data or the readers.
//!
//! `cargo bench -p clearinghouse --bench statistics`. Environment:
//! - `CH_BENCH_SECONDS` (default 10): length of the measured run;
//! - `CH_BENCH_CLIENTS` (default 200): concurrent readers;
//! - `CH_BENCH_PATH` (default `/statistics`): the address read;
//! - `CH_BENCH_BIN`: another `clearinghouse` binary to measure (default: this build's).
//!
//! The load generator runs on the same machine and takes some of its CPU.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Demo {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start() -> Demo {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let bin = std::env::var("CH_BENCH_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_clearinghouse").to_owned());
    let mut cmd = Command::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("CLEARINGHOUSE_") {
            cmd.env_remove(k);
        }
    }
    let child = cmd
        .args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        // The demo keeps its data in the system's temporary directory: this run's own.
        .env("TMPDIR", dir.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("demo.log")).unwrap())
        .spawn()
        .expect("spawn clearinghouse demo");
    let mut demo = Demo {
        child,
        port,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if let Some(status) = demo.child.try_wait().unwrap() {
            panic!("the demo exited ({status})");
        }
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/statistics"))
            .send()
            .await
        {
            if r.status().is_success() && r.text().await.unwrap_or_default().contains("at a glance")
            {
                break;
            }
        }
        assert!(
            Instant::now() < deadline,
            "the demo was not ready in 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    demo
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let seconds = env_num("CH_BENCH_SECONDS", 10);
    let clients = env_num("CH_BENCH_CLIENTS", 200) as usize;
    let path = std::env::var("CH_BENCH_PATH").unwrap_or_else(|_| "/statistics".into());
    eprintln!("Starting the demo (it loads a synthetic world and publishes statistics)…");
    let demo = start().await;
    let url = format!("http://127.0.0.1:{}{path}", demo.port);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    // Warm up: connections and the release in memory.
    for _ in 0..50 {
        http.get(&url).send().await.unwrap().bytes().await.unwrap();
    }
    let stop = Instant::now() + Duration::from_secs(seconds);
    let errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let bytes = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let http = http.clone();
        let url = url.clone();
        let errors = errors.clone();
        let bytes = bytes.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < stop {
                let t = Instant::now();
                match http.get(&url).send().await {
                    Ok(r) if r.status().is_success() => {
                        let b = r.bytes().await.map(|b| b.len()).unwrap_or(0);
                        bytes.fetch_add(b as u64, std::sync::atomic::Ordering::Relaxed);
                        lat.push(t.elapsed());
                    }
                    _ => {
                        errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    let cores = Command::new("nproc")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':').map(|(_, v)| v.trim().to_owned()))
        })
        .unwrap_or_default();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("statistics load: GET {path}, {clients} concurrent readers, {seconds} s, SQLite (demo); {cores} cores, {cpu}");
    println!(
        "  requests {}  errors {}  throughput {:.0}/s  mean body {} bytes",
        all.len(),
        errors.load(std::sync::atomic::Ordering::Relaxed),
        all.len() as f64 / elapsed.as_secs_f64(),
        bytes.load(std::sync::atomic::Ordering::Relaxed) / (all.len().max(1) as u64)
    );
    println!(
        "  latency p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        ms(percentile(&all, 0.50)),
        ms(percentile(&all, 0.95)),
        ms(percentile(&all, 0.99)),
        ms(percentile(&all, 1.0))
    );
    drop(demo);
}
