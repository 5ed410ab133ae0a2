//! Providers' own submissions (issue 24): `/submissions` lists the reports the signed-in
//! person's provider organisation sent through the CyberTipline API, with each one's state
//! and dates, paged, and never another organisation's (the service scopes the query to the
//! caller's organisation). Only provider accounts reach it (`ViewOwnSubmissions`).

use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use service::intake::submissions::Submission;

/// Rows per page.
pub const PER_PAGE: i64 = 50;

pub struct Row {
    pub id: i64,
    pub incident_type: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub submitted: String,
    pub finished: String,
    pub retracted: String,
}

impl From<&Submission> for Row {
    fn from(s: &Submission) -> Self {
        Row {
            id: s.id,
            incident_type: cybertip::IncidentType::from_xsd_str(&s.incident_type)
                .map(|t| t.label().to_owned())
                .unwrap_or_else(|| s.incident_type.clone()),
            state: s.state.as_str(),
            state_label: s.state.label(),
            submitted: when(s.submitted_at),
            finished: s.finished_at.map(when).unwrap_or_default(),
            retracted: s.retracted_at.map(when).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "submissions.html")]
struct ListPage {
    layout: Layout,
    org_name: String,
    items: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: Option<i64>,
}

/// GET /submissions
pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let page = services
        .own_submissions(p, q.page.unwrap_or(1), PER_PAGE)
        .await?;
    let org_name = services
        .org_name(p.org_id)
        .await?
        .unwrap_or_else(|| "Your organisation".into());
    render(&ListPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Your submissions", &ctx.path),
        org_name,
        items: page.items.iter().map(Row::from).collect(),
        total: page.total,
        pages: page.pages(),
        page: page.page,
    })
}
