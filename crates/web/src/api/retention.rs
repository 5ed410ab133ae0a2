//! Legal holds over JSON (retention, issue 25): list, place and release, the same use
//! cases as `/admin/retention`. Supervisors and administrators.

use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, FieldProblem, Problem};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use service::retention::{HoldError, HoldForm, HoldView};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// A legal hold: while it is in force no purge deletes the record.
#[derive(Serialize, ToSchema)]
pub struct HoldOut {
    pub id: i64,
    /// `report`, `case` or `recovery_plan`.
    pub kind: String,
    pub record_id: i64,
    /// The record as people name it (`case CH-000003`).
    pub record: String,
    pub reason: String,
    pub placed_by: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub placed_at: OffsetDateTime,
    pub released_by: Option<String>,
    /// RFC 3339, UTC; null while the hold is in force.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub released_at: Option<OffsetDateTime>,
    pub release_reason: Option<String>,
}

fn hold_out(h: HoldView) -> HoldOut {
    HoldOut {
        id: h.id,
        kind: h.kind.as_str().to_owned(),
        record_id: h.record_id,
        record: h.record,
        reason: h.reason,
        placed_by: h.placed_by,
        placed_at: utc(h.placed_at),
        released_by: h.released_by,
        released_at: h.released_at.map(utc),
        release_reason: h.release_reason,
    }
}

#[derive(Serialize, ToSchema)]
pub struct HoldList {
    pub holds: Vec<HoldOut>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct HoldsQuery {
    /// `true`: the released holds, latest first; otherwise those in force, oldest first.
    released: Option<bool>,
}

/// A hold to place.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHoldIn {
    /// `report`, `case` or `recovery_plan`.
    pub kind: String,
    /// The record's number: a report's (`12`), a case's (`CH-000003` or `3`), a plan's.
    pub number: String,
    /// Why (1 to 1000 characters); kept in the audit log.
    pub reason: String,
}

/// Why a hold is released.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseIn {
    /// 1 to 1000 characters; kept in the audit log.
    pub reason: String,
}

fn hold_error(e: HoldError, field_prefix: &str) -> AppError {
    match e {
        HoldError::Form(problems) => {
            let message = problems
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("; ");
            AppError::invalid(
                message,
                problems
                    .into_iter()
                    .map(|p| {
                        let field = if p.field == "release_reason" {
                            field_prefix.to_owned()
                        } else {
                            p.field.to_owned()
                        };
                        FieldProblem::new(field, p.message)
                    })
                    .collect(),
            )
        }
        HoldError::Service(e) => e.into(),
    }
}

/// The legal holds in force (or released ones).
#[utoipa::path(get, path = "/api/v1/legal-holds", tag = "retention", params(HoldsQuery),
    responses((status = 200, body = HoldList), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(ctx: Ctx, ApiQuery(q): ApiQuery<HoldsQuery>) -> Result<Json<HoldList>, AppError> {
    let p = ctx.principal()?;
    let holds = ctx
        .state
        .services
        .legal_holds(p, q.released.unwrap_or(false))
        .await?;
    Ok(Json(HoldList {
        holds: holds.into_iter().map(hold_out).collect(),
    }))
}

/// Places a legal hold on a report, a case or a recovery plan (one in force a record).
#[utoipa::path(post, path = "/api/v1/legal-holds", tag = "retention", request_body = NewHoldIn,
    responses((status = 201, body = HoldOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    ctx: Ctx,
    ApiJson(h): ApiJson<NewHoldIn>,
) -> Result<(StatusCode, Json<HoldOut>), AppError> {
    let p = ctx.principal()?.clone();
    let form = HoldForm {
        kind: h.kind,
        number: h.number,
        reason: h.reason,
    };
    let placed = ctx
        .state
        .services
        .place_legal_hold(&p, &form, ctx.ip.clone())
        .await
        .map_err(|e| hold_error(e, "reason"))?;
    Ok((StatusCode::CREATED, Json(hold_out(placed))))
}

/// Releases a legal hold in force, with the reason.
#[utoipa::path(post, path = "/api/v1/legal-holds/{id}/release", tag = "retention", params(("id" = i64, Path, description = "Hold id")), request_body = ReleaseIn,
    responses((status = 200, body = HoldOut), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn release(
    ctx: Ctx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(r): ApiJson<ReleaseIn>,
) -> Result<Json<HoldOut>, AppError> {
    let p = ctx.principal()?.clone();
    let released = ctx
        .state
        .services
        .release_legal_hold(&p, id, &r.reason, ctx.ip.clone())
        .await
        .map_err(|e| hold_error(e, "reason"))?;
    Ok(Json(hold_out(released)))
}
