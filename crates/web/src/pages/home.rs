//! The dashboard and the landing pages of the areas still being built.

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
}

pub async fn dashboard(ctx: Ctx) -> Result<Html<String>, AppError> {
    let p = ctx.principal()?;
    let areas = AREAS
        .iter()
        .filter(|(href, _, action, _)| *href != "/" && permits(Some(p), *action))
        .map(|(href, label, _, description)| (*href, *label, *description))
        .collect();
    let page = Dashboard {
        layout: Layout::new(&ctx.state, &ctx.identity, "Dashboard", &ctx.path),
        role_label: p.role.label(),
        areas,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    layout: Layout,
    description: &'static str,
    empty: &'static str,
}

fn empty_text(href: &str) -> &'static str {
    match href {
        "/reports" => "No reports have been received yet. Reports arrive from the public tip form and from providers through the reporting API.",
        "/leads" => "Nothing has been made available to your agency yet. When the hotline shares a report or a cluster with your agency, it appears here.",
        "/cases" => "No missing-child cases yet. A caseworker can report a child missing from care, and analysts can open a case from a report.",
        "/links" => "No links yet. Links appear when reports, cases and ads share a phone number, an email address, a handle or an ad text.",
        "/recovery" => "No recovery plans yet.",
        "/hope-bags" => "No Hope Bag stock or requests yet.",
        "/families" => "No family support cases yet.",
        "/training" => "No courses are published yet.",
        "/statistics" => "There is not enough data yet to publish figures.",
        "/submissions" => "Your organisation has not submitted any reports yet.",
        _ => "Nothing here yet.",
    }
}

/// The landing page of an area, with an honest empty state until it fills with data.
pub async fn area(ctx: Ctx) -> Result<Html<String>, AppError> {
    let (href, label, _, description) = AREAS
        .iter()
        .find(|(href, ..)| *href == ctx.path)
        .ok_or_else(AppError::not_found)?;
    let page = AreaPage {
        layout: Layout::new(&ctx.state, &ctx.identity, label, &ctx.path),
        description,
        empty: empty_text(href),
    };
    render(&page)
}
