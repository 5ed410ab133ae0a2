//! The differentially private option: the geometric mechanism (discrete Laplace noise) on
//! integer counts.
//!
//! Noise `Z = G1 - G2` with `G1`, `G2` independent geometric counts of successes of a
//! Bernoulli(`q = e^-ε`) before the first failure, so `P(Z = k) ∝ q^|k|`: the discrete
//! Laplace distribution, which gives ε-differential privacy to a count of sensitivity 1.
//! Each Bernoulli trial is one `rng.gen_bool(q)` (an integer comparison against a 64-bit
//! threshold), so no floating-point logarithm shapes the tails (the weakness of textbook
//! Laplace sampling). The caller passes a cryptographically secure generator.
//!
//! Only the cells are noised; totals are the sums of the noised cells (post-processing,
//! which costs no privacy). Noised cells are clamped at zero and then suppressed like exact
//! ones. The privacy unit is one counted event (a report or a missing episode): a table's
//! cells each count an event once, so a table has sensitivity 1, and a release of `k`
//! tables spends `k × ε_table` (basic composition), which the caller states as the
//! release's budget.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::table::Table;
use crate::StatsError;

/// How a release's counts are made.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum Mode {
    /// Exact counts, small ones suppressed with their complements.
    Suppressed,
    /// Noised counts (ε per table), then suppressed the same way.
    DifferentiallyPrivate { epsilon_per_table: f64 },
}

impl Mode {
    pub fn id(&self) -> &'static str {
        match self {
            Mode::Suppressed => "suppressed",
            Mode::DifferentiallyPrivate { .. } => "dp",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Mode::Suppressed => "Exact counts with small-cell suppression".into(),
            Mode::DifferentiallyPrivate { epsilon_per_table } => format!(
                "Differentially private counts (discrete Laplace noise, ε = {epsilon_per_table} per table), then small-cell suppression"
            ),
        }
    }
}

/// One draw of discrete Laplace noise with parameter `q = e^-epsilon`.
pub fn discrete_laplace<R: Rng + ?Sized>(rng: &mut R, epsilon: f64) -> Result<i64, StatsError> {
    if !(epsilon.is_finite() && epsilon > 0.0) {
        return Err(StatsError::Epsilon(epsilon.to_string()));
    }
    let q = (-epsilon).exp();
    let mut geometric = || {
        let mut n = 0i64;
        // Capped so that a tiny epsilon cannot loop for ever; the cap is far out in the tail.
        while n < 1_000_000 && rng.gen_bool(q) {
            n += 1;
        }
        n
    };
    Ok(geometric() - geometric())
}

/// `table` with noise added to each cell, clamped at zero.
pub fn add_noise<R: Rng + ?Sized>(
    table: &Table,
    epsilon: f64,
    rng: &mut R,
) -> Result<Table, StatsError> {
    let mut out = table.clone();
    for line in &mut out.counts {
        for n in line {
            let z = discrete_laplace(rng, epsilon)?;
            *n = (i64::try_from(*n).unwrap_or(i64::MAX).saturating_add(z)).max(0) as u64;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    #[test]
    fn the_noise_has_mean_zero_and_the_discrete_laplace_variance() {
        let mut rng = StdRng::seed_from_u64(20261207);
        for epsilon in [0.5f64, 1.0, 2.0] {
            let n = 200_000;
            let draws: Vec<i64> = (0..n)
                .map(|_| discrete_laplace(&mut rng, epsilon).unwrap())
                .collect();
            let mean = draws.iter().sum::<i64>() as f64 / n as f64;
            let var = draws
                .iter()
                .map(|&x| (x as f64 - mean).powi(2))
                .sum::<f64>()
                / n as f64;
            let q = (-epsilon).exp();
            let expected = 2.0 * q / (1.0 - q).powi(2);
            // Standard error of the mean is sqrt(var / n); allow five of them.
            assert!(
                mean.abs() < 5.0 * (expected / n as f64).sqrt(),
                "ε={epsilon}: mean {mean}"
            );
            assert!(
                (var - expected).abs() / expected < 0.05,
                "ε={epsilon}: var {var} vs {expected}"
            );
            // The shape: P(0) = (1-q)/(1+q), and P(k)/P(k+1) = 1/q.
            let p0 = draws.iter().filter(|&&x| x == 0).count() as f64 / n as f64;
            assert!(
                (p0 - (1.0 - q) / (1.0 + q)).abs() < 0.01,
                "ε={epsilon}: P(0) {p0}"
            );
            let p1 = draws.iter().filter(|&&x| x == 1).count() as f64 / n as f64;
            let pm1 = draws.iter().filter(|&&x| x == -1).count() as f64 / n as f64;
            assert!((p1 - pm1).abs() < 0.01, "symmetric");
            assert!((p1 / p0 - q).abs() < 0.03, "ε={epsilon}: ratio {}", p1 / p0);
        }
    }

    #[test]
    fn noised_counts_are_never_negative_and_bad_epsilons_are_refused() {
        let mut rng = StdRng::seed_from_u64(7);
        let t = Table {
            rows: vec!["a".into()],
            cols: vec!["x".into(), "y".into()],
            counts: vec![vec![0, 1]],
        };
        for _ in 0..1000 {
            let n = add_noise(&t, 0.1, &mut rng).unwrap();
            assert_eq!(n.counts[0].len(), 2);
        }
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(discrete_laplace(&mut rng, bad).is_err());
        }
        assert_eq!(Mode::Suppressed.id(), "suppressed");
    }
}
