//! Family advocacy and peer support over JSON: family cases (list, open, read, update),
//! their contact log, the matcher's proposals with reasons and their confirmation, and
//! volunteers' vetting and training records. The same use cases, policy and audit as the
//! pages; a volunteer reading a matched family gets the narrow view only.

use super::extract::{ApiJson, ApiPath};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::Role;
use serde::{Deserialize, Serialize};
use service::families::model::form::{ContactForm, FamilyForm, TrainingForm, VolunteerForm};
use service::families::model::model::{format_date, Coded, FamilyProfile};
use service::families::model::FormErrors;
use service::families::{ContactView, FamilyItem, NewFamilyCase, VolunteerView};
use time::OffsetDateTime;
use utoipa::ToSchema;

fn form_error(e: FormErrors) -> AppError {
    let message = e.to_string();
    let fields =
        e.0.into_iter()
            .map(|f| FieldProblem::new(f.field, f.message))
            .collect();
    AppError::invalid(message, fields)
}

/// A family case in a list.
#[derive(Serialize, ToSchema)]
pub struct FamilyItemOut {
    pub id: i64,
    pub family_name: String,
    /// `acute`, `high`, `moderate` or `low`.
    pub crisis: String,
    /// The kind of case: `runaway`, `family_abduction`, `non_family_abduction`,
    /// `trafficking`, `online_exploitation`, `long_term_missing`.
    pub experience: String,
    pub advocate: String,
    pub volunteer: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub opened_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub first_contact_due: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_contact_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_due: Option<OffsetDateTime>,
    pub closed: bool,
    pub first_contact_overdue: bool,
    pub follow_up_due: bool,
}

fn item(i: &FamilyItem) -> FamilyItemOut {
    FamilyItemOut {
        id: i.id,
        family_name: i.family_name.clone(),
        crisis: i.crisis.code().to_owned(),
        experience: i.experience.code().to_owned(),
        advocate: i.advocate_name.clone(),
        volunteer: i.volunteer_name.clone(),
        opened_at: utc(i.opened_at),
        first_contact_due: utc(i.first_contact_due),
        first_contact_at: i.first_contact_at.map(utc),
        next_due: i.next_due.map(utc),
        closed: i.closed_at.is_some(),
        first_contact_overdue: i.first_contact_overdue,
        follow_up_due: i.follow_up_due,
    }
}

/// The family's own details, as sent and as returned.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct FamilyIn {
    pub family_name: String,
    /// Each `{name, relationship}`.
    pub members: Vec<MemberIn>,
    pub contact_person: String,
    pub language: String,
    /// `weekday_mornings`, `weekday_afternoons`, `weekday_evenings`, `weekends`.
    pub times: Vec<String>,
    /// IANA name, e.g. `America/Chicago`.
    pub time_zone: String,
    pub safe_contact: String,
    pub their_words: String,
    /// `emotional_support`, `media`, `law_enforcement`, `reunification`, `travel`,
    /// `legal`, `siblings`.
    pub needs: Vec<String>,
    /// `acute` (first contact within 4 hours), `high` (12), `moderate` (24), `low` (48).
    pub crisis: String,
    pub experience: String,
    /// The only notes a matched volunteer sees.
    pub volunteer_notes: String,
}

#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
#[serde(default)]
pub struct MemberIn {
    pub name: String,
    pub relationship: String,
}

impl FamilyIn {
    fn check(&self) -> Result<FamilyProfile, AppError> {
        FamilyForm {
            family_name: self.family_name.clone(),
            members: self
                .members
                .iter()
                .map(|m| {
                    format!(
                        "{}, {}",
                        m.name.replace(['\n', ','], " "),
                        m.relationship.replace('\n', " ")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            contact_person: self.contact_person.clone(),
            language: self.language.clone(),
            times: self.times.clone(),
            time_zone: self.time_zone.clone(),
            safe_contact: self.safe_contact.clone(),
            their_words: self.their_words.clone(),
            needs: self.needs.clone(),
            crisis: self.crisis.clone(),
            experience: self.experience.clone(),
            volunteer_notes: self.volunteer_notes.clone(),
        }
        .check()
        .map_err(form_error)
    }

    fn of(p: &FamilyProfile) -> FamilyIn {
        FamilyIn {
            family_name: p.family_name.clone(),
            members: p
                .members
                .iter()
                .map(|m| MemberIn {
                    name: m.name.clone(),
                    relationship: m.relationship.clone(),
                })
                .collect(),
            contact_person: p.contact_person.clone(),
            language: p.language.clone(),
            times: p.times.iter().map(|t| t.code().to_owned()).collect(),
            time_zone: p.time_zone.clone(),
            safe_contact: p.safe_contact.clone(),
            their_words: p.their_words.clone(),
            needs: p.needs.iter().map(|n| n.code().to_owned()).collect(),
            crisis: p.crisis.code().to_owned(),
            experience: p.experience.code().to_owned(),
            volunteer_notes: p.volunteer_notes.clone(),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct NewFamilyIn {
    #[serde(flatten)]
    pub family: FamilyIn,
    /// A missing-child case you may see.
    pub case_id: Option<i64>,
    /// A report you may see.
    pub report_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactOut {
    pub id: i64,
    /// `call`, `message` or `meeting`.
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub by: String,
    /// Logged by the family's peer volunteer.
    pub by_volunteer: bool,
    pub with_whom: String,
    pub summary: String,
    pub next_step: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub next_due: Option<OffsetDateTime>,
}

fn contact(c: &ContactView) -> ContactOut {
    ContactOut {
        id: c.id,
        kind: c.kind.code().to_owned(),
        at: utc(c.at),
        by: c.by_name.clone(),
        by_volunteer: c.by_volunteer,
        with_whom: c.with_whom.clone(),
        summary: c.summary.clone(),
        next_step: c.next_step.clone(),
        next_due: c.next_due.map(utc),
    }
}

/// A family's case: in full for an advocate; for the matched volunteer only `id`,
/// `contact_person`, `language`, `times`, `time_zone`, `experience`, `notes` and their own
/// contacts.
#[derive(Serialize, ToSchema)]
pub struct FamilyOut {
    pub id: i64,
    pub item: Option<FamilyItemOut>,
    pub family: Option<FamilyIn>,
    /// The missing-child case's id, when you may see it.
    pub case_id: Option<i64>,
    pub report_id: Option<i64>,
    /// The close reason's code, when closed.
    pub close_reason: Option<String>,
    pub contact_person: String,
    pub language: String,
    pub times: Vec<String>,
    pub time_zone: String,
    pub experience: String,
    /// The advocate's notes for the volunteer.
    pub notes: String,
    pub contacts: Vec<ContactOut>,
}

/// Open family cases in your scope: first contacts due first, then follow-ups.
#[utoipa::path(get, path = "/api/v1/families", tag = "families",
    responses((status = 200, body = [FamilyItemOut]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(ctx: Ctx) -> Result<Json<Vec<FamilyItemOut>>, AppError> {
    let p = ctx.principal()?;
    let items = ctx.state.services.families(p, true).await?;
    crate::pages::audit_list(&ctx, "/api/v1/families", items.iter().map(|i| i.id)).await?;
    Ok(Json(items.iter().map(item).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct CreatedFamily {
    pub id: i64,
}

/// Opens a family's case with you as its advocate.
#[utoipa::path(post, path = "/api/v1/families", tag = "families", request_body = NewFamilyIn,
    responses((status = 201, body = CreatedFamily), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create(ctx: Ctx, ApiJson(n): ApiJson<NewFamilyIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let profile = n.family.check()?;
    let id = ctx
        .state
        .services
        .open_family(
            p,
            NewFamilyCase {
                profile,
                case_id: n.case_id,
                report_id: n.report_id,
            },
            ctx.ip.clone(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CreatedFamily { id })).into_response())
}

/// One family's case (a volunteer: only a family matched with them, narrowed).
#[utoipa::path(get, path = "/api/v1/families/{id}", tag = "families", params(("id" = i64, Path, description = "The family case's id")),
    responses((status = 200, body = FamilyOut), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Json<FamilyOut>, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    if p.role == Role::Volunteer {
        let f = s.volunteer_family(p, id, ctx.ip.clone()).await?;
        return Ok(Json(FamilyOut {
            id: f.id,
            item: None,
            family: None,
            case_id: None,
            report_id: None,
            close_reason: None,
            contact_person: f.contact_person,
            language: f.language,
            times: f.times.iter().map(|t| t.code().to_owned()).collect(),
            time_zone: f.time_zone,
            experience: f.experience.code().to_owned(),
            notes: f.notes,
            contacts: f.contacts.iter().map(contact).collect(),
        }));
    }
    let v = s.family(p, id).await?;
    let pr = &v.profile;
    Ok(Json(FamilyOut {
        id,
        item: Some(item(&v.item)),
        family: Some(FamilyIn::of(pr)),
        case_id: v.case.as_ref().map(|c| c.0),
        report_id: v.report_id,
        close_reason: v.close_reason.map(|r| r.code().to_owned()),
        contact_person: pr.contact_person.clone(),
        language: pr.language.clone(),
        times: pr.times.iter().map(|t| t.code().to_owned()).collect(),
        time_zone: pr.time_zone.clone(),
        experience: pr.experience.code().to_owned(),
        notes: pr.volunteer_notes.clone(),
        contacts: v.contacts.iter().map(contact).collect(),
    }))
}

/// Replaces the family's details.
#[utoipa::path(put, path = "/api/v1/families/{id}", tag = "families", request_body = FamilyIn, params(("id" = i64, Path, description = "The family case's id")),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<FamilyIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let profile = f.check()?;
    ctx.state
        .services
        .update_family(p, id, profile, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The contact log, latest first (a volunteer: their own entries).
#[utoipa::path(get, path = "/api/v1/families/{id}/contacts", tag = "families", params(("id" = i64, Path, description = "The family case's id")),
    responses((status = 200, body = [ContactOut]), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn contacts(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ContactOut>>, AppError> {
    let p = ctx.principal()?;
    let cs = ctx
        .state
        .services
        .family_contacts(p, id, ctx.ip.clone())
        .await?;
    Ok(Json(cs.iter().map(contact).collect()))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ContactIn {
    /// `call`, `message` or `meeting`.
    pub kind: String,
    /// `YYYY-MM-DDTHH:MM` in UTC; now when left out.
    pub at: String,
    pub with_whom: String,
    pub summary: String,
    pub next_step: String,
    /// `YYYY-MM-DD`; required with a next step.
    pub next_due: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedContact {
    pub id: i64,
}

/// Logs a call, message or meeting (an advocate, or the family's matched volunteer).
#[utoipa::path(post, path = "/api/v1/families/{id}/contacts", tag = "families", request_body = ContactIn, params(("id" = i64, Path, description = "The family case's id")),
    responses((status = 201, body = CreatedContact), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn add_contact(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<ContactIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let entry = ContactForm {
        kind: c.kind,
        at: c.at,
        with_whom: c.with_whom,
        summary: c.summary,
        next_step: c.next_step,
        next_due: c.next_due,
    }
    .check(s.now())
    .map_err(form_error)?;
    let cid = s.log_contact(p, id, entry, ctx.ip.clone()).await?;
    Ok((StatusCode::CREATED, Json(CreatedContact { id: cid })).into_response())
}

/// A volunteer proposed for the family, with the reasons.
#[derive(Serialize, ToSchema)]
pub struct ProposalOut {
    pub volunteer_id: i64,
    pub name: String,
    /// Why, in words: the same kind of case, language, time zone, times, current load.
    pub reasons: Vec<String>,
}

/// Volunteers proposed for the family, best first. Lapsed volunteers are never proposed.
#[utoipa::path(get, path = "/api/v1/families/{id}/matches", tag = "families", params(("id" = i64, Path, description = "The family case's id")),
    responses((status = 200, body = [ProposalOut]), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn matches(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ProposalOut>>, AppError> {
    let p = ctx.principal()?;
    let ps = ctx.state.services.match_proposals(p, id).await?;
    Ok(Json(
        ps.into_iter()
            .map(|m| ProposalOut {
                volunteer_id: m.volunteer_id,
                name: m.name,
                reasons: m.reasons,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ConfirmIn {
    /// One of the volunteers proposed.
    pub volunteer_id: Option<i64>,
}

/// Confirms a proposed volunteer for the family.
#[utoipa::path(post, path = "/api/v1/families/{id}/matches", tag = "families", request_body = ConfirmIn, params(("id" = i64, Path, description = "The family case's id")),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn confirm(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(c): ApiJson<ConfirmIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let v = c.volunteer_id.ok_or_else(|| {
        AppError::invalid(
            "volunteer_id: give the id of one of the volunteers proposed",
            vec![FieldProblem::new(
                "volunteer_id",
                "give the id of one of the volunteers proposed",
            )],
        )
    })?;
    ctx.state
        .services
        .confirm_match(p, id, v, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Serialize, ToSchema)]
pub struct TrainingOut {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub completed_on: String,
    pub renewal_due: String,
}

#[derive(Serialize, ToSchema)]
pub struct VolunteerOut {
    pub id: i64,
    pub username: String,
    pub name: String,
    /// `YYYY-MM-DD`, when recorded.
    pub check_date: Option<String>,
    /// `passed`, `failed` or `pending`.
    pub check_result: Option<String>,
    pub trainings: Vec<TrainingOut>,
    pub availability: Vec<String>,
    pub languages: Vec<String>,
    pub time_zone: String,
    pub experiences: Vec<String>,
    /// Why they are not proposed to families; empty when they may be.
    pub lapses: Vec<String>,
    /// Open families they support.
    pub families: i64,
}

fn volunteer_out(v: VolunteerView) -> VolunteerOut {
    let p = v.profile;
    VolunteerOut {
        id: v.user_id,
        username: v.username,
        name: v.display_name,
        check_date: p.vetting.map(|x| format_date(x.checked_on)),
        check_result: p.vetting.map(|x| x.result.code().to_owned()),
        trainings: p
            .trainings
            .iter()
            .map(|t| TrainingOut {
                name: t.name.clone(),
                completed_on: format_date(t.completed_on),
                renewal_due: format_date(t.renewal_due),
            })
            .collect(),
        availability: p.availability.iter().map(|s| s.code().to_owned()).collect(),
        languages: p.languages,
        time_zone: p.time_zone,
        experiences: p.experiences.iter().map(|e| e.code().to_owned()).collect(),
        lapses: v.lapses,
        families: v.load,
    }
}

/// Every volunteer account with its records (supervisors).
#[utoipa::path(get, path = "/api/v1/volunteers", tag = "families",
    responses((status = 200, body = [VolunteerOut]), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn volunteers(ctx: Ctx) -> Result<Json<Vec<VolunteerOut>>, AppError> {
    let p = ctx.principal()?;
    let vs = ctx.state.services.volunteers(p).await?;
    Ok(Json(vs.into_iter().map(volunteer_out).collect()))
}

/// One volunteer's records.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "families", params(("id" = i64, Path, description = "The volunteer's account id")),
    responses((status = 200, body = VolunteerOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn volunteer(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<VolunteerOut>, AppError> {
    let p = ctx.principal()?;
    Ok(Json(volunteer_out(
        ctx.state.services.volunteer(p, id).await?,
    )))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct VolunteerIn {
    /// The account (role volunteer) the records are for.
    pub user_id: Option<i64>,
    pub languages: Vec<String>,
    pub time_zone: String,
    pub availability: Vec<String>,
    pub experiences: Vec<String>,
    /// `YYYY-MM-DD`.
    pub check_date: String,
    /// `passed`, `failed` or `pending`.
    pub check_result: String,
}

/// Records (or replaces) a volunteer account's vetting, availability, languages, time zone
/// and lived experience; trainings are kept and added one at a time.
#[utoipa::path(post, path = "/api/v1/volunteers", tag = "families", request_body = VolunteerIn,
    responses((status = 200, body = VolunteerOut), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn save_volunteer(
    ctx: Ctx,
    ApiJson(v): ApiJson<VolunteerIn>,
) -> Result<Json<VolunteerOut>, AppError> {
    let p = ctx.principal()?;
    let id = v.user_id.ok_or_else(|| {
        AppError::invalid(
            "user_id: give the volunteer's account id",
            vec![FieldProblem::new(
                "user_id",
                "give the volunteer's account id",
            )],
        )
    })?;
    let profile = VolunteerForm {
        languages: v.languages.join(","),
        time_zone: v.time_zone,
        availability: v.availability,
        experiences: v.experiences,
        check_date: v.check_date,
        check_result: v.check_result,
    }
    .check(Vec::new())
    .map_err(form_error)?;
    let s = &ctx.state.services;
    s.save_volunteer(p, id, profile, ctx.ip.clone()).await?;
    Ok(Json(volunteer_out(s.volunteer(p, id).await?)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct TrainingIn {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub completed_on: String,
    /// `YYYY-MM-DD`; a year after completion when left out.
    pub renewal_due: String,
}

/// Adds a completed training to a volunteer's records.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/trainings", tag = "families", request_body = TrainingIn, params(("id" = i64, Path, description = "The volunteer's account id")),
    responses((status = 200, body = VolunteerOut), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn add_training(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(t): ApiJson<TrainingIn>,
) -> Result<Json<VolunteerOut>, AppError> {
    let p = ctx.principal()?;
    let training = TrainingForm {
        name: t.name,
        completed_on: t.completed_on,
        renewal_due: t.renewal_due,
    }
    .check()
    .map_err(form_error)?;
    let s = &ctx.state.services;
    s.add_training(p, id, training, ctx.ip.clone()).await?;
    Ok(Json(volunteer_out(s.volunteer(p, id).await?)))
}
