//! Link analysis pages: search an identifier and the largest clusters (`/links`), what a
//! record is linked to and why, who carries an identifier, and the cluster around a
//! record as an interactive graph (vendored cytoscape.js, drawn by `static/links.js` from
//! JSON embedded in the page: the CSP forbids inline script), a timeline and the states
//! it spans, exported as CSV or GraphML. The service decides what each reader may see
//! and audits every view; this module only presents.

use super::csv::cell;
use super::render;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query, RawQuery};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::policy::permits;
use domain::{Action, Principal, RecordKind, RecordRef, ReportId};
use serde::Deserialize;
use service::accounts::Page;
use service::linking::charts::{self, ShareChart};
use service::linking::views::{
    self as lv, parse_identifier_query, reason_label, ClusterSummary, ClusterView, LinkItem,
    RecordHead,
};

/// Percent-encodes one path segment (identifier values carry `+`, `@` and `/`).
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A record as a row of a list: what it is, where to open it, and its links page.
pub struct RecordLine {
    pub title: String,
    pub date: String,
    pub states: String,
    pub detail: String,
    /// The record's own page (a report's), else its links page.
    pub href: String,
    pub links_href: String,
    pub cluster_href: String,
}

/// What a record is linked to.
fn links_href(r: RecordRef) -> String {
    format!("/links/record/{}/{}", r.kind, r.id)
}

/// The cluster around a record.
fn cluster_href(r: RecordRef) -> String {
    format!("/links/cluster/{}/{}", r.kind, r.id)
}

/// Where a record opens for this reader: hotline staff open reports in the queue and
/// cases on their page, investigators reports among their leads; an ad has only its
/// links page here.
fn open_href(who: &Principal, r: RecordRef) -> String {
    match r.kind {
        RecordKind::Report if permits(Some(who), Action::ViewReports) => super::record_href(r),
        RecordKind::Case if permits(Some(who), Action::ViewCases) => super::record_href(r),
        RecordKind::Report if permits(Some(who), Action::ViewLeads) => {
            Some(format!("/leads/{}", r.id))
        }
        _ => None,
    }
    .unwrap_or_else(|| links_href(r))
}

fn line(who: &Principal, h: &RecordHead) -> RecordLine {
    RecordLine {
        title: h.title.clone(),
        date: h.date.clone().unwrap_or_default(),
        states: h.states.join(", "),
        detail: h.detail.clone(),
        href: open_href(who, h.record),
        links_href: links_href(h.record),
        cluster_href: cluster_href(h.record),
    }
}

/// One link, presented.
pub struct LinkLine {
    pub other: RecordLine,
    /// "Shared phone", "Probably the same child, 90%".
    pub reason: String,
    pub value: String,
    /// The identifier's page, for identifier links.
    pub value_href: Option<String>,
    pub weight: String,
    pub words: Vec<String>,
    /// How it was scored (a person match's bits), folded away under the words.
    pub scoring: Vec<String>,
}

fn link_line(who: &Principal, l: &LinkItem) -> LinkLine {
    let is_identifier = service::linking::IDENTIFIER_KINDS.contains(&l.reason.as_str());
    LinkLine {
        other: line(who, &l.other),
        reason: match l.reason.as_str() {
            "person" => format!("Probably the same child, {}", lv::percent(l.weight)),
            other => reason_label(other).to_owned(),
        },
        value: match l.reason.as_str() {
            "template" => lv::template_label(&l.value),
            _ => l.value.clone(),
        },
        value_href: is_identifier
            .then(|| format!("/links/identifier/{}/{}", l.reason, seg(&l.value))),
        weight: format!("{:.2}", l.weight),
        words: l.words.clone(),
        scoring: l.scoring.clone(),
    }
}

/// "connects reports in 4 states (AZ, CA, NV, TX)".
fn states_flag(states: &[String]) -> String {
    format!(
        "connects reports in {} states ({})",
        states.len(),
        states.join(", ")
    )
}

// ---------------------------------------------------------------------------------------
// /links

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    multi: String,
    page: Option<i64>,
}

pub struct ClusterLine {
    pub href: String,
    pub start: String,
    pub size: usize,
    pub parts: String,
    pub states: String,
    pub flag: Option<String>,
}

fn cluster_line(c: &ClusterSummary) -> ClusterLine {
    let mut parts = Vec::new();
    for (n, one, many) in [
        (c.reports, "report", "reports"),
        (c.ads, "ad", "ads"),
        (c.cases, "case", "cases"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    ClusterLine {
        href: cluster_href(c.start),
        start: c.start.label(),
        size: c.size,
        parts: parts.join(", "),
        states: c.states.join(", "),
        flag: c.multi_state().then(|| states_flag(&c.report_states)),
    }
}

#[derive(Template)]
#[template(path = "links.html")]
struct IndexPage {
    layout: Layout,
    q: String,
    problem: Option<String>,
    multi: bool,
    clusters: Vec<ClusterLine>,
    page: Page<()>,
    total_clusters: usize,
    multi_state: usize,
    linked_records: usize,
    /// An investigator's view holds only what was made available to their agency.
    restricted: bool,
}

pub async fn index(ctx: Ctx, Query(q): Query<IndexQuery>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let query = q.q.trim();
    let mut problem = None;
    if !query.is_empty() {
        match parse_identifier_query(query) {
            Some((kind, value)) => {
                return Ok(
                    Redirect::to(&format!("/links/identifier/{kind}/{}", seg(&value)))
                        .into_response(),
                )
            }
            None => {
                problem = Some(
                    "That does not read as a phone number, email address, handle, IP address or web address. Type one of them, e.g. 212-555-0147 or name@example.com.".to_owned(),
                )
            }
        }
    }
    let multi = q.multi == "1";
    let list = ctx
        .state
        .services
        .clusters_page(p, multi, q.page.unwrap_or(1), 20)
        .await?;
    // Each cluster by the record its page starts from.
    super::audit_list(&ctx, "/links", list.page.items.iter().map(|c| c.start.id)).await?;
    let page = Page {
        items: Vec::new(),
        total: list.page.total,
        page: list.page.page,
        per_page: list.page.per_page,
    };
    let html = render(&IndexPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Link analysis", "/links"),
        q: query.to_owned(),
        problem,
        multi,
        clusters: list.page.items.iter().map(cluster_line).collect(),
        page,
        total_clusters: list.clusters,
        multi_state: list.multi_state,
        linked_records: list.linked_records,
        restricted: !permits(Some(p), Action::ViewReports),
    })?;
    Ok(html.into_response())
}

// ---------------------------------------------------------------------------------------
// /links/record/{kind}/{id}

pub struct IdentifierLine {
    pub kind: String,
    pub value: String,
    pub href: String,
    pub records: Option<i64>,
    pub hub: bool,
}

pub struct AdView {
    pub site: String,
    pub url: String,
    pub posted: String,
    pub place: String,
    pub title: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "links_record.html")]
struct RecordPage {
    layout: Layout,
    record: RecordLine,
    kind: String,
    ad: Option<AdView>,
    identifiers: Vec<IdentifierLine>,
    links: Vec<LinkLine>,
    pager: Pager,
    cap: usize,
    min_weight: String,
    generic_template: Option<String>,
    template_contact_cap: usize,
    /// The reader sees only what was made available to their agency: no counts.
    restricted: bool,
}

fn parse_id(id: &str) -> Result<i64, AppError> {
    id.parse().map_err(|_| AppError::not_found())
}

/// A record kind as it appears in addresses; any other word is a page that does not exist.
fn parse_kind(kind: &str) -> Result<RecordKind, AppError> {
    kind.parse().map_err(|_| AppError::not_found())
}

#[derive(Deserialize, Default)]
pub struct RecordQuery {
    page: Option<String>,
}

pub async fn record(
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
    Query(q): Query<RecordQuery>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    // `/links/record/report/12.json` is the record and its links as the chart draws
    // them: what a chart fetches to expand a record on demand.
    let (id, json) = match id.strip_suffix(".json") {
        Some(id) => (id, true),
        None => (id.as_str(), false),
    };
    let (kind, id) = (parse_kind(&kind)?, parse_id(id)?);
    let view = ctx
        .state
        .services
        .record_links(p, kind, id, ctx.ip.clone())
        .await?;
    if json {
        return Ok(axum::Json(neighbours_json(p, &view)).into_response());
    }
    let title = view.head.title.clone();
    let base = links_href(view.head.record);
    let links: Vec<LinkLine> = view.links.iter().map(|l| link_line(p, l)).collect();
    let (links, pager) = Pager::cut(links, q.page.as_deref(), |n| match n {
        Some(1) => format!("{base}#links-h"),
        Some(n) => format!("{base}?page={n}#links-h"),
        None => format!("{base}?page=all#links-h"),
    });
    let html = render(&RecordPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("Links of {title}"),
            "/links",
        ),
        record: line(p, &view.head),
        kind: view.head.record.kind.as_str().to_owned(),
        ad: view.ad.map(|a| AdView {
            place: [a.city.clone(), a.state.clone()]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            site: a.site,
            url: a.url,
            posted: a.posted_at.unwrap_or_default(),
            title: a.title,
            body: a.body,
        }),
        identifiers: view
            .identifiers
            .iter()
            .map(|i| IdentifierLine {
                href: format!("/links/identifier/{}/{}", i.kind, seg(&i.value)),
                kind: i.kind.clone(),
                value: i.value.clone(),
                records: i.records,
                hub: i.hub,
            })
            .collect(),
        links,
        pager,
        cap: service::linking::hub_cap(),
        min_weight: format!("{:.2}", service::linking::cluster_min_weight()),
        generic_template: view.generic_template.as_deref().map(lv::template_label),
        template_contact_cap: service::linking::TEMPLATE_CONTACT_CAP,
        restricted: !permits(Some(p), Action::ViewReports),
    })?;
    Ok(html.into_response())
}

/// A record and the records it is linked to, in the chart's terms (`links.js`).
fn neighbours_json(who: &Principal, v: &lv::RecordLinks) -> serde_json::Value {
    let min = service::linking::cluster_min_weight();
    let mut nodes = vec![graph_node(who, &v.head, false)];
    let mut seen = std::collections::HashSet::from([v.head.record]);
    let mut links = Vec::new();
    for l in &v.links {
        if seen.insert(l.other.record) {
            nodes.push(graph_node(who, &l.other, false));
        }
        let r = lv::Reason {
            reason: l.reason.clone(),
            value: l.value.clone(),
            weight: l.weight,
            summary: l.summary.clone(),
            detail: l.detail.clone(),
        };
        links.push(graph_link(
            v.head.record,
            l.other.record,
            &r,
            l.weight >= min,
        ));
    }
    serde_json::json!({ "start": node_id(v.head.record), "nodes": nodes, "links": links })
}

// ---------------------------------------------------------------------------------------
// /links/identifier/{kind}/{value}

#[derive(Template)]
#[template(path = "links_identifier.html")]
struct IdentifierPage {
    layout: Layout,
    kind: String,
    value: String,
    holders: Vec<RecordLine>,
    total: Option<i64>,
    hub: bool,
    cap: usize,
    /// Watchlists (issue 24): the watchlist's form filled in with this identifier.
    watch_href: Option<String>,
}

pub async fn identifier(
    ctx: Ctx,
    Path((kind, value)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let view = ctx
        .state
        .services
        .identifier_links(p, &kind, &value, ctx.ip.clone())
        .await?;
    render(&IdentifierPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("{} {}", view.kind, view.value),
            "/links",
        ),
        holders: view.holders.iter().map(|h| line(p, h)).collect(),
        watch_href: if domain::policy::permits(Some(p), domain::Action::WatchRecords) {
            super::watchlists::watch_href(&view.kind, &view.value)
        } else {
            None
        },
        kind: view.kind,
        value: view.value,
        total: view.total,
        hub: view.hub,
        cap: view.cap,
    })
}

// ---------------------------------------------------------------------------------------
// /links/cluster/{kind}/{id}[.csv|.graphml]

/// Rows a long list shows at a time (records, links), so that a 200-record cluster's
/// page stays a page.
pub const PER_PAGE: usize = 25;

/// One page of a long list, and where the others are.
pub struct Pager {
    pub page: usize,
    pub pages: usize,
    pub total: usize,
    /// Rows a page holds.
    pub per: usize,
    /// The rows shown are `first..=last` (1-based), for "21–40 of 200".
    pub first: usize,
    pub last: usize,
    pub all: bool,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// "Show all", or back to pages when all are shown; None when one page holds all.
    pub toggle: Option<String>,
}

impl Pager {
    /// Cuts `items` to the page asked for (`"all"`, a number, or nothing for the first);
    /// `href` builds the address of another page (`None` for all of them).
    fn cut<T>(
        items: Vec<T>,
        asked: Option<&str>,
        href: impl Fn(Option<usize>) -> String,
    ) -> (Vec<T>, Pager) {
        let total = items.len();
        let pages = total.div_ceil(PER_PAGE).max(1);
        let all = asked == Some("all") && pages > 1;
        let page = if all {
            1
        } else {
            asked
                .and_then(|p| p.parse::<usize>().ok())
                .unwrap_or(1)
                .clamp(1, pages)
        };
        let (skip, take) = if all {
            (0, total)
        } else {
            ((page - 1) * PER_PAGE, PER_PAGE)
        };
        let shown: Vec<T> = items.into_iter().skip(skip).take(take).collect();
        let pager = Pager {
            first: if shown.is_empty() { 0 } else { skip + 1 },
            last: skip + shown.len(),
            prev: (!all && page > 1).then(|| href(Some(page - 1))),
            next: (!all && page < pages).then(|| href(Some(page + 1))),
            toggle: (pages > 1).then(|| href(if all { Some(1) } else { None })),
            page,
            pages,
            total,
            per: PER_PAGE,
            all,
        };
        (shown, pager)
    }
}

/// What a cluster page was asked for: which page of each list, and which kinds of link
/// to show (all when the filter was not used).
#[derive(Default)]
struct ClusterQuery {
    records: Option<String>,
    links: Option<String>,
    /// The kinds of link ticked, when the filter form was sent.
    show: Option<Vec<String>>,
}

impl ClusterQuery {
    fn parse(raw: Option<&str>) -> ClusterQuery {
        let mut q = ClusterQuery::default();
        let mut show = Vec::new();
        let mut filtered = false;
        for (k, v) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match &*k {
                "records" => q.records = Some(v.into_owned()),
                "links" => q.links = Some(v.into_owned()),
                "f" => filtered = true,
                "show" => show.push(v.into_owned()),
                _ => {}
            }
        }
        q.show = filtered.then_some(show);
        q
    }

    fn shows(&self, reason: &str) -> bool {
        self.show
            .as_ref()
            .is_none_or(|s| s.iter().any(|r| r == reason))
    }

    /// This page's address with other list pages (`None` is "all").
    fn href(
        &self,
        base: &str,
        records: Option<Option<usize>>,
        links: Option<Option<usize>>,
        anchor: &str,
    ) -> String {
        let page = |p: Option<usize>| p.map_or_else(|| "all".to_owned(), |n| n.to_string());
        let mut parts: Vec<String> = Vec::new();
        let rec = records.map(page).or_else(|| self.records.clone());
        let lnk = links.map(page).or_else(|| self.links.clone());
        if let Some(r) = rec.filter(|r| r != "1") {
            parts.push(format!("records={}", super::enc(&r)));
        }
        if let Some(l) = lnk.filter(|l| l != "1") {
            parts.push(format!("links={}", super::enc(&l)));
        }
        if let Some(show) = &self.show {
            parts.push("f=1".to_owned());
            parts.extend(show.iter().map(|r| format!("show={}", super::enc(r))));
        }
        if parts.is_empty() {
            format!("{base}#{anchor}")
        } else {
            format!("{base}?{}#{anchor}", parts.join("&"))
        }
    }
}

/// One kind of link in the chart's key and filter: its reason, its name, how many
/// links of the cluster it gives, and whether it is ticked.
pub struct KindLine {
    pub reason: &'static str,
    pub label: &'static str,
    pub count: usize,
    pub shown: bool,
}

/// Every reason a link can have, in the order of the key; the chart's styles
/// (`links.js`) and the key's swatches (`links.css`) follow these names.
pub const REASONS: [&str; 8] = [
    "person", "phone", "email", "handle", "template", "device", "ip", "url",
];

/// The name of a kind of link in the chart's key ("Same child", "Phone").
fn kind_label(reason: &str) -> &'static str {
    match reason {
        "person" => "Same child (person match)",
        "phone" => "Phone",
        "email" => "Email",
        "handle" => "Handle",
        "template" => "Ad template",
        "device" => "Device",
        "ip" => "IP address",
        "url" => "Web address",
        _ => "Other",
    }
}

/// One reason two records are linked, as the list of links shows it.
pub struct ReasonLine {
    pub reason: &'static str,
    pub label: String,
    pub value: String,
    pub value_href: Option<String>,
    /// A person match's comparison in words, how alike two ads are.
    pub detail: String,
}

/// A link between two records of the cluster, as its list shows it.
pub struct EdgeLine {
    pub a: RecordLine,
    pub b: RecordLine,
    pub reasons: Vec<ReasonLine>,
    pub weight: String,
    pub strong: bool,
}

pub struct TimelineItem {
    pub date: String,
    pub record: RecordLine,
}

#[derive(Template)]
#[template(path = "links_cluster.html")]
struct ClusterPage {
    layout: Layout,
    start: RecordLine,
    base: String,
    nodes: Vec<RecordLine>,
    nodes_pager: Pager,
    parts: String,
    edges: Vec<EdgeLine>,
    edges_pager: Pager,
    /// All links of the cluster, whatever the filter.
    edge_total: usize,
    kinds: Vec<KindLine>,
    filtered: bool,
    timeline: Vec<TimelineItem>,
    /// A long timeline starts folded.
    timeline_open: bool,
    states: String,
    flag: Option<String>,
    capped: bool,
    cap: usize,
    /// The graph for links.js, as JSON safe inside a `<script>` element.
    graph_json: String,
    /// A chart shared with an agency: what it says about itself.
    shared: Option<SharedFacts>,
    /// The form sharing this cluster with an agency (those who share charts).
    share: Option<ShareBox>,
    share_action: String,
}

/// A shared chart's title, note, agency, who shared it and when, and how many of its
/// records the reader may not see.
pub struct SharedFacts {
    pub title: String,
    pub note: String,
    pub org_name: String,
    pub shared_by: String,
    pub shared_at: String,
    pub omitted: usize,
}

/// The share form of a cluster page.
pub struct ShareBox {
    /// (id, name)
    pub agencies: Vec<(i64, String)>,
    /// Charts already shared from this cluster: (id, title, agency, by, at).
    pub shares: Vec<(i64, String, String, String, String)>,
    pub title_max: usize,
    pub note_max: usize,
}

fn node_id(r: RecordRef) -> String {
    r.to_string()
}

fn reason_text(r: &lv::Reason) -> String {
    match r.reason.as_str() {
        "template" => format!(
            "{}: {}",
            reason_label(&r.reason),
            lv::template_label(&r.value)
        ),
        _ => format!("{}: {}", reason_label(&r.reason), r.value),
    }
}

fn reasons_text(reasons: &[lv::Reason]) -> String {
    reasons
        .iter()
        .map(reason_text)
        .collect::<Vec<_>>()
        .join("; ")
}

fn reason_line(r: &lv::Reason) -> ReasonLine {
    let is_identifier = service::linking::IDENTIFIER_KINDS.contains(&r.reason.as_str());
    ReasonLine {
        reason: REASONS
            .into_iter()
            .find(|k| *k == r.reason)
            .unwrap_or("other"),
        label: reason_title(r),
        value: match r.reason.as_str() {
            "template" | "person" => String::new(),
            _ => r.value.clone(),
        },
        value_href: is_identifier
            .then(|| format!("/links/identifier/{}/{}", r.reason, seg(&r.value))),
        detail: r.detail.clone(),
    }
}

/// JSON inside `<script type="application/json">`: `<`, `>` and `&` escaped, so no text
/// from a record can close the element.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A record as a point of the chart.
fn graph_node(who: &Principal, n: &RecordHead, start: bool) -> serde_json::Value {
    serde_json::json!({ "data": {
        "id": node_id(n.record),
        "label": n.title.chars().take(48).collect::<String>(),
        // "Report 12", "Ad 7", "Case 3": what fits beside a point in a large chart.
        "short": format!("{} {}", capitalized(n.record.kind.as_str()), n.record.id),
        "kind": n.record.kind,
        "date": n.date.clone().unwrap_or_default(),
        "states": n.states.join(", "),
        "href": open_href(who, n.record),
        "links": links_href(n.record),
        "around": format!("{}.json", links_href(n.record)),
        "start": start,
    }})
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// One link of the chart. Links by a shared identifier or template name it (`via`,
/// `via_label`), so the chart can draw it as a point of its own between the records.
fn graph_link(a: RecordRef, b: RecordRef, r: &lv::Reason, strong: bool) -> serde_json::Value {
    let via = (service::linking::IDENTIFIER_KINDS.contains(&r.reason.as_str())
        || r.reason == "template")
        .then(|| format!("{}:{}", r.reason, r.value));
    let via_label = match r.reason.as_str() {
        "template" => lv::template_label(&r.value),
        _ => r.value.clone(),
    };
    let short = match r.reason.as_str() {
        "person" => format!("same child {}", lv::percent(r.weight)),
        "template" => "template".to_owned(),
        other => other.to_owned(),
    };
    serde_json::json!({
        "source": node_id(a),
        "target": node_id(b),
        "reason": r.reason,
        "label": reason_title(r),
        "short": short,
        "value": via_label,
        "text": r.detail,
        "summary": r.summary,
        "weight": r.weight,
        "strong": strong,
        "via": via,
    })
}

/// A reason as a list or the chart's panel names it; a person match with its
/// probability ("Probably the same child, 90%").
fn reason_title(r: &lv::Reason) -> String {
    match r.reason.as_str() {
        "person" => format!("Probably the same child, {}", lv::percent(r.weight)),
        other => reason_label(other).to_owned(),
    }
}

fn graph_json(who: &Principal, c: &ClusterView) -> String {
    let nodes: Vec<serde_json::Value> = c
        .nodes
        .iter()
        .map(|n| graph_node(who, n, n.record == c.start))
        .collect();
    let links: Vec<serde_json::Value> = c
        .edges
        .iter()
        .flat_map(|e| {
            e.reasons
                .iter()
                .map(|r| graph_link(c.nodes[e.a].record, c.nodes[e.b].record, r, e.strong))
        })
        .collect();
    script_json(&serde_json::json!({
        "start": node_id(c.start),
        "nodes": nodes,
        "links": links,
    }))
}

enum Format {
    Page,
    Csv,
    GraphMl,
}

pub async fn cluster(
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    // The router cannot match a suffix after a parameter, so the format is read here.
    let (id, format) = match id.rsplit_once('.') {
        None => (id.as_str(), Format::Page),
        Some((n, "csv")) => (n, Format::Csv),
        Some((n, "graphml")) => (n, Format::GraphMl),
        Some(_) => return Err(AppError::not_found()),
    };
    let id = parse_id(id)?;
    let what = match format {
        Format::Page => "view",
        Format::Csv => "export_csv",
        Format::GraphMl => "export_graphml",
    };
    let c = ctx
        .state
        .services
        .cluster(p, parse_kind(&kind)?, id, what, ctx.ip.clone())
        .await?;
    let name = format!("cluster-{}-{id}", c.start.kind);
    let share = if matches!(format, Format::Page) && permits(Some(p), Action::MakeAvailable) {
        let services = &ctx.state.services;
        Some(ShareBox {
            agencies: services
                .chart_agencies(p)
                .await?
                .into_iter()
                .map(|(id, name)| (id.0, name))
                .collect(),
            shares: services
                .charts_from(p, c.start)
                .await?
                .into_iter()
                .map(|s| {
                    (
                        s.id,
                        s.title,
                        s.org_name,
                        s.shared_by,
                        super::when(s.shared_at),
                    )
                })
                .collect(),
            title_max: charts::TITLE_MAX_CHARS,
            note_max: charts::NOTE_MAX_CHARS,
        })
    } else {
        None
    };
    let base = cluster_href(c.start);
    chart_response(&ctx, p, &c, format, &name, raw, &base, None, share)
}

/// A chart as a page, CSV or GraphML: the cluster around a record, or a shared chart.
#[allow(clippy::too_many_arguments)]
fn chart_response(
    ctx: &Ctx,
    p: &Principal,
    c: &ClusterView,
    format: Format,
    name: &str,
    raw: Option<String>,
    base: &str,
    shared: Option<SharedFacts>,
    share: Option<ShareBox>,
) -> Result<Response, AppError> {
    let base = base.to_owned();
    match format {
        Format::Csv => Ok(download(
            &format!("{name}.csv"),
            "text/csv; charset=utf-8",
            csv(c),
        )),
        Format::GraphMl => Ok(download(
            &format!("{name}.graphml"),
            "application/graphml+xml; charset=utf-8",
            graphml(c),
        )),
        Format::Page => {
            let start = match c.nodes.first() {
                Some(n) => line(p, n),
                // A shared chart none of whose records the reader may see.
                None if shared.is_some() => RecordLine {
                    title: String::new(),
                    date: String::new(),
                    states: String::new(),
                    detail: String::new(),
                    href: String::new(),
                    links_href: String::new(),
                    cluster_href: String::new(),
                },
                None => return Err(AppError::not_found()),
            };
            let q = ClusterQuery::parse(raw.as_deref());
            let kinds: Vec<KindLine> = REASONS
                .into_iter()
                .map(|reason| KindLine {
                    reason,
                    label: kind_label(reason),
                    count: c
                        .edges
                        .iter()
                        .flat_map(|e| &e.reasons)
                        .filter(|r| r.reason == reason)
                        .count(),
                    shown: q.shows(reason),
                })
                .filter(|k| k.count > 0)
                .collect();
            // The strongest links first: the list is read from the top.
            let mut order: Vec<&lv::ClusterEdge> = c.edges.iter().collect();
            order.sort_by(|x, y| {
                y.weight
                    .total_cmp(&x.weight)
                    .then((x.a, x.b).cmp(&(y.a, y.b)))
            });
            let edges: Vec<EdgeLine> = order
                .into_iter()
                .filter_map(|e| {
                    let reasons: Vec<ReasonLine> = e
                        .reasons
                        .iter()
                        .filter(|r| q.shows(&r.reason))
                        .map(reason_line)
                        .collect();
                    (!reasons.is_empty()).then(|| EdgeLine {
                        a: line(p, &c.nodes[e.a]),
                        b: line(p, &c.nodes[e.b]),
                        reasons,
                        weight: format!("{:.2}", e.weight),
                        strong: e.strong,
                    })
                })
                .collect();
            let (edges, edges_pager) = Pager::cut(edges, q.links.as_deref(), |n| {
                q.href(&base, None, Some(n), "edges-h")
            });
            let lines: Vec<RecordLine> = c.nodes.iter().map(|n| line(p, n)).collect();
            let (nodes, nodes_pager) = Pager::cut(lines, q.records.as_deref(), |n| {
                q.href(&base, Some(n), None, "records-h")
            });
            let count = |k: RecordKind| c.nodes.iter().filter(|n| n.record.kind == k).count();
            let parts = [
                (count(RecordKind::Report), "report", "reports"),
                (count(RecordKind::Ad), "ad", "ads"),
                (count(RecordKind::Case), "case", "cases"),
            ]
            .into_iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
            .collect::<Vec<_>>()
            .join(", ");
            let html = render(&ClusterPage {
                layout: Layout::new(
                    &ctx.state,
                    &ctx.identity,
                    &match &shared {
                        Some(s) => s.title.clone(),
                        None => format!("Cluster of {}", start.title),
                    },
                    if shared.is_some() {
                        "/links/shared"
                    } else {
                        "/links"
                    },
                ),
                share_action: format!("{base}/share"),
                shared,
                share,
                edge_total: c.edges.len(),
                filtered: q.show.is_some(),
                kinds,
                edges,
                edges_pager,
                nodes,
                nodes_pager,
                parts,
                timeline_open: c.nodes.len() <= PER_PAGE,
                timeline: c
                    .timeline()
                    .into_iter()
                    .map(|i| TimelineItem {
                        date: c.nodes[i].date.clone().unwrap_or_else(|| "undated".into()),
                        record: line(p, &c.nodes[i]),
                    })
                    .collect(),
                states: c.states.join(", "),
                flag: c.multi_state().then(|| states_flag(&c.report_states)),
                capped: c.capped,
                cap: lv::CLUSTER_CAP,
                graph_json: graph_json(p, c),
                base,
                start,
            })?;
            Ok(html.into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShareIn {
    agency: String,
    title: String,
    note: String,
}

/// POST /links/cluster/{kind}/{id}/share: the cluster becomes a chart made available to
/// one agency.
pub async fn share(
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
    axum::Form(f): axum::Form<ShareIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let start = RecordRef::new(parse_kind(&kind)?, parse_id(&id)?);
    let org = f
        .agency
        .trim()
        .parse::<i64>()
        .map(domain::OrgId)
        .map_err(|_| {
            AppError::from(service::ServiceError::Invalid(
                "choose the agency to share the chart with".into(),
            ))
        })?;
    let chart = ctx
        .state
        .services
        .share_chart(
            p,
            &ShareChart {
                start,
                org,
                title: &f.title,
                note: &f.note,
            },
            ctx.ip.clone(),
        )
        .await?;
    Ok(crate::flash::redirect_with_link(
        &ctx,
        &format!("{}#share", cluster_href(start)),
        "The chart was made available to the agency. Its investigators see the records of it made available to them.",
        &format!("/links/shared/{chart}"),
        "Open the shared chart",
    ))
}

/// One shared chart in the list.
pub struct ChartLine {
    pub href: String,
    pub title: String,
    pub org_name: String,
    pub shared_by: String,
    pub shared_at: String,
    pub size: i64,
}

#[derive(Template)]
#[template(path = "links_shared.html")]
struct SharedListPage {
    layout: Layout,
    /// An investigator: charts made available to their agency.
    restricted: bool,
    items: Vec<ChartLine>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SharedQuery {
    page: Option<i64>,
}

/// Charts shared per page.
pub const SHARED_PER_PAGE: i64 = 50;

/// GET /links/shared: link charts made available to the reader's agency (the hotline's
/// staff: every shared chart).
pub async fn shared_list(ctx: Ctx, Query(q): Query<SharedQuery>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let page = ctx
        .state
        .services
        .shared_charts(p, q.page.unwrap_or(1), SHARED_PER_PAGE)
        .await?;
    super::audit_list(&ctx, "/links/shared", page.items.iter().map(|c| c.id)).await?;
    let restricted = !permits(Some(p), Action::MakeAvailable);
    Ok(render(&SharedListPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            if restricted {
                "Link charts made available to your agency"
            } else {
                "Shared link charts"
            },
            &ctx.path,
        ),
        restricted,
        items: page
            .items
            .iter()
            .map(|c| ChartLine {
                href: format!("/links/shared/{}", c.id),
                title: c.title.clone(),
                org_name: c.org_name.clone(),
                shared_by: c.shared_by.clone(),
                shared_at: super::when(c.shared_at),
                size: c.size,
            })
            .collect(),
        total: page.total,
        pages: page.pages(),
        page: page.page,
    })?
    .into_response())
}

/// GET /links/shared/{id} (also `.csv`, `.graphml`): a shared chart, holding only what
/// the reader may see; "not found" outside its agency and the hotline.
pub async fn shared_chart(
    ctx: Ctx,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let (id, format) = match id.rsplit_once('.') {
        None => (id.as_str(), Format::Page),
        Some((n, "csv")) => (n, Format::Csv),
        Some((n, "graphml")) => (n, Format::GraphMl),
        Some(_) => return Err(AppError::not_found()),
    };
    let id = parse_id(id)?;
    let what = match format {
        Format::Page => "view",
        Format::Csv => "export_csv",
        Format::GraphMl => "export_graphml",
    };
    let v = ctx
        .state
        .services
        .shared_chart(p, id, what, ctx.ip.clone())
        .await?;
    let facts = SharedFacts {
        title: v.chart.title.clone(),
        note: v.chart.note.clone(),
        org_name: v.chart.org_name.clone(),
        shared_by: v.chart.shared_by.clone(),
        shared_at: super::when(v.chart.shared_at),
        omitted: v.omitted,
    };
    let base = format!("/links/shared/{id}");
    chart_response(
        &ctx,
        p,
        &v.view,
        format,
        &format!("chart-{id}"),
        raw,
        &base,
        Some(facts),
        None,
    )
}

fn download(name: &str, mime: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// One row per link between two records of the cluster.
pub const CSV_HEADER: &str =
    "a_kind,a_id,a_title,a_date,a_states,b_kind,b_id,b_title,b_date,b_states,reason,value,weight";

pub(crate) fn csv(c: &ClusterView) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for e in &c.edges {
        let (a, b) = (&c.nodes[e.a], &c.nodes[e.b]);
        for lv::Reason {
            reason,
            value,
            weight: w,
            ..
        } in &e.reasons
        {
            let row = [
                cell(a.record.kind.as_str()),
                a.record.id.to_string(),
                cell(&a.title),
                cell(a.date.as_deref().unwrap_or_default()),
                cell(&a.states.join(" ")),
                cell(b.record.kind.as_str()),
                b.record.id.to_string(),
                cell(&b.title),
                cell(b.date.as_deref().unwrap_or_default()),
                cell(&b.states.join(" ")),
                cell(reason),
                cell(value),
                format!("{w:.3}"),
            ];
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

/// Text for XML: escaped, and without the characters XML 1.0 does not allow.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn graphml(c: &ClusterView) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    );
    for (id, for_, ty) in [
        ("kind", "node", "string"),
        ("title", "node", "string"),
        ("date", "node", "string"),
        ("states", "node", "string"),
        ("reasons", "edge", "string"),
        ("weight", "edge", "double"),
    ] {
        out.push_str(&format!(
            "  <key id=\"{id}\" for=\"{for_}\" attr.name=\"{id}\" attr.type=\"{ty}\"/>\n"
        ));
    }
    out.push_str("  <graph id=\"cluster\" edgedefault=\"undirected\">\n");
    for n in &c.nodes {
        out.push_str(&format!(
            "    <node id=\"{}\"><data key=\"kind\">{}</data><data key=\"title\">{}</data><data key=\"date\">{}</data><data key=\"states\">{}</data></node>\n",
            xml(&node_id(n.record)),
            xml(n.record.kind.as_str()),
            xml(&n.title),
            xml(n.date.as_deref().unwrap_or_default()),
            xml(&n.states.join(" ")),
        ));
    }
    for (i, e) in c.edges.iter().enumerate() {
        out.push_str(&format!(
            "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\"><data key=\"reasons\">{}</data><data key=\"weight\">{:.3}</data></edge>\n",
            xml(&node_id(c.nodes[e.a].record)),
            xml(&node_id(c.nodes[e.b].record)),
            xml(&reasons_text(&e.reasons)),
            e.weight,
        ));
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

// ---------------------------------------------------------------------------------------
// The panel on a report's page

/// What `report.html` shows under "Linked records".
pub struct Panel {
    pub id: i64,
    pub links: Vec<LinkLine>,
    pub total: usize,
    pub cluster_size: usize,
    pub cluster_capped: bool,
    pub states: String,
    pub flag: Option<String>,
}

/// The links panel of report `id` for this reader; None when their role does not use
/// link analysis.
pub async fn panel(ctx: &Ctx, id: ReportId) -> Result<Option<Panel>, AppError> {
    let p = ctx.principal()?;
    let Some(v) = ctx
        .state
        .services
        .report_links_panel(p, id, ctx.ip.clone())
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(Panel {
        id: id.0,
        links: v.links.iter().map(|l| link_line(p, l)).collect(),
        total: v.total,
        cluster_size: v.cluster_size,
        cluster_capped: v.cluster_capped,
        states: v.states.join(", "),
        flag: (v.report_states.len() >= lv::MULTI_STATE).then(|| states_flag(&v.report_states)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_xml_are_escaped() {
        assert_eq!(cell("+12125550147"), "+12125550147");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(
            xml("<a href='x'>&\u{1}</a>"),
            "&lt;a href=&apos;x&apos;&gt;&amp;&lt;/a&gt;"
        );
        assert_eq!(seg("+1 2/@"), "%2B1%202%2F%40");
        assert_eq!(
            script_json(&serde_json::json!({"t": "</script><b>&"})),
            r#"{"t":"\u003c/script\u003e\u003cb\u003e\u0026"}"#
        );
    }
}
