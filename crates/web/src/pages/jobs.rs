//! Background jobs for administrators: how many wait or run, and those that failed for
//! good with their last error (`clearinghouse link` recomputes what a failed linking job
//! left undone).

use super::{render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::Layout;
use askama::Template;
use axum::response::Html;

struct FailedView {
    id: i64,
    about: String,
    attempts: i64,
    created: String,
    failed: String,
    error: String,
}

#[derive(Template)]
#[template(path = "admin_jobs.html")]
struct JobsPage {
    layout: Layout,
    pending: i64,
    running: i64,
    failed_count: i64,
    failed: Vec<FailedView>,
}

pub async fn jobs(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let counts = services.job_counts(p).await?;
    let failed = services
        .failed_jobs(p)
        .await?
        .into_iter()
        .map(|j| FailedView {
            id: j.id.0,
            about: j.about,
            attempts: j.attempts,
            created: when(j.created_at),
            failed: when(j.failed_at),
            error: j.last_error,
        })
        .collect();
    render(&JobsPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Background jobs", &ctx.path),
        pending: counts.pending,
        running: counts.running,
        failed_count: counts.failed,
        failed,
    })
}
