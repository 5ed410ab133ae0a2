//! Throughput check for issue 3's target (1 million records in under 2 minutes on the 2-core
//! development machine): generates a world into a temporary directory and prints records/s.
//!
//! `cargo run --release -p synth --example synth_bench [SCALE] [--keep DIR]`; with `--keep`
//! the world is written to DIR and left there for inspection. Named apart from the link
//! crate's `bench`: two examples of one name collide in the shared target directory.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut scale: u64 = 1_000_000;
    let mut keep: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--keep" {
            keep = args.next().map(Into::into);
        } else {
            scale = a.parse()?;
        }
    }
    let tmp = tempfile::tempdir()?;
    let out = keep.unwrap_or_else(|| tmp.path().join("world"));
    let cfg = synth::Config { seed: 1, scale };
    let start = Instant::now();
    let mut last_shown = 0u64;
    let summary = synth::generate(&cfg, &out, &mut |done, total| {
        if done >= last_shown + total / 20 || done == total {
            last_shown = done;
            eprint!("\r{done}/{total} records");
        }
    })?;
    let secs = start.elapsed().as_secs_f64();
    eprintln!();
    println!(
        "{} records in {secs:.1} s wall: {:.0} records/s ({} cases, {} reports, {} tips, {} ads; \
         {} persons, {} networks; {} threads)",
        summary.counts.records,
        summary.counts.records as f64 / secs,
        summary.counts.cases,
        summary.counts.reports,
        summary.counts.tips,
        summary.counts.ads,
        summary.counts.persons,
        summary.counts.networks,
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8),
    );
    Ok(())
}
