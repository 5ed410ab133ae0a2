//! Retention and legal holds (issue 25), `/admin/retention`: the periods in force with
//! what is due now, the holds in force and released, the form that places a hold, a
//! release form on each hold (supervisors and administrators), and the administrators'
//! purge button, which queues the purge job.

use super::forms::FieldErrors;
use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::policy::permits;
use domain::retention::HeldKind;
use domain::Action;
use serde::Deserialize;
use service::retention::{HoldError, HoldForm, HoldView, TypeView};

const PAGE: &str = "/admin/retention";

struct HoldRow {
    id: i64,
    record: String,
    href: Option<String>,
    reason: String,
    placed_by: String,
    placed: String,
    released_by: String,
    released: String,
    release_reason: String,
}

fn hold_row(h: &HoldView, may_read_records: bool) -> HoldRow {
    let href = match h.kind {
        HeldKind::Report if may_read_records => Some(format!("/reports/{}", h.record_id)),
        HeldKind::Case if may_read_records => Some(format!("/cases/{}", h.record_id)),
        _ => None,
    };
    HoldRow {
        id: h.id,
        record: h.record.clone(),
        href,
        reason: h.reason.clone(),
        placed_by: h.placed_by.clone(),
        placed: when(h.placed_at),
        released_by: h.released_by.clone().unwrap_or_default(),
        released: h.released_at.map(when).unwrap_or_default(),
        release_reason: h.release_reason.clone().unwrap_or_default(),
    }
}

struct KindChoice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "admin_retention.html")]
struct RetentionPage {
    layout: Layout,
    types: Vec<TypeView>,
    holds: Vec<HoldRow>,
    released: Vec<HoldRow>,
    purge_waiting: bool,
    may_purge: bool,
    /// Records the next purge would delete, all types together.
    due_total: u64,
    kinds: Vec<KindChoice>,
    f: HoldForm,
    fe: FieldErrors,
    /// The hold whose release form was sent with a problem, and the reason typed.
    release_id: i64,
    release_reason: String,
}

async fn page(
    ctx: &Ctx,
    f: HoldForm,
    fe: FieldErrors,
    release: Option<(i64, String)>,
) -> Result<RetentionPage, AppError> {
    let p = ctx.principal()?;
    let o = ctx.state.services.retention_overview(p).await?;
    let reads = permits(Some(p), Action::ViewReports);
    let (release_id, release_reason) = release.unwrap_or((0, String::new()));
    Ok(RetentionPage {
        layout: Layout::new(
            &ctx.state,
            &ctx.identity,
            "Retention and legal holds",
            &ctx.path,
        ),
        due_total: o.types.iter().map(|t| t.due).sum(),
        types: o.types,
        holds: o.holds.iter().map(|h| hold_row(h, reads)).collect(),
        released: o.released.iter().map(|h| hold_row(h, reads)).collect(),
        purge_waiting: o.purge_waiting,
        may_purge: permits(Some(p), Action::PurgeRecords),
        kinds: HeldKind::ALL
            .iter()
            .map(|k| KindChoice {
                value: k.as_str(),
                label: k.label(),
            })
            .collect(),
        f,
        fe,
        release_id,
        release_reason,
    })
}

fn unprocessable(html: axum::response::Html<String>) -> Response {
    let mut res = html.into_response();
    *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    res
}

/// GET /admin/retention
pub async fn overview(ctx: Ctx) -> Result<Response, AppError> {
    let f = HoldForm {
        kind: HeldKind::Report.as_str().into(),
        ..HoldForm::default()
    };
    Ok(render(&page(&ctx, f, FieldErrors::default(), None).await?)?.into_response())
}

/// POST /admin/retention/holds
pub async fn place(ctx: Ctx, Form(f): Form<HoldForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    match ctx
        .state
        .services
        .place_legal_hold(p, &f, ctx.ip.clone())
        .await
    {
        Ok(h) => Ok(flash::redirect(
            &ctx,
            PAGE,
            format!(
                "A legal hold is on {}: no purge deletes it until the hold is released.",
                h.record
            ),
        )),
        Err(HoldError::Form(problems)) => {
            let mut fe = FieldErrors::default();
            for pr in problems {
                fe.push(pr.field, pr.message.clone(), pr.message);
            }
            Ok(unprocessable(render(&page(&ctx, f, fe, None).await?)?))
        }
        Err(HoldError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReleaseIn {
    release_reason: String,
}

/// POST /admin/retention/holds/{id}/release
pub async fn release(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(r): Form<ReleaseIn>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    match ctx
        .state
        .services
        .release_legal_hold(p, id, &r.release_reason, ctx.ip.clone())
        .await
    {
        Ok(h) => Ok(flash::redirect(
            &ctx,
            PAGE,
            format!(
                "The legal hold on {} is released: the record is purged once past its period.",
                h.record
            ),
        )),
        Err(HoldError::Form(problems)) => {
            let field = format!("release_reason-{id}");
            let mut fe = FieldErrors::default();
            for pr in problems {
                fe.push(
                    &field,
                    format!("Release of hold {id}: {}", pr.message),
                    pr.message,
                );
            }
            let f = HoldForm {
                kind: HeldKind::Report.as_str().into(),
                ..HoldForm::default()
            };
            Ok(unprocessable(render(
                &page(&ctx, f, fe, Some((id, r.release_reason))).await?,
            )?))
        }
        Err(HoldError::Service(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PurgeIn {
    confirm: String,
}

/// POST /admin/retention/purge: only with the box ticked that says the records go for good.
pub async fn purge(ctx: Ctx, Form(f): Form<PurgeIn>) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    if f.confirm != "yes" {
        let fe = FieldErrors::one(
            "confirm",
            "Tick the box to confirm that the records due are deleted for good",
        );
        let form = HoldForm {
            kind: HeldKind::Report.as_str().into(),
            ..HoldForm::default()
        };
        return Ok(unprocessable(render(&page(&ctx, form, fe, None).await?)?));
    }
    ctx.state.services.request_purge(p, ctx.ip.clone()).await?;
    Ok(flash::redirect_with_link(
        &ctx,
        PAGE,
        "A purge is queued: the background worker runs it shortly, and the audit log records what it deleted.",
        "/admin/audit?action=retention.*",
        "See purges in the audit log",
    ))
}
