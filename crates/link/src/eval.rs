//! Scoring a clustering against the truth, the one way every test, bench and example does.

use std::collections::HashMap;
use std::hash::Hash;

/// Pairwise precision, recall and F1 of a clustering, given each item's (found cluster,
/// true cluster). Computed from the contingency counts, so no pair is ever listed and
/// clusters of thousands cost nothing; `crates/link/bench/score.py` computes the same.
///
/// ```
/// let found = [0, 0, 1, 1];
/// let truth = ["a", "a", "a", "b"];
/// let (p, r, f) = link::eval::pairwise(found.iter().zip(truth.iter()));
/// assert_eq!((p, r), (0.5, 1.0 / 3.0));
/// assert!((f - 0.4).abs() < 1e-12);
/// ```
pub fn pairwise<F: Hash + Eq, T: Hash + Eq>(
    items: impl IntoIterator<Item = (F, T)>,
) -> (f64, f64, f64) {
    let mut cells: HashMap<(F, T), u64> = HashMap::new();
    for item in items {
        *cells.entry(item).or_default() += 1;
    }
    let c2 = |n: u64| n * n.saturating_sub(1) / 2;
    let mut found: HashMap<&F, u64> = HashMap::new();
    let mut truth: HashMap<&T, u64> = HashMap::new();
    for ((f, t), &n) in &cells {
        *found.entry(f).or_default() += n;
        *truth.entry(t).or_default() += n;
    }
    let both: u64 = cells.values().map(|&n| c2(n)).sum();
    let found: u64 = found.values().map(|&n| c2(n)).sum();
    let truth: u64 = truth.values().map(|&n| c2(n)).sum();
    let p = both as f64 / found.max(1) as f64;
    let r = both as f64 / truth.max(1) as f64;
    (p, r, 2.0 * p * r / (p + r).max(1e-12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_empty() {
        let found = [3, 3, 7];
        let truth = [1, 1, 2];
        assert_eq!(pairwise(found.iter().zip(truth.iter())), (1.0, 1.0, 1.0));
        let none: [(u32, u32); 0] = [];
        let (p, r, _) = pairwise(none);
        assert_eq!((p, r), (0.0, 0.0));
    }

    #[test]
    fn one_big_cluster_has_full_recall_and_low_precision() {
        let found = [0u32; 6];
        let truth = [0, 0, 1, 1, 2, 2];
        let (p, r, _) = pairwise(found.iter().zip(truth.iter()));
        assert_eq!(r, 1.0);
        assert!((p - 3.0 / 15.0).abs() < 1e-12);
    }
}
