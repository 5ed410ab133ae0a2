//! Person matching end to end: prepare, block, compare, estimate, cluster.
//! [`Candidates`] holds the compared pairs so that estimation and clustering
//! share one pass of blocking and comparison (the expensive part).

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::block::candidate_pairs;
use crate::cluster::{mean_across, Clusters, Groups, Link};
use crate::model::{
    em, level_frequencies, probability, Estimation, Model, PairExplanation, Weights,
};
use crate::normalize;
use crate::person::{compare, hash_str, Field, Gamma, PersonRecord, Prepared};
use crate::Config;

/// Blocked and compared candidate pairs of one data set (deduplication) or
/// of two (linkage).
///
/// Internally records are reordered so that records likely to share a block
/// sit next to each other in memory (comparisons then hit the cache); every
/// index that goes in or out of the public methods is the caller's.
#[derive(Debug)]
pub struct Candidates {
    /// Prepared records in internal order.
    prep: Vec<Prepared>,
    /// Internal position to caller's index.
    order: Vec<u32>,
    /// Caller's index to internal position.
    rank: Vec<u32>,
    /// Size of the first set when linking two sets.
    split: Option<usize>,
    /// Candidate pairs in internal positions, `(i << 32) | j`, `i < j`.
    pairs: Vec<u64>,
    gammas: Vec<Gamma>,
    reference: Option<crate::Date>,
    common: Vec<CommonIdentifier>,
}

/// An identifier carried by so many records that it was ignored (a
/// shelter's line, a hotline's address, a placeholder like 000-000-0000).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommonIdentifier {
    /// [`Field::Phone`], [`Field::Email`] or [`Field::Handle`].
    pub field: Field,
    /// The normalised value.
    pub value: String,
    /// Records carrying it.
    pub records: usize,
}

impl Candidates {
    /// Blocks and compares the records of one set, for deduplication.
    pub fn dedupe(records: &[PersonRecord], config: &Config) -> Candidates {
        Self::build(records, &[], None, config)
    }

    /// Blocks and compares two sets; only pairs across them are compared.
    /// Record indices in the results are `0..a.len()` for `a`, then `b`.
    pub fn link(a: &[PersonRecord], b: &[PersonRecord], config: &Config) -> Candidates {
        Self::build(a, b, Some(a.len()), config)
    }

    fn build(
        a: &[PersonRecord],
        b: &[PersonRecord],
        split: Option<usize>,
        config: &Config,
    ) -> Candidates {
        let records = || a.iter().chain(b);
        let mut prep: Vec<Prepared> =
            parallel_map(&records().collect::<Vec<_>>(), config, |r| Prepared::new(r));
        let common = drop_common_identifiers(&mut prep, records(), config.max_identifier_records);
        // Locality order: by phonetic surname and first initial, the key
        // most candidate pairs come from.
        let mut order: Vec<u32> = (0..prep.len() as u32).collect();
        order.sort_by_key(|&i| {
            let p = &prep[i as usize];
            (p.last_nysiis, p.first().first().copied(), i)
        });
        let mut rank = vec![0u32; order.len()];
        for (pos, &i) in order.iter().enumerate() {
            rank[i as usize] = pos as u32;
        }
        let mut slots: Vec<Option<Prepared>> = prep.into_iter().map(Some).collect();
        let prep: Vec<Prepared> = order
            .iter()
            .filter_map(|&i| slots[i as usize].take())
            .collect();
        let sides: Option<Vec<bool>> =
            split.map(|s| order.iter().map(|&i| (i as usize) < s).collect());
        let pairs = candidate_pairs(&prep, sides.as_deref(), config);
        let reference = config.reference_date;
        let gammas = parallel_map(&pairs, config, |&p| {
            compare(
                &prep[(p >> 32) as usize],
                &prep[(p & 0xffff_ffff) as usize],
                reference,
            )
        });
        Candidates {
            prep,
            order,
            rank,
            split,
            pairs,
            gammas,
            reference,
            common,
        }
    }

    /// Identifiers ignored because too many records carry them
    /// (`Config::max_identifier_records`).
    pub fn common_identifiers(&self) -> &[CommonIdentifier] {
        &self.common
    }

    fn side_a(&self, pos: u32) -> bool {
        self.split
            .is_some_and(|s| (self.order[pos as usize] as usize) < s)
    }

    /// Number of candidate pairs compared.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether no pair was compared.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// Candidate pairs as `(i, j)` with `i < j` (unordered).
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.pairs.iter().map(|&p| {
            let (x, y) = (
                self.order[(p >> 32) as usize],
                self.order[p as u32 as usize],
            );
            (x.min(y), x.max(y))
        })
    }

    fn total_pairs(&self) -> f64 {
        let n = self.prep.len() as f64;
        match self.split {
            Some(s) => s as f64 * (n - s as f64),
            None => n * (n - 1.0) / 2.0,
        }
    }

    /// Estimates a model without labels: `u` from `config.u_sample_pairs`
    /// random pairs, then `m` and the prior by EM on the candidate pairs,
    /// starting from `start` (see [`Candidates::estimation`]).
    pub fn estimate_from(&self, start: &Model, config: &Config) -> Model {
        self.estimation(start, config).0
    }

    /// [`Candidates::estimate_from`], with what the estimate did. EM runs
    /// only with at least `config.em_min_pairs` candidate pairs and keeps
    /// its result only where it rests on `config.em_min_matches` expected
    /// matches; elsewhere `start`'s `m` (and prior) stay, with `u` measured.
    /// `config.em_min_pairs = usize::MAX` measures `u` alone. With fewer than
    /// 1,000 possible pairs of records, `u` is not measured either.
    pub fn estimation(&self, start: &Model, config: &Config) -> (Model, Estimation) {
        let n = self.prep.len();
        let mut rng = SplitMix(config.seed);
        let mut sample = Vec::with_capacity(config.u_sample_pairs);
        // A handful of records has too few pairs to say how often strangers
        // agree: their `u` stays hand-set too.
        if n >= 2 && self.total_pairs() >= MIN_U_PAIRS {
            for _ in 0..config.u_sample_pairs {
                let (i, j) = match self.split {
                    Some(s) if s > 0 && s < n => (rng.below(s), s + rng.below(n - s)),
                    Some(_) => break,
                    None => {
                        let i = rng.below(n);
                        let j = rng.below(n - 1);
                        (i, if j >= i { j + 1 } else { j })
                    }
                };
                let (i, j) = (self.rank[i] as usize, self.rank[j] as usize);
                sample.push(compare(&self.prep[i], &self.prep[j], self.reference));
            }
        }
        let counts = level_frequencies(sample.into_iter());
        let mut model = start.clone();
        let u_random = crate::model::set_u(&mut model, &counts);
        let mut patterns: FxHashMap<Gamma, u64> = FxHashMap::default();
        for g in &self.gammas {
            *patterns.entry(*g).or_insert(0) += 1;
        }
        let (m, lambda, report) = em(&patterns, &model, &u_random, &config.em_settings());
        for (params, m) in model.fields.iter_mut().zip(m) {
            let levels = params.m.len();
            params.m = m[..levels].to_vec();
        }
        let total = self.total_pairs();
        if report.ran && total > 0.0 {
            model.prior = (lambda * self.pairs.len() as f64 / total).clamp(1e-12, 0.5);
        }
        (model, report)
    }

    /// [`Candidates::estimate_from`] starting from [`Model::default`].
    pub fn estimate(&self, config: &Config) -> Model {
        self.estimate_from(&Model::default(), config)
    }

    /// Scores every candidate pair and forms clusters (see [`crate::cluster`]).
    pub fn cluster(&self, model: &Model, config: &Config) -> Clusters {
        let w = Weights::new(model);
        let threshold = logit2(config.threshold);
        // Distinct patterns are few: score each once.
        let mut cache: FxHashMap<Gamma, f64> = FxHashMap::default();
        let mut edges: Vec<Link> = Vec::new();
        for (&p, g) in self.pairs.iter().zip(&self.gammas) {
            let s = *cache.entry(*g).or_insert_with(|| w.score(g));
            if s >= threshold {
                edges.push(Link {
                    a: (p >> 32) as u32,
                    b: p as u32,
                    score: s,
                    probability: probability(s),
                });
            }
        }
        edges.sort_by(|x, y| {
            y.score
                .total_cmp(&x.score)
                .then((x.a, x.b).cmp(&(y.a, y.b)))
        });
        let n = self.prep.len();
        let mut groups = Groups::new(n);
        // Per cluster root: how many records from the first set (link mode).
        let mut from_a: Vec<u32> = (0..n as u32).map(|i| u32::from(self.side_a(i))).collect();
        for e in &edges {
            let (ra, rb) = (groups.find(e.a), groups.find(e.b));
            if ra == rb {
                continue;
            }
            let (ma, mb) = (groups.members(ra), groups.members(rb));
            if config.one_to_one && self.split.is_some() {
                let a_side = from_a[ra as usize] + from_a[rb as usize];
                let b_side = (ma.len() + mb.len()) as u32 - a_side;
                if a_side > 1 || b_side > 1 {
                    continue;
                }
            }
            if ma.len() * mb.len() > 1 {
                let mean = mean_across(ma, mb, config.max_cluster_pairs, |x, y| {
                    let g = compare(
                        &self.prep[x as usize],
                        &self.prep[y as usize],
                        self.reference,
                    );
                    probability(*cache.entry(g).or_insert_with(|| w.score(&g)))
                });
                if mean < config.cluster_threshold {
                    continue;
                }
            }
            let sum = from_a[ra as usize] + from_a[rb as usize];
            let root = groups.union(ra, rb);
            from_a[root as usize] = sum;
        }
        // Back to the caller's order, numbering clusters by first member.
        let roots: Vec<u32> = (0..n as u32).map(|i| groups.find(i)).collect();
        let mut label = vec![u32::MAX; n];
        let mut cluster_of = vec![0u32; n];
        let mut count = 0;
        for (orig, &pos) in self.rank.iter().enumerate() {
            let r = roots[pos as usize] as usize;
            if label[r] == u32::MAX {
                label[r] = count;
                count += 1;
            }
            cluster_of[orig] = label[r];
        }
        let to_caller = |e: Link| {
            let (x, y) = (self.order[e.a as usize], self.order[e.b as usize]);
            Link {
                a: x.min(y),
                b: x.max(y),
                ..e
            }
        };
        let (links, held_apart) = edges
            .into_iter()
            .map(to_caller)
            .partition(|e| cluster_of[e.a as usize] == cluster_of[e.b as usize]);
        Clusters {
            cluster_of,
            count,
            links,
            held_apart,
        }
    }

    /// The field-by-field evidence for records `i` and `j` under `model`.
    pub fn explain(&self, model: &Model, i: u32, j: u32) -> Option<PairExplanation> {
        let a = self.prep.get(*self.rank.get(i as usize)? as usize)?;
        let b = self.prep.get(*self.rank.get(j as usize)? as usize)?;
        Some(PairExplanation::new(
            &compare(a, b, self.reference),
            &Weights::new(model),
        ))
    }
}

/// Deduplicates one set of records with a given model.
pub fn dedupe(records: &[PersonRecord], model: &Model, config: &Config) -> Clusters {
    Candidates::dedupe(records, config).cluster(model, config)
}

/// Links two sets with a given model; cluster numbers cover `a` then `b`.
pub fn link(a: &[PersonRecord], b: &[PersonRecord], model: &Model, config: &Config) -> Clusters {
    Candidates::link(a, b, config).cluster(model, config)
}

/// Estimates a model on the two sets and links them with it.
pub fn link_estimated(
    a: &[PersonRecord],
    b: &[PersonRecord],
    config: &Config,
) -> (Model, Clusters) {
    let c = Candidates::link(a, b, config);
    let model = c.estimate(config);
    let clusters = c.cluster(&model, config);
    (model, clusters)
}

/// Estimates a model on the records and deduplicates them with it.
pub fn dedupe_estimated(records: &[PersonRecord], config: &Config) -> (Model, Clusters) {
    let c = Candidates::dedupe(records, config);
    let model = c.estimate(config);
    let clusters = c.cluster(&model, config);
    (model, clusters)
}

/// Why two records are or are not the same person under `model`.
pub fn explain(
    a: &PersonRecord,
    b: &PersonRecord,
    model: &Model,
    config: &Config,
) -> PairExplanation {
    let g = compare(&Prepared::new(a), &Prepared::new(b), config.reference_date);
    PairExplanation::new(&g, &Weights::new(model))
}

/// Applies `f` to every item on `config.threads` threads (all cores when 0),
/// keeping the order. Work is split into equal contiguous chunks, which suits
/// the uniform per-item costs here (preparing records, comparing pairs).
pub(crate) fn parallel_map<T: Sync, U: Send>(
    items: &[T],
    config: &Config,
    f: impl Fn(&T) -> U + Sync,
) -> Vec<U> {
    let threads = match config.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        t => t,
    };
    if threads <= 1 || items.len() < 4096 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                // A panic in `f` is a bug; carry it to the caller unchanged.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        out
    })
}

/// Turns a raw identifier into its normalised form, if it is one.
type Normalizer = fn(&str) -> Option<String>;

/// Counts every identifier and drops from all records those carried by more
/// than `cap` records; returns what was dropped, with its normalised value.
fn drop_common_identifiers<'a>(
    prep: &mut [Prepared],
    records: impl Iterator<Item = &'a PersonRecord>,
    cap: usize,
) -> Vec<CommonIdentifier> {
    let mut counts: FxHashMap<(u8, u64), usize> = FxHashMap::default();
    for p in prep.iter() {
        for id in p.identifiers() {
            *counts.entry(id).or_insert(0) += 1;
        }
    }
    counts.retain(|_, &mut c| c > cap);
    if counts.is_empty() {
        return Vec::new();
    }
    for p in prep.iter_mut() {
        p.drop_identifiers(|k, h| counts.contains_key(&(k, h)));
    }
    // Name what was dropped, for explanations (rare: one pass over the raw
    // values, normalising only until each is found).
    let mut out = Vec::new();
    for r in records {
        let kinds: [(&[String], Normalizer, Field); 3] = [
            (&r.phones, normalize::phone, Field::Phone),
            (&r.emails, normalize::email, Field::Email),
            (&r.handles, normalize::handle, Field::Handle),
        ];
        for (k, (values, norm, field)) in kinds.into_iter().enumerate() {
            for v in values {
                let Some(value) = norm(v) else { continue };
                if let Some(records) = counts.remove(&(k as u8, hash_str(&value))) {
                    out.push(CommonIdentifier {
                        field,
                        value,
                        records,
                    });
                }
            }
        }
        if counts.is_empty() {
            break;
        }
    }
    out.sort_by(|a, b| b.records.cmp(&a.records).then(a.value.cmp(&b.value)));
    out
}

/// Fewer possible pairs of records than this: `u` is not measured.
const MIN_U_PAIRS: f64 = 1_000.0;

pub(crate) fn logit2(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    (p / (1.0 - p)).log2()
}

/// A small deterministic generator (SplitMix64) for sampling pairs: results
/// must be reproducible run to run.
pub(crate) struct SplitMix(pub u64);

impl SplitMix {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        crate::person::mix(self.0)
    }

    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }
}
