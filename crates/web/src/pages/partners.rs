//! Partner organisations (issue 22): the list (search by name, state, kind and the feeds
//! they take), adding and editing a partner (contacts, states, poster-feed subscriptions),
//! a partner's page with its awareness events and the form to record one, and every
//! partner's events by date.

use super::forms::FieldErrors;
use super::render;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::policy::permits;
use domain::Action;
use serde::Deserialize;
use service::awareness::model::partner::CONTACT_ROWS;
use service::awareness::model::{Contact, EventForm, FormErrors, PartnerForm, PartnerKind};
use service::awareness::{EventView, PartnerItem, PartnerQuery};

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn kinds(selected: &str) -> Vec<Choice> {
    PartnerKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.code(),
            label: k.label(),
            selected: k.code() == selected.trim(),
        })
        .collect()
}

fn pairs(body: &Bytes) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get(p: &[(String, String)], n: &str) -> String {
    p.iter()
        .find(|(k, _)| k == n)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn unprocessable(html: axum::response::Html<String>) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, html).into_response()
}

/// The label of each field, for the error summary.
fn label(field: &str) -> String {
    let base = match field {
        "name" => "Name",
        "kind" => "Kind of organisation",
        "states" => "States covered",
        "feed_states" => "Poster feeds taken",
        "notes" => "Notes",
        "held_on" => "Date",
        "place" => "Place",
        "audience" => "Audience",
        "materials" => "Materials sent",
        f if f.starts_with("contact_") => {
            let n = f.rsplit('_').next().unwrap_or("1");
            return format!("Contact {n}");
        }
        _ => "This field",
    };
    base.to_owned()
}

fn field_errors(e: &FormErrors) -> FieldErrors {
    let mut fe = FieldErrors::default();
    for x in &e.0 {
        fe.push(
            &x.field,
            format!("{}: {}", label(&x.field), x.message),
            x.message.clone(),
        );
    }
    fe
}

/// A partner in the list, ready to show.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub states: String,
    pub feeds: String,
    pub contact: String,
    pub events: i64,
}

fn row(p: PartnerItem) -> Row {
    let c = p.partner.contacts.first();
    Row {
        id: p.id,
        kind: p.partner.kind.label(),
        states: p.partner.states.join(" "),
        feeds: if p.partner.feed_states.is_empty() {
            "None".to_owned()
        } else {
            p.partner.feed_states.join(" ")
        },
        contact: c
            .map(|c| {
                let how = if c.email.is_empty() {
                    &c.phone
                } else {
                    &c.email
                };
                format!("{} ({how})", c.name)
            })
            .unwrap_or_default(),
        events: p.events,
        name: p.partner.name,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    q: String,
    state: String,
    kind: String,
    feed: String,
    page: String,
}

#[derive(Template)]
#[template(path = "partners.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    total: i64,
    page: i64,
    pages: i64,
    q: String,
    state: String,
    feed: String,
    kinds: Vec<Choice>,
    filtered: bool,
    list_enc: String,
    can_manage: bool,
    state_error: Option<String>,
}

fn state_code(s: &str) -> Result<Option<String>, String> {
    let s = s.trim().to_ascii_uppercase();
    if s.is_empty() {
        Ok(None)
    } else if service::awareness::model::STATE_CODES.contains(&s.as_str()) {
        Ok(Some(s))
    } else {
        let shown: String = s.chars().take(20).collect();
        Err(format!(
            "{shown} is not a US state or territory code; enter a two-letter code, e.g. TX"
        ))
    }
}

/// The partner list.
pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let mut state_error = None;
    let state = state_code(&q.state).unwrap_or_else(|e| {
        state_error = Some(format!("State covered: {e}"));
        None
    });
    let feed = state_code(&q.feed).unwrap_or_else(|e| {
        state_error = Some(format!("Takes the feed of: {e}"));
        None
    });
    let query = PartnerQuery {
        name: q.q.clone(),
        state: state.clone(),
        kind: PartnerKind::parse(&q.kind),
        feed_state: feed.clone(),
        page,
    };
    let (items, total) = ctx.state.services.partners(p, &query).await?;
    let per = 25;
    let list_enc = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &q.q)
        .append_pair("state", state.as_deref().unwrap_or(""))
        .append_pair("kind", query.kind.map_or("", PartnerKind::code))
        .append_pair("feed", feed.as_deref().unwrap_or(""))
        .finish();
    let html = render(&ListPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Partners", &ctx.path),
        rows: items.into_iter().map(row).collect(),
        total,
        page,
        pages: ((total + per - 1) / per).max(1),
        filtered: !q.q.trim().is_empty()
            || state.is_some()
            || feed.is_some()
            || query.kind.is_some(),
        q: q.q,
        state: q.state,
        feed: q.feed,
        kinds: kinds(&q.kind),
        list_enc,
        can_manage: permits(Some(p), Action::ManagePartners),
        state_error: state_error.clone(),
    })?;
    Ok(if state_error.is_some() {
        unprocessable(html)
    } else {
        html.into_response()
    })
}

#[derive(Template)]
#[template(path = "partner_form.html")]
struct FormPage {
    layout: Layout,
    /// The partner being edited (id, name), or none for a new one.
    editing: Option<(i64, String)>,
    f: PartnerForm,
    kinds: Vec<Choice>,
    fe: FieldErrors,
}

fn form_page(
    ctx: &Ctx,
    editing: Option<(i64, String)>,
    mut f: PartnerForm,
    fe: FieldErrors,
) -> FormPage {
    f.contacts
        .resize(f.contacts.len().max(CONTACT_ROWS), Contact::default());
    FormPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            if editing.is_some() {
                "Change a partner"
            } else {
                "Add a partner"
            },
            &ctx.path,
        ),
        kinds: kinds(&f.kind),
        editing,
        f,
        fe,
    }
}

fn partner_form(p: &[(String, String)]) -> PartnerForm {
    PartnerForm {
        name: get(p, "name"),
        kind: get(p, "kind"),
        contacts: (1..=CONTACT_ROWS)
            .map(|i| Contact {
                name: get(p, &format!("contact_name_{i}")),
                role: get(p, &format!("contact_role_{i}")),
                email: get(p, &format!("contact_email_{i}")),
                phone: get(p, &format!("contact_phone_{i}")),
            })
            .collect(),
        states: get(p, "states"),
        feed_states: get(p, "feed_states"),
        notes: get(p, "notes"),
    }
}

/// The form to add a partner.
pub async fn new_form(ctx: Ctx) -> Result<Response, AppError> {
    ctx.principal()?;
    Ok(render(&form_page(
        &ctx,
        None,
        PartnerForm::default(),
        FieldErrors::default(),
    ))?
    .into_response())
}

/// Adds a partner.
pub async fn create(ctx: Ctx, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let f = partner_form(&pairs(&body));
    let partner = match f.check() {
        Ok(v) => v,
        Err(e) => {
            return Ok(unprocessable(render(&form_page(
                &ctx,
                None,
                f,
                field_errors(&e),
            ))?))
        }
    };
    let id = ctx
        .state
        .services
        .create_partner(p, &partner, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/partners/{id}"),
        format!("{} is added as a partner.", partner.name),
    ))
}

/// The form to change a partner, filled in with what is stored.
pub async fn edit_form(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.partner(p, id).await?;
    let f = PartnerForm::from_partner(&v.item.partner);
    Ok(render(&form_page(
        &ctx,
        Some((id, v.item.partner.name.clone())),
        f,
        FieldErrors::default(),
    ))?
    .into_response())
}

/// Saves a partner's changed details.
pub async fn update(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let v = s.partner(p, id).await?;
    let f = partner_form(&pairs(&body));
    let partner = match f.check() {
        Ok(x) => x,
        Err(e) => {
            return Ok(unprocessable(render(&form_page(
                &ctx,
                Some((id, v.item.partner.name.clone())),
                f,
                field_errors(&e),
            ))?))
        }
    };
    s.update_partner(p, id, &partner, ctx.ip.clone()).await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/partners/{id}"),
        format!("The details of {} are saved.", partner.name),
    ))
}

#[derive(Template)]
#[template(path = "partner.html")]
struct DetailPage {
    layout: Layout,
    id: i64,
    item: PartnerItem,
    kind: &'static str,
    events: Vec<EventView>,
    can_manage: bool,
    ev: EventForm,
    fe: FieldErrors,
}

async fn detail_page(
    ctx: &Ctx,
    id: i64,
    ev: EventForm,
    fe: FieldErrors,
) -> Result<axum::response::Html<String>, AppError> {
    let p = ctx.principal()?;
    let v = ctx.state.services.partner(p, id).await?;
    render(&DetailPage {
        layout: Layout::new(&ctx.state, &ctx.identity, &v.item.partner.name, &ctx.path),
        id,
        kind: v.item.partner.kind.label(),
        item: v.item,
        events: v.events,
        can_manage: permits(Some(p), Action::ManagePartners),
        ev,
        fe,
    })
}

/// A partner's page: details, feeds, events, and the form to record an event.
pub async fn detail(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    Ok(
        detail_page(&ctx, id, EventForm::default(), FieldErrors::default())
            .await?
            .into_response(),
    )
}

/// Records an awareness event of a partner.
pub async fn add_event(ctx: Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let pr = pairs(&body);
    let ev = EventForm {
        held_on: get(&pr, "held_on"),
        place: get(&pr, "place"),
        audience: get(&pr, "audience"),
        materials: get(&pr, "materials"),
    };
    let event = match ev.check() {
        Ok(e) => e,
        Err(e) => {
            // Scope first: the page itself says "not found" for a partner that is not there.
            let html = detail_page(&ctx, id, ev, field_errors(&e)).await?;
            return Ok(unprocessable(html));
        }
    };
    ctx.state
        .services
        .add_partner_event(p, id, &event, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/partners/{id}#events"),
        format!("The event at {} is recorded.", event.place),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EventsQuery {
    from: String,
    page: String,
}

#[derive(Template)]
#[template(path = "partner_events.html")]
struct EventsPage {
    layout: Layout,
    events: Vec<EventView>,
    from: String,
    page: i64,
    more: bool,
    from_error: Option<String>,
}

/// Every partner's awareness events, latest first, from a date on.
pub async fn events(ctx: Ctx, Query(q): Query<EventsQuery>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let page = q.page.trim().parse::<i64>().unwrap_or(1).max(1);
    let from = q.from.trim().to_owned();
    let from_error = (!from.is_empty() && casework::model::parse_iso_date(&from).is_none())
        .then(|| "enter the date as YYYY-MM-DD, for example 2026-01-31".to_owned());
    let events = ctx
        .state
        .services
        .partner_events(
            p,
            if from.is_empty() || from_error.is_some() {
                None
            } else {
                Some(from.as_str())
            },
            page,
        )
        .await?;
    let more = events.len() as i64 >= 100;
    let html = render(&EventsPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Awareness events", &ctx.path),
        events,
        from,
        page,
        more,
        from_error: from_error.clone(),
    })?;
    Ok(if from_error.is_some() {
        unprocessable(html)
    } else {
        html.into_response()
    })
}
