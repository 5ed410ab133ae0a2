//! Public statistics: the page anyone can read (`/statistics`, with a year picker, charts
//! drawn on the server as SVG, each followed by its data table), the open data (CSV and
//! JSON per table, and the data dictionary), the staff's own organisation's exact counts,
//! and the administrator's releases (next scheduled, hold, let go, release now, mode).

use super::{csv, render, when};
use crate::api::statistics::{self as out, cached, none_yet, SUPPRESSION_RULE};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Form, Path, Query};
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use service::statistics::{next_release_after, PublishedRelease, StatTable};

/// Escapes text for SVG markup built here (askama escapes everything else).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn shown(n: Option<u64>) -> String {
    n.map_or_else(|| "suppressed".to_owned(), |n| n.to_string())
}

/// A horizontal bar chart: each bar's label on its own line above it, so long labels fit a
/// phone. `role="img"` with a title and a description; the numbers are in the table that
/// follows the chart.
pub fn bar_chart(id: &str, title: &str, desc: &str, bars: &[(String, Option<u64>)]) -> String {
    const W: u64 = 360;
    const ROW: u64 = 40;
    const BAR_MAX: u64 = 280;
    let max = bars.iter().filter_map(|b| b.1).max().unwrap_or(0).max(1);
    let h = ROW * bars.len() as u64 + 8;
    let mut s = format!(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {W} {h}\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(desc)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = ROW * i as u64;
        // A label longer than the chart is wide is cut; the table after it has it whole.
        let short: String = if label.chars().count() > 46 {
            label.chars().take(45).collect::<String>() + "…"
        } else {
            label.clone()
        };
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" class=\"chart-label\">{}</text>",
            y + 14,
            esc(&short)
        ));
        match value {
            Some(n) => {
                let w = (n * BAR_MAX).div_ceil(max).max(u64::from(*n > 0));
                s.push_str(&format!(
                    "<rect x=\"0\" y=\"{}\" width=\"{w}\" height=\"16\" class=\"chart-bar\"/><text x=\"{}\" y=\"{}\" class=\"chart-value\">{n}</text>",
                    y + 19,
                    w + 6,
                    y + 32
                ));
            }
            None => s.push_str(&format!(
                "<text x=\"0\" y=\"{}\" class=\"chart-value chart-suppressed\">suppressed</text>",
                y + 32
            )),
        }
    }
    s.push_str("</svg>");
    s
}

struct RowView {
    label: String,
    value: String,
    share: String,
}

struct TableView {
    /// The table has no column for the year (nothing of its kind was counted then).
    missing: bool,
    /// Rows with nothing that year were left out.
    left_out: bool,
    id: String,
    title: String,
    definition: String,
    unit: String,
    row_heading: String,
    svg: String,
    rows: Vec<RowView>,
    total: String,
    median: Option<String>,
}

struct Headline {
    figure: String,
    text: String,
    definition: String,
}

struct YearRow {
    year: String,
    reports: String,
    episodes: String,
    children: String,
}

#[derive(Template)]
#[template(path = "statistics.html")]
struct PublicPage {
    layout: Layout,
    release: Option<ReleaseInfo>,
    years: Vec<String>,
    year: String,
    headlines: Vec<Headline>,
    tables: Vec<TableView>,
    trend_svg: String,
    trend: Vec<YearRow>,
}

struct ReleaseInfo {
    period: String,
    computed: String,
    next: String,
    mode_label: String,
    epsilon: Option<String>,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

fn col(t: &StatTable, year: &str) -> Option<usize> {
    t.table.cols.iter().position(|c| c == year)
}

fn row(t: &StatTable, label: &str) -> Option<usize> {
    t.table.rows.iter().position(|r| r == label)
}

fn view(t: &StatTable, year: &str) -> TableView {
    let p = &t.table;
    let c = col(t, year);
    let rows: Vec<(String, Option<u64>, Option<u64>)> = p
        .rows
        .iter()
        .enumerate()
        .map(|(r, label)| {
            let v = c.and_then(|c| p.cells[r][c]);
            let share = c.and_then(|c| p.share(r, c));
            (label.clone(), v, share)
        })
        .collect();
    // Long lists (states) leave out what counted nothing that year; the CSV has them all.
    let left_out = rows.len() > 12 && rows.iter().any(|r| r.1 == Some(0));
    let rows: Vec<_> = if left_out {
        rows.into_iter().filter(|r| r.1 != Some(0)).collect()
    } else {
        rows
    };
    let total = c.and_then(|c| p.col_totals[c]);
    let bars: Vec<(String, Option<u64>)> = rows.iter().map(|r| (r.0.clone(), r.1)).collect();
    let largest = rows
        .iter()
        .filter_map(|r| r.1.map(|v| (v, r.0.clone())))
        .max();
    let desc = format!(
        "Bar chart of {} by {} in {year}{}. The numbers are in the table after the chart.",
        t.unit,
        t.row_heading.to_lowercase(),
        largest.map_or(String::new(), |(v, l)| format!("; the largest is {l}, {v}"))
    );
    TableView {
        left_out,
        missing: c.is_none(),
        id: t.id.clone(),
        title: t.title.clone(),
        definition: t.definition.clone(),
        unit: t.unit.clone(),
        row_heading: t.row_heading.clone(),
        svg: bar_chart(
            &format!("chart-{}", t.id),
            &format!("{}, {year}", t.title),
            &desc,
            &bars,
        ),
        rows: rows
            .into_iter()
            .map(|(label, v, share)| RowView {
                label,
                value: shown(v),
                share: share.map_or_else(String::new, |s| format!("{s}%")),
            })
            .collect(),
        total: shown(total),
        median: t.median_days.as_ref().map(|m| {
            c.and_then(|c| m.get(c).copied().flatten())
                .map_or_else(|| "not published".to_owned(), |d| format!("{d} days"))
        }),
    }
}

fn headlines(r: &PublishedRelease, year: &str) -> Vec<Headline> {
    let mut out = Vec::new();
    let mut push = |figure: Option<String>, text: String, definition: &str| {
        out.push(Headline {
            figure: figure.unwrap_or_else(|| "Not published".into()),
            text,
            definition: definition.to_owned(),
        })
    };
    // A table without the year's column counted nothing that year.
    let total = |t: &StatTable| col(t, year).map_or(Some(0), |c| t.table.col_totals[c]);
    let share = |t: &StatTable, label: &str| {
        col(t, year)
            .zip(row(t, label))
            .and_then(|(c, r)| t.table.share(r, c))
            .map(|s| format!("{s}%"))
    };
    if let Some(t) = r.table("reports-by-type") {
        push(
            total(t).map(|n| n.to_string()),
            format!("reports received in {year}"),
            "Finished reports from providers, public tips and staff intake.",
        );
    }
    if let Some(t) = r.table("episodes-by-circumstance") {
        push(
            total(t).map(|n| n.to_string()),
            format!("missing-child episodes reported in {year}"),
            "A child reported missing twice counts twice.",
        );
        push(
            share(t, "endangered runaway"),
            "of them were endangered runaways".into(),
            "Episodes recorded with the circumstance \"endangered runaway\".",
        );
        push(
            share(t, "missing from care"),
            "of them were children missing from care".into(),
            "Episodes recorded with the circumstance \"missing from care\".",
        );
    }
    if let Some(t) = r.table("episodes-by-age") {
        push(
            share(t, "15–17"),
            "of them were aged 15–17".into(),
            "Age when reported missing.",
        );
    }
    if let Some(t) = r.table("children-multiple-episodes") {
        push(
            share(t, "two or more episodes"),
            format!("of children missing in {year} went missing more than once that year"),
            "Children with two or more episodes reported in the same year.",
        );
    }
    if let Some(t) = r.table("children-likely-trafficking") {
        push(share(t, "likely trafficking victim"), format!("of children missing in {year} were likely victims of child sex trafficking"), "Cases tied by link analysis to a report of incident type \"Child Sex Trafficking\" (an indicator, not a finding).");
    }
    if let Some(t) = r.table("hope-bags-given") {
        push(
            total(t).map(|n| n.to_string()),
            format!("Hope Bags given to recovered young people in {year}"),
            "Bags fulfilled or delivered in the year.",
        );
    }
    if let Some(t) = r.table("referrals-by-need") {
        push(
            total(t).map(|n| n.to_string()),
            format!("referrals of survivors to recovery services in {year}"),
            "Referrals from recovery plans sent to a service of the directory.",
        );
    }
    if let Some(t) = r.table("trainings-completed") {
        push(
            total(t).map(|n| n.to_string()),
            format!("training courses completed by professionals and the public in {year}"),
            "Courses completed with a certificate.",
        );
    }
    if let Some(t) = r.table("recoveries") {
        let c = col(t, year);
        let n = c
            .zip(row(t, "recovered"))
            .and_then(|(c, rr)| t.table.cells[rr][c]);
        let m = c.and_then(|c| {
            t.median_days
                .as_ref()
                .and_then(|m| m.get(c).copied().flatten())
        });
        push(
            n.map(|n| n.to_string()),
            format!("children recovered of those reported missing in {year}"),
            "Episodes of the year with a recovery recorded.",
        );
        if r.mode == "suppressed" {
            push(m.map(|d| format!("{d} days")), "median time missing before recovery".into(), "From the day last seen (or reported) to the day recovered, over recovered episodes; shown only where the recovered count is published.");
        }
    }
    out
}

fn release_info(state_now: i64, r: &PublishedRelease) -> ReleaseInfo {
    let (_, next) = next_release_after(state_now);
    ReleaseInfo {
        period: r.period.clone(),
        computed: when(r.computed_at),
        next: when(next),
        mode_label: r.mode_label.clone(),
        epsilon: r.epsilon.map(|e| format!("{e}")),
    }
}

pub async fn public(ctx: Ctx, Query(q): Query<YearQuery>) -> Result<Response, AppError> {
    let services = &ctx.state.services;
    let release = services.public_statistics().await?;
    let layout = Layout::new(&ctx.state, &ctx.identity, "Statistics", &ctx.path);
    let Some(r) = release else {
        let page = PublicPage {
            layout,
            release: None,
            years: vec![],
            year: String::new(),
            headlines: vec![],
            tables: vec![],
            trend_svg: String::new(),
            trend: vec![],
        };
        return Ok(render(&page)?.into_response());
    };
    let years = r.years();
    // The latest year with missing-child episodes, unless the reader chose another.
    let latest = r
        .table("episodes-by-circumstance")
        .and_then(|t| t.table.cols.last().cloned())
        .or_else(|| years.last().cloned())
        .unwrap_or_default();
    let year = q.year.filter(|y| years.contains(y)).unwrap_or(latest);
    let by = |id: &str, y: &str| {
        r.table(id)
            .and_then(|t| col(t, y).map(|c| shown(t.table.col_totals[c])))
            .unwrap_or_else(|| "0".into())
    };
    let trend: Vec<YearRow> = years
        .iter()
        .map(|y| YearRow {
            year: y.clone(),
            reports: by("reports-by-type", y),
            episodes: by("episodes-by-circumstance", y),
            children: by("children-multiple-episodes", y),
        })
        .collect();
    let trend_bars: Vec<(String, Option<u64>)> = years
        .iter()
        .map(|y| {
            let v = r
                .table("episodes-by-circumstance")
                // No column: no episode that year.
                .and_then(|t| col(t, y).map_or(Some(0), |c| t.table.col_totals[c]));
            (y.clone(), v)
        })
        .collect();
    let trend_svg = bar_chart(
        "chart-trend",
        "Missing-child episodes by year",
        "Bar chart of missing-child episodes reported each year. The numbers are in the table after the chart.",
        &trend_bars,
    );
    let page = PublicPage {
        layout,
        release: Some(release_info(services.now(), &r)),
        headlines: headlines(&r, &year),
        tables: r.tables.iter().map(|t| view(t, &year)).collect(),
        years,
        year,
        trend_svg,
        trend,
    };
    Ok(render(&page)?.into_response())
}

/// One row of the data dictionary.
#[derive(Serialize)]
struct DictionaryRow {
    table: String,
    field: String,
    definition: String,
    suppression: String,
}

fn dictionary(r: &PublishedRelease) -> Vec<DictionaryRow> {
    let mut out = Vec::new();
    let rule = "Empty (CSV) or null (JSON) when suppressed: a count from 1 to 4, or a number hidden so that one cannot be worked out from the others.";
    for t in &r.tables {
        let d = |field: &str, definition: String, suppression: &str| DictionaryRow {
            table: t.id.clone(),
            field: field.to_owned(),
            definition,
            suppression: suppression.to_owned(),
        };
        out.push(d(
            &t.row_heading,
            format!(
                "The row: {}. {}",
                t.row_heading.to_lowercase(),
                t.definition
            ),
            "Never suppressed (a label).",
        ));
        out.push(d(
            "YYYY (one column per year)",
            format!("The number of {} in that year.", t.unit),
            rule,
        ));
        out.push(d(
            "Total",
            format!(
                "The row's {} over every year listed; the last row (Total) is each year's total.",
                t.unit
            ),
            rule,
        ));
        if t.median_days.is_some() {
            out.push(d("median days missing (row)", "The median days from the day last seen (or reported) to the day recovered, over the year's recovered episodes.".into(), "Empty unless the year's recovered count is published (5 or more)."));
        }
    }
    out
}

fn csv_of(t: &StatTable) -> String {
    let p = &t.table;
    let mut header: Vec<&str> = vec![t.row_heading.as_str()];
    header.extend(p.cols.iter().map(String::as_str));
    header.push("Total");
    let cell = |n: Option<u64>| n.map_or_else(String::new, |n| n.to_string());
    let mut rows: Vec<Vec<String>> = p
        .rows
        .iter()
        .enumerate()
        .map(|(r, label)| {
            let mut line = vec![label.clone()];
            line.extend(p.cells[r].iter().map(|&n| cell(n)));
            line.push(cell(p.row_totals[r]));
            line
        })
        .collect();
    let mut totals = vec!["Total".to_owned()];
    totals.extend(p.col_totals.iter().map(|&n| cell(n)));
    totals.push(cell(p.total));
    rows.push(totals);
    if let Some(m) = &t.median_days {
        let mut line = vec!["median days missing".to_owned()];
        line.extend(m.iter().map(|&n| cell(n)));
        line.push(String::new());
        rows.push(line);
    }
    csv::table(&header, rows.into_iter())
}

fn csv_response(r: &PublishedRelease, headers: &HeaderMap, name: &str, body: String) -> Response {
    cached(
        r,
        headers,
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            body,
        ),
    )
}

/// `/statistics/data/{file}`: `{table}.csv`, `{table}.json`, `dictionary.csv`,
/// `dictionary.json`.
pub async fn data(
    ctx: Ctx,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let r = ctx
        .state
        .services
        .public_statistics()
        .await?
        .ok_or_else(none_yet)?;
    let (name, ext) = file.rsplit_once('.').ok_or_else(AppError::not_found)?;
    if name == "dictionary" {
        let rows = dictionary(&r);
        return Ok(match ext {
            "json" => cached(
                &r,
                &headers,
                Json(serde_json::json!({
                    "release": out::release_out(&r),
                    "suppression_rule": SUPPRESSION_RULE,
                    "fields": rows,
                })),
            ),
            "csv" => csv_response(
                &r,
                &headers,
                "dictionary.csv",
                csv::table(
                    &["table", "field", "definition", "suppression"],
                    rows.into_iter()
                        .map(|d| vec![d.table, d.field, d.definition, d.suppression]),
                ),
            ),
            _ => return Err(AppError::not_found()),
        });
    }
    let t = r.table(name).ok_or_else(AppError::not_found)?;
    match ext {
        "csv" => Ok(csv_response(&r, &headers, &file, csv_of(t))),
        "json" => Ok(cached(
            &r,
            &headers,
            Json(out::StatisticsTableOut {
                release: out::release_out(&r),
                table: out::table_out(t),
            }),
        )),
        _ => Err(AppError::not_found()),
    }
}

struct FullTable {
    id: String,
    title: String,
    definition: String,
    row_heading: String,
    cols: Vec<String>,
    rows: Vec<(String, Vec<String>, String)>,
    totals: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "statistics_internal.html")]
struct InternalPage {
    layout: Layout,
    org_scope: String,
    tables: Vec<FullTable>,
}

fn full(t: &StatTable) -> FullTable {
    let p = &t.table;
    FullTable {
        id: t.id.clone(),
        title: t.title.clone(),
        definition: t.definition.clone(),
        row_heading: t.row_heading.clone(),
        cols: p.cols.clone(),
        rows: p
            .rows
            .iter()
            .enumerate()
            .map(|(r, l)| {
                (
                    l.clone(),
                    p.cells[r].iter().map(|&n| shown(n)).collect(),
                    shown(p.row_totals[r]),
                )
            })
            .collect(),
        totals: p.col_totals.iter().map(|&n| shown(n)).collect(),
        total: shown(p.total),
    }
}

/// Staff: exact counts of their own organisation's cases.
pub async fn internal(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let tables = services.internal_statistics(p).await?;
    let org_scope = services
        .org_name(p.org_id)
        .await?
        .unwrap_or_else(|| "your organisation".into());
    render(&InternalPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Statistics: your organisation",
            &ctx.path,
        ),
        org_scope,
        tables: tables
            .iter()
            .filter(|t| !t.table.cols.is_empty())
            .map(full)
            .collect(),
    })
}

struct ReleaseRowView {
    id: i64,
    period: String,
    scheduled: String,
    status: &'static str,
    mode: String,
    computed: String,
}

#[derive(Template)]
#[template(path = "statistics_admin.html")]
struct AdminPage {
    layout: Layout,
    next: Option<ReleaseRowView>,
    next_dp: bool,
    next_epsilon: String,
    history: Vec<ReleaseRowView>,
}

fn row_view(r: &service::statistics::ReleaseView) -> ReleaseRowView {
    ReleaseRowView {
        id: r.id,
        period: r.period.clone(),
        scheduled: when(r.scheduled_for),
        status: r.status,
        mode: match r.epsilon {
            Some(e) if r.mode == "dp" => format!("differentially private, ε = {e}"),
            _ => "exact, suppressed".into(),
        },
        computed: r.computed_at.map(when).unwrap_or_default(),
    }
}

pub async fn releases(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let o = ctx.state.services.statistics_releases(p).await?;
    render(&AdminPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Statistics releases", &ctx.path),
        next_dp: o.next.as_ref().is_some_and(|n| n.mode == "dp"),
        next_epsilon: o
            .next
            .as_ref()
            .and_then(|n| n.epsilon)
            .unwrap_or(service::statistics::DEFAULT_EPSILON)
            .to_string(),
        next: o.next.as_ref().map(row_view),
        history: o.history.iter().map(row_view).collect(),
    })
}

const ADMIN: &str = "/admin/statistics";

pub async fn hold(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .hold_statistics_release(p, ctx.ip.clone(), id)
        .await?;
    Ok(flash::redirect(
        &ctx,
        ADMIN,
        "The next release is held: it will not be published until you let it go.",
    ))
}

pub async fn resume(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .resume_statistics_release(p, ctx.ip.clone(), id)
        .await?;
    Ok(flash::redirect(
        &ctx,
        ADMIN,
        "The release is scheduled again: it is published at its time (at once if that has passed).",
    ))
}

pub async fn release_now(ctx: Ctx) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    ctx.state
        .services
        .release_statistics_now(p, ctx.ip.clone())
        .await?;
    Ok(flash::redirect_with_link(
        &ctx,
        ADMIN,
        "A release was published now.",
        "/statistics",
        "See the public statistics",
    ))
}

#[derive(Deserialize)]
pub struct ModeForm {
    mode: String,
    #[serde(default)]
    epsilon: String,
}

pub async fn set_mode(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ModeForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let dp = f.mode == "dp";
    let eps = if dp {
        match f.epsilon.trim().parse::<f64>() {
            Ok(e) => Some(e),
            Err(_) => {
                return Err(AppError::invalid(
                    "Enter the privacy budget (epsilon) as a number from 0.1 to 50, like 7",
                    vec![crate::error::FieldProblem::new(
                        "epsilon",
                        "Enter a number from 0.1 to 50, like 7",
                    )],
                ))
            }
        }
    } else {
        None
    };
    ctx.state
        .services
        .set_statistics_mode(p, ctx.ip.clone(), id, dp, eps)
        .await?;
    Ok(flash::redirect(
        &ctx,
        ADMIN,
        if dp {
            "The next release will publish differentially private counts."
        } else {
            "The next release will publish exact counts with suppression."
        },
    ))
}
