//! The analysts' queue (most urgent first, then longest waiting; filters, paging, bulk
//! assignment), the work on one report (status, assignment, notes, making it available to
//! law enforcement), the investigators' leads, and the indicator catalogue's pages.

use super::{enc, render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::{Html, IntoResponse, Response};
use domain::{AssigneeFilter, OrgId, ReportId, ReportStatus};
use serde::Deserialize;
use service::accounts::Page;
use service::intake::ReportItem;
use service::queue::assess::CatalogueVersion;
use service::ServiceError;
use triage::Priority;

pub const PRIORITIES: [Priority; 4] = [
    Priority::Immediate,
    Priority::High,
    Priority::Normal,
    Priority::Low,
];

/// The label and CSS class of a stored priority rank.
pub fn priority_of(rank: i64) -> (&'static str, &'static str) {
    match PRIORITIES.iter().find(|p| i64::from(p.rank()) == rank) {
        Some(p) => (p.label(), p.as_str()),
        None => ("Not assessed", "pending"),
    }
}

pub fn incident_label(t: &str) -> String {
    cybertip::IncidentType::from_xsd_str(t)
        .map(|t| t.label().to_owned())
        .unwrap_or_else(|| t.to_owned())
}

pub fn source_label(s: &str) -> &str {
    match s {
        "provider" => "Provider API",
        "public" => "Public tip",
        "hotline-call" => "Hotline call",
        "import" => "Imported",
        other => other,
    }
}

/// How long a report has waited: "5 hours", "7 years".
fn waited(now: i64, since: i64) -> String {
    super::age(now - since)
}

pub struct Row {
    pub id: i64,
    pub priority: &'static str,
    pub priority_class: &'static str,
    pub received: String,
    pub waited: String,
    pub incident_type: String,
    pub states: String,
    pub summary: String,
    pub source: String,
    pub status: &'static str,
    pub assignee: String,
}

fn row(r: &ReportItem, now: i64, names: &[(domain::UserId, String, String)]) -> Row {
    let (priority, priority_class) = priority_of(r.priority_rank);
    Row {
        id: r.id,
        priority,
        priority_class,
        received: when(r.received_at),
        waited: waited(now, r.received_at),
        incident_type: incident_label(&r.incident_type),
        states: r.states.join(", "),
        summary: r.summary.clone(),
        source: source_label(&r.source).to_owned(),
        status: r.status.label(),
        assignee: r
            .assignee
            .and_then(|a| names.iter().find(|n| n.0 == a))
            .map(|n| n.1.clone())
            .unwrap_or_default(),
    }
}

#[derive(Deserialize, Default)]
pub struct QueueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    priority: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    incident_type: String,
    #[serde(default)]
    state: String,
    /// "" anyone, "none" unassigned, "me", or a username.
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    has_link: String,
    /// A column of [`service::queue::QueueSort`]; the queue's own order without it.
    #[serde(default)]
    sort: String,
    /// `asc` or `desc`.
    #[serde(default)]
    dir: String,
    page: Option<i64>,
}

/// The queue's columns after the check box: (sort name, header); an empty name is not
/// sortable.
const QUEUE_COLUMNS: [(&str, &str); 8] = [
    ("priority", "Priority"),
    ("report", "Report"),
    ("waiting", "Waiting"),
    ("incident_type", "Incident type"),
    ("", "States"),
    ("", "Summary"),
    ("status", "Status"),
    ("", "Assignee"),
];

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(items: impl IntoIterator<Item = (String, String)>, current: &str) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == current,
            value,
            label,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: Layout,
    q: String,
    state: String,
    has_link: bool,
    priorities: Vec<Choice>,
    statuses: Vec<Choice>,
    incident_types: Vec<Choice>,
    assignees: Vec<Choice>,
    assign_to: Vec<Choice>,
    indicators: Vec<Choice>,
    rows: Vec<Row>,
    page: Page<()>,
    /// The filters and the order, for the pager's links.
    list_enc: String,
    headers: Vec<super::sort::Header>,
    /// Sorted by another column than priority (the page says the order).
    resorted: bool,
    /// The order chosen, kept when the filters change.
    sort: &'static str,
    dir: &'static str,
    filtered: bool,
}

pub async fn list(ctx: Ctx, Query(q): Query<QueueQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let assignable = services.assignable_users(p).await?;
    let assignee = match q.assignee.as_str() {
        "" => AssigneeFilter::Anyone,
        "none" => AssigneeFilter::Unassigned,
        "me" => AssigneeFilter::User(p.user_id),
        name => assignable
            .iter()
            .find(|a| a.1 == name)
            .map_or(AssigneeFilter::Unassigned, |a| AssigneeFilter::User(a.0)),
    };
    let status = ReportStatus::parse(&q.status);
    let filter = service::queue::QueueQuery {
        incident_type: Some(q.incident_type.clone()).filter(|s| !s.is_empty()),
        state: Some(q.state.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()),
        status,
        assignee,
        indicator: Some(q.indicator.clone()).filter(|s| !s.is_empty()),
        priority_rank: PRIORITIES
            .iter()
            .find(|x| x.as_str() == q.priority)
            .map(|x| i64::from(x.rank())),
        words: q.q.split_whitespace().map(str::to_owned).collect(),
        has_link: q.has_link == "1",
        sort: service::queue::QueueSort::parse(&q.sort),
        descending: super::sort::descending(&q.dir),
    };
    let page = services.queue(p, &filter, q.page.unwrap_or(1), 50).await?;
    super::audit_list(&ctx, "/reports", page.items.iter().map(|r| r.id)).await?;
    let now = services.now();
    let rows = page
        .items
        .iter()
        .map(|r| row(r, now, &assignable))
        .collect();
    let engine = services.engine.current();
    let filters_enc = format!(
        "q={}&priority={}&status={}&incident_type={}&state={}&assignee={}&indicator={}&has_link={}",
        enc(q.q.trim()),
        enc(&q.priority),
        enc(&q.status),
        enc(&q.incident_type),
        enc(q.state.trim()),
        enc(&q.assignee),
        enc(&q.indicator),
        enc(&q.has_link),
    );
    let sort = filter.sort.as_str();
    let list_enc = format!(
        "{filters_enc}&sort={sort}&dir={}",
        if filter.descending { "desc" } else { "asc" }
    );
    let headers = super::sort::headers(
        "/reports",
        &filters_enc,
        &QUEUE_COLUMNS,
        sort,
        filter.descending,
    );
    let resorted = filter.sort != service::queue::QueueSort::Priority || filter.descending;
    let filtered = !(q.q.trim().is_empty()
        && q.priority.is_empty()
        && q.status.is_empty()
        && q.incident_type.is_empty()
        && q.state.trim().is_empty()
        && q.assignee.is_empty()
        && q.indicator.is_empty()
        && q.has_link.is_empty());
    let mut assignee_choices = vec![
        ("none".to_owned(), "Unassigned".to_owned()),
        ("me".to_owned(), "Assigned to me".to_owned()),
    ];
    assignee_choices.extend(assignable.iter().map(|a| (a.1.clone(), a.2.clone())));
    render(&QueuePage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Reports", &ctx.path),
        q: q.q.trim().to_owned(),
        state: q.state.trim().to_owned(),
        has_link: q.has_link == "1",
        priorities: choices(
            PRIORITIES
                .iter()
                .map(|x| (x.as_str().to_owned(), x.label().to_owned())),
            &q.priority,
        ),
        statuses: choices(
            ReportStatus::ALL
                .iter()
                .map(|s| (s.as_str().to_owned(), s.label().to_owned())),
            &q.status,
        ),
        incident_types: choices(
            cybertip::IncidentType::ALL
                .iter()
                .map(|t| (t.as_xsd_str().to_owned(), t.label().to_owned())),
            &q.incident_type,
        ),
        assignees: choices(assignee_choices, &q.assignee),
        assign_to: choices(
            assignable
                .iter()
                .map(|a| (a.1.clone(), format!("{} ({})", a.2, a.1))),
            "",
        ),
        indicators: choices(
            engine
                .catalogue()
                .indicators
                .iter()
                .map(|i| (i.id.clone(), i.text.clone())),
            &q.indicator,
        ),
        rows,
        page: Page {
            items: Vec::new(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        },
        list_enc,
        headers,
        resorted,
        sort: filter.sort.as_str(),
        dir: if filter.descending { "desc" } else { "asc" },
        filtered,
    })
}

/// Repeated form fields (`ids=1&ids=2`) as axum's `Form` does not read them.
fn form_pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Bulk assignment from the queue's check boxes.
pub async fn assign_many(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pairs = form_pairs(&body);
    let ids: Vec<ReportId> = pairs
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok().map(ReportId))
        .collect();
    let to = field(&pairs, "assign_to").unwrap_or_default();
    let to = (!to.is_empty() && to != "none").then_some(to);
    ctx.state
        .services
        .assign_reports(p, &ids, to, ctx.ip.clone())
        .await?;
    let back = field(&pairs, "back").unwrap_or("/reports");
    let n = ids.len();
    let reports = if n == 1 {
        "1 report".to_owned()
    } else {
        format!("{n} reports")
    };
    Ok(flash::redirect(
        &ctx,
        super::local_path(back),
        match to {
            Some(u) => format!("{reports} assigned to {u}."),
            None => format!("{reports} no longer assigned to anyone."),
        },
    ))
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
    /// Why, when closing.
    #[serde(default)]
    reason: String,
}

pub async fn set_status(
    ctx: Ctx,
    Path(id): Path<ReportId>,
    axum::Form(f): axum::Form<StatusForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let to = ReportStatus::parse(&f.status)
        .ok_or_else(|| AppError::bad_request("choose one of the statuses offered"))?;
    ctx.state
        .services
        .set_report_status(p, id, to, &f.reason, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/reports/{id}"),
        format!("Report {id} is now “{}”.", to.label()),
    ))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(default)]
    assign_to: String,
}

pub async fn assign_one(
    ctx: Ctx,
    Path(id): Path<ReportId>,
    axum::Form(f): axum::Form<AssignForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let to = (!f.assign_to.is_empty() && f.assign_to != "none").then_some(f.assign_to.as_str());
    ctx.state
        .services
        .assign_reports(p, &[id], to, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/reports/{id}"),
        match to {
            Some(u) => format!("Report {id} assigned to {u}."),
            None => format!("Report {id} is no longer assigned to anyone."),
        },
    ))
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    body: String,
}

pub async fn add_note(
    ctx: Ctx,
    Path(id): Path<ReportId>,
    axum::Form(f): axum::Form<NoteForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .add_report_note(p, id, &f.body, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/reports/{id}"),
        format!("Your note was added to report {id}."),
    ))
}

pub async fn make_available(
    ctx: Ctx,
    Path(id): Path<ReportId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let orgs: Vec<OrgId> = form_pairs(&body)
        .iter()
        .filter(|(k, _)| k == "agency")
        .filter_map(|(_, v)| v.parse().ok().map(OrgId))
        .collect();
    let files = form_pairs(&body)
        .iter()
        .any(|(k, v)| k == "files" && v == "yes");
    ctx.state
        .services
        .make_available(p, id, &orgs, files, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/reports/{id}"),
        format!(
            "Report {id} was made available to {}{}.",
            if orgs.len() == 1 {
                "1 agency".to_owned()
            } else {
                format!("{} agencies", orgs.len())
            },
            if files { " with its files" } else { "" }
        ),
    ))
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    layout: Layout,
    rows: Vec<(Row, &'static str, &'static str)>,
    page: Page<()>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    page: Option<i64>,
}

/// An investigator's leads: what was made available to their agency.
pub async fn leads(ctx: Ctx, Query(q): Query<PageQuery>) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let page = ctx.state.services.leads(p, q.page.unwrap_or(1), 50).await?;
    super::audit_list(&ctx, "/leads", page.items.iter().map(|r| r.id)).await?;
    let now = ctx.state.services.now();
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let states = ctx.state.services.lead_states(p, &ids).await?;
    render(&LeadsPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Leads", &ctx.path),
        rows: page
            .items
            .iter()
            .zip(states)
            .map(|(r, s)| (row(r, now, &[]), s.label(), s.as_str()))
            .collect(),
        page: Page {
            items: Vec::new(),
            total: page.total,
            page: page.page,
            per_page: page.per_page,
        },
    })
}

pub struct IndicatorItem {
    pub id: String,
    pub text: String,
    pub category: &'static str,
    pub weight: String,
    pub source: String,
    pub detection: String,
}

pub struct VersionItem {
    pub version: i64,
    pub by: String,
    pub at: String,
    pub comment: String,
}

#[derive(Template)]
#[template(path = "indicators.html")]
struct IndicatorsPage {
    layout: Layout,
    version: i64,
    items: Vec<IndicatorItem>,
    history: Vec<VersionItem>,
    can_edit: bool,
}

/// The catalogue in force, for everyone who weighs reports.
pub async fn indicators(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.catalogue(p).await?;
    let items = view
        .catalogue
        .indicators
        .iter()
        .map(|i| IndicatorItem {
            id: i.id.clone(),
            text: i.text.clone(),
            category: i.category.label(),
            weight: format!("{:.1}", i.weight),
            source: i.source.clone(),
            detection: i.detect.iter().map(describe).collect::<Vec<_>>().join("; "),
        })
        .collect();
    render(&IndicatorsPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Indicators", &ctx.path),
        version: view.current.version,
        items,
        history: versions(&view.history),
        can_edit: domain::policy::permits(Some(p), domain::Action::ManageIndicators),
    })
}

fn versions(rows: &[CatalogueVersion]) -> Vec<VersionItem> {
    rows.iter()
        .map(|r| VersionItem {
            version: r.version,
            by: r
                .edited_by
                .clone()
                .unwrap_or_else(|| "shipped with Clearinghouse".into()),
            at: when(r.edited_at),
            comment: r.comment.clone(),
        })
        .collect()
}

fn describe(d: &triage::catalogue::Detect) -> String {
    // The catalogue's TOML is the precise form; this is a reading aid on the page.
    serde_json::to_string(d).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "indicators_edit.html")]
struct EditPage {
    layout: Layout,
    version: i64,
    body: String,
    comment: String,
    error: Option<String>,
}

pub async fn edit_indicators(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.catalogue(p).await?;
    render(&EditPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Edit indicators", &ctx.path),
        version: view.current.version,
        body: view.current.body,
        comment: String::new(),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    comment: String,
}

pub async fn save_indicators(
    ctx: Ctx,
    axum::Form(f): axum::Form<EditForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let result = services
        .save_catalogue(p, &f.body, &f.comment, ctx.ip.clone())
        .await;
    let view = services.catalogue(p).await?;
    let page = match result {
        Ok(v) => {
            return Ok(flash::redirect(
                &ctx,
                "/admin/indicators",
                format!(
                    "Saved as version {v}. Run “clearinghouse triage recompute” to reassess every report with it."
                ),
            ))
        }
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => EditPage {
            layout: Layout::new(&ctx.state, &ctx.identity, "Edit indicators", &ctx.path),
            version: view.current.version,
            body: f.body,
            comment: f.comment,
            error: Some(m),
        },
        Err(e) => return Err(e.into()),
    };
    Ok(render(&page)?.into_response())
}
