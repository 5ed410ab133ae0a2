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

use crate::{
    IdKind, IdentifierConfig, IdentifierGraph, IdentifierLink, SharedIdentifier, TextClusterer,
    TextClusters, TextConfig, UnionFind,
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

/// What is kept of an ad: its identifiers and its text's MinHash signature.
type Read = (Vec<(IdKind, String)>, Vec<u32>);

/// Phones, emails and handles in a text, sorted and distinct.
fn identifiers(extractor: &extract::Extractor, text: &str) -> Vec<(IdKind, String)> {
    let mut found: Vec<(IdKind, String)> = extractor
        .extract(text)
        .into_iter()
        .filter_map(|e| match e.kind {
            extract::EntityKind::Phone => Some((IdKind::Phone, e.value)),
            extract::EntityKind::Email => Some((IdKind::Email, e.value)),
            extract::EntityKind::Handle => Some((IdKind::Handle, e.value)),
            _ => None,
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Clusters ads: two ads are in one cluster when a chain of links joins
/// them, a link being a shared template (near-duplicate text, MinHash over
/// word shingles) or shared identifiers (phones, emails and handles found in
/// the title and body, obfuscated ones too; one carried by more than
/// `config.identifiers.max_records` ads links nobody). Where and when an ad
/// was posted is not evidence: the same template moving from city to city is
/// exactly what should be linked. Extraction, the slow part, runs on all
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

/// The pipeline over the ads in consecutive parts, one thread each.
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
    // Signatures are computed by the threads with a second clusterer of the same
    // configuration, so `texts` can take each thread's share as soon as it is done and
    // no second copy of every signature is held.
    let signer = TextClusterer::new(config.text.clone());
    let mut graph = IdentifierGraph::new(config.identifiers.clone());
    let extractor = extract::Extractor::new();
    let (signer, extractor, progress) = (&signer, &extractor, &progress);
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                s.spawn(move || {
                    part.into_iter()
                        .map(|ad| {
                            let text = ad.borrow().text();
                            let out: Read =
                                (identifiers(extractor, &text), signer.signature(&text));
                            progress(AdStep::Read(1));
                            out
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // In order, so ad `i` is the `i`-th added.
        let mut i = 0u32;
        for h in handles {
            let part = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            for (found, sig) in part {
                texts.add_signature(&sig);
                for (kind, value) in &found {
                    graph.add(i, *kind, value, None);
                }
                i += 1;
            }
        }
    });
    progress(AdStep::ComparingTexts);
    let templates = texts.cluster();
    progress(AdStep::LinkingIdentifiers);
    let shared = graph.clusters().links;

    let mut sets = UnionFind::new(n);
    for g in &templates.groups {
        for &m in &g.members {
            sets.union(g.template, m);
        }
    }
    for l in &shared {
        sets.union(l.a, l.b);
    }
    let (cluster_of, count) = sets.labels();
    AdClusters {
        cluster_of,
        count,
        templates,
        shared,
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
