//! The hotline's reports over JSON (issue 24): the queue with its filters, one report with
//! its priority and evidence, and the work on it (status, assignment, notes, making it
//! available, answering an agency's question); and the indicator catalogue. The same
//! service calls as the pages, so the same rules and the same audit entries.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{AssigneeFilter, OrgId, ReportId, ReportStatus};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// One report in the queue.
#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub id: i64,
    /// `provider`, `public`, `hotline-call` or `import`.
    pub source: String,
    /// The CyberTipline incident type as the schema spells it.
    pub incident_type: String,
    /// `immediate`, `high`, `normal`, `low` or `not_assessed`.
    pub priority: String,
    /// `new`, `triaged`, `in_review`, `made_available` or `closed`.
    pub status: String,
    /// The assigned analyst's username.
    pub assignee: Option<String>,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// USPS codes of its jurisdiction.
    pub states: Vec<String>,
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportList {
    pub reports: Vec<ReportOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ReportListQuery {
    /// A CyberTipline incident type as the schema spells it.
    incident_type: Option<String>,
    /// A USPS code.
    state: Option<String>,
    /// `new`, `triaged`, `in_review`, `made_available` or `closed` (without it, closed
    /// reports are left out).
    status: Option<String>,
    /// A username, `me`, or `none` for unassigned reports.
    assignee: Option<String>,
    /// An indicator id from the catalogue.
    indicator: Option<String>,
    /// `immediate`, `high`, `normal` or `low`.
    priority: Option<String>,
    /// Words that must all be in the report's text.
    q: Option<String>,
    /// Only reports linked to another record.
    has_link: Option<bool>,
    /// 1-based; `per_page` reports a page (50 by default, 200 at most).
    page: Option<i64>,
    per_page: Option<i64>,
}

fn invalid(m: &str) -> AppError {
    service::ServiceError::Invalid(m.to_owned()).into()
}

fn report_out(
    r: &service::intake::ReportItem,
    names: &[(domain::UserId, String, String)],
) -> ReportOut {
    ReportOut {
        id: r.id,
        source: r.source.clone(),
        incident_type: r.incident_type.clone(),
        priority: super::priority_name(r.priority_rank).to_owned(),
        status: r.status.as_str().to_owned(),
        assignee: r
            .assignee
            .and_then(|a| names.iter().find(|n| n.0 == a))
            .map(|n| n.1.clone()),
        received_at: utc(r.received_at),
        states: r.states.clone(),
        summary: r.summary.clone(),
    }
}

/// The hotline's queue: the most urgent first, then the longest waiting, with the
/// queue page's filters. Audited with the query and what it showed.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportListQuery),
    responses((status = 200, body = ReportList), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ReportListQuery>,
) -> Result<Json<ReportList>, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let names = s.assignable_users(p).await?;
    let assignee = match q.assignee.as_deref().unwrap_or("") {
        "" => AssigneeFilter::Anyone,
        "none" => AssigneeFilter::Unassigned,
        "me" => AssigneeFilter::User(p.user_id),
        name => match names.iter().find(|a| a.1 == name) {
            Some(a) => AssigneeFilter::User(a.0),
            None => return Err(invalid(
                "assignee: not a username of the hotline's analysts; use a username, me or none",
            )),
        },
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ReportStatus::parse(s).ok_or_else(|| {
            invalid("status: use new, triaged, in_review, made_available or closed")
        })?),
    };
    let priority_rank = match q.priority.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(v) => Some(
            triage::Priority::ALL
                .iter()
                .find(|p| p.as_str() == v)
                .map(|p| i64::from(p.rank()))
                .ok_or_else(|| invalid("priority: use immediate, high, normal or low"))?,
        ),
    };
    let filter = service::queue::QueueQuery {
        incident_type: q.incident_type.clone().filter(|s| !s.is_empty()),
        state: q
            .state
            .as_deref()
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty()),
        status,
        assignee,
        indicator: q.indicator.clone().filter(|s| !s.is_empty()),
        priority_rank,
        words: q
            .q
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        has_link: q.has_link.unwrap_or(false),
        sort: service::queue::QueueSort::default(),
        descending: false,
    };
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = s.queue(p, &filter, q.page.unwrap_or(1), per_page).await?;
    crate::pages::audit_list(&ctx, "/api/v1/reports", page.items.iter().map(|r| r.id)).await?;
    Ok(Json(ReportList {
        reports: page.items.iter().map(|r| report_out(r, &names)).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// An indicator found in a report, with what showed it.
#[derive(Serialize, ToSchema)]
pub struct IndicatorFound {
    pub id: String,
    pub text: String,
    pub category: String,
    pub weight: String,
    pub evidence: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NoteOut {
    pub id: i64,
    pub author: String,
    pub body: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

#[derive(Serialize, ToSchema)]
pub struct ShareOut {
    pub agency_id: i64,
    pub agency: String,
    pub shared_by: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub shared_at: OffsetDateTime,
}

/// What an agency did with the report, and its questions.
#[derive(Serialize, ToSchema)]
pub struct AgencyResponseOut {
    pub agency: String,
    pub acknowledged_by: Option<String>,
    /// `investigation_opened`, `child_located`, `referred`, `no_action` or `declined`.
    pub outcome: Option<String>,
    pub outcome_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    pub id: i64,
    pub agency: String,
    /// `question` or `answer`.
    pub kind: String,
    pub answers: Option<i64>,
    pub author: String,
    pub body: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// One report with why it has its priority and the hotline's work on it.
#[derive(Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub report: ReportOut,
    /// The score the priority comes from.
    pub score: String,
    /// Why it has its priority, in words.
    pub reasons: Vec<String>,
    /// Each is a reason to look closer, not proof.
    pub indicators: Vec<IndicatorFound>,
    pub notes: Vec<NoteOut>,
    pub shares: Vec<ShareOut>,
    pub agency_responses: Vec<AgencyResponseOut>,
    pub questions: Vec<QuestionOut>,
    /// The number of files received with it (downloaded from the report's page).
    pub files: usize,
}

/// One report. Audited as a view of it.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", params(("id" = i64, Path, description = "The report's id")),
    responses((status = 200, body = ReportDetail), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Json<ReportDetail>, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let id = ReportId(id);
    let view = s.report(p, id, ctx.ip.clone()).await?;
    let work = s.report_work(p, &view.item).await?;
    let lead = s.hotline_lead_view(p, id).await?;
    let (triage, _) =
        crate::pages::reports::triage_view(s, &view.item, &view.report, &view.followup_texts());
    Ok(Json(ReportDetail {
        report: report_out(&view.item, &work.assignable),
        score: triage.score.clone(),
        reasons: triage.reasons.clone(),
        indicators: triage
            .matches
            .iter()
            .map(|m| IndicatorFound {
                id: m.id.clone(),
                text: m.text.clone(),
                category: m.category.to_owned(),
                weight: m.weight.clone(),
                evidence: m.evidence.clone(),
            })
            .collect(),
        notes: work
            .notes
            .iter()
            .map(|n| NoteOut {
                id: n.id,
                author: n.author.clone(),
                body: n.body.clone(),
                created_at: utc(n.created_at),
            })
            .collect(),
        shares: work
            .shares
            .iter()
            .map(|sh| ShareOut {
                agency_id: sh.org_id.0,
                agency: sh.org_name.clone(),
                shared_by: sh.shared_by.clone(),
                shared_at: utc(sh.shared_at),
            })
            .collect(),
        agency_responses: lead
            .responses
            .iter()
            .map(|r| AgencyResponseOut {
                agency: r.agency.clone(),
                acknowledged_by: r.acknowledged.as_ref().map(|a| a.0.clone()),
                outcome: r.outcome.map(|o| o.as_str().to_owned()),
                outcome_reason: r.reason.clone(),
            })
            .collect(),
        questions: lead
            .messages
            .iter()
            .map(|m| QuestionOut {
                id: m.id,
                agency: m.agency.clone(),
                kind: m.kind.as_str().to_owned(),
                answers: m.answers,
                author: m.author.clone(),
                body: m.body.clone(),
                created_at: utc(m.created_at),
            })
            .collect(),
        files: view.files.len(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// `new`, `triaged`, `in_review`, `made_available` or `closed`.
    pub status: String,
    /// Required when closing (at most 1,000 characters).
    #[serde(default)]
    pub reason: String,
}

/// Moves the report by the workflow's rules.
#[utoipa::path(put, path = "/api/v1/reports/{id}/status", tag = "reports", params(("id" = i64, Path, description = "The report's id")), request_body = StatusIn,
    responses((status = 204, description = "Moved"), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn set_status(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StatusIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let to = ReportStatus::parse(&b.status)
        .ok_or_else(|| invalid("status: use new, triaged, in_review, made_available or closed"))?;
    ctx.state
        .services
        .set_report_status(p, ReportId(id), to, &b.reason, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct AssigneeIn {
    /// An analyst's or supervisor's username; null to unassign.
    pub username: Option<String>,
}

/// Assigns the report to an analyst, or to nobody.
#[utoipa::path(put, path = "/api/v1/reports/{id}/assignee", tag = "reports", params(("id" = i64, Path, description = "The report's id")), request_body = AssigneeIn,
    responses((status = 204, description = "Assigned"), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn assign(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssigneeIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .assign_reports(p, &[ReportId(id)], b.username.as_deref(), ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct TextIn {
    /// At most 10,000 characters.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Adds an analyst's note to the report.
#[utoipa::path(post, path = "/api/v1/reports/{id}/notes", tag = "reports", params(("id" = i64, Path, description = "The report's id")), request_body = TextIn,
    responses((status = 204, description = "Added"), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_note(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TextIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .add_report_note(p, ReportId(id), &b.body, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct ShareIn {
    /// Law-enforcement agencies' organisation ids.
    pub agencies: Vec<i64>,
    /// Make the files received with the report available too.
    #[serde(default)]
    pub files: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Shared {
    /// Agencies it was newly made available to.
    pub added: usize,
}

/// Makes the report available to law-enforcement agencies (with its files if asked).
#[utoipa::path(post, path = "/api/v1/reports/{id}/shares", tag = "reports", params(("id" = i64, Path, description = "The report's id")), request_body = ShareIn,
    responses((status = 200, body = Shared), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn share(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ShareIn>,
) -> Result<Json<Shared>, AppError> {
    let p = ctx.principal()?;
    let orgs: Vec<OrgId> = b.agencies.iter().map(|a| OrgId(*a)).collect();
    let added = ctx
        .state
        .services
        .make_available(p, ReportId(id), &orgs, b.files, ctx.ip.clone())
        .await?;
    Ok(Json(Shared { added }))
}

/// Answers an agency's question on the report; the agency reads it on its lead.
#[utoipa::path(post, path = "/api/v1/reports/{id}/questions/{question}/answer", tag = "reports",
    params(("id" = i64, Path, description = "The report's id"), ("question" = i64, Path, description = "The question's id")), request_body = TextIn,
    responses((status = 201, body = Created), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    ctx: Ctx,
    ApiPath((id, question)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<TextIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let created = ctx
        .state
        .services
        .answer_lead_question(p, ReportId(id), question, &b.body, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: created })).into_response())
}

/// One indicator of the catalogue in force.
#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    pub id: String,
    pub text: String,
    pub category: String,
    /// 0 to 10: how much it adds to a report's score.
    pub weight: f32,
    /// The seed page or publication it comes from.
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct Catalogue {
    pub version: i64,
    pub indicators: Vec<IndicatorOut>,
}

/// The indicator catalogue in force: the published red flags and risk factors reports are
/// weighed by.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "reports",
    responses((status = 200, body = Catalogue), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn indicators(ctx: Ctx) -> Result<Json<Catalogue>, AppError> {
    let p = ctx.principal()?;
    let view = ctx.state.services.catalogue(p).await?;
    Ok(Json(Catalogue {
        version: view.current.version,
        indicators: view
            .catalogue
            .indicators
            .iter()
            .map(|i| IndicatorOut {
                id: i.id.clone(),
                text: i.text.clone(),
                category: i.category.label().to_owned(),
                weight: i.weight,
                source: i.source.clone(),
            })
            .collect(),
    }))
}
