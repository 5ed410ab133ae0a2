//! Scores the person matcher on [`synth::households`], a generator it was not tuned on, with
//! the hand-set `m` and with `m` re-estimated by EM, both in batch (`clearinghouse dedupe`'s
//! path) and incrementally (the product's path: `Model::children` in an `Index`, links at
//! 0.8, the model measured again at each doubling). Scored with `link::eval::pairwise`;
//! twins linked to each other are counted apart.
//!
//! ```text
//! cargo run --release -p synth --example households -- [PEOPLE] [SEED]
//! ```
//! `EM_MAX_RATIO=3` bounds every estimated `m` to a factor of its start (`Config::em_max_ratio`);
//! `DUMP_MODEL=1` prints each batch model's `m` and weights.

use std::time::Instant;

use link::{Candidates, Config, Index, Model};
use synth::households::{generate, HouseholdConfig, Households};

/// One scoring run: precision, recall, F1, twin pairs linked, and a note.
type Run<'a> = dyn Fn() -> (f64, f64, f64, usize, String) + 'a;

fn twins_linked(h: &Households, cluster_of: &[u32]) -> usize {
    let mut of_person: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for (i, &p) in h.person.iter().enumerate() {
        of_person.entry(p).or_default().push(cluster_of[i]);
    }
    h.twins
        .iter()
        .filter(|(a, b)| {
            let (ca, cb) = (&of_person[a], &of_person[b]);
            ca.iter().any(|c| cb.contains(c))
        })
        .count()
}

fn batch(h: &Households, start: &Model, em: bool) -> (f64, f64, f64, usize, String) {
    let config = Config {
        em_min_pairs: if em {
            Config::default().em_min_pairs
        } else {
            usize::MAX
        },
        em_max_ratio: std::env::var("EM_MAX_RATIO")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(Config::default().em_max_ratio),
        ..Config::default()
    };
    let cands = Candidates::dedupe(&h.records, &config);
    let (model, est) = cands.estimation(start, &config);
    let clusters = cands.cluster(&model, &config);
    if std::env::var("DUMP_MODEL").is_ok() {
        for p in &model.fields {
            let w: Vec<String> =
                p.m.iter()
                    .zip(&p.u)
                    .map(|(m, u)| format!("{m:.3}/{:+.1}", (m / u).log2()))
                    .collect();
            eprintln!("  {:?}: {}", p.field, w.join(" "));
        }
    }
    let (p, r, f) = link::eval::pairwise(clusters.cluster_of.iter().zip(&h.person));
    let note = format!(
        "{} pairs, EM {} ({} iterations{}, match share {:.4}, kept {:?})",
        est.pairs,
        if est.ran { "ran" } else { "off" },
        est.iterations,
        if est.converged { ", converged" } else { "" },
        est.match_share,
        est.kept
    );
    (p, r, f, twins_linked(h, &clusters.cluster_of), note)
}

/// As the product links: each record queried against those before it at 0.8, every match a
/// link, links joined transitively; the model measured at 1,000 records and each doubling.
fn incremental(h: &Households, em: bool) -> (f64, f64, f64, usize, String) {
    let mut index = Index::new(
        Model::children(),
        Config {
            threshold: 0.8,
            threads: 1,
            em_max_ratio: std::env::var("EM_MAX_RATIO")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(Config::default().em_max_ratio),
            ..Config::default()
        },
    );
    let mut sets = link::UnionFind::new(h.records.len());
    let mut next = 1000;
    let mut note = String::new();
    for (i, r) in h.records.iter().enumerate() {
        if i >= next {
            if em {
                let e = index.estimate(200_000, 0x5eed);
                note = format!(
                    "last EM at {i}: {} pairs, {} ({} iterations, kept {:?})",
                    e.pairs,
                    if e.ran { "ran" } else { "off" },
                    e.iterations,
                    e.kept
                );
            } else {
                index.estimate_u(200_000, 0x5eed);
            }
            next *= 2;
        }
        let (id, found) = index.insert(r);
        for m in found {
            sets.union(id, m.record);
        }
    }
    let roots: Vec<u32> = (0..h.records.len() as u32).map(|i| sets.find(i)).collect();
    let (p, r, f) = link::eval::pairwise(roots.iter().zip(&h.person));
    (p, r, f, twins_linked(h, &roots), note)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let people: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(17);
    let t = Instant::now();
    let h = generate(&HouseholdConfig::new(seed, people));
    println!(
        "households: {people} people, {} records, {} twin pairs, seed {seed} ({:.1}s)",
        h.records.len(),
        h.twins.len(),
        t.elapsed().as_secs_f64()
    );
    let runs: [(&str, Box<Run>); 6] = [
        (
            "batch, Model::default, hand-set m",
            Box::new(|| batch(&h, &Model::default(), false)),
        ),
        (
            "batch, Model::default, EM m",
            Box::new(|| batch(&h, &Model::default(), true)),
        ),
        (
            "batch, Model::children, hand-set m",
            Box::new(|| batch(&h, &Model::children(), false)),
        ),
        (
            "batch, Model::children, EM m",
            Box::new(|| batch(&h, &Model::children(), true)),
        ),
        (
            "index, Model::children, hand-set m",
            Box::new(|| incremental(&h, false)),
        ),
        (
            "index, Model::children, EM m",
            Box::new(|| incremental(&h, true)),
        ),
    ];
    for (name, run) in runs {
        let t = Instant::now();
        let (p, r, f, twins, note) = run();
        println!(
            "{name}: P {p:.4} R {r:.4} F1 {f:.4}; twins linked {twins}/{}; {:.1}s; {note}",
            h.twins.len(),
            t.elapsed().as_secs_f64()
        );
    }
}
