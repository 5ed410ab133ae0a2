//! Forming clusters from scored links without letting one weak chain merge
//! two large groups.
//!
//! Links above the threshold are taken strongest first (like single-linkage),
//! but two clusters with more than one record between them are merged only
//! when the *average* match probability over all pairs across them reaches
//! `cluster_threshold` (average linkage). A lone strong-looking link between
//! two otherwise unrelated groups therefore keeps them apart, and is reported
//! as held apart so an analyst can see it. The union-find under it,
//! [`UnionFind`], is the one every clusterer here and its callers use.

use serde::Serialize;

/// A scored link between two records (indices into the input).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Link {
    /// First record.
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Match weight in bits (log2 odds).
    pub score: f64,
    /// Match probability.
    pub probability: f64,
}

/// The result of clustering: a cluster per record, and the links that are
/// the evidence for each cluster.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Clusters {
    /// Cluster number of each record (dense, `0..count`).
    pub cluster_of: Vec<u32>,
    /// Number of clusters (singletons included).
    pub count: u32,
    /// Links above the threshold inside clusters: the evidence.
    pub links: Vec<Link>,
    /// Links above the threshold that were not followed, because the groups
    /// they would have joined are not similar on average.
    pub held_apart: Vec<Link>,
}

impl Clusters {
    /// Members of every cluster, each sorted, clusters in order.
    pub fn members(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.count as usize];
        for (i, &c) in self.cluster_of.iter().enumerate() {
            out[c as usize].push(i as u32);
        }
        out
    }

    /// The evidence links of one cluster.
    pub fn links_of(&self, cluster: u32) -> impl Iterator<Item = &Link> {
        self.links
            .iter()
            .filter(move |l| self.cluster_of[l.a as usize] == cluster)
    }

    /// All pairs of records placed in the same cluster, as `(i, j)`, `i < j`.
    pub fn pairs(&self) -> Vec<(u32, u32)> {
        let mut out = Vec::new();
        for m in self.members() {
            for (x, &a) in m.iter().enumerate() {
                out.extend(m[x + 1..].iter().map(|&b| (a, b)));
            }
        }
        out
    }
}

/// Union-find (disjoint sets) over `0..n`: which elements have been joined.
/// Union by size with path halving, so any sequence of joins and finds is
/// near-linear; the larger set's root stays the root (the first argument's on
/// a tie), so the roots are the same whatever the order of finds.
///
/// ```
/// let mut sets = link::UnionFind::new(4);
/// sets.union(0, 2);
/// sets.union(3, 2);
/// assert_eq!(sets.find(3), sets.find(0));
/// assert_eq!(sets.labels(), (vec![0, 1, 0, 0], 2));
/// ```
#[derive(Debug, Clone, Default)]
pub struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    /// `n` elements, each alone.
    pub fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Adds an element, alone; returns its number.
    pub fn push(&mut self) -> u32 {
        let i = self.parent.len() as u32;
        self.parent.push(i);
        self.size.push(1);
        i
    }

    /// The root of `x`'s set.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the sets of `a` and `b`; returns the root of the joined set.
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return ra;
        }
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        big
    }

    /// Dense set numbers (`0..count`) in order of each set's first element,
    /// and the count.
    pub fn labels(&mut self) -> (Vec<u32>, u32) {
        let n = self.parent.len();
        let mut label = vec![u32::MAX; n];
        let mut out = vec![0u32; n];
        let mut next = 0;
        for i in 0..n as u32 {
            let r = self.find(i) as usize;
            if label[r] == u32::MAX {
                label[r] = next;
                next += 1;
            }
            out[i as usize] = label[r];
        }
        (out, next)
    }
}

/// Union-find that also keeps each cluster's member list, so that average
/// linkage can look at all pairs across two clusters.
pub(crate) struct Groups {
    sets: UnionFind,
    members: Vec<Vec<u32>>,
}

impl Groups {
    pub fn new(n: usize) -> Groups {
        Groups {
            sets: UnionFind::new(n),
            members: (0..n as u32).map(|i| vec![i]).collect(),
        }
    }

    pub fn push(&mut self) -> u32 {
        let i = self.sets.push();
        self.members.push(vec![i]);
        i
    }

    pub fn find(&mut self, x: u32) -> u32 {
        self.sets.find(x)
    }

    pub fn members(&self, root: u32) -> &[u32] {
        &self.members[root as usize]
    }

    /// Joins two roots; the members of the smaller follow the larger's, in
    /// that order (average linkage samples pairs in member order).
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let root = self.sets.union(a, b);
        let other = if root == a { b } else { a };
        let moved = std::mem::take(&mut self.members[other as usize]);
        self.members[root as usize].extend(moved);
        root
    }
}

/// Mean of `prob(x, y)` over pairs across two member lists; at most `cap`
/// pairs are looked at (an even stride through them), which bounds the cost
/// of merging big clusters.
pub(crate) fn mean_across(
    a: &[u32],
    b: &[u32],
    cap: usize,
    mut prob: impl FnMut(u32, u32) -> f64,
) -> f64 {
    let total = a.len() * b.len();
    let step = total.div_ceil(cap.max(1)).max(1);
    let mut sum = 0.0;
    let mut n = 0usize;
    let mut k = 0;
    while k < total {
        sum += prob(a[k / b.len()], b[k % b.len()]);
        n += 1;
        k += step;
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}
