//! Training over JSON: the course catalogue (staff read every course; supervisors publish a
//! course file, sent as the course's JSON), the enrolment and completion counts by course
//! and month, the verifiers' queue of law-enforcement requests and their decisions, and
//! the public check of a certificate code. Learners use the pages, not the API: an API
//! token is a staff account's.

use super::extract::{ApiJson, ApiPath};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use service::training::{CertificateView, CourseSummary, ReportRow, VerificationView};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// A course of the catalogue, at its newest version.
#[derive(Serialize, ToSchema)]
pub struct CourseOut {
    pub slug: String,
    pub title: String,
    pub summary: String,
    /// `public`, `child_welfare` or `law_enforcement`.
    pub audience: String,
    /// Continuing-education hours, e.g. `"1.0"`.
    pub credit_hours: String,
    pub version: i64,
    pub modules: usize,
}

fn course(c: &CourseSummary) -> CourseOut {
    CourseOut {
        slug: c.slug.clone(),
        title: c.title.clone(),
        summary: c.summary.clone(),
        audience: c.audience.code().to_owned(),
        credit_hours: c.credit_hours.clone(),
        version: c.version,
        modules: c.modules,
    }
}

/// The catalogue: every course, law-enforcement courses too.
#[utoipa::path(get, path = "/api/v1/courses", tag = "training",
    responses((status = 200, body = [CourseOut]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn courses(ctx: Ctx) -> Result<Json<Vec<CourseOut>>, AppError> {
    let p = ctx.principal()?;
    let list = ctx.state.services.course_catalogue(None, Some(p)).await?;
    Ok(Json(list.iter().map(course).collect()))
}

/// Publishes a course file sent as JSON (the same fields as the TOML course file:
/// `slug`, `title`, `summary`, `audience`, `credit_hours`, `version`, `modules` with
/// `title`, Markdown `body` and `quiz` {`pass_mark`, `questions` [{`prompt`, `choices`,
/// `answer`}]}). The version must be newer than the published one.
#[utoipa::path(post, path = "/api/v1/courses", tag = "training", request_body = Object,
    responses((status = 201, body = CourseOut), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn publish(
    ctx: Ctx,
    ApiJson(file): ApiJson<serde_json::Value>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let text = file.to_string();
    let c = ctx
        .state
        .services
        .import_course(p, &text, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(course(&c))).into_response())
}

/// Enrolments, completions and credit hours of one course in one month (UTC).
#[derive(Serialize, ToSchema)]
pub struct EnrolmentCountOut {
    pub course: String,
    pub title: String,
    /// `YYYY-MM`.
    pub month: String,
    pub enrolments: i64,
    pub completions: i64,
    pub credit_hours: String,
}

fn count(r: &ReportRow) -> EnrolmentCountOut {
    EnrolmentCountOut {
        course: r.slug.clone(),
        title: r.title.clone(),
        month: r.month.clone(),
        enrolments: r.enrolments,
        completions: r.completions,
        credit_hours: r.credit_hours.clone(),
    }
}

/// Enrolments counted by course and month: numbers only, never learners.
#[utoipa::path(get, path = "/api/v1/enrolments", tag = "training",
    responses((status = 200, body = [EnrolmentCountOut]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn enrolments(ctx: Ctx) -> Result<Json<Vec<EnrolmentCountOut>>, AppError> {
    let p = ctx.principal()?;
    let rows = ctx.state.services.training_report(p).await?;
    Ok(Json(rows.iter().map(count).collect()))
}

/// A law-enforcement learner's request to be verified.
#[derive(Serialize, ToSchema)]
pub struct VerificationOut {
    pub id: i64,
    pub learner_name: String,
    pub learner_email: String,
    pub agency: String,
    pub badge: String,
    pub work_email: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: OffsetDateTime,
    /// Whole hours waited so far, while no decision has been made.
    pub waiting_hours: Option<i64>,
    /// `approved`, `refused`, or null while waiting.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub reason: Option<String>,
}

fn request(v: &VerificationView) -> VerificationOut {
    VerificationOut {
        id: v.id,
        learner_name: v.learner_name.clone(),
        learner_email: v.learner_email.clone(),
        agency: v.agency.clone(),
        badge: v.badge.clone(),
        work_email: v.work_email.clone(),
        requested_at: utc(v.requested_at),
        waiting_hours: v.waiting_hours,
        decision: v.decision.clone(),
        decided_by: v.decided_by.clone(),
        reason: v.reason.clone(),
    }
}

/// Waiting requests, oldest first, then the latest decisions.
#[utoipa::path(get, path = "/api/v1/verification-requests", tag = "training",
    responses((status = 200, body = [VerificationOut]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn verification_requests(ctx: Ctx) -> Result<Json<Vec<VerificationOut>>, AppError> {
    let p = ctx.principal()?;
    let rows = ctx.state.services.verification_queue(p).await?;
    crate::pages::audit_list(
        &ctx,
        "/api/v1/verification-requests",
        rows.iter().map(|v| v.id),
    )
    .await?;
    Ok(Json(rows.iter().map(request).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// true: the learner is verified and sees law-enforcement courses.
    pub approve: bool,
    /// Required when refusing: the learner sees it.
    #[serde(default)]
    pub reason: String,
}

/// Approves or refuses a waiting request (audited).
#[utoipa::path(post, path = "/api/v1/verification-requests/{id}/decision", tag = "training", request_body = DecisionIn,
    params(("id" = i64, Path, description = "The request's id")),
    responses((status = 204), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn decide(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(d): ApiJson<DecisionIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .decide_verification(p, id, d.approve, &d.reason, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A certificate as its public check shows it.
#[derive(Serialize, ToSchema)]
pub struct CertificateOut {
    /// `XXXX-XXXX-XXXX`.
    pub code: String,
    pub learner_name: String,
    pub course_title: String,
    pub course_version: i64,
    pub credit_hours: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub completed_at: OffsetDateTime,
}

fn certificate(c: &CertificateView) -> CertificateOut {
    CertificateOut {
        code: c.code.clone(),
        learner_name: c.learner_name.clone(),
        course_title: c.course_title.clone(),
        course_version: c.course_version,
        credit_hours: c.credit_hours.clone(),
        completed_at: utc(c.completed_at),
    }
}

/// Checks a certificate code: public, no token needed. 422 for a mistyped code (the check
/// character does not match), 404 for a code no certificate has.
#[utoipa::path(get, path = "/api/v1/certificates/{code}", tag = "training", security(()),
    params(("code" = String, Path, description = "The code printed on the certificate, with or without hyphens")),
    responses((status = 200, body = CertificateOut), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn check_certificate(
    ctx: Ctx,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<CertificateOut>, AppError> {
    match ctx.state.services.check_certificate(&code).await? {
        Some(c) => Ok(Json(certificate(&c))),
        None => Err(AppError::new(
            StatusCode::NOT_FOUND,
            "No certificate has this code. Check it against the certificate.",
        )),
    }
}
