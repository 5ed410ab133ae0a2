//! The Fellegi–Sunter model: per field and agreement level, the probability
//! `m` of seeing that level when two records are the same person and `u` when
//! they are not; the match weight of a level is `log2(m/u)`. Parameters are
//! estimated without labels (u from random pairs, m by expectation-maximisation
//! on the blocked candidate pairs) and can be overridden by hand.

use std::fmt;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::person::{Field, Gamma, FIELDS, NFIELDS};

/// Most agreement levels any field has (the date of birth has six).
pub const MAX_LEVELS: usize = 6;

/// Probabilities are floored here so that no single level can carry an
/// infinite weight: a field is evidence, never proof.
const FLOOR: f64 = 1e-6;

/// `m` and `u` for one field, indexed by agreement level minus one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldParams {
    /// The field.
    pub field: Field,
    /// P(level | same person).
    pub m: Vec<f64>,
    /// P(level | different people).
    pub u: Vec<f64>,
}

/// A Fellegi–Sunter model for [`crate::PersonRecord`] comparisons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Per field, in [`FIELDS`] order.
    pub fields: Vec<FieldParams>,
    /// Probability that two records drawn at random are the same person.
    pub prior: f64,
}

impl Default for Model {
    /// Hand-set parameters that behave sensibly before any estimation
    /// (typical values from the record-linkage literature); `estimate` should
    /// be preferred whenever there are a few thousand records.
    fn default() -> Model {
        let p = |field: Field, m: &[f64], u: &[f64]| FieldParams {
            field,
            m: m.to_vec(),
            u: u.to_vec(),
        };
        Model {
            fields: vec![
                p(
                    Field::FirstName,
                    &[0.85, 0.07, 0.03, 0.05],
                    &[0.01, 0.005, 0.03, 0.955],
                ),
                p(
                    Field::LastName,
                    &[0.85, 0.07, 0.03, 0.05],
                    &[0.005, 0.003, 0.02, 0.972],
                ),
                p(
                    Field::Dob,
                    &[0.85, 0.08, 0.02, 0.05, 0.9, 0.1],
                    &[0.0001, 0.0008, 0.003, 0.9961, 0.1, 0.9],
                ),
                p(Field::Sex, &[0.97, 0.03], &[0.5, 0.5]),
                p(
                    Field::Address,
                    &[0.7, 0.1, 0.05, 0.15],
                    &[0.0005, 0.001, 0.01, 0.9885],
                ),
                p(Field::City, &[0.8, 0.08, 0.12], &[0.005, 0.005, 0.99]),
                p(Field::State, &[0.9, 0.1], &[0.2, 0.8]),
                p(Field::Postcode, &[0.8, 0.08, 0.12], &[0.002, 0.01, 0.988]),
                p(
                    Field::Document,
                    &[0.85, 0.08, 0.07],
                    &[0.00001, 0.0001, 0.99989],
                ),
                p(Field::Phone, &[0.6, 0.4], &[0.0001, 0.9999]),
                p(Field::Email, &[0.6, 0.4], &[0.0001, 0.9999]),
                p(Field::Handle, &[0.6, 0.4], &[0.0001, 0.9999]),
            ],
            prior: 1e-4,
        }
    }
}

impl Model {
    /// [`Model::default`] set for children named in reports and missing-child
    /// cases, where what a record gets wrong differs from a registry's errors:
    /// - a child is often known by another first name (a nickname, or a street
    ///   name a trafficker gave), so a different first name is weaker evidence
    ///   against;
    /// - a stated age is often a guess or the older age a child gives online;
    /// - a trafficked child is moved between cities and states, so being
    ///   reported elsewhere says little;
    /// - a child's own screen name is theirs alone: two different children
    ///   share one far more rarely than they share a phone (phones are handed
    ///   out, passed on and reassigned).
    ///
    /// `u` of the names, dates and places should still be measured on the
    /// population ([`crate::Index::estimate_u`]).
    pub fn children() -> Model {
        let mut m = Model::default();
        for p in &mut m.fields {
            match p.field {
                Field::FirstName => p.m = vec![0.65, 0.15, 0.05, 0.15],
                Field::Dob => p.m = vec![0.85, 0.08, 0.02, 0.05, 0.8, 0.2],
                Field::City => p.m = vec![0.5, 0.05, 0.45],
                Field::State => p.m = vec![0.6, 0.4],
                Field::Handle => p.u = vec![1e-6, 1.0 - 1e-6],
                _ => {}
            }
        }
        m
    }
}

/// Match weights precomputed from a [`Model`] for fast scoring.
#[derive(Debug, Clone)]
pub(crate) struct Weights {
    w: [[f64; MAX_LEVELS + 1]; NFIELDS],
    prior: f64,
}

impl Weights {
    pub fn new(model: &Model) -> Weights {
        let mut w = [[0.0; MAX_LEVELS + 1]; NFIELDS];
        for (f, params) in model.fields.iter().enumerate().take(NFIELDS) {
            for (l, (m, u)) in params.m.iter().zip(&params.u).enumerate().take(MAX_LEVELS) {
                w[f][l + 1] = (m.max(FLOOR) / u.max(FLOOR)).log2();
            }
        }
        let p = model.prior.clamp(1e-12, 1.0 - 1e-12);
        Weights {
            w,
            prior: (p / (1.0 - p)).log2(),
        }
    }

    /// Total match weight (log2 odds) of a comparison vector.
    pub fn score(&self, g: &Gamma) -> f64 {
        let mut s = self.prior;
        for (f, &l) in g.iter().enumerate() {
            s += self.w[f][usize::from(l).min(MAX_LEVELS)];
        }
        s
    }

    pub fn field(&self, f: usize, level: u8) -> f64 {
        self.w[f][usize::from(level).min(MAX_LEVELS)]
    }

    pub fn prior(&self) -> f64 {
        self.prior
    }
}

/// Match probability from a match weight in log2 odds.
pub fn probability(score: f64) -> f64 {
    1.0 / (1.0 + (-score).exp2())
}

/// Frequencies of the agreement levels per field, from comparison vectors.
pub(crate) fn level_frequencies(gammas: impl Iterator<Item = Gamma>) -> Vec<Vec<f64>> {
    let mut counts = vec![vec![0.0f64; MAX_LEVELS]; NFIELDS];
    for g in gammas {
        for (f, &l) in g.iter().enumerate() {
            if l > 0 {
                counts[f][usize::from(l) - 1] += 1.0;
            }
        }
    }
    counts
}

/// Sets `u` of every field from level counts of random pairs, with half a
/// pseudo-count per level so that a level never seen in the sample stays rare
/// instead of impossible; returns `u` padded to [`MAX_LEVELS`] per field.
pub(crate) fn set_u(model: &mut Model, counts: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut u_random = Vec::with_capacity(NFIELDS);
    for (f, params) in model.fields.iter_mut().enumerate() {
        let levels = params.u.len();
        let total: f64 = counts[f][..levels].iter().sum();
        if total > 0.0 {
            for (u, &c) in params.u.iter_mut().zip(&counts[f][..levels]) {
                *u = (c + 0.5) / (total + 0.5 * levels as f64);
            }
        }
        let mut u = params.u.clone();
        u.resize(MAX_LEVELS, 0.0);
        u_random.push(u);
    }
    u_random
}

/// Expectation-maximisation over distinct comparison patterns.
///
/// `u` is held at its value from random pairs; `m` and the share of matches
/// among candidate pairs are re-estimated. A separate `u` for non-matching
/// *candidates* is estimated alongside as a nuisance parameter, because
/// blocking makes candidate non-matches agree far more often than random pairs
/// do; using random-pair `u` inside EM would push those agreements into `m`.
/// Returns (m, share of matches among candidates).
pub(crate) fn em(
    patterns: &FxHashMap<Gamma, u64>,
    start: &Model,
    u_random: &[Vec<f64>],
    iterations: usize,
) -> (Vec<Vec<f64>>, f64) {
    let nlev: Vec<usize> = FIELDS.iter().map(|f| f.levels().len()).collect();
    let mut m: Vec<Vec<f64>> = start.fields.iter().map(|p| p.m.clone()).collect();
    let mut uc: Vec<Vec<f64>> = u_random.to_vec();
    let mut lambda = 0.1f64;
    let pats: Vec<(&Gamma, f64)> = patterns.iter().map(|(g, &c)| (g, c as f64)).collect();
    let total: f64 = pats.iter().map(|(_, c)| c).sum();
    if total == 0.0 {
        return (m, lambda);
    }
    for _ in 0..iterations {
        let mut m_acc = vec![vec![0.0f64; MAX_LEVELS]; NFIELDS];
        let mut u_acc = vec![vec![0.0f64; MAX_LEVELS]; NFIELDS];
        let mut matched = 0.0;
        for (g, c) in &pats {
            // Work in logs: products of twelve small probabilities underflow
            // nothing here, but logs keep the ratio exact when they get tiny.
            let mut lm = lambda.ln();
            let mut lu = (1.0 - lambda).ln();
            for (f, &l) in g.iter().enumerate() {
                if l > 0 {
                    let i = usize::from(l) - 1;
                    lm += m[f][i].max(FLOOR).ln();
                    lu += uc[f][i].max(FLOOR).ln();
                }
            }
            let p = 1.0 / (1.0 + (lu - lm).exp());
            matched += c * p;
            for (f, &l) in g.iter().enumerate() {
                if l > 0 {
                    let i = usize::from(l) - 1;
                    m_acc[f][i] += c * p;
                    u_acc[f][i] += c * (1.0 - p);
                }
            }
        }
        let new_lambda = (matched / total).clamp(1e-9, 1.0 - 1e-9);
        for f in 0..NFIELDS {
            let n = nlev[f];
            let sm: f64 = m_acc[f][..n].iter().sum();
            let su: f64 = u_acc[f][..n].iter().sum();
            // A field never observed keeps its starting values.
            if sm > 0.0 {
                for i in 0..n {
                    m[f][i] = (m_acc[f][i] / sm).max(FLOOR);
                }
            }
            if su > 0.0 {
                for i in 0..n {
                    uc[f][i] = (u_acc[f][i] / su).max(FLOOR);
                }
            }
        }
        let done = (new_lambda - lambda).abs() < 1e-7;
        lambda = new_lambda;
        if done {
            break;
        }
    }
    (m, lambda)
}

/// The evidence for one field of one pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldEvidence {
    /// The field.
    pub field: Field,
    /// The agreement level's label ("exact", "one typo"...).
    pub level: &'static str,
    /// Its match weight in bits (log2 m/u); negative is evidence against.
    pub weight: f64,
}

/// Why two person records are (or are not) linked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairExplanation {
    /// Prior log2 odds that two random records are the same person.
    pub prior: f64,
    /// The fields present on both sides, strongest evidence first.
    pub fields: Vec<FieldEvidence>,
    /// Prior plus all field weights, in bits.
    pub score: f64,
    /// The resulting match probability.
    pub probability: f64,
}

impl PairExplanation {
    pub(crate) fn new(g: &Gamma, w: &Weights) -> PairExplanation {
        let mut fields: Vec<FieldEvidence> = FIELDS
            .iter()
            .zip(g)
            .filter(|(_, &l)| l > 0)
            .map(|(&field, &l)| FieldEvidence {
                field,
                level: field.levels()[usize::from(l) - 1],
                weight: w.field(field as usize, l),
            })
            .collect();
        fields.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        let score = w.score(g);
        PairExplanation {
            prior: w.prior(),
            fields,
            score,
            probability: probability(score),
        }
    }
}

impl fmt::Display for PairExplanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "match probability {:.4} (score {:+.1} bits, prior {:+.1})",
            self.probability, self.score, self.prior
        )?;
        for e in &self.fields {
            writeln!(f, "  {:<11} {:+6.1}  {}", e.field.name(), e.weight, e.level)?;
        }
        Ok(())
    }
}
