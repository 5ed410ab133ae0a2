//! Links from shared identifiers: records (reports, cases, ads) that carry the
//! same normalised phone, email, handle, device id, address or IP address.
//!
//! An identifier's weight falls as it becomes common: a shelter's phone line
//! or a library's IP that appears with hundreds of unrelated people says
//! nothing about any two of them. The weight of an identifier seen with `df`
//! distinct records is `base(kind) * (ln(cap+1) - ln df) / (ln(cap+1) - ln 2)`:
//! full weight when two records share it, falling with the logarithm of `df`
//! (inverse-frequency), and zero above the hard cap, where it links nobody.
//! Several shared identifiers combine as independent evidence (noisy-OR).
//! Kinds with a time window (IP addresses by default) link two records only
//! when each was seen with the identifier within the window of the other.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::cluster::UnionFind;
use crate::normalize;

/// What kind of identifier a value is; values only match within a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdKind {
    /// Phone number (normalised to E.164).
    Phone,
    /// Email address.
    Email,
    /// Social-media handle.
    Handle,
    /// Device identifier (advertising id, IMEI...).
    Device,
    /// Street address.
    Address,
    /// IP address (time-windowed by default).
    Ip,
    /// Anything else (payment account, plate number...).
    Other,
}

impl IdKind {
    const ALL: [IdKind; 7] = [
        IdKind::Phone,
        IdKind::Email,
        IdKind::Handle,
        IdKind::Device,
        IdKind::Address,
        IdKind::Ip,
        IdKind::Other,
    ];

    fn normalize(self, raw: &str) -> Option<String> {
        match self {
            IdKind::Phone => normalize::phone(raw),
            IdKind::Email => normalize::email(raw),
            IdKind::Handle => normalize::handle(raw),
            IdKind::Address => Some(normalize::words(raw)).filter(|s| !s.is_empty()),
            IdKind::Device | IdKind::Ip | IdKind::Other => {
                let t = raw.trim().to_lowercase();
                (!t.is_empty()).then_some(t)
            }
        }
    }
}

/// Settings for identifier links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentifierConfig {
    /// An identifier seen with more distinct records than this links nobody.
    pub max_records: usize,
    /// Weight of a kind when exactly two records share it, by
    /// [`IdKind`] order (phone, email, handle, device, address, ip, other).
    pub base_weight: [f64; 7],
    /// Time window in seconds per kind (same order); `None` links at any
    /// distance in time. Occurrences without a time never link a windowed kind.
    pub window_secs: [Option<i64>; 7],
    /// Links at or above this weight join records into clusters.
    pub min_weight: f64,
}

impl Default for IdentifierConfig {
    fn default() -> IdentifierConfig {
        IdentifierConfig {
            max_records: 50,
            base_weight: [0.9, 0.95, 0.85, 0.9, 0.5, 0.4, 0.5],
            window_secs: [None, None, None, None, None, Some(24 * 3600), None],
            min_weight: 0.5,
        }
    }
}

impl IdentifierConfig {
    /// The weight of an identifier of `kind` carried by `records` distinct
    /// records: the kind's base weight when two share it, falling with the
    /// logarithm of the count, zero above the cap (and for one record). The
    /// graph weighs every shared identifier with it; callers that store links
    /// themselves use it so they and the engine agree.
    ///
    /// ```
    /// use link::{IdKind, IdentifierConfig};
    /// let c = IdentifierConfig::default();
    /// assert_eq!(c.weight(IdKind::Phone, 2), 0.9);
    /// assert!(c.weight(IdKind::Phone, 10) < c.weight(IdKind::Phone, 3));
    /// assert_eq!(c.weight(IdKind::Phone, c.max_records + 1), 0.0);
    /// ```
    pub fn weight(&self, kind: IdKind, records: usize) -> f64 {
        let cap = self.max_records.max(2);
        if records > cap || records < 2 {
            return 0.0;
        }
        let top = ((cap + 1) as f64).ln();
        let base = self.base_weight[kind as usize];
        base * ((top - (records as f64).ln()) / (top - 2f64.ln())).clamp(0.0, 1.0)
    }
}

/// What the records carrying an identifier say about it beyond their number,
/// when the caller can judge it (ads: whether their texts agree).
///
/// Frequency alone cannot tell an operation's busy phone, in three hundred of
/// its own ads, from a placeholder number copied into five hundred unrelated
/// ones. The records can: an operation's ads agree on other evidence (the
/// same template, the same few cities), a hub's agree on nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "judged", rename_all = "snake_case")]
pub enum IdContext {
    /// Its records agree on other evidence: an operation's identifier, which
    /// links every record carrying it at the kind's full weight, however many.
    Operation {
        /// Share of sampled pairs of its records that agree otherwise.
        agreement: f32,
    },
    /// Its records agree on nothing else: a hub, which links nobody.
    Hub {
        /// Share of sampled pairs of its records that agree otherwise.
        agreement: f32,
    },
}

/// One identifier shared by the two records of a link: the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedIdentifier {
    /// Kind.
    pub kind: IdKind,
    /// Normalised value.
    pub value: String,
    /// Distinct records it was seen with.
    pub records: usize,
    /// Its weight after inverse-frequency damping (or by its context).
    pub weight: f64,
    /// How its records judged it, when they were asked; `None`: by frequency.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<IdContext>,
}

/// A link between two records from shared identifiers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentifierLink {
    /// First record (smaller number).
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Combined weight in `[0, 1]` (noisy-OR of the identifiers' weights).
    pub weight: f64,
    /// The shared identifiers, strongest first.
    pub evidence: Vec<SharedIdentifier>,
}

/// Clusters of records joined by identifier links.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IdentifierClusters {
    /// Cluster number per record (`0..count`).
    pub cluster_of: Vec<u32>,
    /// Number of clusters.
    pub count: u32,
    /// The links at or above `min_weight`: the evidence for the clusters.
    pub links: Vec<IdentifierLink>,
}

/// Identifiers seen with records; records are numbered by the caller
/// (`0..n`, e.g. positions in a list of reports and ads).
#[derive(Debug, Clone, Default)]
pub struct IdentifierGraph {
    config: IdentifierConfig,
    ids: FxHashMap<(IdKind, String), u32>,
    values: Vec<(IdKind, String)>,
    /// (identifier, record, time) per sighting.
    seen: Vec<(u32, u32, Option<i64>)>,
    records: u32,
}

impl IdentifierGraph {
    /// An empty graph.
    pub fn new(config: IdentifierConfig) -> IdentifierGraph {
        IdentifierGraph {
            config,
            ..IdentifierGraph::default()
        }
    }

    /// Records that `record` carried identifier `raw` of `kind`, optionally
    /// at `time` (seconds since any fixed epoch). Returns false when the value
    /// does not normalise to an identifier of that kind (it is ignored).
    pub fn add(&mut self, record: u32, kind: IdKind, raw: &str, time: Option<i64>) -> bool {
        let Some(value) = kind.normalize(raw) else {
            return false;
        };
        let next = self.values.len() as u32;
        let id = *self.ids.entry((kind, value.clone())).or_insert(next);
        if id == next {
            self.values.push((kind, value));
        }
        self.seen.push((id, record, time));
        self.records = self.records.max(record + 1);
        true
    }

    /// All links, each with its evidence, ordered by record pair.
    pub fn links(&self) -> Vec<IdentifierLink> {
        self.links_in_context(|_, _, _| None)
    }

    /// All links, each identifier judged first by `judge` from its kind, value and
    /// the records carrying it (distinct, ascending): `None` weighs it by frequency
    /// as [`links`](Self::links) does, [`IdContext::Operation`] gives it the kind's
    /// full weight however many records carry it, [`IdContext::Hub`] drops it. An
    /// operation's identifier carried by more than `max_records` records links
    /// each of them to the first (enough to join them, without a quadratic number
    /// of links).
    pub fn links_in_context(
        &self,
        judge: impl Fn(IdKind, &str, &[u32]) -> Option<IdContext>,
    ) -> Vec<IdentifierLink> {
        let mut by_id = self.seen.clone();
        by_id.sort_unstable_by_key(|&(id, rec, t)| (id, t, rec));
        let mut shared: FxHashMap<(u32, u32), Vec<SharedIdentifier>> = FxHashMap::default();
        let mut start = 0;
        while start < by_id.len() {
            let id = by_id[start].0;
            let mut end = start;
            while end < by_id.len() && by_id[end].0 == id {
                end += 1;
            }
            let group = &by_id[start..end];
            start = end;
            let mut recs: Vec<u32> = group.iter().map(|&(_, r, _)| r).collect();
            recs.sort_unstable();
            recs.dedup();
            let (kind, value) = &self.values[id as usize];
            if recs.len() < 2 {
                continue;
            }
            let context = judge(*kind, value, &recs);
            let w = match context {
                None => self.config.weight(*kind, recs.len()),
                Some(IdContext::Operation { .. }) => self.config.base_weight[*kind as usize],
                Some(IdContext::Hub { .. }) => 0.0,
            };
            if w <= 0.0 {
                continue;
            }
            let star = recs.len() > self.config.max_records.max(2);
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            match self.config.window_secs[*kind as usize] {
                None if star => pairs.extend(recs[1..].iter().map(|&b| (recs[0], b))),
                None => {
                    for (x, &a) in recs.iter().enumerate() {
                        pairs.extend(recs[x + 1..].iter().map(|&b| (a, b)));
                    }
                }
                Some(window) => {
                    // Sorted by time: each sighting pairs with the later ones
                    // still inside the window.
                    let timed: Vec<(i64, u32)> = group
                        .iter()
                        .filter_map(|&(_, r, t)| t.map(|t| (t, r)))
                        .collect();
                    for (x, &(ta, ra)) in timed.iter().enumerate() {
                        for &(tb, rb) in &timed[x + 1..] {
                            if tb - ta > window {
                                break;
                            }
                            if ra != rb {
                                pairs.push((ra.min(rb), ra.max(rb)));
                            }
                        }
                    }
                    pairs.sort_unstable();
                    pairs.dedup();
                }
            }
            for p in pairs {
                shared.entry(p).or_default().push(SharedIdentifier {
                    kind: *kind,
                    value: value.clone(),
                    records: recs.len(),
                    weight: w,
                    context,
                });
            }
        }
        let mut links: Vec<IdentifierLink> = shared
            .into_iter()
            .map(|((a, b), mut evidence)| {
                evidence.sort_by(|x, y| y.weight.total_cmp(&x.weight));
                let miss: f64 = evidence.iter().map(|e| 1.0 - e.weight).product();
                IdentifierLink {
                    a,
                    b,
                    weight: 1.0 - miss,
                    evidence,
                }
            })
            .collect();
        links.sort_unstable_by_key(|l| (l.a, l.b));
        links
    }

    /// Connected components over links of at least `min_weight`. Common
    /// identifiers are already damped or capped, which is what keeps a
    /// shared hotline number from chaining strangers together.
    pub fn clusters(&self) -> IdentifierClusters {
        self.clusters_in_context(|_, _, _| None)
    }

    /// [`clusters`](Self::clusters) over [`links_in_context`](Self::links_in_context).
    pub fn clusters_in_context(
        &self,
        judge: impl Fn(IdKind, &str, &[u32]) -> Option<IdContext>,
    ) -> IdentifierClusters {
        let links: Vec<IdentifierLink> = self
            .links_in_context(judge)
            .into_iter()
            .filter(|l| l.weight >= self.config.min_weight)
            .collect();
        let mut sets = UnionFind::new(self.records as usize);
        for l in &links {
            sets.union(l.a, l.b);
        }
        let (cluster_of, count) = sets.labels();
        IdentifierClusters {
            cluster_of,
            count,
            links,
        }
    }

    /// Kinds in configuration order (for building `base_weight` arrays).
    pub fn kinds() -> [IdKind; 7] {
        IdKind::ALL
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_phone_links_with_evidence() {
        let mut g = IdentifierGraph::new(IdentifierConfig::default());
        assert!(g.add(0, IdKind::Phone, "(212) 555-0147", None));
        assert!(g.add(1, IdKind::Phone, "+1 212 555 0147", None));
        assert!(g.add(2, IdKind::Phone, "212-555-0100", None));
        let links = g.links();
        assert_eq!(links.len(), 1);
        assert_eq!((links[0].a, links[0].b), (0, 1));
        assert_eq!(links[0].evidence[0].value, "+12125550147");
        assert!((links[0].weight - 0.9).abs() < 1e-9);
    }

    #[test]
    fn common_identifiers_are_damped_then_capped() {
        let mut g = IdentifierGraph::new(IdentifierConfig::default());
        for r in 0..10 {
            g.add(r, IdKind::Phone, "212-555-0199", None);
        }
        let w10 = g.links()[0].weight;
        assert!(w10 < 0.5 && w10 > 0.0, "{w10}");
        for r in 10..60 {
            g.add(r, IdKind::Phone, "212-555-0199", None);
        }
        assert!(
            g.links().is_empty(),
            "a line shared by 60 records links nobody"
        );
        let c = g.clusters();
        assert_eq!(c.count, 60);
    }

    #[test]
    fn the_graph_weighs_by_the_public_weight() {
        let config = IdentifierConfig::default();
        for kind in IdKind::ALL {
            for n in 1..=config.max_records + 1 {
                let mut g = IdentifierGraph::new(config.clone());
                let sample = match kind {
                    IdKind::Phone => "2125550147",
                    IdKind::Email => "someone@example.org",
                    _ => "sample",
                };
                for r in 0..n as u32 {
                    assert!(g.add(r, kind, sample, Some(0)));
                }
                let got = g.links().first().map_or(0.0, |l| l.weight);
                assert!((got - config.weight(kind, n)).abs() < 1e-12, "{kind:?} {n}");
            }
        }
    }

    #[test]
    fn ip_links_only_within_window() {
        let mut g = IdentifierGraph::new(IdentifierConfig::default());
        g.add(0, IdKind::Ip, "198.51.100.7", Some(0));
        g.add(1, IdKind::Ip, "198.51.100.7", Some(3600));
        g.add(2, IdKind::Ip, "198.51.100.7", Some(10 * 24 * 3600));
        g.add(3, IdKind::Ip, "198.51.100.7", None);
        let links = g.links();
        assert_eq!(links.len(), 1);
        assert_eq!((links[0].a, links[0].b), (0, 1));
    }

    #[test]
    fn several_identifiers_combine() {
        let mut g = IdentifierGraph::new(IdentifierConfig::default());
        g.add(0, IdKind::Email, "a@example.org", None);
        g.add(1, IdKind::Email, "A@Example.org", None);
        g.add(0, IdKind::Handle, "@anna", None);
        g.add(1, IdKind::Handle, "anna", None);
        let l = &g.links()[0];
        assert_eq!(l.evidence.len(), 2);
        assert!(l.weight > 0.99);
    }
}
