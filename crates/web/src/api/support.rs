//! Requests for analytical support over JSON (issue 24): an investigator's agency's
//! requests or the analysts' queue, a new request, one request, and the analysts' answer
//! (with a link chart made available to the requester's agency). The service scopes and
//! audits them as it does for the pages.

use super::charts::RecordOut;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::support::SupportStatus;
use domain::{RecordKind, RecordRef};
use serde::{Deserialize, Serialize};
use service::support::{
    request_number, AnswerForm, SupportError, SupportForm, SupportQuery, SupportView,
};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// A request for analytical support.
#[derive(Serialize, ToSchema)]
pub struct SupportRequestOut {
    pub id: i64,
    /// `SR-000012`.
    pub number: String,
    /// The requester's username and agency.
    pub requested_by: String,
    pub agency_id: i64,
    pub agency: String,
    pub need: String,
    pub identifiers: Vec<String>,
    /// `routine`, `urgent` or `immediate` (a child at risk now).
    pub urgency: String,
    /// `open`, `in_progress`, `answered` or `closed`.
    pub status: String,
    /// The analyst working on it.
    pub assignee: Option<String>,
    pub answer: Option<String>,
    /// The link chart the answer made available to the requester's agency
    /// (`/api/v1/charts/{id}`).
    pub answer_chart_id: Option<i64>,
    pub answered_by: Option<String>,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<OffsetDateTime>,
}

fn out(r: &SupportView) -> SupportRequestOut {
    SupportRequestOut {
        id: r.id,
        number: request_number(r.id),
        requested_by: r.requester.clone(),
        agency_id: r.org_id.0,
        agency: r.org_name.clone(),
        need: r.need.clone(),
        identifiers: r.identifiers.clone(),
        urgency: r.urgency.as_str().to_owned(),
        status: r.status.as_str().to_owned(),
        assignee: r.assignee.clone(),
        answer: r.answer.clone(),
        answer_chart_id: r.answer_chart,
        answered_by: r.answered_by.clone(),
        created_at: utc(r.created_at),
        updated_at: utc(r.updated_at),
        answered_at: r.answered_at.map(utc),
        closed_at: r.closed_at.map(utc),
    }
}

#[derive(Serialize, ToSchema)]
pub struct SupportRequestList {
    pub requests: Vec<SupportRequestOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SupportListQuery {
    /// `open`, `in_progress`, `answered`, `closed`, or `all`; without it, every request
    /// not closed.
    status: Option<String>,
    /// 1-based; 50 requests a page.
    page: Option<i64>,
}

/// The analysts' queue (every agency's requests, the most urgent first, then the oldest)
/// or, for an investigator, their agency's requests.
#[utoipa::path(get, path = "/api/v1/support-requests", tag = "support", params(SupportListQuery),
    responses((status = 200, body = SupportRequestList), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<SupportListQuery>,
) -> Result<Json<SupportRequestList>, AppError> {
    let p = ctx.principal()?;
    let query = match q.status.as_deref().map(str::trim).unwrap_or("") {
        "" => SupportQuery::default(),
        "all" => SupportQuery {
            status: None,
            include_closed: true,
        },
        s => SupportQuery {
            status: Some(s.parse::<SupportStatus>().map_err(|_| {
                AppError::invalid(
                    "unknown status",
                    vec![FieldProblem::new(
                        "status",
                        "one of open, in_progress, answered, closed or all",
                    )],
                )
            })?),
            include_closed: false,
        },
    };
    let page = ctx
        .state
        .services
        .support_requests(
            p,
            query,
            q.page.unwrap_or(1),
            crate::pages::support::PER_PAGE,
        )
        .await?;
    crate::pages::audit_list(
        &ctx,
        "/api/v1/support-requests",
        page.items.iter().map(|r| r.id),
    )
    .await?;
    Ok(Json(SupportRequestList {
        requests: page.items.iter().map(out).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// A new request.
#[derive(Deserialize, ToSchema)]
pub struct NewSupportRequest {
    /// What the investigator needs from the analysts.
    pub need: String,
    /// Phones, emails, handles, web addresses.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// `routine`, `urgent` or `immediate` (a child at risk now).
    pub urgency: String,
}

/// An investigator asks for analytical support. 201 with the request.
#[utoipa::path(post, path = "/api/v1/support-requests", tag = "support", request_body = NewSupportRequest,
    responses((status = 201, body = SupportRequestOut), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    ctx: Ctx,
    ApiJson(n): ApiJson<NewSupportRequest>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let form = SupportForm {
        need: n.need,
        identifiers: n.identifiers.join("\n"),
        urgency: n.urgency,
    };
    let services = &ctx.state.services;
    match services.request_support(p, &form, ctx.ip.clone()).await {
        Ok(id) => {
            let r = services.support_request(p, id, ctx.ip.clone()).await?;
            Ok((StatusCode::CREATED, Json(out(&r))).into_response())
        }
        Err(SupportError::Form(problems)) => Err(AppError::invalid(
            problems
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            problems
                .iter()
                .map(|e| FieldProblem::new(e.field, e.message.clone()))
                .collect(),
        )),
        Err(SupportError::Service(e)) => Err(e.into()),
    }
}

/// One request: an investigator's agency's, or any for the analysts. Audited as a view.
#[utoipa::path(get, path = "/api/v1/support-requests/{id}", tag = "support", params(("id" = i64, Path, description = "The request's id")),
    responses((status = 200, body = SupportRequestOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SupportRequestOut>, AppError> {
    let p = ctx.principal()?;
    let r = ctx
        .state
        .services
        .support_request(p, id, ctx.ip.clone())
        .await?;
    Ok(Json(out(&r)))
}

/// The analysts' answer.
#[derive(Deserialize, ToSchema)]
pub struct SupportAnswer {
    /// What the analysis found, for the requester.
    pub answer: String,
    /// A record whose cluster is made available to the requester's agency as a link chart.
    #[serde(default)]
    pub chart: Option<RecordOut>,
    /// The chart's title (default: "Link chart of N records").
    #[serde(default)]
    pub chart_title: Option<String>,
}

/// Answers a request, optionally making the cluster of a record available to the
/// requester's agency as a link chart, in one transaction.
#[utoipa::path(post, path = "/api/v1/support-requests/{id}/answer", tag = "support", params(("id" = i64, Path, description = "The request's id")), request_body = SupportAnswer,
    responses((status = 200, body = SupportRequestOut), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn answer(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(a): ApiJson<SupportAnswer>,
) -> Result<Json<SupportRequestOut>, AppError> {
    let p = ctx.principal()?;
    let chart_start = match a.chart {
        Some(r) => Some(RecordRef::new(
            r.kind.parse::<RecordKind>().map_err(|_| {
                AppError::invalid(
                    "unknown record kind",
                    vec![FieldProblem::new("chart.kind", "one of report, ad or case")],
                )
            })?,
            r.id,
        )),
        None => None,
    };
    let services = &ctx.state.services;
    services
        .answer_support_request(
            p,
            id,
            &AnswerForm {
                answer: a.answer,
                chart_start,
                chart_title: a.chart_title.unwrap_or_default(),
            },
            ctx.ip.clone(),
        )
        .await?;
    let r = services.support_request(p, id, ctx.ip.clone()).await?;
    Ok(Json(out(&r)))
}
