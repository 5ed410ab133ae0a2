//! The person matcher scored on `synth::households`, a generator it was not tuned on (see
//! that module), with the hand-set `m` and with `m` re-estimated by EM; the scorer is
//! `link::eval::pairwise`, as for the world and FEBRL. The asserted figures are what was
//! achieved, less a small margin; `examples/households.rs` prints them for any size.

use link::{Candidates, Config, Index, Model};
use synth::households::{generate, HouseholdConfig, Households};

/// People in the test set (records are about 2.2 per person).
const PEOPLE: usize = 6_000;

fn households() -> Households {
    generate(&HouseholdConfig::new(17, PEOPLE))
}

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

/// Batch deduplication as `clearinghouse dedupe` runs it, from `start`; EM off keeps its `m`
/// (u is measured either way).
fn batch(h: &Households, start: &Model, em: bool) -> ((f64, f64, f64), usize, link::Estimation) {
    let config = Config {
        em_min_pairs: if em {
            Config::default().em_min_pairs
        } else {
            usize::MAX
        },
        ..Config::default()
    };
    let cands = Candidates::dedupe(&h.records, &config);
    let (model, est) = cands.estimation(start, &config);
    let clusters = cands.cluster(&model, &config);
    let score = link::eval::pairwise(clusters.cluster_of.iter().zip(&h.person));
    (score, twins_linked(h, &clusters.cluster_of), est)
}

/// As the product links children: `Model::children` in an index, each record matched at 0.8
/// against those before it, every match a link; the model measured at 1,000 records and at
/// each doubling (u alone, or u and then m by EM).
fn incremental(h: &Households, em: bool) -> ((f64, f64, f64), usize) {
    let mut index = Index::new(
        Model::children(),
        Config {
            threshold: 0.8,
            threads: 1,
            ..Config::default()
        },
    );
    let mut sets = link::UnionFind::new(h.records.len());
    let mut next = 1000;
    for (i, r) in h.records.iter().enumerate() {
        if i >= next {
            if em {
                index.estimate(200_000, 0x5eed);
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
    (
        link::eval::pairwise(roots.iter().zip(&h.person)),
        twins_linked(h, &roots),
    )
}

#[test]
fn batch_matching_on_households_with_hand_set_and_em_m() {
    let h = households();
    let ((p, r, f), twins, _) = batch(&h, &Model::default(), false);
    eprintln!(
        "households batch, hand-set m: P {p:.4} R {r:.4} F1 {f:.4}; twins linked {twins}/{}",
        h.twins.len()
    );
    let hand = f;
    let ((p, r, f), twins, est) = batch(&h, &Model::default(), true);
    eprintln!(
        "households batch, EM m: P {p:.4} R {r:.4} F1 {f:.4}; twins linked {twins}/{}; {est:?}",
        h.twins.len()
    );
    assert!(est.ran && est.converged, "{est:?}");
    // Achieved: hand-set m F1 0.6626 (P 0.56 R 0.81), EM m 0.4472 (P 0.32 R 0.74): EM's
    // second class takes in whole households (relatives agree on the family name, the
    // address and the phone), so hand-set m stays the default where it matters.
    assert!(hand >= 0.65, "F1 {hand}");
    assert!(f >= 0.43, "F1 {f}");
}

#[test]
fn incremental_matching_on_households_with_hand_set_and_em_m() {
    let h = households();
    let ((p, r, f), twins) = incremental(&h, false);
    eprintln!(
        "households index, Model::children hand-set m: P {p:.4} R {r:.4} F1 {f:.4}; twins linked {twins}/{}",
        h.twins.len()
    );
    let hand = f;
    let ((p, r, f), twins) = incremental(&h, true);
    eprintln!(
        "households index, Model::children EM m: P {p:.4} R {r:.4} F1 {f:.4}; twins linked {twins}/{}",
        h.twins.len()
    );
    // Achieved: hand-set m F1 0.4322 (P 0.29 R 0.86), EM m 0.4141 (P 0.27 R 0.84).
    assert!(hand >= 0.42, "F1 {hand}");
    assert!(f >= 0.40, "F1 {f}");
}
