//! Hope Bags over JSON: stock on hand by location and kit, the requests (list, create,
//! fulfil). The same use cases, policy and audit as the pages; no request holds a name
//! or identity of the young person.

use super::extract::{ApiJson, ApiPath};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use service::hope_bags::hopebags::LocationId;
use service::hope_bags::{request_number, BagRequestError, RequestForm, RequestView};
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
