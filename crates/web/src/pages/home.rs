//! The dashboard: the areas the signed-in role reaches.

use super::render;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::layout::{Layout, AREAS};
use askama::Template;
use axum::response::Html;
use domain::policy::permits;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    layout: Layout,
    role_label: &'static str,
    areas: Vec<(&'static str, &'static str, &'static str)>,
    /// Watchlists (issue 24): notifications not read yet.
    unread: i64,
}

pub async fn dashboard(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let areas = AREAS
        .iter()
        .filter(|(href, _, action, _)| *href != "/" && permits(Some(p), *action))
        .map(|(href, label, _, description)| (*href, *label, *description))
        .collect();
    let unread = ctx.state.services.unread_notifications(p).await?;
    let page = Dashboard {
        layout: Layout::new(&ctx.state, &ctx.identity, "Dashboard", &ctx.path),
        role_label: p.role.label(),
        areas,
        unread,
    };
    render(&page)
}
