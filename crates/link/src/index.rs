//! The incremental index: person records are inserted one at a time and each
//! new record is matched against everything stored, without recomputing the
//! rest. Lookups go through posting lists of the same blocking keys as batch
//! deduplication, so a query costs a few hundred comparisons whatever the
//! size of the index.
//!
//! Identifiers (phones, emails, handles) carried by more than
//! `Config::max_identifier_records` stored records become "common": they are
//! dropped from the stored records and from every later record and query,
//! as batch matching does. Links made before an identifier became common
//! stay (the index does not recompute); a full batch run settles them.
//!
//! Difference from batch blocking: a key shared by more than
//! `Config::max_block * 16` stored records is skipped at query time (there is
//! no cheap sorted neighbourhood for one new record), on the grounds that a
//! key that common says little and the record's other keys still find its
//! matches.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::block::{candidate_pairs, identifier_key, keys};
use crate::cluster::{mean_across, Groups};
use crate::model::{
    em, level_frequencies, probability, set_u, Estimation, Model, PairExplanation, Weights,
};
use crate::person::{compare, Field, Gamma, PersonRecord, Prepared};
use crate::person_link::{logit2, SplitMix};
use crate::Config;

/// A stored record that matches a query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Match {
    /// Number of the stored record (order of insertion).
    pub record: u32,
    /// Match weight in bits.
    pub score: f64,
    /// Match probability.
    pub probability: f64,
}

/// Person records indexed for incremental matching.
pub struct Index {
    config: Config,
    model: Model,
    /// The model the index was made with: EM starts from its `m` each time.
    start: Model,
    weights: Weights,
    prep: Vec<Prepared>,
    postings: FxHashMap<u64, Vec<u32>>,
    groups: Groups,
    buf: Vec<u64>,
    /// Identifiers (kind, hash) found too common to count as evidence.
    common: FxHashSet<(u8, u64)>,
}

impl Index {
    /// An empty index that scores with `model`.
    pub fn new(model: Model, config: Config) -> Index {
        Index {
            weights: Weights::new(&model),
            start: model.clone(),
            model,
            config,
            prep: Vec::new(),
            postings: FxHashMap::default(),
            groups: Groups::new(0),
            buf: Vec::new(),
            common: FxHashSet::default(),
        }
    }

    /// Number of stored records.
    pub fn len(&self) -> usize {
        self.prep.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.prep.is_empty()
    }

    /// The model used for scoring.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Measures `u` (how often two different people agree, per field and
    /// level) on `pairs` random pairs of the stored records, keeping `m` and
    /// the prior. `u` is the part of a model that random pairs estimate
    /// reliably without labels; it is what makes "same surname" worth more
    /// among a thousand surnames than among fifty. Matches already returned
    /// are not revisited. Does nothing with fewer than two records.
    ///
    /// Phones, emails, handles and document numbers keep their `u`: two
    /// different people share one so rarely that what a sample of a few
    /// hundred thousand pairs finds there is the same person met twice, and
    /// taking that for coincidence would make the strongest evidence weak.
    pub fn estimate_u(&mut self, pairs: usize, seed: u64) {
        self.measure_u(pairs, seed);
        self.weights = Weights::new(&self.model);
    }

    /// [`Index::estimate_u`], then `m` re-estimated by EM (see
    /// [`crate::Candidates::estimation`]) on the stored records' candidate
    /// pairs, blocked as batch deduplication blocks them. EM starts from the
    /// model the index was made with every time, so repeated estimates do not
    /// drift, and its bounds apply: below `Config::em_min_pairs` candidate
    /// pairs, or where too few matches were seen, the starting `m` is kept.
    /// The prior is kept: it anchors the link threshold the deployment chose.
    /// Matches already returned are not revisited.
    pub fn estimate(&mut self, pairs: usize, seed: u64) -> Estimation {
        let u_random = self.measure_u(pairs, seed);
        let mut patterns: FxHashMap<Gamma, u64> = FxHashMap::default();
        for p in candidate_pairs(&self.prep, None, &self.config) {
            let (a, b) = (
                &self.prep[(p >> 32) as usize],
                &self.prep[p as u32 as usize],
            );
            *patterns
                .entry(compare(a, b, self.config.reference_date))
                .or_insert(0) += 1;
        }
        let (m, _, report) = em(
            &patterns,
            &self.start,
            &u_random,
            &self.config.em_settings(),
        );
        for (params, m) in self.model.fields.iter_mut().zip(m) {
            let levels = params.m.len();
            params.m = m[..levels].to_vec();
        }
        self.weights = Weights::new(&self.model);
        report
    }

    /// Sets `u` from random pairs (identifiers and documents keep theirs) and
    /// returns it padded per field, for EM. Weights are left to the caller.
    fn measure_u(&mut self, pairs: usize, seed: u64) -> Vec<Vec<f64>> {
        let n = self.prep.len();
        if n < 2 {
            return self
                .model
                .fields
                .iter()
                .map(|p| {
                    let mut u = p.u.clone();
                    u.resize(crate::model::MAX_LEVELS, 0.0);
                    u
                })
                .collect();
        }
        let mut rng = SplitMix(seed);
        let sample = (0..pairs).map(|_| {
            let i = rng.below(n);
            let j = rng.below(n - 1);
            let j = if j >= i { j + 1 } else { j };
            compare(&self.prep[i], &self.prep[j], self.config.reference_date)
        });
        let mut counts = level_frequencies(sample);
        for f in [Field::Document, Field::Phone, Field::Email, Field::Handle] {
            counts[f as usize].iter_mut().for_each(|c| *c = 0.0);
        }
        set_u(&mut self.model, &counts)
    }

    fn matches(&self, p: &Prepared, keys: &[u64]) -> Vec<Match> {
        let cap = self.config.max_block.saturating_mul(16);
        let mut cands: Vec<u32> = Vec::new();
        for k in keys {
            if let Some(list) = self.postings.get(k) {
                if list.len() <= cap {
                    cands.extend_from_slice(list);
                }
            }
        }
        cands.sort_unstable();
        cands.dedup();
        let threshold = logit2(self.config.threshold);
        let mut out: Vec<Match> = cands
            .into_iter()
            .filter_map(|r| {
                let g = compare(p, &self.prep[r as usize], self.config.reference_date);
                let score = self.weights.score(&g);
                (score >= threshold).then_some(Match {
                    record: r,
                    score,
                    probability: probability(score),
                })
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.record.cmp(&b.record)));
        out
    }

    fn keys_of(&mut self, p: &Prepared) -> Vec<u64> {
        self.buf.clear();
        keys(p, &mut self.buf);
        self.buf.sort_unstable();
        self.buf.dedup();
        self.buf.clone()
    }

    /// Stored records matching `record`, best first (nothing is stored).
    pub fn query(&self, record: &PersonRecord) -> Vec<Match> {
        let p = self.prepare(record);
        let mut k = Vec::new();
        keys(&p, &mut k);
        k.sort_unstable();
        k.dedup();
        self.matches(&p, &k)
    }

    /// Stores `record` and joins it to the clusters of its matches (with the
    /// same average-linkage rule as batch clustering). Returns its number and
    /// its matches among the records stored before it.
    pub fn insert(&mut self, record: &PersonRecord) -> (u32, Vec<Match>) {
        let p = self.prepare(record);
        let keys = self.keys_of(&p);
        let found = self.matches(&p, &keys);
        let id = self.groups.push();
        let ids: Vec<(u8, u64)> = p.identifiers().collect();
        self.prep.push(p);
        for k in keys {
            self.postings.entry(k).or_default().push(id);
        }
        let cap = self.config.max_identifier_records;
        for (kind, h) in ids {
            let key = identifier_key(kind, h);
            if self.postings.get(&key).is_some_and(|l| l.len() > cap) {
                // Just became common: forget it everywhere.
                self.common.insert((kind, h));
                for r in self.postings.remove(&key).unwrap_or_default() {
                    self.prep[r as usize].drop_identifiers(|k, x| (k, x) == (kind, h));
                }
            }
        }
        for m in &found {
            let (ra, rb) = (self.groups.find(id), self.groups.find(m.record));
            if ra == rb {
                continue;
            }
            let (ma, mb) = (self.groups.members(ra), self.groups.members(rb));
            let ok = ma.len() * mb.len() == 1
                || mean_across(ma, mb, self.config.max_cluster_pairs, |x, y| {
                    let g = compare(
                        &self.prep[x as usize],
                        &self.prep[y as usize],
                        self.config.reference_date,
                    );
                    probability(self.weights.score(&g))
                }) >= self.config.cluster_threshold;
            if ok {
                self.groups.union(ra, rb);
            }
        }
        (id, found)
    }

    /// The cluster of a stored record, named by one of its members (stable
    /// until the cluster grows by a merge).
    pub fn cluster_of(&mut self, record: u32) -> Option<u32> {
        ((record as usize) < self.prep.len()).then(|| self.groups.find(record))
    }

    /// Members of the cluster of a stored record.
    pub fn cluster_members(&mut self, record: u32) -> Vec<u32> {
        match self.cluster_of(record) {
            Some(root) => {
                let mut m = self.groups.members(root).to_vec();
                m.sort_unstable();
                m
            }
            None => Vec::new(),
        }
    }

    /// Number of identifiers found too common to count as evidence.
    pub fn common_identifiers(&self) -> usize {
        self.common.len()
    }

    fn prepare(&self, record: &PersonRecord) -> Prepared {
        let mut p = Prepared::new(record);
        if !self.common.is_empty() {
            p.drop_identifiers(|k, h| self.common.contains(&(k, h)));
        }
        p
    }

    /// Why `record` matches (or not) stored record `stored`.
    pub fn explain(&self, record: &PersonRecord, stored: u32) -> Option<PairExplanation> {
        let other = self.prep.get(stored as usize)?;
        let g = compare(&self.prepare(record), other, self.config.reference_date);
        Some(PairExplanation::new(&g, &self.weights))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FieldParams;

    /// A made-up name per number (names lose their digits when normalised).
    fn name(mut k: usize) -> String {
        let mut s = String::from("q");
        loop {
            s.push(char::from(b'a' + (k % 26) as u8));
            k /= 26;
            if k == 0 {
                return s;
            }
        }
    }

    fn people(firsts: usize, lasts: usize, n: usize) -> Index {
        let mut index = Index::new(Model::children(), Config::default());
        for i in 0..n {
            index.insert(&PersonRecord {
                first_name: Some(name(i % firsts)),
                last_name: Some(name(i % lasts)),
                ..PersonRecord::default()
            });
        }
        index
    }

    fn params(index: &Index, field: Field) -> &FieldParams {
        &index.model().fields[field as usize]
    }

    #[test]
    fn u_follows_the_population() {
        // Few surnames: sharing one is common, so it weighs less than among many.
        let mut few = people(50, 5, 2000);
        let mut many = people(50, 500, 2000);
        let before = params(&few, Field::Handle).u.clone();
        few.estimate_u(50_000, 1);
        many.estimate_u(50_000, 1);
        let (uf, um) = (
            params(&few, Field::LastName).u[0],
            params(&many, Field::LastName).u[0],
        );
        assert!((0.15..0.25).contains(&uf), "{uf}");
        assert!(um < 0.01, "{um}");
        // m is kept, and identifiers keep their u: a sample finds their matches, not
        // their coincidences.
        assert_eq!(
            params(&few, Field::LastName).m,
            Model::children().fields[Field::LastName as usize].m
        );
        assert_eq!(params(&few, Field::Handle).u, before);
    }
}
