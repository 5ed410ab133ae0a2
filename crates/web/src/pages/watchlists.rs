//! Watchlists (issue 24): `/watchlist`, the signed-in person's watches (add one by kind and
//! value, renew, remove; where new notifications are e-mailed), and `/notifications`, the
//! records that matched them, unread first, each linked to the record in link analysis
//! (which shows only what the reader may see) and marked read one at a time.

use super::{enc, render, when};
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::flash;
use crate::layout::Layout;
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use service::watchlists::{NewWatch, Notification, Watch, WatchKind};
use service::ServiceError;

/// Rows per page of both lists.
pub const PER_PAGE: i64 = 50;

/// Where a notification's record is read: its page in link analysis, which every watcher's
/// role reaches and which shows only what the reader may see.
pub fn record_link(n: &Notification) -> String {
    format!("/links/record/{}/{}", n.record.kind.as_str(), n.record.id)
}

pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

pub struct WatchRow {
    pub id: i64,
    pub kind: &'static str,
    pub value: String,
    pub label: String,
    pub created: String,
    pub expires: String,
    pub expired: bool,
    pub renewed: String,
}

impl From<&Watch> for WatchRow {
    fn from(w: &Watch) -> Self {
        WatchRow {
            id: w.id,
            kind: w.kind.label(),
            value: w.value.clone(),
            label: w.label.clone(),
            created: when(w.created_at),
            expires: when(w.expires_at),
            expired: w.expired,
            renewed: w.renewed_at.map(when).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "watchlist.html")]
struct WatchlistPage {
    layout: Layout,
    error: Option<String>,
    error_field: &'static str,
    kinds: Vec<KindOption>,
    value: String,
    note: String,
    days: String,
    default_days: i64,
    items: Vec<WatchRow>,
    total: i64,
    page: i64,
    pages: i64,
    address: String,
    mail_configured: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    page: Option<i64>,
    /// Prefill of the add form, from a "Watch" button elsewhere.
    kind: Option<String>,
    value: Option<String>,
}

/// What the add form held, to show again with its error.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WatchForm {
    kind: String,
    value: String,
    label: String,
    days: String,
}

async fn watchlist_page(
    ctx: &Ctx,
    page: i64,
    form: WatchForm,
    error: Option<(&'static str, String)>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?;
    let services = &ctx.state.services;
    let list = services.watches(p, page, PER_PAGE).await?;
    let address = services.notification_address(p).await?.unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = WatchlistPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Your watchlist", &ctx.path),
        error_field: error.as_ref().map(|e| e.0).unwrap_or_default(),
        error: error.map(|e| e.1),
        kinds: WatchKind::ALL
            .into_iter()
            .map(|k| KindOption {
                value: k.as_str(),
                label: k.label(),
                selected: k.as_str() == form.kind,
            })
            .collect(),
        value: form.value,
        note: form.label,
        days: form.days,
        default_days: services.watchlists.watch_days,
        items: list.items.iter().map(WatchRow::from).collect(),
        total: list.total,
        pages: list.pages(),
        page: list.page,
        address,
        mail_configured: services.notification_email_configured(),
    };
    Ok((status, render(&page)?).into_response())
}

/// GET /watchlist
pub async fn list(ctx: Ctx, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let form = WatchForm {
        kind: q.kind.unwrap_or_default(),
        value: q.value.unwrap_or_default(),
        ..WatchForm::default()
    };
    watchlist_page(&ctx, q.page.unwrap_or(1), form, None).await
}

fn days(raw: &str) -> Result<Option<i64>, String> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|_| "Enter the number of days as a whole number, such as 90.".to_owned())
}

/// POST /watchlist
pub async fn create(ctx: Ctx, Form(f): Form<WatchForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    let d = match days(&f.days) {
        Ok(d) => d,
        Err(m) => return watchlist_page(&ctx, 1, f, Some(("days", m))).await,
    };
    let new = NewWatch {
        kind: f.kind.clone(),
        value: f.value.clone(),
        label: f.label.clone(),
        days: d,
    };
    match ctx
        .state
        .services
        .create_watch(&p, ctx.ip.clone(), &new)
        .await
    {
        Ok(w) => Ok(flash::redirect(
            &ctx,
            "/watchlist",
            format!(
                "You are watching {}. Watch {} expires on {} (UTC) unless you renew it.",
                w.value,
                w.id,
                when(w.expires_at)
            ),
        )),
        Err(ServiceError::Invalid(m)) => {
            let field = if f.kind.trim().is_empty() || m.starts_with("Choose") {
                "kind"
            } else if m.contains("days") {
                "days"
            } else if m.contains("note") {
                "label"
            } else {
                "value"
            };
            watchlist_page(&ctx, 1, f, Some((field, m))).await
        }
        Err(ServiceError::Conflict(m)) => watchlist_page(&ctx, 1, f, Some(("value", m))).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RenewForm {
    days: String,
}

/// POST /watchlist/{id}/renew
pub async fn renew(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<RenewForm>,
) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    let d = days(&f.days).map_err(|m| AppError::from(ServiceError::Invalid(m)))?;
    let w = ctx
        .state
        .services
        .renew_watch(&p, ctx.ip.clone(), id, d)
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/watchlist",
        format!(
            "Watch {} on {} renewed: it now expires on {} (UTC).",
            w.id,
            w.value,
            when(w.expires_at)
        ),
    ))
}

/// POST /watchlist/{id}/remove
pub async fn remove(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    ctx.state
        .services
        .remove_watch(&p, ctx.ip.clone(), id)
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/watchlist",
        format!("Watch {id} removed. Its notifications stay in your list."),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AddressForm {
    email: String,
}

/// POST /watchlist/email
pub async fn set_address(ctx: Ctx, Form(f): Form<AddressForm>) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    match ctx
        .state
        .services
        .set_notification_address(&p, ctx.ip.clone(), &f.email)
        .await
    {
        Ok(Some(_)) => Ok(flash::redirect(
            &ctx,
            "/watchlist",
            "New notifications will also be e-mailed to you: each message holds only a link.",
        )),
        Ok(None) => Ok(flash::redirect(
            &ctx,
            "/watchlist",
            "Notifications will no longer be e-mailed to you.",
        )),
        Err(ServiceError::Invalid(m)) => {
            watchlist_page(&ctx, 1, WatchForm::default(), Some(("email", m))).await
        }
        Err(e) => Err(e.into()),
    }
}

pub struct NotificationRow {
    pub id: i64,
    pub reason: String,
    pub record: String,
    pub href: String,
    pub created: String,
    pub unread: bool,
}

impl From<&Notification> for NotificationRow {
    fn from(n: &Notification) -> Self {
        NotificationRow {
            id: n.id,
            reason: n.reason.clone(),
            record: n.record.label(),
            href: record_link(n),
            created: when(n.created_at),
            unread: n.read_at.is_none(),
        }
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    layout: Layout,
    items: Vec<NotificationRow>,
    total: i64,
    unread: i64,
    page: i64,
    pages: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PageQuery {
    page: Option<i64>,
}

/// GET /notifications
pub async fn notifications(
    ctx: Ctx,
    Query(q): Query<PageQuery>,
) -> Result<axum::response::Html<String>, AppError> {
    let p = ctx.principal()?;
    let n = ctx
        .state
        .services
        .notifications(p, q.page.unwrap_or(1), PER_PAGE)
        .await?;
    render(&NotificationsPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Notifications", &ctx.path),
        items: n.page.items.iter().map(NotificationRow::from).collect(),
        total: n.page.total,
        unread: n.unread,
        pages: n.page.pages(),
        page: n.page.page,
    })
}

#[derive(Template)]
#[template(path = "notification.html")]
struct NotificationPage {
    layout: Layout,
    n: NotificationRow,
    read: String,
}

/// GET /notifications/{id}: the address every e-mail links to.
pub async fn notification(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> Result<axum::response::Html<String>, AppError> {
    let p = ctx.principal()?;
    let n = ctx.state.services.notification(p, id).await?;
    render(&NotificationPage {
        layout: Layout::new(&ctx.state, &ctx.identity, "Notification", "/notifications"),
        read: n.read_at.map(when).unwrap_or_default(),
        n: NotificationRow::from(&n),
    })
}

/// POST /notifications/{id}/read
pub async fn mark_read(ctx: Ctx, Path(id): Path<i64>) -> Result<Response, AppError> {
    let p = ctx.principal()?.clone();
    let n = ctx
        .state
        .services
        .mark_notification_read(&p, ctx.ip.clone(), id)
        .await?;
    Ok(flash::redirect(
        &ctx,
        "/notifications",
        format!("Notification about {} marked read.", n.record.label()),
    ))
}

/// The "Watch" link for an identifier's page: the watchlist's form, filled in.
pub fn watch_href(kind: &str, value: &str) -> Option<String> {
    WatchKind::parse(kind)
        .filter(|k| k.is_identifier())
        .map(|k| format!("/watchlist?kind={}&value={}#add", k.as_str(), enc(value)))
}
