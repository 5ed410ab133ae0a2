//! Texts compared by their neighbourhoods, not pair by pair: the rarity-weighted
//! Jaccard similarity of two shingle sets, each text's nearest neighbours found
//! through weighted-MinHash LSH, and the shared-nearest-neighbour strength of a
//! pair (Jarvis and Patrick 1973, "Clustering using a similarity measure based on
//! shared near neighbors"; Ertöz, Steinbach and Kumar 2003, "Finding clusters of
//! different sizes, shapes, and densities in noisy, high dimensional data").
//!
//! Why: on a board where every poster writes the same stock sentences, an
//! unrelated pair can be as alike as a pair of one operation's ads (both near
//! 0.25 weighted Jaccard), so no threshold on one pair separates them. Whole
//! groups do: an operation's ads are each other's nearest neighbours, so a true
//! pair shares most of its neighbours, while a chance pair's neighbours belong to
//! two different operations and it shares none.

use crate::person::mix;

/// Settings for the neighbourhood graph of texts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NeighbourConfig {
    /// Nearest neighbours kept per text.
    pub k: usize,
    /// Weighted Jaccard similarity below which a text is nobody's neighbour.
    pub min_similarity: f32,
    /// Texts of one LSH bucket are compared with this many that follow them in a
    /// shuffled order (all pairs of a bucket no larger), so a bucket of thousands
    /// costs linear time.
    pub window: usize,
    /// Shared-neighbour strength (see [`Neighbours::strength`]) a pair needs to
    /// join two texts.
    pub min_shared: usize,
    /// Mean weighted Jaccard similarity (unpadded) over pairs across two clusters
    /// that they need to join: a pair of texts joins its clusters only when the
    /// clusters are alike as wholes.
    pub min_mean: f32,
    /// Pairs across two clusters looked at for their mean (an even stride).
    pub mean_pairs: usize,
    /// The mean two clusters need when each has contacts of its own (phones, emails or
    /// handles that link its ads) and they share none: two posters who each keep their
    /// own number are two posters unless their texts are alike beyond doubt.
    pub distinct_mean: f32,
    /// The mean two clusters need when they were posted in the same places (each in two
    /// or more, half of the fewer shared): an operation moves along its own circuit of
    /// cities, so two parts of it agree on where as well as on what.
    pub place_mean: f32,
    /// Pairs at this weighted Jaccard similarity (unpadded) or more are joined
    /// whatever their neighbourhoods, as near-copies (subject to the clusters'
    /// mean like any pair): a template copied hundreds of times fills each copy's
    /// neighbour list with copies of one clump.
    pub copies: f32,
}

impl Default for NeighbourConfig {
    fn default() -> NeighbourConfig {
        NeighbourConfig {
            k: 10,
            min_similarity: 0.15,
            window: 8,
            min_shared: 3,
            min_mean: 0.25,
            mean_pairs: 64,
            distinct_mean: 0.35,
            place_mean: 0.2,
            copies: 0.5,
        }
    }
}

/// Each text's shingles with their weights (shingles of weight 0 left out), and
/// how much it is padded: the rarity-weighted Jaccard similarity of two texts,
/// computed exactly rather than estimated from signatures.
#[derive(Debug, Clone, Default)]
pub struct WeightedSets {
    start: Vec<usize>,
    keys: Vec<u64>,
    weights: Vec<f32>,
    pad: Vec<f32>,
    /// Each text's weight in all (without its padding), so that a similarity walks
    /// only the shingles two texts share.
    mass: Vec<f32>,
}

impl WeightedSets {
    /// No texts.
    pub fn new() -> WeightedSets {
        WeightedSets {
            start: vec![0],
            ..WeightedSets::default()
        }
    }

    /// Adds a text by its sorted, distinct shingles, weighted by `weight`; a text
    /// weighing less than `floor` in all is padded with a word of its own up to it
    /// (a text that says little resembles little). Returns its number.
    pub fn push(&mut self, shingles: &[u64], weight: impl Fn(u64) -> f32, floor: f32) -> u32 {
        let mut mass = 0.0;
        for &x in shingles {
            let w = weight(x);
            if w > 0.0 && w.is_finite() {
                self.keys.push(x);
                self.weights.push(w);
                mass += w;
            }
        }
        self.start.push(self.keys.len());
        self.mass.push(mass);
        self.pad.push(if mass > 0.0 {
            (floor - mass).max(0.0)
        } else {
            0.0
        });
        (self.pad.len() - 1) as u32
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.pad.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.pad.is_empty()
    }

    fn set(&self, i: u32) -> (&[u64], &[f32]) {
        let (s, e) = (self.start[i as usize], self.start[i as usize + 1]);
        (&self.keys[s..e], &self.weights[s..e])
    }

    /// Weighted Jaccard similarity of two texts: the weight of the shingles they
    /// share over the weight of those either has (paddings included). 0 for a text
    /// with no weighted shingle.
    pub fn similarity(&self, a: u32, b: u32) -> f32 {
        self.similarities(a, b).0
    }

    /// [`similarity`](Self::similarity) without the paddings: what the shingles
    /// the two texts have say, however little that is.
    pub fn bare_similarity(&self, a: u32, b: u32) -> f32 {
        self.similarities(a, b).1
    }

    /// Both [`similarity`](Self::similarity) and
    /// [`bare_similarity`](Self::bare_similarity) from one walk: the neighbour search
    /// needs both for every candidate pair, and the walk is most of its time.
    pub fn similarities(&self, a: u32, b: u32) -> (f32, f32) {
        let ((ka, wa), (kb, _)) = (self.set(a), self.set(b));
        if ka.is_empty() || kb.is_empty() {
            return (0.0, 0.0);
        }
        let both = shared_weight(ka, wa, kb);
        let bare = self.mass[a as usize] + self.mass[b as usize] - both;
        let padded = bare + self.pad[a as usize] + self.pad[b as usize];
        let ratio = |either: f32| {
            if either > 0.0 {
                (both / either).min(1.0)
            } else {
                0.0
            }
        };
        (ratio(padded), ratio(bare))
    }

    /// The plain Jaccard similarity of the two texts' shingles (those in two
    /// texts or more), every shingle weighing the same: how much of their
    /// wording two texts share whatever the rest of the board writes.
    pub fn plain_similarity(&self, a: u32, b: u32) -> f32 {
        let ((ka, _), (kb, _)) = (self.set(a), self.set(b));
        if ka.is_empty() || kb.is_empty() {
            return 0.0;
        }
        let (mut i, mut j, mut both) = (0, 0, 0usize);
        while i < ka.len() && j < kb.len() {
            match ka[i].cmp(&kb[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        both as f32 / (ka.len() + kb.len() - both) as f32
    }
}

/// The weight (taken from the first text) of the keys two sorted key lists share.
/// Galloping would help lopsided pairs; ads are alike in length, so a merge is best.
fn shared_weight(ka: &[u64], wa: &[f32], kb: &[u64]) -> f32 {
    let (mut i, mut j, mut both) = (0, 0, 0f32);
    while i < ka.len() && j < kb.len() {
        let (x, y) = (ka[i], kb[j]);
        if x == y {
            both += wa[i];
        }
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    both
}

/// Each text's nearest neighbours, strongest first: `(similarity, text)`.
#[derive(Debug, Clone, Default)]
pub struct Neighbours {
    k: usize,
    /// `k` entries per text; unused ones are `(0.0, u32::MAX)`.
    lists: Vec<(f32, u32)>,
    /// Pairs `(similarity, a, b)`, `a < b`, at [`NeighbourConfig::copies`] or more
    /// (unpadded), whether or not in the lists.
    pub copies: Vec<(f32, u32, u32)>,
}

impl Neighbours {
    /// The neighbours of text `i`, strongest first.
    pub fn of(&self, i: u32) -> impl Iterator<Item = (f32, u32)> + '_ {
        self.lists[i as usize * self.k..(i as usize + 1) * self.k]
            .iter()
            .copied()
            .take_while(|&(_, j)| j != u32::MAX)
    }

    /// Neighbours kept per text at most.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Whether `j` is among `i`'s neighbours.
    pub fn has(&self, i: u32, j: u32) -> bool {
        self.of(i).any(|(_, x)| x == j)
    }

    /// Number of texts.
    pub fn len(&self) -> usize {
        self.lists.len().checked_div(self.k).unwrap_or(0)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }

    /// The shared-nearest-neighbour strength of `a` and `b` (Jarvis and Patrick
    /// 1973): how many texts are in both closed neighbourhoods (each text's
    /// neighbours and itself), so a mutual pair counts itself twice. At most `k + 1`.
    pub fn strength(&self, a: u32, b: u32) -> usize {
        let mut n = 0;
        for (_, x) in self.of(a).chain(std::iter::once((0.0, a))) {
            if x == b || self.has(b, x) {
                n += 1;
            }
        }
        n
    }
}

/// Candidate pairs `(a, b)`, `a < b`, from LSH over `sigs` (`slots` values per
/// text, an empty text's all `u32::MAX`): texts agreeing on every row of a band
/// share a bucket, and each is paired with the next `window` of its bucket in an
/// order shuffled per band.
fn candidates(sigs: &[u32], empty: &[bool], bands: usize, rows: usize, window: usize) -> Vec<u64> {
    let n = empty.len();
    let slots = bands * rows;
    let mut pairs: Vec<u64> = Vec::new();
    let mut buckets: Vec<(u64, u64, u32)> = Vec::with_capacity(n);
    for band in 0..bands {
        buckets.clear();
        for i in 0..n {
            if empty[i] {
                continue;
            }
            let part = &sigs[i * slots + band * rows..i * slots + (band + 1) * rows];
            let h = part.iter().fold(band as u64, |acc, &v| {
                mix(acc ^ u64::from(v)).rotate_left(5)
            });
            buckets.push((h, mix(i as u64 ^ (band as u64) << 40), i as u32));
        }
        buckets.sort_unstable();
        let mut start = 0;
        while start < buckets.len() {
            let mut end = start + 1;
            while end < buckets.len() && buckets[end].0 == buckets[start].0 {
                end += 1;
            }
            let bucket = &buckets[start..end];
            for (x, &(_, _, a)) in bucket.iter().enumerate() {
                for &(_, _, b) in &bucket[x + 1..(x + 1 + window).min(bucket.len())] {
                    let (lo, hi) = (a.min(b), a.max(b));
                    pairs.push((u64::from(lo) << 32) | u64::from(hi));
                }
            }
            start = end;
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Each text's `config.k` nearest neighbours at `config.min_similarity` or more,
/// by exact weighted Jaccard over the pairs LSH proposes from `sigs` (weighted
/// MinHash signatures, `bands * rows` values per text), on `threads` threads.
pub fn nearest(
    sets: &WeightedSets,
    sigs: &[u32],
    empty: &[bool],
    bands: usize,
    rows: usize,
    config: &NeighbourConfig,
    threads: usize,
) -> Neighbours {
    let n = sets.len();
    let k = config.k.max(1);
    let pairs = candidates(sigs, empty, bands.max(1), rows.max(1), config.window.max(1));
    let per = pairs.len().div_ceil(threads.max(1)).max(1);
    // Per thread: both ends of each pair near enough, and the near-copies.
    type Scored = (Vec<(u32, f32, u32)>, Vec<(f32, u32, u32)>);
    let scored: Vec<Scored> = std::thread::scope(|s| {
        let handles: Vec<_> = pairs
            .chunks(per)
            .map(|chunk| {
                s.spawn(move || {
                    let (mut out, mut copies) = (Vec::new(), Vec::new());
                    for &p in chunk {
                        let (a, b) = ((p >> 32) as u32, p as u32);
                        let (sim, bare) = sets.similarities(a, b);
                        if sim >= config.min_similarity {
                            out.push((a, sim, b));
                            out.push((b, sim, a));
                        }
                        if bare >= config.copies {
                            copies.push((bare, a, b));
                        }
                    }
                    (out, copies)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    drop(pairs);
    let mut ends: Vec<(u32, f32, u32)> = Vec::new();
    let mut copies: Vec<(f32, u32, u32)> = Vec::new();
    for (e, c) in scored {
        ends.extend(e);
        copies.extend(c);
    }
    ends.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)).then(x.2.cmp(&y.2)));
    let mut lists = vec![(0.0f32, u32::MAX); n * k];
    let mut start = 0;
    while start < ends.len() {
        let a = ends[start].0;
        let mut end = start;
        while end < ends.len() && ends[end].0 == a {
            end += 1;
        }
        for (slot, &(_, s, b)) in ends[start..end.min(start + k)].iter().enumerate() {
            lists[a as usize * k + slot] = (s, b);
        }
        start = end;
    }
    Neighbours { k, lists, copies }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_jaccard_is_exact_and_padded() {
        let mut ws = WeightedSets::new();
        let w = |x: u64| x as f32;
        ws.push(&[1, 2, 3], w, 0.0);
        ws.push(&[2, 3, 4], w, 0.0);
        ws.push(&[2, 3, 4], w, 18.0);
        ws.push(&[], w, 0.0);
        // Shared 2 + 3 over 1 + 2 + 3 + 4.
        assert!((ws.similarity(0, 1) - 0.5).abs() < 1e-6);
        // The third weighs 9 and is padded by 9.
        assert!((ws.similarity(1, 2) - 9.0 / 18.0).abs() < 1e-6);
        assert!((ws.bare_similarity(1, 2) - 1.0).abs() < 1e-6);
        assert_eq!(ws.similarity(0, 3), 0.0);
        assert!((ws.plain_similarity(0, 1) - 0.5).abs() < 1e-6);
    }

    #[test]
    fn copies_are_each_others_neighbours_and_share_them() {
        // Three copies of one text, three of another, sharing nothing.
        let mut ws = WeightedSets::new();
        let hasher = crate::MinHasher::new(7, 30, 2);
        let mut sigs = Vec::new();
        for i in 0..6u64 {
            let sh: Vec<u64> = (0..5).map(|k| (i / 3) * 100 + k).collect();
            ws.push(&sh, |_| 1.0, 0.0);
            sigs.extend(hasher.weighted_signature(&sh, |_| 1.0));
        }
        let config = NeighbourConfig::default();
        let hood = nearest(&ws, &sigs, &[false; 6], 30, 2, &config, 2);
        assert!(hood.has(0, 1) && hood.has(0, 2) && !hood.has(0, 3));
        // 0 and 1: each other and 2.
        assert_eq!(hood.strength(0, 1), 3);
        assert_eq!(hood.strength(0, 4), 0);
        assert_eq!(hood.copies.len(), 6);
    }
}
