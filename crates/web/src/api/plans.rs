//! Recovery plans and referrals over JSON: the caseload, opening, reading (audited) and
//! updating a plan; making a referral, moving its status with a reason, listing a plan's
//! referrals. The same use cases, policy and audit as the pages.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use recovery::model::format_date;
use recovery::plan::{PlanForm, Transition};
use recovery::{ClosingReason, PlanDomain, ReferralStatus};
use serde::{Deserialize, Serialize};
use service::recovery::plans::{PlanLinks, PlanSummary, PlanView};
use service::recovery::referrals::ReferralView;
use utoipa::{IntoParams, ToSchema};

/// A plan in the caseload.
#[derive(Serialize, ToSchema)]
pub struct PlanItemOut {
    pub id: i64,
    pub young_person: String,
    /// `none`, `do_not_contact` or `safe_contact_only`: respect it before any contact.
    pub safety: String,
    /// `YYYY-MM-DD`.
    pub next_review: Option<String>,
    /// `overdue`, `due_soon`, `scheduled` or `not_scheduled`.
    pub review: String,
    /// `not_yet`, `due` (the 18th birthday is near) or `adult` (support goes on).
    pub transition: String,
    /// Need domains: `safety`, `housing`, `health`, `mental_health`, `education`, `legal`,
    /// `family`, `basic_needs`.
    pub needs: Vec<String>,
    pub case_id: Option<i64>,
}

fn review_code(r: recovery::plan::ReviewState) -> &'static str {
    use recovery::plan::ReviewState::*;
    match r {
        Overdue => "overdue",
        DueSoon => "due_soon",
        Scheduled => "scheduled",
        NotScheduled => "not_scheduled",
    }
}

fn transition_code(t: Transition) -> &'static str {
    match t {
        Transition::NotYet => "not_yet",
        Transition::Due { .. } => "due",
        Transition::Adult { .. } => "adult",
    }
}

fn item(p: &PlanSummary) -> PlanItemOut {
    PlanItemOut {
        id: p.id,
        young_person: p.young_person.clone(),
        safety: p.safety.code().to_owned(),
        next_review: p.next_review.map(format_date),
        review: review_code(p.review).to_owned(),
        transition: transition_code(p.transition).to_owned(),
        needs: p.needs.iter().map(|n| n.code().to_owned()).collect(),
        case_id: p.case_id,
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlanList {
    /// Open plans, overdue and due reviews first.
    pub plans: Vec<PlanItemOut>,
    /// Closed plans, the latest closed first (at most 50).
    pub closed: Vec<ClosedItemOut>,
}

/// A closed plan in the caseload.
#[derive(Serialize, ToSchema)]
pub struct ClosedItemOut {
    pub id: i64,
    pub young_person: String,
    /// RFC 3339, UTC.
    pub closed_at: String,
    /// `goals_met`, `their_choice`, `transferred`, `moved_away`, `no_contact` or `other`.
    pub reason: String,
}

/// The caller's caseload (a supervisor: every plan), due reviews first, and the plans
/// closed most recently.
#[utoipa::path(get, path = "/api/v1/recovery-plans", tag = "recovery",
    responses((status = 200, body = PlanList), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(ctx: Ctx) -> Result<Json<PlanList>, AppError> {
    let p = ctx.principal()?;
    let c = ctx.state.services.recovery_caseload(p).await?;
    crate::pages::audit_list(
        &ctx,
        "/api/v1/recovery-plans",
        c.plans
            .iter()
            .map(|s| s.id)
            .chain(c.closed.iter().map(|s| s.id)),
    )
    .await?;
    Ok(Json(PlanList {
        plans: c.plans.iter().map(item).collect(),
        closed: c
            .closed
            .iter()
            .map(|x| ClosedItemOut {
                id: x.id,
                young_person: x.young_person.clone(),
                closed_at: rfc3339(x.closed_at),
                reason: x.reason.code().to_owned(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct NeedOut {
    pub domain: String,
    /// The team's note (team only).
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct GoalOut {
    /// In the young person's own words.
    pub words: String,
    pub added_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct NarrativeOut {
    pub goals: Vec<GoalOut>,
    pub strengths: Option<String>,
    /// What the young person asked not to be shared.
    pub not_shared: Option<String>,
    pub transition_notes: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub organisation: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsentOut {
    pub id: i64,
    pub with_whom: String,
    pub organisation_id: Option<i64>,
    pub what: String,
    pub given_on: String,
    pub recorded_by: String,
    /// `YYYY-MM-DD` when the young person withdrew it (no longer in force); null while
    /// in force.
    pub withdrawn_on: Option<String>,
    pub withdrawn_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MoveOut {
    pub from: Option<String>,
    pub to: String,
    pub reason: String,
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: i64,
    pub plan_id: i64,
    pub service_id: i64,
    pub service_name: String,
    pub need: String,
    /// `proposed`, `sent`, `accepted`, `engaged`, `completed`, `declined`, `no_capacity`,
    /// `withdrawn`.
    pub status: String,
    /// What was shared with the service (the team and supervisors only).
    pub shared: Option<String>,
    pub outcome: Option<String>,
    pub moves: Vec<MoveOut>,
    /// The statuses the caller may move it to next.
    pub next: Vec<String>,
}

fn rfc3339(micros: i64) -> String {
    super::utc(micros)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn referral_out(r: &ReferralView) -> ReferralOut {
    ReferralOut {
        id: r.id,
        plan_id: r.plan_id,
        service_id: r.resource_id,
        service_name: r.service_name.clone(),
        need: r.need.code().to_owned(),
        status: r.status.code().to_owned(),
        shared: r.shared.clone(),
        outcome: r.outcome.clone(),
        moves: r
            .moves
            .iter()
            .map(|m| MoveOut {
                from: m.from.map(|s| s.code().to_owned()),
                to: m.to.code().to_owned(),
                reason: m.reason.clone(),
                by: m.by.clone(),
                at: rfc3339(m.at),
            })
            .collect(),
        next: r.next.iter().map(|m| m.to.code().to_owned()).collect(),
    }
}

/// One plan. Its narrative is null for readers outside its team.
#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub young_person: String,
    pub date_of_birth: Option<String>,
    pub case_id: Option<i64>,
    pub episode_id: Option<i64>,
    pub report_id: Option<i64>,
    /// `none`, `do_not_contact` or `safe_contact_only`.
    pub safety: String,
    pub next_review: Option<String>,
    pub last_reviewed: Option<String>,
    pub review: String,
    pub transition: String,
    pub needs: Vec<NeedOut>,
    pub narrative: Option<NarrativeOut>,
    pub team: Vec<MemberOut>,
    pub consents: Vec<ConsentOut>,
    pub referrals: Vec<ReferralOut>,
    /// `team`, `oversight` (a supervisor) or `consented` (read-only, by consent).
    pub access: String,
    /// Set while the plan is closed; null while it is open.
    pub closed: Option<ClosureOut>,
}

/// When, why and by whom a plan was closed.
#[derive(Serialize, ToSchema)]
pub struct ClosureOut {
    /// RFC 3339, UTC.
    pub at: String,
    /// `goals_met`, `their_choice`, `transferred`, `moved_away`, `no_contact` or `other`.
    pub reason: String,
    pub by: String,
}

fn plan_out(v: &PlanView) -> PlanOut {
    use domain::policy::PlanAccess;
    PlanOut {
        id: v.id,
        young_person: v.young_person.clone(),
        date_of_birth: v.date_of_birth.map(format_date),
        case_id: v.case_id,
        episode_id: v.episode_id,
        report_id: v.report_id,
        safety: v.safety.code().to_owned(),
        next_review: v.next_review.map(format_date),
        last_reviewed: v.last_reviewed.clone(),
        review: review_code(v.review).to_owned(),
        transition: transition_code(v.transition).to_owned(),
        needs: v
            .needs
            .iter()
            .map(|n| NeedOut {
                domain: n.domain.code().to_owned(),
                note: n.note.clone(),
            })
            .collect(),
        narrative: v.narrative.as_ref().map(|n| NarrativeOut {
            goals: n
                .goals
                .iter()
                .map(|g| GoalOut {
                    words: g.words.clone(),
                    added_on: g.added_on.clone(),
                })
                .collect(),
            strengths: n.strengths.clone(),
            not_shared: n.not_shared.clone(),
            transition_notes: n.transition_notes.clone(),
        }),
        team: v
            .team
            .iter()
            .map(|m| MemberOut {
                user_id: m.user_id.0,
                name: m.name.clone(),
                role: m.role.clone(),
                organisation: m.organisation.clone(),
            })
            .collect(),
        consents: v
            .consents
            .iter()
            .map(|c| ConsentOut {
                id: c.id,
                withdrawn_on: c.withdrawn.as_ref().map(|w| w.on.clone()),
                withdrawn_reason: c.withdrawn.as_ref().map(|w| w.reason.clone()),
                with_whom: c.with_whom.clone(),
                organisation_id: c.org_id.map(|o| o.0),
                what: c.what.clone(),
                given_on: c.given_on.clone(),
                recorded_by: c.recorded_by.clone(),
            })
            .collect(),
        referrals: v.referrals.iter().map(referral_out).collect(),
        access: match v.access {
            PlanAccess::Team => "team",
            PlanAccess::Oversight => "oversight",
            PlanAccess::Consented | PlanAccess::Nothing => "consented",
        }
        .to_owned(),
        closed: v.closed.as_ref().map(|c| ClosureOut {
            at: rfc3339(c.at),
            reason: c.reason.code().to_owned(),
            by: c.by.clone(),
        }),
    }
}

/// One plan; every read is audited. Investigators only with the young person's consent
/// to a share with their agency (403 otherwise).
#[utoipa::path(get, path = "/api/v1/recovery-plans/{id}", tag = "recovery", params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 200, body = PlanOut), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Json<PlanOut>, AppError> {
    let p = ctx.principal()?;
    let v = ctx
        .state
        .services
        .recovery_plan(p, id, ctx.ip.clone())
        .await?;
    Ok(Json(plan_out(&v)))
}

/// A plan as sent to open or update one.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PlanIn {
    /// How the team refers to the young person (a first or chosen name is enough).
    pub young_person: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    /// `none`, `do_not_contact` or `safe_contact_only`.
    pub safety: String,
    /// `YYYY-MM-DD`.
    pub next_review: String,
    /// Need domains.
    pub needs: Vec<String>,
    pub needs_note: String,
    pub strengths: String,
    pub not_shared: String,
    pub transition_notes: String,
    /// The missing-child case (and episode whose recovery brought them); on create only.
    pub case_id: Option<i64>,
    pub episode_id: Option<i64>,
    /// The report that brought them; on create only.
    pub report_id: Option<i64>,
}

impl PlanIn {
    fn form(&self) -> PlanForm {
        PlanForm {
            young_person: self.young_person.clone(),
            date_of_birth: self.date_of_birth.clone(),
            safety: self.safety.clone(),
            next_review: self.next_review.clone(),
            needs: self.needs.clone(),
            needs_note: self.needs_note.clone(),
            strengths: self.strengths.clone(),
            not_shared: self.not_shared.clone(),
            transition_notes: self.transition_notes.clone(),
        }
    }
}

fn form_error(errs: Vec<(&'static str, String)>) -> AppError {
    let message = errs
        .iter()
        .map(|(_, m)| m.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    AppError::invalid(
        message,
        errs.into_iter()
            .map(|(f, m)| FieldProblem::new(f, m))
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct CreatedOut {
    pub id: i64,
}

/// Opens a plan; the caller joins its team.
#[utoipa::path(post, path = "/api/v1/recovery-plans", tag = "recovery", request_body = PlanIn,
    responses((status = 201, body = CreatedOut), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create(ctx: Ctx, ApiJson(n): ApiJson<PlanIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let fields = n.form().check(services.today()).map_err(form_error)?;
    let links = PlanLinks {
        case_id: n.case_id,
        episode_id: n.episode_id,
        report_id: n.report_id,
    };
    let id = services
        .open_plan(p, &fields, links, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

/// Updates a plan (its team or a supervisor).
#[utoipa::path(put, path = "/api/v1/recovery-plans/{id}", tag = "recovery", request_body = PlanIn, params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(n): ApiJson<PlanIn>,
) -> Result<StatusCode, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let fields = n.form().check(services.today()).map_err(form_error)?;
    services.update_plan(p, id, &fields, ctx.ip.clone()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct ReferralListQuery {
    /// The plan whose referrals to list.
    plan: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralList {
    pub referrals: Vec<ReferralOut>,
}

/// A plan's referrals (read as the plan is, and audited as its view).
#[utoipa::path(get, path = "/api/v1/referrals", tag = "recovery", params(ReferralListQuery),
    responses((status = 200, body = ReferralList), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn referrals(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ReferralListQuery>,
) -> Result<Json<ReferralList>, AppError> {
    let p = ctx.principal()?;
    let v = ctx
        .state
        .services
        .referrals_of_plan(p, q.plan, ctx.ip.clone())
        .await?;
    Ok(Json(ReferralList {
        referrals: v.iter().map(referral_out).collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReferralIn {
    pub plan_id: i64,
    /// The directory service's id.
    pub service_id: i64,
    /// The plan's need domain it answers.
    pub need: String,
    /// What is shared with the service (recorded in the audit).
    pub shared: String,
}

fn bad(field: &str, e: impl std::fmt::Display) -> AppError {
    AppError::invalid(
        format!("{field}: {e}"),
        vec![FieldProblem::new(field, e.to_string())],
    )
}

/// Refers the plan's young person to a service; the referral starts as `proposed`.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "recovery", request_body = ReferralIn,
    responses((status = 201, body = CreatedOut), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create_referral(
    ctx: Ctx,
    ApiJson(n): ApiJson<ReferralIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let need = PlanDomain::parse(&n.need).map_err(|e| bad("need", e))?;
    let id = ctx
        .state
        .services
        .create_referral(p, n.plan_id, n.service_id, need, &n.shared, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedOut { id })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct StatusIn {
    /// The new status (one of the referral's `next`).
    pub status: String,
    /// Why: required for every move.
    pub reason: String,
    /// What came of it: required when `completed`.
    #[serde(default)]
    pub outcome: String,
}

/// Moves a referral to its next status with a reason.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/status", tag = "recovery", request_body = StatusIn, params(("id" = i64, Path, description = "The referral's id")),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn move_referral(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(n): ApiJson<StatusIn>,
) -> Result<StatusCode, AppError> {
    let p = ctx.principal()?;
    let to = ReferralStatus::parse(&n.status).map_err(|e| bad("status", e))?;
    ctx.state
        .services
        .move_referral(p, id, to, &n.reason, &n.outcome, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Why a plan is closed.
#[derive(Deserialize, ToSchema)]
pub struct CloseIn {
    /// `goals_met`, `their_choice`, `transferred`, `moved_away`, `no_contact` or `other`.
    pub reason: String,
    /// For the team (kept with the plan's reviews); required with `other`.
    #[serde(default)]
    pub note: String,
}

/// Closes an open plan when the work with the young person ends (never because of age).
/// Its team may reopen it; after the retention period for closed plans it is deleted.
#[utoipa::path(post, path = "/api/v1/recovery-plans/{id}/close", tag = "recovery", request_body = CloseIn, params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn close(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(n): ApiJson<CloseIn>,
) -> Result<StatusCode, AppError> {
    let p = ctx.principal()?;
    let reason = ClosingReason::parse(&n.reason).map_err(|e| bad("reason", e))?;
    ctx.state
        .services
        .close_plan(p, id, reason.code(), &n.note, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reopens a closed plan.
#[utoipa::path(post, path = "/api/v1/recovery-plans/{id}/reopen", tag = "recovery", params(("id" = i64, Path, description = "The plan's id")),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reopen(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<StatusCode, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .reopen_plan(p, id, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
