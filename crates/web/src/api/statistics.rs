//! Public statistics over JSON, without sign-in: the latest published release with every
//! table, and one table by its id. The same protected numbers as the page and the CSV
//! files; a suppressed number is `null`.

use super::extract::ApiPath;
use super::utc;
use crate::ctx::Ctx;
use crate::error::{AppError, Problem};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use service::statistics::{PublishedRelease, StatTable};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// One row of a table.
#[derive(Serialize, ToSchema)]
pub struct RowOut {
    pub label: String,
    /// One per column (year); `null` when suppressed.
    pub cells: Vec<Option<u64>>,
    /// The row's total over the years; `null` when suppressed.
    pub total: Option<u64>,
}

/// A published table.
#[derive(Serialize, ToSchema)]
pub struct TableOut {
    /// Stable: `/statistics/data/{id}.csv` and `/api/v1/statistics/{id}`.
    pub id: String,
    pub title: String,
    pub definition: String,
    /// What a count counts: `reports`, `missing episodes`, `children`.
    pub unit: String,
    /// What the rows are (`Circumstance`).
    pub row_heading: String,
    /// The years, oldest first.
    pub columns: Vec<String>,
    pub rows: Vec<RowOut>,
    /// Per year; `null` when suppressed.
    pub column_totals: Vec<Option<u64>>,
    pub total: Option<u64>,
    /// Recoveries only: the median days missing per year (`null` where not shown).
    pub median_days: Option<Vec<Option<u64>>>,
}

/// The release a table comes from.
#[derive(Serialize, ToSchema)]
pub struct ReleaseOut {
    /// Also the `ETag` of every statistics answer.
    pub release_id: i64,
    /// YYYY-MM: the month the release belongs to.
    pub period: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub computed_at: OffsetDateTime,
    /// `suppressed` (exact counts, small cells and their complements hidden) or `dp`
    /// (differentially private counts, then suppressed the same way).
    pub mode: String,
    pub mode_label: String,
    /// The release's whole privacy budget (dp only), split evenly between its tables.
    pub epsilon: Option<f64>,
    /// How numbers are protected, in words.
    pub suppression_rule: String,
}

/// Every table of the latest release.
#[derive(Serialize, ToSchema)]
pub struct StatisticsOut {
    pub release: ReleaseOut,
    pub tables: Vec<TableOut>,
}

/// One table with its release.
#[derive(Serialize, ToSchema)]
pub struct StatisticsTableOut {
    pub release: ReleaseOut,
    pub table: TableOut,
}

pub const SUPPRESSION_RULE: &str = "No count from 1 to 4 is published. Where hiding one would still let it be worked out from a total, or from another table with the same year totals, other numbers are hidden too (complementary suppression), and every hidden number is checked to be impossible to solve for from what is published. Zero is published: it says nobody. A hidden number is empty in CSV files, null in JSON and \"suppressed\" on the page, whatever the reason it is hidden. Numbers change only when a release is published (the first day of each month), so comparing two days reveals nothing.";

pub fn table_out(t: &StatTable) -> TableOut {
    let p = &t.table;
    TableOut {
        id: t.id.clone(),
        title: t.title.clone(),
        definition: t.definition.clone(),
        unit: t.unit.clone(),
        row_heading: t.row_heading.clone(),
        columns: p.cols.clone(),
        rows: p
            .rows
            .iter()
            .zip(&p.cells)
            .zip(&p.row_totals)
            .map(|((label, cells), total)| RowOut {
                label: label.clone(),
                cells: cells.clone(),
                total: *total,
            })
            .collect(),
        column_totals: p.col_totals.clone(),
        total: p.total,
        median_days: t.median_days.clone(),
    }
}

pub fn release_out(r: &PublishedRelease) -> ReleaseOut {
    ReleaseOut {
        release_id: r.id,
        period: r.period.clone(),
        computed_at: utc(r.computed_at),
        mode: r.mode.clone(),
        mode_label: r.mode_label.clone(),
        epsilon: r.epsilon,
        suppression_rule: SUPPRESSION_RULE.to_owned(),
    }
}

/// The release's `ETag`.
pub fn etag(r: &PublishedRelease) -> String {
    format!("\"statistics-{}\"", r.id)
}

/// 304 when the client holds this release already.
pub fn not_modified(headers: &HeaderMap, r: &PublishedRelease) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag(r)))
}

/// An answer for a release: its `ETag`, cacheable for five minutes (a release changes once
/// a month).
pub fn cached(r: &PublishedRelease, headers: &HeaderMap, body: impl IntoResponse) -> Response {
    let tag = HeaderValue::from_str(&etag(r)).unwrap_or(HeaderValue::from_static("\"statistics\""));
    let cache = HeaderValue::from_static("public, max-age=300");
    if not_modified(headers, r) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, tag), (header::CACHE_CONTROL, cache)],
        )
            .into_response();
    }
    ([(header::ETAG, tag), (header::CACHE_CONTROL, cache)], body).into_response()
}

pub fn none_yet() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "No statistics have been published yet. The first release is published on the first day of next month; try again then.",
    )
}

#[utoipa::path(get, path = "/api/v1/statistics", tag = "statistics", security(()),
    responses((status = 200, body = StatisticsOut), (status = 304, description = "Not modified (same release as the `If-None-Match` ETag)"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn all(ctx: Ctx, headers: HeaderMap) -> Result<Response, AppError> {
    let r = ctx
        .state
        .services
        .public_statistics()
        .await?
        .ok_or_else(none_yet)?;
    let out = StatisticsOut {
        release: release_out(&r),
        tables: r.tables.iter().map(table_out).collect(),
    };
    Ok(cached(&r, &headers, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/statistics/{table}", tag = "statistics", security(()),
    params(("table" = String, Path, description = "The table's id, e.g. `episodes-by-circumstance` (listed by `/api/v1/statistics`)")),
    responses((status = 200, body = StatisticsTableOut), (status = 304, description = "Not modified"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn one(
    ctx: Ctx,
    headers: HeaderMap,
    ApiPath(table): ApiPath<String>,
) -> Result<Response, AppError> {
    let r = ctx
        .state
        .services
        .public_statistics()
        .await?
        .ok_or_else(none_yet)?;
    let t = r.table(&table).ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            format!("There is no statistics table called {table:?}. The tables are listed at /api/v1/statistics."),
        )
    })?;
    let out = StatisticsTableOut {
        release: release_out(&r),
        table: table_out(t),
    };
    Ok(cached(&r, &headers, Json(out)))
}
