//! Hope Bags: what each location holds (low stock marked), the requests queue (most urgent
//! first) with the suggested location and the fulfil and deliver actions, the request form
//! a responder fills in on a phone (one screen, no name of the young person), and the stock
//! keepers' forms: receive a donation, build bags, transfer, adjust, record a money
//! donation, add a location; a location's page (count and reconcile, its volunteers); the
//! reports with their CSV downloads.

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
    dollars, BagRequestError, HopeReports, KeeperView, LocationView, MonthFigures, NewLocationForm,
    RequestForm, RequestView, LOCATION_KINDS,
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
    month: MonthFigures,
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
        month: services.hope_month_figures(p).await?,
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
    /// The locations whose stock this keeper manages (a volunteer's own).
    locations: Vec<Choice>,
    /// Every location: where a transfer may go, where a donation may buy.
    all_locations: Vec<Choice>,
    things: Vec<Choice>,
    kits: Vec<Choice>,
    tiers: Vec<Choice>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    /// May edit the catalogue (items, kits, tiers).
    can_edit_catalogue: bool,
    today: String,
}

async fn stock_page(ctx: &Ctx, error: Option<(String, &str)>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let cat = services.hope_catalogue().await?;
    let kept = services.hope_locations_kept(p).await?;
    let all = services.hope_locations(p).await?;
    let all_locations: Vec<Choice> = all
        .iter()
        .map(|l| choice(l.id.0.to_string(), format!("{} ({})", l.name, l.state)))
        .collect();
    let locations = all
        .iter()
        .filter(|l| kept.contains(&l.id))
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
    let tiers = cat
        .tiers
        .iter()
        .map(|t| choice(t.cents.to_string(), format!("{}: {}", t.amount(), t.label)))
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error, error_field) = match error {
        Some((m, f)) => (Some(m), f.to_owned()),
        None => (None, String::new()),
    };
    let today = crate::api::utc(services.now()).date().to_string();
    let mut res = render(&StockPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Keep the stock", &ctx.path),
        error,
        error_field,
        locations,
        all_locations,
        things,
        kits,
        tiers,
        states: states(),
        kinds: LOCATION_KINDS.iter().map(|(k, l)| choice(*k, *l)).collect(),
        can_edit_catalogue: permits(Some(ctx.principal()?), Action::ManageHopeBagCatalogue),
        today,
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

#[derive(Deserialize)]
pub struct TransferIn {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    thing: String,
    #[serde(default)]
    qty: String,
}

pub async fn transfer(ctx: Ctx, Form(f): Form<TransferIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let (Some(from), Some(to)) = (location_id(&f.from)?, location_id(&f.to)?) else {
        return refused(
            &ctx,
            ServiceError::Invalid("Choose where the stock leaves from and where it goes".into()),
            "transfer-from",
        )
        .await;
    };
    match ctx
        .state
        .services
        .transfer_hope_stock(p, from, to, &f.thing, number(&f.qty), ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/hope-bags",
            format!("{} moved.", number(&f.qty)),
        )),
        Err(e) => refused(&ctx, e, "transfer-qty").await,
    }
}

#[derive(Deserialize)]
pub struct AdjustIn {
    #[serde(default)]
    location: String,
    #[serde(default)]
    thing: String,
    #[serde(default)]
    delta: String,
    #[serde(default)]
    reason: String,
}

pub async fn adjust(ctx: Ctx, Form(f): Form<AdjustIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let Some(at) = location_id(&f.location)? else {
        return refused(
            &ctx,
            ServiceError::Invalid("Choose the location to correct".into()),
            "adjust-location",
        )
        .await;
    };
    let Ok(delta) = f.delta.trim().replace('\u{2212}', "-").parse::<i64>() else {
        return refused(
            &ctx,
            ServiceError::Invalid(
                "Enter the correction as a whole number: 3 adds three, -2 takes two away".into(),
            ),
            "adjust-delta",
        )
        .await;
    };
    match ctx
        .state
        .services
        .adjust_hope_stock(p, at, &f.thing, delta, &f.reason, ctx.ip.clone())
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/hope-bags",
            format!(
                "The stock was corrected by {delta:+} ({}).",
                f.reason.trim()
            ),
        )),
        Err(e) => refused(&ctx, e, "adjust-reason").await,
    }
}

#[derive(Deserialize)]
pub struct MoneyIn {
    #[serde(default)]
    tier: String,
    #[serde(default)]
    donor: String,
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    bought_at: String,
}

pub async fn money(ctx: Ctx, Form(f): Form<MoneyIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let bought_at = location_id(&f.bought_at)?;
    match ctx
        .state
        .services
        .record_hope_money_for(
            p,
            number(&f.tier),
            &f.donor,
            &f.receipt,
            &f.received_on,
            bought_at,
            ctx.ip.clone(),
        )
        .await
    {
        Ok(_) => Ok(flash::redirect(
            &ctx,
            "/hope-bags/reports",
            format!(
                "The donation with receipt {} was recorded{}.",
                f.receipt.trim(),
                if bought_at.is_some() {
                    ", and what it buys entered as purchased"
                } else {
                    ""
                }
            ),
        )),
        Err(e) => refused(&ctx, e, "money-receipt").await,
    }
}

// ---------------------------------------------------------------------------------------
// One location: its stock with a count to reconcile it, and its volunteers

/// A row of the count form: a thing, what the ledger says is there, and its field.
struct CountRow {
    code: String,
    name: String,
    expected: i64,
    is_kit: bool,
}

#[derive(Template)]
#[template(path = "hope_bags_location.html")]
struct LocationPage {
    layout: Layout,
    error: Option<String>,
    error_field: String,
    location: LocationView,
    rows: Vec<CountRow>,
    keeps: bool,
    can_assign: bool,
    keepers: Vec<KeeperView>,
    volunteers: Vec<Choice>,
}

async fn location_page(
    ctx: &Ctx,
    id: i64,
    error: Option<(String, &str)>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let at = LocationId(id);
    let Some(location) = services
        .hope_locations(p)
        .await?
        .into_iter()
        .find(|l| l.id == at)
    else {
        return Err(ServiceError::NotFound("the location").into());
    };
    let cat = services.hope_catalogue().await?;
    let held = |code: &str| {
        location
            .stock
            .iter()
            .find(|s| s.code == code)
            .map_or(0, |s| s.on_hand)
    };
    let mut rows: Vec<CountRow> = cat
        .kits
        .iter()
        .map(|k| CountRow {
            code: k.code.to_string(),
            name: k.name.clone(),
            expected: held(k.code.as_str()),
            is_kit: true,
        })
        .collect();
    rows.extend(cat.items.iter().map(|i| CountRow {
        code: i.code.to_string(),
        name: i.name.clone(),
        expected: held(i.code.as_str()),
        is_kit: false,
    }));
    let can_assign = permits(Some(p), Action::AssignHopeBagKeepers);
    let volunteers = if can_assign {
        services
            .hope_keeper_choices(p)
            .await?
            .into_iter()
            .map(|(u, name, display)| choice(u.0.to_string(), format!("{display} ({name})")))
            .collect()
    } else {
        Vec::new()
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error, error_field) = match error {
        Some((m, f)) => (Some(m), f.to_owned()),
        None => (None, String::new()),
    };
    let mut res = render(&LocationPage {
        layout: Layout::new(&ctx.state, &ctx.identity, &location.name, &ctx.path),
        error,
        error_field,
        keeps: services.hope_locations_kept(p).await?.contains(&at),
        keepers: services.hope_keepers(p, at).await?,
        rows,
        location,
        can_assign,
        volunteers,
    })?
    .into_response();
    *res.status_mut() = status;
    Ok(res)
}

pub async fn location(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    location_page(&ctx, id, None).await
}

/// The count form: `count-CODE` fields; an empty one was not counted.
pub async fn count(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let mut counts = Vec::new();
    for (k, v) in &fields {
        let (Some(code), v) = (k.strip_prefix("count-"), v.trim()) else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        match v.parse::<i64>() {
            Ok(n) if n >= 0 => counts.push((code.to_owned(), n)),
            _ => {
                return location_page(
                    &ctx,
                    id,
                    Some((
                        "Enter each count as a whole number from 0, or leave it empty".into(),
                        "count-form",
                    )),
                )
                .await
            }
        }
    }
    match ctx
        .state
        .services
        .count_hope_location(p, LocationId(id), &counts, ctx.ip.clone())
        .await
    {
        Ok(done) => {
            let changed: Vec<String> = done
                .iter()
                .filter(|c| c.counted != c.expected)
                .map(|c| {
                    format!(
                        "{}: expected {}, counted {} ({:+})",
                        c.name,
                        c.expected,
                        c.counted,
                        c.counted - c.expected
                    )
                })
                .collect();
            let msg = if changed.is_empty() {
                format!("Count recorded: all {} matched the ledger.", done.len())
            } else {
                format!(
                    "Count recorded; the differences are now in the ledger. {}.",
                    changed.join("; ")
                )
            };
            Ok(flash::redirect(
                &ctx,
                &format!("/hope-bags/locations/{id}"),
                msg,
            ))
        }
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
            location_page(&ctx, id, Some((m, "count-form"))).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct KeeperIn {
    #[serde(default)]
    user: String,
}

pub async fn assign_keeper(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<KeeperIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let Ok(user) = f.user.trim().parse::<i64>() else {
        return location_page(
            &ctx,
            id,
            Some(("Choose the volunteer to assign".into(), "keeper-user")),
        )
        .await;
    };
    match ctx
        .state
        .services
        .assign_hope_keeper(p, LocationId(id), domain::UserId(user), ctx.ip.clone())
        .await
    {
        Ok(()) => Ok(flash::redirect(
            &ctx,
            &format!("/hope-bags/locations/{id}"),
            "The volunteer now keeps this location's stock.",
        )),
        Err(ServiceError::Invalid(m) | ServiceError::Conflict(m)) => {
            location_page(&ctx, id, Some((m, "keeper-user"))).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_keeper(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<KeeperIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let user: i64 = f
        .user
        .trim()
        .parse()
        .map_err(|_| AppError::bad_request("choose the volunteer to remove"))?;
    ctx.state
        .services
        .unassign_hope_keeper(p, LocationId(id), domain::UserId(user), ctx.ip.clone())
        .await?;
    Ok(flash::redirect(
        &ctx,
        &format!("/hope-bags/locations/{id}"),
        "The volunteer no longer keeps this location's stock.",
    ))
}

// ---------------------------------------------------------------------------------------
// Reports and their CSV downloads

struct ValueRow {
    location: String,
    state: String,
    kits: i64,
    items: i64,
    value: String,
}

struct GivenRow {
    amount: String,
    label: String,
    donations: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "hope_bags_reports.html")]
struct ReportsPage {
    layout: Layout,
    bags: Vec<service::hope_bags::BagsGiven>,
    stock: Vec<ValueRow>,
    donations: Vec<GivenRow>,
    total_bags: i64,
    total_value: String,
    total_donated: String,
}

pub async fn reports(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let r: HopeReports = ctx.state.services.hope_reports(p).await?;
    render(&ReportsPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Hope Bags reports", &ctx.path),
        total_bags: r.bags.iter().map(|b| b.bags).sum(),
        total_value: dollars(r.stock.iter().map(|s| s.value_cents).sum()),
        total_donated: dollars(r.donations.iter().map(|d| d.total_cents).sum()),
        stock: r
            .stock
            .into_iter()
            .map(|s| ValueRow {
                value: dollars(s.value_cents),
                location: s.location,
                state: s.state,
                kits: s.kits,
                items: s.items,
            })
            .collect(),
        donations: r
            .donations
            .into_iter()
            .map(|d| GivenRow {
                total: dollars(d.total_cents),
                amount: d.amount,
                label: d.label,
                donations: d.donations,
            })
            .collect(),
        bags: r.bags,
    })
}

fn download(name: &str, body: String) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn cents(c: i64) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

pub async fn bags_csv(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx.state.services.hope_reports(p).await?;
    Ok(download(
        "hope-bags-given.csv",
        super::csv::table(
            &["month", "state", "age_band", "bags"],
            r.bags.iter().map(|b| {
                vec![
                    b.month.clone(),
                    b.state.clone(),
                    b.age_band.as_str().to_owned(),
                    b.bags.to_string(),
                ]
            }),
        ),
    ))
}

pub async fn stock_csv(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx.state.services.hope_reports(p).await?;
    Ok(download(
        "hope-bags-stock-value.csv",
        super::csv::table(
            &["location", "state", "kits", "items", "value_usd"],
            r.stock.iter().map(|s| {
                vec![
                    s.location.clone(),
                    s.state.clone(),
                    s.kits.to_string(),
                    s.items.to_string(),
                    cents(s.value_cents),
                ]
            }),
        ),
    ))
}

pub async fn donations_csv(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let r = ctx.state.services.hope_reports(p).await?;
    Ok(download(
        "hope-bags-donations.csv",
        super::csv::table(
            &["tier", "buys", "donations", "total_usd"],
            r.donations.iter().map(|d| {
                vec![
                    d.amount.clone(),
                    d.label.clone(),
                    d.donations.to_string(),
                    cents(d.total_cents),
                ]
            }),
        ),
    ))
}

#[derive(Template)]
#[template(path = "hope_bags_catalogue.html")]
struct CataloguePage {
    layout: Layout,
    version: i64,
    toml: String,
    error: Option<String>,
}

/// The catalogue's editor: the TOML in force.
pub async fn catalogue_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    let text = ctx
        .state
        .services
        .hope_catalogue_text(ctx.principal()?)
        .await?;
    render(&CataloguePage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Hope Bags catalogue", &ctx.path),
        version: text.version,
        toml: text.toml,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct CatalogueForm {
    #[serde(default)]
    toml: String,
}

/// Saves a new version; a catalogue that does not hold comes back with what to correct.
pub async fn save_catalogue(ctx: Ctx, Form(f): Form<CatalogueForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    match services
        .save_hope_catalogue(p, &f.toml, ctx.ip.clone())
        .await
    {
        Ok(v) => Ok(flash::redirect(
            &ctx,
            "/hope-bags/catalogue",
            format!("The catalogue is saved as version {v}."),
        )),
        Err(ServiceError::Invalid(m)) => {
            let version = services.hope_catalogue_text(p).await?.version;
            let page = CataloguePage {
                layout: Layout::new(&ctx.state, &ctx.identity, "Hope Bags catalogue", &ctx.path),
                version,
                toml: f.toml,
                error: Some(m),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
