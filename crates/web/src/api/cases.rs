//! Missing-child cases over JSON: the list (filters, paging), one case with its flags and
//! their reasons, its episodes, reporting a child missing or missing again, and the poster
//! (PDF) of a case marked for publication. The same use cases, policy and audit as the pages.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ctx::Ctx;
use crate::error::Problem;
use crate::error::{AppError, FieldProblem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use casework::model::iso;
use casework::{ChildForm, Circumstance, EpisodeForm, GuardianForm};
use domain::{AssigneeFilter, CaseId, CaseStatus};
use serde::{Deserialize, Serialize};
use service::cases::{CaseForm, CaseItem, CaseQuery, IdentifiersForm, StoredEpisode};
use utoipa::{IntoParams, ToSchema};

/// A case in a list.
#[derive(Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: i64,
    /// The case number people read: `CH-` and the id, six digits at least.
    pub case_number: String,
    /// An imported case's own id in the file it came from, when it differs.
    pub imported_id: Option<String>,
    pub child_name: String,
    /// `needs_review`, `open` or `closed`.
    pub status: String,
    /// `immediate`, `high`, `normal`, `low`, or `not_assessed`.
    pub priority: String,
    pub score: f64,
    pub missing_from_care: bool,
    pub currently_missing: bool,
    /// `YYYY-MM-DD`, while the child is missing.
    pub missing_since: Option<String>,
    /// Where the child was last seen (USPS code).
    pub last_seen_state: Option<String>,
    /// The latest episode's circumstance.
    pub circumstance: String,
    pub episodes: i64,
    pub open_alerts: i64,
    pub published: bool,
    /// The child-welfare agency whose child it is.
    pub owner_organisation_id: Option<i64>,
    pub assignee_user_id: Option<i64>,
}

impl From<&CaseItem> for CaseSummary {
    fn from(r: &CaseItem) -> Self {
        CaseSummary {
            id: r.id,
            case_number: r.case_number.clone(),
            imported_id: r.imported_id.clone(),
            child_name: r.child_name.clone(),
            status: r.status.as_str().to_owned(),
            priority: super::priority_name(r.priority_rank).to_owned(),
            score: r.score_milli as f64 / 1000.0,
            missing_from_care: r.missing_from_care,
            currently_missing: r.currently_missing,
            missing_since: r.missing_since.clone(),
            last_seen_state: r.last_seen_state.clone(),
            circumstance: r.circumstance.clone(),
            episodes: r.episodes,
            open_alerts: r.open_alerts,
            published: r.published,
            owner_organisation_id: r.owner_org.map(|o| o.0),
            assignee_user_id: r.assignee.map(|u| u.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CaseListQuery {
    /// Words in the child's name, other names or the case number.
    q: Option<String>,
    /// `needs_review`, `open` or `closed` (without it, closed cases are left out).
    status: Option<String>,
    /// e.g. `endangered_runaway`, `missing_from_care`.
    circumstance: Option<String>,
    /// Where the child was last seen (USPS code).
    state: Option<String>,
    missing_from_care: Option<bool>,
    currently_missing: Option<bool>,
    /// `none`, `me`, or a username.
    assignee: Option<String>,
    with_open_alerts: Option<bool>,
    /// `immediate`, `high`, `normal` or `low`.
    priority: Option<String>,
    /// 1-based.
    page: Option<i64>,
    /// At most 200.
    per_page: Option<i64>,
}

/// Cases you may see: the hotline all, a caseworker their agency's, an investigator those
/// made available to their agency. Children missing now first, then the most urgent, then
/// the most recent.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery),
    responses((status = 200, body = CaseList), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<CaseListQuery>,
) -> Result<Json<CaseList>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let assignee = match q.assignee.as_deref().unwrap_or_default() {
        "" => AssigneeFilter::Anyone,
        "none" => AssigneeFilter::Unassigned,
        "me" => AssigneeFilter::User(p.user_id),
        name => services
            .case_assignees(p)
            .await?
            .into_iter()
            .find(|a| a.1 == name)
            .map_or(AssigneeFilter::Unassigned, |a| AssigneeFilter::User(a.0)),
    };
    // The query parameter is named as the value it holds: `status`, `circumstance`, …
    let unknown = |what: &str, v: &str| {
        let detail = format!("{v:?} is not a {what} this API knows");
        AppError::invalid(
            format!("the query parameter `{what}`: {detail}"),
            vec![FieldProblem::new(what, detail)],
        )
    };
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(CaseStatus::parse(s).ok_or_else(|| unknown("status", s))?),
        None => None,
    };
    let circumstance = match q.circumstance.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            Circumstance::parse(s)
                .map_err(|_| unknown("circumstance", s))?
                .id()
                .to_owned(),
        ),
        None => None,
    };
    let priority_rank = match q.priority.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(i64::from(
            triage::Priority::parse(s)
                .ok_or_else(|| unknown("priority", s))?
                .rank(),
        )),
        None => None,
    };
    let filter = CaseQuery {
        status,
        circumstance,
        state: q
            .state
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty()),
        missing_from_care: q.missing_from_care.unwrap_or(false),
        currently_missing: q.currently_missing.unwrap_or(false),
        assignee,
        with_open_alerts: q.with_open_alerts.unwrap_or(false),
        priority_rank,
        words: q
            .q
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        ..CaseQuery::default()
    };
    let page = services
        .cases(p, &filter, q.page.unwrap_or(1), q.per_page.unwrap_or(50))
        .await?;
    crate::pages::audit_list(&ctx, "/api/v1/cases", page.items.iter().map(|c| c.id)).await?;
    Ok(Json(CaseList {
        cases: page.items.iter().map(CaseSummary::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// A flag, always with its reason.
#[derive(Serialize, ToSchema)]
pub struct Flag {
    /// `currently_missing`, `chronically_missing`, `missing_from_care`,
    /// `repeat_runaway_from_care`, `age_band`, `risk_factor:<indicator>` or
    /// `victim_indicator:<indicator>`.
    pub id: String,
    pub label: String,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Guardian {
    pub name: String,
    pub relation: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Agency {
    pub name: String,
    pub caseworker: String,
    pub caseworker_phone: Option<String>,
    pub caseworker_email: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Child {
    pub name: String,
    pub aliases: Vec<String>,
    pub date_of_birth: Option<String>,
    /// From the date of birth, or from an age given on a day.
    pub age_now: Option<u32>,
    /// How the age was worked out.
    pub age_basis: Option<String>,
    pub sex: Option<String>,
    pub description: String,
    /// `family`, `foster_care`, `group_home` or `other_agency`.
    pub custody: String,
    pub guardians: Vec<Guardian>,
    pub agency: Option<Agency>,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub handles: Vec<String>,
    pub photos: usize,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    /// `YYYY-MM-DD`.
    pub on: String,
    /// `missing`, `recovered`, `report` or `alert`.
    pub kind: String,
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct Alert {
    pub id: i64,
    /// `report`, `ad` or `case`.
    pub source_kind: String,
    pub source_id: i64,
    /// `phone`, `email`, `handle` or `person`.
    pub reason: String,
    pub value: String,
    pub evidence: Vec<String>,
    /// When the alert was raised (RFC 3339, UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub raised_at: time::OffsetDateTime,
    pub dismissed: bool,
    pub dismiss_reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub summary: CaseSummary,
    pub child: Child,
    pub flags: Vec<Flag>,
    /// Why the priority; the first line says which rule decided it.
    pub priority_reasons: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    /// Only for the hotline's analysts and supervisors.
    pub alerts: Option<Vec<Alert>>,
    pub consent_given_by: Option<String>,
    pub consent_recorded_on: Option<String>,
}

/// One case with its flags and their reasons, the priority's reasons and the timeline.
/// Audited as a view.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path, description = "The case's id")),
    responses((status = 200, body = CaseDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<CaseId>) -> Result<Json<CaseDetail>, AppError> {
    let p = ctx.principal()?;
    let d = ctx
        .state
        .services
        .case_detail(p, id, ctx.ip.clone())
        .await?;
    let c = &d.file.child;
    let age = c.age_on(d.today);
    Ok(Json(CaseDetail {
        summary: CaseSummary::from(&d.case),
        child: Child {
            name: c.name.clone(),
            aliases: c.aliases.clone(),
            date_of_birth: c.date_of_birth.map(iso),
            age_now: age.map(|a| a.years),
            age_basis: age.map(|a| a.explain()),
            sex: c.sex.map(|s| s.label().to_owned()),
            description: c.description.clone(),
            custody: c.custody.id().to_owned(),
            guardians: c
                .guardians
                .iter()
                .map(|g| Guardian {
                    name: g.name.clone(),
                    relation: g.relation.clone(),
                    phone: g.phone.clone(),
                    email: g.email.clone(),
                })
                .collect(),
            agency: c.agency.as_ref().map(|a| Agency {
                name: a.name.clone(),
                caseworker: a.caseworker.name.clone(),
                caseworker_phone: a.caseworker.phone.clone(),
                caseworker_email: a.caseworker.email.clone(),
            }),
            phones: d.file.identifiers.phones.clone(),
            emails: d.file.identifiers.emails.clone(),
            handles: d.file.identifiers.handles.clone(),
            photos: c.photos.len(),
        },
        flags: d
            .flags
            .iter()
            .map(|f| Flag {
                id: f.id.clone(),
                label: f.label.clone(),
                reason: f.reason.clone(),
            })
            .collect(),
        priority_reasons: d.assessment.reasons.clone(),
        timeline: d
            .timeline
            .iter()
            .map(|t| TimelineEntry {
                on: iso(t.on),
                kind: match t.kind {
                    casework::TimelineKind::Missing => "missing",
                    casework::TimelineKind::Recovered => "recovered",
                    casework::TimelineKind::Report(_) => "report",
                    casework::TimelineKind::Alert(_) => "alert",
                }
                .to_owned(),
                text: t.text.clone(),
            })
            .collect(),
        alerts: d.alerts.as_ref().map(|list| {
            list.iter()
                .map(|a| Alert {
                    id: a.id,
                    source_kind: a.source.kind.as_str().to_owned(),
                    source_id: a.source.id,
                    reason: a.reason.clone(),
                    value: a.value.clone(),
                    evidence: a.evidence.clone(),
                    raised_at: super::utc(a.created_at),
                    dismissed: a.dismissed_at.is_some(),
                    dismiss_reason: a.dismiss_reason.clone(),
                })
                .collect()
        }),
        consent_given_by: d.case.consent_given_by.clone().filter(|_| d.case.published),
        consent_recorded_on: d
            .case
            .consent_recorded_on
            .clone()
            .filter(|_| d.case.published),
    }))
}

/// One missing episode.
#[derive(Serialize, ToSchema)]
pub struct EpisodeOut {
    pub id: i64,
    /// `YYYY-MM-DD`.
    pub reported_on: String,
    pub last_seen_on: Option<String>,
    pub last_seen_city: String,
    pub last_seen_state: String,
    pub circumstance: String,
    pub reported_by: String,
    /// What is known about the circumstances.
    pub narrative: String,
    pub recovered_on: Option<String>,
    pub recovery_city: Option<String>,
    pub recovery_state: Option<String>,
    pub recovery_how: Option<String>,
}

impl From<&StoredEpisode> for EpisodeOut {
    fn from(s: &StoredEpisode) -> Self {
        let e = &s.episode;
        let r = e.recovered.as_ref();
        EpisodeOut {
            id: s.id,
            reported_on: iso(e.reported_on),
            last_seen_on: e.last_seen_on.map(iso),
            last_seen_city: e.last_seen_place.city.clone(),
            last_seen_state: e.last_seen_place.state.clone(),
            circumstance: e.circumstance.id().to_owned(),
            reported_by: e.reported_by.clone(),
            narrative: s.narrative.clone(),
            recovered_on: r.map(|r| iso(r.on)),
            recovery_city: r.and_then(|r| r.place.as_ref()).map(|p| p.city.clone()),
            recovery_state: r.and_then(|r| r.place.as_ref()).map(|p| p.state.clone()),
            recovery_how: r.map(|r| r.how.clone()),
        }
    }
}

/// A case's episodes, oldest report first. Audited as a view.
#[utoipa::path(get, path = "/api/v1/cases/{id}/episodes", tag = "cases", params(("id" = i64, Path, description = "The case's id")),
    responses((status = 200, body = [EpisodeOut]), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn episodes(
    ctx: Ctx,
    ApiPath(id): ApiPath<CaseId>,
) -> Result<Json<Vec<EpisodeOut>>, AppError> {
    let p = ctx.principal()?;
    let (_, eps) = ctx
        .state
        .services
        .case_episodes(p, id, ctx.ip.clone())
        .await?;
    Ok(Json(eps.iter().map(EpisodeOut::from).collect()))
}

/// An episode as sent: the form's fields, dates as `YYYY-MM-DD`. Leave the recovery
/// fields out while the child is missing.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EpisodeIn {
    pub reported_on: String,
    pub last_seen_on: String,
    pub last_seen_city: String,
    pub last_seen_state: String,
    /// `endangered_runaway`, `family_abduction`, `non_family_abduction`,
    /// `lost_injured_otherwise_missing` or `missing_from_care`.
    pub circumstance: String,
    pub reported_by: String,
    pub narrative: String,
    pub recovered_on: String,
    pub recovery_city: String,
    pub recovery_state: String,
    pub recovery_how: String,
}

impl EpisodeIn {
    fn form(&self) -> EpisodeForm {
        EpisodeForm {
            reported_on: self.reported_on.clone(),
            last_seen_on: self.last_seen_on.clone(),
            last_seen_city: self.last_seen_city.clone(),
            last_seen_state: self.last_seen_state.clone(),
            circumstance: self.circumstance.clone(),
            reported_by: self.reported_by.clone(),
            recovered_on: self.recovered_on.clone(),
            recovery_city: self.recovery_city.clone(),
            recovery_state: self.recovery_state.clone(),
            recovery_how: self.recovery_how.clone(),
        }
    }
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct GuardianIn {
    pub name: String,
    pub relation: String,
    pub phone: String,
    pub email: String,
}

/// The child as sent: the form's fields.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ChildIn {
    pub name: String,
    pub aliases: Vec<String>,
    pub date_of_birth: String,
    /// When the date of birth is unknown.
    pub age: Option<u32>,
    /// The day the age was given; today when empty.
    pub age_as_of: String,
    /// `female` or `male`.
    pub sex: String,
    pub description: String,
    /// `family`, `foster_care`, `group_home` or `other_agency`.
    pub custody: String,
    pub guardians: Vec<GuardianIn>,
    pub agency_name: String,
    pub caseworker_name: String,
    pub caseworker_phone: String,
    pub caseworker_email: String,
    pub phones: Vec<String>,
    pub emails: Vec<String>,
    pub handles: Vec<String>,
}

/// A child reported missing.
#[derive(Deserialize, ToSchema)]
pub struct NewCase {
    pub child: ChildIn,
    pub episode: EpisodeIn,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
    pub case_number: String,
}

/// Reports a child missing: a new case with its current episode. A caseworker's case
/// belongs to their agency and waits for the hotline's review.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create(ctx: Ctx, ApiJson(n): ApiJson<NewCase>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let c = n.child;
    let form = CaseForm {
        child: ChildForm {
            name: c.name,
            aliases: c.aliases.join("\n"),
            date_of_birth: c.date_of_birth,
            age: c.age.map(|a| a.to_string()).unwrap_or_default(),
            age_as_of: c.age_as_of,
            sex: c.sex,
            description: c.description,
            custody: c.custody,
            guardians: c
                .guardians
                .into_iter()
                .map(|g| GuardianForm {
                    name: g.name,
                    relation: g.relation,
                    phone: g.phone,
                    email: g.email,
                })
                .collect(),
            agency_name: c.agency_name,
            caseworker_name: c.caseworker_name,
            caseworker_phone: c.caseworker_phone,
            caseworker_email: c.caseworker_email,
        },
        identifiers: IdentifiersForm {
            child_phones: c.phones.join("\n"),
            child_emails: c.emails.join("\n"),
            child_handles: c.handles.join("\n"),
        },
        episode: n.episode.form(),
        narrative: n.episode.narrative.clone(),
    };
    match ctx
        .state
        .services
        .report_missing_child(p, &form, ctx.ip.clone())
        .await
    {
        Ok((id, case_number)) => Ok((
            StatusCode::CREATED,
            Json(Created {
                id: id.0,
                case_number,
            }),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EpisodeCreated {
    pub id: i64,
}

/// Reports the child missing again, or records an earlier episode with its recovery.
#[utoipa::path(post, path = "/api/v1/cases/{id}/episodes", tag = "cases", request_body = EpisodeIn,
    params(("id" = i64, Path, description = "The case's id")),
    responses((status = 201, body = EpisodeCreated), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn add_episode(
    ctx: Ctx,
    ApiPath(id): ApiPath<CaseId>,
    ApiJson(e): ApiJson<EpisodeIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    match ctx
        .state
        .services
        .add_episode(p, id, &e.form(), &e.narrative, ctx.ip.clone())
        .await
    {
        Ok(eid) => Ok((StatusCode::CREATED, Json(EpisodeCreated { id: eid })).into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The recovery of an episode as sent, dates as `YYYY-MM-DD`.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RecoveryIn {
    pub recovered_on: String,
    pub recovery_city: String,
    pub recovery_state: String,
    pub recovery_how: String,
    /// Open the young person's recovery plan in the same transaction (you join its team;
    /// its first review is due in 14 days). Ignored when you may not open plans or the
    /// episode already has one.
    pub open_plan: bool,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RecoveryRecorded {
    /// The recovery plan opened with it, if one was.
    pub plan_id: Option<i64>,
}

/// Records how an episode ended, and opens the young person's recovery plan when asked.
#[utoipa::path(post, path = "/api/v1/cases/{id}/episodes/{episode_id}/recovery", tag = "cases", request_body = RecoveryIn,
    params(("id" = i64, Path, description = "The case's id"), ("episode_id" = i64, Path, description = "The episode's id")),
    responses((status = 200, body = RecoveryRecorded), (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn record_recovery(
    ctx: Ctx,
    ApiPath((id, episode_id)): ApiPath<(CaseId, domain::EpisodeId)>,
    ApiJson(r): ApiJson<RecoveryIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let form = service::cases::RecoveryForm {
        recovered_on: r.recovered_on,
        recovery_city: r.recovery_city,
        recovery_state: r.recovery_state,
        recovery_how: r.recovery_how,
    };
    let plan_id = ctx
        .state
        .services
        .record_recovery(p, id, episode_id, &form, r.open_plan, ctx.ip.clone())
        .await?;
    Ok(Json(RecoveryRecorded { plan_id }).into_response())
}

/// The poster of a case marked for publication, as a printable PDF: the photo, name, age
/// now, missing since, from where, the description, the case number and the hotline.
/// Nothing else from the case. Audited as a view.
#[utoipa::path(get, path = "/api/v1/cases/{id}/poster", tag = "cases", params(("id" = i64, Path, description = "The case's id")),
    responses((status = 200, description = "The poster", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn poster(ctx: Ctx, ApiPath(id): ApiPath<CaseId>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let poster = ctx
        .state
        .services
        .case_poster(p, id, ctx.ip.clone())
        .await?;
    Ok(crate::pages::cases::pdf_response(&poster, id))
}
