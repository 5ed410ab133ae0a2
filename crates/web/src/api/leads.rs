//! Investigators' leads over JSON (issue 24): the same list, response and package as
//! `/leads`, for an agency's case-management system. Anything not made available to the
//! caller's agency is 404.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{LeadOutcome, ReportId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// One lead in the agency's list.
#[derive(Serialize, ToSchema)]
pub struct LeadOut {
    pub id: i64,
    /// The CyberTipline incident type as the schema spells it.
    pub incident_type: String,
    /// `immediate`, `high`, `normal`, `low` or `not_assessed`.
    pub priority: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    /// USPS codes of its jurisdiction.
    pub states: Vec<String>,
    pub summary: String,
    /// The agency's state: `new`, `acknowledged`, or the outcome recorded
    /// (`investigation_opened`, `child_located`, `referred`, `no_action`, `declined`).
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct LeadList {
    pub leads: Vec<LeadOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct LeadListQuery {
    /// 1-based; 50 leads a page.
    page: Option<i64>,
}

/// The reports made available to the caller's agency, the most urgent first.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(LeadListQuery),
    responses((status = 200, body = LeadList), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<LeadListQuery>,
) -> Result<Json<LeadList>, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let page = s.leads(p, q.page.unwrap_or(1), 50).await?;
    crate::pages::audit_list(&ctx, "/api/v1/leads", page.items.iter().map(|r| r.id)).await?;
    let ids: Vec<i64> = page.items.iter().map(|r| r.id).collect();
    let states = s.lead_states(p, &ids).await?;
    Ok(Json(LeadList {
        leads: page
            .items
            .iter()
            .zip(states)
            .map(|(r, st)| LeadOut {
                id: r.id,
                incident_type: r.incident_type.clone(),
                priority: super::priority_name(r.priority_rank).to_owned(),
                received_at: utc(r.received_at),
                states: r.states.clone(),
                summary: r.summary.clone(),
                state: st.as_str().to_owned(),
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// A note, a question to the hotline, or the hotline's answer.
#[derive(Serialize, ToSchema)]
pub struct LeadMessageOut {
    pub id: i64,
    /// `note` (the agency's own), `question` (to the hotline) or `answer` (from it).
    pub kind: String,
    /// The question an answer answers.
    pub answers: Option<i64>,
    /// The author's username.
    pub author: String,
    pub body: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A lead with the agency's response.
#[derive(Serialize, ToSchema)]
pub struct LeadDetail {
    #[serde(flatten)]
    pub lead: LeadOut,
    /// Username of who made it available to the agency.
    pub made_available_by: Option<String>,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub made_available_at: Option<OffsetDateTime>,
    /// Whether the report's files were made available with it.
    pub files_included: bool,
    pub acknowledged_by: Option<String>,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<OffsetDateTime>,
    /// `investigation_opened`, `child_located`, `referred`, `no_action` or `declined`.
    pub outcome: Option<String>,
    pub outcome_reason: Option<String>,
    pub messages: Vec<LeadMessageOut>,
}

/// One lead made available to the caller's agency. Audited as a view of the report.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = i64, Path, description = "The report's id")),
    responses((status = 200, body = LeadDetail), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Json<LeadDetail>, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let id = ReportId(id);
    let work = s.lead_work(p, id).await?;
    let view = s.report(p, id, ctx.ip.clone()).await?;
    let r = &view.item;
    let response = work.response.as_ref();
    Ok(Json(LeadDetail {
        lead: LeadOut {
            id: r.id,
            incident_type: r.incident_type.clone(),
            priority: super::priority_name(r.priority_rank).to_owned(),
            received_at: utc(r.received_at),
            states: r.states.clone(),
            summary: r.summary.clone(),
            state: work.state().as_str().to_owned(),
        },
        made_available_by: work.shared_by.as_ref().map(|s| s.0.clone()),
        made_available_at: work.shared_by.as_ref().map(|s| utc(s.1)),
        files_included: work.files_included,
        acknowledged_by: response.and_then(|r| r.acknowledged.as_ref().map(|a| a.0.clone())),
        acknowledged_at: response.and_then(|r| r.acknowledged.as_ref().map(|a| utc(a.1))),
        outcome: response.and_then(|r| r.outcome.map(|o| o.as_str().to_owned())),
        outcome_reason: response.and_then(|r| r.reason.clone()),
        messages: work
            .messages
            .iter()
            .map(|m| LeadMessageOut {
                id: m.id,
                kind: m.kind.as_str().to_owned(),
                answers: m.answers,
                author: m.author.clone(),
                body: m.body.clone(),
                created_at: utc(m.created_at),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Acknowledged {
    /// False when the lead had been acknowledged already.
    pub first: bool,
}

/// Acknowledges the lead for the caller's agency; the hotline sees who and when.
#[utoipa::path(post, path = "/api/v1/leads/{id}/acknowledge", tag = "leads", params(("id" = i64, Path, description = "The report's id")),
    responses((status = 200, body = Acknowledged), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn acknowledge(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Acknowledged>, AppError> {
    let p = ctx.principal()?;
    let first = ctx
        .state
        .services
        .acknowledge_lead(p, ReportId(id), ctx.ip.clone())
        .await?;
    Ok(Json(Acknowledged { first }))
}

#[derive(Deserialize, ToSchema)]
pub struct OutcomeIn {
    /// `investigation_opened`, `child_located`, `referred`, `no_action` or `declined`.
    pub outcome: String,
    /// Required for `no_action` and `declined`; at most 1,000 characters.
    #[serde(default)]
    pub reason: String,
}

/// Records what the agency did with the lead (replacing an earlier outcome).
#[utoipa::path(put, path = "/api/v1/leads/{id}/outcome", tag = "leads", params(("id" = i64, Path, description = "The report's id")), request_body = OutcomeIn,
    responses((status = 204, description = "Recorded"), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn outcome(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(o): ApiJson<OutcomeIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let outcome = LeadOutcome::parse(&o.outcome).ok_or_else(|| {
        AppError::from(service::ServiceError::Invalid(
            "outcome: use investigation_opened, child_located, referred, no_action or declined"
                .into(),
        ))
    })?;
    ctx.state
        .services
        .record_lead_outcome(p, ReportId(id), outcome, &o.reason, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct MessageIn {
    /// `note` (only the agency sees it) or `question` (the hotline answers it).
    pub kind: String,
    /// At most 10,000 characters.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageCreated {
    pub id: i64,
}

/// Adds the agency's note, or asks the hotline a question.
#[utoipa::path(post, path = "/api/v1/leads/{id}/messages", tag = "leads", params(("id" = i64, Path, description = "The report's id")), request_body = MessageIn,
    responses((status = 201, body = MessageCreated), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn add_message(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(m): ApiJson<MessageIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let question = match m.kind.as_str() {
        "note" => false,
        "question" => true,
        _ => {
            return Err(service::ServiceError::Invalid("kind: use note or question".into()).into())
        }
    };
    let created = ctx
        .state
        .services
        .add_lead_message(p, ReportId(id), &m.body, question, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(MessageCreated { id: created })).into_response())
}

/// The lead package: one ZIP of the report as CyberTipline XML, a PDF summary, the chart
/// (CSV, GraphML, i2 ANX), the files when the hotline made them available, a README and
/// SHA-256 sums. Audited.
#[utoipa::path(get, path = "/api/v1/leads/{id}/package", tag = "leads", params(("id" = i64, Path, description = "The report's id")),
    responses((status = 200, description = "The package", content_type = "application/zip", body = Vec<u8>),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn package(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Response, AppError> {
    crate::pages::leads::package(ctx, axum::extract::Path(ReportId(id))).await
}
