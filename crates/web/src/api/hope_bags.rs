//! Hope Bags over JSON: the catalogue (items, kits with their bills, tiers), locations,
//! stock on hand by location and kit, movements of stock, donations of money, the
//! requests (list, create, fulfil). The same use cases, policy and audit as the pages; no request holds a name
//! or identity of the young person.

use super::extract::{ApiJson, ApiPath};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use service::hope_bags::hopebags::{LocationId, Sku};
use service::hope_bags::{
    request_number, BagRequestError, NewLocationForm, RequestForm, RequestView,
};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct StockLine {
    /// `kit:CODE` or `item:CODE`.
    pub sku: String,
    pub name: String,
    pub is_kit: bool,
    pub on_hand: i64,
    /// A kit at or below the location's low-stock mark.
    pub low: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Location {
    pub id: i64,
    pub name: String,
    /// USPS code.
    pub state: String,
    /// `office`, `partner` or `vehicle`.
    pub kind: String,
    pub low_stock: i64,
    /// Bags ready, of every kind.
    pub kits_on_hand: i64,
    pub low: bool,
    pub stock: Vec<StockLine>,
}

#[derive(Serialize, ToSchema)]
pub struct Stock {
    pub locations: Vec<Location>,
}

/// What each location holds, kits first, with the low-stock marks.
#[utoipa::path(get, path = "/api/v1/hope-bags/stock", tag = "hope-bags",
    responses((status = 200, body = Stock), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn stock(ctx: Ctx) -> Result<Json<Stock>, AppError> {
    let p = ctx.principal()?;
    let locations = ctx.state.services.hope_locations(p).await?;
    Ok(Json(Stock {
        locations: locations
            .into_iter()
            .map(|l| Location {
                id: l.id.0,
                name: l.name,
                state: l.state,
                kind: l.kind,
                low_stock: l.low_stock,
                kits_on_hand: l.kits_on_hand,
                low: l.low,
                stock: l
                    .stock
                    .into_iter()
                    .map(|s| StockLine {
                        sku: s.sku,
                        name: s.name,
                        is_kit: s.is_kit,
                        on_hand: s.on_hand,
                        low: s.low,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Request {
    pub id: i64,
    /// `HB-000012`
    pub number: String,
    /// `0-5`, `6-11`, `12-14` or `15-17`.
    pub age_band: String,
    /// `XS` … `XL`, if given.
    pub size: Option<String>,
    /// `now`, `today` or `this_week`.
    pub urgency: String,
    pub deliver_to: String,
    pub deliver_state: String,
    /// `YYYY-MM-DD`
    pub needed_by: Option<String>,
    /// Only for those who may see cases.
    pub case_number: Option<String>,
    /// `open`, `fulfilled`, `delivered` or `cancelled`.
    pub status: String,
    pub kit: Option<String>,
    pub location: Option<String>,
    pub requested_at: String,
    pub fulfilled_at: Option<String>,
    pub delivered_at: Option<String>,
}

fn rfc3339(m: i64) -> String {
    utc(m)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl From<RequestView> for Request {
    fn from(r: RequestView) -> Self {
        Request {
            id: r.id,
            number: r.number,
            age_band: r.age_band.as_str().to_owned(),
            size: r.size,
            urgency: r.urgency.as_str().to_owned(),
            deliver_to: r.deliver_to,
            deliver_state: r.deliver_state,
            needed_by: r.needed_by,
            case_number: r.case_number,
            status: r.status.as_str().to_owned(),
            kit: r.kit_name,
            location: r.location_name,
            requested_at: rfc3339(r.requested_at),
            fulfilled_at: r.fulfilled_at.map(rfc3339),
            delivered_at: r.delivered_at.map(rfc3339),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Requests {
    pub requests: Vec<Request>,
}

/// Requests still open or ready: every one for stock keepers, one's own for responders;
/// open ones first, the most urgent first.
#[utoipa::path(get, path = "/api/v1/hope-bags/requests", tag = "hope-bags",
    responses((status = 200, body = Requests), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn requests(ctx: Ctx) -> Result<Json<Requests>, AppError> {
    let p = ctx.principal()?;
    let list = ctx.state.services.hope_requests(p, true).await?;
    Ok(Json(Requests {
        requests: list.into_iter().map(Request::from).collect(),
    }))
}

/// A request for a bag. Never the young person's name.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewRequest {
    /// `0-5`, `6-11`, `12-14` or `15-17`.
    pub age_band: String,
    /// `XS` … `XL`, or empty.
    pub size: String,
    /// `now`, `today` or `this_week`.
    pub urgency: String,
    /// A place: an office, a hospital, a shelter.
    pub deliver_to: String,
    /// USPS code.
    pub deliver_state: String,
    /// `YYYY-MM-DD`, or empty.
    pub needed_by: String,
    /// A case you may see (`CH-000123`), or empty.
    pub case_number: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequestCreated {
    pub id: i64,
    pub number: String,
}

/// Asks for a Hope Bag (investigators, caseworkers, recovery specialists).
#[utoipa::path(post, path = "/api/v1/hope-bags/requests", tag = "hope-bags", request_body = NewRequest,
    responses((status = 201, body = RequestCreated), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create_request(
    ctx: Ctx,
    ApiJson(n): ApiJson<NewRequest>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let form = RequestForm {
        age_band: n.age_band,
        size: n.size,
        urgency: n.urgency,
        deliver_to: n.deliver_to,
        deliver_state: n.deliver_state,
        needed_by: n.needed_by,
        case_number: n.case_number,
    };
    match ctx
        .state
        .services
        .request_hope_bag(p, &form, ctx.ip.clone())
        .await
    {
        Ok(id) => Ok((
            StatusCode::CREATED,
            Json(RequestCreated {
                id,
                number: request_number(id),
            }),
        )
            .into_response()),
        Err(BagRequestError::Form(errs)) => Err(AppError::invalid(
            errs.iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            errs.iter()
                .map(|e| FieldProblem::new(e.field, e.message))
                .collect(),
        )),
        Err(BagRequestError::Other(e)) => Err(e.into()),
    }
}

/// Where to fulfil from; without a location, the suggested one.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FulfilIn {
    pub location_id: Option<i64>,
    /// A kit's code; without it, the variant for the request's age band and size.
    pub kit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Fulfilled {
    pub location_id: i64,
    pub location: String,
    pub kit: String,
}

/// Fulfils an open request: one bag leaves the location's stock. 409 when the location
/// has no bag of the kind left (the message says what to do) or the request is not open.
#[utoipa::path(post, path = "/api/v1/hope-bags/requests/{id}/fulfil", tag = "hope-bags", request_body = FulfilIn,
    params(("id" = i64, Path, description = "The request's id")),
    responses((status = 200, body = Fulfilled), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn fulfil(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<FulfilIn>,
) -> Result<Json<Fulfilled>, AppError> {
    let p = ctx.principal()?;
    let done = ctx
        .state
        .services
        .fulfil_hope_request(
            p,
            id,
            f.location_id.map(LocationId),
            f.kit.as_deref(),
            ctx.ip.clone(),
        )
        .await?;
    Ok(Json(Fulfilled {
        location_id: done.location_id.0,
        location: done.location_name,
        kit: done.kit_name,
    }))
}

// ---------------------------------------------------------------------------------------
// The catalogue

/// An item bags are made of.
#[derive(Serialize, ToSchema)]
pub struct CatalogueItem {
    pub code: String,
    pub name: String,
    /// `each`, `pair`, `pack`, `set` or `card`.
    pub unit: String,
    /// `XS` … `XL` where the size matters.
    pub size: Option<String>,
    /// Whether it has a use-by date.
    pub expires: bool,
    /// What one is worth, in cents (0 when not set), for the stock value.
    pub value_cents: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CatalogueItems {
    pub items: Vec<CatalogueItem>,
}

/// The items of the catalogue in force.
#[utoipa::path(get, path = "/api/v1/hope-bags/items", tag = "hope-bags",
    responses((status = 200, body = CatalogueItems), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn items(ctx: Ctx) -> Result<Json<CatalogueItems>, AppError> {
    let _ = ctx.principal()?;
    let cat = ctx.state.services.hope_catalogue().await?;
    Ok(Json(CatalogueItems {
        items: cat
            .items
            .iter()
            .map(|i| CatalogueItem {
                code: i.code.to_string(),
                name: i.name.clone(),
                unit: serde_json::to_value(i.unit)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                size: i.size.map(|s| s.as_str().to_owned()),
                expires: i.expires,
                value_cents: i.value_cents,
            })
            .collect(),
    }))
}

/// One line of a bill of materials.
#[derive(Serialize, ToSchema)]
pub struct KitBillLine {
    pub item: String,
    pub qty: u32,
}

/// A kit variant: a bag for an age band (and size), with its bill of materials.
#[derive(Serialize, ToSchema)]
pub struct KitVariant {
    pub code: String,
    pub name: String,
    /// `0-5`, `6-11`, `12-14` or `15-17`.
    pub age_band: String,
    pub size: Option<String>,
    pub bill: Vec<KitBillLine>,
    /// The sum of its items' values, in cents.
    pub value_cents: u64,
}

/// What a donation tier buys: an item's or a kit's code and how many.
#[derive(Serialize, ToSchema)]
pub struct TierBuys {
    pub code: String,
    pub qty: u32,
}

/// A donation tier: an amount and what it buys (configured in the catalogue).
#[derive(Serialize, ToSchema)]
pub struct DonationTier {
    pub cents: u32,
    /// `$25`
    pub amount: String,
    pub label: String,
    pub buys: Vec<TierBuys>,
}

#[derive(Serialize, ToSchema)]
pub struct KitsAndTiers {
    pub kits: Vec<KitVariant>,
    pub tiers: Vec<DonationTier>,
}

/// The kit variants as bills of materials, and the donation tiers.
#[utoipa::path(get, path = "/api/v1/hope-bags/kits", tag = "hope-bags",
    responses((status = 200, body = KitsAndTiers), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn kits(ctx: Ctx) -> Result<Json<KitsAndTiers>, AppError> {
    let _ = ctx.principal()?;
    let cat = ctx.state.services.hope_catalogue().await?;
    Ok(Json(KitsAndTiers {
        kits: cat
            .kits
            .iter()
            .map(|k| KitVariant {
                code: k.code.to_string(),
                name: k.name.clone(),
                age_band: k.age_band.as_str().to_owned(),
                size: k.size.map(|s| s.as_str().to_owned()),
                bill: k
                    .bill
                    .iter()
                    .map(|l| KitBillLine {
                        item: l.item.to_string(),
                        qty: l.qty,
                    })
                    .collect(),
                value_cents: cat.value_cents(&Sku::Kit(k.code.clone())),
            })
            .collect(),
        tiers: cat
            .tiers
            .iter()
            .map(|t| DonationTier {
                cents: t.cents,
                amount: t.amount(),
                label: t.label.clone(),
                buys: t
                    .buys
                    .iter()
                    .map(|l| TierBuys {
                        code: l.code.to_string(),
                        qty: l.qty,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------
// HopeLocations

/// A storage location, without its stock (see `/api/v1/hope-bags/stock`).
#[derive(Serialize, ToSchema)]
pub struct HopeLocation {
    pub id: i64,
    pub name: String,
    pub state: String,
    pub kind: String,
    pub low_stock: i64,
    pub kits_on_hand: i64,
    pub low: bool,
    /// Whether you may manage its stock (staff: every one; a volunteer: their own).
    pub you_keep: bool,
}

#[derive(Serialize, ToSchema)]
pub struct HopeLocations {
    pub locations: Vec<HopeLocation>,
}

/// The storage locations, by name.
#[utoipa::path(get, path = "/api/v1/hope-bags/locations", tag = "hope-bags",
    responses((status = 200, body = HopeLocations), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn locations(ctx: Ctx) -> Result<Json<HopeLocations>, AppError> {
    let p = ctx.principal()?;
    let kept = ctx.state.services.hope_locations_kept(p).await?;
    let list = ctx.state.services.hope_locations(p).await?;
    Ok(Json(HopeLocations {
        locations: list
            .into_iter()
            .map(|l| HopeLocation {
                you_keep: kept.contains(&l.id),
                id: l.id.0,
                name: l.name,
                state: l.state,
                kind: l.kind,
                low_stock: l.low_stock,
                kits_on_hand: l.kits_on_hand,
                low: l.low,
            })
            .collect(),
    }))
}

/// A new storage location.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewHopeLocation {
    pub name: String,
    /// USPS code, like `TX`.
    pub state: String,
    /// `office`, `partner` or `vehicle`.
    pub kind: String,
    /// Bags of one kind at or below this are low stock (0–1000; 3 when left out).
    pub low_stock: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct HopeCreated {
    pub id: i64,
}

/// Adds a storage location. A volunteer who adds one keeps it.
#[utoipa::path(post, path = "/api/v1/hope-bags/locations", tag = "hope-bags", request_body = NewHopeLocation,
    responses((status = 201, body = HopeCreated), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create_location(
    ctx: Ctx,
    ApiJson(n): ApiJson<NewHopeLocation>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let id = ctx
        .state
        .services
        .add_hope_location(
            p,
            &NewLocationForm {
                name: n.name,
                state: n.state,
                kind: n.kind,
                low_stock: n.low_stock.unwrap_or(3),
            },
            ctx.ip.clone(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(HopeCreated { id: id.0 })).into_response())
}

// ---------------------------------------------------------------------------------------
// The catalogue's text

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CatalogueToml {
    /// 0 while the shipped catalogue is in force (only in answers).
    #[serde(default)]
    pub version: i64,
    /// The catalogue as TOML: `[[items]]`, `[[kits]]` with their bills, `[[tiers]]`.
    pub toml: String,
}

/// The catalogue in force as TOML, to edit.
#[utoipa::path(get, path = "/api/v1/hope-bags/catalogue", tag = "hope-bags",
    responses((status = 200, body = CatalogueToml), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn catalogue(ctx: Ctx) -> Result<Json<CatalogueToml>, AppError> {
    let t = ctx
        .state
        .services
        .hope_catalogue_text(ctx.principal()?)
        .await?;
    Ok(Json(CatalogueToml {
        version: t.version,
        toml: t.toml,
    }))
}

/// Saves a new version of the catalogue (refused whole, with the reason, when it is not
/// valid or drops something a location holds).
#[utoipa::path(put, path = "/api/v1/hope-bags/catalogue", tag = "hope-bags", request_body = CatalogueToml,
    responses((status = 200, body = CatalogueToml), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn save_catalogue(
    ctx: Ctx,
    ApiJson(c): ApiJson<CatalogueToml>,
) -> Result<Json<CatalogueToml>, AppError> {
    let version = ctx
        .state
        .services
        .save_hope_catalogue(ctx.principal()?, &c.toml, ctx.ip.clone())
        .await?;
    Ok(Json(CatalogueToml {
        version,
        toml: c.toml,
    }))
}

// ---------------------------------------------------------------------------------------
// MoneyDonations of money

#[derive(Serialize, ToSchema)]
pub struct MoneyDonation {
    pub id: i64,
    /// `$25`
    pub amount: String,
    /// What the tier buys.
    pub buys: String,
    pub donor: String,
    pub receipt: String,
    /// `YYYY-MM-DD`
    pub received_on: String,
}

#[derive(Serialize, ToSchema)]
pub struct MoneyDonations {
    pub donations: Vec<MoneyDonation>,
}

/// The latest donations of money, newest first.
#[utoipa::path(get, path = "/api/v1/hope-bags/donations", tag = "hope-bags",
    responses((status = 200, body = MoneyDonations), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn donations(ctx: Ctx) -> Result<Json<MoneyDonations>, AppError> {
    let p = ctx.principal()?;
    Ok(Json(MoneyDonations {
        donations: ctx
            .state
            .services
            .hope_donations(p)
            .await?
            .into_iter()
            .map(|d| MoneyDonation {
                id: d.id,
                amount: d.amount,
                buys: d.buys,
                donor: d.donor,
                receipt: d.receipt,
                received_on: d.received_on,
            })
            .collect(),
    }))
}

/// A donation of money already received (no payment is taken here).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewMoneyDonation {
    /// One of the tiers' amounts in cents (see `/api/v1/hope-bags/kits`).
    pub tier_cents: i64,
    pub donor: String,
    /// Unique.
    pub receipt: String,
    /// `YYYY-MM-DD`
    pub received_on: String,
    /// If it was spent: the location where what the tier buys arrives, entered as purchased.
    pub bought_at: Option<i64>,
}

/// Records a donation of money by tier, and optionally what it bought.
#[utoipa::path(post, path = "/api/v1/hope-bags/donations", tag = "hope-bags", request_body = NewMoneyDonation,
    responses((status = 201, body = HopeCreated), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create_donation(
    ctx: Ctx,
    ApiJson(n): ApiJson<NewMoneyDonation>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let id = ctx
        .state
        .services
        .record_hope_money_for(
            p,
            n.tier_cents,
            &n.donor,
            &n.receipt,
            &n.received_on,
            n.bought_at.map(LocationId),
            ctx.ip.clone(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(HopeCreated { id })).into_response())
}

// ---------------------------------------------------------------------------------------
// Movements of stock

/// One movement of stock. Which fields count depends on `kind`:
/// `receive` (location_id, code, qty, from), `purchase` (location_id, code, qty),
/// `build` (location_id, code of a kit, qty), `transfer` (location_id, to_location_id,
/// code, qty), `adjust` (location_id, code, delta, reason), `count` (location_id, code,
/// counted).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct NewStockMovement {
    pub kind: String,
    pub location_id: i64,
    pub to_location_id: Option<i64>,
    /// An item's or a kit's code.
    pub code: String,
    pub qty: i64,
    pub delta: i64,
    pub counted: Option<i64>,
    /// The donor or drive, for `receive`.
    pub from: String,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct StockMovementDone {
    /// The movement's id in the ledger.
    pub id: i64,
}

/// Moves stock; refused with 409 and a message when it would leave any stock below zero,
/// 403 when a volunteer does not keep the location.
#[utoipa::path(post, path = "/api/v1/hope-bags/movements", tag = "hope-bags", request_body = NewStockMovement,
    responses((status = 201, body = StockMovementDone), (status = 422, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn movement(
    ctx: Ctx,
    ApiJson(m): ApiJson<NewStockMovement>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let s = &ctx.state.services;
    let at = LocationId(m.location_id);
    let ip = ctx.ip.clone();
    let id = match m.kind.as_str() {
        "receive" => {
            s.receive_hope_donation(p, at, &m.code, m.qty, &m.from, ip)
                .await?
        }
        "purchase" => s.purchase_hope_stock(p, at, &m.code, m.qty, ip).await?,
        "build" => s.build_hope_kits(p, at, &m.code, m.qty, ip).await?,
        "transfer" => {
            let to = m.to_location_id.ok_or_else(|| {
                AppError::invalid(
                    "to_location_id: say where the stock goes",
                    vec![FieldProblem::new(
                        "to_location_id",
                        "say where the stock goes",
                    )],
                )
            })?;
            s.transfer_hope_stock(p, at, LocationId(to), &m.code, m.qty, ip)
                .await?
        }
        "adjust" => {
            s.adjust_hope_stock(p, at, &m.code, m.delta, &m.reason, ip)
                .await?
        }
        "count" => {
            let counted = m.counted.ok_or_else(|| {
                AppError::invalid(
                    "counted: say how many were counted",
                    vec![FieldProblem::new("counted", "say how many were counted")],
                )
            })?;
            s.count_hope_stock(p, at, &m.code, counted, ip).await?
        }
        _ => {
            return Err(AppError::invalid(
                "kind: use receive, purchase, build, transfer, adjust or count",
                vec![FieldProblem::new(
                    "kind",
                    "use receive, purchase, build, transfer, adjust or count",
                )],
            ))
        }
    };
    Ok((StatusCode::CREATED, Json(StockMovementDone { id })).into_response())
}
