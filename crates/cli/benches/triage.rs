//! End-to-end triage of a backlog, on the release binary: a synthetic world with about
//! 100,000 reports and tips (`synth`, ads and cases left out) is imported into a fresh
//! SQLite data directory, where every report is assessed as it is stored, and then
//! `clearinghouse triage recompute` reassesses the whole backlog, as after a change of the
//! indicator catalogue. The bench prints both times and reports per second.
//!
//! `cargo bench -p clearinghouse --bench triage`. Environment:
//! - `CH_BENCH_REPORTS` (default 100000): reports and tips in the backlog;
//! - `CH_BENCH_DIR`: where the temporary directory goes (default: the system's);
//! - `CH_BENCH_BIN`: another `clearinghouse` binary to measure (default: this build's).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn binary() -> PathBuf {
    if let Ok(b) = std::env::var("CH_BENCH_BIN") {
        return PathBuf::from(b);
    }
    // Benches run from target/release/deps; the binary is one level up.
    let exe = std::env::current_exe().expect("bench path");
    let dir = exe.parent().and_then(Path::parent).expect("target dir");
    let bin = dir.join("clearinghouse");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --release -p clearinghouse` first, or set CH_BENCH_BIN",
        bin.display()
    );
    bin
}

fn run(bin: &Path, data: &Path, args: &[&str]) -> (f64, String) {
    let start = Instant::now();
    let out = Command::new(bin)
        .args(args)
        .env("CLEARINGHOUSE_DATA_DIR", data)
        .env("CLEARINGHOUSE_LOG", "warn")
        .output()
        .expect("run clearinghouse");
    let secs = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "clearinghouse {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        secs,
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        println!("triage: bench");
        return;
    }
    let reports: u64 = std::env::var("CH_BENCH_REPORTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let bin = binary();
    let base = match std::env::var("CH_BENCH_DIR") {
        Ok(d) => tempfile::tempdir_in(d),
        Err(_) => tempfile::tempdir(),
    }
    .expect("temporary directory");
    let world = base.path().join("world");
    let data = base.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    // Reports are 25% and tips 5% of a world's records.
    let scale = (reports * 10).div_ceil(3).to_string();
    let world_s = world.to_str().unwrap();
    let (t, _) = run(
        &bin,
        &data,
        &["synth", "--seed", "5", "--scale", &scale, "--out", world_s],
    );
    eprintln!("synth --scale {scale}: {t:.1} s");
    for f in ["ads.jsonl", "cases.jsonl"] {
        let _ = std::fs::remove_file(world.join(f));
    }
    let (import_secs, out) = run(&bin, &data, &["import", world_s]);
    eprint!("{out}");
    let (recompute_secs, out) = run(&bin, &data, &["triage", "recompute"]);
    print!("{out}");
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!();
    println!("triage of a backlog of about {reports} reports and tips ({cpus} cores):");
    println!(
        "  import, each report assessed and linked as it is stored: {import_secs:.1} s ({:.0} reports/s)",
        reports as f64 / import_secs
    );
    println!(
        "  triage recompute of the whole backlog:                    {recompute_secs:.1} s ({:.0} reports/s)",
        reports as f64 / recompute_secs
    );
}
