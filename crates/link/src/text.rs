//! Near-duplicate texts: ads and narratives written from one template.
//!
//! Each text is normalised (lower case; emoji, punctuation and symbols
//! dropped), split into sentences, and turned into a set of word shingles
//! taken *within* sentences, so reordering sentences changes almost nothing
//! and a small edit changes only the shingles around it. MinHash signatures
//! estimate the Jaccard similarity of two sets; LSH banding finds candidate
//! pairs without comparing all pairs; candidates are verified on the
//! signature estimate and joined with union-find. Each cluster keeps its
//! medoid (the member most similar to the others) as its template, and each
//! member's estimated similarity to it as the evidence.

use serde::{Deserialize, Serialize};

use crate::cluster::UnionFind;
use crate::person::{hash_str, mix};

/// Settings for text clustering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextConfig {
    /// Words per shingle.
    pub shingle_words: usize,
    /// LSH bands.
    pub bands: usize,
    /// Signature rows per band (signature length is `bands * rows`).
    pub rows: usize,
    /// Estimated Jaccard similarity required to join two texts (with
    /// [`Linkage::Average`], on average over the pairs of their clusters).
    pub threshold: f64,
    /// How clusters grow.
    #[serde(default)]
    pub linkage: Linkage,
    /// With [`Linkage::Average`], the similarity two single texts need, on one
    /// pair's evidence; clusters of more members need less, down to
    /// `threshold`, as the mean of `p` pairs is surer:
    /// `max(threshold, single / sqrt(p))`.
    #[serde(default)]
    pub single: f64,
    /// Members looked at when choosing a cluster's medoid.
    pub medoid_sample: usize,
    /// Seed of the hash functions.
    pub seed: u64,
}

impl Default for TextConfig {
    /// 20 bands of 3 rows: pairs at Jaccard 0.5 are found with probability
    /// 1 - (1 - 0.5^3)^20 ≈ 0.93 per comparison and far more often through
    /// the rest of their cluster; pairs at 0.2 collide in under 15% of cases
    /// and are then rejected by the verification.
    fn default() -> TextConfig {
        TextConfig {
            shingle_words: 2,
            bands: 20,
            rows: 3,
            threshold: 0.5,
            linkage: Linkage::Single,
            single: 0.5,
            medoid_sample: 32,
            seed: 0x7e47,
        }
    }
}

/// How text clusters grow from verified pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Linkage {
    /// Any verified pair joins its two clusters. Right for templates whose
    /// copies drift (each ad edited from the last), wrong on boards where every
    /// poster writes the same stock phrases: A near B near C ... chains
    /// thousands of unrelated ads into one cluster.
    #[default]
    Single,
    /// Two clusters join only when the mean similarity over all pairs of their
    /// members reaches the threshold (pairs taken strongest first, each text
    /// keeping its strongest few): a member is close to the whole of its
    /// cluster, not to one neighbour, and a weak bridge joins nothing.
    Average,
}

/// One cluster of near-duplicate texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextCluster {
    /// Text numbers, ascending.
    pub members: Vec<u32>,
    /// The medoid: the member standing for the template.
    pub template: u32,
    /// Per member (same order), the estimated Jaccard similarity of its
    /// shingles to the template's: the evidence for membership.
    pub similarity: Vec<f32>,
}

/// The result of text clustering.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TextClusters {
    /// Cluster number per text (`0..count`).
    pub cluster_of: Vec<u32>,
    /// Number of clusters, singletons included.
    pub count: u32,
    /// Clusters of two or more texts, largest first.
    pub groups: Vec<TextCluster>,
}

/// Collects texts (as MinHash signatures; the texts themselves are not kept)
/// and clusters them.
#[derive(Debug, Clone)]
pub struct TextClusterer {
    config: TextConfig,
    hasher: MinHasher,
    /// Signatures, `bands * rows` values per text, flat.
    sigs: Vec<u32>,
    /// Texts with no shingle at all never join a cluster.
    empty: Vec<bool>,
}

/// MinHash: `bands * rows` hash functions over a text's [`shingles`], the
/// minimum of each kept as a signature whose agreement with another estimates
/// the Jaccard similarity of the two shingle sets. The one implementation: the
/// batch [`TextClusterer`] and the stored [`band_keys`] both use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinHasher {
    /// Per hash function: multiplier (odd) and addend.
    hashers: Vec<(u64, u64)>,
    rows: usize,
}

impl MinHasher {
    /// The hash functions drawn from `seed` (the same seed always gives the
    /// same functions: signatures and band keys may be stored).
    pub fn new(seed: u64, bands: usize, rows: usize) -> MinHasher {
        // The signature length of the configuration as given (a degenerate
        // one still hashes), banded by at least one row.
        let n = (bands * rows).max(1);
        let rows = rows.max(1);
        let mut state = seed;
        let hashers = (0..n)
            .map(|_| {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let a = mix(state) | 1;
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                (a, mix(state))
            })
            .collect();
        MinHasher { hashers, rows }
    }

    /// Values in a signature (`bands * rows`).
    pub fn len(&self) -> usize {
        self.hashers.len()
    }

    /// Always false: there is at least one hash function.
    pub fn is_empty(&self) -> bool {
        self.hashers.is_empty()
    }

    /// Lowers `sig` (of [`len`](Self::len) values, `u32::MAX` for a fresh one)
    /// to the minimum of each hash function over `shingles`.
    pub fn fill(&self, shingles: &[u64], sig: &mut [u32]) {
        for &x in shingles {
            // One multiply-add per hash function on an already mixed value:
            // a universal family that is cheap enough for millions of ads.
            for (s, &(a, b)) in sig.iter_mut().zip(&self.hashers) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                if h < *s {
                    *s = h;
                }
            }
        }
    }

    /// The rarity-weighted signature of a set of shingles (Chum, Philbin and
    /// Zisserman 2008, "Near duplicate image detection: min-Hash and tf-idf
    /// weighting"): each hash function gives a shingle the value `-log2(u) / w`,
    /// `u` uniform from the shingle's hash and `w` its weight, and keeps the
    /// minimum. The minimum falls on a shingle with probability proportional to
    /// its weight, so two signatures agree in a place with about the weighted
    /// Jaccard similarity of the two sets: a stock phrase that half the board
    /// uses (weight near 0) hardly ever decides a place, a rare phrase usually
    /// does. Shingles of weight 0 are left out; a text with none has an empty
    /// signature. Values are `f32` bits (positive, so their order is the
    /// numbers' order), compared only for equality.
    pub fn weighted_signature(&self, shingles: &[u64], weight: impl Fn(u64) -> f32) -> Vec<u32> {
        let mut sig: Vec<f32> = Vec::new();
        for (x, w) in shingles.iter().map(|&x| (x, weight(x))) {
            if w <= 0.0 || !w.is_finite() {
                continue;
            }
            if sig.is_empty() {
                sig = vec![f32::MAX; self.len()];
            }
            let inv = 1.0 / w;
            for (s, &(a, b)) in sig.iter_mut().zip(&self.hashers) {
                let h = (a.wrapping_mul(x).wrapping_add(b) >> 32) as u32;
                let v = neg_log2_unit(h) * inv;
                if v < *s {
                    *s = v;
                }
            }
        }
        sig.into_iter().map(f32::to_bits).collect()
    }

    /// The signature of a set of shingles; empty for an empty set (a text
    /// with no word resembles nothing).
    pub fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        if shingles.is_empty() {
            return Vec::new();
        }
        let mut sig = vec![u32::MAX; self.len()];
        self.fill(shingles, &mut sig);
        sig
    }

    /// One key per band of a signature, `BB:hhhhhhhhhhhhhhhh` (band number,
    /// then an FNV-1a hash of the band's values): two texts sharing a key are
    /// candidates, to verify on the whole signature. Empty for an empty
    /// signature.
    pub fn band_keys(&self, sig: &[u32]) -> Vec<String> {
        if sig.is_empty() {
            return Vec::new();
        }
        sig.chunks(self.rows)
            .enumerate()
            .map(|(band, part)| {
                let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ band as u64;
                for v in part {
                    h = (h ^ u64::from(*v)).wrapping_mul(0x0100_0000_01b3);
                }
                format!("{band:02}:{h:016x}")
            })
            .collect()
    }
}

/// The signatures of a cluster's members, summed: how many members have each
/// value in each place, sorted by (place, value).
struct Profile {
    size: u32,
    counts: Vec<(u64, u32)>,
}

impl Profile {
    /// The profile of one text (its root's signature: a singleton's root is itself).
    fn of(sig: &[u32]) -> Profile {
        Profile {
            size: 1,
            counts: sig
                .iter()
                .enumerate()
                .map(|(k, &v)| (((k as u64) << 32) | u64::from(v), 1))
                .collect(),
        }
    }

    /// Mean signature similarity over all pairs of a member of each: the number
    /// of (pair, place) agreements over pairs times places.
    fn mean_similarity(&self, other: &Profile, slots: usize) -> f64 {
        let (mut i, mut j, mut agree) = (0, 0, 0u64);
        let (a, b) = (&self.counts, &other.counts);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    agree += u64::from(a[i].1) * u64::from(b[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        agree as f64 / (slots.max(1) as f64 * f64::from(self.size) * f64::from(other.size))
    }

    fn merge(self, other: Profile) -> Profile {
        let (a, b) = (self.counts, other.counts);
        let mut counts = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => {
                    counts.push(a[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    counts.push(b[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    counts.push((a[i].0, a[i].1 + b[j].1));
                    i += 1;
                    j += 1;
                }
            }
        }
        counts.extend_from_slice(&a[i..]);
        counts.extend_from_slice(&b[j..]);
        Profile {
            size: self.size + other.size,
            counts,
        }
    }
}

/// `-log2(u)` for `u = (h + 0.5) / 2^32`, by the bits of a float (Mitchell's
/// approximation, within 0.09): exact enough for weighted MinHash, whose values
/// need only be the same function of the hash in every signature, and a
/// multiply instead of a logarithm per shingle and hash function.
fn neg_log2_unit(h: u32) -> f32 {
    let f = h as f32 + 0.5;
    let log2 = f.to_bits() as f32 * (1.0 / (1u32 << 23) as f32) - 127.0;
    (32.0 - log2).max(1e-6)
}

/// How many texts carry each shingle, for weighting shingles by rarity: a
/// shingle in most texts of a board is a stock phrase and says little about who
/// wrote two ads, one in a few says much. The weight is the inverse document
/// frequency `ln(texts / df)` (Spärck Jones 1972); a shingle of one text is in no
/// pair and weighs nothing, so a typo or a fresh phone number does not make an
/// ad look unlike its template.
#[derive(Debug, Clone, Default)]
pub struct ShingleCounts {
    df: rustc_hash::FxHashMap<u64, u32>,
    texts: u64,
}

impl ShingleCounts {
    /// No texts counted.
    pub fn new() -> ShingleCounts {
        ShingleCounts::default()
    }

    /// Counts one text's (distinct) shingles.
    pub fn add(&mut self, shingles: impl IntoIterator<Item = u64>) {
        self.texts += 1;
        for x in shingles {
            *self.df.entry(x).or_insert(0) += 1;
        }
    }

    /// Adds counts made elsewhere (by another thread).
    pub fn merge(&mut self, other: ShingleCounts) {
        self.texts += other.texts;
        if self.df.len() < other.df.len() {
            let mine = std::mem::replace(&mut self.df, other.df);
            for (k, v) in mine {
                *self.df.entry(k).or_insert(0) += v;
            }
        } else {
            for (k, v) in other.df {
                *self.df.entry(k).or_insert(0) += v;
            }
        }
    }

    /// Texts counted.
    pub fn texts(&self) -> u64 {
        self.texts
    }

    /// Texts carrying `shingle`.
    pub fn count(&self, shingle: u64) -> u32 {
        self.df.get(&shingle).copied().unwrap_or(0)
    }

    /// The shingle's weight: `ln(texts / df)`, at least [`MIN_SHINGLE_WEIGHT`] so a
    /// text of only stock phrases still resembles its copies; 0 for a shingle of
    /// fewer than two texts.
    pub fn weight(&self, shingle: u64) -> f32 {
        let df = self.count(shingle);
        if df < 2 {
            return 0.0;
        }
        ((self.texts as f64 / f64::from(df)).ln() as f32).max(MIN_SHINGLE_WEIGHT)
    }
}

/// The least weight of a shingle in two or more texts (see [`ShingleCounts::weight`]).
pub const MIN_SHINGLE_WEIGHT: f32 = 0.05;

/// Seed of the hash functions behind [`band_keys`].
pub const BAND_KEY_SEED: u64 = 0x0b5e_55ed;
/// Bands of [`band_keys`]: fewer rows per band than the batch clusterer's, so
/// a near-duplicate shares a key with its template more often; the bucket of
/// a key is then verified on the full signature.
pub const BAND_KEY_BANDS: usize = 10;
/// Signature rows per band of [`band_keys`].
pub const BAND_KEY_ROWS: usize = 2;

/// The band keys of a text (empty for a text without words), for finding
/// near-duplicates through a store: a new text's candidates are the stored
/// texts sharing one of its keys. Keys are stored, so the constants here are
/// fixed; changing them means recomputing every stored key.
pub fn band_keys(text: &str) -> Vec<String> {
    static HASHER: std::sync::OnceLock<MinHasher> = std::sync::OnceLock::new();
    let hasher =
        HASHER.get_or_init(|| MinHasher::new(BAND_KEY_SEED, BAND_KEY_BANDS, BAND_KEY_ROWS));
    let sig = hasher.signature(&shingles(text, TextConfig::default().shingle_words));
    hasher.band_keys(&sig)
}

/// The shingles of a text, hashed, distinct, sorted.
pub fn shingles(text: &str, words: usize) -> Vec<u64> {
    let words = words.max(1);
    let mut out = Vec::new();
    let mut sentence: Vec<String> = Vec::new();
    let mut word = String::new();
    let flush_sentence = |sentence: &mut Vec<String>, out: &mut Vec<u64>| {
        if sentence.is_empty() {
            return;
        }
        if sentence.len() < words {
            out.push(hash_str(&sentence.join(" ")));
        } else {
            for w in sentence.windows(words) {
                out.push(hash_str(&w.join(" ")));
            }
        }
        sentence.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            sentence.push(std::mem::take(&mut word));
        }
        if matches!(c, '.' | '!' | '?' | '\n' | ';') {
            flush_sentence(&mut sentence, &mut out);
        }
        // Anything else (spaces, punctuation, emoji, symbols) only separates
        // words: inserted emoji must not change the shingles.
    }
    if !word.is_empty() {
        sentence.push(word);
    }
    flush_sentence(&mut sentence, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

impl TextClusterer {
    /// An empty clusterer.
    pub fn new(config: TextConfig) -> TextClusterer {
        TextClusterer {
            hasher: MinHasher::new(config.seed, config.bands, config.rows),
            config,
            sigs: Vec::new(),
            empty: Vec::new(),
        }
    }

    /// The similarity two texts need to be joined.
    pub fn threshold(&self) -> f64 {
        self.config.threshold
    }

    /// Number of texts added.
    pub fn len(&self) -> usize {
        self.empty.len()
    }

    /// Whether no text was added.
    pub fn is_empty(&self) -> bool {
        self.empty.is_empty()
    }

    /// Adds a text; returns its number.
    pub fn add(&mut self, text: &str) -> u32 {
        let sh = shingles(text, self.config.shingle_words);
        let start = self.sigs.len();
        self.sigs.resize(start + self.hasher.len(), u32::MAX);
        self.hasher.fill(&sh, &mut self.sigs[start..]);
        self.empty.push(sh.is_empty());
        (self.empty.len() - 1) as u32
    }

    /// The MinHash signature of a text, to keep and [`add_signature`](Self::add_signature)
    /// later without the text: `bands * rows` values, or none for a text with no word.
    pub fn signature(&self, text: &str) -> Vec<u32> {
        self.hasher
            .signature(&shingles(text, self.config.shingle_words))
    }

    /// The shingles of a text under this configuration.
    pub fn shingles(&self, text: &str) -> Vec<u64> {
        shingles(text, self.config.shingle_words)
    }

    /// The rarity-weighted signature of a text's [`shingles`](Self::shingles), each
    /// weighted by `counts` (see [`MinHasher::weighted_signature`]), to
    /// [`add_signature`](Self::add_signature): clustering then compares texts by
    /// their weighted Jaccard similarity. Empty when no shingle is in two texts.
    ///
    /// With `pad`, a text whose shingles weigh less than `pad` gets a word of its
    /// own (`id` tells it apart) making up the difference: a text that says little
    /// beyond stock phrases then resembles little, however alike its stock
    /// phrases are to another's. Weighted Jaccard is a ratio, so without it two
    /// ads of nothing but "here for a few days only, call or text" are as alike
    /// as two copies of one long template.
    pub fn weighted_signature(
        &self,
        shingles: &[u64],
        counts: &ShingleCounts,
        pad: Option<(u64, f32)>,
    ) -> Vec<u32> {
        let mass = self.mass(shingles, counts);
        match pad {
            Some((id, floor)) if mass > 0.0 && mass < floor => {
                let own = mix(id ^ 0x9ad5_eed5_0000_0000);
                let mut all = shingles.to_vec();
                all.push(own);
                self.hasher.weighted_signature(&all, |x| {
                    if x == own {
                        floor - mass
                    } else {
                        counts.weight(x)
                    }
                })
            }
            _ => self
                .hasher
                .weighted_signature(shingles, |x| counts.weight(x)),
        }
    }

    /// The plain MinHash signature of shingles (as [`signature`](Self::signature)
    /// gives for their text).
    pub fn plain_signature(&self, shingles: &[u64]) -> Vec<u32> {
        self.hasher.signature(shingles)
    }

    /// The weight of a text's shingles: how much it says.
    pub fn mass(&self, shingles: &[u64], counts: &ShingleCounts) -> f32 {
        shingles.iter().map(|&x| counts.weight(x)).sum()
    }

    /// Adds a text by the signature [`signature`](Self::signature) gave under the same
    /// configuration; returns its number. A signature of another length counts as a text
    /// with no word, which joins nothing.
    pub fn add_signature(&mut self, sig: &[u32]) -> u32 {
        let n = self.hasher.len();
        if sig.len() == n {
            self.sigs.extend_from_slice(sig);
            self.empty.push(false);
        } else {
            self.sigs.resize(self.sigs.len() + n, u32::MAX);
            self.empty.push(true);
        }
        (self.empty.len() - 1) as u32
    }

    /// The signatures of all texts, [`MinHasher::len`] values each, flat (a text
    /// with no word has `u32::MAX` throughout).
    pub fn signatures(&self) -> &[u32] {
        &self.sigs
    }

    /// Per text, whether it has no word (its signature compares with nothing).
    pub fn empties(&self) -> &[bool] {
        &self.empty
    }

    fn sig(&self, i: u32) -> &[u32] {
        let n = self.hasher.len();
        &self.sigs[i as usize * n..(i as usize + 1) * n]
    }

    /// Estimated Jaccard similarity of two added texts' shingle sets.
    pub fn similarity(&self, i: u32, j: u32) -> f64 {
        let (a, b) = (self.sig(i), self.sig(j));
        if self.empty[i as usize] || self.empty[j as usize] {
            return 0.0;
        }
        a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / a.len() as f64
    }

    /// Clusters all texts added so far, by the configured [`Linkage`].
    pub fn cluster(&self) -> TextClusters {
        if self.config.linkage == Linkage::Average {
            return self.cluster_average();
        }
        let n = self.len();
        let rows = self.config.rows.max(1);
        let mut groups = UnionFind::new(n);
        let mut buckets: Vec<(u64, u32)> = Vec::with_capacity(n);
        for band in 0..self.config.bands.max(1) {
            buckets.clear();
            for i in 0..n as u32 {
                if self.empty[i as usize] {
                    continue;
                }
                let part = &self.sig(i)[band * rows..(band + 1) * rows];
                let h = part.iter().fold(band as u64, |acc, &v| {
                    mix(acc ^ u64::from(v)).rotate_left(5)
                });
                buckets.push((h, i));
            }
            buckets.sort_unstable();
            let mut start = 0;
            while start < buckets.len() {
                let mut end = start + 1;
                while end < buckets.len() && buckets[end].0 == buckets[start].0 {
                    end += 1;
                }
                // Each member is verified against the bucket's first member
                // only (not all pairs), so a bucket of thousands of copies of
                // one template costs linear time.
                let rep = buckets[start].1;
                for &(_, m) in &buckets[start + 1..end] {
                    let (ra, rb) = (groups.find(rep), groups.find(m));
                    if ra != rb && self.similarity(rep, m) >= self.config.threshold {
                        groups.union(ra, rb);
                    }
                }
                start = end;
            }
        }
        let (cluster_of, count) = groups.labels();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
        for (i, &c) in cluster_of.iter().enumerate() {
            members[c as usize].push(i as u32);
        }
        let mut out: Vec<TextCluster> = members
            .into_iter()
            .filter(|m| m.len() > 1)
            .map(|m| self.describe(m))
            .collect();
        out.sort_by(|a, b| {
            b.members
                .len()
                .cmp(&a.members.len())
                .then(a.members.cmp(&b.members))
        });
        TextClusters {
            cluster_of,
            count,
            groups: out,
        }
    }

    /// Average linkage (see [`Linkage::Average`]): candidate pairs from LSH
    /// banding, scored on the whole signature, each text keeping its strongest
    /// few; pairs taken strongest first; the clusters of the two texts join only
    /// when the mean similarity over all pairs of their members reaches what their
    /// sizes need.
    fn cluster_average(&self) -> TextClusters {
        let n = self.len();
        let threshold = self.config.threshold;
        let single = self.config.single.max(threshold);
        let mut edges = self.candidate_edges();
        // Strongest first; ties in a fixed order, so the result is deterministic.
        edges.sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        let mut groups = UnionFind::new(n);
        // Per cluster root of two or more texts: how often each (place, value) occurs in
        // its members' signatures, from which the mean similarity of two clusters is
        // exact (the mean over all cross pairs of the signature estimate).
        let mut profiles: rustc_hash::FxHashMap<u32, Profile> = rustc_hash::FxHashMap::default();
        let slots = self.hasher.len();
        // A second pass takes the pairs refused while their clusters were still small.
        for _pass in 0..2 {
            for &(_, a, b) in &edges {
                let (ra, rb) = (groups.find(a), groups.find(b));
                if ra == rb {
                    continue;
                }
                let pa = profiles
                    .remove(&ra)
                    .unwrap_or_else(|| Profile::of(self.sig(ra)));
                let pb = profiles
                    .remove(&rb)
                    .unwrap_or_else(|| Profile::of(self.sig(rb)));
                let pairs = f64::from(pa.size) * f64::from(pb.size);
                let need = threshold.max(single / pairs.sqrt());
                if pa.mean_similarity(&pb, slots) < need {
                    if pa.size > 1 {
                        profiles.insert(ra, pa);
                    }
                    if pb.size > 1 {
                        profiles.insert(rb, pb);
                    }
                    continue;
                }
                groups.union(ra, rb);
                let root = groups.find(ra);
                profiles.insert(root, pa.merge(pb));
            }
        }
        drop(profiles);
        let (cluster_of, count) = groups.labels();
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
        for (i, &c) in cluster_of.iter().enumerate() {
            members[c as usize].push(i as u32);
        }
        let mut out: Vec<TextCluster> = members
            .into_iter()
            .filter(|m| m.len() > 1)
            .map(|m| self.describe(m))
            .collect();
        out.sort_by(|a, b| {
            b.members
                .len()
                .cmp(&a.members.len())
                .then(a.members.cmp(&b.members))
        });
        TextClusters {
            cluster_of,
            count,
            groups: out,
        }
    }

    /// Verified pairs `(similarity, a, b)`, `a < b`, each at or above the threshold:
    /// pairs sharing a band, all pairs of a small bucket, and each member of a large
    /// bucket with a few of its first members (a bucket of thousands of copies of one
    /// template costs linear time; the other bands find what one misses).
    fn candidate_edges(&self) -> Vec<(f32, u32, u32)> {
        const ALL_PAIRS: usize = 12;
        const LEADERS: usize = 4;
        let n = self.len();
        let rows = self.config.rows.max(1);
        let threshold = self.config.threshold;
        let mut edges: Vec<(f32, u32, u32)> = Vec::new();
        let mut buckets: Vec<(u64, u32)> = Vec::with_capacity(n);
        let verify = |edges: &mut Vec<(f32, u32, u32)>, a: u32, b: u32| {
            let s = self.similarity(a, b);
            if s >= threshold {
                edges.push((s as f32, a.min(b), a.max(b)));
            }
        };
        for band in 0..self.config.bands.max(1) {
            buckets.clear();
            for i in 0..n as u32 {
                if self.empty[i as usize] {
                    continue;
                }
                let part = &self.sig(i)[band * rows..(band + 1) * rows];
                let h = part.iter().fold(band as u64, |acc, &v| {
                    mix(acc ^ u64::from(v)).rotate_left(5)
                });
                buckets.push((h, i));
            }
            buckets.sort_unstable();
            let mut start = 0;
            while start < buckets.len() {
                let mut end = start + 1;
                while end < buckets.len() && buckets[end].0 == buckets[start].0 {
                    end += 1;
                }
                let bucket = &buckets[start..end];
                if bucket.len() <= ALL_PAIRS {
                    for (x, &(_, a)) in bucket.iter().enumerate() {
                        for &(_, b) in &bucket[x + 1..] {
                            verify(&mut edges, a, b);
                        }
                    }
                } else {
                    for (x, &(_, a)) in bucket.iter().enumerate() {
                        for &(_, lead) in &bucket[..LEADERS.min(x)] {
                            verify(&mut edges, lead, a);
                        }
                    }
                }
                start = end;
            }
        }
        edges.sort_unstable_by_key(|&(_, a, b)| (a, b));
        edges.dedup_by_key(|&mut (_, a, b)| (a, b));
        // Each text keeps its strongest few pairs: enough to reach its cluster, while a
        // text of stock phrases near thousands of others costs no more than any.
        const KEEP: usize = 10;
        let k = KEEP;
        let mut ends: Vec<(u32, f32, u32)> = Vec::with_capacity(edges.len() * 2);
        for (i, &(s, a, b)) in edges.iter().enumerate() {
            let _ = i;
            ends.push((a, s, b));
            ends.push((b, s, a));
        }
        ends.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)).then(x.2.cmp(&y.2)));
        let mut keep: Vec<(f32, u32, u32)> = Vec::new();
        let mut start = 0;
        while start < ends.len() {
            let mut end = start;
            while end < ends.len() && ends[end].0 == ends[start].0 {
                end += 1;
            }
            for &(a, s, b) in &ends[start..end.min(start + k)] {
                keep.push((s, a.min(b), a.max(b)));
            }
            start = end;
        }
        keep.sort_unstable_by_key(|&(_, a, b)| (a, b));
        keep.dedup_by_key(|&mut (_, a, b)| (a, b));
        keep
    }

    fn describe(&self, members: Vec<u32>) -> TextCluster {
        let template = medoid(&members, self.config.medoid_sample, |a, b| {
            self.similarity(a, b)
        });
        let similarity = members
            .iter()
            .map(|&m| self.similarity(m, template) as f32)
            .collect();
        TextCluster {
            members,
            template,
            similarity,
        }
    }
}

/// A cluster's medoid: among an even sample of at most `sample` members, the one most
/// similar to the rest of the sample (the first such on a tie). `members` is not empty.
pub(crate) fn medoid(members: &[u32], sample: usize, similarity: impl Fn(u32, u32) -> f64) -> u32 {
    let step = members.len().div_ceil(sample.max(1)).max(1);
    let picked: Vec<u32> = members.iter().step_by(step).copied().collect();
    let mut best = (f64::MIN, members[0]);
    for &c in &picked {
        let s: f64 = picked.iter().map(|&o| similarity(c, o)).sum();
        if s > best.0 {
            best = (s, c);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingles_ignore_emoji_case_and_sentence_order() {
        let a = shingles("New in town. Sweet and fun! Call me now", 2);
        let b = shingles("CALL me now 💋💋. new in 🌹 town!! Sweet and fun", 2);
        assert_eq!(a, b);
    }

    #[test]
    fn a_kept_signature_stands_for_its_text() {
        let texts = [
            "new in town. sweet and fun, available all night",
            "available all night. new in town! sweet and fun",
            "Community bake sale on Saturday.",
            "",
        ];
        let mut by_text = TextClusterer::new(TextConfig::default());
        let mut by_sig = TextClusterer::new(TextConfig::default());
        for t in texts {
            by_text.add(t);
            let sig = by_sig.signature(t);
            by_sig.add_signature(&sig);
        }
        for i in 0..texts.len() as u32 {
            for j in 0..texts.len() as u32 {
                assert_eq!(by_text.similarity(i, j), by_sig.similarity(i, j));
            }
        }
        assert!(by_sig.signature("").is_empty());
        assert!(by_sig.similarity(0, 1) >= TextConfig::default().threshold);
    }

    /// Band keys are stored in databases: these must never change without a
    /// recomputation of every stored key (`clearinghouse link`).
    #[test]
    fn band_keys_are_pinned() {
        let keys = band_keys(
            "new in town. sweet and fun, available all night. text me for rates. outcalls only downtown",
        );
        assert_eq!(
            keys,
            [
                "00:553d829218b0f835",
                "01:c1a9057f9cda04e8",
                "02:0393d9403c89b656",
                "03:136c3d78d8de7aa6",
                "04:a5094e37c8f09f0b",
                "05:21322d7c40d1a25a",
                "06:fe8195247db2f143",
                "07:df2524825812d995",
                "08:35e1cdcf588c8460",
                "09:01397b0e19432189",
            ]
        );
        assert_eq!(band_keys("a")[9], "09:bc837dac9ab77447");
        assert!(band_keys("").is_empty());
        assert!(band_keys(" 💋 !").is_empty());
    }

    #[test]
    fn near_identical_texts_share_band_keys() {
        let a = band_keys("new in town. sweet and fun, available all night. text me for rates. outcalls only downtown");
        let b = band_keys("available all night. new in town! sweet and fun. text me for rates. outcalls only downtown 🌹");
        let c = band_keys("Community bake sale on Saturday. All proceeds go to the library.");
        assert_eq!(a.len(), BAND_KEY_BANDS);
        assert!(a.iter().filter(|k| b.contains(k)).count() >= 3);
        assert!(a.iter().all(|k| !c.contains(k)));
    }

    #[test]
    fn templates_cluster_and_keep_a_medoid() {
        let mut t = TextClusterer::new(TextConfig::default());
        let base = "new in town. sweet and fun, available all night. text me for rates, no police. outcalls only in the downtown area";
        t.add(base);
        t.add("available all night 🌹. new in town! sweet and fun. text me for rates no police. outcalls only in the downtown area");
        t.add("new in town. sweet and fun, available all nite. text me for rates, no police. outcalls only in the downtown area 💋");
        t.add("Community bake sale on Saturday. All proceeds go to the library. Bring a friend.");
        t.add("");
        let c = t.cluster();
        assert_eq!(c.groups.len(), 1);
        assert_eq!(c.groups[0].members, vec![0, 1, 2]);
        assert!(c.groups[0].similarity.iter().all(|&s| s >= 0.5));
        assert_ne!(c.cluster_of[3], c.cluster_of[0]);
        assert_ne!(c.cluster_of[4], c.cluster_of[0]);
    }
}
