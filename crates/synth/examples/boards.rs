//! Adversarial ad boards (`synth::boards`): writes one as `ads.jsonl` for `clearinghouse
//! cluster-ads` and `crates/link/bench/score.py`, or scores the ad pipeline on them.
//!
//! `cargo run --release -p synth --example boards -- write 20000 /tmp/board.jsonl [rotating]`
//! `cargo run --release -p synth --example boards -- score 5000 20000`
//!
//! `score` runs `link::ads::cluster_ads` (what `cluster-ads` runs, default settings) on boards
//! with fixed and with rotating phones, and two comparisons: phones alone (ads sharing an
//! extracted phone, however many share it) and phones through the engine's identifier weights
//! (text off), and text alone.
//! Pairwise precision, recall and F1 as `bench/score.py` computes them. `RARITY=1` scores
//! `AdConfig::rarity()`, `NEIGHBOURS=1` `AdConfig::neighbourhoods()`.

use std::collections::HashMap;
use std::time::Instant;

use link::ads::{cluster_ads, AdConfig};
use link::UnionFind;

use synth::boards::{board, Board, BoardConfig};

fn pairwise(found: &[u32], truth: &[u32]) -> (f64, f64, f64) {
    link::eval::pairwise(found.iter().zip(truth))
}

/// Ads joined whenever they share an extracted phone, however many ads carry it.
fn phones_only(b: &Board) -> Vec<u32> {
    let ex = extract::Extractor::new();
    let mut first: HashMap<String, u32> = HashMap::new();
    let mut sets = UnionFind::new(b.ads.len());
    for (i, ad) in b.ads.iter().enumerate() {
        for e in ex.extract(&ad.text()) {
            if e.kind == extract::EntityKind::Phone {
                let f = *first.entry(e.value).or_insert(i as u32);
                sets.union(f, i as u32);
            }
        }
    }
    sets.labels().0
}

/// Text alone: the pipeline with every identifier weighing nothing.
/// The default settings, or with `RARITY=1` those for stock-phrase boards, or with
/// `NEIGHBOURS=1` the shared-nearest-neighbour preset.
fn cfg() -> AdConfig {
    if std::env::var("NEIGHBOURS").is_ok_and(|v| v == "1") {
        AdConfig::neighbourhoods()
    } else if std::env::var("RARITY").is_ok_and(|v| v == "1") {
        AdConfig::rarity()
    } else {
        AdConfig::default()
    }
}

fn text_only(b: &Board) -> Vec<u32> {
    let mut config = cfg();
    config.identifiers.base_weight = [0.0; 7];
    cluster_ads(&b.ads, &config, |_| {}).cluster_of
}

fn score(n: usize) {
    for rotating in [false, true] {
        let b = board(&BoardConfig::new(7, n, rotating));
        let mode = if rotating { "rotating" } else { "fixed" };
        let ops = b.rotates.len();
        let t = Instant::now();
        let c = cluster_ads(&b.ads, &cfg(), |_| {});
        let secs = t.elapsed().as_secs_f64();
        let largest = {
            let mut sizes = vec![0usize; c.count as usize];
            for &k in &c.cluster_of {
                sizes[k as usize] += 1;
            }
            sizes.into_iter().max().unwrap_or(0)
        };
        let (p, r, f) = pairwise(&c.cluster_of, &b.operation);
        println!(
            "n={n} {mode} ({ops} operations): cluster-ads P {p:.4} R {r:.4} F1 {f:.4} \
             ({} clusters, largest {largest}, {secs:.2}s)",
            c.count
        );
        let (p, r, f) = pairwise(&phones_only(&b), &b.operation);
        println!("n={n} {mode}: phones only P {p:.4} R {r:.4} F1 {f:.4}");
        let mut no_text = cfg();
        no_text.text.threshold = 1e9;
        no_text.neighbours = None;
        let c = cluster_ads(&b.ads, &no_text, |_| {});
        let (p, r, f) = pairwise(&c.cluster_of, &b.operation);
        println!("n={n} {mode}: engine identifiers, no text P {p:.4} R {r:.4} F1 {f:.4}");
        let (p, r, f) = pairwise(&text_only(&b), &b.operation);
        println!("n={n} {mode}: text only P {p:.4} R {r:.4} F1 {f:.4}");
    }
}

/// Weighted text similarity of pairs of one operation and of random pairs, as quantiles.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write") => {
            let n = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
            let path = args.get(2).map_or("board.jsonl", String::as_str);
            let rotating = args.get(3).is_some_and(|s| s == "rotating");
            let b = board(&BoardConfig::new(7, n, rotating));
            let written = std::fs::File::create(path).and_then(|f| {
                let mut out = std::io::BufWriter::new(f);
                b.write_jsonl(&mut out)?;
                std::io::Write::flush(&mut out)
            });
            if let Err(e) = written {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        }
        Some("score") => {
            let sizes: Vec<usize> = args[1..].iter().filter_map(|s| s.parse().ok()).collect();
            for n in if sizes.is_empty() {
                vec![5_000, 20_000]
            } else {
                sizes
            } {
                score(n);
            }
        }
        _ => eprintln!("usage: boards write N PATH [rotating] | boards score N..."),
    }
}
