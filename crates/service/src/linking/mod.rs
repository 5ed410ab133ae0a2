//! Link analysis in the product: every report, ad and case is linked as soon as it is
//! committed (a tip, a provider's finished report, each import batch), and
//! `clearinghouse link` recomputes everything. The pure `link` crate decides; this module
//! feeds it records and stores what it finds, each link with its reason, value, weight
//! and evidence.
//!
//! Three kinds of links:
//! - **Shared identifiers** (phone, email, handle, device, IP within a day, web address):
//!   weighted by the engine's inverse-frequency rule for the number of records carrying
//!   the identifier; above the hub cap an identifier links nobody, and the links made
//!   through it before it got there are removed.
//! - **Person** (probably the same child): the Fellegi–Sunter [`link::Index`], held in
//!   memory and built lazily from the database, matches the children named in reports
//!   and cases by name (a case's aliases count as given names), date of birth or age,
//!   place and the child's own phone, email or screen name, under
//!   [`Model::children`], with `u` measured on the stored children at each doubling.
//! - **Template** (ads written from one text): `clearinghouse link` clusters all ads with
//!   the engine's batch MinHash clusterer; a new ad is checked cheaply against stored
//!   MinHash band keys ([`link::band_keys`], in `record_identifiers` under the kind `text_band`, at most
//!   [`BUCKET_CAP`] ads per key) and verified with the engine's similarity.
//!
//! Linking runs after the commit of what it links, never inside it, as a durable job
//! (`jobs.rs`) written in the record's own transaction: a failure never loses or fails an
//! acknowledged report, the job is retried, and a crash before it ran leaves it for the
//! next worker; `clearinghouse link` recomputes everything. Within a process linking is
//! serialised (one lock), so a batch sees the batches before it.
//! Two processes linking at once (the server and a command-line import) may both miss
//! an identifier crossing the hub cap; the next record carrying it, or a full run,
//! removes the links.

// Link charts shared with agencies (issue 24)
pub mod charts;
mod records;
pub mod views;

pub use records::{url as normalize_url, Sighting};

use crate::error::{Result, ServiceError};
use crate::Services;
use domain::{RecordKind, RecordRef};
use link::{band_keys, Config, IdKind, IdentifierConfig, Index, Model, TextClusterer};
use records::Child;
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use store::links::{self as q, IdentifierRow, NewLink, MAX_IN};

/// The kinds of identifier that link records, as stored.
pub const IDENTIFIER_KINDS: [&str; 6] = ["phone", "email", "handle", "device", "ip", "url"];
/// MinHash band keys of ad texts share `record_identifiers` under this kind; they are not
/// identifiers and no page shows them.
pub const BAND_KIND: &str = "text_band";
/// Ads of a template that turned out generic carry its label under this kind: a template
/// written into by many unrelated sellers (a classifieds site's format) says nothing about
/// who wrote an ad, as a shelter's phone says nothing about who called.
pub const GENERIC_KIND: &str = "text_generic";
/// A template whose ads carry more distinct phones and emails than this is generic and
/// links nobody. In the synthetic world a network's template carries at most ten contacts
/// (rotating numbers), an ordinary category's dozens; with the rule, ads joined by
/// templates belong to one network or seller 98% of the time, without it 2%.
pub const TEMPLATE_CONTACT_CAP: usize = 20;
/// Ads registered under one band key at most: enough to find a template's members, while
/// a template used by thousands of ads costs no more to look up than a rare one.
pub const BUCKET_CAP: usize = 8;
/// A person match must be at least this probable to be stored as a link. On the
/// synthetic world's children it gives a precision of about 0.98 (0.99 at 0.9, for a
/// tenth of the recall lost): a full name with nothing against it is enough, a first
/// name with an age is not.
pub const PERSON_THRESHOLD: f64 = 0.8;
/// The person index first measures `u` when it holds this many children...
const FIRST_U_ESTIMATE: usize = 1000;
/// ...on this many random pairs of them (a few milliseconds).
const U_SAMPLE_PAIRS: usize = 200_000;
/// Ad signatures kept in memory at most (a quarter of a kilobyte each): candidates from
/// band buckets are then not read and hashed again for every batch.
const SIGNATURE_CACHE: usize = 200_000;
/// Records per batch of `clearinghouse link`.
const BATCH: i64 = 500;
/// An IP address links two records seen with it within this window (the engine's).
fn ip_window_micros() -> i64 {
    let secs = IdentifierConfig::default().window_secs[IdKind::Ip as usize].unwrap_or(86_400);
    secs * 1_000_000
}

/// An identifier carried by more records than this links nobody (the engine's cap).
pub fn hub_cap() -> usize {
    IdentifierConfig::default().max_records
}

/// Links at or above this weight join records into clusters (the engine's).
pub fn cluster_min_weight() -> f64 {
    IdentifierConfig::default().min_weight
}

fn id_kind(kind: &str) -> IdKind {
    match kind {
        "phone" => IdKind::Phone,
        "email" => IdKind::Email,
        "handle" => IdKind::Handle,
        "device" => IdKind::Device,
        "ip" => IdKind::Ip,
        _ => IdKind::Other,
    }
}

/// The engine's weight of an identifier of `kind` carried by `holders` records: full
/// when two share it, falling with the logarithm of the count, zero above the cap.
pub fn identifier_weight(kind: &str, holders: usize) -> f64 {
    IdentifierConfig::default().weight(id_kind(kind), holders)
}

fn milli(w: f64) -> i64 {
    (w * 1000.0).round() as i64
}

type Key = (u8, i64);

/// Template labels, and ads without one, that a new ad resembles: checked together.
type TemplateGroup = (Vec<String>, Vec<i64>);

/// Joins groups that share a label, so each is checked once per batch.
fn merge_groups(groups: Vec<TemplateGroup>) -> Vec<TemplateGroup> {
    let mut out: Vec<TemplateGroup> = Vec::new();
    for (labels, ads) in groups {
        let (mut labels, mut ads) = (labels, ads);
        let mut i = 0;
        while i < out.len() {
            if out[i].0.iter().any(|l| labels.contains(l)) {
                let (l, a) = out.swap_remove(i);
                labels.extend(l);
                ads.extend(a);
            } else {
                i += 1;
            }
        }
        // The label the latest ad joined names the group.
        let first = labels.first().cloned();
        labels.sort();
        labels.dedup();
        if let Some(f) = first {
            labels.retain(|l| *l != f);
            labels.insert(0, f);
        }
        ads.sort_unstable();
        ads.dedup();
        out.push((labels, ads));
    }
    out
}

fn key(r: &RecordRef) -> Key {
    let k = match r.kind {
        RecordKind::Report => 0,
        RecordKind::Ad => 1,
        RecordKind::Case => 2,
    };
    (k, r.id)
}

fn unkey(k: Key) -> RecordRef {
    let kind = match k.0 {
        0 => RecordKind::Report,
        1 => RecordKind::Ad,
        _ => RecordKind::Case,
    };
    RecordRef::new(kind, k.1)
}

/// The children of all linked reports and cases, indexed for matching.
struct People {
    index: Index,
    /// Per index number: the record and the child's label.
    owners: Vec<(Key, String)>,
    /// Records already indexed (also those naming no child).
    indexed: HashSet<Key>,
    /// Reports and cases up to these ids have been loaded.
    max_report: i64,
    max_case: i64,
    /// Off while `clearinghouse link` feeds every record itself.
    catch_up: bool,
    /// The index measures `u` again when it holds this many children.
    next_estimate: usize,
}

impl People {
    fn empty() -> People {
        People {
            index: Index::new(
                Model::children(),
                Config {
                    threshold: PERSON_THRESHOLD,
                    threads: 1,
                    ..Config::default()
                },
            ),
            owners: Vec::new(),
            indexed: HashSet::new(),
            max_report: 0,
            max_case: 0,
            catch_up: true,
            next_estimate: FIRST_U_ESTIMATE,
        }
    }

    fn add(&mut self, record: Key, children: &[Child]) {
        if !self.indexed.insert(record) {
            return;
        }
        for c in children {
            self.index.insert(&c.person);
            self.owners.push((record, c.label.clone()));
        }
        // How often different children agree by chance (a surname, a city) is measured
        // on the children stored, again at each doubling, so the weights follow the
        // population instead of a textbook's.
        if self.index.len() >= self.next_estimate {
            self.index.estimate_u(U_SAMPLE_PAIRS, 0x5eed);
            self.next_estimate = self.index.len().saturating_mul(2);
        }
    }

    /// Loads what was committed since the last look: by this process before it linked,
    /// or by another process (an import while the server runs).
    async fn catch_up(&mut self, store: &store::Store) -> Result<()> {
        if !self.catch_up {
            return Ok(());
        }
        loop {
            let rows = q::reports_after(store.reader(), self.max_report, BATCH).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            for r in rows {
                let children = serde_json::from_str::<cybertip::Report>(&r.report_json)
                    .map(|rep| records::report_children(&rep))
                    .unwrap_or_default();
                self.add((0, r.id), &children);
            }
            self.max_report = last;
        }
        loop {
            let rows = q::cases_after(store.reader(), self.max_case, BATCH).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            for c in rows {
                let children = casework::CaseRecord::from_json(&c.case_json)
                    .map(|cj| vec![records::case_child(&cj)])
                    .unwrap_or_default();
                self.add((2, c.id), &children);
            }
            self.max_case = last;
        }
        Ok(())
    }
}

/// Linking's state in a process: the person index (built on first use), the cached
/// clusters of the whole graph and the MinHash signatures of stored ads.
#[derive(Clone, Default)]
pub struct Linking {
    people: Arc<tokio::sync::Mutex<Option<People>>>,
    clusters: Arc<std::sync::Mutex<Option<views::ClusterCache>>>,
    signatures: Arc<std::sync::Mutex<HashMap<i64, Box<[u32]>>>>,
}

impl Linking {
    /// Keeps an ad's signature; a full cache starts again empty rather than tracking use,
    /// as the ads that band buckets hold (the first few of each key) soon return.
    fn keep_signature(&self, ad: i64, sig: Vec<u32>) {
        let mut cache = self
            .signatures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= SIGNATURE_CACHE {
            cache.clear();
        }
        cache.insert(ad, sig.into_boxed_slice());
    }
}

/// A record ready to link: what it carries, the children it names, its ad text.
#[derive(Debug, Clone)]
pub struct Item {
    pub record: RecordRef,
    pub sightings: Vec<Sighting>,
    children: Vec<Child>,
    ad_text: Option<String>,
}

/// What a linking run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkCounts {
    pub records: u64,
    pub identifiers: u64,
    pub links: u64,
    /// Identifiers found carried by more records than the cap.
    pub hubs: u64,
    pub removed: u64,
}

impl LinkCounts {
    fn add(&mut self, o: LinkCounts) {
        self.records += o.records;
        self.identifiers += o.identifiers;
        self.links += o.links;
        self.hubs += o.hubs;
        self.removed += o.removed;
    }
}

/// Content loaded for linking.
enum Loaded {
    /// A report and the texts its tipster added later.
    Report(q::ReportForLinking, Vec<String>),
    Ad(q::AdForLinking),
    Case(q::CaseForLinking),
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> ServiceError {
    ServiceError::Internal(Box::new(e))
}

fn ordered_label(x: &RecordRef, lx: &str, y: &RecordRef, ly: &str) -> String {
    if x <= y {
        format!("{lx} ~ {ly}")
    } else {
        format!("{ly} ~ {lx}")
    }
}

impl Services {
    /// Drops what this process keeps in memory about linked records (the person index,
    /// the clusters, the ads' signatures), so the next use reads the database again:
    /// after records were deleted (retention, issue 25).
    pub(crate) async fn forget_linking_caches(&self) {
        *self.linking.people.lock().await = None;
        *self
            .linking
            .clusters
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        self.linking
            .signatures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// In an import batch's transaction: a job, claimed by the caller, to link the rows
    /// the batch added: those of `kind` with these external ids, only those added at
    /// `added_at` when given (earlier imports are linked already). The caller runs it
    /// with [`Services::run_claimed`] right after the commit.
    pub async fn enqueue_imported(
        &self,
        tx: &mut store::Tx,
        kind: RecordKind,
        externals: impl IntoIterator<Item = String>,
        added_at: Option<i64>,
    ) -> Result<Option<store::jobs::Claimed>> {
        let externals: Vec<String> = externals.into_iter().collect();
        let mut ids = Vec::new();
        for chunk in externals.chunks(MAX_IN) {
            ids.extend(q::ids_by_external(&mut **tx, kind, chunk, added_at).await?);
        }
        let records: Vec<RecordRef> = ids.into_iter().map(|id| RecordRef::new(kind, id)).collect();
        self.enqueue_linking_claimed(tx, &records).await
    }

    /// Links records already committed against everything stored.
    pub async fn link_records(&self, records: &[RecordRef]) -> Result<LinkCounts> {
        let mut total = LinkCounts::default();
        for chunk in records.chunks(BATCH as usize) {
            let loaded = self.load_for_linking(chunk).await?;
            let items = self.prepare(loaded).await?;
            total.add(self.link_items(items, true, true).await?);
        }
        metrics::counter!("clearinghouse_links_raised_total").increment(total.links);
        Ok(total)
    }

    /// Reports with the texts their tipsters added later (issue 24).
    async fn with_followups(&self, rows: Vec<q::ReportForLinking>) -> Result<Vec<Loaded>> {
        let mut followups: HashMap<i64, Vec<String>> = HashMap::new();
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        for chunk in ids.chunks(MAX_IN) {
            for f in store::reports::followups_of(self.store.reader(), chunk).await? {
                followups.entry(f.report_id).or_default().push(f.body);
            }
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let f = followups.remove(&r.id).unwrap_or_default();
                Loaded::Report(r, f)
            })
            .collect())
    }

    async fn load_for_linking(&self, records: &[RecordRef]) -> Result<Vec<Loaded>> {
        let ids = |kind: RecordKind| -> Vec<i64> {
            records
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.id)
                .collect()
        };
        let mut out = Vec::new();
        for chunk in ids(RecordKind::Report).chunks(MAX_IN) {
            let rows = q::reports_by_ids(self.store.reader(), chunk, false).await?;
            out.extend(self.with_followups(rows).await?);
        }
        for chunk in ids(RecordKind::Case).chunks(MAX_IN) {
            out.extend(
                q::cases_by_ids(self.store.reader(), chunk)
                    .await?
                    .into_iter()
                    .map(Loaded::Case),
            );
        }
        for chunk in ids(RecordKind::Ad).chunks(MAX_IN) {
            out.extend(
                q::ads_by_ids(self.store.reader(), chunk)
                    .await?
                    .into_iter()
                    .map(Loaded::Ad),
            );
        }
        Ok(out)
    }

    /// Extraction is CPU work: it runs on the blocking pool, not on a request's thread.
    async fn prepare(&self, loaded: Vec<Loaded>) -> Result<Vec<Item>> {
        let engine = self.engine.current();
        tokio::task::spawn_blocking(move || {
            let x = engine.extractor();
            loaded
                .into_iter()
                .map(|l| match l {
                    Loaded::Report(r, followups) => {
                        let report: Option<cybertip::Report> =
                            serde_json::from_str(&r.report_json).ok();
                        Item {
                            record: RecordRef::report(r.id),
                            sightings: report
                                .as_ref()
                                .map(|rep| records::report_sightings(rep, &followups, &r.source, x))
                                .unwrap_or_default(),
                            children: report
                                .as_ref()
                                .map(records::report_children)
                                .unwrap_or_default(),
                            ad_text: None,
                        }
                    }
                    Loaded::Case(c) => {
                        let case = casework::CaseRecord::from_json(&c.case_json).ok();
                        Item {
                            record: RecordRef::case(c.id),
                            sightings: case
                                .as_ref()
                                .map(records::case_sightings)
                                .unwrap_or_default(),
                            children: case.iter().map(records::case_child).collect(),
                            ad_text: None,
                        }
                    }
                    Loaded::Ad(a) => Item {
                        record: RecordRef::ad(a.id),
                        sightings: records::ad_sightings(&a.url, &a.title, &a.body, x),
                        children: Vec::new(),
                        ad_text: Some(link::ads::text(&a.title, &a.body)),
                    },
                })
                .collect()
        })
        .await
        .map_err(internal)
    }

    /// Finds and stores the links of a batch of records. Reads and CPU work happen before
    /// the write transaction, which holds only the identifier and link statements. With
    /// `notify`, the records' matches on watchlists raise notifications in that transaction.
    async fn link_items(
        &self,
        items: Vec<Item>,
        templates: bool,
        notify: bool,
    ) -> Result<LinkCounts> {
        let mut counts = LinkCounts {
            records: items.len() as u64,
            ..LinkCounts::default()
        };
        if items.is_empty() {
            return Ok(counts);
        }
        let mut people = self.linking.people.lock().await;
        let people = match &mut *people {
            Some(p) => p,
            slot => slot.insert(People::empty()),
        };
        people.catch_up(&self.store).await?;
        let mut links: Vec<NewLink> = Vec::new();
        for it in &items {
            people.add(key(&it.record), &it.children);
        }
        for it in &items {
            for child in &it.children {
                for m in people.index.query(&child.person) {
                    let Some((owner, other_label)) = people.owners.get(m.record as usize) else {
                        continue;
                    };
                    if *owner == key(&it.record) {
                        continue;
                    }
                    let other = unkey(*owner);
                    let Some(why) = people.index.explain(&child.person, m.record) else {
                        continue;
                    };
                    let (la, lb) = if it.record <= other {
                        (&child.label, other_label)
                    } else {
                        (other_label, &child.label)
                    };
                    let evidence = json!({
                        "probability": why.probability,
                        "score": why.score,
                        "prior": why.prior,
                        "fields": why.fields.iter().map(|f| json!({
                            "field": f.field.name(), "level": f.level, "weight": f.weight,
                        })).collect::<Vec<_>>(),
                        "a": la,
                        "b": lb,
                    });
                    links.push(NewLink {
                        value: ordered_label(&it.record, &child.label, &other, other_label),
                        x: it.record,
                        y: other,
                        reason: "person".into(),
                        weight_milli: milli(why.probability),
                        evidence_json: evidence.to_string(),
                    });
                }
            }
        }
        let mut band_rows = Vec::new();
        let mut touched = Vec::new();
        if templates {
            let ads: Vec<(RecordRef, String)> = items
                .iter()
                .filter_map(|it| it.ad_text.clone().map(|t| (it.record, t)))
                .collect();
            if !ads.is_empty() {
                let (l, rows, t) = self.template_links(&ads).await?;
                links.extend(l);
                band_rows = rows;
                touched = t;
            }
        }

        let now = self.now();
        let mut tx = self.store.begin().await?;
        let rows: Vec<IdentifierRow> = items
            .iter()
            .flat_map(|it| {
                it.sightings.iter().map(|s| IdentifierRow {
                    kind: s.kind.to_owned(),
                    value: s.value.clone(),
                    record: it.record,
                    seen_at: s.seen_at,
                })
            })
            .collect();
        for chunk in rows.chunks(MAX_IN / 5) {
            counts.identifiers += q::add_identifiers(&mut *tx, chunk).await?;
        }
        for chunk in band_rows.chunks(MAX_IN / 5) {
            q::add_identifiers(&mut *tx, chunk).await?;
        }
        // Which batch records carry each identifier, by kind.
        type Carriers<'a> = BTreeMap<&'a str, Vec<(&'a RecordRef, Option<i64>)>>;
        let mut carried: BTreeMap<&str, Carriers> = BTreeMap::new();
        for it in &items {
            for s in &it.sightings {
                carried
                    .entry(s.kind)
                    .or_default()
                    .entry(s.value.as_str())
                    .or_default()
                    .push((&it.record, s.seen_at));
            }
        }
        let cap = hub_cap();
        for (kind, by_value) in &carried {
            let values: Vec<String> = by_value.keys().map(|v| (*v).to_owned()).collect();
            let mut count: HashMap<String, i64> = HashMap::new();
            for chunk in values.chunks(MAX_IN) {
                count.extend(q::counts_for(&mut *tx, kind, chunk).await?);
            }
            let mut shared: Vec<String> = Vec::new();
            for v in &values {
                let n = count.get(v).copied().unwrap_or(0);
                if n as usize > cap {
                    counts.hubs += 1;
                    counts.removed += q::remove_links_through(&mut *tx, kind, v).await?;
                } else if n >= 2 {
                    shared.push(v.clone());
                }
            }
            let mut holders: HashMap<String, Vec<(RecordRef, Option<i64>)>> = HashMap::new();
            for chunk in shared.chunks(MAX_IN) {
                for (v, r, at) in q::holders_for(&mut *tx, kind, chunk).await? {
                    holders.entry(v).or_default().push((r, at));
                }
            }
            for (value, all) in &holders {
                let w = identifier_weight(kind, all.len());
                let Some(new) = by_value.get(value.as_str()) else {
                    continue;
                };
                for (rec, at) in new {
                    for (other, other_at) in all {
                        if other == *rec {
                            continue;
                        }
                        let mut evidence = json!({
                            "kind": kind, "value": value, "records": all.len(),
                            "weight": w, "cap": cap,
                        });
                        if *kind == "ip" {
                            match (at, other_at) {
                                (Some(a), Some(b)) if (a - b).abs() <= ip_window_micros() => {
                                    evidence["seen"] = json!([a, b]);
                                    evidence["window_hours"] =
                                        json!(ip_window_micros() / 3_600_000_000);
                                }
                                _ => continue,
                            }
                        }
                        links.push(NewLink {
                            x: *(*rec),
                            y: *other,
                            reason: (*kind).to_owned(),
                            value: value.clone(),
                            weight_milli: milli(w),
                            evidence_json: evidence.to_string(),
                        });
                    }
                }
                if all.len() >= 3 {
                    q::set_weight_through(&mut *tx, kind, value, milli(w)).await?;
                }
            }
        }
        let mut seen = HashSet::new();
        links.retain(|l| {
            let (a, b) = if l.x <= l.y {
                (&l.x, &l.y)
            } else {
                (&l.y, &l.x)
            };
            seen.insert((*a, *b, l.reason.clone(), l.value.clone()))
        });
        for chunk in links.chunks(MAX_IN / 9) {
            counts.links += q::add_links(&mut *tx, chunk, now).await?;
        }
        for group in &touched {
            counts.removed += self.settle_templates(&mut tx, group).await?;
        }
        self.raise_case_alerts(&mut tx, &links, now).await?;
        // Watchlists (issue 24): notifications in the same transaction as the links.
        let mails = if notify {
            self.raise_watch_notifications(&mut tx, &items, &links, now)
                .await?
        } else {
            0
        };
        store::commit(tx).await?;
        if mails > 0 {
            self.wake_jobs();
        }
        Ok(counts)
    }

    /// New ads against stored ones: candidates from shared band keys, verified with the
    /// engine's MinHash similarity; each ad links to its most similar earlier ad at or
    /// above the engine's threshold, joining that ad's template. Returns the links and
    /// the band keys to register.
    async fn template_links(
        &self,
        ads: &[(RecordRef, String)],
    ) -> Result<(Vec<NewLink>, Vec<IdentifierRow>, Vec<TemplateGroup>)> {
        let keys: Vec<Vec<String>> = ads.iter().map(|(_, t)| band_keys(t)).collect();
        let mut all: Vec<String> = keys.iter().flatten().cloned().collect();
        all.sort();
        all.dedup();
        let mut buckets: HashMap<String, Vec<i64>> = HashMap::new();
        for chunk in all.chunks(MAX_IN) {
            for (k, r, _) in q::holders_for(self.store.reader(), BAND_KIND, chunk).await? {
                buckets.entry(k).or_default().push(r.id);
            }
        }
        let batch: HashSet<i64> = ads.iter().map(|(r, _)| r.id).collect();
        let mut earlier: Vec<i64> = buckets
            .values()
            .flatten()
            .copied()
            .filter(|id| !batch.contains(id))
            .collect();
        earlier.sort_unstable();
        earlier.dedup();
        let config = link::TextConfig::default();
        let mut clusterer = TextClusterer::new(config.clone());
        let mut num: HashMap<i64, u32> = HashMap::new();
        let mut labels: HashMap<i64, String> = HashMap::new();
        let mut unknown = Vec::new();
        {
            let cache = self
                .linking
                .signatures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for &id in &earlier {
                match cache.get(&id) {
                    Some(sig) => {
                        num.insert(id, clusterer.add_signature(sig));
                    }
                    None => unknown.push(id),
                }
            }
        }
        for chunk in unknown.chunks(MAX_IN) {
            for a in q::ads_by_ids(self.store.reader(), chunk).await? {
                let sig = clusterer.signature(&link::ads::text(&a.title, &a.body));
                num.insert(a.id, clusterer.add_signature(&sig));
                self.linking.keep_signature(a.id, sig);
            }
        }
        for chunk in earlier.chunks(MAX_IN / 2) {
            labels.extend(q::template_labels(self.store.reader(), chunk).await?);
        }
        // Ads of generic templates: nothing joins them by text.
        let mut generic: HashMap<i64, String> = HashMap::new();
        for chunk in earlier.chunks(MAX_IN) {
            generic.extend(
                q::values_of(self.store.reader(), GENERIC_KIND, RecordKind::Ad, chunk).await?,
            );
        }
        for (r, t) in ads {
            if let std::collections::hash_map::Entry::Vacant(e) = num.entry(r.id) {
                let sig = clusterer.signature(t);
                e.insert(clusterer.add_signature(&sig));
                self.linking.keep_signature(r.id, sig);
            }
        }
        let mut links = Vec::new();
        let mut rows = Vec::new();
        let mut touched: Vec<TemplateGroup> = Vec::new();
        for ((rec, _), keys) in ads.iter().zip(&keys) {
            let Some(&me) = num.get(&rec.id) else {
                continue;
            };
            let mut cands: Vec<i64> = keys
                .iter()
                .filter_map(|k| buckets.get(k))
                .flatten()
                .copied()
                .filter(|c| *c != rec.id)
                .collect();
            cands.sort_unstable();
            cands.dedup();
            // Every earlier ad this one is a near-duplicate of, the most similar first.
            let mut similar: Vec<(i64, f64)> = cands
                .iter()
                .filter_map(|c| num.get(c).map(|n| (*c, clusterer.similarity(me, *n))))
                .filter(|(_, s)| *s >= config.threshold)
                .collect();
            similar.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            if let Some(&(other, sim)) = similar.first() {
                let generic_of = similar.iter().find_map(|(c, _)| generic.get(c).cloned());
                if let Some(label) = generic_of {
                    generic.insert(rec.id, label.clone());
                    rows.push(IdentifierRow {
                        kind: GENERIC_KIND.into(),
                        value: label,
                        record: *rec,
                        seen_at: None,
                    });
                    Self::register_bands(&mut buckets, &mut rows, rec, keys);
                    continue;
                }
                let label = labels
                    .get(&other)
                    .cloned()
                    .unwrap_or_else(|| format!("ad:{other}"));
                labels.insert(rec.id, label.clone());
                // Ads join one template by their best match, so a site's common format
                // can grow as several templates chained by ads like both: what this ad
                // resembles is checked as one group.
                let mut group = (vec![label.clone()], vec![rec.id]);
                for (c, _) in &similar {
                    match labels.get(c) {
                        Some(l) if !group.0.contains(l) => group.0.push(l.clone()),
                        Some(_) => {}
                        None => group.1.push(*c),
                    }
                }
                touched.push(group);
                links.push(NewLink {
                    x: *rec,
                    y: RecordRef::ad(other),
                    reason: "template".into(),
                    evidence_json: json!({
                        "similarity": sim, "threshold": config.threshold,
                        "template": label, "shingle_words": config.shingle_words,
                    })
                    .to_string(),
                    value: label,
                    weight_milli: milli(sim),
                });
            }
            Self::register_bands(&mut buckets, &mut rows, rec, keys);
        }
        Ok((links, rows, merge_groups(touched)))
    }

    /// Registers an ad under its band keys, in the buckets that still have room.
    fn register_bands(
        buckets: &mut HashMap<String, Vec<i64>>,
        rows: &mut Vec<IdentifierRow>,
        rec: &RecordRef,
        keys: &[String],
    ) {
        for k in keys {
            let b = buckets.entry(k.clone()).or_default();
            if b.len() < BUCKET_CAP && !b.contains(&rec.id) {
                b.push(rec.id);
                rows.push(IdentifierRow {
                    kind: BAND_KIND.into(),
                    value: k.clone(),
                    record: *rec,
                    seen_at: None,
                });
            }
        }
    }

    /// The distinct phones and emails of some ads, counted up to `cap + 1`.
    async fn contacts_of(&self, tx: &mut store::Tx, ads: &[i64], cap: usize) -> Result<usize> {
        let mut seen: HashSet<String> = HashSet::new();
        for chunk in ads.chunks(MAX_IN) {
            for kind in ["phone", "email"] {
                for (_, v) in q::values_of(&mut **tx, kind, RecordKind::Ad, chunk).await? {
                    seen.insert(v);
                }
            }
            if seen.len() > cap {
                break;
            }
        }
        Ok(seen.len())
    }

    /// Templates whose ads now carry too many contacts together are generic: their links
    /// go and their ads are marked, so later ads do not join them either. Returns the
    /// links removed.
    async fn settle_templates(&self, tx: &mut store::Tx, group: &TemplateGroup) -> Result<u64> {
        let (labels, extra) = group;
        let mut members: Vec<i64> = extra.clone();
        for l in labels {
            members.extend(q::template_members(&mut **tx, l).await?);
        }
        members.sort_unstable();
        members.dedup();
        if self.contacts_of(tx, &members, TEMPLATE_CONTACT_CAP).await? <= TEMPLATE_CONTACT_CAP {
            return Ok(0);
        }
        let mut removed = 0;
        for l in labels {
            removed += q::remove_links_through(&mut **tx, "template", l).await?;
        }
        let label = labels.first().cloned().unwrap_or_default();
        let marks: Vec<IdentifierRow> = members
            .iter()
            .map(|&id| IdentifierRow {
                kind: GENERIC_KIND.into(),
                value: label.clone(),
                record: RecordRef::ad(id),
                seen_at: None,
            })
            .collect();
        for chunk in marks.chunks(MAX_IN / 5) {
            q::add_identifiers(&mut **tx, chunk).await?;
        }
        Ok(removed)
    }

    /// The next batch of one kind's records after id `after`, and the last id in it.
    async fn loaded_after(
        &self,
        kind: RecordKind,
        after: i64,
    ) -> Result<(Vec<Loaded>, Option<i64>)> {
        let db = self.store.reader();
        Ok(match kind {
            RecordKind::Report => {
                let rows = q::reports_after(db, after, BATCH).await?;
                let last = rows.last().map(|r| r.id);
                (self.with_followups(rows).await?, last)
            }
            RecordKind::Case => {
                let rows = q::cases_after(db, after, BATCH).await?;
                let last = rows.last().map(|r| r.id);
                (rows.into_iter().map(Loaded::Case).collect(), last)
            }
            RecordKind::Ad => {
                let rows = q::ads_after(db, after, BATCH).await?;
                let last = rows.last().map(|r| r.id);
                (rows.into_iter().map(Loaded::Ad).collect(), last)
            }
        })
    }

    /// `clearinghouse link`: forgets every identifier and link and recomputes them all,
    /// reporting progress as (done, total) record steps.
    pub async fn link_all(&self, mut progress: impl FnMut(u64, u64)) -> Result<LinkCounts> {
        let (reports, ads, cases) = q::record_counts(self.store.reader()).await?;
        let total = (reports + cases + 2 * ads) as u64;
        let mut done = 0u64;
        progress(0, total);
        {
            // Fed record by record below; a half-built index must not be used afterwards.
            let mut people = self.linking.people.lock().await;
            let mut fresh = People::empty();
            fresh.catch_up = false;
            *people = Some(fresh);
        }
        let mut tx = self.store.begin().await?;
        q::clear(&mut *tx).await?;
        store::commit(tx).await?;
        let mut counts = LinkCounts::default();
        let run = async {
            // Reports, then cases, then ads: the order the import gives them.
            for kind in [RecordKind::Report, RecordKind::Case, RecordKind::Ad] {
                let mut after = 0;
                loop {
                    let (rows, last) = self.loaded_after(kind, after).await?;
                    let Some(last) = last else {
                        break;
                    };
                    after = last;
                    done += rows.len() as u64;
                    let items = self.prepare(rows).await?;
                    // A recomputation raises no notifications: its records are not new.
                    counts.add(self.link_items(items, false, false).await?);
                    progress(done, total);
                }
            }
            counts.links += self.all_templates(&mut done, total, &mut progress).await?;
            Ok::<(), ServiceError>(())
        };
        let outcome = run.await;
        // The next use in this process reloads the index from the database.
        *self.linking.people.lock().await = None;
        outcome?;
        Ok(counts)
    }

    /// Templates over all ads with the engine's batch clusterer: each member linked to
    /// its cluster's medoid. Also registers every ad's band keys for the incremental path.
    async fn all_templates(
        &self,
        done: &mut u64,
        total: u64,
        progress: &mut impl FnMut(u64, u64),
    ) -> Result<u64> {
        let config = link::TextConfig::default();
        let mut clusterer = TextClusterer::new(config.clone());
        let mut ids: Vec<i64> = Vec::new();
        let mut filled: HashMap<u64, u8> = HashMap::new();
        let mut band_rows: Vec<IdentifierRow> = Vec::new();
        let mut after = 0;
        loop {
            let rows = q::ads_after(self.store.reader(), after, BATCH).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            after = last;
            for a in &rows {
                let text = link::ads::text(&a.title, &a.body);
                clusterer.add(&text);
                ids.push(a.id);
                for k in band_keys(&text) {
                    // Counted by a hash of the key: a million ads' keys as strings would
                    // take gigabytes; a rare collision only fills a bucket early.
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    std::hash::Hash::hash(&k, &mut h);
                    let n = filled.entry(std::hash::Hasher::finish(&h)).or_insert(0);
                    if usize::from(*n) < BUCKET_CAP {
                        *n += 1;
                        band_rows.push(IdentifierRow {
                            kind: BAND_KIND.into(),
                            value: k,
                            record: RecordRef::ad(a.id),
                            seen_at: None,
                        });
                    }
                }
            }
            if band_rows.len() >= 5_000 {
                self.write_rows(&std::mem::take(&mut band_rows), &[])
                    .await?;
            }
            *done += rows.len() as u64;
            progress(*done, total);
        }
        self.write_rows(&band_rows, &[]).await?;
        let clusters = clusterer.cluster();
        let mut links = Vec::new();
        let mut added = 0;
        for g in &clusters.groups {
            let Some(&template) = ids.get(g.template as usize) else {
                continue;
            };
            let label = format!("ad:{template}");
            let members: Vec<i64> = g
                .members
                .iter()
                .filter_map(|&m| ids.get(m as usize).copied())
                .collect();
            let mut tx = self.store.begin().await?;
            let generic = self
                .contacts_of(&mut tx, &members, TEMPLATE_CONTACT_CAP)
                .await?
                > TEMPLATE_CONTACT_CAP;
            store::commit(tx).await?;
            if generic {
                let marks: Vec<IdentifierRow> = members
                    .iter()
                    .map(|&id| IdentifierRow {
                        kind: GENERIC_KIND.into(),
                        value: label.clone(),
                        record: RecordRef::ad(id),
                        seen_at: None,
                    })
                    .collect();
                self.write_rows(&marks, &[]).await?;
                continue;
            }
            for (&m, &sim) in g.members.iter().zip(&g.similarity) {
                let Some(&member) = ids.get(m as usize) else {
                    continue;
                };
                if member == template {
                    continue;
                }
                links.push(NewLink {
                    x: RecordRef::ad(template),
                    y: RecordRef::ad(member),
                    reason: "template".into(),
                    value: label.clone(),
                    weight_milli: milli(f64::from(sim)),
                    evidence_json: json!({
                        "similarity": sim, "threshold": config.threshold,
                        "template": label, "shingle_words": config.shingle_words,
                        "members": g.members.len(),
                    })
                    .to_string(),
                });
            }
            if links.len() >= 5_000 {
                added += self.write_rows(&[], &std::mem::take(&mut links)).await?;
            }
        }
        added += self.write_rows(&[], &links).await?;
        *done = total;
        progress(*done, total);
        Ok(added)
    }

    async fn write_rows(&self, rows: &[IdentifierRow], links: &[NewLink]) -> Result<u64> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        for chunk in rows.chunks(MAX_IN / 5) {
            q::add_identifiers(&mut *tx, chunk).await?;
        }
        let mut added = 0;
        for chunk in links.chunks(MAX_IN / 9) {
            added += q::add_links(&mut *tx, chunk, now).await?;
        }
        store::commit(tx).await?;
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_the_engine_and_the_cap() {
        assert!((identifier_weight("phone", 2) - 0.9).abs() < 1e-9);
        assert!(identifier_weight("phone", 10) < identifier_weight("phone", 3));
        assert_eq!(identifier_weight("phone", hub_cap() + 1), 0.0);
        assert_eq!(identifier_weight("phone", 1), 0.0);
        assert!(identifier_weight("ip", 2) > 0.0);
    }
}
