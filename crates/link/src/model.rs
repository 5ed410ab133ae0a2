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

/// How the expectation-maximisation estimate of `m` is bounded. The defaults
/// are [`crate::Config`]'s.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EmSettings {
    /// Fewer candidate pairs than this: EM does not run and the starting
    /// (hand-set) `m` is kept.
    pub min_pairs: usize,
    /// Fewer expected matches than this among the candidates, or in one
    /// field among the pairs where both records have it: that estimate is
    /// discarded and the starting `m` kept.
    pub min_matches: f64,
    /// Iterations at most.
    pub max_iterations: usize,
    /// Converged when no `m`, candidate `u` or match share moves by more.
    pub tolerance: f64,
    /// Strength, in pairs, of the pull towards the starting values (a
    /// Dirichlet prior on each field's `m`).
    pub prior_pairs: f64,
    /// No level's `m` moves further than this factor from its start, either way.
    pub max_ratio: f64,
}

/// No level's `m` is estimated below this (nor a candidate non-match `u`):
/// with the floor, one disagreement costs at most about 13 bits, so a
/// single field EM never saw disagree among matches cannot veto a link on
/// its own.
const M_MIN: f64 = 1e-4;

/// The match share among candidates stays inside these: a share of 1 would
/// mean EM has taken every candidate pair for a match, whatever its fields
/// say.
const LAMBDA_MIN: f64 = 1e-6;
const LAMBDA_MAX: f64 = 0.95;

/// What an estimate did; returned with the model so callers can report it
/// and tests can check it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimation {
    /// Candidate pairs the estimate saw.
    pub pairs: usize,
    /// Whether EM ran; false when there were fewer candidate pairs than
    /// `Config::em_min_pairs` (or none matched), and the starting `m` was kept.
    pub ran: bool,
    /// Iterations run.
    pub iterations: usize,
    /// Whether EM converged within `Config::em_tolerance` before
    /// `Config::em_iterations`.
    pub converged: bool,
    /// Estimated share of matches among the candidate pairs.
    pub match_share: f64,
    /// Fields whose `m` was kept at its starting value although EM ran: too
    /// few matches had the field on both sides, or the estimate would have
    /// made agreement evidence against a match (see [`em`]).
    pub kept: Vec<Field>,
}

/// Per field, the 0-based levels that say "agree" (their weight may not turn
/// negative) and those that say "disagree" (their weight may not turn positive).
fn agree_disagree(field: Field) -> (&'static [usize], &'static [usize]) {
    match field {
        Field::FirstName | Field::LastName | Field::Address => (&[0], &[3]),
        Field::Dob => (&[0, 4], &[3, 5]),
        Field::City | Field::Postcode | Field::Document => (&[0], &[2]),
        Field::Sex | Field::State | Field::Phone | Field::Email | Field::Handle => (&[0], &[1]),
    }
}

/// Expectation-maximisation of the Fellegi–Sunter `m` over distinct
/// comparison patterns (Winkler 1988, "Using the EM algorithm for weight
/// computation in the Fellegi–Sunter model of record linkage"; Jaro 1989;
/// as Splink and fastLink do, Enamorado, Fifield & Imai 2019).
///
/// Why: the hand-set `m` of [`Model::default`] and [`Model::children`] say
/// how often a field agrees for the same person in the data someone had in
/// mind; the data at hand may be cleaner or dirtier, and EM reads that off
/// the candidate pairs without labels. The two-class mixture is fitted with
/// conditional independence between fields, as in the papers.
///
/// `u` is held at its value from random pairs; `m` and the share of matches
/// among candidate pairs are re-estimated. A separate `u` for non-matching
/// *candidates* is estimated alongside as a nuisance parameter, because
/// blocking makes candidate non-matches agree far more often than random pairs
/// do; using random-pair `u` inside EM would push those agreements into `m`.
///
/// Bounds, so that an estimate cannot run away from what the data supports:
/// - nothing runs below `min_pairs` candidate pairs: the start is kept;
/// - each field's `m` is a MAP estimate under a Dirichlet prior of
///   `prior_pairs` pseudo-pairs at the starting values, and no level goes
///   below [`M_MIN`]; the match share stays in [`LAMBDA_MIN`], [`LAMBDA_MAX`];
/// - a field seen on both sides of fewer than `min_matches` expected matches
///   keeps its starting `m`, as does every field if the matches expected in
///   total are fewer;
/// - a field whose estimate would make agreement evidence against a match, or
///   disagreement evidence for one (the second class has then captured
///   something else, such as members of one household), keeps its start;
/// - iterations stop when nothing moves by `tolerance`, or at `max_iterations`.
///
/// Deterministic: patterns are visited in sorted order, so the sums are the
/// same whatever order the pairs came in.
///
/// Known limit: blocking keeps only pairs that share a key, so `m` of a
/// field used in a key (names, date of birth) is estimated among matches
/// that agree somewhat more often than all matches do. Keys on several
/// different fields (names, dates, postcodes, identifiers) soften this.
pub(crate) fn em(
    patterns: &FxHashMap<Gamma, u64>,
    start: &Model,
    u_random: &[Vec<f64>],
    s: &EmSettings,
) -> (Vec<Vec<f64>>, f64, Estimation) {
    let nlev: Vec<usize> = FIELDS.iter().map(|f| f.levels().len()).collect();
    let start_m: Vec<Vec<f64>> = start.fields.iter().map(|p| p.m.clone()).collect();
    let mut pats: Vec<(Gamma, f64)> = patterns.iter().map(|(g, &c)| (*g, c as f64)).collect();
    pats.sort_unstable_by_key(|a| a.0);
    let total: f64 = pats.iter().map(|(_, c)| c).sum();
    let mut report = Estimation {
        pairs: total as usize,
        ran: false,
        iterations: 0,
        converged: false,
        match_share: 0.0,
        kept: Vec::new(),
    };
    if total == 0.0 || (total as usize) < s.min_pairs {
        return (start_m, 0.0, report);
    }
    // Pairs seen at each level: the sign of a level's weight is only judged
    // where there were enough of them to judge it.
    let mut level_pairs = vec![[0.0f64; MAX_LEVELS]; NFIELDS];
    for (g, c) in &pats {
        for (f, &l) in g.iter().enumerate() {
            if l > 0 {
                level_pairs[f][usize::from(l) - 1] += c;
            }
        }
    }
    let mut m = start_m.clone();
    let mut uc: Vec<Vec<f64>> = u_random.to_vec();
    let mut lambda = 0.1f64;
    let mut observed = [0.0f64; NFIELDS];
    let alpha = s.prior_pairs.max(0.0);
    for it in 0..s.max_iterations {
        let mut m_acc = vec![[0.0f64; MAX_LEVELS]; NFIELDS];
        let mut u_acc = vec![[0.0f64; MAX_LEVELS]; NFIELDS];
        let mut matched = 0.0;
        for (g, c) in &pats {
            // Work in logs: the ratio stays exact when both sides get tiny.
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
        let new_lambda = (matched / total).clamp(LAMBDA_MIN, LAMBDA_MAX);
        let mut moved = (new_lambda - lambda).abs();
        for f in 0..NFIELDS {
            let n = nlev[f];
            let sm: f64 = m_acc[f][..n].iter().sum();
            let su: f64 = u_acc[f][..n].iter().sum();
            observed[f] = sm;
            // A field never observed keeps its starting values.
            if sm > 0.0 {
                let next = map_estimate(&m_acc[f][..n], &start_m[f], alpha, s.max_ratio);
                for i in 0..n {
                    moved = moved.max((next[i] - m[f][i]).abs());
                    m[f][i] = next[i];
                }
            }
            if su > 0.0 {
                let next = map_estimate(&u_acc[f][..n], &u_random[f][..n], alpha, f64::INFINITY);
                for i in 0..n {
                    moved = moved.max((next[i] - uc[f][i]).abs());
                    uc[f][i] = next[i];
                }
            }
        }
        lambda = new_lambda;
        report.iterations = it + 1;
        if moved < s.tolerance {
            report.converged = true;
            break;
        }
    }
    report.ran = true;
    report.match_share = lambda;
    if lambda * total < s.min_matches {
        report.ran = false;
        return (start_m, lambda, report);
    }
    for (f, &field) in FIELDS.iter().enumerate() {
        let (agree, disagree) = agree_disagree(field);
        let u = &u_random[f];
        let judged = |i: usize| i < nlev[f] && level_pairs[f][i] >= s.min_matches;
        let inverted = agree.iter().any(|&i| judged(i) && m[f][i] < u[i])
            || disagree.iter().any(|&i| judged(i) && m[f][i] > u[i]);
        if observed[f] < s.min_matches || inverted {
            m[f].clone_from(&start_m[f]);
            if observed[f] > 0.0 {
                report.kept.push(field);
            }
        }
    }
    (m, lambda, report)
}

/// Expected counts smoothed towards `prior` by `alpha` pseudo-counts,
/// normalised, floored at [`M_MIN`] and normalised again.
fn map_estimate(counts: &[f64], prior: &[f64], alpha: f64, ratio: f64) -> Vec<f64> {
    let psum: f64 = prior
        .iter()
        .take(counts.len())
        .sum::<f64>()
        .max(f64::MIN_POSITIVE);
    let mut v: Vec<f64> = counts
        .iter()
        .zip(prior)
        .map(|(&c, &p)| (c + alpha * p / psum).max(0.0))
        .collect();
    let sum: f64 = v.iter().sum();
    if sum > 0.0 {
        v.iter_mut().for_each(|x| *x = (*x / sum).max(M_MIN));
        if ratio.is_finite() && ratio >= 1.0 {
            for (x, &p) in v.iter_mut().zip(prior) {
                let p = p / psum;
                *x = x.clamp(p / ratio, (p * ratio).max(M_MIN).max(p / ratio));
            }
        }
        let sum: f64 = v.iter().sum();
        v.iter_mut().for_each(|x| *x /= sum);
    }
    v
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person_link::SplitMix;
    use proptest::prelude::*;

    fn settings() -> EmSettings {
        EmSettings {
            min_pairs: 1_000,
            min_matches: 50.0,
            max_iterations: 200,
            tolerance: 1e-7,
            prior_pairs: 10.0,
            max_ratio: f64::INFINITY,
        }
    }

    fn padded(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.resize(MAX_LEVELS, 0.0);
        v
    }

    fn unit(rng: &mut SplitMix) -> f64 {
        (rng.next() >> 11) as f64 / ((1u64 << 53) as f64)
    }

    /// Draws a level from a distribution.
    fn draw(rng: &mut SplitMix, p: &[f64]) -> u8 {
        let x = unit(rng);
        let mut acc = 0.0;
        for (i, &q) in p.iter().enumerate() {
            acc += q;
            if x < acc {
                return i as u8 + 1;
            }
        }
        p.len() as u8
    }

    /// Candidate pairs drawn from a known mixture over the names, the date
    /// of birth, sex and city: `share` of them matches with `m`, the rest
    /// non-matches with `u`. Returns the pattern counts.
    fn simulate(
        n: usize,
        share: f64,
        m: &[(Field, Vec<f64>)],
        u: &[(Field, Vec<f64>)],
        seed: u64,
    ) -> FxHashMap<Gamma, u64> {
        let mut rng = SplitMix(seed);
        let mut out = FxHashMap::default();
        for _ in 0..n {
            let is_match = unit(&mut rng) < share;
            let table = if is_match { m } else { u };
            let mut g = [0u8; NFIELDS];
            for (f, p) in table {
                g[*f as usize] = draw(&mut rng, p);
            }
            *out.entry(g).or_insert(0) += 1;
        }
        out
    }

    /// Per field, its distribution over levels.
    type Levels = Vec<(Field, Vec<f64>)>;

    fn truth() -> (Levels, Levels) {
        let m = vec![
            (Field::FirstName, vec![0.7, 0.15, 0.05, 0.1]),
            (Field::LastName, vec![0.9, 0.05, 0.02, 0.03]),
            (Field::Dob, vec![0.8, 0.12, 0.03, 0.05]),
            (Field::Sex, vec![0.98, 0.02]),
            (Field::City, vec![0.75, 0.05, 0.2]),
        ];
        // Candidate non-matches agree more than random pairs (they share a key).
        let u = vec![
            (Field::FirstName, vec![0.05, 0.05, 0.1, 0.8]),
            (Field::LastName, vec![0.3, 0.1, 0.2, 0.4]),
            (Field::Dob, vec![0.01, 0.02, 0.02, 0.95]),
            (Field::Sex, vec![0.5, 0.5]),
            (Field::City, vec![0.1, 0.02, 0.88]),
        ];
        (m, u)
    }

    /// `u` of random pairs: agreement rarer still.
    fn u_random() -> Vec<Vec<f64>> {
        let mut model = Model::default();
        for p in &mut model.fields {
            match p.field {
                Field::FirstName => p.u = vec![0.01, 0.01, 0.03, 0.95],
                Field::LastName => p.u = vec![0.005, 0.005, 0.02, 0.97],
                Field::Dob => p.u = vec![0.0002, 0.001, 0.003, 0.9958, 0.0, 0.0],
                Field::City => p.u = vec![0.02, 0.01, 0.97],
                _ => {}
            }
        }
        model.fields.iter().map(|p| padded(&p.u)).collect()
    }

    #[test]
    fn em_recovers_m_from_a_known_mixture() {
        let (m, u) = truth();
        let patterns = simulate(40_000, 0.25, &m, &u, 1);
        let (est, lambda, report) = em(&patterns, &Model::children(), &u_random(), &settings());
        assert!(report.ran && report.converged, "{report:?}");
        assert!((lambda - 0.25).abs() < 0.02, "{lambda}");
        for (f, true_m) in &m {
            for (i, t) in true_m.iter().enumerate() {
                let e = est[*f as usize][i];
                assert!(
                    (e - t).abs() < 0.03,
                    "{f:?} level {} m {e} (true {t})",
                    i + 1
                );
            }
        }
        assert!(report.kept.is_empty(), "{report:?}");
    }

    #[test]
    fn too_few_pairs_keep_the_hand_set_m() {
        let (m, u) = truth();
        let patterns = simulate(900, 0.25, &m, &u, 2);
        let start = Model::children();
        let (est, _, report) = em(&patterns, &start, &u_random(), &settings());
        assert!(!report.ran);
        assert_eq!(report.iterations, 0);
        let start_m: Vec<Vec<f64>> = start.fields.iter().map(|p| p.m.clone()).collect();
        assert_eq!(est, start_m);
    }

    #[test]
    fn too_few_matches_keep_the_hand_set_m() {
        let (m, u) = truth();
        // 20 matches in 20,000 pairs: fewer than the 50 an estimate needs.
        let patterns = simulate(20_000, 0.001, &m, &u, 3);
        let start = Model::children();
        let (est, _, report) = em(&patterns, &start, &u_random(), &settings());
        assert!(!report.ran, "{report:?}");
        let start_m: Vec<Vec<f64>> = start.fields.iter().map(|p| p.m.clone()).collect();
        assert_eq!(est, start_m);
    }

    #[test]
    fn a_field_whose_agreement_would_count_against_keeps_its_start() {
        // Matches agree on sex less often than random pairs do (0.3 < 0.5):
        // taken at face value, the same sex would be evidence against.
        let (mut m, u) = truth();
        m[3].1 = vec![0.3, 0.7];
        let patterns = simulate(40_000, 0.25, &m, &u, 4);
        let start = Model::children();
        let (est, _, report) = em(&patterns, &start, &u_random(), &settings());
        assert!(report.ran);
        assert_eq!(report.kept, vec![Field::Sex]);
        assert_eq!(
            est[Field::Sex as usize],
            start.fields[Field::Sex as usize].m
        );
        // The other fields are still estimated.
        assert!((est[Field::LastName as usize][0] - 0.9).abs() < 0.03);
    }

    #[test]
    fn the_iteration_cap_holds() {
        let (m, u) = truth();
        let patterns = simulate(5_000, 0.3, &m, &u, 5);
        let s = EmSettings {
            max_iterations: 3,
            ..settings()
        };
        let (_, _, report) = em(&patterns, &Model::children(), &u_random(), &s);
        assert_eq!(report.iterations, 3);
        assert!(!report.converged);
    }

    fn distribution(levels: usize) -> impl Strategy<Value = Vec<f64>> {
        proptest::collection::vec(0.001f64..1.0, levels).prop_map(|v| {
            let s: f64 = v.iter().sum();
            v.into_iter().map(|x| x / s).collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the data and the start: every estimated `m` is a
        /// distribution with no level below the floor, the share stays in
        /// bounds, the cap holds, and the order the pairs came in changes
        /// nothing.
        #[test]
        fn estimates_stay_bounded_and_deterministic(
            first in distribution(4),
            last in distribution(4),
            city in distribution(3),
            share in 0.0f64..0.9,
            n in 0usize..6_000,
            seed in any::<u64>(),
            start_first in distribution(4),
        ) {
            let (_, u) = truth();
            let m = vec![
                (Field::FirstName, first),
                (Field::LastName, last),
                (Field::City, city),
            ];
            let patterns = simulate(n, share, &m, &u[..2].iter().chain(&u[4..]).cloned().collect::<Vec<_>>(), seed);
            let mut start = Model::children();
            start.fields[Field::FirstName as usize].m = start_first;
            let s = settings();
            let (est, lambda, report) = em(&patterns, &start, &u_random(), &s);
            prop_assert!(report.iterations <= s.max_iterations);
            prop_assert!((0.0..=LAMBDA_MAX).contains(&lambda));
            for (f, field) in FIELDS.iter().enumerate() {
                let levels = field.levels().len();
                let sum: f64 = est[f][..levels].iter().sum();
                if report.ran && !report.kept.contains(field) && f != Field::Dob as usize {
                    prop_assert!((sum - 1.0).abs() < 1e-9, "{:?} sums to {}", field, sum);
                    prop_assert!(est[f][..levels].iter().all(|&x| x >= M_MIN * 0.99), "{:?} {:?}", field, est[f]);
                }
                prop_assert!(est[f].iter().all(|x| x.is_finite()));
            }
            // The same pairs in another order: a map built in reverse.
            let mut entries: Vec<(Gamma, u64)> = patterns.iter().map(|(g, &c)| (*g, c)).collect();
            entries.sort_unstable_by_key(|e| std::cmp::Reverse(e.0));
            let reversed: FxHashMap<Gamma, u64> = entries.into_iter().collect();
            let (again, lambda2, report2) = em(&reversed, &start, &u_random(), &s);
            prop_assert_eq!(est, again);
            prop_assert_eq!(lambda.to_bits(), lambda2.to_bits());
            prop_assert_eq!(report, report2);
        }
    }
}
