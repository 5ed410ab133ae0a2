//! Partner organisations and their awareness events over JSON (issue 22): the same use
//! cases, policy and audit as the `/partners` pages. The public poster feeds are not here:
//! they are public pages (`/posters/feed.atom`, `/posters/feed.json`) in standard formats.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use service::awareness::model::{Contact, EventForm, FormErrors, PartnerForm, PartnerKind};
use service::awareness::{EventView, PartnerItem, PartnerQuery};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

fn form_error(e: FormErrors) -> AppError {
    let message = e.to_string();
    let fields =
        e.0.into_iter()
            .map(|f| FieldProblem::new(f.field, f.message))
            .collect();
    AppError::invalid(message, fields)
}

/// Someone to talk to at a partner.
#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
#[serde(default)]
pub struct ContactIo {
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
}

/// A partner's details, as sent and as returned.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct PartnerIn {
    pub name: String,
    /// `club`, `company`, `school` or `other`.
    pub kind: String,
    /// At least one, each with an email address or a phone number.
    pub contacts: Vec<ContactIo>,
    /// Two-letter codes of the states where the partner works (at least one).
    pub states: Vec<String>,
    /// Two-letter codes of the states whose poster feed the partner republishes.
    pub feed_states: Vec<String>,
    pub notes: String,
}

impl PartnerIn {
    fn form(&self) -> PartnerForm {
        PartnerForm {
            name: self.name.clone(),
            kind: self.kind.clone(),
            contacts: self
                .contacts
                .iter()
                .map(|c| Contact {
                    name: c.name.clone(),
                    role: c.role.clone(),
                    email: c.email.clone(),
                    phone: c.phone.clone(),
                })
                .collect(),
            states: self.states.join(" "),
            feed_states: self.feed_states.join(" "),
            notes: self.notes.clone(),
        }
    }
}

/// A partner organisation.
#[derive(Serialize, ToSchema)]
pub struct PartnerOut {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub contacts: Vec<ContactIo>,
    pub states: Vec<String>,
    pub feed_states: Vec<String>,
    pub notes: String,
    /// How many awareness events are recorded.
    pub events: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

fn partner_out(i: PartnerItem) -> PartnerOut {
    PartnerOut {
        id: i.id,
        kind: i.partner.kind.code().to_owned(),
        contacts: i
            .partner
            .contacts
            .into_iter()
            .map(|c| ContactIo {
                name: c.name,
                role: c.role,
                email: c.email,
                phone: c.phone,
            })
            .collect(),
        name: i.partner.name,
        states: i.partner.states,
        feed_states: i.partner.feed_states,
        notes: i.partner.notes,
        events: i.events,
        updated_at: utc(i.updated_at),
    }
}

/// An awareness event, as sent and as returned (`id` and `partner_*` only returned).
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EventIo {
    #[serde(skip_deserializing)]
    pub id: i64,
    #[serde(skip_deserializing)]
    pub partner_id: i64,
    #[serde(skip_deserializing)]
    pub partner_name: String,
    /// `YYYY-MM-DD`
    pub held_on: String,
    pub place: String,
    /// Who it was for, and about how many.
    pub audience: String,
    /// What the hotline sent: posters, leaflets, slides.
    pub materials: String,
}

fn event_out(e: EventView) -> EventIo {
    EventIo {
        id: e.id,
        partner_id: e.partner_id,
        partner_name: e.partner_name,
        held_on: e.held_on,
        place: e.place,
        audience: e.audience,
        materials: e.materials,
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PartnerListQuery {
    /// Words in the name.
    q: Option<String>,
    /// A state the partner works in (two-letter code).
    state: Option<String>,
    /// `club`, `company`, `school` or `other`.
    kind: Option<String>,
    /// Only partners taking this state's poster feed.
    feed_state: Option<String>,
    /// 1-based; 25 a page.
    page: Option<i64>,
}

/// A page of partners.
#[derive(Serialize, ToSchema)]
pub struct PartnerList {
    pub total: i64,
    pub page: i64,
    pub partners: Vec<PartnerOut>,
}

fn state_param(field: &str, v: Option<String>) -> Result<Option<String>, AppError> {
    let Some(v) = v
        .map(|s| s.trim().to_ascii_uppercase())
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    if service::awareness::model::STATE_CODES.contains(&v.as_str()) {
        Ok(Some(v))
    } else {
        let m = "not a US state or territory code; use a two-letter code such as TX";
        Err(AppError::invalid(m, vec![FieldProblem::new(field, m)]))
    }
}

/// Partner organisations by name.
#[utoipa::path(get, path = "/api/v1/partners", tag = "partners", params(PartnerListQuery),
    responses((status = 200, body = PartnerList), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<PartnerListQuery>,
) -> Result<Json<PartnerList>, AppError> {
    let p = ctx.principal()?;
    let kind = match q.kind.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(PartnerKind::parse(k).ok_or_else(|| {
            let m = "use club, company, school or other";
            AppError::invalid(m, vec![FieldProblem::new("kind", m)])
        })?),
    };
    let page = q.page.unwrap_or(1).max(1);
    let query = PartnerQuery {
        name: q.q.unwrap_or_default(),
        state: state_param("state", q.state)?,
        kind,
        feed_state: state_param("feed_state", q.feed_state)?,
        page,
    };
    let (items, total) = ctx.state.services.partners(p, &query).await?;
    Ok(Json(PartnerList {
        total,
        page,
        partners: items.into_iter().map(partner_out).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Adds a partner organisation.
#[utoipa::path(post, path = "/api/v1/partners", tag = "partners", request_body = PartnerIn,
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create(ctx: Ctx, ApiJson(n): ApiJson<PartnerIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let partner = n.form().check().map_err(form_error)?;
    let id = ctx
        .state
        .services
        .create_partner(p, &partner, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

/// A partner with its events, latest first.
#[derive(Serialize, ToSchema)]
pub struct PartnerDetail {
    #[serde(flatten)]
    pub partner: PartnerOut,
    pub event_list: Vec<EventIo>,
}

/// One partner organisation and its events.
#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "partners", params(("id" = i64, Path, description = "The partner's id")),
    responses((status = 200, body = PartnerDetail), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Json<PartnerDetail>, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.partner(p, id).await?;
    Ok(Json(PartnerDetail {
        partner: partner_out(v.item),
        event_list: v.events.into_iter().map(event_out).collect(),
    }))
}

/// Replaces a partner's details (its events stay).
#[utoipa::path(put, path = "/api/v1/partners/{id}", tag = "partners", request_body = PartnerIn, params(("id" = i64, Path, description = "The partner's id")),
    responses((status = 204), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(n): ApiJson<PartnerIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let partner = n.form().check().map_err(form_error)?;
    ctx.state
        .services
        .update_partner(p, id, &partner, ctx.ip.clone())
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Records an awareness event of a partner.
#[utoipa::path(post, path = "/api/v1/partners/{id}/events", tag = "partners", request_body = EventIo, params(("id" = i64, Path, description = "The partner's id")),
    responses((status = 201, body = Created), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn add_event(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(e): ApiJson<EventIo>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let event = EventForm {
        held_on: e.held_on,
        place: e.place,
        audience: e.audience,
        materials: e.materials,
    }
    .check()
    .map_err(form_error)?;
    let eid = ctx
        .state
        .services
        .add_partner_event(p, id, &event, ctx.ip.clone())
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: eid })).into_response())
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct EventListQuery {
    /// Only events on or after this date (`YYYY-MM-DD`).
    from: Option<String>,
    /// 1-based; 100 a page.
    page: Option<i64>,
}

/// Every partner's awareness events, latest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "partners", params(EventListQuery),
    responses((status = 200, body = [EventIo]), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn events(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<EventListQuery>,
) -> Result<Json<Vec<EventIo>>, AppError> {
    let p = ctx.principal()?;
    let from = q
        .from
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    if let Some(f) = &from {
        if casework::model::parse_iso_date(f).is_none() {
            let m = "enter the date as YYYY-MM-DD";
            return Err(AppError::invalid(m, vec![FieldProblem::new("from", m)]));
        }
    }
    let events = ctx
        .state
        .services
        .partner_events(p, from.as_deref(), q.page.unwrap_or(1))
        .await?;
    Ok(Json(events.into_iter().map(event_out).collect()))
}
