//! Providers' own submissions over JSON (issue 24): the same list as `/submissions`, for
//! a provider organisation's people and scripts, scoped by the service to the caller's
//! organisation.

use super::extract::ApiQuery;
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::Json;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// One report the organisation submitted through the CyberTipline API.
#[derive(Serialize, ToSchema)]
pub struct SubmissionOut {
    /// The report id the API answered with.
    pub id: i64,
    /// The CyberTipline incident type as the schema spells it.
    pub incident_type: String,
    /// `open` (files may still be added), `expired` (never finished), `finished`
    /// (received by the hotline) or `retracted`.
    pub status: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: OffsetDateTime,
    /// RFC 3339, UTC; null unless finished.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<OffsetDateTime>,
    /// RFC 3339, UTC; null unless retracted.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub retracted_at: Option<OffsetDateTime>,
}

#[derive(Serialize, ToSchema)]
pub struct SubmissionList {
    pub submissions: Vec<SubmissionOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SubmissionListQuery {
    /// 1-based; 50 submissions a page.
    page: Option<i64>,
}

/// The caller's organisation's submissions, newest first.
#[utoipa::path(get, path = "/api/v1/submissions", tag = "submissions", params(SubmissionListQuery),
    responses((status = 200, body = SubmissionList), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<SubmissionListQuery>,
) -> Result<Json<SubmissionList>, AppError> {
    let p = ctx.principal()?;
    let page = ctx
        .state
        .services
        .own_submissions(p, q.page.unwrap_or(1), crate::pages::submissions::PER_PAGE)
        .await?;
    Ok(Json(SubmissionList {
        submissions: page
            .items
            .iter()
            .map(|s| SubmissionOut {
                id: s.id,
                incident_type: s.incident_type.clone(),
                status: s.state.as_str().to_owned(),
                submitted_at: utc(s.submitted_at),
                finished_at: s.finished_at.map(utc),
                retracted_at: s.retracted_at.map(utc),
            })
            .collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}
