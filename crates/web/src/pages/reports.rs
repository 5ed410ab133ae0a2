//! One report as analysts and investigators read it: its priority and why (matched
//! indicators, evidence, highlighted text), the hotline's work on it, every section in
//! readable form, its original XML, and an export as schema-valid CyberTipline XML for
//! forwarding. The queue itself is in `queue.rs`.

use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use domain::ReportId;
use service::intake::ReportItem;

pub struct FileItem {
    pub file_id: String,
    pub name: String,
    pub size: String,
    pub received: String,
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    /// Rendered by [`render_value`], which escapes every value.
    pub details_html: String,
}

fn human_size(n: i64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} bytes")
    } else {
        format!("{v:.1} {} ({n} bytes)", UNITS[u])
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct DetailPage {
    layout: Layout,
    id: i64,
    received: String,
    /// How long ago it was received, in words ("7 years").
    received_ago: String,
    incident_type: String,
    source: String,
    /// A public tip: the page says which fields came from the form, since the data carries
    /// only what the reporter entered.
    from_tip_form: bool,
    /// For a tip, which part of its date and time is the reporter's.
    when_given: Option<&'static str>,
    /// A hotline call: who took it.
    taken_by: Option<String>,
    /// What the tipster added later, each with when it came (UTC) and its text marked.
    followups: Vec<FollowupItem>,
    files: Vec<FileItem>,
    sections_html: String,
    has_original: bool,
    triage: TriageView,
    /// The hotline's working controls; absent for investigators.
    work: Option<WorkView>,
    /// Analysts download files; investigators ask the hotline.
    can_download: bool,
    back: &'static str,
    /// Link analysis: what the report is linked to (None for roles without it).
    links: Option<super::links::Panel>,
    /// An investigator's lead: their agency's response and questions.
    lead: Option<super::leads::LeadPanel>,
    /// The hotline: what each agency did with the report, and their questions.
    agencies: Option<super::leads::HotlinePanel>,
    /// Where a file is downloaded from (the report's or the lead's address).
    file_base: String,
}

pub struct FollowupItem {
    pub n: usize,
    pub received: String,
    /// Escaped text with `<mark>` around entities and indicator phrases.
    pub html: String,
}

pub struct MatchItem {
    pub id: String,
    pub text: String,
    pub category: &'static str,
    pub weight: String,
    pub evidence: Vec<String>,
}

pub struct TextItem {
    pub label: String,
    /// Escaped text with `<mark>` around entities and indicator phrases.
    pub html: String,
}

pub struct TriageView {
    pub priority: &'static str,
    pub priority_class: &'static str,
    pub score: String,
    pub reasons: Vec<String>,
    pub matches: Vec<MatchItem>,
    pub texts: Vec<TextItem>,
    pub entities: Vec<(String, String)>,
    pub states: String,
    /// Set when the stored priority predates the catalogue in force.
    pub stale: Option<String>,
}

pub struct AgencyItem {
    pub id: i64,
    pub name: String,
    pub covers: String,
    pub in_jurisdiction: bool,
    pub shared: bool,
}

pub struct WorkView {
    pub status: &'static str,
    pub next: Vec<(&'static str, &'static str)>,
    pub assignee: String,
    pub assign_to: Vec<(String, String, bool)>,
    pub notes: Vec<(String, String, String)>,
    pub shares: Vec<(String, String, String)>,
    pub agencies: Vec<AgencyItem>,
    pub can_share: bool,
    pub note_max: usize,
}

/// Escaped text with marks, from the triage engine's segments.
fn highlighted(text: &str, field: &str, a: &triage::Assessment) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for seg in triage::segments(text, field, a) {
        match &seg.mark {
            None => out.push_str(&esc(seg.text)),
            Some(m) => {
                let class: String = m
                    .kind
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                out.push_str(&format!(
                    "<mark class=\"ent ent-{class}\" title=\"{}\">{}</mark>",
                    esc(&m.title),
                    esc(seg.text)
                ));
            }
        }
    }
    out
}

pub(crate) fn triage_view(
    services: &service::Services,
    item: &ReportItem,
    report: &cybertip::Report,
    followups: &[String],
) -> (TriageView, triage::Assessment) {
    let a = services.engine.assessment_with(report, followups);
    let (priority, priority_class) = super::queue::priority_of(item.priority_rank);
    let stale = (i64::from(a.priority.rank()) != item.priority_rank).then(|| {
        format!(
            "The catalogue in force (version {}) would make this report {}; its priority is updated when `clearinghouse triage recompute` runs.",
            a.catalogue_version,
            a.priority.label().to_lowercase()
        )
    });
    let texts = service::queue::assess::report_texts(report)
        .iter()
        .map(|(label, text)| TextItem {
            html: highlighted(text, label, &a),
            label: label.clone(),
        })
        .collect();
    let mut entities: Vec<(String, String)> = a
        .entities
        .iter()
        .map(|e| {
            (
                format!("{:?}", e.entity.kind).to_lowercase(),
                e.entity.value.clone(),
            )
        })
        .collect();
    entities.sort();
    entities.dedup();
    let view = TriageView {
        priority,
        priority_class,
        score: format!("{:.1}", item.score_milli as f64 / 1000.0),
        reasons: a.reasons.clone(),
        matches: a
            .matches
            .iter()
            .map(|m| MatchItem {
                id: m.indicator_id.clone(),
                text: m.text.clone(),
                category: m.category.label(),
                weight: format!("{:.1}", m.weight),
                evidence: m
                    .evidence
                    .iter()
                    .map(|e| match e {
                        triage::Evidence::Span { field, excerpt, .. } => {
                            format!("{field}: “{excerpt}”")
                        }
                        triage::Evidence::Fact { field, value } => format!("{field}: {value}"),
                    })
                    .collect(),
            })
            .collect(),
        texts,
        entities,
        states: item.states.join(", "),
        stale,
    };
    (view, a)
}

fn work_view(w: service::queue::Work, item: &ReportItem) -> WorkView {
    let assignee = item
        .assignee
        .and_then(|a| w.assignable.iter().find(|u| u.0 == a))
        .map(|u| u.1.clone())
        .unwrap_or_default();
    WorkView {
        status: item.status.label(),
        next: item
            .status
            .next_steps()
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        assign_to: w
            .assignable
            .iter()
            .map(|u| (u.1.clone(), format!("{} ({})", u.2, u.1), u.1 == assignee))
            .collect(),
        assignee,
        notes: w
            .notes
            .iter()
            .map(|n| (n.author.clone(), when(n.created_at), n.body.clone()))
            .collect(),
        shares: w
            .shares
            .iter()
            .map(|s| (s.org_name.clone(), s.shared_by.clone(), when(s.shared_at)))
            .collect(),
        agencies: w
            .agencies
            .iter()
            .map(|a| AgencyItem {
                id: a.id.0,
                name: a.name.clone(),
                covers: a.covers.join(", "),
                in_jurisdiction: a.in_jurisdiction,
                shared: w.shares.iter().any(|s| s.org_id == a.id),
            })
            .collect(),
        can_share: item.status.may_make_available(),
        note_max: service::queue::NOTE_MAX_CHARS,
    }
}

/// Escapes text for HTML element content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `incident_summary` → "Incident summary".
fn label(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut c = spaced.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Renders the report's typed model as nested definition lists. Generic over the model so
/// that every section of the schema is shown, and every value is escaped here.
fn render_value(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Null => out.push_str("<span class=\"muted\">not given</span>"),
        Value::Bool(b) => out.push_str(if *b { "yes" } else { "no" }),
        Value::Number(n) => out.push_str(&esc(&n.to_string())),
        Value::String(s) => {
            out.push_str("<span class=\"text\">");
            out.push_str(&esc(s));
            out.push_str("</span>");
        }
        Value::Array(items) => {
            out.push_str("<ol class=\"items\">");
            for i in items {
                out.push_str("<li>");
                render_value(i, out);
                out.push_str("</li>");
            }
            out.push_str("</ol>");
        }
        Value::Object(map) => {
            out.push_str("<dl class=\"facts\">");
            for (k, v) in map {
                if v.is_null()
                    || v.as_array().is_some_and(|a| a.is_empty())
                    || v == &Value::Bool(false)
                {
                    continue;
                }
                out.push_str("<dt>");
                out.push_str(&esc(&label(k)));
                out.push_str("</dt><dd>");
                render_value(v, out);
                out.push_str("</dd>");
            }
            out.push_str("</dl>");
        }
    }
}

fn sections(report: &cybertip::Report) -> Result<String, AppError> {
    let value = serde_json::to_value(report).map_err(|e| AppError::internal_msg(&e.to_string()))?;
    let mut out = String::new();
    if let serde_json::Value::Object(map) = value {
        for (k, v) in map {
            if v.is_null() || v.as_array().is_some_and(|a| a.is_empty()) {
                continue;
            }
            out.push_str("<section class=\"report-section\"><h2>");
            out.push_str(&esc(&label(&k)));
            out.push_str("</h2>");
            render_value(&v, &mut out);
            out.push_str("</section>");
        }
    }
    Ok(out)
}

pub async fn detail(ctx: Ctx, Path(id): Path<ReportId>) -> Result<Html<String>, AppError> {
    detail_page(ctx, id, true, Vec::new(), None).await
}

/// A report made available to the investigator's agency: the same reading, without the
/// hotline's working controls.
pub async fn lead(ctx: Ctx, Path(id): Path<ReportId>) -> Result<Html<String>, AppError> {
    detail_page(ctx, id, false, Vec::new(), None).await
}

/// The lead's page again with its outcome form refused (422), what was typed kept.
pub(crate) async fn lead_with_errors(
    ctx: Ctx,
    id: ReportId,
    errors: Vec<(String, String)>,
    typed: super::leads::OutcomeForm,
) -> Result<Response, AppError> {
    let html = detail_page(ctx, id, false, errors, Some(typed)).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

async fn detail_page(
    ctx: Ctx,
    id: ReportId,
    hotline: bool,
    errors: Vec<(String, String)>,
    typed: Option<super::leads::OutcomeForm>,
) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let view = services.report(p, id, ctx.ip.clone()).await?;
    let (lead, agencies) = if hotline {
        let v = services.hotline_lead_view(p, id).await?;
        (None, Some(super::leads::hotline_panel(&v)))
    } else {
        let w = services.lead_work(p, id).await?;
        (
            Some(super::leads::lead_panel(&w, errors, typed.as_ref())),
            None,
        )
    };
    let can_download = hotline || lead.as_ref().is_some_and(|l| l.files_included);
    let work = if hotline {
        Some(work_view(
            services.report_work(p, &view.item).await?,
            &view.item,
        ))
    } else {
        None
    };
    let back = if hotline { "/reports" } else { "/leads" };
    let (triage, assessment) =
        triage_view(services, &view.item, &view.report, &view.followup_texts());
    let followups = view
        .followups
        .iter()
        .enumerate()
        .map(|(i, f)| FollowupItem {
            n: i + 1,
            received: when(f.received_at),
            html: highlighted(
                &f.body,
                &service::queue::assess::followup_label(i + 1),
                &assessment,
            ),
        })
        .collect();
    render(&DetailPage {
        layout: Layout::new(&ctx.state, &ctx.identity, &format!("Report {id}"), back),
        id: id.0,
        received: when(view.item.received_at),
        received_ago: super::age(services.now() - view.item.received_at),
        incident_type: view
            .report
            .incident_summary
            .incident_type
            .label()
            .to_owned(),
        source: super::queue::source_label(&view.item.source).to_owned(),
        from_tip_form: matches!(view.item.source.as_str(), "public" | "hotline-call"),
        when_given: view.when_given.map(|w| w.explanation()),
        taken_by: view.taken_by.clone(),
        followups,
        files: view
            .files
            .iter()
            .map(|f| {
                let mut details_html = String::new();
                match &f.details {
                    Some(d) => match serde_json::to_value(d) {
                        Ok(v) => render_value(&v, &mut details_html),
                        Err(_) => details_html.push_str("<span class=\"muted\">unreadable</span>"),
                    },
                    None => details_html.push_str("<span class=\"muted\">not sent</span>"),
                }
                FileItem {
                    file_id: f.file_id.clone(),
                    name: f.file_name.clone(),
                    size: human_size(f.size),
                    received: when(f.uploaded_at),
                    md5: f.md5.clone(),
                    sha1: f.sha1.clone(),
                    sha256: f.sha256.clone(),
                    details_html,
                }
            })
            .collect(),
        sections_html: sections(&view.report)?,
        has_original: view.original_xml.is_some() && hotline,
        triage,
        work,
        can_download,
        back,
        links: super::links::panel(&ctx, id).await?,
        lead,
        agencies,
        file_base: if hotline {
            format!("/reports/{id}/files")
        } else {
            format!("/leads/{id}/files")
        },
    })
}

fn download(name: String, body: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The XML exactly as the provider sent it.
pub async fn original(ctx: Ctx, Path(id): Path<ReportId>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.report(p, id, ctx.ip.clone()).await?;
    let xml = view.original_xml.ok_or_else(AppError::not_found)?;
    Ok(download(format!("report-{id}-original.xml"), xml))
}

/// The report as schema-valid CyberTipline XML, to forward it.
pub async fn export(ctx: Ctx, Path(id): Path<ReportId>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.report(p, id, ctx.ip.clone()).await?;
    Ok(download(
        format!("report-{id}-cybertipline.xml"),
        cybertip::to_xml(&view.report),
    ))
}

/// A provider's file name (metadata from the internet) as a name safe in a header, a ZIP
/// and any file system: safe characters only, no leading dot, never empty.
pub(crate) fn safe_file_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.');
    if s.is_empty() {
        "file".to_owned()
    } else {
        s.to_owned()
    }
}

/// A received file, as an attachment: never rendered by the browser, whatever it claims
/// to be. The download is audited by the service before the first byte.
pub async fn file(
    ctx: Ctx,
    Path((id, file_id)): Path<(ReportId, String)>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let (row, reader) = ctx
        .state
        .services
        .download_file(p, id, &file_id, ctx.ip.clone())
        .await?;
    let safe = safe_file_name(&row.file_name);
    let body = axum::body::Body::from_stream(reader);
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"report-{id}-{safe}\""),
            ),
            (header::CONTENT_LENGTH, row.size.to_string()),
            (
                header::HeaderName::from_static("content-security-policy"),
                "sandbox; default-src 'none'".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}
