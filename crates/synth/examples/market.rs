//! Writes or scores the independent ad board of `synth::market` (issue 17): the engine was not
//! tuned on it, so its score is the one to believe.
//!
//! ```text
//! cargo run --release -p synth --example market -- write 100000 /tmp/market/ads.jsonl [rotating]
//! cargo run --release -p synth --example market -- score 5000 20000
//! ```
//! `write` gives `ads.jsonl` with the truth as `template` (for `clearinghouse cluster-ads` and
//! `crates/link/bench/score.py`). `score` runs `link::ads::cluster_ads` with the default
//! config on fixed and on rotating phones and prints pairwise precision, recall and F1 beside
//! the "phones only" baseline: ads sharing a phone the extractor finds are joined, hubs and
//! all. `MARKET_SEED` picks the seed (1 by default); `RARITY=1` scores `AdConfig::rarity()`,
//! `NEIGHBOURS=1` `AdConfig::neighbourhoods()`.

use std::collections::HashMap;
use std::io::BufWriter;
use std::time::Instant;

use link::ads::{cluster_ads, AdConfig};
use link::UnionFind;
use synth::market::{generate, Market, MarketConfig};

fn usage() -> ! {
    eprintln!("usage: market write N PATH [rotating] | market score N [N...]");
    std::process::exit(2)
}

fn seed() -> u64 {
    std::env::var("MARKET_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write") => {
            let (Some(n), Some(path)) = (args.get(1), args.get(2)) else {
                usage()
            };
            let rotating = args.get(3).is_some_and(|a| a == "rotating");
            let m = generate(&MarketConfig {
                seed: seed(),
                ads: n.parse()?,
                rotating,
            });
            let mut out = BufWriter::new(std::fs::File::create(path)?);
            m.write_jsonl(&mut out)?;
            eprintln!(
                "{} ads of {} operations written to {path}",
                m.ads.len(),
                m.operations()
            );
        }
        Some("score") if args.len() > 1 => {
            let extractor = extract::Extractor::new();
            for n in &args[1..] {
                let n: usize = n.parse()?;
                for rotating in [false, true] {
                    score(&extractor, n, rotating);
                }
            }
        }
        _ => usage(),
    }
    Ok(())
}

fn score(extractor: &extract::Extractor, n: usize, rotating: bool) {
    let start = Instant::now();
    let m = generate(&MarketConfig {
        seed: seed(),
        ads: n,
        rotating,
    });
    let made = start.elapsed().as_secs_f64();
    let phones = if rotating { "rotating" } else { "fixed" };
    let big = sizes(&m);
    println!(
        "{n} ads, {phones} phones: {} operations ({} of 3+ ads, largest {}); generated in {made:.2} s",
        m.operations(),
        big.0,
        big.1
    );

    let start = Instant::now();
    let config = if std::env::var("NEIGHBOURS").is_ok_and(|v| v == "1") {
        AdConfig::neighbourhoods()
    } else if std::env::var("RARITY").is_ok_and(|v| v == "1") {
        AdConfig::rarity()
    } else {
        AdConfig::default()
    };
    let c = cluster_ads(&m.ads, &config, |_| {});
    let secs = start.elapsed().as_secs_f64();
    let (p, r, f) = link::eval::pairwise(c.cluster_of.iter().zip(&m.operation));
    println!(
        "  cluster_ads   P {p:.4} R {r:.4} F1 {f:.4}  ({} clusters, {secs:.2} s)",
        c.count
    );

    let start = Instant::now();
    let mut uf = UnionFind::new(m.ads.len());
    let mut first: HashMap<String, u32> = HashMap::new();
    for (i, ad) in m.ads.iter().enumerate() {
        for e in extractor.extract(&ad.text()) {
            if e.kind == extract::EntityKind::Phone {
                let j = *first.entry(e.value).or_insert(i as u32);
                uf.union(i as u32, j);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let found: Vec<u32> = (0..m.ads.len() as u32).map(|i| uf.find(i)).collect();
    let (p, r, f) = link::eval::pairwise(found.iter().zip(&m.operation));
    println!("  phones only   P {p:.4} R {r:.4} F1 {f:.4}  ({secs:.2} s)");
}

/// Operations of three ads or more, and the largest.
fn sizes(m: &Market) -> (usize, usize) {
    let mut count: HashMap<u32, usize> = HashMap::new();
    for op in &m.operation {
        *count.entry(*op).or_default() += 1;
    }
    (
        count.values().filter(|c| **c >= 3).count(),
        count.values().copied().max().unwrap_or(0),
    )
}
