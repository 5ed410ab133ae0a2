//! The read side of link analysis: what a record is linked to and why, who carries an
//! identifier, the cluster around a record, and the largest clusters.
//!
//! Access: every record shown passes `domain::policy::may_see_record`. An investigator
//! sees only reports made available to their agency, and a cluster is walked only
//! through records the reader may see, so a connection through a hidden record (an ad,
//! a case, another agency's report) is not revealed, not even as a count. Every view of
//! a record's links is audited.

use super::{cluster_min_weight, hub_cap, records, IDENTIFIER_KINDS};
use crate::accounts::Page;
use crate::error::{Result, ServiceError};
use crate::{Ip, Services};
use domain::policy::{may_see_record, permits, RecordSharing};
use domain::{Action, Principal, RecordKind, RecordRef, ReportId};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use store::links::{self as q, MAX_IN};

/// A cluster view stops growing at this many records and says so.
pub const CLUSTER_CAP: usize = 200;
/// A cluster whose records name this many states or more is flagged.
pub const MULTI_STATE: usize = 2;

/// How a record is named in lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHead {
    pub record: RecordRef,
    /// "Report #12 · Child sex trafficking", "Ad #5 · New in town", "CH-000003 · Jane Doe".
    pub title: String,
    /// `YYYY-MM-DD`: when it happened, was posted or the child went missing.
    pub date: Option<String>,
    /// USPS codes.
    pub states: Vec<String>,
    /// A report's summary, an ad's site and city, a case's circumstance.
    pub detail: String,
}

/// One link of a record, seen from it.
#[derive(Debug, Clone)]
pub struct LinkItem {
    pub other: RecordHead,
    pub reason: String,
    pub value: String,
    pub weight: f64,
    /// The evidence in words.
    pub words: Vec<String>,
    /// How the link was scored, for those who check the arithmetic (a person match's
    /// bits per field); empty for other links.
    pub scoring: Vec<String>,
    /// The link in a few words, for a chart's edge ("same date of birth; different
    /// given name", "ads 87% alike", the shared phone).
    pub summary: String,
    /// What a list says under the reason ([`link_detail`]); empty for an identifier.
    pub detail: String,
}

/// An identifier a record carries.
#[derive(Debug, Clone)]
pub struct IdentifierItem {
    pub kind: String,
    pub value: String,
    /// Records carrying it, all of them (the figure says how common it is); `None` for a
    /// reader who does not see every record.
    pub records: Option<i64>,
    /// Carried by more records than the cap: it links nobody.
    pub hub: bool,
}

/// An online ad as it was collected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ad {
    pub id: i64,
    pub site: String,
    pub url: String,
    pub posted_at: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub title: String,
    pub body: String,
}

impl From<q::AdForLinking> for Ad {
    fn from(a: q::AdForLinking) -> Self {
        Ad {
            id: a.id,
            site: a.site,
            url: a.url,
            posted_at: a.posted_at,
            city: a.city,
            state: a.state,
            title: a.title,
            body: a.body,
        }
    }
}

/// What a record is linked to and why.
#[derive(Debug, Clone)]
pub struct RecordLinks {
    pub head: RecordHead,
    /// The ad itself, for an ad (it has no other page).
    pub ad: Option<Ad>,
    pub identifiers: Vec<IdentifierItem>,
    /// Strongest first.
    pub links: Vec<LinkItem>,
    /// For an ad written from a generic template (one that many unrelated sellers use):
    /// the template, which links nobody.
    pub generic_template: Option<String>,
}

/// The records carrying one identifier.
#[derive(Debug, Clone)]
pub struct IdentifierView {
    pub kind: String,
    pub value: String,
    /// Those the reader may see, at most [`hub_cap`] + 1.
    pub holders: Vec<RecordHead>,
    /// How many records carry it; `None` for a reader who does not see every record.
    pub total: Option<i64>,
    pub hub: bool,
    pub cap: usize,
}

/// One link between two records.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    pub reason: String,
    pub value: String,
    pub weight: f64,
    /// The link in a few words ([`link_summary`]).
    pub summary: String,
    /// What a list says under the reason: a person match's comparison in words
    /// ([`person_match_words`]), how alike two ads are; empty for an identifier, whose
    /// value says it all.
    pub detail: String,
}

/// Two records of a cluster and every link between them.
#[derive(Debug, Clone)]
pub struct ClusterEdge {
    /// Positions in [`ClusterView::nodes`].
    pub a: usize,
    pub b: usize,
    /// Combined (noisy-OR) weight of the links.
    pub weight: f64,
    /// Strong enough to join the cluster.
    pub strong: bool,
    pub reasons: Vec<Reason>,
}

/// The records connected to one record.
#[derive(Debug, Clone)]
pub struct ClusterView {
    pub start: RecordRef,
    /// The start first, then by distance.
    pub nodes: Vec<RecordHead>,
    pub edges: Vec<ClusterEdge>,
    /// More records are connected than [`CLUSTER_CAP`].
    pub capped: bool,
    /// Every state the records name, sorted.
    pub states: Vec<String>,
    /// The states its reports name, sorted: what the flag counts.
    pub report_states: Vec<String>,
}

impl ClusterView {
    /// It connects reports in several states (flagged for analysts).
    pub fn multi_state(&self) -> bool {
        self.report_states.len() >= MULTI_STATE
    }

    /// Positions of the nodes in date order; undated ones last.
    pub fn timeline(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_by(|&x, &y| {
            let (a, b) = (&self.nodes[x].date, &self.nodes[y].date);
            match (a, b) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(x.cmp(&y))
        });
        order
    }
}

/// One cluster in the list.
#[derive(Debug, Clone)]
pub struct ClusterSummary {
    /// The record the cluster page starts from (its first report, else its first record).
    pub start: RecordRef,
    pub size: usize,
    pub reports: usize,
    pub ads: usize,
    pub cases: usize,
    pub states: Vec<String>,
    pub report_states: Vec<String>,
}

impl ClusterSummary {
    /// It connects reports in several states (flagged for analysts).
    pub fn multi_state(&self) -> bool {
        self.report_states.len() >= MULTI_STATE
    }
}

/// The list of clusters and figures about all of them.
#[derive(Debug, Clone)]
pub struct ClusterList {
    pub page: Page<ClusterSummary>,
    pub clusters: usize,
    pub multi_state: usize,
    pub linked_records: usize,
}

/// The links panel of a report's page.
#[derive(Debug, Clone)]
pub struct Panel {
    /// The strongest few.
    pub links: Vec<LinkItem>,
    /// Records it is linked to (a record linked for two reasons counts once).
    pub total: usize,
    /// Records in the report's cluster, itself included.
    pub cluster_size: usize,
    pub cluster_capped: bool,
    pub states: Vec<String>,
    pub report_states: Vec<String>,
}

/// The distinct states of some records, sorted; only those of reports when `reports`.
fn states_of<'a>(heads: impl Iterator<Item = &'a RecordHead>, reports: bool) -> Vec<String> {
    let mut states: Vec<String> = heads
        .filter(|h| !reports || h.record.kind == RecordKind::Report)
        .flat_map(|h| h.states.iter().cloned())
        .collect();
    states.sort();
    states.dedup();
    states
}

/// All clusters, computed from the whole graph and kept until a link is added or removed.
pub(crate) struct ClusterCache {
    fingerprint: (i64, i64),
    summaries: Arc<Vec<ClusterSummary>>,
}

/// Reads what someone typed into the search box as an identifier: a web address, an
/// email, an IP address, a phone number, else a handle. Normalised as linking stores it.
pub fn parse_identifier_query(raw: &str) -> Option<(&'static str, String)> {
    let t = raw.trim();
    if t.is_empty() || t.len() > 300 {
        return None;
    }
    if t.contains("://") || t.starts_with("www.") {
        return records::url(t).map(|v| ("url", v));
    }
    if t.parse::<std::net::IpAddr>().is_ok() {
        return Some(("ip", t.to_lowercase()));
    }
    if t.contains('@') && !t.starts_with('@') || t.contains(" at ") || t.contains("[at]") {
        if let Some(e) = link::normalize::email(t).filter(|e| e.contains('@')) {
            return Some(("email", e));
        }
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    if digits >= 7
        && t.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    {
        return link::normalize::phone(t).map(|p| ("phone", p));
    }
    if let Some(p) = extract::normalize_phone(t) {
        return Some(("phone", p));
    }
    link::normalize::handle(t)
        .filter(|h| !h.contains(char::is_whitespace))
        .map(|h| ("handle", h))
}

/// Normalises an identifier from an address the way linking stores it.
pub fn normalize_identifier(kind: &str, raw: &str) -> Option<(&'static str, String)> {
    let kind = IDENTIFIER_KINDS.into_iter().find(|k| *k == kind)?;
    let v = match kind {
        "phone" => link::normalize::phone(raw),
        "email" => link::normalize::email(raw),
        "handle" => link::normalize::handle(raw),
        "url" => records::url(raw),
        _ => Some(raw.trim().to_lowercase()).filter(|v| !v.is_empty()),
    }?;
    Some((kind, v))
}

/// What a link's reason means, for people.
pub fn reason_label(reason: &str) -> &'static str {
    match reason {
        "phone" => "Shared phone",
        "email" => "Shared email",
        "handle" => "Shared handle",
        "device" => "Shared device",
        "ip" => "Shared IP address",
        "url" => "Shared web address",
        "person" => "Probably the same child",
        "template" => "Same ad template",
        _ => "Link",
    }
}

fn field_label(f: &str) -> &str {
    match f {
        "first_name" => "First name",
        "last_name" => "Last name",
        "dob" => "Date of birth or age",
        "sex" => "Sex",
        "address" => "Address",
        "city" => "City",
        "state" => "State",
        "postcode" => "Postcode",
        "document" => "Document number",
        "phone" => "Phone",
        "email" => "Email",
        "handle" => "Handle",
        other => other,
    }
}

/// A compared field as it reads inside a sentence ("same date of birth").
fn field_noun(f: &str) -> &str {
    match f {
        "first_name" => "given name",
        "last_name" => "family name",
        "dob" => "date of birth",
        "sex" => "sex",
        "address" => "address",
        "city" => "city",
        "state" => "state",
        "postcode" => "postcode",
        "document" => "document number",
        "phone" => "phone",
        "email" => "email",
        "handle" => "handle",
        other => other,
    }
}

/// How one field compared, in words: whether it speaks for the match, the qualifier
/// ("same", "similar", "different"...) and the noun it qualifies. The engine's level
/// labels are read by their first words, so a longer label of the same level still
/// reads; one this does not know is said as the engine says it.
fn field_phrase(field: &str, level: &str, weight: f64) -> (bool, String, String) {
    let noun = field_noun(field).to_owned();
    let l = level.to_ascii_lowercase();
    let (agrees, qualifier, noun) = if l.starts_with("exact") || l == "same" || l == "shared" {
        (true, "same", noun)
    } else if l.starts_with("none shared") {
        (false, "no shared", noun)
    } else if l.starts_with("different") {
        (false, "different", noun)
    } else if l.starts_with("age consistent") {
        (true, "ages that fit", String::new())
    } else if l.starts_with("age inconsistent") {
        (false, "ages that do not fit", String::new())
    } else if field == "dob" && l.starts_with("one typo") {
        (
            true,
            "nearly the same",
            "date of birth (one digit, or day and month swapped)".to_owned(),
        )
    } else if l.starts_with("one typo") || l.starts_with("very similar") || l.starts_with("close") {
        (true, "nearly the same", noun)
    } else if l.starts_with("two typos") {
        (true, "close", noun)
    } else if l.starts_with("similar") && matches!(field, "first_name" | "last_name") {
        (true, "similar-sounding", noun)
    } else if l.starts_with("similar") {
        (true, "similar", noun)
    } else {
        return (weight >= 0.0, format!("{noun}:"), level.to_owned());
    };
    (agrees, qualifier.to_owned(), noun)
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A person match's field comparisons in words a person can weigh: what agreed first,
/// then what differed, fields sharing a word said together ("same date of birth and
/// phone; different given name"). Read from the explanation linking stored (`fields`:
/// field, level and weight in bits); None when it holds no comparison.
pub fn person_match_words(evidence_json: &str) -> Option<String> {
    let e: Value = serde_json::from_str(evidence_json).ok()?;
    let mut phrases: Vec<(bool, f64, String, String)> = Vec::new();
    for f in e
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = f.get("field").and_then(Value::as_str).unwrap_or_default();
        let level = f.get("level").and_then(Value::as_str).unwrap_or_default();
        let weight = f.get("weight").and_then(Value::as_f64).unwrap_or_default();
        if field.is_empty() || level.is_empty() {
            continue;
        }
        let (agrees, qualifier, noun) = field_phrase(field, level, weight);
        phrases.push((agrees, weight, qualifier, noun));
    }
    if phrases.is_empty() {
        return None;
    }
    // Strongest evidence first within each side; fields sharing a qualifier are said
    // together, at the place of the strongest of them.
    phrases.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.abs().total_cmp(&a.1.abs())));
    let mut groups: Vec<(bool, String, Vec<String>)> = Vec::new();
    for (agrees, _, qualifier, noun) in phrases {
        match groups
            .iter_mut()
            .find(|g| g.0 == agrees && g.1 == qualifier)
        {
            Some(g) if !noun.is_empty() => g.2.push(noun),
            Some(_) => {}
            None => groups.push((
                agrees,
                qualifier,
                [noun].into_iter().filter(|n| !n.is_empty()).collect(),
            )),
        }
    }
    let said: Vec<String> = groups
        .into_iter()
        .map(|(_, q, nouns)| {
            if nouns.is_empty() {
                q
            } else {
                format!("{q} {}", and_list(&nouns))
            }
        })
        .collect();
    let mut out = said.join("; ");
    if let Some(first) = out.get(..1) {
        out = first.to_uppercase() + &out[1..];
    }
    Some(out)
}

/// A link in a few words, for a chart's edge: a person match's comparison, how alike
/// two ads are, or the identifier they share.
pub fn link_summary(reason: &str, value: &str, evidence_json: &str, weight: f64) -> String {
    match reason {
        "person" => {
            let words = link_detail(reason, value, evidence_json)
                .map(|w| format!(": {}", lower_first(&w)))
                .unwrap_or_default();
            format!(
                "probably the same child, {}{words}",
                percent(match_probability(evidence_json).unwrap_or(weight))
            )
        }
        "template" => link_detail(reason, value, evidence_json)
            .map(|d| lower_first(&d))
            .unwrap_or_else(|| format!("written from {}", template_label(value))),
        _ => value.to_owned(),
    }
}

/// What a list of links says under a link's reason: a person match's comparison, how
/// alike two ads are. None for an identifier (its value says it) or when the evidence
/// holds nothing to say.
pub fn link_detail(reason: &str, value: &str, evidence_json: &str) -> Option<String> {
    match reason {
        "person" => person_match_words(evidence_json),
        "template" => {
            let e: Value = serde_json::from_str(evidence_json).ok()?;
            let s = e.get("similarity").and_then(Value::as_f64)?;
            Some(format!(
                "Ad texts {:.0}% alike ({})",
                s * 100.0,
                template_label(value)
            ))
        }
        _ => None,
    }
}

/// A person match's probability as linking stored it (the link's weight is rounded to
/// thousandths, and 0.9996 is not certainty).
pub fn match_probability(evidence_json: &str) -> Option<f64> {
    serde_json::from_str::<Value>(evidence_json)
        .ok()?
        .get("probability")
        .and_then(Value::as_f64)
}

/// A probability as people read it. A match is never certain, so none is said as 100%
/// (stored weights are rounded to thousandths, so 0.9996 arrives as 1).
pub fn percent(p: f64) -> String {
    if p >= 0.995 {
        "over 99%".to_owned()
    } else {
        format!("{:.0}%", p * 100.0)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// How a link was scored, for those who check the arithmetic: a person match's
/// Fellegi–Sunter score and the bits each field gave. Empty for other links.
pub fn evidence_scoring(reason: &str, evidence_json: &str) -> Vec<String> {
    if reason != "person" {
        return Vec::new();
    }
    let e: Value = serde_json::from_str(evidence_json).unwrap_or(Value::Null);
    let mut out = Vec::new();
    if let Some(s) = e.get("score").and_then(Value::as_f64) {
        let prior = e
            .get("prior")
            .and_then(Value::as_f64)
            .map(|p| format!(", from a prior of {p:+.1}"))
            .unwrap_or_default();
        out.push(format!("Fellegi–Sunter score {s:+.1} bits{prior}."));
    }
    for f in e
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let field = f.get("field").and_then(Value::as_str).unwrap_or_default();
        let level = f.get("level").and_then(Value::as_str).unwrap_or_default();
        let w = f.get("weight").and_then(Value::as_f64).unwrap_or_default();
        out.push(format!("{}: {level} ({w:+.1} bits).", field_label(field)));
    }
    out
}

/// A template label (`ad:12`) as people read it.
pub fn template_label(value: &str) -> String {
    match value.strip_prefix("ad:") {
        Some(id) => format!("the template of ad #{id}"),
        None => value.to_owned(),
    }
}

/// A link's evidence in words, from what linking stored, its current `weight`, and for
/// an identifier how many records carry it now (`None` for a reader who does not see
/// every record: the count would tell them of records they may not see).
pub fn evidence_words(
    reason: &str,
    value: &str,
    evidence_json: &str,
    weight: f64,
    holders: Option<i64>,
) -> Vec<String> {
    let e: Value = serde_json::from_str(evidence_json).unwrap_or(Value::Null);
    let num = |k: &str| e.get(k).and_then(Value::as_f64);
    let mut out = Vec::new();
    match reason {
        "person" => {
            let a = e.get("a").and_then(Value::as_str).unwrap_or_default();
            let b = e.get("b").and_then(Value::as_str).unwrap_or_default();
            // The probability is said beside the reason ("Probably the same child,
            // 90%"); here, who was compared and what agreed and differed.
            out.push(match person_match_words(evidence_json) {
                Some(w) => format!("“{a}” and “{b}”: {}.", lower_first(&w)),
                None => format!("“{a}” and “{b}”."),
            });
        }
        "template" => {
            if let Some(s) = num("similarity") {
                out.push(format!(
                    "The ad texts are {:.0}% alike (estimated overlap of their word pairs; {:.0}% or more counts as one template).",
                    s * 100.0,
                    num("threshold").unwrap_or(0.5) * 100.0
                ));
            }
            out.push(format!("Written from {}.", template_label(value)));
        }
        kind => {
            out.push(format!(
                "Both records carry the {} {value}.",
                reason_label(kind)
                    .trim_start_matches("Shared ")
                    .to_lowercase()
            ));
            let cap = num("cap").unwrap_or(hub_cap() as f64);
            out.push(match holders {
                Some(n) => format!(
                    "{n} records carry it: weight {weight:.2} (it falls as an identifier becomes common; above {cap:.0} records it links nobody)."
                ),
                None => format!(
                    "Weight {weight:.2} (it falls as an identifier becomes common; above {cap:.0} records it links nobody)."
                ),
            });
            if let Some(h) = num("window_hours") {
                out.push(format!("Seen within {h:.0} hours of each other."));
            }
        }
    }
    out
}

/// Noisy-OR: several links between two records are independent evidence.
fn combine(weights: impl Iterator<Item = f64>) -> f64 {
    1.0 - weights.map(|w| 1.0 - w.clamp(0.0, 1.0)).product::<f64>()
}

fn ordered(a: RecordRef, b: RecordRef) -> (RecordRef, RecordRef) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

fn day_of(s: &str) -> Option<String> {
    s.get(..10)
        .filter(|d| records::day(d).is_some())
        .map(str::to_owned)
}

fn day_of_micros(m: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(m.div_euclid(1_000_000)).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

/// Components of the graph over links (combined per pair) strong enough to join.
fn components(edges: Vec<q::Edge>) -> Result<Vec<Vec<RecordRef>>> {
    let mut pairs: HashMap<(RecordRef, RecordRef), f64> = HashMap::new();
    for e in edges {
        let miss = pairs.entry(ordered(e.a, e.b)).or_insert(1.0);
        *miss *= 1.0 - (e.weight_milli as f64 / 1000.0).clamp(0.0, 1.0);
    }
    let min = cluster_min_weight();
    let mut index: HashMap<RecordRef, usize> = HashMap::new();
    let mut nodes: Vec<RecordRef> = Vec::new();
    let mut parent: Vec<usize> = Vec::new();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut id = |r: &RecordRef, nodes: &mut Vec<RecordRef>, parent: &mut Vec<usize>| -> usize {
        *index.entry(*r).or_insert_with(|| {
            nodes.push(*r);
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    let mut strong: Vec<_> = pairs.into_iter().filter(|(_, m)| 1.0 - m >= min).collect();
    strong.sort_by_key(|x| x.0);
    for ((a, b), _) in strong {
        let (x, y) = (
            id(&a, &mut nodes, &mut parent),
            id(&b, &mut nodes, &mut parent),
        );
        let (rx, ry) = (find(&mut parent, x), find(&mut parent, y));
        if rx != ry {
            parent[rx.max(ry)] = rx.min(ry);
        }
    }
    let mut groups: HashMap<usize, Vec<RecordRef>> = HashMap::new();
    for (i, node) in nodes.into_iter().enumerate() {
        let r = find(&mut parent, i);
        groups.entry(r).or_default().push(node);
    }
    Ok(groups
        .into_values()
        .map(|mut g| {
            g.sort();
            g
        })
        .collect())
}

impl Services {
    pub(super) fn check_link_analysis(&self, who: &Principal) -> Result<()> {
        if permits(Some(who), Action::ViewLinkAnalysis) {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    /// Does `who` see every record, whatever was made available to whom?
    pub(super) fn sees_everything(who: &Principal) -> bool {
        may_see_record(who, &RecordSharing::default())
    }

    /// The records among `records` that `who` may see. Reports and cases count as made
    /// available to the reader's agency when they were; ads are never made available on
    /// their own, so only hotline staff see them.
    pub(crate) async fn visible(
        &self,
        who: &Principal,
        records: &[RecordRef],
    ) -> Result<HashSet<RecordRef>> {
        let mut shared: HashSet<RecordRef> = HashSet::new();
        if !Self::sees_everything(who) {
            let ids = |kind: RecordKind| -> Vec<i64> {
                records
                    .iter()
                    .filter(|r| r.kind == kind)
                    .map(|r| r.id)
                    .collect()
            };
            for chunk in ids(RecordKind::Report).chunks(MAX_IN) {
                let found = q::shared_among(self.store.reader(), who.org_id.0, chunk).await?;
                shared.extend(found.into_iter().map(RecordRef::report));
            }
            for chunk in ids(RecordKind::Case).chunks(MAX_IN) {
                let found = q::cases_shared_among(self.store.reader(), who.org_id.0, chunk).await?;
                shared.extend(found.into_iter().map(RecordRef::case));
            }
        }
        Ok(records
            .iter()
            .filter(|r| {
                let sharing = RecordSharing {
                    owner_org: None,
                    made_available_to: if shared.contains(r) {
                        vec![who.org_id]
                    } else {
                        Vec::new()
                    },
                };
                may_see_record(who, &sharing)
            })
            .cloned()
            .collect())
    }

    /// How each record is named in lists; records that are gone (or not finished) are
    /// left out.
    pub(crate) async fn heads(
        &self,
        records: &[RecordRef],
    ) -> Result<HashMap<RecordRef, RecordHead>> {
        let ids = |kind: RecordKind| -> Vec<i64> {
            let mut v: Vec<i64> = records
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.id)
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut out = HashMap::new();
        for chunk in ids(RecordKind::Report).chunks(MAX_IN) {
            for r in q::reports_by_ids(self.store.reader(), chunk, true).await? {
                let incident = cybertip::IncidentType::from_xsd_str(&r.incident_type)
                    .map(|t| t.label().to_owned())
                    .unwrap_or(r.incident_type);
                let rec = RecordRef::report(r.id);
                out.insert(
                    rec,
                    RecordHead {
                        title: format!("Report #{} · {incident}", r.id),
                        date: r
                            .incident_at
                            .as_deref()
                            .and_then(day_of)
                            .or_else(|| day_of_micros(r.received_at)),
                        states: r.states.split_whitespace().map(str::to_owned).collect(),
                        detail: r.summary,
                        record: rec,
                    },
                );
            }
        }
        for chunk in ids(RecordKind::Ad).chunks(MAX_IN) {
            for a in q::ads_by_ids(self.store.reader(), chunk).await? {
                let rec = RecordRef::ad(a.id);
                let place = [a.city.as_deref(), a.state.as_deref()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ");
                out.insert(
                    rec,
                    RecordHead {
                        title: format!(
                            "Ad #{} · {}",
                            a.id,
                            a.title.chars().take(80).collect::<String>()
                        ),
                        date: a.posted_at.as_deref().and_then(day_of),
                        states: a
                            .state
                            .iter()
                            .map(|s| s.trim().to_ascii_uppercase())
                            .filter(|s| s.len() == 2)
                            .collect(),
                        detail: if place.is_empty() {
                            a.site
                        } else {
                            format!("{} · {place}", a.site)
                        },
                        record: rec,
                    },
                );
            }
        }
        for chunk in ids(RecordKind::Case).chunks(MAX_IN) {
            for c in q::cases_by_ids(self.store.reader(), chunk).await? {
                let rec = RecordRef::case(c.id);
                let json = casework::CaseRecord::from_json(&c.case_json).ok();
                out.insert(
                    rec,
                    RecordHead {
                        title: format!("{} · {}", domain::CaseId(c.id).number(), c.child_name),
                        date: json
                            .as_ref()
                            .and_then(|j| j.episodes.first())
                            .and_then(|e| day_of(&e.reported)),
                        states: json.as_ref().map(|j| j.states()).unwrap_or_default(),
                        detail: json
                            .map(|j| {
                                casework::record::circumstance_id(j.circumstance).replace('_', " ")
                            })
                            .unwrap_or_default(),
                        record: rec,
                    },
                );
            }
        }
        Ok(out)
    }

    async fn links_of_many(&self, records: &[RecordRef]) -> Result<Vec<q::LinkRow>> {
        let mut out = Vec::new();
        for kind in RecordKind::ALL {
            let ids: Vec<i64> = records
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.id)
                .collect();
            for chunk in ids.chunks(MAX_IN / 2) {
                out.extend(q::links_touching(self.store.reader(), kind, chunk).await?);
            }
        }
        Ok(out)
    }

    /// A visible record's head, or "not found" (whether it exists is not for everyone).
    pub(super) async fn visible_head(
        &self,
        who: &Principal,
        record: &RecordRef,
    ) -> Result<RecordHead> {
        let not_found = ServiceError::NotFound("the record");
        if !self
            .visible(who, std::slice::from_ref(record))
            .await?
            .contains(record)
        {
            return Err(not_found);
        }
        self.heads(std::slice::from_ref(record))
            .await?
            .remove(record)
            .ok_or(not_found)
    }

    /// The links of a record the reader may see, to records they may see.
    async fn visible_links(&self, who: &Principal, record: &RecordRef) -> Result<Vec<LinkItem>> {
        let rows = q::links_of(self.store.reader(), record).await?;
        let others: Vec<RecordRef> = rows
            .iter()
            .map(|l| if l.a == *record { l.b } else { l.a })
            .collect();
        let visible = self.visible(who, &others).await?;
        let heads = self.heads(&others).await?;
        let mut holders: HashMap<(String, String), i64> = HashMap::new();
        if Self::sees_everything(who) {
            for l in &rows {
                let k = (l.reason.clone(), l.value.clone());
                if IDENTIFIER_KINDS.contains(&l.reason.as_str()) && !holders.contains_key(&k) {
                    let n = q::count_with(self.store.reader(), &l.reason, &l.value).await?;
                    holders.insert(k, n);
                }
            }
        }
        let mut items: Vec<LinkItem> = rows
            .into_iter()
            .zip(others)
            .filter(|(_, o)| visible.contains(o))
            .filter_map(|(l, o)| {
                let n = holders.get(&(l.reason.clone(), l.value.clone())).copied();
                let weight = l.weight_milli as f64 / 1000.0;
                Some(LinkItem {
                    other: heads.get(&o)?.clone(),
                    words: evidence_words(&l.reason, &l.value, &l.evidence_json, weight, n),
                    scoring: evidence_scoring(&l.reason, &l.evidence_json),
                    summary: link_summary(&l.reason, &l.value, &l.evidence_json, weight),
                    detail: link_detail(&l.reason, &l.value, &l.evidence_json).unwrap_or_default(),
                    weight,
                    reason: l.reason,
                    value: l.value,
                })
            })
            .collect();
        items.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then(a.other.record.cmp(&b.other.record))
        });
        Ok(items)
    }

    /// What a record is linked to and why. Audited.
    pub async fn record_links(
        &self,
        who: &Principal,
        kind: RecordKind,
        id: i64,
        ip: Ip,
    ) -> Result<RecordLinks> {
        self.check_link_analysis(who)?;
        let record = RecordRef::new(kind, id);
        let head = self.visible_head(who, &record).await?;
        let links = self.visible_links(who, &record).await?;
        let mut identifiers = Vec::new();
        for (k, v) in q::identifiers_of(self.store.reader(), &record).await? {
            if !IDENTIFIER_KINDS.contains(&k.as_str()) {
                continue;
            }
            let n = q::count_with(self.store.reader(), &k, &v).await?;
            identifiers.push(IdentifierItem {
                hub: n as usize > hub_cap(),
                records: Self::sees_everything(who).then_some(n),
                kind: k,
                value: v,
            });
        }
        let (ad, generic_template) = if kind == RecordKind::Ad {
            (
                q::ads_by_ids(self.store.reader(), &[id])
                    .await?
                    .pop()
                    .map(Ad::from),
                q::values_of(
                    self.store.reader(),
                    super::GENERIC_KIND,
                    RecordKind::Ad,
                    &[id],
                )
                .await?
                .pop()
                .map(|(_, v)| v),
            )
        } else {
            (None, None)
        };
        self.record_view(who, &format!("{kind}_links"), &id.to_string(), ip)
            .await?;
        Ok(RecordLinks {
            head,
            ad,
            identifiers,
            links,
            generic_template,
        })
    }

    /// The records carrying an identifier, and whether it is a hub. Audited.
    pub async fn identifier_links(
        &self,
        who: &Principal,
        kind: &str,
        raw: &str,
        ip: Ip,
    ) -> Result<IdentifierView> {
        self.check_link_analysis(who)?;
        let (kind, value) =
            normalize_identifier(kind, raw).ok_or(ServiceError::NotFound("the identifier"))?;
        let cap = hub_cap();
        let total = q::count_with(self.store.reader(), kind, &value).await?;
        let rows = q::records_with(self.store.reader(), kind, &value, cap as i64 + 1).await?;
        let records = rows.iter().map(|(r, _)| *r).collect::<Vec<RecordRef>>();
        let visible = self.visible(who, &records).await?;
        let heads = self.heads(&records).await?;
        let holders = records
            .iter()
            .filter(|r| visible.contains(*r))
            .filter_map(|r| heads.get(r).cloned())
            .collect();
        self.record_view(who, "identifier", &format!("{kind}:{value}"), ip)
            .await?;
        Ok(IdentifierView {
            kind: kind.to_owned(),
            value,
            holders,
            total: Self::sees_everything(who).then_some(total),
            hub: total as usize > cap,
            cap,
        })
    }

    /// Walks out from `start` over strong links, through visible records only, up to
    /// [`CLUSTER_CAP`] records. Returns the records in order of discovery, every link
    /// among them, and whether the walk stopped at the cap.
    async fn walk(
        &self,
        who: &Principal,
        start: &RecordRef,
    ) -> Result<(Vec<RecordRef>, Vec<q::LinkRow>, bool)> {
        let min = cluster_min_weight();
        let mut order = vec![*start];
        let mut seen: HashSet<RecordRef> = order.iter().copied().collect();
        let mut rows: HashMap<i64, q::LinkRow> = HashMap::new();
        let mut frontier = vec![*start];
        let mut capped = false;
        while !frontier.is_empty() {
            let found = self.links_of_many(&frontier).await?;
            let mut pairs: HashMap<(RecordRef, RecordRef), f64> = HashMap::new();
            for l in &found {
                let miss = pairs.entry(ordered(l.a, l.b)).or_insert(1.0);
                *miss *= 1.0 - (l.weight_milli as f64 / 1000.0).clamp(0.0, 1.0);
            }
            for l in found {
                rows.insert(l.id, l);
            }
            let mut next: Vec<RecordRef> = pairs
                .into_iter()
                .filter(|(_, miss)| 1.0 - miss >= min)
                .flat_map(|((a, b), _)| [a, b])
                .filter(|r| !seen.contains(r))
                .collect();
            next.sort();
            next.dedup();
            let visible = self.visible(who, &next).await?;
            frontier = Vec::new();
            for r in next.into_iter().filter(|r| visible.contains(r)) {
                if order.len() >= CLUSTER_CAP {
                    capped = true;
                    break;
                }
                seen.insert(r);
                order.push(r);
                frontier.push(r);
            }
            if capped {
                // The last records added were not walked from: fetch their links too,
                // for the edges among the records shown.
                for l in self.links_of_many(&frontier).await? {
                    rows.insert(l.id, l);
                }
                break;
            }
        }
        let mut rows: Vec<q::LinkRow> = rows
            .into_values()
            .filter(|l| seen.contains(&l.a) && seen.contains(&l.b))
            .collect();
        rows.sort_by_key(|l| l.id);
        Ok((order, rows, capped))
    }

    pub(super) async fn cluster_of(
        &self,
        who: &Principal,
        start: &RecordRef,
    ) -> Result<ClusterView> {
        let (order, rows, capped) = self.walk(who, start).await?;
        self.view_of(*start, &order, rows, capped).await
    }

    /// The links among `records`, each once, in the order they were made.
    pub(super) async fn links_among(&self, records: &[RecordRef]) -> Result<Vec<q::LinkRow>> {
        let set: HashSet<&RecordRef> = records.iter().collect();
        let mut rows: HashMap<i64, q::LinkRow> = HashMap::new();
        for l in self.links_of_many(records).await? {
            if set.contains(&l.a) && set.contains(&l.b) {
                rows.insert(l.id, l);
            }
        }
        let mut rows: Vec<q::LinkRow> = rows.into_values().collect();
        rows.sort_by_key(|l| l.id);
        Ok(rows)
    }

    /// The chart of `order` (records in the order shown) and the links `rows` among them;
    /// records that are gone are left out.
    pub(super) async fn view_of(
        &self,
        start: RecordRef,
        order: &[RecordRef],
        rows: Vec<q::LinkRow>,
        capped: bool,
    ) -> Result<ClusterView> {
        let heads = self.heads(order).await?;
        let nodes: Vec<RecordHead> = order.iter().filter_map(|r| heads.get(r).cloned()).collect();
        let pos: HashMap<&RecordRef, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (&n.record, i))
            .collect();
        let mut by_pair: HashMap<(usize, usize), Vec<Reason>> = HashMap::new();
        for l in rows {
            if let (Some(&a), Some(&b)) = (pos.get(&l.a), pos.get(&l.b)) {
                let weight = l.weight_milli as f64 / 1000.0;
                by_pair
                    .entry((a.min(b), a.max(b)))
                    .or_default()
                    .push(Reason {
                        summary: link_summary(&l.reason, &l.value, &l.evidence_json, weight),
                        detail: link_detail(&l.reason, &l.value, &l.evidence_json)
                            .unwrap_or_default(),
                        reason: l.reason,
                        value: l.value,
                        weight,
                    });
            }
        }
        let min = cluster_min_weight();
        let mut edges: Vec<ClusterEdge> = by_pair
            .into_iter()
            .map(|((a, b), reasons)| {
                let weight = combine(reasons.iter().map(|r| r.weight));
                ClusterEdge {
                    a,
                    b,
                    weight,
                    strong: weight >= min,
                    reasons,
                }
            })
            .collect();
        edges.sort_by_key(|e| (e.a, e.b));
        let states = states_of(nodes.iter(), false);
        let report_states = states_of(nodes.iter(), true);
        Ok(ClusterView {
            start,
            nodes,
            edges,
            capped,
            states,
            report_states,
        })
    }

    /// The cluster around a record the reader may see. Audited (`what` says whether it
    /// was viewed or exported, and how).
    pub async fn cluster(
        &self,
        who: &Principal,
        kind: RecordKind,
        id: i64,
        what: &str,
        ip: Ip,
    ) -> Result<ClusterView> {
        self.check_link_analysis(who)?;
        let start = RecordRef::new(kind, id);
        self.visible_head(who, &start).await?;
        let view = self.cluster_of(who, &start).await?;
        self.record_view(who, &format!("{kind}_cluster_{what}"), &id.to_string(), ip)
            .await?;
        Ok(view)
    }

    /// The links panel of a report's page, for those who may use link analysis (None for
    /// others). Audited as a view of the report's links.
    pub async fn report_links_panel(
        &self,
        who: &Principal,
        ReportId(id): ReportId,
        ip: Ip,
    ) -> Result<Option<Panel>> {
        if self.check_link_analysis(who).is_err() {
            return Ok(None);
        }
        let record = RecordRef::report(id);
        self.visible_head(who, &record).await?;
        let links = self.visible_links(who, &record).await?;
        let (cluster_size, cluster_capped, states, report_states) = if links.is_empty() {
            (1, false, Vec::new(), Vec::new())
        } else {
            let c = self.cluster_of(who, &record).await?;
            (c.nodes.len(), c.capped, c.states, c.report_states)
        };
        self.record_view(who, "report_links", &id.to_string(), ip)
            .await?;
        Ok(Some(Panel {
            total: links
                .iter()
                .map(|l| &l.other.record)
                .collect::<HashSet<_>>()
                .len(),
            links: links.into_iter().take(8).collect(),
            cluster_size,
            cluster_capped,
            states,
            report_states,
        }))
    }

    async fn summaries(&self, groups: Vec<Vec<RecordRef>>) -> Result<Vec<ClusterSummary>> {
        let all: Vec<RecordRef> = groups.iter().flatten().copied().collect();
        let heads = self.heads(&all).await?;
        let mut out: Vec<ClusterSummary> = groups
            .into_iter()
            .filter_map(|g| {
                let present: Vec<&RecordHead> = g.iter().filter_map(|r| heads.get(r)).collect();
                if present.len() < 2 {
                    return None;
                }
                let count = |k: RecordKind| present.iter().filter(|h| h.record.kind == k).count();
                let states = states_of(present.iter().copied(), false);
                let report_states = states_of(present.iter().copied(), true);
                let start = present
                    .iter()
                    .find(|h| h.record.kind == RecordKind::Report)
                    .unwrap_or(&present[0])
                    .record;
                Some(ClusterSummary {
                    start,
                    size: present.len(),
                    reports: count(RecordKind::Report),
                    ads: count(RecordKind::Ad),
                    cases: count(RecordKind::Case),
                    states,
                    report_states,
                })
            })
            .collect();
        out.sort_by(|a, b| b.size.cmp(&a.size).then(a.start.cmp(&b.start)));
        Ok(out)
    }

    /// Clusters, largest first (only those spanning several states when asked), paged.
    /// A reader who does not see every record gets the clusters among what they see.
    pub async fn clusters_page(
        &self,
        who: &Principal,
        multi_state_only: bool,
        page: i64,
        per_page: i64,
    ) -> Result<ClusterList> {
        self.check_link_analysis(who)?;
        let all: Arc<Vec<ClusterSummary>> = if Self::sees_everything(who) {
            let fp = q::fingerprint(self.store.reader()).await?;
            let cached = self
                .linking
                .clusters
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .filter(|c| c.fingerprint == fp)
                .map(|c| c.summaries.clone());
            match cached {
                Some(s) => s,
                None => {
                    let edges = q::all_edges(self.store.reader()).await?;
                    let s = Arc::new(self.summaries(components(edges)?).await?);
                    *self
                        .linking
                        .clusters
                        .lock()
                        .unwrap_or_else(|p| p.into_inner()) = Some(ClusterCache {
                        fingerprint: fp,
                        summaries: s.clone(),
                    });
                    s
                }
            }
        } else {
            let edges = q::edges_shared_with(self.store.reader(), who.org_id.0).await?;
            Arc::new(self.summaries(components(edges)?).await?)
        };
        let multi = all.iter().filter(|c| c.multi_state()).count();
        let linked = all.iter().map(|c| c.size).sum();
        let chosen: Vec<&ClusterSummary> = all
            .iter()
            .filter(|c| !multi_state_only || c.multi_state())
            .collect();
        let page = page.max(1);
        let per_page = per_page.clamp(1, 100);
        let items = chosen
            .iter()
            .skip(((page - 1) * per_page) as usize)
            .take(per_page as usize)
            .map(|c| (*c).clone())
            .collect();
        Ok(ClusterList {
            page: Page {
                items,
                total: chosen.len() as i64,
                page,
                per_page,
            },
            clusters: all.len(),
            multi_state: multi,
            linked_records: linked,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_as_identifiers() {
        assert_eq!(
            parse_identifier_query("(212) 555-0147"),
            Some(("phone", "+12125550147".into()))
        );
        assert_eq!(
            parse_identifier_query(" Jane@Example.com "),
            Some(("email", "jane@example.com".into()))
        );
        assert_eq!(
            parse_identifier_query("@Jane_X"),
            Some(("handle", "jane_x".into()))
        );
        assert_eq!(
            parse_identifier_query("198.51.100.7"),
            Some(("ip", "198.51.100.7".into()))
        );
        assert_eq!(
            parse_identifier_query("https://www.ads.example/a/1/"),
            Some(("url", "http://ads.example/a/1".into()))
        );
        assert_eq!(parse_identifier_query("two words"), None);
        assert_eq!(parse_identifier_query(""), None);
    }

    #[test]
    fn evidence_reads_as_words() {
        let w = evidence_words(
            "phone",
            "+12125550147",
            r#"{"kind":"phone","value":"+12125550147","records":2,"weight":0.9,"cap":50}"#,
            0.9,
            Some(2),
        );
        assert_eq!(w[0], "Both records carry the phone +12125550147.");
        assert!(w[1].starts_with("2 records carry it: weight 0.90"), "{w:?}");
        let w = evidence_words("phone", "+12125550147", "{}", 0.9, None);
        assert!(
            w[1].starts_with("Weight 0.90"),
            "no count for a restricted reader: {w:?}"
        );
        let w = evidence_words(
            "person",
            "Jane Doe, 15 ~ Jane Doe, 15",
            r#"{"probability":0.97,"score":5.1,"fields":[{"field":"first_name","level":"exact","weight":6.4}],"a":"Jane Doe, 15","b":"Jane Doe, 15"}"#,
            0.97,
            None,
        );
        // The probability is said beside the reason; the words say who and what agreed.
        assert_eq!(w, ["“Jane Doe, 15” and “Jane Doe, 15”: same given name."]);
        assert_eq!(percent(0.97), "97%");
        assert_eq!(percent(0.9996), "over 99%");
        assert_eq!(percent(1.0), "over 99%");
        let s = evidence_scoring(
            "person",
            r#"{"probability":0.97,"score":5.1,"fields":[{"field":"first_name","level":"exact","weight":6.4}]}"#,
        );
        assert!(
            s.iter().any(|l| l == "First name: exact (+6.4 bits)."),
            "the bits stay for those who check them: {s:?}"
        );
    }

    #[test]
    fn a_person_match_is_said_agreements_first_then_differences() {
        let ev = r#"{"probability":0.9,"score":3.2,"prior":-9.1,"fields":[
            {"field":"first_name","level":"different","weight":-4.2},
            {"field":"dob","level":"exact","weight":7.5},
            {"field":"last_name","level":"close (one edit, nickname, or Jaro-Winkler >= 0.92)","weight":3.0},
            {"field":"phone","level":"shared","weight":6.1},
            {"field":"sex","level":"same","weight":0.8},
            {"field":"city","level":"different","weight":-1.0}]}"#;
        assert_eq!(
            person_match_words(ev).unwrap(),
            "Same date of birth, phone and sex; nearly the same family name; different given name and city"
        );
        assert_eq!(
            link_summary("person", "", ev, 0.9),
            "probably the same child, 90%: same date of birth, phone and sex; nearly the same family name; different given name and city"
        );
        let ages = r#"{"fields":[
            {"field":"dob","level":"age consistent with date of birth or age (within a year)","weight":2.0},
            {"field":"first_name","level":"similar (same NYSIIS/Soundex code, or Jaro-Winkler >= 0.80)","weight":1.5},
            {"field":"handle","level":"none shared","weight":-0.5},
            {"field":"postcode","level":"a level added later","weight":-0.2}]}"#;
        assert_eq!(
            person_match_words(ages).unwrap(),
            "Ages that fit; similar-sounding given name; no shared handle; postcode: a level added later"
        );
        assert_eq!(person_match_words("{}"), None);
        assert_eq!(person_match_words("not json"), None);
        assert_eq!(
            link_summary("template", "ad:12", r#"{"similarity":0.871}"#, 0.87),
            "ad texts 87% alike (the template of ad #12)"
        );
        assert_eq!(
            link_summary("phone", "+12125550147", "{}", 0.9),
            "+12125550147"
        );
    }

    #[test]
    fn clusters_join_on_strong_links_only() {
        let r = RecordRef::report;
        let e = |a, b, w| q::Edge {
            a: RecordRef::report(a),
            b: RecordRef::report(b),
            weight_milli: w,
        };
        let mut c =
            components(vec![e(1, 2, 900), e(2, 3, 300), e(3, 4, 300), e(3, 4, 300)]).unwrap();
        c.sort();
        // 3–4 joins: two weak links combine to 0.51.
        assert_eq!(c, vec![vec![r(1), r(2)], vec![r(3), r(4)]]);
    }
}
