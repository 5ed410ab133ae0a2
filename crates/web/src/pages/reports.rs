//! The analysts' view of reports: the list of finished reports (newest first, paged,
//! searchable), a report's every section in readable form, its original XML, and an
//! export as schema-valid CyberTipline XML for forwarding.

use super::{enc, render, when};
use crate::error::AppError;
use crate::guard::Ctx;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use service::accounts::Page;
use store::reports::ReportRow;

pub struct Row {
    pub id: i64,
    pub received: String,
    pub incident_type: String,
    pub summary: String,
    pub source: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    layout: Layout,
    q: String,
    q_enc: String,
    rows: Vec<Row>,
    page: Page<()>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<i64>,
}

pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let page = ctx
        .state
        .services
        .reports_page(p, q.q.trim(), q.page.unwrap_or(1), 50)
        .await?;
    let rows = page
        .items
        .iter()
        .map(|r: &ReportRow| Row {
            id: r.id,
            received: when(r.received_at),
            incident_type: cybertip::IncidentType::from_xsd_str(&r.incident_type)
                .map(|t| t.label().to_owned())
                .unwrap_or_else(|| r.incident_type.clone()),
            summary: r.summary.clone(),
            source: match r.source.as_str() {
                "provider" => "Provider API".to_owned(),
                "public" => "Public tip".to_owned(),
                "import" => "Imported".to_owned(),
                other => other.to_owned(),
            },
        })
        .collect();
    render(&ListPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Reports", &ctx.path),
        q_enc: enc(q.q.trim()),
        q: q.q.trim().to_owned(),
        rows,
        page: Page {
            items: Vec::new(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        },
    })
}

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
    incident_type: String,
    source: String,
    files: Vec<FileItem>,
    sections_html: String,
    has_original: bool,
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

pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.report(p, id, ctx.ip.clone()).await?;
    render(&DetailPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            &format!("Report {id}"),
            "/reports",
        ),
        id,
        received: when(view.row.received_at),
        incident_type: view
            .report
            .incident_summary
            .incident_type
            .label()
            .to_owned(),
        source: view.row.source.clone(),
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
                    file_id: f.row.file_id.clone(),
                    name: f.row.file_name.clone(),
                    size: human_size(f.row.size),
                    received: when(f.row.uploaded_at),
                    md5: f.row.md5.clone(),
                    sha1: f.row.sha1.clone(),
                    sha256: f.row.sha256.clone(),
                    details_html,
                }
            })
            .collect(),
        sections_html: sections(&view.report)?,
        has_original: view.row.original_xml.is_some(),
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
pub async fn original(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.report(p, id, ctx.ip.clone()).await?;
    let xml = view.row.original_xml.ok_or_else(AppError::not_found)?;
    Ok(download(format!("report-{id}-original.xml"), xml))
}

/// The report as schema-valid CyberTipline XML, to forward it.
pub async fn export(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.report(p, id, ctx.ip.clone()).await?;
    Ok(download(
        format!("report-{id}-cybertipline.xml"),
        cybertip::to_xml(&view.report),
    ))
}

/// A received file, as an attachment: never rendered by the browser, whatever it claims
/// to be. The download is audited by the service before the first byte.
pub async fn file(
    ctx: Ctx,
    Path((id, file_id)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let (row, reader) = ctx
        .state
        .services
        .download_file(p, id, &file_id, ctx.ip.clone())
        .await?;
    // The provider's name is metadata from the internet: keep only safe characters.
    let safe: String = row
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
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
