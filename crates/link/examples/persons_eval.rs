//! Scores incremental person matching on labelled mentions, as the product links them:
//! each mention is queried against the ones before it, every match at or above the
//! threshold is a link, and links join mentions transitively.
//!
//! Input: JSON lines, each a [`link::PersonRecord`] with a `truth` field naming the
//! person. `THRESHOLD` overrides the match probability (default 0.8, the product's);
//! `MODEL` names a JSON model to use instead of [`link::Model::children`]; `ESTIMATE_AT`
//! is the size at which `u` is first measured (0: never), again at each doubling; with `EM`
//! set, `m` is re-estimated there too ([`link::Index::estimate`]).
//!
//! ```text
//! cargo run --release -p link --example persons_eval -- mentions.jsonl
//! ```

use link::{Config, Index, Model, PersonRecord};
use std::collections::HashMap;

#[derive(serde::Deserialize)]
struct Mention {
    truth: String,
    #[serde(flatten)]
    record: PersonRecord,
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn pairs<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> u64 {
    let mut n: HashMap<K, u64> = HashMap::new();
    keys.for_each(|k| *n.entry(k).or_default() += 1);
    n.values().map(|c| c * (c - 1) / 2).sum()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: persons_eval MENTIONS.jsonl")?;
    let threshold: f64 = std::env::var("THRESHOLD").map_or(Ok(0.8), |t| t.parse())?;
    let verbose = std::env::var("VERBOSE").is_ok();
    let mentions: Vec<Mention> = std::fs::read_to_string(&path)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    let model: Model = match std::env::var("MODEL") {
        Ok(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        Err(_) => Model::children(),
    };
    if std::env::var("DUMP_MODEL").is_ok() {
        println!("{}", serde_json::to_string_pretty(&model)?);
    }
    let mut index = Index::new(
        model,
        Config {
            threshold,
            ..Config::default()
        },
    );
    let mut parent: Vec<usize> = (0..mentions.len()).collect();
    let mut false_links = 0usize;
    // As the product does: u is measured again each time the index doubles.
    let first_estimate: usize = std::env::var("ESTIMATE_AT").map_or(Ok(1000), |t| t.parse())?;
    let mut next_estimate = first_estimate;
    for (i, m) in mentions.iter().enumerate() {
        if first_estimate > 0 && i >= next_estimate {
            if std::env::var("EM").is_ok() {
                let e = index.estimate(200_000, 0x5eed);
                if verbose {
                    eprintln!("EM at {i}: {e:?}");
                }
            } else {
                index.estimate_u(200_000, 0x5eed);
            }
            next_estimate *= 2;
        }
        for hit in index.query(&m.record) {
            let j = hit.record as usize;
            if mentions[j].truth != m.truth {
                false_links += 1;
                if verbose && false_links <= 30 {
                    let e = index.explain(&m.record, hit.record);
                    eprintln!(
                        "false link p={:.3}\n  {:?}\n  {:?}\n  {:?}",
                        hit.probability, m.record, mentions[j].record, e
                    );
                }
            }
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            parent[a] = b;
        }
        index.insert(&m.record);
    }
    if std::env::var("DUMP_FINAL").is_ok() {
        for f in &index.model().fields {
            let w: Vec<String> =
                f.m.iter()
                    .zip(&f.u)
                    .map(|(m, u)| format!("{:.1}", (m / u).log2()))
                    .collect();
            eprintln!(
                "{:?}: u {:?} weights {}",
                f.field,
                f.u.iter().map(|u| format!("{u:.2e}")).collect::<Vec<_>>(),
                w.join(" ")
            );
        }
    }
    let roots: Vec<usize> = (0..mentions.len()).map(|i| find(&mut parent, i)).collect();
    if let Ok(out) = std::env::var("OUT") {
        let lines: Vec<String> = roots.iter().map(|r| r.to_string()).collect();
        std::fs::write(out, lines.join("\n") + "\n")?;
    }
    let tp = pairs(roots.iter().zip(&mentions).map(|(r, m)| (*r, &m.truth)));
    let found = pairs(roots.iter());
    let truth = pairs(mentions.iter().map(|m| &m.truth));
    let p = tp as f64 / found.max(1) as f64;
    let r = tp as f64 / truth.max(1) as f64;
    println!(
        "{} mentions, threshold {threshold}: precision {p:.4} recall {r:.4} F1 {:.4} (pairs: {tp} right of {found} found, {truth} true; {false_links} false links)",
        mentions.len(),
        2.0 * p * r / (p + r).max(f64::MIN_POSITIVE)
    );
    Ok(())
}
