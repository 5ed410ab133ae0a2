//! Shared link charts over JSON (issue 24): the charts made available to the caller's
//! agency (the hotline's staff: every shared chart) and one chart as the caller may see it:
//! only its records made available to their agency, the links among them, and how many
//! records it leaves out. Another agency's chart is 404. Views are audited by the service.

use super::extract::{ApiPath, ApiQuery};
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::Json;
use serde::{Deserialize, Serialize};
use service::linking::charts::ChartItem;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

/// A shared chart.
#[derive(Serialize, ToSchema)]
pub struct ChartOut {
    pub id: i64,
    pub title: String,
    /// The hotline's note to the agency.
    pub note: String,
    /// The record the chart's cluster was walked from.
    pub start: RecordOut,
    /// The agency it was made available to.
    pub agency_id: i64,
    pub agency: String,
    /// The username of who shared it.
    pub shared_by: String,
    /// RFC 3339, UTC.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub shared_at: OffsetDateTime,
    /// Records in the chart when it was shared.
    pub size: i64,
}

/// A record: `report`, `ad` or `case`, and its id.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
pub struct RecordOut {
    /// `report`, `ad` or `case`.
    pub kind: String,
    pub id: i64,
}

fn chart_out(c: &ChartItem) -> ChartOut {
    ChartOut {
        id: c.id,
        title: c.title.clone(),
        note: c.note.clone(),
        start: RecordOut {
            kind: c.start.kind.as_str().to_owned(),
            id: c.start.id,
        },
        agency_id: c.org_id.0,
        agency: c.org_name.clone(),
        shared_by: c.shared_by.clone(),
        shared_at: utc(c.shared_at),
        size: c.size,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChartList {
    pub charts: Vec<ChartOut>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ChartListQuery {
    /// 1-based; 50 charts a page.
    page: Option<i64>,
}

/// Charts made available to the caller's agency (the hotline's staff: every shared chart),
/// newest first.
#[utoipa::path(get, path = "/api/v1/charts", tag = "charts", params(ChartListQuery),
    responses((status = 200, body = ChartList), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(q): ApiQuery<ChartListQuery>,
) -> Result<Json<ChartList>, AppError> {
    let p = ctx.principal()?;
    let page = ctx
        .state
        .services
        .shared_charts(p, q.page.unwrap_or(1), crate::pages::links::SHARED_PER_PAGE)
        .await?;
    crate::pages::audit_list(&ctx, "/api/v1/charts", page.items.iter().map(|c| c.id)).await?;
    Ok(Json(ChartList {
        charts: page.items.iter().map(chart_out).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// A record of a chart.
#[derive(Serialize, ToSchema)]
pub struct ChartRecord {
    pub kind: String,
    pub id: i64,
    /// "Report #12 · Child sex trafficking", "Ad #5 · …", "CH-000003 · …".
    pub title: String,
    /// `YYYY-MM-DD`, when known.
    pub date: Option<String>,
    /// USPS codes.
    pub states: Vec<String>,
}

/// One reason two records are linked.
#[derive(Serialize, ToSchema)]
pub struct ChartReason {
    /// `phone`, `email`, `handle`, `device`, `ip`, `url`, `person` or `template`.
    pub reason: String,
    pub value: String,
    pub weight: f64,
}

/// Two records of the chart and the links between them.
#[derive(Serialize, ToSchema)]
pub struct ChartLink {
    pub a: RecordOut,
    pub b: RecordOut,
    /// The links' combined weight.
    pub weight: f64,
    pub reasons: Vec<ChartReason>,
}

/// A chart as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct ChartDetail {
    pub chart: ChartOut,
    /// How many of the chart's records were not made available to the caller's agency
    /// (which, is not said).
    pub omitted: usize,
    pub records: Vec<ChartRecord>,
    pub links: Vec<ChartLink>,
}

/// One shared chart: its records made available to the caller's agency and the links among
/// them. 404 for a chart of another agency. Audited as a view.
#[utoipa::path(get, path = "/api/v1/charts/{id}", tag = "charts", params(("id" = i64, Path, description = "The chart's id")),
    responses((status = 200, body = ChartDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn detail(ctx: Ctx, ApiPath(id): ApiPath<i64>) -> Result<Json<ChartDetail>, AppError> {
    let p = ctx.principal()?;
    let v = ctx
        .state
        .services
        .shared_chart(p, id, "api", ctx.ip.clone())
        .await?;
    let rec = |r: domain::RecordRef| RecordOut {
        kind: r.kind.as_str().to_owned(),
        id: r.id,
    };
    Ok(Json(ChartDetail {
        chart: chart_out(&v.chart),
        omitted: v.omitted,
        records: v
            .view
            .nodes
            .iter()
            .map(|n| ChartRecord {
                kind: n.record.kind.as_str().to_owned(),
                id: n.record.id,
                title: n.title.clone(),
                date: n.date.clone(),
                states: n.states.clone(),
            })
            .collect(),
        links: v
            .view
            .edges
            .iter()
            .map(|e| ChartLink {
                a: rec(v.view.nodes[e.a].record),
                b: rec(v.view.nodes[e.b].record),
                weight: e.weight,
                reasons: e
                    .reasons
                    .iter()
                    .map(|r| ChartReason {
                        reason: r.reason.clone(),
                        value: r.value.clone(),
                        weight: r.weight,
                    })
                    .collect(),
            })
            .collect(),
    }))
}
