//! Online ads: the one record format (`ads.jsonl`), and clustering ads that
//! were written from one template or share a phone, email or handle.
//!
//! [`AdRecord`] is read and written by every tool that handles ads (the
//! synthetic world writes it, the importer and `cluster-ads` read it), so the
//! format is defined here once. [`cluster_ads`] is the pipeline behind
//! `clearinghouse cluster-ads`: identifiers extracted from each ad's text
//! (obfuscated ones too), near-duplicate texts found with MinHash, both kinds
//! of link joined into clusters, every link kept as evidence.

use serde::{Deserialize, Deserializer, Serialize};

use crate::cluster::{mean_across, Groups};
use crate::neighbours::{nearest, NeighbourConfig, WeightedSets};
use crate::{
    IdContext, IdKind, IdentifierConfig, IdentifierGraph, IdentifierLink, Linkage,
    SharedIdentifier, ShingleCounts, TextCluster, TextClusterer, TextClusters, TextConfig,
    UnionFind,
};

/// An online ad, one JSON object per line of `ads.jsonl`.
///
/// Reading is lenient where feeds differ: `id` may be a string or a number
/// (kept as its text), `title` and `body` may be missing or null (empty), and
/// the other fields may be left out. What a use needs beyond that (the
/// importer needs `site` and `url`) is checked by that use. Written back, a
/// record gives the same JSON it was read from when that JSON had every field
/// in this order, as the synthetic world writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdRecord {
    /// The ad's id in its source (stable: importing twice adds nothing).
    #[serde(deserialize_with = "id_text")]
    pub id: String,
    /// The site it was posted on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Its address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was posted (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_at: Option<String>,
    /// City it was posted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// State it was posted in (a US code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Title.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub title: String,
    /// Body text.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub body: String,
    /// Hashes of its photos.
    #[serde(default)]
    pub image_hashes: Vec<String>,
}

impl AdRecord {
    /// The text compared for templates and searched for identifiers.
    pub fn text(&self) -> String {
        text(&self.title, &self.body)
    }
}

/// The text of an ad with this title and body: the newline ends a sentence,
/// so shingles never span title and body.
pub fn text(title: &str, body: &str) -> String {
    format!("{title}\n{body}")
}

/// A string id, or a number's text (`3`, `3.5`); anything else is refused.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Id;
    impl serde::de::Visitor<'_> for Id {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or a number")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            // As JSON writes it: `3.0`, not `3`.
            Ok(format!("{v:?}"))
        }
    }
    d.deserialize_any(Id)
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

/// Settings for [`cluster_ads`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdConfig {
    /// Near-duplicate texts (`threshold`: the estimated Jaccard similarity
    /// two texts need to count as one template).
    pub text: TextConfig,
    /// Shared identifiers (`max_records`: an identifier in more ads than this
    /// links none of them).
    pub identifiers: IdentifierConfig,
    /// Threads for extracting identifiers and hashing texts; 0 uses every core.
    pub threads: usize,
    /// Weigh shingles by rarity (see [`AdConfig::rarity`]); plain MinHash when false.
    pub rarity: bool,
    /// Join texts by shared nearest neighbours (see [`crate::neighbours`]) rather
    /// than by [`TextConfig::linkage`]; shingles are then weighed by rarity.
    pub neighbours: Option<NeighbourConfig>,
}

/// With [`AdConfig::rarity`], a text whose shingles weigh less than this many
/// times the median ad's is padded up to it (see [`TextClusterer::weighted_signature`]).
pub const PAD_TO_MEDIAN: f32 = 1.5;

impl AdConfig {
    /// Settings for boards where every poster writes the same stock phrases:
    /// shingles weighted by rarity (a stock phrase in half the ads says almost
    /// nothing, a rare one much), texts that say little padded so they resemble
    /// little, and average linkage, so no chain of stock phrases makes one
    /// template. On the adversarial boards of `synth::boards` (20,000 ads) this
    /// lifts pairwise F1 from 0.04 to 0.69 with fixed phones; on the
    /// independently written `synth::market`, whose operations' ads drift from
    /// one another, it loses to the default (0.84 against 0.97): neither is
    /// the default for everything yet (issue 17).
    pub fn rarity() -> AdConfig {
        AdConfig {
            text: TextConfig {
                threshold: 0.3,
                single: 0.45,
                linkage: Linkage::Average,
                ..TextConfig::default()
            },
            rarity: true,
            ..AdConfig::default()
        }
    }
}

impl AdConfig {
    /// Settings for boards of short formulaic ads (issue 17): each ad's ten nearest
    /// neighbours by rarity-weighted Jaccard similarity (computed exactly on the
    /// pairs weighted-MinHash LSH proposes, 30 bands of 2 rows), a pair joined only
    /// when the two ads share neighbours (Jarvis and Patrick 1973) or are
    /// near-copies, and two clusters (phone clusters included) joined only when
    /// they are alike on average across, so no single pair of stock phrases
    /// bridges two operations. Two clusters that each keep a contact of their own
    /// need more likeness; two posted in the same places need less. Identifiers are
    /// judged by how alike their ads are, rarity-weighted. See [`crate::neighbours`].
    ///
    /// Pairwise F1 at 20,000 ads (fixed phones / half the operations rotating):
    /// `synth::boards` 0.97 / 0.85 (default 0.04 / 0.02), `synth::market` 0.96 /
    /// 0.84 (default 0.99 / 0.86). It wins on the formulaic boards and loses a
    /// little to the default on drifting operations, so it is not the default.
    pub fn neighbourhoods() -> AdConfig {
        AdConfig {
            text: TextConfig {
                bands: 30,
                rows: 2,
                ..TextConfig::default()
            },
            neighbours: Some(NeighbourConfig::default()),
            ..AdConfig::default()
        }
    }
}

/// How far [`cluster_ads`] has got, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdStep {
    /// This many more ads had their identifiers extracted and their text
    /// hashed (reported from several threads).
    Read(usize),
    /// All ads are read; near-duplicate texts are being compared.
    ComparingTexts,
    /// Shared identifiers are being linked.
    LinkingIdentifiers,
}

/// Ads joined by templates and shared identifiers, with the evidence.
#[derive(Debug, Clone, Default)]
pub struct AdClusters {
    /// Cluster number per ad, in input order (dense, `0..count`, in order of
    /// each cluster's first ad).
    pub cluster_of: Vec<u32>,
    /// Number of clusters, single ads included.
    pub count: u32,
    /// The template clusters: each member joined to its template ad.
    pub templates: TextClusters,
    /// The shared-identifier links strong enough to join ads.
    pub shared: Vec<IdentifierLink>,
}

/// Why two ads are linked.
#[derive(Debug, Clone, PartialEq)]
pub enum AdEvidence {
    /// One ad is written from the other, the template of a cluster.
    Template {
        /// The template ad.
        template: u32,
        /// Estimated Jaccard similarity of the ad's text to the template's.
        similarity: f32,
        /// Ads sharing the template.
        members: usize,
    },
    /// The ads carry the same phones, emails or handles.
    SharedIdentifiers {
        /// Combined weight of the identifiers.
        weight: f64,
        /// The identifiers, strongest first.
        identifiers: Vec<SharedIdentifier>,
    },
}

/// A link between two ads (by input position) and why.
#[derive(Debug, Clone, PartialEq)]
pub struct AdLink {
    /// One ad.
    pub a: u32,
    /// The other.
    pub b: u32,
    /// The evidence.
    pub evidence: AdEvidence,
}

impl AdClusters {
    /// Ads joined to a template (each template cluster's members but the
    /// template itself).
    pub fn template_links(&self) -> usize {
        self.templates
            .groups
            .iter()
            .map(|g| g.members.len().saturating_sub(1))
            .sum()
    }

    /// Every link, template links first (each member to its template, by
    /// cluster), then the shared-identifier links by ad pair.
    pub fn links(&self) -> Vec<AdLink> {
        let mut out = Vec::new();
        for g in &self.templates.groups {
            for (&m, &similarity) in g.members.iter().zip(&g.similarity) {
                if m != g.template {
                    out.push(AdLink {
                        a: m,
                        b: g.template,
                        evidence: AdEvidence::Template {
                            template: g.template,
                            similarity,
                            members: g.members.len(),
                        },
                    });
                }
            }
        }
        out.extend(self.shared.iter().map(|l| AdLink {
            a: l.a,
            b: l.b,
            evidence: AdEvidence::SharedIdentifiers {
                weight: l.weight,
                identifiers: l.evidence.clone(),
            },
        }));
        out
    }
}

/// What is kept of an ad after reading it: its identifiers and its text's shingles.
type Read = (Vec<(IdKind, String)>, Vec<u64>);

/// Where an ad was posted, as a hash (0: not said).
fn place_of(ad: &AdRecord) -> u64 {
    match (&ad.city, &ad.state) {
        (None, None) => 0,
        (c, s) => crate::person::mix(crate::person::hash_str(&format!(
            "{}|{}",
            c.as_deref().unwrap_or("").trim().to_lowercase(),
            s.as_deref().unwrap_or("").trim().to_lowercase()
        )))
        .max(1),
    }
}

/// Phones, emails and handles in an ad's text, sorted and distinct, and the text's
/// shingles with those identifiers blanked out: an identifier is evidence of its own,
/// judged by its own rules, and must not also count as shared wording (a hub number
/// copied into five hundred ads would otherwise make their texts alike).
fn read_ad(
    extractor: &extract::Extractor,
    texts: &TextClusterer,
    text: &str,
    blank_identifiers: bool,
) -> Read {
    let mut found: Vec<(IdKind, String)> = Vec::new();
    let mut blank: Vec<std::ops::Range<usize>> = Vec::new();
    for e in extractor.extract(text) {
        let kind = match e.kind {
            extract::EntityKind::Phone => IdKind::Phone,
            extract::EntityKind::Email => IdKind::Email,
            extract::EntityKind::Handle => IdKind::Handle,
            _ => continue,
        };
        found.push((kind, e.value));
        if blank_identifiers {
            blank.push(e.span);
        }
    }
    found.sort();
    found.dedup();
    let shingles = if blank.is_empty() {
        texts.shingles(text)
    } else {
        blank.sort_by_key(|r| r.start);
        let mut words = String::with_capacity(text.len());
        let mut at = 0;
        for r in blank {
            if r.start >= at && r.end <= text.len() {
                words.push_str(text.get(at..r.start).unwrap_or(""));
                words.push(' ');
                at = r.end;
            }
        }
        words.push_str(text.get(at..).unwrap_or(""));
        texts.shingles(&words)
    };
    (found, shingles)
}

/// Clusters ads: two ads are in one cluster when a chain of links joins
/// them, a link being a shared template (near-duplicate text, MinHash over
/// word shingles) or shared identifiers (phones, emails and handles found in
/// the title and body, obfuscated ones too; one carried by more than
/// `config.identifiers.max_records` ads links nobody). Where and when an ad
/// was posted never links two ads on its own: the same template moving from
/// city to city is exactly what should be linked. (With
/// [`AdConfig::neighbourhoods`], two clusters posted in the same cities need a
/// little less likeness of text to join.) Extraction, the slow part, runs on all
/// cores; `progress` hears how far it has got.
///
/// ```
/// use link::ads::{cluster_ads, AdConfig, AdRecord};
/// let ad = |id: &str, body: &str| AdRecord {
///     id: id.into(),
///     body: body.into(),
///     ..AdRecord::default()
/// };
/// let ads = [
///     ad("a", "Sweet and new in town. Call 212 555 0147 tonight"),
///     ad("b", "Massage by a professional, text two one two five five five zero one four seven"),
///     ad("c", "Golden retriever puppies for sale"),
/// ];
/// let c = cluster_ads(&ads, &AdConfig::default(), |_| {});
/// assert_eq!(c.cluster_of[0], c.cluster_of[1]);
/// assert_ne!(c.cluster_of[0], c.cluster_of[2]);
/// ```
pub fn cluster_ads(
    ads: &[AdRecord],
    config: &AdConfig,
    progress: impl Fn(AdStep) + Sync,
) -> AdClusters {
    let chunk = ads.len().div_ceil(threads(config)).max(1);
    cluster_parts(ads.chunks(chunk).collect(), ads.len(), config, progress)
}

/// [`cluster_ads`] for ads the caller no longer needs: each ad is dropped as soon as
/// its text has been read, so a million ads' texts are not held while they are
/// compared. The clusters are the same.
pub fn cluster_ads_owned(
    mut ads: Vec<AdRecord>,
    config: &AdConfig,
    progress: impl Fn(AdStep) + Sync,
) -> AdClusters {
    let n = ads.len();
    let chunk = n.div_ceil(threads(config)).max(1);
    let mut parts = Vec::new();
    while ads.len() > chunk {
        let rest = ads.split_off(chunk);
        parts.push(std::mem::replace(&mut ads, rest));
    }
    parts.push(ads);
    cluster_parts(parts, n, config, progress)
}

fn threads(config: &AdConfig) -> usize {
    match config.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// Pairs of an identifier's ads sampled to judge it (see [`judge`]).
const JUDGE_PAIRS: usize = 64;

/// Mean text similarity of an identifier's ads at which it is an operation's.
/// Pairs of one operation's ads on the adversarial boards sit at a median of
/// 0.3 (weighted Jaccard) and rarely below 0.1; unrelated ads at a median of 0.02.
pub const OPERATION_AGREEMENT: f32 = 0.2;
/// Mean text similarity of an identifier's ads below which it is a hub.
pub const HUB_AGREEMENT: f32 = 0.08;

/// [`OPERATION_AGREEMENT`] for rarity-weighted similarity (unpadded). Of the phones of 3
/// ads or more on both adversarial generators (20,000 ads), operations' ads agree at 0.16
/// or more in 99 in 100, and hubs' (a placeholder copied by unrelated posters) at 0.07 at
/// most: stock phrases weigh almost nothing, so a hub's texts share almost nothing else.
/// Weighting still lets an operation that is most of the board be one: each of its
/// shingles weighs at least [`crate::text::MIN_SHINGLE_WEIGHT`], and the ratio holds.
pub const WEIGHTED_OPERATION_AGREEMENT: f32 = 0.12;
/// [`HUB_AGREEMENT`] for rarity-weighted similarity (see [`WEIGHTED_OPERATION_AGREEMENT`]).
pub const WEIGHTED_HUB_AGREEMENT: f32 = 0.09;

/// Whether the ads carrying an identifier agree on their text: the mean
/// similarity of sampled pairs of them. An operation's ads are written alike;
/// a placeholder number copied by unrelated posters gathers texts that share
/// only stock phrases. With three ads or more the verdict is
/// [`IdContext::Operation`] at [`OPERATION_AGREEMENT`] or more,
/// [`IdContext::Hub`] below [`HUB_AGREEMENT`], and frequency decides in between
/// (and for two ads).
fn judge(
    similarity: impl Fn(u32, u32) -> f64,
    records: &[u32],
    (operation, hub): (f32, f32),
) -> Option<IdContext> {
    if records.len() < 3 {
        return None;
    }
    let n = records.len();
    let mut sum = 0.0;
    let mut asked = 0usize;
    // Deterministic pairs: all of them for a few records, else pairs far apart in a
    // shuffled order. Records come in posting order, and an operation posts in
    // bursts: neighbours in that order are one poster's ads even under a hub's number.
    let all = n * (n - 1) / 2;
    let pairs = JUDGE_PAIRS.min(all);
    let mut k = 0usize;
    while asked < pairs {
        let (i, j) = if all <= JUDGE_PAIRS {
            (k % n, (k % n + 1 + (k / n) % (n - 1)) % n)
        } else {
            let r = crate::person::mix(k as u64 ^ (n as u64) << 32);
            let i = (r % n as u64) as usize;
            (i, (i + 1 + ((r >> 32) % (n as u64 - 1)) as usize) % n)
        };
        k += 1;
        let (a, b) = (records[i], records[j]);
        asked += 1;
        sum += similarity(a, b);
    }
    let agreement = (sum / asked.max(1) as f64) as f32;
    if agreement >= operation {
        Some(IdContext::Operation { agreement })
    } else if agreement < hub {
        Some(IdContext::Hub { agreement })
    } else {
        None
    }
}

/// The pipeline over the ads in consecutive parts, one thread each: read each
/// ad (identifiers, shingles), count shingles over all ads, sign each text by
/// rarity, cluster the texts, then judge and link the identifiers.
fn cluster_parts<P, A>(
    parts: Vec<P>,
    n: usize,
    config: &AdConfig,
    progress: impl Fn(AdStep) + Sync,
) -> AdClusters
where
    P: IntoIterator<Item = A> + Send,
    A: std::borrow::Borrow<AdRecord>,
{
    let mut texts = TextClusterer::new(config.text.clone());
    let extractor = extract::Extractor::new();
    let threads = parts.len().max(1);
    let (reader, extractor, progress) = (&texts, &extractor, &progress);
    let rarity = config.rarity || config.neighbours.is_some();
    let (read, counts): (Vec<Vec<(Read, u64)>>, Vec<ShingleCounts>) = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                s.spawn(move || {
                    let mut counts = ShingleCounts::new();
                    let read: Vec<(Read, u64)> = part
                        .into_iter()
                        .map(|ad| {
                            let ad = ad.borrow();
                            let out = read_ad(extractor, reader, &ad.text(), rarity);
                            if rarity {
                                counts.add(out.1.iter().copied());
                            }
                            progress(AdStep::Read(1));
                            (out, place_of(ad))
                        })
                        .collect();
                    (read, counts)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .unzip()
    });
    let mut all = ShingleCounts::new();
    if rarity {
        for c in counts {
            all.merge(c);
        }
    }
    let found: Vec<Vec<(IdKind, String)>>;
    let flat: Vec<Vec<u64>>;
    let (ads_read, places): (Vec<Read>, Vec<u64>) = read.into_iter().flatten().unzip();
    (found, flat) = ads_read.into_iter().unzip();
    // A text saying less than most is padded (see `PAD_TO_MEDIAN`), from the
    // median weight of a sample of the texts.
    let floor = if rarity {
        let mut masses: Vec<f32> = flat
            .iter()
            .step_by((flat.len() / 10_000).max(1))
            .map(|sh| texts.mass(sh, &all))
            .filter(|&m| m > 0.0)
            .collect();
        masses.sort_by(f32::total_cmp);
        masses.get(masses.len() / 2).copied().unwrap_or(0.0) * PAD_TO_MEDIAN
    } else {
        0.0
    };
    // Signatures on every core.
    let per = flat.len().div_ceil(threads).max(1);
    let signed: Vec<Vec<Vec<u32>>> = {
        let (signer, all, flat) = (&texts, &all, &flat);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..flat.len())
                .step_by(per)
                .map(|start| {
                    s.spawn(move || {
                        flat[start..(start + per).min(flat.len())]
                            .iter()
                            .enumerate()
                            .map(|(k, sh)| {
                                if rarity {
                                    let id = (start + k) as u64;
                                    signer.weighted_signature(sh, all, Some((id, floor)))
                                } else {
                                    signer.plain_signature(sh)
                                }
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    // The exact weighted sets, for comparing neighbours.
    let sets = config.neighbours.as_ref().map(|_| {
        let mut sets = WeightedSets::new();
        for sh in &flat {
            sets.push(sh, |x| all.weight(x), floor);
        }
        sets
    });
    drop((all, flat));
    for sig in signed.into_iter().flatten() {
        texts.add_signature(&sig);
    }
    progress(AdStep::ComparingTexts);
    // Without neighbours, texts cluster on their own (by `config.text.linkage`).
    let linked = sets.is_none().then(|| texts.cluster());
    progress(AdStep::LinkingIdentifiers);
    let mut graph = IdentifierGraph::new(config.identifiers.clone());
    for (i, ids) in found.iter().enumerate() {
        for (kind, value) in ids {
            graph.add(i as u32, *kind, value, None);
        }
    }
    drop(found);
    let shared = graph
        .clusters_in_context(|_, _, records| match &sets {
            // Plain Jaccard, as the default's plain MinHash estimates: rarity is relative to the
            // board, and an operation that is most of it writes nothing rare.
            Some(sets) => judge(
                |a, b| f64::from(sets.bare_similarity(a, b)),
                records,
                (WEIGHTED_OPERATION_AGREEMENT, WEIGHTED_HUB_AGREEMENT),
            ),
            None => judge(
                |a, b| texts.similarity(a, b),
                records,
                (OPERATION_AGREEMENT, HUB_AGREEMENT),
            ),
        })
        .links;

    let mut sets_uf = UnionFind::new(n);
    for l in &shared {
        sets_uf.union(l.a, l.b);
    }
    let templates = match (&config.neighbours, &sets, linked) {
        (Some(nc), Some(ws), _) => {
            let (bands, rows) = (config.text.bands.max(1), config.text.rows.max(1));
            let hood = nearest(
                ws,
                texts.signatures(),
                texts.empties(),
                bands,
                rows,
                nc,
                threads,
            );
            // Each ad's contacts that link it to another ad, as hashes.
            let mut contacts: Vec<Vec<u64>> = vec![Vec::new(); n];
            for l in &shared {
                for id in &l.evidence {
                    let h = crate::person::mix(crate::person::hash_str(&id.value) ^ id.kind as u64);
                    contacts[l.a as usize].push(h);
                    contacts[l.b as usize].push(h);
                }
            }
            for c in &mut contacts {
                c.sort_unstable();
                c.dedup();
            }
            join_by_neighbours(ws, &hood, nc, &mut sets_uf, contacts, &places)
        }
        (_, _, templates) => {
            let templates = templates.unwrap_or_default();
            for g in &templates.groups {
                for &m in &g.members {
                    sets_uf.union(g.template, m);
                }
            }
            templates
        }
    };
    let (cluster_of, count) = sets_uf.labels();
    AdClusters {
        cluster_of,
        count,
        templates,
        shared,
    }
}

/// Joins texts whose shared-nearest-neighbour strength reaches `config.min_shared`,
/// strongest pairs first, into `sets` (which may hold identifier links already);
/// returns the text clusters the joins make, each member with its similarity to
/// the cluster's medoid.
fn join_by_neighbours(
    ws: &WeightedSets,
    hood: &crate::neighbours::Neighbours,
    config: &NeighbourConfig,
    sets: &mut UnionFind,
    mut contacts: Vec<Vec<u64>>,
    places: &[u64],
) -> TextClusters {
    let n = ws.len();
    let mut edges: Vec<(u32, f32, u32, u32)> = Vec::new();
    for a in 0..n as u32 {
        for (s, b) in hood.of(a) {
            if a < b || !hood.has(b, a) {
                let st = hood.strength(a, b) as u32;
                if st as usize >= config.min_shared {
                    edges.push((st, s, a.min(b), a.max(b)));
                }
            }
        }
    }
    // Near-copies first, whatever their neighbourhoods.
    let copy = hood.k() as u32 + 2;
    edges.extend(hood.copies.iter().map(|&(s, a, b)| (copy, s, a, b)));
    edges.sort_unstable_by(|x, y| {
        y.0.cmp(&x.0)
            .then(y.1.total_cmp(&x.1))
            .then((x.2, x.3).cmp(&(y.2, y.3)))
    });
    // The clusters so far (identifier links included), with their members.
    let mut groups = Groups::new(n);
    // The contacts of each cluster, kept at its root.
    // And the places each cluster's ads were posted in.
    let mut seen: Vec<Vec<u64>> = places
        .iter()
        .map(|&p| if p == 0 { Vec::new() } else { vec![p] })
        .collect();
    let join = |groups: &mut Groups,
                contacts: &mut Vec<Vec<u64>>,
                seen: &mut Vec<Vec<u64>>,
                a: u32,
                b: u32| {
        let root = groups.union(a, b);
        let other = if root == a { b } else { a };
        for lists in [contacts, seen] {
            let moved = std::mem::take(&mut lists[other as usize]);
            if !moved.is_empty() {
                let mine = &mut lists[root as usize];
                mine.extend(moved);
                mine.sort_unstable();
                mine.dedup();
            }
        }
    };
    for i in 0..n as u32 {
        let r = sets.find(i);
        if r != i {
            let (ga, gb) = (groups.find(r), groups.find(i));
            if ga != gb {
                join(&mut groups, &mut contacts, &mut seen, ga, gb);
            }
        }
    }
    let mut text = UnionFind::new(n);
    // Whether the clusters of `a` and `b` are alike enough as wholes to join.
    let alike =
        |groups: &mut Groups, contacts: &[Vec<u64>], seen: &[Vec<u64>], ra: u32, rb: u32| {
            let (ma, mb) = (groups.members(ra), groups.members(rb));
            let (ca, cb) = (&contacts[ra as usize], &contacts[rb as usize]);
            let needed = if !ca.is_empty() && !cb.is_empty() && !sorted_meet(ca, cb) {
                f64::from(config.distinct_mean)
            } else {
                let needed = f64::from(config.min_mean);
                let (pa, pb) = (&seen[ra as usize], &seen[rb as usize]);
                if pa.len().min(pb.len()) >= 2
                    && 2 * sorted_common(pa, pb) >= pa.len().min(pb.len())
                {
                    needed.min(f64::from(config.place_mean))
                } else {
                    needed
                }
            };
            mean_across(ma, mb, config.mean_pairs, |x, y| {
                f64::from(ws.bare_similarity(x, y))
            }) >= needed
        };
    for _pass in 0..2 {
        for &(_, _, a, b) in &edges {
            let (ra, rb) = (groups.find(a), groups.find(b));
            if ra == rb {
                if text.find(a) != text.find(b) {
                    text.union(a, b);
                }
                continue;
            }
            if alike(&mut groups, &contacts, &seen, ra, rb) {
                join(&mut groups, &mut contacts, &mut seen, ra, rb);
                text.union(a, b);
                sets.union(a, b);
            }
        }
    }
    text_clusters(ws, &mut text)
}

/// How many elements two sorted lists have in common.
fn sorted_common(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Whether two sorted lists have an element in common.
fn sorted_meet(a: &[u64], b: &[u64]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The clusters of `sets` as text clusters: members, a medoid (among a sample, the
/// member most similar to the others) and each member's similarity to it.
fn text_clusters(ws: &WeightedSets, sets: &mut UnionFind) -> TextClusters {
    const SAMPLE: usize = 32;
    let (cluster_of, count) = sets.labels();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); count as usize];
    for (i, &c) in cluster_of.iter().enumerate() {
        members[c as usize].push(i as u32);
    }
    let mut groups: Vec<TextCluster> = members
        .into_iter()
        .filter(|m| m.len() > 1)
        .map(|members| {
            let template =
                crate::text::medoid(&members, SAMPLE, |a, b| f64::from(ws.similarity(a, b)));
            let similarity = members
                .iter()
                .map(|&m| {
                    if m == template {
                        1.0
                    } else {
                        ws.similarity(m, template)
                    }
                })
                .collect();
            TextCluster {
                members,
                template,
                similarity,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members.cmp(&b.members))
    });
    TextClusters {
        cluster_of,
        count,
        groups,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ids_may_be_numbers_and_texts_may_be_missing() {
        let a: AdRecord =
            serde_json::from_str(r#"{"id": 3, "body": "hello", "title": null}"#).unwrap();
        assert_eq!(
            (a.id.as_str(), a.title.as_str(), a.body.as_str()),
            ("3", "", "hello")
        );
        assert_eq!(a.text(), "\nhello");
        let a: AdRecord = serde_json::from_str(r#"{"id": 3.0, "extra": [1]}"#).unwrap();
        assert_eq!(a.id, "3.0");
        for bad in [
            r#"{"title": "x"}"#,
            r#"{"id": true}"#,
            r#"{"id": null}"#,
            "not json",
        ] {
            assert!(serde_json::from_str::<AdRecord>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_full_record_writes_back_the_same_json() {
        let line = r#"{"id":"ad-1","site":"example.org","url":"https://example.org/1","posted_at":"2024-05-01T10:00:00Z","city":"Dallas","state":"TX","title":"New","body":"Call","image_hashes":["ab"]}"#;
        let a: AdRecord = serde_json::from_str(line).unwrap();
        assert_eq!(serde_json::to_string(&a).unwrap(), line);
    }

    #[test]
    fn a_phone_in_an_unassigned_area_code_links_as_a_phone() {
        let ad = |id: &str, body: &str| AdRecord {
            id: id.into(),
            body: body.into(),
            ..AdRecord::default()
        };
        let ads = [
            ad("a", "Friendly and discreet, downtown. Call 652-882-4378"),
            ad("b", "Relaxing massage by appointment: (652) 882 4378"),
            ad("c", "Golden retriever puppies for sale"),
        ];
        let c = cluster_ads(&ads, &AdConfig::default(), |_| {});
        assert_eq!(c.cluster_of, [0, 0, 1]);
        let AdEvidence::SharedIdentifiers { identifiers, .. } = &c.links()[0].evidence else {
            panic!("{:?}", c.links());
        };
        assert_eq!(
            (identifiers[0].kind, identifiers[0].value.as_str()),
            (IdKind::Phone, "+16528824378")
        );
    }

    #[test]
    fn templates_and_obfuscated_phones_join_ads_with_evidence() {
        let ad = |id: &str, title: &str, body: &str| AdRecord {
            id: id.into(),
            title: title.into(),
            body: body.into(),
            ..AdRecord::default()
        };
        let ads = [
            ad("ad-1", "New in town sweet girl", "Hi gentlemen I am new in town and ready to have fun with you tonight. Incall and outcall available all night long. Call 212-555-0147 now"),
            ad("ad-2", "New in town sweet girl!!", "Hi gentlemen, I am new in town and ready to have fun with you tonight. Incall and outcall available all night long. Call 212 555 0199 now"),
            ad("3", "Massage", "Relaxing massage by a professional therapist, text two one two five five five zero one four seven for an appointment"),
            ad("ad-4", "Puppies for sale", "Golden retriever puppies, vaccinated, ready for their new homes in June. Call 972-555-0123."),
        ];
        let steps = std::sync::Mutex::new(Vec::new());
        let config = AdConfig {
            threads: 2,
            ..AdConfig::default()
        };
        let c = cluster_ads(&ads, &config, |s| steps.lock().unwrap().push(s));
        assert_eq!(c.cluster_of, [0, 0, 0, 1]);
        for threads in [1, 2, 3, 8] {
            let config = AdConfig {
                threads,
                ..AdConfig::default()
            };
            let owned = cluster_ads_owned(ads.to_vec(), &config, |_| {});
            assert_eq!(owned.cluster_of, c.cluster_of, "{threads} threads");
            assert_eq!(owned.template_links(), c.template_links());
            assert_eq!(owned.shared.len(), c.shared.len());
        }
        assert_eq!(c.count, 2);
        assert_eq!(c.template_links(), 1);
        let links = c.links();
        assert_eq!(links.len(), 2);
        assert!(matches!(
            links[0].evidence,
            AdEvidence::Template { members: 2, .. }
        ));
        let AdEvidence::SharedIdentifiers { identifiers, .. } = &links[1].evidence else {
            panic!("{links:?}");
        };
        assert_eq!((links[1].a, links[1].b), (0, 2));
        assert_eq!(identifiers[0].value, "+12125550147");
        let steps = steps.into_inner().unwrap();
        assert_eq!(
            steps
                .iter()
                .filter(|s| matches!(s, AdStep::Read(_)))
                .count(),
            4
        );
        assert_eq!(
            steps[4..],
            [AdStep::ComparingTexts, AdStep::LinkingIdentifiers]
        );
        assert_eq!(cluster_ads(&[], &config, |_| {}).count, 0);
    }
}
