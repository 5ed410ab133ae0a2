//! Hope Bags: what each location holds (low stock marked), the requests queue (most urgent
//! first) with the suggested location and the fulfil and deliver actions, the request form
//! a responder fills in on a phone (one screen, no name of the young person), and the stock
//! keepers' forms: receive a donation, build bags, add a location.

use super::forms::FieldErrors;
use super::{age, render};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use cybertip::US_STATES;
use domain::policy::permits;
use domain::{Action, Principal};
use serde::Deserialize;
use service::hope_bags::hopebags::{AgeBand, LocationId, RequestStatus, Size, Urgency};
use service::hope_bags::{
    BagRequestError, LocationView, NewLocationForm, RequestForm, RequestView, LOCATION_KINDS,
};
use service::ServiceError;

pub struct Choice {
    pub value: String,
    pub label: String,
}

fn choice(value: impl Into<String>, label: impl Into<String>) -> Choice {
    Choice {
        value: value.into(),
        label: label.into(),
    }
}

fn states() -> Vec<Choice> {
    US_STATES
        .iter()
        .filter(|(c, _)| !c.is_empty())
        .map(|(c, n)| choice(*c, *n))
        .collect()
}

/// A request as a row of the queue.
struct RequestRow {
    id: i64,
    number: String,
    what: String,
    urgency: String,
    urgent: bool,
    deliver: String,
    needed_by: String,
    /// The linked case's number and page.
    case: Option<(String, String)>,
    status: String,
    given: String,
    requested: String,
    open: bool,
    ready: bool,
    /// The suggested location's id and words, for an open request a keeper may fulfil.
    suggested: Option<(i64, String)>,
}

fn what(r: &RequestView) -> String {
    match &r.size {
        Some(s) => format!("{}, size {s}", r.age_band.label()),
        None => r.age_band.label().to_owned(),
    }
}

fn row(r: &RequestView, now: i64) -> RequestRow {
    RequestRow {
        id: r.id,
        number: r.number.clone(),
        what: what(r),
        urgency: r.urgency.label().to_owned(),
        urgent: r.urgency == Urgency::Now,
        deliver: format!("{}, {}", r.deliver_to, r.deliver_state),
        needed_by: r.needed_by.clone().unwrap_or_default(),
        case: r.case_number.as_deref().and_then(|n| {
            let id = domain::CaseId::parse_number(n)?;
            Some((
                n.to_owned(),
                super::record_href(domain::RecordRef::case(id.0))?,
            ))
        }),
        status: r.status.label().to_owned(),
        given: match (&r.kit_name, &r.location_name) {
            (Some(k), Some(l)) => format!("{k}, from {l}"),
            _ => String::new(),
        },
        requested: format!("{} ago", age(now - r.requested_at)),
        open: r.status == RequestStatus::Open,
        ready: r.status == RequestStatus::Fulfilled,
        suggested: None,
    }
}

#[derive(Template)]
#[template(path = "hope_bags.html")]
struct OverviewPage {
    layout: Layout,
    can_request: bool,
    can_keep: bool,
    locations: Vec<LocationView>,
    requests: Vec<RequestRow>,
    location_choices: Vec<Choice>,
}

/// How many open requests get a suggested location computed on the queue page.
const SUGGEST_FIRST: usize = 25;

pub async fn overview(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let can_keep = permits(Some(p), Action::ManageHopeBagStock);
    let locations = services.hope_locations(p).await?;
    let now = services.now();
    let mut requests: Vec<RequestRow> = services
        .hope_requests(p, true)
        .await?
        .iter()
        .map(|r| row(r, now))
        .collect();
    if can_keep {
        for r in requests.iter_mut().filter(|r| r.open).take(SUGGEST_FIRST) {
            r.suggested = services.suggest_hope_location(p, r.id).await?.map(|f| {
                (
                    f.location_id.0,
                    format!("{} ({})", f.location_name, f.kit_name),
                )
            });
        }
    }
    render(&OverviewPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Hope Bags", &ctx.path),
        can_request: permits(Some(p), Action::RequestHopeBags),
        can_keep,
        location_choices: locations
            .iter()
            .map(|l| {
                choice(
                    l.id.0.to_string(),
                    format!("{} ({}), {} bags", l.name, l.state, l.kits_on_hand),
                )
            })
            .collect(),
        locations,
        requests,
    })
}

#[derive(Template)]
#[template(path = "hope_bag_request.html")]
struct RequestPage {
    layout: Layout,
    fe: FieldErrors,
    f: RequestForm,
    bands: Vec<Choice>,
    sizes: Vec<Choice>,
    urgencies: Vec<Choice>,
    states: Vec<Choice>,
    may_link_case: bool,
}

fn request_page(ctx: &Ctx, p: &Principal, f: RequestForm, fe: FieldErrors) -> RequestPage {
    RequestPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Ask for a Hope Bag", &ctx.path),
        fe,
        f,
        bands: AgeBand::ALL
            .iter()
            .map(|b| choice(b.as_str(), b.label()))
            .collect(),
        sizes: Size::ALL
            .iter()
            .map(|s| choice(s.as_str(), s.as_str()))
            .collect(),
        urgencies: Urgency::ALL
            .iter()
            .map(|u| choice(u.as_str(), u.label()))
            .collect(),
        states: states(),
        may_link_case: permits(Some(p), Action::ViewCases),
    }
}

pub async fn request_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let f = RequestForm {
        urgency: Urgency::Now.as_str().to_owned(),
        ..RequestForm::default()
    };
    render(&request_page(&ctx, p, f, FieldErrors::default()))
}

#[derive(Deserialize)]
pub struct RequestIn {
    #[serde(default)]
    age_band: String,
    #[serde(default)]
    size: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    deliver_to: String,
    #[serde(default)]
    deliver_state: String,
    #[serde(default)]
    needed_by: String,
    #[serde(default)]
    case_number: String,
}

impl From<RequestIn> for RequestForm {
    fn from(r: RequestIn) -> Self {
        RequestForm {
            age_band: r.age_band,
            size: r.size,
            urgency: r.urgency,
            deliver_to: r.deliver_to,
            deliver_state: r.deliver_state,
            needed_by: r.needed_by,
            case_number: r.case_number,
        }
    }
}

pub async fn create_request(ctx: Ctx, Form(r): Form<RequestIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let f: RequestForm = r.into();
    match ctx
        .state
        .services
        .request_hope_bag(p, &f, ctx.ip.clone())
        .await
    {
        Ok(id) => Ok(flash::redirect(
            &ctx,
            "/hope-bags",
            format!(
                "Your request {} was sent. It shows below; you will see it marked “Ready” when a bag is on its way.",
                service::hope_bags::request_number(id)
            ),
        )),
        Err(BagRequestError::Form(errs)) => {
            let mut fe = FieldErrors::default();
            for e in errs {
                fe.push(e.field, e.message, e.message);
            }
            let mut res = render(&request_page(&ctx, p, f, fe))?.into_response();
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(BagRequestError::Other(e)) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct FulfilIn {
    #[serde(default)]
    location: String,
}

fn location_id(s: &str) -> Result<Option<LocationId>, AppError> {
    match s.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(|n| Some(LocationId(n)))
            .map_err(|_| AppError::bad_request("choose a location from the list")),
    }
}

pub async fn fulfil(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<FulfilIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let at = location_id(&f.location)?;
    let done = ctx
        .state
        .services
        .fulfil_hope_request(p, id, at, None, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/hope-bags",
        format!(
            "Request {} is ready: {} from {}. Mark it delivered once it is handed over.",
            service::hope_bags::request_number(id),
            done.kit_name,
            done.location_name
        ),
    ))
}

pub async fn delivered(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .deliver_hope_request(p, id, ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/hope-bags",
        format!(
            "Request {} is marked delivered.",
            service::hope_bags::request_number(id)
        ),
    ))
}

#[derive(Template)]
#[template(path = "hope_bags_stock.html")]
struct StockPage {
    layout: Layout,
    error: Option<String>,
    error_field: String,
    locations: Vec<Choice>,
    things: Vec<Choice>,
    kits: Vec<Choice>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
}

async fn stock_page(ctx: &Ctx, error: Option<(String, &str)>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let cat = services.hope_catalogue().await?;
    let locations = services
        .hope_locations(p)
        .await?
        .into_iter()
        .map(|l| choice(l.id.0.to_string(), format!("{} ({})", l.name, l.state)))
        .collect();
    let kits: Vec<Choice> = cat
        .kits
        .iter()
        .map(|k| choice(k.code.as_str(), k.name.clone()))
        .collect();
    let mut things: Vec<Choice> = cat
        .items
        .iter()
        .map(|i| choice(i.code.as_str(), i.name.clone()))
        .collect();
    things.extend(
        cat.kits
            .iter()
            .map(|k| choice(k.code.as_str(), k.name.clone())),
    );
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error, error_field) = match error {
        Some((m, f)) => (Some(m), f.to_owned()),
        None => (None, String::new()),
    };
    let mut res = render(&StockPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Receive and build", &ctx.path),
        error,
        error_field,
        locations,
        things,
        kits,
        states: states(),
        kinds: LOCATION_KINDS.iter().map(|(k, l)| choice(*k, *l)).collect(),
    })?
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

pub async fn stock_forms(ctx: Ctx) -> Result<Response, AppError> {
    stock_page(&ctx, None).await
}

/// A refusal the keeper can fix shows on the same page; anything else is an error page.
async fn refused(ctx: &Ctx, e: ServiceError, field: &str) -> Result<Response, AppError> {
    match e {
        ServiceError::Invalid(m) | ServiceError::Conflict(m) => {
            stock_page(ctx, Some((m, field))).await
        }
        other => Err(other.into()),
    }
}

fn number(s: &str) -> i64 {
    s.trim().parse().unwrap_or(0)
}

#[derive(Deserialize)]
pub struct ReceiveIn {
    #[serde(default)]
    location: String,
    #[serde(default)]
    thing: String,
    #[serde(default)]
    qty: String,
    #[serde(default)]
    from: String,
}

pub async fn receive(ctx: Ctx, Form(f): Form<ReceiveIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let Some(at) = location_id(&f.location)? else {
        return refused(
            &ctx,
            ServiceError::Invalid("Choose where the donation was received".into()),
            "receive-location",
        )
        .await;
    };
    match ctx
        .state
        .services
        .receive_hope_donation(p, at, &f.thing, number(&f.qty), &f.from, ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/hope-bags",
            format!("{} received from {}.", number(&f.qty), f.from.trim()),
        )),
        Err(e) => refused(&ctx, e, "receive-qty").await,
    }
}

#[derive(Deserialize)]
pub struct BuildIn {
    #[serde(default)]
    location: String,
    #[serde(default)]
    kit: String,
    #[serde(default)]
    count: String,
}

pub async fn build(ctx: Ctx, Form(f): Form<BuildIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let Some(at) = location_id(&f.location)? else {
        return refused(
            &ctx,
            ServiceError::Invalid("Choose where the bags are built".into()),
            "build-location",
        )
        .await;
    };
    match ctx
        .state
        .services
        .build_hope_kits(p, at, &f.kit, number(&f.count), ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/hope-bags",
            format!("{} bags built.", number(&f.count)),
        )),
        Err(e) => refused(&ctx, e, "build-count").await,
    }
}

#[derive(Deserialize)]
pub struct LocationIn {
    #[serde(default)]
    name: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    low_stock: String,
}

pub async fn add_location(ctx: Ctx, Form(f): Form<LocationIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let form = NewLocationForm {
        name: f.name,
        state: f.state,
        kind: f.kind,
        low_stock: f.low_stock.trim().parse().unwrap_or(-1),
    };
    match ctx
        .state
        .services
        .add_hope_location(p, &form, ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/hope-bags",
            format!("The location “{}” was added.", form.name.trim()),
        )),
        Err(e) => refused(&ctx, e, "location-name").await,
    }
}
