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
    /// Estimated Jaccard similarity required to join two texts.
    pub threshold: f64,
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
            medoid_sample: 32,
            seed: 0x7e47,
        }
    }
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

    /// Clusters all texts added so far.
    pub fn cluster(&self) -> TextClusters {
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

    fn describe(&self, members: Vec<u32>) -> TextCluster {
        let k = self.config.medoid_sample.max(1);
        let step = members.len().div_ceil(k).max(1);
        let sample: Vec<u32> = members.iter().step_by(step).copied().collect();
        let mut best = (f64::MIN, members[0]);
        for &c in &sample {
            let s: f64 = sample.iter().map(|&o| self.similarity(c, o)).sum();
            if s > best.0 {
                best = (s, c);
            }
        }
        let template = best.1;
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
