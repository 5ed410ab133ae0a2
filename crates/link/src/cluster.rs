//! Forming clusters from scored links without letting one weak chain merge
//! two large groups.
//!
//! Links above the threshold are taken strongest first (like single-linkage),
//! but two clusters with more than one record between them are merged only
//! when the *average* match probability over all pairs across them reaches
//! `cluster_threshold` (average linkage). A lone strong-looking link between
//! two otherwise unrelated groups therefore keeps them apart, and is reported
//! as held apart so an analyst can see it.

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

/// Union-find over records keeping each cluster's member list, so that
/// average linkage can look at all pairs across two clusters.
pub(crate) struct Groups {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl Groups {
    pub fn new(n: usize) -> Groups {
        Groups {
            parent: (0..n as u32).collect(),
            members: (0..n as u32).map(|i| vec![i]).collect(),
        }
    }

    pub fn push(&mut self) -> u32 {
        let i = self.parent.len() as u32;
        self.parent.push(i);
        self.members.push(vec![i]);
        i
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    pub fn members(&self, root: u32) -> &[u32] {
        &self.members[root as usize]
    }

    pub fn union(&mut self, a: u32, b: u32) -> u32 {
        let (big, small) = if self.members[a as usize].len() >= self.members[b as usize].len() {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[small as usize] = big;
        let moved = std::mem::take(&mut self.members[small as usize]);
        self.members[big as usize].extend(moved);
        big
    }

    /// Dense cluster numbers in order of first member.
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
