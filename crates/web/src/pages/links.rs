//! Link analysis pages: search an identifier and the largest clusters (`/links`), what a
//! record is linked to and why, who carries an identifier, and the cluster around a
//! record as an interactive graph (vendored cytoscape.js, drawn by `static/links.js` from
//! JSON embedded in the page: the CSP forbids inline script), a timeline and the states
//! it spans, exported as CSV or GraphML. The service decides what each reader may see
//! and audits every view; this module only presents.

use super::render;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::policy::permits;
use domain::{Action, Principal, RecordKind, RecordRef, ReportId};
use serde::Deserialize;
use service::accounts::Page;
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

/// Where a record opens for this reader: hotline staff open reports in the queue,
/// investigators among their leads; ads and cases have only their links page here.
fn open_href(who: &Principal, r: RecordRef) -> String {
    match r.kind {
        RecordKind::Report if permits(Some(who), Action::ViewReports) => super::record_href(r),
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
    pub reason: &'static str,
    pub value: String,
    /// The identifier's page, for identifier links.
    pub value_href: Option<String>,
    pub weight: String,
    pub words: Vec<String>,
}

fn link_line(who: &Principal, l: &LinkItem) -> LinkLine {
    let is_identifier = service::linking::IDENTIFIER_KINDS.contains(&l.reason.as_str());
    LinkLine {
        other: line(who, &l.other),
        reason: reason_label(&l.reason),
        value: match l.reason.as_str() {
            "template" => lv::template_label(&l.value),
            _ => l.value.clone(),
        },
        value_href: is_identifier
            .then(|| format!("/links/identifier/{}/{}", l.reason, seg(&l.value))),
        weight: format!("{:.2}", l.weight),
        words: l.words.clone(),
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
        start: format!("{} #{}", c.start.kind, c.start.id),
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

pub async fn record(
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let (kind, id) = (parse_kind(&kind)?, parse_id(&id)?);
    let view = ctx
        .state
        .services
        .record_links(p, kind, id, ctx.ip.clone())
        .await?;
    let title = view.head.title.clone();
    render(&RecordPage {
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
        links: view.links.iter().map(|l| link_line(p, l)).collect(),
        cap: service::linking::hub_cap(),
        min_weight: format!("{:.2}", service::linking::cluster_min_weight()),
        generic_template: view.generic_template.as_deref().map(lv::template_label),
        template_contact_cap: service::linking::TEMPLATE_CONTACT_CAP,
        restricted: !permits(Some(p), Action::ViewReports),
    })
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
        kind: view.kind,
        value: view.value,
        total: view.total,
        hub: view.hub,
        cap: view.cap,
    })
}

// ---------------------------------------------------------------------------------------
// /links/cluster/{kind}/{id}[.csv|.graphml]

pub struct EdgeLine {
    pub a: String,
    pub b: String,
    pub reasons: String,
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
    edges: Vec<EdgeLine>,
    timeline: Vec<TimelineItem>,
    states: String,
    flag: Option<String>,
    capped: bool,
    cap: usize,
    /// The graph for links.js, as JSON safe inside a `<script>` element.
    graph_json: String,
}

fn node_id(r: RecordRef) -> String {
    r.to_string()
}

fn reasons_text(reasons: &[(String, String, f64)]) -> String {
    reasons
        .iter()
        .map(|(r, v, _)| match r.as_str() {
            "template" => format!("{}: {}", reason_label(r), lv::template_label(v)),
            _ => format!("{}: {v}", reason_label(r)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// JSON inside `<script type="application/json">`: `<`, `>` and `&` escaped, so no text
/// from a record can close the element.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn graph_json(who: &Principal, c: &ClusterView) -> String {
    let nodes: Vec<serde_json::Value> = c
        .nodes
        .iter()
        .map(|n| {
            serde_json::json!({ "data": {
                "id": node_id(n.record),
                "label": n.title.chars().take(40).collect::<String>(),
                // "R12", "A7", "C3": what fits beside a node in a large graph.
                "short": format!(
                    "{}{}",
                    n.record.kind.as_str().chars().next().unwrap_or('?').to_ascii_uppercase(),
                    n.record.id
                ),
                "kind": n.record.kind,
                "href": open_href(who, n.record),
                "start": n.record == c.start,
            }})
        })
        .collect();
    let edges: Vec<serde_json::Value> = c
        .edges
        .iter()
        .enumerate()
        .map(|(i, e)| {
            serde_json::json!({ "data": {
                "id": format!("e{i}"),
                "source": node_id(c.nodes[e.a].record),
                "target": node_id(c.nodes[e.b].record),
                "label": reasons_text(&e.reasons),
                "weight": e.weight,
                "strong": e.strong,
            }})
        })
        .collect();
    script_json(&serde_json::json!({ "nodes": nodes, "edges": edges }))
}

enum Format {
    Page,
    Csv,
    GraphMl,
}

pub async fn cluster(
    ctx: Ctx,
    Path((kind, id)): Path<(String, String)>,
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
    match format {
        Format::Csv => Ok(download(
            &format!("{name}.csv"),
            "text/csv; charset=utf-8",
            csv(&c),
        )),
        Format::GraphMl => Ok(download(
            &format!("{name}.graphml"),
            "application/graphml+xml; charset=utf-8",
            graphml(&c),
        )),
        Format::Page => {
            let start = c
                .nodes
                .first()
                .map(|n| line(p, n))
                .ok_or_else(AppError::not_found)?;
            let lines: Vec<RecordLine> = c.nodes.iter().map(|n| line(p, n)).collect();
            let html = render(&ClusterPage {
                layout: Layout::new(
                    &ctx.state,
                    &ctx.identity,
                    &format!("Cluster of {}", start.title),
                    "/links",
                ),
                base: cluster_href(c.start),
                edges: c
                    .edges
                    .iter()
                    .map(|e| EdgeLine {
                        a: c.nodes[e.a].title.clone(),
                        b: c.nodes[e.b].title.clone(),
                        reasons: reasons_text(&e.reasons),
                        weight: format!("{:.2}", e.weight),
                        strong: e.strong,
                    })
                    .collect(),
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
                graph_json: graph_json(p, &c),
                nodes: lines,
                start,
            })?;
            Ok(html.into_response())
        }
    }
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

/// A CSV cell: quoted when needed; a cell a spreadsheet would run as a formula gets a
/// leading apostrophe (a phone number like `+12125550147` stays as it is).
fn cell(s: &str) -> String {
    let formula = s.starts_with(['=', '@', '\t', '\r'])
        || (s.starts_with(['+', '-'])
            && !s[1..]
                .chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '.'));
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// One row per link between two records of the cluster.
pub const CSV_HEADER: &str =
    "a_kind,a_id,a_title,a_date,a_states,b_kind,b_id,b_title,b_date,b_states,reason,value,weight";

fn csv(c: &ClusterView) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for e in &c.edges {
        let (a, b) = (&c.nodes[e.a], &c.nodes[e.b]);
        for (reason, value, w) in &e.reasons {
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

fn graphml(c: &ClusterView) -> String {
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
