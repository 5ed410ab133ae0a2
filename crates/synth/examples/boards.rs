//! Adversarial ad boards (`synth::boards`): writes one as `ads.jsonl` for `clearinghouse
//! cluster-ads` and `crates/link/bench/score.py`, or scores the ad pipeline on them.
//!
//! `cargo run --release -p synth --example boards -- write 20000 /tmp/board.jsonl [rotating]`
//! `cargo run --release -p synth --example boards -- score 5000 20000`
//!
//! `score` runs `link::ads::cluster_ads` (what `cluster-ads` runs, default settings) on boards
//! with fixed and with rotating phones, and two comparisons: phones alone (ads sharing an
//! extracted phone, however many share it) and phones through the engine's identifier weights
//! (text off), and text alone with plain and with rarity-weighted MinHash (an experiment).
//! Pairwise precision, recall and F1 as `bench/score.py` computes them.

use std::collections::HashMap;
use std::time::Instant;

use link::ads::{cluster_ads, AdConfig};
use link::{TextConfig, UnionFind};
use synth::boards::{board, Board, BoardConfig};

/// Pairwise precision, recall and F1 from the contingency table, as `bench/score.py`.
fn pairwise(found: &[u32], truth: &[u32]) -> (f64, f64, f64) {
    let c2 = |n: u64| n * n.saturating_sub(1) / 2;
    let mut cells: HashMap<(u32, u32), u64> = HashMap::new();
    let mut fc: HashMap<u32, u64> = HashMap::new();
    let mut tc: HashMap<u32, u64> = HashMap::new();
    for (&f, &t) in found.iter().zip(truth) {
        *cells.entry((f, t)).or_default() += 1;
        *fc.entry(f).or_default() += 1;
        *tc.entry(t).or_default() += 1;
    }
    let tp: u64 = cells.values().map(|&n| c2(n)).sum();
    let fp: u64 = fc.values().map(|&n| c2(n)).sum();
    let tt: u64 = tc.values().map(|&n| c2(n)).sum();
    let p = tp as f64 / fp.max(1) as f64;
    let r = tp as f64 / tt.max(1) as f64;
    (p, r, 2.0 * p * r / (p + r).max(1e-12))
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

/// Text alone: the engine's MinHash clusterer on plain signatures, and on signatures
/// weighted by rarity (Chum et al. 2008: each hash is `-ln(u) / idf`, so the minimum falls
/// on a shingle with probability proportional to its weight and two signatures agree with
/// probability the IDF-weighted Jaccard similarity). An experiment for issue 17, not the
/// engine's method.
fn text_only(b: &Board, weighted: bool) -> Vec<u32> {
    let config = TextConfig::default();
    let words = config.shingle_words;
    let sh: Vec<Vec<u64>> = b
        .ads
        .iter()
        .map(|a| link::shingles(&a.text(), words))
        .collect();
    let mut df: HashMap<u64, u32> = HashMap::new();
    for s in &sh {
        for &x in s {
            *df.entry(x).or_default() += 1;
        }
    }
    let n = b.ads.len() as f64;
    let len = config.bands * config.rows;
    let mut clusterer = link::TextClusterer::new(config);
    for s in &sh {
        if s.is_empty() {
            clusterer.add_signature(&[]);
            continue;
        }
        let mut sig = vec![f32::MAX; len];
        for &x in s {
            let w = if weighted {
                (n / f64::from(df[&x])).ln().max(0.01)
            } else {
                1.0
            };
            for (k, slot) in sig.iter_mut().enumerate() {
                let h = x
                    .wrapping_add(k as u64)
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    .rotate_left(29)
                    .wrapping_mul(0xbf58_476d_1ce4_e5b9);
                let u = ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                let v = (-u.ln() / w) as f32;
                if v < *slot {
                    *slot = v;
                }
            }
        }
        let sig: Vec<u32> = sig.iter().map(|v| v.to_bits()).collect();
        clusterer.add_signature(&sig);
    }
    clusterer.cluster().cluster_of
}

fn score(n: usize) {
    for rotating in [false, true] {
        let b = board(&BoardConfig::new(7, n, rotating));
        let mode = if rotating { "rotating" } else { "fixed" };
        let ops = b.rotates.len();
        let t = Instant::now();
        let c = cluster_ads(&b.ads, &AdConfig::default(), |_| {});
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
        let no_text = AdConfig {
            text: TextConfig {
                threshold: 1.01,
                ..TextConfig::default()
            },
            ..AdConfig::default()
        };
        let c = cluster_ads(&b.ads, &no_text, |_| {});
        let (p, r, f) = pairwise(&c.cluster_of, &b.operation);
        println!("n={n} {mode}: engine identifiers, no text P {p:.4} R {r:.4} F1 {f:.4}");
        for weighted in [false, true] {
            let (p, r, f) = pairwise(&text_only(&b, weighted), &b.operation);
            let how = if weighted { "IDF-weighted" } else { "plain" };
            println!("n={n} {mode}: text only, {how} MinHash P {p:.4} R {r:.4} F1 {f:.4}");
        }
    }
}

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
